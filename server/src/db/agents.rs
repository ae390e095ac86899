//! Agents: the one enrolled agent of a site, its credential hash and its latest status report.

use chrono::{DateTime, Utc};
use patronus_api::{Agent, AgentStatusReport, ControlPlaneOutage, LinkState, WgKey, XdpGuardCounters};
use sqlx::types::Json as SqlJson;
use sqlx::PgExecutor;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AgentRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub site_id: Uuid,
    #[sqlx(try_from = "String")]
    pub public_key: WgKey,
    pub hostname: String,
    pub agent_version: String,
    pub enrolled_at: DateTime<Utc>,
    pub last_seen_at: Option<DateTime<Utc>>,
    pub report: Option<SqlJson<AgentStatusReport>>,
    pub health: String,
}

impl AgentRow {
    pub fn to_api(&self) -> Agent {
        Agent {
            id: self.id,
            site_id: self.site_id,
            public_key: self.public_key,
            hostname: self.hostname.clone(),
            agent_version: self.agent_version.clone(),
            enrolled_at: self.enrolled_at,
            last_seen_at: self.last_seen_at,
        }
    }
}

const COLUMNS: &str =
    "id, tenant_id, site_id, public_key, hostname, agent_version, enrolled_at, last_seen_at, report, health";

pub struct NewAgentRow<'a> {
    pub tenant_id: Uuid,
    pub site_id: Uuid,
    pub public_key: WgKey,
    pub hostname: &'a str,
    pub agent_version: &'a str,
    pub credential_hash: &'a [u8],
}

/// Enrolls an agent for its site, replacing the one enrolled before (whose credential thereby
/// stops working). Returns the new row and the replaced one.
pub async fn replace(
    conn: &mut sqlx::PgConnection,
    new: &NewAgentRow<'_>,
) -> Result<(AgentRow, Option<AgentRow>), sqlx::Error> {
    let old: Option<AgentRow> = sqlx::query_as(&format!("DELETE FROM agents WHERE site_id = $1 RETURNING {COLUMNS}"))
        .bind(new.site_id)
        .fetch_optional(&mut *conn)
        .await?;
    let row = sqlx::query_as(&format!(
        "INSERT INTO agents (id, tenant_id, site_id, public_key, hostname, agent_version, credential_hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
    ))
    .bind(Uuid::now_v7())
    .bind(new.tenant_id)
    .bind(new.site_id)
    .bind(new.public_key.to_string())
    .bind(new.hostname)
    .bind(new.agent_version)
    .bind(new.credential_hash)
    .fetch_one(&mut *conn)
    .await?;
    Ok((row, old))
}

pub async fn by_site(ex: impl PgExecutor<'_>, site_id: Uuid) -> Result<Option<AgentRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM agents WHERE site_id = $1")).bind(site_id).fetch_optional(ex).await
}

/// The agent whose credential hashes to `hash`, in one statement outside any transaction (see
/// the `agent_by_credential` migration): `ex` may be the pool.
pub async fn by_hash(ex: impl PgExecutor<'_>, hash: &[u8]) -> Result<Option<AgentRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM agent_by_credential($1)")).bind(hash).fetch_optional(ex).await
}

/// Public keys of the tenant's enrolled agents, by site.
pub async fn public_keys(ex: impl PgExecutor<'_>) -> Result<Vec<(Uuid, WgKey)>, sqlx::Error> {
    let rows: Vec<(Uuid, String)> = sqlx::query_as("SELECT site_id, public_key FROM agents").fetch_all(ex).await?;
    rows.into_iter()
        .map(|(site, key)| Ok((site, key.parse().map_err(|err| sqlx::Error::Decode(Box::new(err)))?)))
        .collect()
}

/// What an agent's previous status report said, as far as a new one needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PreviousStatus {
    pub health: String,
    pub uptime_seconds: Option<SqlJson<u64>>,
    /// The XDP guard's counters (cumulative since the agent started).
    pub xdp_guard: Option<SqlJson<XdpGuardCounters>>,
    /// The previous report's links, for the shaping counters' increments.
    links: Option<SqlJson<serde_json::Value>>,
}

