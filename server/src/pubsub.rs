//! Redis pub/sub between replicas. Nothing relies on a message arriving: each user says what a
//! lost one costs (a delayed agent, a credential honoured a few seconds longer).

use std::sync::Weak;
use std::time::Duration;

use futures::StreamExt;

/// A client for subscribing and a managed connection for publishing, giving up after 5 s.
pub async fn connect(url: &str) -> anyhow::Result<(redis::Client, redis::aio::ConnectionManager)> {
    let client = redis::Client::open(url)?;
    let conn = managed(client.clone()).await?;
    Ok((client, conn))
}

/// A connection that reconnects by itself, and whose commands fail within half a second while
/// Redis is away. The crate's defaults (six reconnect attempts with growing pauses, no timeouts)
/// would hold every command that uses it for seconds: a write's publish, every rate-limit check.
pub async fn managed(client: redis::Client) -> anyhow::Result<redis::aio::ConnectionManager> {
    let config = redis::aio::ConnectionManagerConfig::new()
        .set_number_of_retries(1)
        .set_max_delay(500)
        .set_connection_timeout(Duration::from_millis(500))
        .set_response_timeout(Duration::from_millis(500));
    Ok(tokio::time::timeout(Duration::from_secs(5), redis::aio::ConnectionManager::new_with_config(client, config))
        .await??)
}

/// Publishes `payload` on `channel`; a failure is logged, not returned, since every user has a
/// fallback for a message that never arrives.
pub async fn publish(conn: &redis::aio::ConnectionManager, channel: &str, payload: &str) {
    let mut conn = conn.clone();
    let mut cmd = redis::cmd("PUBLISH");
    cmd.arg(channel).arg(payload);
    let publish = cmd.query_async::<i64>(&mut conn);
    let sent = tokio::time::timeout(Duration::from_secs(1), publish).await;
    if let Err(err) = sent.map_err(|_| "timed out".to_string()).and_then(|r| r.map_err(|e| e.to_string())) {
        tracing::warn!(error = %err, channel, "publishing to Redis failed");
    }
}

/// Hands each message of `channel` to `on_message` for as long as `target` lives, reconnecting
/// with backoff.
pub fn subscribe<T: Send + Sync + 'static>(
    target: Weak<T>,
    client: redis::Client,
    channel: &'static str,
    on_message: fn(&T, &str),
) {
    tokio::spawn(async move {
        let mut backoff = Duration::from_millis(200);
        loop {
            match client.get_async_pubsub().await {
                Ok(mut pubsub) => match pubsub.subscribe(channel).await {
                    Ok(()) => {
                        backoff = Duration::from_millis(200);
                        let mut messages = pubsub.on_message();
                        while let Some(msg) = messages.next().await {
                            let Some(target) = target.upgrade() else { return };
                            let payload: String = msg.get_payload().unwrap_or_default();
                            on_message(&target, &payload);
                        }
                        tracing::warn!(channel, "Redis subscription ended; reconnecting");
                    }
                    Err(err) => tracing::warn!(error = %err, channel, "subscribing in Redis failed"),
                },
                Err(err) => tracing::warn!(error = %err, channel, "connecting to Redis failed"),
            }
            if target.strong_count() == 0 {
                return;
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(10));
        }
    });
}
