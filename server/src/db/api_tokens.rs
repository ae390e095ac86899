use chrono::{DateTime, Utc};
use patronus_api::{ApiToken, Role};
use sqlx::{PgExecutor, QueryBuilder};
use uuid::Uuid;

use crate::pagination::PageRequest;
use crate::resource::etag;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiTokenRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    pub role: String,
    pub prefix: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ApiTokenRow {
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Viewer)
    }

    pub fn etag(&self) -> String {
        etag(self.version)
    }

    pub fn to_api(&self) -> ApiToken {
        ApiToken {
            id: self.id,
            name: self.name.clone(),
            role: self.role(),
            prefix: self.prefix.clone(),
            expires_at: self.expires_at,
            last_used_at: self.last_used_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
            etag: self.etag(),
        }
    }
}

const COLUMNS: &str = "id, tenant_id, name, role, prefix, expires_at, last_used_at, version, created_at, updated_at";

pub struct NewApiTokenRow<'a> {
    pub tenant_id: Uuid,
    pub name: &'a str,
    pub role: Role,
    pub hash: &'a [u8],
    pub prefix: &'a str,
    pub expires_at: Option<DateTime<Utc>>,
}

pub async fn insert(ex: impl PgExecutor<'_>, new: &NewApiTokenRow<'_>) -> Result<ApiTokenRow, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO api_tokens (id, tenant_id, name, role, token_hash, prefix, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
    ))
    .bind(Uuid::now_v7())
    .bind(new.tenant_id)
    .bind(new.name)
    .bind(new.role.as_str())
    .bind(new.hash)
    .bind(new.prefix)
    .bind(new.expires_at)
    .fetch_one(ex)
    .await
}

pub async fn get(ex: impl PgExecutor<'_>, id: Uuid) -> Result<Option<ApiTokenRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM api_tokens WHERE id = $1")).bind(id).fetch_optional(ex).await
}

pub async fn lock(ex: impl PgExecutor<'_>, id: Uuid) -> Result<Option<ApiTokenRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM api_tokens WHERE id = $1 FOR UPDATE"))
        .bind(id)
        .fetch_optional(ex)
        .await
}

/// The token whose secret hashes to `hash`, in one statement outside any transaction (see the
/// `api_token_by_credential` migration): `ex` may be the pool.
pub async fn by_hash(ex: impl PgExecutor<'_>, hash: &[u8]) -> Result<Option<ApiTokenRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM api_token_by_credential($1)")).bind(hash).fetch_optional(ex).await
}

/// Records use, at most once a minute per token so that reads do not each cost a write.
pub async fn touch(ex: impl PgExecutor<'_>, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE api_tokens SET last_used_at = now() WHERE id = $1 \
         AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')",
    )
    .bind(id)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn count(ex: impl PgExecutor<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM api_tokens").fetch_one(ex).await
}

pub struct ApiTokenFilter {
    pub name: Option<String>,
}

pub async fn list(
    ex: impl PgExecutor<'_>,
    filter: &ApiTokenFilter,
    page: &PageRequest,
) -> Result<Vec<ApiTokenRow>, sqlx::Error> {
    let mut q = QueryBuilder::new(format!("SELECT {COLUMNS} FROM api_tokens WHERE true"));
    if let Some(name) = &filter.name {
        q.push(" AND name = ").push_bind(name.clone());
    }
    page.push_to(&mut q);
    q.build_query_as().fetch_all(ex).await
}

pub async fn rename(ex: impl PgExecutor<'_>, id: Uuid, name: &str) -> Result<ApiTokenRow, sqlx::Error> {
    sqlx::query_as(&format!(
        "UPDATE api_tokens SET name = $2, version = version + 1, updated_at = now() WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(name)
    .fetch_one(ex)
    .await
}

pub async fn delete(ex: impl PgExecutor<'_>, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM api_tokens WHERE id = $1").bind(id).execute(ex).await?;
    Ok(())
}

crate::stored!(ApiTokenRow, crate::resource::Kind::ApiToken, "/v1/api-tokens", patronus_api::ApiToken, ApiTokenFilter);
