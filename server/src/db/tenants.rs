use chrono::{DateTime, Utc};
use patronus_api::{Quotas, Tenant};
use sqlx::{PgExecutor, QueryBuilder};
use uuid::Uuid;

use crate::pagination::PageRequest;
use crate::resource::etag;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TenantRow {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub max_users: i32,
    pub max_api_tokens: i32,
    pub max_sites: i32,
    /// The network configuration revision.
    pub revision: i64,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TenantRow {
    pub fn etag(&self) -> String {
        etag(self.version)
    }

    pub fn quotas(&self) -> Quotas {
        Quotas { max_users: self.max_users, max_api_tokens: self.max_api_tokens, max_sites: self.max_sites }
    }

    pub fn to_api(&self) -> Tenant {
        Tenant {
            id: self.id,
            name: self.name.clone(),
            slug: self.slug.clone(),
            quotas: self.quotas(),
            created_at: self.created_at,
            updated_at: self.updated_at,
            etag: self.etag(),
        }
    }
}

const COLUMNS: &str = "id, name, slug, max_users, max_api_tokens, max_sites, revision, version, created_at, updated_at";

pub async fn insert(ex: impl PgExecutor<'_>, name: &str, slug: &str, quotas: Quotas) -> Result<TenantRow, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO tenants (id, name, slug, max_users, max_api_tokens, max_sites) VALUES ($1, $2, $3, $4, $5, $6) \
         RETURNING {COLUMNS}"
    ))
    .bind(Uuid::now_v7())
    .bind(name)
    .bind(slug)
    .bind(quotas.max_users)
    .bind(quotas.max_api_tokens)
    .bind(quotas.max_sites)
    .fetch_one(ex)
    .await
}

pub async fn get(ex: impl PgExecutor<'_>, id: Uuid) -> Result<Option<TenantRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM tenants WHERE id = $1")).bind(id).fetch_optional(ex).await
}

/// Reads and locks a tenant row: writes that check a quota serialise on it.
pub async fn lock(ex: impl PgExecutor<'_>, id: Uuid) -> Result<Option<TenantRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM tenants WHERE id = $1 FOR UPDATE")).bind(id).fetch_optional(ex).await
}

pub async fn by_slug(ex: impl PgExecutor<'_>, slug: &str) -> Result<Option<TenantRow>, sqlx::Error> {
    // No slug holds a NUL, and PostgreSQL would refuse the query.
    if slug.contains('\0') {
        return Ok(None);
    }
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM tenants WHERE slug = $1")).bind(slug).fetch_optional(ex).await
}

pub struct TenantFilter {
    pub name: Option<String>,
    pub slug: Option<String>,
}

pub async fn list(
    ex: impl PgExecutor<'_>,
    filter: &TenantFilter,
    page: &PageRequest,
) -> Result<Vec<TenantRow>, sqlx::Error> {
    let mut q = QueryBuilder::new(format!("SELECT {COLUMNS} FROM tenants WHERE true"));
    if let Some(name) = &filter.name {
        q.push(" AND name = ").push_bind(name.clone());
    }
    if let Some(slug) = &filter.slug {
        q.push(" AND slug = ").push_bind(slug.clone());
    }
    page.push_to(&mut q);
    q.build_query_as().fetch_all(ex).await
}

/// Writes a tenant's new values and moves its version on.
pub async fn update(ex: impl PgExecutor<'_>, row: &TenantRow) -> Result<TenantRow, sqlx::Error> {
    sqlx::query_as(&format!(
        "UPDATE tenants SET name = $2, slug = $3, max_users = $4, max_api_tokens = $5, max_sites = $6, \
         version = version + 1, updated_at = now() WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(row.id)
    .bind(&row.name)
    .bind(&row.slug)
    .bind(row.max_users)
    .bind(row.max_api_tokens)
    .bind(row.max_sites)
    .fetch_one(ex)
    .await
}

pub async fn delete(ex: impl PgExecutor<'_>, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM tenants WHERE id = $1").bind(id).execute(ex).await?;
    Ok(())
}

crate::stored!(TenantRow, crate::resource::Kind::Tenant, "/v1/tenants", patronus_api::Tenant, TenantFilter);
