use chrono::{DateTime, Utc};
use patronus_api::PlatformToken;
use sqlx::PgExecutor;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PlatformTokenRow {
    pub id: Uuid,
    pub name: String,
    pub prefix: String,
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl PlatformTokenRow {
    pub fn to_api(&self) -> PlatformToken {
        PlatformToken {
            id: self.id,
            name: self.name.clone(),
            prefix: self.prefix.clone(),
            last_used_at: self.last_used_at,
            created_at: self.created_at,
        }
    }
}

const COLUMNS: &str = "id, name, prefix, last_used_at, created_at";

pub async fn insert(
    ex: impl PgExecutor<'_>,
    name: &str,
    hash: &[u8],
    prefix: &str,
) -> Result<PlatformTokenRow, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO platform_tokens (id, name, token_hash, prefix) VALUES ($1, $2, $3, $4) RETURNING {COLUMNS}"
    ))
    .bind(Uuid::now_v7())
    .bind(name)
    .bind(hash)
    .bind(prefix)
    .fetch_one(ex)
    .await
}

pub async fn count(ex: impl PgExecutor<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM platform_tokens").fetch_one(ex).await
}

pub async fn by_hash(ex: impl PgExecutor<'_>, hash: &[u8]) -> Result<Option<PlatformTokenRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM platform_tokens WHERE token_hash = $1"))
        .bind(hash)
        .fetch_optional(ex)
        .await
}

pub async fn touch(ex: impl PgExecutor<'_>, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE platform_tokens SET last_used_at = now() WHERE id = $1 \
         AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')",
    )
    .bind(id)
    .execute(ex)
    .await?;
    Ok(())
}
