use chrono::{DateTime, Utc};
use rand::RngCore;
use sqlx::PgExecutor;

#[derive(sqlx::FromRow)]
pub struct SigningKeyRow {
    pub kid: String,
    pub secret: Vec<u8>,
    pub created_at: DateTime<Utc>,
}

/// Every key, oldest first.
pub async fn all(ex: impl PgExecutor<'_>) -> Result<Vec<SigningKeyRow>, sqlx::Error> {
    sqlx::query_as("SELECT kid, secret, created_at FROM signing_keys ORDER BY created_at, kid").fetch_all(ex).await
}

/// Adds a new random key, which becomes the signer.
pub async fn create(ex: impl PgExecutor<'_>) -> Result<SigningKeyRow, sqlx::Error> {
    let mut secret = vec![0u8; 32];
    rand::thread_rng().fill_bytes(&mut secret);
    let kid = format!("k{}", chrono::Utc::now().format("%Y%m%d%H%M%S%f"));
    sqlx::query_as(
        "INSERT INTO signing_keys (kid, secret, created_at) VALUES ($1, $2, clock_timestamp()) \
         RETURNING kid, secret, created_at",
    )
    .bind(kid)
    .bind(secret)
    .fetch_one(ex)
    .await
}