impl PreviousStatus {
    /// The previous report's links; `None` when there were none or they no longer parse.
    pub fn links(&self) -> Option<Vec<LinkState>> {
        self.links.as_ref().and_then(|SqlJson(v)| serde_json::from_value(v.clone()).ok())
    }
}

/// Stores a status report and the health derived from it; returns the health it had before, and
/// what the report before said of uptime, the XDP guard's counters and the links (to count their
/// increase).
pub async fn record_status(
    ex: impl PgExecutor<'_>,
    id: Uuid,
    report: &AgentStatusReport,
    health: &str,
) -> Result<Option<PreviousStatus>, sqlx::Error> {
    let last_outage = report.control_plane_outages.last().map(SqlJson);
    sqlx::query_as(
        "UPDATE agents a SET report = $2, health = $3, last_seen_at = now(), \
         last_control_plane_outage = COALESCE($4, prev.last_control_plane_outage) \
         FROM (SELECT id, health, report, last_control_plane_outage FROM agents WHERE id = $1 FOR UPDATE) prev \
         WHERE a.id = prev.id \
         RETURNING prev.health, prev.report -> 'uptime_seconds' AS uptime_seconds, \
         prev.report -> 'xdp_guard' -> 'counters' AS xdp_guard, prev.report -> 'links' AS links",
    )
    .bind(id)
    .bind(SqlJson(report))
    .bind(health)
    .bind(last_outage)
    .fetch_optional(ex)
    .await
}

/// The last control-plane outage the site's agent reported, kept across its later reports.
pub async fn last_outage(ex: impl PgExecutor<'_>, site_id: Uuid) -> Result<Option<ControlPlaneOutage>, sqlx::Error> {
    let row: Option<(Option<SqlJson<ControlPlaneOutage>>,)> =
        sqlx::query_as("SELECT last_control_plane_outage FROM agents WHERE site_id = $1")
            .bind(site_id)
            .fetch_optional(ex)
            .await?;
    Ok(row.and_then(|(o,)| o).map(|o| o.0))
}

pub async fn delete(ex: impl PgExecutor<'_>, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM agents WHERE id = $1").bind(id).execute(ex).await?;
    Ok(())
}

/// Marks agents silent for longer than `silent_for` offline, across tenants; returns
/// (tenant, site, previous health) for each one that changed.
pub async fn mark_silent_offline(
    ex: impl PgExecutor<'_>,
    silent_for: std::time::Duration,
) -> Result<Vec<(Uuid, Uuid, String)>, sqlx::Error> {
    sqlx::query_as("SELECT tenant_id, site_id, previous FROM mark_silent_agents_offline(make_interval(secs => $1))")
        .bind(silent_for.as_secs_f64())
        .fetch_all(ex)
        .await
}

/// What decides a site's health, for every site of the tenant (the fleet overview): its agent's
/// last report time and the report's error and applied document, not the whole report.
#[derive(Debug, sqlx::FromRow)]
pub struct SiteHealthRow {
    pub site_id: Uuid,
    pub name: String,
    pub enrolled: bool,
    pub last_seen_at: Option<DateTime<Utc>>,
    pub has_report: bool,
    pub last_error: Option<String>,
    pub applied_hash: Option<String>,
    pub applied_revision: Option<i64>,
    /// The report's BGP part (a BGP error or a session's problem degrades the site).
    pub bgp: Option<sqlx::types::Json<patronus_api::BgpStatus>>,
    pub desired_hash: Option<String>,
}

pub async fn site_health_rows(ex: impl PgExecutor<'_>) -> Result<Vec<SiteHealthRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.id AS site_id, s.name, a.id IS NOT NULL AS enrolled, a.last_seen_at, \
                a.report IS NOT NULL AS has_report, a.report->>'last_error' AS last_error, \
                a.report->>'applied_hash' AS applied_hash, (a.report->>'applied_revision')::bigint AS applied_revision, \
                NULLIF(a.report->'bgp', 'null'::jsonb) AS bgp, c.hash AS desired_hash \
         FROM sites s LEFT JOIN agents a ON a.site_id = s.id LEFT JOIN site_configs c ON c.site_id = s.id",
    )
    .fetch_all(ex)
    .await
}
