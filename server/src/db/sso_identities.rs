//! The provider identity (issuer, `sub`) each SSO user is bound to.

use sqlx::PgExecutor;
use uuid::Uuid;

/// The user bound to `subject` at `issuer_url`.
pub async fn user_for(ex: impl PgExecutor<'_>, issuer_url: &str, subject: &str) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar("SELECT user_id FROM sso_identities WHERE issuer_url = $1 AND subject = $2")
        .bind(issuer_url)
        .bind(subject)
        .fetch_optional(ex)
        .await
}

/// The issuer and subject `user_id` is bound to.
pub async fn of_user(ex: impl PgExecutor<'_>, user_id: Uuid) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT issuer_url, subject FROM sso_identities WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(ex)
        .await
}

/// Binds `user_id` to `subject` at `issuer_url`, replacing an earlier binding.
pub async fn bind(
    ex: impl PgExecutor<'_>,
    tenant_id: Uuid,
    user_id: Uuid,
    issuer_url: &str,
    subject: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sso_identities (user_id, tenant_id, issuer_url, subject) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id) DO UPDATE SET issuer_url = EXCLUDED.issuer_url, subject = EXCLUDED.subject, \
         created_at = now()",
    )
    .bind(user_id)
    .bind(tenant_id)
    .bind(issuer_url)
    .bind(subject)
    .execute(ex)
    .await?;
    Ok(())
}
