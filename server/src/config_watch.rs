//! Wakes parked long polls when their site's document changes. Waiting costs a parked future and
//! one `Notify` per watched site: no thread, no database connection. A write's sites are woken
//! in-process and, when Redis is configured, published so that every other replica wakes its
//! own waiters. Nothing depends on a wake-up arriving: a poll that misses one answers when its
//! timeout ends, and the next poll compares hashes again.
//!
//! A wake-up carries what the write recorded: the site's new hash at the tenant's revision. A
//! woken poll serves that document straight from the network cache instead of reading the hash
//! again, which is what lets one write reach thousands of parked agents without thousands of
//! database round trips. The poll after it reads the database as usual, so a wake-up that was
//! overtaken by a newer write only costs the agent one more fetch.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};

use tokio::sync::Notify;
use uuid::Uuid;

const CHANNEL: &str = "patronus:config-changed";

/// A site's document as a committed write recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The tenant's revision the write committed (also the document's revision).
    pub revision: i64,
    pub hash: String,
    /// The write's trace context (a W3C `traceparent`), when traces are on: the woken poll's
    /// `config_wake` span is its child (`crate::telemetry`).
    pub trace: Option<String>,
    /// When the write published it (Unix milliseconds), for the fan-out lag of the polls it wakes.
    pub published_at_ms: Option<i64>,
}

/// What the waiters of one site share.
#[derive(Default)]
pub struct SiteWatch {
    pub notify: Notify,
    latest: Mutex<Option<Recorded>>,
}

impl SiteWatch {
    /// The newest document a wake-up announced, if any has since this site was first watched.
    pub fn latest(&self) -> Option<Recorded> {
        self.latest.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn announce(&self, recorded: &Recorded) {
        let mut latest = self.latest.lock().unwrap_or_else(|e| e.into_inner());
        // Writes commit in revision order but may announce out of it: keep the newest.
        if latest.as_ref().is_none_or(|l| l.revision < recorded.revision) {
            *latest = Some(recorded.clone());
        }
        drop(latest);
        self.notify.notify_waiters();
    }
}

#[derive(Default)]
pub struct ConfigWatch {
    sites: Mutex<HashMap<Uuid, Weak<SiteWatch>>>,
    redis: Option<redis::aio::ConnectionManager>,
    closed: AtomicBool,
}

/// A waiter's handle on its site; dropping the last one forgets the site.
pub struct Watch<'a> {
    owner: &'a ConfigWatch,
    site: Uuid,
    pub site_watch: Arc<SiteWatch>,
}

impl Drop for Watch<'_> {
    fn drop(&mut self) {
        let mut sites = self.owner.sites.lock().unwrap_or_else(|e| e.into_inner());
        // Ours is the last strong reference: no one else waits for this site.
        if Arc::strong_count(&self.site_watch) == 1 {
            sites.remove(&self.site);
        }
    }
}

impl ConfigWatch {
    /// A watch that publishes through Redis and listens there for other replicas' changes.
    pub async fn with_redis(url: &str) -> anyhow::Result<Arc<Self>> {
        let (client, conn) = crate::pubsub::connect(url).await?;
        let watch =
            Arc::new(ConfigWatch { sites: Mutex::default(), redis: Some(conn), closed: AtomicBool::new(false) });
        crate::pubsub::subscribe(Arc::downgrade(&watch), client, CHANNEL, |watch: &ConfigWatch, payload| {
            watch.wake_local(&decode(payload));
        });
        Ok(watch)
    }

    pub fn watch(&self, site: Uuid) -> Watch<'_> {
        let mut sites = self.sites.lock().unwrap_or_else(|e| e.into_inner());
        let site_watch = match sites.get(&site).and_then(Weak::upgrade) {
            Some(w) => w,
            None => {
                let w = Arc::new(SiteWatch::default());
                sites.insert(site, Arc::downgrade(&w));
                w
            }
        };
        Watch { owner: self, site, site_watch }
    }

    /// The server is shutting down: wake every parked poll so that it answers at once.
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        let sites = self.sites.lock().unwrap_or_else(|e| e.into_inner());
        for w in sites.values().filter_map(Weak::upgrade) {
            w.notify.notify_waiters();
        }
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    /// Number of sites with at least one parked poll on this replica.
    pub fn watched_sites(&self) -> usize {
        self.sites.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    fn wake_local(&self, changed: &[(Uuid, Recorded)]) {
        let sites = self.sites.lock().unwrap_or_else(|e| e.into_inner());
        for (site, recorded) in changed {
            if let Some(w) = sites.get(site).and_then(Weak::upgrade) {
                w.announce(recorded);
            }
        }
    }

    /// Wakes the polls of `changed` sites here and on every other replica. Call after commit.
    pub async fn changed(&self, changed: &[(Uuid, Recorded)]) {
        if changed.is_empty() {
            return;
        }
        self.wake_local(changed);
        if let Some(conn) = &self.redis {
            // Lost, it leaves other replicas' agents to learn of the change when their poll times out.
            crate::pubsub::publish(conn, CHANNEL, &encode(changed)).await;
        }
    }
}

