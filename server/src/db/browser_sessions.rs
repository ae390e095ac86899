//! Browser sessions: the cookie's secret is stored as SHA-256 and found through the
//! `credential_lookup` policy, like an API token.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

/// A live session with its user, as authentication needs it.
#[derive(sqlx::FromRow)]
pub struct SessionRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub user_id: Uuid,
    pub csrf_token: String,
    pub method: String,
    pub expires_at: DateTime<Utc>,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert(
    ex: impl PgExecutor<'_>,
    tenant_id: Uuid,
    user_id: Uuid,
    session_hash: &[u8],
    csrf_token: &str,
    method: &str,
    expires_at: DateTime<Utc>,
) -> Result<SessionRow, sqlx::Error> {
    sqlx::query_as(
        "INSERT INTO browser_sessions (id, tenant_id, user_id, session_hash, csrf_token, method, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, tenant_id, user_id, csrf_token, method, expires_at",
    )
    .bind(Uuid::now_v7())
    .bind(tenant_id)
    .bind(user_id)
    .bind(session_hash)
    .bind(csrf_token)
    .bind(method)
    .bind(expires_at)
    .fetch_one(ex)
    .await
}

/// The unexpired session of this secret, seen through the `credential_lookup` policy.
pub async fn by_hash(ex: impl PgExecutor<'_>, session_hash: &[u8]) -> Result<Option<SessionRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, tenant_id, user_id, csrf_token, method, expires_at FROM browser_sessions \
         WHERE session_hash = $1 AND expires_at > now()",
    )
    .bind(session_hash)
    .fetch_optional(ex)
    .await
}

pub async fn delete(ex: impl PgExecutor<'_>, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM browser_sessions WHERE id = $1").bind(id).execute(ex).await?;
    Ok(())
}

/// Ends every session of a user (their access was taken away).
pub async fn delete_for_user(ex: impl PgExecutor<'_>, user_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM browser_sessions WHERE user_id = $1").bind(user_id).execute(ex).await?;
    Ok(())
}
