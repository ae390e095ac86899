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

/// Claims a key for a request under `token`: true when this call claimed it and the request
/// should run, false when the key is in use (read it with `get`). A record past retention, or a
/// claim left unanswered for longer than `lease_secs` by the same request (its server died, or it
/// is stuck), is taken over.
pub async fn claim(
    ex: impl PgExecutor<'_>,
    principal: &str,
    key: &str,
    tenant_id: Option<Uuid>,
    request_hash: &[u8],
    token: Uuid,
    lease_secs: u64,
) -> Result<bool, sqlx::Error> {
    // One statement: insert, or take over, or else leave the existing record to be read.
    let claimed: Option<(bool,)> = sqlx::query_as(&format!(
        "INSERT INTO idempotency_keys AS k (principal, key, tenant_id, request_hash, claim_token) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (principal, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, status = NULL, \
         response = NULL, headers = NULL, created_at = now(), claim_token = EXCLUDED.claim_token, claimed_at = now() \
         WHERE k.created_at < now() - interval '{RETENTION}' \
            OR (k.status IS NULL AND k.request_hash = EXCLUDED.request_hash \
                AND k.claimed_at < now() - make_interval(secs => $6)) \
         RETURNING true"
    ))
    .bind(principal)
    .bind(key)
    .bind(tenant_id)
    .bind(request_hash)
    .bind(token)
    .bind(lease_secs as f64)
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

/// Keeps the answer of the request that holds the claim `token`: false when the claim is no longer
/// its own (a retry took it over after the lease). Called inside a write's transaction, so that a
/// committed write always has its answer kept, and again once the final answer is known.
pub async fn answer(
    ex: impl PgExecutor<'_>,
    principal: &str,
    key: &str,
    token: Uuid,
    status: u16,
    response: &[u8],
    headers: &serde_json::Value,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE idempotency_keys SET status = $4, response = $5, headers = $6 \
         WHERE principal = $1 AND key = $2 AND claim_token = $3",
    )
    .bind(principal)
    .bind(key)
    .bind(token)
    .bind(i32::from(status))
    .bind(response)
    .bind(headers)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Releases a claim whose request failed with a server error before any write kept an answer, so
/// that a retry runs again.
pub async fn release(ex: impl PgExecutor<'_>, principal: &str, key: &str, token: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DELETE FROM idempotency_keys WHERE principal = $1 AND key = $2 AND claim_token = $3 AND status IS NULL",
    )
    .bind(principal)
    .bind(key)
    .bind(token)
    .execute(ex)
    .await?;
    Ok(())
}
