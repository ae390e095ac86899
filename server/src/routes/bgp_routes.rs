//! Routes a site learned over BGP: the agent reports the whole set (`PUT /v1/agent/bgp/routes`),
//! operators read it with the server's decision for each (`GET /v1/sites/{id}/bgp/routes`).
//!
//! A report replaces the site's routes. It is checked on its own (canonical prefixes, each
//! (prefix, neighbour) once, AS paths and communities as FRR prints them (`AA:NN` or a
//! well-known name: more names than a route map may set, since a neighbour sends what it likes), at most
//! `BGP_MAX_REPORTED_ROUTES`) and against the site's BGP settings (each neighbour one of the
//! site's, at most `max_learned_prefixes` routes from each: the agent's FRR closes a session
//! that sends more, so a report over it means the agent runs other settings, and storing part
//! of it would be the silent partial table the limit exists to prevent). A site without BGP
//! settings has no routes: 409. An identical report changes nothing and takes no lock.
//!
//! Then, under the tenant's lock, every learned prefix of the tenant is decided again
//! (`overlay_import`), and the sites whose accepted prefixes moved are recompiled, which puts
//! them in (or takes them out of) the other sites' documents as the site's allowed IPs. That
//! change, and only that, moves the tenant's revision and is audited, with the agent as actor and
//! counts rather than prefixes.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::IpAddr;

use axum::extract::State;
use axum::http::HeaderMap;
use patronus_api::{
    LearnedRoute, LearnedRouteReport, LearnedRouteState, LearnedRoutesAnswer, LearnedRoutesReport, Page,
    BGP_MAX_REPORTED_ROUTES,
};
use serde::{Deserialize, Serialize};
use tracing::Instrument;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::app::AppState;
use crate::audit::Change;
use crate::auth::{AgentCaller, Principal};
use crate::config_sync::{commit_change, network_before, settle_learned, Touched};
use crate::db::{self, learned_routes::LearnedRouteRow};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, PageParams, Path, Query};
use crate::netaddr;
use crate::pagination::PageRequest;
use crate::pipeline::Tenant;
use crate::resource::Kind;
use crate::routes::enrollment::site_exists;
use crate::validate::Errors;

/// Largest report body: 100,000 routes of about 100 bytes each.
pub const MAX_REPORT_BYTES: usize = 16 * 1024 * 1024;
/// A report with more faulty routes than this gets only the first ones' errors.
const MAX_ROUTE_ERRORS: usize = 100;
const MAX_COMMUNITIES: usize = 32;
const MAX_AS_PATH: usize = 1000;
/// The well-known communities FRR shows by name in a route's community list (RFC 1997, 7999,
/// 8326, 8642 and their IANA registry), besides the `AA:NN` form.
const FRR_COMMUNITY_NAMES: [&str; 15] = [
    "internet",
    "graceful-shutdown",
    "accept-own",
    "route-filter-translated-v4",
    "route-filter-v4",
    "route-filter-translated-v6",
    "route-filter-v6",
    "llgr-stale",
    "no-llgr",
    "accept-own-nexthop",
    "blackhole",
    "no-export",
    "no-advertise",
    "local-AS",
    "no-peer",
];

#[utoipa::path(put, path = "/v1/agent/bgp/routes", tag = "agent", request_body = LearnedRoutesReport,
    responses(
        (status = 200, description = "Stored and decided: how many of the reported routes are in the overlay", body = LearnedRoutesAnswer),
        (status = 409, description = "The site has no BGP settings", body = patronus_api::Problem,
            content_type = "application/problem+json"),
        (status = 413, description = "The body exceeds 16 MiB", body = patronus_api::Problem,
            content_type = "application/problem+json")),
    security(("agent_auth" = [])))]
