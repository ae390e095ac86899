use chrono::{DateTime, Utc};
use patronus_api::{ConfigQosClass, QosClass};
use sqlx::{PgExecutor, QueryBuilder};
use uuid::Uuid;

use crate::pagination::PageRequest;
use crate::resource::etag;

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct QosClassRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    pub priority: i32,
    pub dscp: i32,
    pub guaranteed_percent: i32,
    pub max_percent: i32,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn u8_of(v: i32) -> u8 {
    u8::try_from(v).unwrap_or(u8::MAX)
}

impl QosClassRow {
    pub fn etag(&self) -> String {
        etag(self.version)
    }

    pub fn to_api(&self) -> QosClass {
        QosClass {
            id: self.id,
            name: self.name.clone(),
            priority: u8_of(self.priority),
            dscp: u8_of(self.dscp),
            guaranteed_percent: u8_of(self.guaranteed_percent),
            max_percent: u8_of(self.max_percent),
            created_at: self.created_at,
            updated_at: self.updated_at,
            etag: self.etag(),
        }
    }

    pub fn to_config(&self) -> ConfigQosClass {
        ConfigQosClass {
            name: self.name.clone(),
            priority: u8_of(self.priority),
            dscp: u8_of(self.dscp),
            guaranteed_percent: u8_of(self.guaranteed_percent),
            max_percent: u8_of(self.max_percent),
        }
    }
}

const COLUMNS: &str =
    "id, tenant_id, name, priority, dscp, guaranteed_percent, max_percent, version, created_at, updated_at";

pub async fn insert(ex: impl PgExecutor<'_>, row: &QosClassRow) -> Result<QosClassRow, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO qos_classes (id, tenant_id, name, priority, dscp, guaranteed_percent, max_percent) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
    ))
    .bind(row.id)
    .bind(row.tenant_id)
    .bind(&row.name)
    .bind(row.priority)
    .bind(row.dscp)
    .bind(row.guaranteed_percent)
    .bind(row.max_percent)
    .fetch_one(ex)
    .await
}

pub async fn get(ex: impl PgExecutor<'_>, id: Uuid) -> Result<Option<QosClassRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM qos_classes WHERE id = $1")).bind(id).fetch_optional(ex).await
}

pub async fn lock(ex: impl PgExecutor<'_>, id: Uuid) -> Result<Option<QosClassRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM qos_classes WHERE id = $1 FOR UPDATE"))
        .bind(id)
        .fetch_optional(ex)
        .await
}

pub async fn by_name(ex: impl PgExecutor<'_>, name: &str) -> Result<Option<QosClassRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM qos_classes WHERE name = $1")).bind(name).fetch_optional(ex).await
}

pub async fn all(ex: impl PgExecutor<'_>) -> Result<Vec<QosClassRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM qos_classes ORDER BY priority, name")).fetch_all(ex).await
}

/// The sum of guaranteed shares of every class but `except`.
pub async fn guaranteed_total_except(ex: impl PgExecutor<'_>, except: Uuid) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COALESCE(sum(guaranteed_percent), 0)::bigint FROM qos_classes WHERE id <> $1")
        .bind(except)
        .fetch_one(ex)
        .await
}

#[derive(Default)]
pub struct QosClassFilter {
    pub name: Option<String>,
}

pub async fn list(
    ex: impl PgExecutor<'_>,
    filter: &QosClassFilter,
    page: &PageRequest,
) -> Result<Vec<QosClassRow>, sqlx::Error> {
    let mut q = QueryBuilder::new(format!("SELECT {COLUMNS} FROM qos_classes WHERE true"));
    if let Some(name) = &filter.name {
        q.push(" AND name = ").push_bind(name.clone());
    }
    page.push_to(&mut q);
    q.build_query_as().fetch_all(ex).await
}

pub async fn update(ex: impl PgExecutor<'_>, row: &QosClassRow) -> Result<QosClassRow, sqlx::Error> {
    sqlx::query_as(&format!(
        "UPDATE qos_classes SET name = $2, priority = $3, dscp = $4, guaranteed_percent = $5, max_percent = $6, \
         version = version + 1, updated_at = now() WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(row.id)
    .bind(&row.name)
    .bind(row.priority)
    .bind(row.dscp)
    .bind(row.guaranteed_percent)
    .bind(row.max_percent)
    .fetch_one(ex)
    .await
}

pub async fn delete(ex: impl PgExecutor<'_>, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM qos_classes WHERE id = $1").bind(id).execute(ex).await?;
    Ok(())
}

crate::stored!(QosClassRow, crate::resource::Kind::QosClass, "/v1/qos-classes", patronus_api::QosClass, QosClassFilter);
