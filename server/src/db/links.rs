use chrono::{DateTime, Utc};
use patronus_api::{Link, LinkKind};
use sqlx::{PgExecutor, QueryBuilder};
use uuid::Uuid;

use crate::pagination::PageRequest;
use crate::resource::etag;

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct LinkRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub site_id: Uuid,
    pub name: String,
    pub interface: String,
    pub kind: String,
    pub endpoint: Option<String>,
    pub bandwidth_up_mbps: i64,
    pub bandwidth_down_mbps: i64,
    pub cost: i64,
    pub priority: i64,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn u32_of(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

impl LinkRow {
    pub fn kind(&self) -> LinkKind {
        LinkKind::parse(&self.kind).unwrap_or(LinkKind::Other)
    }

    pub fn etag(&self) -> String {
        etag(self.version)
    }

    pub fn to_api(&self) -> Link {
        Link {
            id: self.id,
            site_id: self.site_id,
            name: self.name.clone(),
            interface: self.interface.clone(),
            kind: self.kind(),
            endpoint: self.endpoint.clone(),
            bandwidth_up_mbps: u32_of(self.bandwidth_up_mbps),
            bandwidth_down_mbps: u32_of(self.bandwidth_down_mbps),
            cost: u32_of(self.cost),
            priority: u32_of(self.priority),
            created_at: self.created_at,
            updated_at: self.updated_at,
            etag: self.etag(),
        }
    }

    pub fn to_config(&self) -> patronus_api::ConfigLink {
        patronus_api::ConfigLink {
            name: self.name.clone(),
            interface: self.interface.clone(),
            kind: self.kind(),
            endpoint: self.endpoint.clone(),
            bandwidth_up_mbps: u32_of(self.bandwidth_up_mbps),
            bandwidth_down_mbps: u32_of(self.bandwidth_down_mbps),
            cost: u32_of(self.cost),
            priority: u32_of(self.priority),
        }
    }
}

pub const COLUMNS: &str =
    "id, tenant_id, site_id, name, interface, kind, endpoint, bandwidth_up_mbps, bandwidth_down_mbps, \
    cost, priority, version, created_at, updated_at";

pub async fn insert(ex: impl PgExecutor<'_>, row: &LinkRow) -> Result<LinkRow, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO links (id, tenant_id, site_id, name, interface, kind, endpoint, bandwidth_up_mbps, bandwidth_down_mbps, \
         cost, priority) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING {COLUMNS}"
    ))
    .bind(row.id)
    .bind(row.tenant_id)
    .bind(row.site_id)
    .bind(&row.name)
    .bind(&row.interface)
    .bind(&row.kind)
    .bind(&row.endpoint)
    .bind(row.bandwidth_up_mbps)
    .bind(row.bandwidth_down_mbps)
    .bind(row.cost)
    .bind(row.priority)
    .fetch_one(ex)
    .await
}

pub async fn get(ex: impl PgExecutor<'_>, id: Uuid) -> Result<Option<LinkRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM links WHERE id = $1")).bind(id).fetch_optional(ex).await
}

pub async fn lock(ex: impl PgExecutor<'_>, id: Uuid) -> Result<Option<LinkRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM links WHERE id = $1 FOR UPDATE")).bind(id).fetch_optional(ex).await
}

pub async fn all(ex: impl PgExecutor<'_>) -> Result<Vec<LinkRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM links ORDER BY site_id, name")).fetch_all(ex).await
}

pub async fn of_site(ex: impl PgExecutor<'_>, site_id: Uuid) -> Result<Vec<LinkRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM links WHERE site_id = $1 ORDER BY name"))
        .bind(site_id)
        .fetch_all(ex)
        .await
}

/// Whether any link of the tenant has this name (policies refer to links by name).
pub async fn name_exists(ex: impl PgExecutor<'_>, name: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM links WHERE name = $1)").bind(name).fetch_one(ex).await
}

#[derive(Default)]
pub struct LinkFilter {
    pub site_id: Option<Uuid>,
    pub name: Option<String>,
}

pub async fn list(
    ex: impl PgExecutor<'_>,
    filter: &LinkFilter,
    page: &PageRequest,
) -> Result<Vec<LinkRow>, sqlx::Error> {
    let mut q = QueryBuilder::new(format!("SELECT {COLUMNS} FROM links WHERE true"));
    if let Some(site_id) = filter.site_id {
        q.push(" AND site_id = ").push_bind(site_id);
    }
    if let Some(name) = &filter.name {
        q.push(" AND name = ").push_bind(name.clone());
    }
    page.push_to(&mut q);
    q.build_query_as().fetch_all(ex).await
}

pub async fn update(ex: impl PgExecutor<'_>, row: &LinkRow) -> Result<LinkRow, sqlx::Error> {
    sqlx::query_as(&format!(
        "UPDATE links SET name = $2, interface = $3, kind = $4, endpoint = $5, bandwidth_up_mbps = $6, \
         bandwidth_down_mbps = $7, cost = $8, priority = $9, version = version + 1, updated_at = now() \
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(row.id)
    .bind(&row.name)
    .bind(&row.interface)
    .bind(&row.kind)
    .bind(&row.endpoint)
    .bind(row.bandwidth_up_mbps)
    .bind(row.bandwidth_down_mbps)
    .bind(row.cost)
    .bind(row.priority)
    .fetch_one(ex)
    .await
}

pub async fn delete(ex: impl PgExecutor<'_>, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM links WHERE id = $1").bind(id).execute(ex).await?;
    Ok(())
}

crate::stored!(LinkRow, crate::resource::Kind::Link, Link, LinkFilter);
