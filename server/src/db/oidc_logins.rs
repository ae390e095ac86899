//! Authorization requests in flight, spent once by the callback.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub struct OidcLoginRow {
    pub tenant_id: Uuid,
    pub nonce: String,
    pub pkce_verifier: String,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert(
    ex: impl PgExecutor<'_>,
    tenant_id: Uuid,
    state_hash: &[u8],
    nonce: &str,
    pkce_verifier: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO oidc_logins (state_hash, tenant_id, nonce, pkce_verifier, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(state_hash)
    .bind(tenant_id)
    .bind(nonce)
    .bind(pkce_verifier)
    .bind(expires_at)
    .execute(ex)
    .await?;
    Ok(())
}

/// The request of this state, seen through the `credential_lookup` policy (a `credential_tx`).
pub async fn by_hash(ex: impl PgExecutor<'_>, state_hash: &[u8]) -> Result<Option<OidcLoginRow>, sqlx::Error> {
    sqlx::query_as("SELECT tenant_id, nonce, pkce_verifier, expires_at FROM oidc_logins WHERE state_hash = $1")
        .bind(state_hash)
        .fetch_optional(ex)
        .await
}

/// Spends the request (once the transaction is in its tenant); false when another callback did.
pub async fn spend(ex: impl PgExecutor<'_>, state_hash: &[u8]) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM oidc_logins WHERE state_hash = $1").bind(state_hash).execute(ex).await?;
    Ok(done.rows_affected() == 1)
}
