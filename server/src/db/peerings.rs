use chrono::{DateTime, Utc};
use patronus_api::Peering;
use sqlx::{PgExecutor, QueryBuilder};
use uuid::Uuid;

use crate::pagination::PageRequest;
use crate::resource::etag;

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PeeringRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    pub site_low: Uuid,
    pub site_high: Uuid,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl PeeringRow {
    pub fn etag(&self) -> String {
        etag(self.version)
    }

    pub fn to_api(&self) -> Peering {
        Peering {
            id: self.id,
            name: self.name.clone(),
            site_a: self.site_low,
            site_b: self.site_high,
            created_at: self.created_at,
            updated_at: self.updated_at,
            etag: self.etag(),
        }
    }
}

const COLUMNS: &str = "id, tenant_id, name, site_low, site_high, version, created_at, updated_at";

pub async fn insert(
    ex: impl PgExecutor<'_>,
    tenant_id: Uuid,
    name: &str,
    a: Uuid,
    b: Uuid,
) -> Result<PeeringRow, sqlx::Error> {
    let (low, high) = if a < b { (a, b) } else { (b, a) };
    sqlx::query_as(&format!(
        "INSERT INTO peerings (id, tenant_id, name, site_low, site_high) VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}"
    ))
    .bind(Uuid::now_v7())
    .bind(tenant_id)
    .bind(name)
    .bind(low)
    .bind(high)
    .fetch_one(ex)
    .await
}

pub async fn get(ex: impl PgExecutor<'_>, id: Uuid) -> Result<Option<PeeringRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM peerings WHERE id = $1")).bind(id).fetch_optional(ex).await
}

pub async fn lock(ex: impl PgExecutor<'_>, id: Uuid) -> Result<Option<PeeringRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM peerings WHERE id = $1 FOR UPDATE"))
        .bind(id)
        .fetch_optional(ex)
        .await
}

pub async fn all_pairs(ex: impl PgExecutor<'_>) -> Result<Vec<(Uuid, Uuid)>, sqlx::Error> {
    sqlx::query_as("SELECT site_low, site_high FROM peerings ORDER BY site_low, site_high").fetch_all(ex).await
}

#[derive(Default)]
pub struct PeeringFilter {
    pub name: Option<String>,
    pub site_id: Option<Uuid>,
}

pub async fn list(
    ex: impl PgExecutor<'_>,
    filter: &PeeringFilter,
    page: &PageRequest,
) -> Result<Vec<PeeringRow>, sqlx::Error> {
    let mut q = QueryBuilder::new(format!("SELECT {COLUMNS} FROM peerings WHERE true"));
    if let Some(name) = &filter.name {
        q.push(" AND name = ").push_bind(name.clone());
    }
    if let Some(site) = filter.site_id {
        q.push(" AND (site_low = ").push_bind(site).push(" OR site_high = ").push_bind(site).push(")");
    }
    page.push_to(&mut q);
    q.build_query_as().fetch_all(ex).await
}

pub async fn rename(ex: impl PgExecutor<'_>, id: Uuid, name: &str) -> Result<PeeringRow, sqlx::Error> {
    sqlx::query_as(&format!(
        "UPDATE peerings SET name = $2, version = version + 1, updated_at = now() WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(name)
    .fetch_one(ex)
    .await
}

pub async fn delete(ex: impl PgExecutor<'_>, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM peerings WHERE id = $1").bind(id).execute(ex).await?;
    Ok(())
}

crate::stored!(PeeringRow, crate::resource::Kind::Peering, "/v1/peerings", patronus_api::Peering, PeeringFilter);
