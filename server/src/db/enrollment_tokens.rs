//! Enrollment tokens: one-time (or n-time) secrets bound to a site, exchanged by an agent for its
//! credential.

use chrono::{DateTime, Utc};
use patronus_api::EnrollmentToken;
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::pagination::PageRequest;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EnrollmentTokenRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub site_id: Uuid,
    pub description: String,
    pub prefix: String,
    pub uses_total: i32,
    pub uses_remaining: i32,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

impl EnrollmentTokenRow {
    pub fn to_api(&self) -> EnrollmentToken {
        EnrollmentToken {
            id: self.id,
            site_id: self.site_id,
            description: self.description.clone(),
            prefix: self.prefix.clone(),
            uses_total: u32::try_from(self.uses_total).unwrap_or_default(),
            uses_remaining: u32::try_from(self.uses_remaining).unwrap_or_default(),
            expires_at: self.expires_at,
            created_at: self.created_at,
        }
    }
}

const COLUMNS: &str = "id, tenant_id, site_id, description, prefix, uses_total, uses_remaining, expires_at, created_at";

pub struct NewEnrollmentTokenRow<'a> {
    pub tenant_id: Uuid,
    pub site_id: Uuid,
    pub description: &'a str,
    pub hash: &'a [u8],
    pub prefix: &'a str,
    pub uses: i32,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert(
    ex: impl PgExecutor<'_>,
    new: &NewEnrollmentTokenRow<'_>,
) -> Result<EnrollmentTokenRow, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO enrollment_tokens (id, tenant_id, site_id, description, token_hash, prefix, uses_total, uses_remaining, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) RETURNING {COLUMNS}"
    ))
    .bind(Uuid::now_v7())
    .bind(new.tenant_id)
    .bind(new.site_id)
    .bind(new.description)
    .bind(new.hash)
    .bind(new.prefix)
    .bind(new.uses)
    .bind(new.expires_at)
    .fetch_one(ex)
    .await
}

pub async fn get(ex: impl PgExecutor<'_>, site_id: Uuid, id: Uuid) -> Result<Option<EnrollmentTokenRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM enrollment_tokens WHERE id = $1 AND site_id = $2"))
        .bind(id)
        .bind(site_id)
        .fetch_optional(ex)
        .await
}

pub async fn list(
    ex: impl PgExecutor<'_>,
    site_id: Uuid,
    page: &PageRequest,
) -> Result<Vec<EnrollmentTokenRow>, sqlx::Error> {
    let mut q = sqlx::QueryBuilder::new(format!("SELECT {COLUMNS} FROM enrollment_tokens WHERE site_id = "));
    q.push_bind(site_id);
    page.push_to(&mut q);
    q.build_query_as().fetch_all(ex).await
}

/// Finds the token a secret belongs to; needs a `credential_tx` for that secret.
pub async fn by_hash(ex: impl PgExecutor<'_>, hash: &[u8]) -> Result<Option<EnrollmentTokenRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM enrollment_tokens WHERE token_hash = $1"))
        .bind(hash)
        .fetch_optional(ex)
        .await
}

/// Spends one use of a live token; `false` when it has expired or has no use left.
pub async fn spend(ex: impl PgExecutor<'_>, id: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE enrollment_tokens SET uses_remaining = uses_remaining - 1 \
         WHERE id = $1 AND uses_remaining > 0 AND expires_at > now()",
    )
    .bind(id)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete(ex: impl PgExecutor<'_>, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM enrollment_tokens WHERE id = $1").bind(id).execute(ex).await?;
    Ok(())
}
