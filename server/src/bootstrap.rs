//! First start: a platform-admin token, printed once.

use sqlx::PgPool;

use crate::auth::secrets::{self, SecretKind};
use crate::db;

/// Creates a platform token and returns its secret (the only time it exists in clear).
pub async fn create_platform_token(pool: &PgPool, name: &str) -> anyhow::Result<String> {
    let secret = secrets::generate(SecretKind::PlatformToken);
    db::platform_tokens::insert(pool, name, &secret.hash, &secret.display_prefix).await?;
    Ok(secret.value)
}

/// On a platform without any platform token, creates the first one.
pub async fn first_platform_token(pool: &PgPool) -> anyhow::Result<Option<String>> {
    if db::platform_tokens::count(pool).await? > 0 {
        return Ok(None);
    }
    create_platform_token(pool, "bootstrap").await.map(Some)
}