pub async fn report_routes(
    State(app): State<AppState>,
    caller: AgentCaller,
    headers: HeaderMap,
    Json(body): Json<LearnedRoutesReport>,
) -> ApiResult<axum::Json<LearnedRoutesAnswer>> {
    let agent = caller.agent;
    check_fields(&body.routes)?;

    // An agent resends its table when it is unsure the last one arrived: no lock for that.
    let mut tx = db::tenant_tx(&app.pool, agent.tenant_id).await?;
    let stored = db::learned_routes::of_site(&mut *tx, agent.site_id).await?;
    db::end_read(tx);
    if same_routes(&stored, &body.routes) {
        if stored.is_empty() {
            // Nothing stored says nothing of the settings: an empty report needs them too.
            let mut tx = db::tenant_tx(&app.pool, agent.tenant_id).await?;
            let settings = db::bgp::get(&mut *tx, agent.site_id).await?;
            db::end_read(tx);
            settings.ok_or_else(no_settings)?;
        }
        return Ok(axum::Json(Counts::of_rows(&stored).answer()));
    }

    let _turn = app.networks.write_turn(agent.tenant_id).await;
    let (mut tx, tenant) =
        db::tenant_write_tx(&app.pool, agent.tenant_id).await?.ok_or(ApiError::NotFound(Kind::Tenant))?;
    let settings = db::bgp::get(&mut *tx, agent.site_id).await?.ok_or_else(no_settings)?;
    check_against_settings(&body.routes, &settings)?;
    let before = network_before(&mut tx, &app, &tenant).await?;
    let counts_before = Counts::of(&db::learned_routes::counts(&mut *tx, agent.site_id).await?);
    let likely = if settings.overlay_import { LearnedRouteState::Accepted } else { LearnedRouteState::NotImported };
    db::learned_routes::replace(&mut tx, agent.tenant_id, agent.site_id, &body.routes, likely).await?;
    let moved = settle_learned(&mut tx, &before).await?;
    let counts = Counts::of(&db::learned_routes::counts(&mut *tx, agent.site_id).await?);
    let answer = counts.answer();
    if moved.is_empty() {
        // No document changes: the routes and their decisions are stored, nothing to announce.
        tx.commit().await?;
        return Ok(axum::Json(answer));
    }
    let summary =
        Summary { counts, other_sites_changed: moved.keys().filter(|&&s| s != agent.site_id).copied().collect() };
    let outcome = commit_change(&mut tx, agent.tenant_id, &before, Touched::Learned(moved))
        .instrument(tracing::info_span!("config_compile", tenant_id = %agent.tenant_id))
        .await?;
    let change = Change::updated(
        Kind::LearnedRoutes,
        agent.site_id,
        &Summary { counts: counts_before, other_sites_changed: Vec::new() },
        &summary,
    );
    let request_id = headers.get("x-request-id").and_then(|v| v.to_str().ok());
    crate::audit::record(&mut tx, &Principal::Agent(agent.clone()), Some(agent.tenant_id), request_id, change).await?;
    tx.commit().await?;
    app.metrics.write_committed(Kind::LearnedRoutes, "update");
    outcome.publish(&app).await;
    Ok(axum::Json(answer))
}

fn no_settings() -> ApiError {
    ApiError::Conflict {
        detail: "the site has no BGP settings, so it has no learned routes; an operator turns BGP on with \
                 PUT /v1/sites/{id}/bgp"
            .into(),
        pointer: None,
    }
}

/// What an audit event says of a site's learned routes: counts, not prefixes.
#[derive(Serialize)]
struct Summary {
    #[serde(flatten)]
    counts: Counts,
    /// Other sites whose accepted prefixes moved with this report (one lost or gained a prefix
    /// this site learned or withdrew).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    other_sites_changed: Vec<Uuid>,
}

#[derive(Serialize, Default)]
struct Counts {
    routes: u64,
    accepted: u64,
    refused: u64,
    not_imported: u64,
}

impl Counts {
    fn of(by_state: &[(LearnedRouteState, u64)]) -> Counts {
        let mut c = Counts::default();
        for &(state, n) in by_state {
            c.routes += n;
            match state {
                LearnedRouteState::Accepted => c.accepted += n,
                LearnedRouteState::Refused => c.refused += n,
                LearnedRouteState::NotImported => c.not_imported += n,
            }
        }
        c
    }

    fn of_rows(rows: &[LearnedRouteRow]) -> Counts {
        let states: Vec<(LearnedRouteState, u64)> = rows.iter().map(|r| (r.state(), 1)).collect();
        Counts::of(&states)
    }

    fn answer(&self) -> LearnedRoutesAnswer {
        LearnedRoutesAnswer { accepted: self.accepted, refused: self.refused, not_imported: self.not_imported }
    }
}

