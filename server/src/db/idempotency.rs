use sqlx::PgExecutor;
use uuid::Uuid;

/// Keys older than this are forgotten and may be used again.
pub const RETENTION: &str = "24 hours";

#[derive(Debug, sqlx::FromRow)]
pub struct IdempotencyRow {
    pub request_hash: Vec<u8>,
    pub status: Option<i32>,
    pub response: Option<Vec<u8>>,
    pub headers: Option<serde_json::Value>,
}

/// Claims a key for a request: true when this call claimed it and the request should run, false
/// when the key is already in use (read it with `get`).
pub async fn claim(
    ex: impl PgExecutor<'_>,
    principal: &str,
    key: &str,
    tenant_id: Option<Uuid>,
    request_hash: &[u8],
) -> Result<bool, sqlx::Error> {
    // One statement: insert, or take over a record past retention, or else read the existing one.
    let claimed: Option<(bool,)> = sqlx::query_as(&format!(
        "INSERT INTO idempotency_keys AS k (principal, key, tenant_id, request_hash) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (principal, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, status = NULL, \
         response = NULL, headers = NULL, created_at = now() \
         WHERE k.created_at < now() - interval '{RETENTION}' RETURNING true"
    ))
    .bind(principal)
    .bind(key)
    .bind(tenant_id)
    .bind(request_hash)
    .fetch_optional(ex)
    .await?;
    Ok(claimed.is_some())
}

pub async fn get(ex: impl PgExecutor<'_>, principal: &str, key: &str) -> Result<Option<IdempotencyRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT request_hash, status, response, headers FROM idempotency_keys WHERE principal = $1 AND key = $2",
    )
    .bind(principal)
    .bind(key)
    .fetch_optional(ex)
    .await
}

pub async fn complete(
    ex: impl PgExecutor<'_>,
    principal: &str,
    key: &str,
    status: u16,
    response: &[u8],
    headers: &serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE idempotency_keys SET status = $3, response = $4, headers = $5 WHERE principal = $1 AND key = $2",
    )
    .bind(principal)
    .bind(key)
    .bind(i32::from(status))
    .bind(response)
    .bind(headers)
    .execute(ex)
    .await?;
    Ok(())
}

/// Releases a key whose request failed with a server error, so that a retry runs again.
pub async fn release(ex: impl PgExecutor<'_>, principal: &str, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM idempotency_keys WHERE principal = $1 AND key = $2 AND status IS NULL")
        .bind(principal)
        .bind(key)
        .execute(ex)
        .await?;
    Ok(())
}
