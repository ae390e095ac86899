use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use patronus_api::{ConfigPolicy, Policy, PolicyAction, PolicyMatch};
use sqlx::types::Json;
use sqlx::{PgExecutor, QueryBuilder};
use uuid::Uuid;

use crate::pagination::PageRequest;
use crate::resource::etag;

/// A policy. Its QoS class is kept by id (so renaming the class carries over) and its name is
/// joined in when read; the stored `action` has no `qos_class`.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PolicyRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    pub priority: i64,
    pub matches: Json<PolicyMatch>,
    pub action: Json<PolicyAction>,
    pub qos_class_id: Option<Uuid>,
    pub qos_class_name: Option<String>,
    pub site_selector: Json<BTreeMap<String, String>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl PolicyRow {
    pub fn etag(&self) -> String {
        etag(self.version)
    }

    fn action(&self) -> PolicyAction {
        let mut action = self.action.0.clone();
        action.qos_class = self.qos_class_name.clone();
        action
    }

    pub fn to_api(&self) -> Policy {
        Policy {
            id: self.id,
            name: self.name.clone(),
            priority: u32::try_from(self.priority).unwrap_or(u32::MAX),
            matches: self.matches.0.clone(),
            action: self.action(),
            site_selector: self.site_selector.0.clone(),
            created_at: self.created_at,
            updated_at: self.updated_at,
            etag: self.etag(),
        }
    }

    pub fn to_config(&self) -> ConfigPolicy {
        ConfigPolicy {
            name: self.name.clone(),
            priority: u32::try_from(self.priority).unwrap_or(u32::MAX),
            matches: self.matches.0.clone(),
            action: self.action(),
        }
    }
}

const SELECT: &str = "SELECT p.id, p.tenant_id, p.name, p.priority, p.match AS matches, p.action, p.qos_class_id, \
    q.name AS qos_class_name, p.site_selector, p.version, p.created_at, p.updated_at \
    FROM policies p LEFT JOIN qos_classes q ON q.id = p.qos_class_id";

fn stored_action(row: &PolicyRow) -> Json<PolicyAction> {
    let mut action = row.action.0.clone();
    action.qos_class = None;
    Json(action)
}

pub async fn insert(conn: &mut sqlx::PgConnection, row: &PolicyRow) -> Result<PolicyRow, sqlx::Error> {
    sqlx::query(
        "INSERT INTO policies (id, tenant_id, name, priority, match, action, qos_class_id, site_selector) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(row.id)
    .bind(row.tenant_id)
    .bind(&row.name)
    .bind(row.priority)
    .bind(&row.matches)
    .bind(stored_action(row))
    .bind(row.qos_class_id)
    .bind(&row.site_selector)
    .execute(&mut *conn)
    .await?;
    get(&mut *conn, row.id).await?.ok_or(sqlx::Error::RowNotFound)
}

pub async fn get(ex: impl PgExecutor<'_>, id: Uuid) -> Result<Option<PolicyRow>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE p.id = $1")).bind(id).fetch_optional(ex).await
}

pub async fn lock(ex: impl PgExecutor<'_>, id: Uuid) -> Result<Option<PolicyRow>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE p.id = $1 FOR UPDATE OF p")).bind(id).fetch_optional(ex).await
}

pub async fn all(ex: impl PgExecutor<'_>) -> Result<Vec<PolicyRow>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} ORDER BY p.priority")).fetch_all(ex).await
}

/// Names of the policies that use a QoS class.
pub async fn names_using_qos_class(ex: impl PgExecutor<'_>, qos_class_id: Uuid) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT name FROM policies WHERE qos_class_id = $1 ORDER BY name")
        .bind(qos_class_id)
        .fetch_all(ex)
        .await
}

/// The names of the policies whose `match.application` is `name`.
pub async fn names_using_application(ex: impl PgExecutor<'_>, name: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT name FROM policies WHERE match->>'application' = $1 ORDER BY name")
        .bind(name)
        .fetch_all(ex)
        .await
}

#[derive(Default)]
pub struct PolicyFilter {
    pub name: Option<String>,
}

pub async fn list(
    ex: impl PgExecutor<'_>,
    filter: &PolicyFilter,
    page: &PageRequest,
) -> Result<Vec<PolicyRow>, sqlx::Error> {
    let mut q = QueryBuilder::new(format!("SELECT * FROM ({SELECT}) p WHERE true"));
    if let Some(name) = &filter.name {
        q.push(" AND name = ").push_bind(name.clone());
    }
    page.push_to(&mut q);
    q.build_query_as().fetch_all(ex).await
}

pub async fn update(conn: &mut sqlx::PgConnection, row: &PolicyRow) -> Result<PolicyRow, sqlx::Error> {
    sqlx::query(
        "UPDATE policies SET name = $2, priority = $3, match = $4, action = $5, qos_class_id = $6, site_selector = $7, \
         version = version + 1, updated_at = now() WHERE id = $1",
    )
    .bind(row.id)
    .bind(&row.name)
    .bind(row.priority)
    .bind(&row.matches)
    .bind(stored_action(row))
    .bind(row.qos_class_id)
    .bind(&row.site_selector)
    .execute(&mut *conn)
    .await?;
    get(&mut *conn, row.id).await?.ok_or(sqlx::Error::RowNotFound)
}

pub async fn delete(ex: impl PgExecutor<'_>, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM policies WHERE id = $1").bind(id).execute(ex).await?;
    Ok(())
}

crate::stored!(PolicyRow, crate::resource::Kind::Policy, "/v1/policies", patronus_api::Policy, PolicyFilter);
