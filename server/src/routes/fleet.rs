//! The fleet overview: every site's health counted, the sites that need attention, and the newest
//! path changes, in one read (a portal or a dashboard would otherwise read each site's status).

use std::collections::BTreeMap;

use axum::http::HeaderMap;
use axum::response::Response;
use chrono::Utc;
use patronus_api::{FleetHealthCounts, FleetSite, FleetStatus, SiteHealth};

use crate::db;
use crate::error::ApiResult;
use crate::pipeline::Tenant;
use crate::routes::agent::ReportHealth;
use crate::routes::enrollment::site_health;

/// The most sites `attention` lists, and the most path changes `recent_failovers` does.
const MAX_ATTENTION: usize = 100;
const MAX_FAILOVERS: i64 = 20;

fn severity(h: SiteHealth) -> u8 {
    match h {
        SiteHealth::Offline => 0,
        SiteHealth::Degraded => 1,
        SiteHealth::Unenrolled => 2,
        SiteHealth::Online => 3,
    }
}

/// The overview from every site's health row and the newest events, as of `now`.
pub fn summarise(
    rows: Vec<db::agents::SiteHealthRow>,
    events: Vec<db::path_health::EventRow>,
    now: chrono::DateTime<Utc>,
    silent: chrono::Duration,
) -> FleetStatus {
    let mut health = FleetHealthCounts::default();
    let mut attention = Vec::new();
    let mut names = BTreeMap::new();
    let sites = rows.len() as u64;
    for row in rows {
        let report = row.has_report.then_some(ReportHealth {
            last_error: row.last_error.as_deref(),
            applied_hash: row.applied_hash.as_deref(),
            applied_revision: row.applied_revision,
            bgp: row.bgp.as_ref().map(|b| &b.0),
        });
        let (h, reason) =
            site_health(row.enrolled.then_some((row.last_seen_at, report)), row.desired_hash.as_deref(), now, silent);
        match h {
            SiteHealth::Online => health.online += 1,
            SiteHealth::Degraded => health.degraded += 1,
            SiteHealth::Offline => health.offline += 1,
            SiteHealth::Unenrolled => health.unenrolled += 1,
        }
        if h != SiteHealth::Online {
            attention.push(FleetSite {
                site_id: row.site_id,
                name: row.name.clone(),
                health: h,
                reason,
                last_seen_at: row.last_seen_at,
            });
        }
        names.insert(row.site_id, row.name);
    }
    attention.sort_by(|a, b| severity(a.health).cmp(&severity(b.health)).then_with(|| a.name.cmp(&b.name)));
    attention.truncate(MAX_ATTENTION);
    let recent_failovers: Vec<_> = events.iter().map(|e| e.to_api()).collect();
    let site_names = recent_failovers
        .iter()
        .flat_map(|e| [e.site_id, e.peer_site_id])
        .filter_map(|id| names.get(&id).map(|n| (id, n.clone())))
        .collect();
    FleetStatus { sites, health, attention, recent_failovers, site_names }
}

#[utoipa::path(get, path = "/v1/fleet/status", tag = "fleet",
    params(("If-None-Match" = Option<String>, Header, description = "The ETag of an overview read earlier")),
    responses(
        (status = 200, description = "Every site's health counted, the sites that need attention and the newest \
            path changes; the ETag changes only when the answer does", body = FleetStatus),
        (status = 304, description = "The overview is still the one `If-None-Match` names")),
    security(("tenant_auth" = [])))]
pub async fn status(cx: Tenant, headers: HeaderMap) -> ApiResult<Response> {
    let mut tx = db::tenant_tx(&cx.app.pool, cx.tenant_id()).await?;
    let rows = db::agents::site_health_rows(&mut *tx).await?;
    let events = db::path_health::recent_events(&mut *tx, MAX_FAILOVERS).await?;
    db::end_read(tx);
    let overview = summarise(rows, events, Utc::now(), cx.app.settings.offline_after());
    crate::conditional::json(&headers, &overview)
}
