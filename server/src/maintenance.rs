//! Periodic upkeep every replica runs: marking silent agents offline (so the health metric
//! moves even when no one asks), and hourly, dropping expired idempotency records and folding
//! old path samples into hourly ones (migrations/0006_path_health.sql). Each is idempotent and
//! safe to run on several replicas at once.

use std::time::Duration;

use crate::app::AppState;

pub async fn run(app: AppState) {
    let every = Duration::from_secs(u64::from(app.settings.agent_status_interval_secs));
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_purge = tokio::time::Instant::now();
    loop {
        tick.tick().await;
        if let Err(err) = mark_offline(&app).await {
            tracing::warn!(error = %err, "maintenance: marking silent agents offline");
        }
        if last_purge.elapsed() >= Duration::from_secs(3600) {
            last_purge = tokio::time::Instant::now();
            match sqlx::query_scalar::<_, i64>("SELECT purge_expired_idempotency_keys()").fetch_one(&app.pool).await {
                Ok(n) if n > 0 => tracing::info!(removed = n, "maintenance: expired idempotency keys removed"),
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %err, "maintenance: purging idempotency keys"),
            }
            match sqlx::query_scalar::<_, i64>("SELECT purge_expired_browser_sessions()").fetch_one(&app.pool).await {
                Ok(n) if n > 0 => {
                    tracing::info!(removed = n, "maintenance: expired browser sessions and SSO logins removed")
                }
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %err, "maintenance: purging browser sessions"),
            }
            match sqlx::query_scalar::<_, i64>("SELECT fold_path_samples()").fetch_one(&app.pool).await {
                Ok(n) if n > 0 => tracing::info!(removed = n, "maintenance: expired path samples and events removed"),
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %err, "maintenance: folding path samples"),
            }
        }
    }
}

/// Marks agents that missed three status reports offline, and counts the transitions.
pub async fn mark_offline(app: &AppState) -> Result<usize, sqlx::Error> {
    let silent_for = Duration::from_secs(3 * u64::from(app.settings.agent_status_interval_secs));
    let changed = crate::db::agents::mark_silent_offline(&app.pool, silent_for).await?;
    for (_, _, previous) in &changed {
        app.metrics.site_health_transition(previous, "offline");
    }
    Ok(changed.len())
}
