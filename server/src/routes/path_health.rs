//! Path health as operators read it: a site's paths now (from its agent's latest report), their
//! history (one-minute samples for two days, hourly for 30), and the path changes the agent
//! reported.

use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use patronus_api::{FailoverEventRecord, Page, PathHealth, PathHistory, SitePaths};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::db;
use crate::db::path_health::{HistoryQuery, SAMPLE_SECONDS};
use crate::error::ApiResult;
use crate::extract::{PageParams, Path, Query};
use crate::pagination::PageRequest;
use crate::pipeline::Tenant;
use crate::routes::enrollment::site_exists;
use crate::validate::{self, Errors};

/// At most this many intervals per path in one history answer.
const MAX_POINTS: i64 = 1440;
/// How far back folded samples go.
const RETENTION_DAYS: i64 = 30;

#[utoipa::path(get, path = "/v1/sites/{id}/paths", tag = "paths",
    params(("id" = Uuid, Path),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the paths read earlier")),
    responses((status = 200, description = "Every path of the site as its agent last reported it, by peer then link; \
        empty before the first report; the ETag changes only when the answer does", body = SitePaths),
        (status = 304, description = "The paths are still the ones `If-None-Match` names")),
    security(("tenant_auth" = [])))]
pub async fn current(cx: Tenant, Path(site_id): Path<Uuid>, headers: HeaderMap) -> ApiResult<Response> {
    let mut tx = db::tenant_tx(&cx.app.pool, cx.tenant_id()).await?;
    site_exists(&mut tx, site_id).await?;
    let agent = db::agents::by_site(&mut *tx, site_id).await?;
    db::end_read(tx);
    let (reported_at, report) = match &agent {
        Some(a) => (a.last_seen_at, a.report.as_ref().map(|r| &r.0)),
        None => (None, None),
    };
    let mut paths: Vec<PathHealth> = report
        .into_iter()
        .flat_map(|r| &r.peers)
        .flat_map(|peer| {
            peer.paths.iter().map(move |p| PathHealth {
                peer_site_id: peer.site_id,
                link: p.link.clone(),
                endpoint: p.endpoint.clone(),
                up: p.up,
                active: p.active,
                rtt_ms: p.rtt_ms,
                jitter_ms: p.jitter_ms,
                loss_percent: p.loss_percent,
            })
        })
        .collect();
    paths.sort_by(|a, b| (a.peer_site_id, &a.link, &a.endpoint).cmp(&(b.peer_site_id, &b.link, &b.endpoint)));
    crate::conditional::json(&headers, &SitePaths { site_id, reported_at: report.and(reported_at), paths })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// Start (RFC 3339); one hour before `to` when absent.
    pub from: Option<DateTime<Utc>>,
    /// End, excluded (RFC 3339); now when absent.
    pub to: Option<DateTime<Utc>>,
    /// Interval length in seconds, a multiple of 60 up to 86400 (default 60). One-minute samples
    /// are kept for two days and hourly ones for 30 days: a step that is a multiple of 3600 reads
    /// both, a shorter one only the last two days. At most 1440 intervals.
    #[param(minimum = 60, maximum = 86400, multiple_of = 60)]
    pub step: Option<u32>,
    /// Only the paths to this peer.
    pub peer_site_id: Option<Uuid>,
    /// Only the paths over this local link.
    #[param(min_length = 1, max_length = 64, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub link: Option<String>,
}

#[utoipa::path(get, path = "/v1/sites/{id}/paths/history", tag = "paths", params(("id" = Uuid, Path), HistoryParams),
    responses((status = 200, description = "Per path, the mean RTT, jitter and loss and the share of time up in each \
        interval that has samples", body = PathHistory)),
    security(("tenant_auth" = [])))]
pub async fn history(
    cx: Tenant,
    Path(site_id): Path<Uuid>,
    Query(q): Query<HistoryParams>,
) -> ApiResult<axum::Json<PathHistory>> {
    let to = q.to.unwrap_or_else(Utc::now);
    let from = q.from.unwrap_or(to - Duration::hours(1));
    let step = q.step.unwrap_or(SAMPLE_SECONDS);
    let mut errors = Errors::new();
    if !(SAMPLE_SECONDS..=86_400).contains(&step) || !step.is_multiple_of(SAMPLE_SECONDS) {
        errors.add("/query/step", "must be a multiple of 60 between 60 and 86400");
    }
    if from >= to {
        errors.add("/query/from", "must be before `to`");
    } else if step > 0 && (to - from).num_seconds() / i64::from(step) > MAX_POINTS {
        errors.add(
            "/query/step",
            format!("gives more than {MAX_POINTS} intervals between `from` and `to`; use a longer step"),
        );
    }
    if from < Utc::now() - Duration::days(RETENTION_DAYS + 1) {
        errors.add("/query/from", format!("samples are kept for {RETENTION_DAYS} days"));
    }
    if let Some(link) = &q.link {
        if link.is_empty() {
            errors.add("/query/link", "must be 1 to 64 characters");
        }
        validate::text(&mut errors, "/query/link", link, 64);
    }
    errors.check()?;
    let mut tx = db::tenant_tx(&cx.app.pool, cx.tenant_id()).await?;
    site_exists(&mut tx, site_id).await?;
    let query = HistoryQuery { site_id, from, to, step_seconds: step, peer_site_id: q.peer_site_id, link: q.link };
    let series = db::path_health::history(&mut *tx, &query).await?;
    db::end_read(tx);
    Ok(axum::Json(PathHistory { site_id, from, to, step_seconds: step, series }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventParams {
    /// Only changes of the paths to this peer.
    pub peer_site_id: Option<Uuid>,
    /// Only changes of this policy's traffic.
    #[param(max_length = 100, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub policy: Option<String>,
    /// Changes at or after this time (RFC 3339).
    pub since: Option<DateTime<Utc>>,
    /// Changes before this time (RFC 3339).
    pub until: Option<DateTime<Utc>>,
}

#[utoipa::path(get, path = "/v1/sites/{id}/failover-events", tag = "paths",
    params(("id" = Uuid, Path), EventParams, PageParams),
    responses((status = 200, description = "A page of the path changes the site's agent reported (kept 30 days), \
        in the order the server received them", body = Page<FailoverEventRecord>)),
    security(("tenant_auth" = [])))]
pub async fn failover_events(
    cx: Tenant,
    Path(site_id): Path<Uuid>,
    Query(q): Query<EventParams>,
    page: PageRequest,
) -> ApiResult<axum::Json<Page<FailoverEventRecord>>> {
    if let Some(policy) = &q.policy {
        let mut errors = Errors::new();
        validate::text(&mut errors, "/query/policy", policy, 100);
        errors.check()?;
    }
    let mut tx = db::tenant_tx(&cx.app.pool, cx.tenant_id()).await?;
    site_exists(&mut tx, site_id).await?;
    let filter =
        db::path_health::EventFilter { peer_site_id: q.peer_site_id, policy: q.policy, since: q.since, until: q.until };
    let rows = db::path_health::list_events(&mut *tx, site_id, &filter, &page).await?;
    db::end_read(tx);
    Ok(axum::Json(page.finish(rows, |r| r.id, |r| r.to_api())))
}