/// Whether the stored routes are exactly the reported ones (in any order).
fn same_routes(stored: &[LearnedRouteRow], reported: &[LearnedRouteReport]) -> bool {
    if stored.len() != reported.len() {
        return false;
    }
    let key = |r: &LearnedRouteReport| (r.prefix, r.neighbor);
    let stored: HashMap<(ipnet::IpNet, IpAddr), LearnedRouteReport> =
        stored.iter().filter_map(LearnedRouteRow::to_report).map(|r| (key(&r), r)).collect();
    stored.len() == reported.len() && reported.iter().all(|r| stored.get(&key(r)) == Some(r))
}

/// What a report must be whatever the site's settings.
fn check_fields(routes: &[LearnedRouteReport]) -> ApiResult<()> {
    let mut errors = Errors::new();
    if routes.len() > BGP_MAX_REPORTED_ROUTES {
        errors.add("/routes", format!("at most {BGP_MAX_REPORTED_ROUTES} routes"));
        return Ok(errors.check()?);
    }
    let mut seen: HashMap<(ipnet::IpNet, IpAddr), usize> = HashMap::with_capacity(routes.len());
    let mut faulty = 0;
    for (i, r) in routes.iter().enumerate() {
        let mut route_errors = Errors::new();
        let at = format!("/routes/{i}");
        netaddr::prefix(&mut route_errors, &format!("{at}/prefix"), r.prefix);
        if let Some(j) = seen.insert((r.prefix, r.neighbor), i) {
            route_errors.add(&at, format!("reports {} from {} again (also item {j})", r.prefix, r.neighbor));
        }
        if r.as_path.len() > MAX_AS_PATH {
            route_errors.add(&format!("{at}/as_path"), format!("must be at most {MAX_AS_PATH} characters"));
        } else if !r.as_path.bytes().all(|b| b.is_ascii_digit() || matches!(b, b' ' | b'{' | b'}' | b',')) {
            route_errors.add(&format!("{at}/as_path"), "must be ASNs separated by spaces, with AS sets in braces");
        }
        if r.communities.len() > MAX_COMMUNITIES {
            route_errors.add(&format!("{at}/communities"), format!("at most {MAX_COMMUNITIES} communities"));
        }
        for (k, c) in r.communities.iter().enumerate() {
            // A neighbour may send any well-known community, and FRR prints those by name.
            if !FRR_COMMUNITY_NAMES.contains(&c.as_str()) {
                super::bgp::community(&mut route_errors, &format!("{at}/communities/{k}"), c);
            }
        }
        if let Err(e) = route_errors.check() {
            faulty += 1;
            for f in e.0 {
                errors.add(&f.pointer, f.detail);
            }
            if faulty == MAX_ROUTE_ERRORS {
                break;
            }
        }
    }
    Ok(errors.check()?)
}

/// What a report must be for the site's settings: neighbours it has, and no more routes from
/// each than it accepts.
fn check_against_settings(routes: &[LearnedRouteReport], settings: &db::bgp::BgpRow) -> ApiResult<()> {
    let neighbors: HashSet<IpAddr> = settings.neighbors.0.iter().map(|n| n.address).collect();
    let max = settings.max_learned_prefixes();
    let mut errors = Errors::new();
    let mut per_neighbor: BTreeMap<IpAddr, u32> = BTreeMap::new();
    let mut faulty = 0;
    for (i, r) in routes.iter().enumerate() {
        *per_neighbor.entry(r.neighbor).or_default() += 1;
        if !neighbors.contains(&r.neighbor) && faulty < MAX_ROUTE_ERRORS {
            faulty += 1;
            errors.add(&format!("/routes/{i}/neighbor"), format!("{} is not a neighbour of the site", r.neighbor));
        }
    }
    for (neighbor, n) in per_neighbor {
        if n > max && neighbors.contains(&neighbor) {
            errors.add(
                "/routes",
                format!(
                    "{n} routes from {neighbor}, more than the site's max_learned_prefixes ({max}); the agent's BGP \
                     session should have stopped at the limit"
                ),
            );
        }
    }
    Ok(errors.check()?)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RouteListQuery {
    /// Only routes in this state.
    pub state: Option<LearnedRouteState>,
    /// Only routes learned from this neighbour (empty: any).
    #[param(value_type = Option<String>, format = "ip")]
    pub neighbor: Option<String>,
    /// Only routes for exactly this prefix, in canonical form (empty: any).
    #[param(value_type = Option<String>, format = "ip-prefix")]
    pub prefix: Option<String>,
}

#[utoipa::path(get, path = "/v1/sites/{id}/bgp/routes", tag = "bgp",
    params(("id" = Uuid, Path, description = "The site's id"), RouteListQuery, PageParams),
    responses((status = 200, description = "A page of the routes the site's agent learned, in the order they were \
        first reported, each with the server's decision", body = Page<LearnedRoute>)),
    security(("tenant_auth" = [])))]
