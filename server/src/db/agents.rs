//! Agents: the one enrolled agent of a site, its credential hash and its latest status report.

use chrono::{DateTime, Utc};
use patronus_api::{Agent, AgentStatusReport, LinkState};
use sqlx::types::Json as SqlJson;
use sqlx::PgExecutor;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AgentRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub site_id: Uuid,
    pub public_key: String,
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
            public_key: self.public_key.clone(),
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
    pub public_key: &'a str,
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
    .bind(new.public_key)
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
pub async fn public_keys(ex: impl PgExecutor<'_>) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    sqlx::query_as("SELECT site_id, public_key FROM agents").fetch_all(ex).await
}

/// Stores a status report and the health derived from it; returns the health it had before.
/// What a status report replaced: the agent's previous health, and the links of its previous
/// report (for the shaping counters' increments; `None` when there was none or it no longer
/// parses).
pub struct PreviousStatus {
    pub health: String,
    pub links: Option<Vec<LinkState>>,
}

pub async fn record_status(
    ex: impl PgExecutor<'_>,
    id: Uuid,
    report: &AgentStatusReport,
    health: &str,
) -> Result<Option<PreviousStatus>, sqlx::Error> {
    let row: Option<(String, Option<SqlJson<serde_json::Value>>)> = sqlx::query_as(
        "UPDATE agents a SET report = $2, health = $3, last_seen_at = now() \
         FROM (SELECT id, health, report -> 'links' AS links FROM agents WHERE id = $1 FOR UPDATE) prev \
         WHERE a.id = prev.id RETURNING prev.health, prev.links",
    )
    .bind(id)
    .bind(SqlJson(report))
    .bind(health)
    .fetch_optional(ex)
    .await?;
    Ok(row.map(|(health, links)| PreviousStatus {
        health,
        links: links.and_then(|SqlJson(v)| serde_json::from_value(v).ok()),
    }))
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
