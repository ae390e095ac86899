//! Routes a site's agent learned over BGP (`bgp_learned_routes`, migration 0010): the latest
//! report's routes, one row per (prefix, neighbour), with the server's decision for the prefix.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use ipnet::IpNet;
use patronus_api::{LearnedRoute, LearnedRouteReport, LearnedRouteState};
use sqlx::types::Json;
use sqlx::{PgExecutor, QueryBuilder};
use uuid::Uuid;

use crate::overlay_import::Decision;
use crate::pagination::PageRequest;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LearnedRouteRow {
    pub id: Uuid,
    pub site_id: Uuid,
    pub prefix: String,
    pub neighbor: String,
    pub as_path: String,
    pub communities: Json<Vec<String>>,
    pub local_preference: Option<i64>,
    pub med: Option<i64>,
    pub state: String,
    pub reason: Option<String>,
    pub conflicting_site_id: Option<Uuid>,
    pub learned_at: DateTime<Utc>,
}

pub fn state_name(state: LearnedRouteState) -> &'static str {
    match state {
        LearnedRouteState::Accepted => "accepted",
        LearnedRouteState::Refused => "refused",
        LearnedRouteState::NotImported => "not_imported",
    }
}

fn parse_state(s: &str) -> LearnedRouteState {
    match s {
        "accepted" => LearnedRouteState::Accepted,
        "refused" => LearnedRouteState::Refused,
        _ => LearnedRouteState::NotImported,
    }
}

impl LearnedRouteRow {
    pub fn state(&self) -> LearnedRouteState {
        parse_state(&self.state)
    }

    /// The row as the agent reported it, to tell an identical report.
    pub fn to_report(&self) -> Option<LearnedRouteReport> {
        Some(LearnedRouteReport {
            prefix: self.prefix.parse().ok()?,
            neighbor: self.neighbor.parse().ok()?,
            as_path: self.as_path.clone(),
            communities: self.communities.0.clone(),
            local_preference: self.local_preference.and_then(|v| u32::try_from(v).ok()),
            med: self.med.and_then(|v| u32::try_from(v).ok()),
        })
    }

    pub fn to_api(&self) -> Option<LearnedRoute> {
        let report = self.to_report()?;
        Some(LearnedRoute {
            prefix: report.prefix,
            neighbor: report.neighbor,
            as_path: report.as_path,
            communities: report.communities,
            local_preference: report.local_preference,
            med: report.med,
            state: self.state(),
            reason: self.reason.clone(),
            conflicting_site_id: self.conflicting_site_id,
            learned_at: self.learned_at,
        })
    }
}

const COLUMNS: &str = "id, site_id, prefix::text AS prefix, host(neighbor) AS neighbor, as_path, communities, \
    local_preference, med, state, reason, conflicting_site_id, learned_at";

/// Every route the site's agent reported last, in the order of (prefix, neighbour).
pub async fn of_site(ex: impl PgExecutor<'_>, site_id: Uuid) -> Result<Vec<LearnedRouteRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM bgp_learned_routes WHERE site_id = $1 ORDER BY prefix, neighbor"))
        .bind(site_id)
        .fetch_all(ex)
        .await
}

#[derive(serde::Serialize)]
struct Incoming<'a> {
    id: Uuid,
    prefix: String,
    neighbor: String,
    as_path: &'a str,
    communities: &'a [String],
    local_preference: Option<u32>,
    med: Option<u32>,
}

/// How many of the site's routes are in each state.
pub async fn counts(ex: impl PgExecutor<'_>, site_id: Uuid) -> Result<Vec<(LearnedRouteState, u64)>, sqlx::Error> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT state, count(*) FROM bgp_learned_routes WHERE site_id = $1 GROUP BY state")
            .bind(site_id)
            .fetch_all(ex)
            .await?;
    Ok(rows.into_iter().map(|(s, n)| (parse_state(&s), u64::try_from(n).unwrap_or_default())).collect())
}

