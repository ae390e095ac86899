//! Path samples (a time series per path, see migrations/0006_path_health.sql for how it is
//! folded and bounded) and the path changes agents report.

use chrono::{DateTime, Utc};
use patronus_api::{FailoverEvent, FailoverEventRecord, FailoverReason, PathPoint, PathSeries, PeerState};
use sqlx::{PgExecutor, QueryBuilder};
use uuid::Uuid;

use crate::pagination::PageRequest;

/// Resolution of the samples a report adds, and of the rows older ones are folded into.
pub const SAMPLE_SECONDS: u32 = 60;
pub const FOLDED_SECONDS: u32 = 3600;

/// Claims this minute's sample for the agent: true at most once a minute, whatever the report
/// interval.
pub async fn claim_sample(ex: impl PgExecutor<'_>, agent_id: Uuid) -> Result<bool, sqlx::Error> {
    let claimed = sqlx::query(
        "UPDATE agents SET sampled_at = now() WHERE id = $1 \
         AND (sampled_at IS NULL OR sampled_at < date_trunc('minute', now()))",
    )
    .bind(agent_id)
    .execute(ex)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

/// Adds one one-minute sample per reported path.
pub async fn insert_samples(
    ex: impl PgExecutor<'_>,
    tenant_id: Uuid,
    site_id: Uuid,
    peers: &[PeerState],
) -> Result<u64, sqlx::Error> {
    let paths = peers.iter().flat_map(|p| p.paths.iter().map(move |x| (p.site_id, x)));
    let (mut peer, mut link, mut up, mut rtt, mut jitter, mut loss) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (p, x) in paths {
        peer.push(p);
        link.push(x.link.clone());
        up.push(x.up);
        rtt.push(x.rtt_ms);
        jitter.push(x.jitter_ms);
        loss.push(x.loss_percent);
    }
    if peer.is_empty() {
        return Ok(0);
    }
    // A path reported twice in one report (it should not be) counts once.
    let done = sqlx::query(
        "INSERT INTO path_samples (tenant_id, site_id, peer_site_id, link, at, resolution_seconds, samples, \
         up_samples, rtt_ms_sum, rtt_samples, jitter_ms_sum, jitter_samples, loss_percent_sum, loss_samples) \
         SELECT $1, $2, peer, link, date_trunc('minute', now()), 60, 1, up::int, \
                coalesce(rtt, 0), (rtt IS NOT NULL)::int, coalesce(jitter, 0), (jitter IS NOT NULL)::int, \
                coalesce(loss, 0), (loss IS NOT NULL)::int \
         FROM unnest($3::uuid[], $4::text[], $5::bool[], $6::float8[], $7::float8[], $8::float8[]) \
              AS s(peer, link, up, rtt, jitter, loss) \
         ON CONFLICT ON CONSTRAINT path_samples_pkey DO NOTHING",
    )
    .bind(tenant_id)
    .bind(site_id)
    .bind(peer)
    .bind(link)
    .bind(up)
    .bind(rtt)
    .bind(jitter)
    .bind(loss)
    .execute(ex)
    .await?;
    Ok(done.rows_affected())
}

/// Which rows a history query reads.
pub struct HistoryQuery {
    pub site_id: Uuid,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub step_seconds: u32,
    pub peer_site_id: Option<Uuid>,
    pub link: Option<String>,
}

#[derive(sqlx::FromRow)]
struct PointRow {
    peer_site_id: Uuid,
    link: String,
    bucket: DateTime<Utc>,
    samples: i64,
    up_samples: i64,
    rtt: Option<f64>,
    jitter: Option<f64>,
    loss: Option<f64>,
}

/// Per path, the samples between `from` and `to` in intervals of `step_seconds`. Folded
/// (hourly) rows are read only when the step is a whole number of hours, so that no interval
/// mixes a part of an hour with a whole one.
pub async fn history(ex: impl PgExecutor<'_>, q: &HistoryQuery) -> Result<Vec<PathSeries>, sqlx::Error> {
    let resolutions: Vec<i32> = if q.step_seconds.is_multiple_of(FOLDED_SECONDS) {
        vec![SAMPLE_SECONDS as i32, FOLDED_SECONDS as i32]
    } else {
        vec![SAMPLE_SECONDS as i32]
    };
    let mut b = QueryBuilder::new("SELECT peer_site_id, link, date_bin(make_interval(secs => ");
    b.push_bind(f64::from(q.step_seconds))
        .push("), at, ")
        .push_bind(q.from)
        .push(
            ") AS bucket, sum(samples)::bigint AS samples, sum(up_samples)::bigint AS up_samples, \
             sum(rtt_ms_sum) / nullif(sum(rtt_samples), 0) AS rtt, \
             sum(jitter_ms_sum) / nullif(sum(jitter_samples), 0) AS jitter, \
             sum(loss_percent_sum) / nullif(sum(loss_samples), 0) AS loss \
             FROM path_samples WHERE site_id = ",
        )
        .push_bind(q.site_id)
        .push(" AND at >= ")
        .push_bind(q.from)
        .push(" AND at < ")
        .push_bind(q.to)
        .push(" AND resolution_seconds = ANY(")
        .push_bind(resolutions)
        .push(")");
    if let Some(peer) = q.peer_site_id {
        b.push(" AND peer_site_id = ").push_bind(peer);
    }
    if let Some(link) = &q.link {
        b.push(" AND link = ").push_bind(link.clone());
    }
    b.push(" GROUP BY peer_site_id, link, bucket ORDER BY peer_site_id, link, bucket");
    let rows: Vec<PointRow> = b.build_query_as().fetch_all(ex).await?;
    let mut series: Vec<PathSeries> = Vec::new();
    for r in rows {
        let point = PathPoint {
            at: r.bucket,
            rtt_ms: r.rtt,
            jitter_ms: r.jitter,
            loss_percent: r.loss,
            up_ratio: if r.samples > 0 { r.up_samples as f64 / r.samples as f64 } else { 0.0 },
            samples: u32::try_from(r.samples).unwrap_or(u32::MAX),
        };
        match series.last_mut() {
            Some(s) if s.peer_site_id == r.peer_site_id && s.link == r.link => s.points.push(point),
            _ => series.push(PathSeries { peer_site_id: r.peer_site_id, link: r.link, points: vec![point] }),
        }
    }
    Ok(series)
}

/// Keeps the path changes of one report, in their order.
pub async fn insert_events(
    ex: impl PgExecutor<'_>,
    tenant_id: Uuid,
    site_id: Uuid,
    events: &[FailoverEvent],
) -> Result<(), sqlx::Error> {
    if events.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = events.iter().map(|_| Uuid::now_v7()).collect();
    let peer: Vec<Uuid> = events.iter().map(|e| e.peer_site_id).collect();
    let policy: Vec<Option<String>> = events.iter().map(|e| e.policy.clone()).collect();
    let from: Vec<Option<String>> = events.iter().map(|e| e.from_link.clone()).collect();
    let to: Vec<Option<String>> = events.iter().map(|e| e.to_link.clone()).collect();
    let from_endpoint: Vec<Option<String>> = events.iter().map(|e| e.from_endpoint.clone()).collect();
    let to_endpoint: Vec<Option<String>> = events.iter().map(|e| e.to_endpoint.clone()).collect();
    let reason: Vec<&str> = events.iter().map(|e| e.reason.as_str()).collect();
    let at: Vec<DateTime<Utc>> = events.iter().map(|e| e.at).collect();
    sqlx::query(
        "INSERT INTO failover_events (id, tenant_id, site_id, peer_site_id, policy, from_link, to_link, \
         from_endpoint, to_endpoint, reason, at) \
         SELECT id, $2, $3, peer, policy, from_link, to_link, from_endpoint, to_endpoint, reason, at \
         FROM unnest($1::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[], \
                     $10::text[], $11::text[]) \
              AS e(id, peer, policy, from_link, to_link, reason, at, from_endpoint, to_endpoint)",
    )
    .bind(ids)
    .bind(tenant_id)
    .bind(site_id)
    .bind(peer)
    .bind(policy)
    .bind(from)
    .bind(to)
    .bind(reason)
    .bind(at)
    .bind(from_endpoint)
    .bind(to_endpoint)
    .execute(ex)
    .await?;
    Ok(())
}

#[derive(Debug, sqlx::FromRow)]
pub struct EventRow {
    pub id: Uuid,
    pub site_id: Uuid,
    pub peer_site_id: Uuid,
    pub policy: Option<String>,
    pub from_link: Option<String>,
    pub to_link: Option<String>,
    pub from_endpoint: Option<String>,
    pub to_endpoint: Option<String>,
    pub reason: String,
    pub at: DateTime<Utc>,
}

impl EventRow {
    pub fn to_api(&self) -> FailoverEventRecord {
        FailoverEventRecord {
            id: self.id,
            site_id: self.site_id,
            peer_site_id: self.peer_site_id,
            policy: self.policy.clone(),
            from_link: self.from_link.clone(),
            to_link: self.to_link.clone(),
            from_endpoint: self.from_endpoint.clone(),
            to_endpoint: self.to_endpoint.clone(),
            reason: match self.reason.as_str() {
                "sla" => FailoverReason::Sla,
                "better" => FailoverReason::Better,
                _ => FailoverReason::PathDown,
            },
            at: self.at,
        }
    }
}

#[derive(Default)]
pub struct EventFilter {
    pub peer_site_id: Option<Uuid>,
    pub policy: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// A page of a site's path changes, in the order the server received them.
pub async fn list_events(
    ex: impl PgExecutor<'_>,
    site_id: Uuid,
    filter: &EventFilter,
    page: &PageRequest,
) -> Result<Vec<EventRow>, sqlx::Error> {
    let mut b = QueryBuilder::new(
        "SELECT id, site_id, peer_site_id, policy, from_link, to_link, from_endpoint, to_endpoint, reason, at \
         FROM failover_events WHERE site_id = ",
    );
    b.push_bind(site_id);
    if let Some(peer) = filter.peer_site_id {
        b.push(" AND peer_site_id = ").push_bind(peer);
    }
    if let Some(policy) = &filter.policy {
        b.push(" AND policy = ").push_bind(policy.clone());
    }
    if let Some(since) = filter.since {
        b.push(" AND at >= ").push_bind(since);
    }
    if let Some(until) = filter.until {
        b.push(" AND at < ").push_bind(until);
    }
    page.push_to(&mut b);
    b.build_query_as().fetch_all(ex).await
}

/// The tenant's newest path changes, newest first (by the order the server received them).
pub async fn recent_events(ex: impl PgExecutor<'_>, limit: i64) -> Result<Vec<EventRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, site_id, peer_site_id, policy, from_link, to_link, from_endpoint, to_endpoint, reason, at \
         FROM failover_events ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(ex)
    .await
}