/// The Redis message: `site:revision:hash` per changed site, comma-separated, then the write's
/// `trace=<traceparent>` when it has one and `at=<unix ms>` of its publish (one write: every entry
/// shares them). A replica that does not know these entries skips them as entries that do not parse.
fn encode(changed: &[(Uuid, Recorded)]) -> String {
    let mut message =
        changed.iter().map(|(site, r)| format!("{site}:{}:{}", r.revision, r.hash)).collect::<Vec<_>>().join(",");
    if let Some(trace) = changed.iter().find_map(|(_, r)| r.trace.as_deref()) {
        message.push_str(",trace=");
        message.push_str(trace);
    }
    if let Some(at) = changed.iter().find_map(|(_, r)| r.published_at_ms) {
        message.push_str(&format!(",at={at}"));
    }
    message
}

/// Reads a message of another replica; entries that do not parse are skipped (their polls then
/// answer when they time out).
fn decode(message: &str) -> Vec<(Uuid, Recorded)> {
    let trace = message.split(',').find_map(|entry| entry.strip_prefix("trace=")).map(str::to_string);
    let published_at_ms = message.split(',').find_map(|entry| entry.strip_prefix("at=")?.parse().ok());
    message
        .split(',')
        .filter_map(|entry| {
            let mut parts = entry.splitn(3, ':');
            let site = parts.next()?.parse().ok()?;
            let revision = parts.next()?.parse().ok()?;
            let hash = parts.next()?.to_string();
            Some((site, Recorded { revision, hash, trace: trace.clone(), published_at_ms }))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded(revision: i64, hash: &str) -> Recorded {
        Recorded { revision, hash: hash.to_string(), trace: None, published_at_ms: None }
    }

    #[test]
    fn messages_between_replicas_round_trip_and_skip_garbage() {
        let a = Uuid::from_u128(1);
        let b = Uuid::from_u128(2);
        let changed = vec![(a, recorded(7, "ab12")), (b, recorded(8, "cd34"))];
        assert_eq!(decode(&encode(&changed)), changed);
        assert_eq!(decode(&format!("nonsense,{a}:x:ab,{b}:9:ef")), vec![(b, recorded(9, "ef"))]);
        // A write's trace context rides along once, for every entry.
        let tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let traced: Vec<_> =
            changed.iter().map(|(s, r)| (*s, Recorded { trace: Some(tp.into()), ..r.clone() })).collect();
        let message = encode(&traced);
        assert_eq!(message.matches(tp).count(), 1, "{message}");
        assert_eq!(decode(&message), traced);
        // What a replica without the trace entry reads: the same sites.
        let plain: Vec<_> = message.split(',').filter(|e| !e.starts_with("trace=")).collect();
        assert_eq!(decode(&plain.join(",")), changed);
        // The publish time rides along the same way.
        let timed: Vec<_> = changed
            .iter()
            .map(|(s, r)| (*s, Recorded { published_at_ms: Some(1_800_000_000_123), ..r.clone() }))
            .collect();
        let message = encode(&timed);
        assert!(message.ends_with(",at=1800000000123"), "{message}");
        assert_eq!(decode(&message), timed);
    }

    #[tokio::test]
    async fn a_wake_up_carries_the_newest_recorded_document() {
        let watch = ConfigWatch::default();
        let site = Uuid::from_u128(3);
        let handle = watch.watch(site);
        assert_eq!(handle.site_watch.latest(), None);
        let woken = handle.site_watch.notify.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        watch.changed(&[(site, recorded(5, "new"))]).await;
        woken.await;
        // An older announcement arriving late does not replace a newer one.
        watch.changed(&[(site, recorded(4, "old"))]).await;
        assert_eq!(handle.site_watch.latest(), Some(recorded(5, "new")));
        // Sites nobody watches are not remembered.
        watch.changed(&[(Uuid::from_u128(4), recorded(6, "x"))]).await;
        assert_eq!(watch.watched_sites(), 1);
    }
}