/// Makes the site's stored routes the reported ones: new ones inserted (learned now, or when the
/// site first had the prefix from another neighbour, with `likely` as their state until [`set_decisions`] corrects it: the
/// state most of a table gets, so that a table without collisions is written once), the
/// attributes of the others updated, routes not in `routes` deleted. A route keeps its
/// `learned_at` while it stays reported.
pub async fn replace(
    conn: &mut sqlx::PgConnection,
    tenant_id: Uuid,
    site_id: Uuid,
    routes: &[LearnedRouteReport],
    likely: LearnedRouteState,
) -> Result<(), sqlx::Error> {
    let (prefixes, neighbors): (Vec<String>, Vec<String>) =
        routes.iter().map(|r| (r.prefix.to_string(), r.neighbor.to_string())).unzip();
    if !routes.is_empty() {
        let incoming: Vec<Incoming<'_>> = routes
            .iter()
            .zip(prefixes.iter().zip(&neighbors))
            .map(|(r, (prefix, neighbor))| Incoming {
                id: Uuid::now_v7(),
                prefix: prefix.clone(),
                neighbor: neighbor.clone(),
                as_path: &r.as_path,
                communities: &r.communities,
                local_preference: r.local_preference,
                med: r.med,
            })
            .collect();
        // Inserted before the withdrawn routes are deleted: a prefix another neighbour already
        // gave the site keeps the time the site first had it, even when that neighbour's route
        // goes in the same report, so a handover between neighbours costs no seniority.
        sqlx::query(
            "WITH had AS (SELECT prefix, min(learned_at) AS since FROM bgp_learned_routes WHERE site_id = $2 \
               GROUP BY prefix) \
             INSERT INTO bgp_learned_routes (id, tenant_id, site_id, prefix, neighbor, as_path, communities, \
               local_preference, med, state, learned_at) \
             SELECT i.id, $1, $2, i.prefix, i.neighbor, i.as_path, i.communities, i.local_preference, i.med, $4, \
               COALESCE(had.since, now()) \
             FROM jsonb_to_recordset($3) AS i(id uuid, prefix cidr, neighbor inet, as_path text, communities jsonb, \
               local_preference bigint, med bigint) LEFT JOIN had ON had.prefix = i.prefix \
             ON CONFLICT (site_id, prefix, neighbor) DO UPDATE SET as_path = EXCLUDED.as_path, \
               communities = EXCLUDED.communities, local_preference = EXCLUDED.local_preference, med = EXCLUDED.med \
             WHERE (bgp_learned_routes.as_path, bgp_learned_routes.communities, bgp_learned_routes.local_preference, \
               bgp_learned_routes.med) IS DISTINCT FROM \
               (EXCLUDED.as_path, EXCLUDED.communities, EXCLUDED.local_preference, EXCLUDED.med)",
        )
        .bind(tenant_id)
        .bind(site_id)
        .bind(Json(&incoming))
        .bind(state_name(likely))
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "DELETE FROM bgp_learned_routes WHERE site_id = $1 \
         AND (prefix, neighbor) NOT IN (SELECT * FROM unnest($2::cidr[], $3::inet[]))",
    )
    .bind(site_id)
    .bind(&prefixes)
    .bind(&neighbors)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Drops the routes the site's new BGP settings would not accept: those of neighbours it no
/// longer has, and all of a neighbour's when they are more than its new maximum (its session
/// closes at the limit, and a partial table is never kept).
pub async fn prune_to_settings(
    ex: impl PgExecutor<'_>,
    site_id: Uuid,
    neighbors: &[std::net::IpAddr],
    max_per_neighbor: i32,
) -> Result<(), sqlx::Error> {
    let neighbors: Vec<String> = neighbors.iter().map(ToString::to_string).collect();
    sqlx::query(
        "DELETE FROM bgp_learned_routes WHERE site_id = $1 AND (NOT (neighbor = ANY($2::inet[])) OR neighbor IN ( \
           SELECT neighbor FROM bgp_learned_routes WHERE site_id = $1 GROUP BY neighbor HAVING count(*) > $3))",
    )
    .bind(site_id)
    .bind(&neighbors)
    .bind(i64::from(max_per_neighbor))
    .execute(ex)
    .await?;
    Ok(())
}

/// One (site, prefix) of the tenant's learned routes: when it was first learned (by any
/// neighbour) and the decision its rows carry (`None` when they disagree, as right after a new
/// neighbour reported it).
#[derive(Debug, Clone)]
pub struct LearnedPrefix {
    pub site_id: Uuid,
    pub prefix: IpNet,
    pub learned_at: DateTime<Utc>,
    pub decision: Option<Decision>,
}

/// Every learned prefix of the tenant, one per (site, prefix).
pub async fn prefixes(ex: impl PgExecutor<'_>) -> Result<Vec<LearnedPrefix>, sqlx::Error> {
    type Row = (Uuid, String, DateTime<Utc>, String, Option<String>, Option<Uuid>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT site_id, prefix::text, learned_at, state, reason, conflicting_site_id FROM bgp_learned_routes",
    )
    .fetch_all(ex)
    .await?;
    let mut out: Vec<LearnedPrefix> = Vec::new();
    let mut at: HashMap<(Uuid, IpNet), usize> = HashMap::new();
    for (site_id, prefix, learned_at, state, reason, conflicting_site_id) in rows {
        let Ok(prefix) = prefix.parse::<IpNet>() else { continue };
        let decision = Decision { state: parse_state(&state), reason, conflicting_site_id };
        match at.get(&(site_id, prefix)) {
            Some(&i) => {
                let p = &mut out[i];
                p.learned_at = p.learned_at.min(learned_at);
                if p.decision.as_ref() != Some(&decision) {
                    p.decision = None;
                }
            }
            None => {
                at.insert((site_id, prefix), out.len());
                out.push(LearnedPrefix { site_id, prefix, learned_at, decision: Some(decision) });
            }
        }
    }
    Ok(out)
}

/// Stores the decisions for the given (site, prefix) pairs on all their rows.
pub async fn set_decisions(ex: impl PgExecutor<'_>, decided: &[(Uuid, IpNet, &Decision)]) -> Result<(), sqlx::Error> {
    if decided.is_empty() {
        return Ok(());
    }
    let sites: Vec<Uuid> = decided.iter().map(|d| d.0).collect();
    let prefixes: Vec<String> = decided.iter().map(|d| d.1.to_string()).collect();
    let states: Vec<&str> = decided.iter().map(|d| state_name(d.2.state)).collect();
    let reasons: Vec<Option<&str>> = decided.iter().map(|d| d.2.reason.as_deref()).collect();
    let conflicting: Vec<Option<Uuid>> = decided.iter().map(|d| d.2.conflicting_site_id).collect();
    sqlx::query(
        "UPDATE bgp_learned_routes r SET state = d.state, reason = d.reason, conflicting_site_id = d.conflicting \
         FROM unnest($1::uuid[], $2::cidr[], $3::text[], $4::text[], $5::uuid[]) AS d(site_id, prefix, state, reason, conflicting) \
         WHERE r.site_id = d.site_id AND r.prefix = d.prefix",
    )
    .bind(&sites)
    .bind(&prefixes)
    .bind(&states)
    .bind(&reasons)
    .bind(&conflicting)
    .execute(ex)
    .await?;
    Ok(())
}

/// The accepted prefixes of every site that has some (for the compiler's loader), sorted.
pub async fn accepted(ex: impl PgExecutor<'_>) -> Result<HashMap<Uuid, Vec<IpNet>>, sqlx::Error> {
    let rows: Vec<(Uuid, String)> =
        sqlx::query_as("SELECT DISTINCT site_id, prefix::text FROM bgp_learned_routes WHERE state = 'accepted'")
            .fetch_all(ex)
            .await?;
    let mut out: HashMap<Uuid, Vec<IpNet>> = HashMap::new();
    for (site, prefix) in rows {
        if let Ok(p) = prefix.parse() {
            out.entry(site).or_default().push(p);
        }
    }
    Ok(out)
}

/// The accepted prefixes of one site.
pub async fn accepted_of_site(ex: impl PgExecutor<'_>, site_id: Uuid) -> Result<Vec<IpNet>, sqlx::Error> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT prefix::text FROM bgp_learned_routes WHERE site_id = $1 AND state = 'accepted'",
    )
    .bind(site_id)
    .fetch_all(ex)
    .await?;
    Ok(rows.iter().filter_map(|p| p.parse().ok()).collect())
}

#[derive(Debug, Default)]
pub struct LearnedRouteFilter {
    pub state: Option<LearnedRouteState>,
    pub neighbor: Option<std::net::IpAddr>,
    pub prefix: Option<IpNet>,
}

/// One page of the site's routes, in the order they were first reported.
pub async fn list(
    ex: impl PgExecutor<'_>,
    site_id: Uuid,
    filter: &LearnedRouteFilter,
    page: &PageRequest,
) -> Result<Vec<LearnedRouteRow>, sqlx::Error> {
    let mut q = QueryBuilder::new(format!("SELECT {COLUMNS} FROM bgp_learned_routes WHERE site_id = "));
    q.push_bind(site_id);
    if let Some(state) = filter.state {
        q.push(" AND state = ").push_bind(state_name(state));
    }
    if let Some(neighbor) = filter.neighbor {
        q.push(" AND neighbor = ").push_bind(neighbor.to_string()).push("::inet");
    }
    if let Some(prefix) = filter.prefix {
        q.push(" AND prefix = ").push_bind(prefix.to_string()).push("::cidr");
    }
    page.push_to(&mut q);
    q.build_query_as().fetch_all(ex).await
}