pub async fn list_routes(
    cx: Tenant,
    Path(site_id): Path<Uuid>,
    Query(q): Query<RouteListQuery>,
    page: PageRequest,
) -> ApiResult<axum::Json<Page<LearnedRoute>>> {
    let mut errors = Errors::new();
    // Empty is no filter, as an empty cursor is the first page.
    let neighbor = q
        .neighbor
        .as_deref()
        .filter(|n| !n.is_empty())
        .and_then(|n| n.parse::<IpAddr>().map_err(|_| errors.add("/query/neighbor", "must be an IP address")).ok());
    let prefix = q.prefix.as_deref().filter(|p| !p.is_empty()).and_then(|p| match p.parse::<ipnet::IpNet>() {
        Ok(net) => netaddr::prefix(&mut errors, "/query/prefix", net),
        Err(_) => {
            errors.add("/query/prefix", "must be a prefix, e.g. 10.1.0.0/16");
            None
        }
    });
    errors.check()?;
    let filter = db::learned_routes::LearnedRouteFilter { state: q.state, neighbor, prefix };
    let mut tx = db::tenant_tx(&cx.app.pool, cx.tenant_id()).await?;
    site_exists(&mut tx, site_id).await?;
    let rows = db::learned_routes::list(&mut *tx, site_id, &filter, &page).await?;
    db::end_read(tx);
    let page = page.finish(rows, |r| r.id, |r| r.to_api());
    Ok(axum::Json(Page { items: page.items.into_iter().flatten().collect(), next_cursor: page.next_cursor }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(prefix: &str, neighbor: &str) -> LearnedRouteReport {
        LearnedRouteReport {
            prefix: prefix.parse().unwrap(),
            neighbor: neighbor.parse().unwrap(),
            as_path: "65010".into(),
            communities: Vec::new(),
            local_preference: None,
            med: None,
        }
    }

    fn pointers(result: ApiResult<()>) -> Vec<String> {
        match result {
            Err(ApiError::Validation(errors)) => errors.into_iter().map(|e| e.pointer).collect(),
            Err(other) => panic!("{other:?}"),
            Ok(()) => Vec::new(),
        }
    }

    #[test]
    fn a_report_is_checked_route_by_route() {
        let mut bad = route("10.9.0.0/16", "10.1.0.2");
        bad.as_path = "65010 x".into();
        bad.communities = vec!["65010:1".into(), "70000:1".into()];
        let routes = vec![
            route("10.9.0.1/16", "10.1.0.2"),
            bad,
            route("10.8.0.0/16", "10.1.0.2"),
            route("10.8.0.0/16", "10.1.0.2"),
        ];
        assert_eq!(
            pointers(check_fields(&routes)),
            ["/routes/0/prefix", "/routes/1/as_path", "/routes/1/communities/1", "/routes/3"]
        );
        // The same prefix from two neighbours; communities a neighbour may send, as FRR names them.
        let mut named = route("10.9.0.0/16", "10.1.0.3");
        named.communities = vec!["graceful-shutdown".into(), "blackhole".into(), "no-export".into(), "0:0".into()];
        assert!(pointers(check_fields(&[route("10.9.0.0/16", "10.1.0.2"), named])).is_empty());
    }

    #[test]
    fn a_report_with_many_faulty_routes_gets_the_first_ones_errors() {
        let routes: Vec<_> =
            (0..1000).map(|i| route(&format!("10.{}.{}.1/24", i / 256, i % 256), "10.1.0.2")).collect();
        assert_eq!(pointers(check_fields(&routes)).len(), MAX_ROUTE_ERRORS);
    }
}
