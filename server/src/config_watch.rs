//! Wakes parked long polls when their site's document changes. Waiting costs a parked future and
//! one `Notify` per watched site: no thread, no database connection. A write's sites are woken
//! in-process and, when Redis is configured, published so that every other replica wakes its
//! own waiters. Nothing depends on a wake-up arriving: a poll that misses one answers when its
//! timeout ends, and the next poll compares hashes again.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use futures::StreamExt;
use tokio::sync::Notify;
use uuid::Uuid;

const CHANNEL: &str = "patronus:config-changed";

#[derive(Default)]
pub struct ConfigWatch {
    sites: Mutex<HashMap<Uuid, Weak<Notify>>>,
    redis: Option<redis::aio::ConnectionManager>,
    closed: AtomicBool,
}

/// A waiter's handle on its site; dropping the last one forgets the site.
pub struct Watch<'a> {
    owner: &'a ConfigWatch,
    site: Uuid,
    pub notify: Arc<Notify>,
}

impl Drop for Watch<'_> {
    fn drop(&mut self) {
        let mut sites = self.owner.sites.lock().unwrap_or_else(|e| e.into_inner());
        // Ours is the last strong reference: no one else waits for this site.
        if Arc::strong_count(&self.notify) == 1 {
            sites.remove(&self.site);
        }
    }
}

impl ConfigWatch {
    /// A watch that publishes through Redis and listens there for other replicas' changes.
    pub async fn with_redis(url: &str) -> anyhow::Result<Arc<Self>> {
        let client = redis::Client::open(url)?;
        let conn =
            tokio::time::timeout(Duration::from_secs(5), redis::aio::ConnectionManager::new(client.clone())).await??;
        let watch =
            Arc::new(ConfigWatch { sites: Mutex::default(), redis: Some(conn), closed: AtomicBool::new(false) });
        tokio::spawn(listen(Arc::downgrade(&watch), client));
        Ok(watch)
    }

    pub fn watch(&self, site: Uuid) -> Watch<'_> {
        let mut sites = self.sites.lock().unwrap_or_else(|e| e.into_inner());
        let notify = match sites.get(&site).and_then(Weak::upgrade) {
            Some(n) => n,
            None => {
                let n = Arc::new(Notify::new());
                sites.insert(site, Arc::downgrade(&n));
                n
            }
        };
        Watch { owner: self, site, notify }
    }

    /// The server is shutting down: wake every parked poll so that it answers at once.
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        let sites = self.sites.lock().unwrap_or_else(|e| e.into_inner());
        for n in sites.values().filter_map(Weak::upgrade) {
            n.notify_waiters();
        }
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    /// Number of sites with at least one parked poll on this replica.
    pub fn watched_sites(&self) -> usize {
        self.sites.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    fn wake_local(&self, changed: &[Uuid]) {
        let sites = self.sites.lock().unwrap_or_else(|e| e.into_inner());
        for site in changed {
            if let Some(n) = sites.get(site).and_then(Weak::upgrade) {
                n.notify_waiters();
            }
        }
    }

    /// Wakes the polls of `changed` sites here and on every other replica. Call after commit.
    pub async fn changed(&self, changed: &[Uuid]) {
        if changed.is_empty() {
            return;
        }
        self.wake_local(changed);
        if let Some(conn) = &self.redis {
            let message = changed.iter().map(Uuid::to_string).collect::<Vec<_>>().join(",");
            let mut conn = conn.clone();
            let sent: redis::RedisResult<i64> =
                redis::cmd("PUBLISH").arg(CHANNEL).arg(message).query_async(&mut conn).await;
            if let Err(err) = sent {
                // Other replicas' agents then learn of the change when their poll times out.
                tracing::warn!(error = %err, "config watch: publishing to Redis failed");
            }
        }
    }
}

/// Relays other replicas' changes to this replica's waiters, reconnecting with backoff.
async fn listen(watch: Weak<ConfigWatch>, client: redis::Client) {
    let mut backoff = Duration::from_millis(200);
    loop {
        match client.get_async_pubsub().await {
            Ok(mut pubsub) => match pubsub.subscribe(CHANNEL).await {
                Ok(()) => {
                    backoff = Duration::from_millis(200);
                    let mut messages = pubsub.on_message();
                    while let Some(msg) = messages.next().await {
                        let Some(watch) = watch.upgrade() else { return };
                        let payload: String = msg.get_payload().unwrap_or_default();
                        let sites: Vec<Uuid> = payload.split(',').filter_map(|s| s.parse().ok()).collect();
                        watch.wake_local(&sites);
                    }
                    tracing::warn!("config watch: Redis subscription ended; reconnecting");
                }
                Err(err) => tracing::warn!(error = %err, "config watch: subscribing in Redis failed"),
            },
            Err(err) => tracing::warn!(error = %err, "config watch: connecting to Redis failed"),
        }
        if watch.strong_count() == 0 {
            return;
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(10));
    }
}
