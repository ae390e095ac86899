use chrono::{DateTime, Utc};
use patronus_api::AuditEvent;
use serde_json::Value;
use sqlx::{PgExecutor, QueryBuilder};
use uuid::Uuid;

use crate::pagination::PageRequest;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub actor_type: String,
    pub actor_id: Option<Uuid>,
    pub actor_name: String,
    pub action: String,
    pub resource_type: String,
    pub resource_id: Uuid,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub request_id: Option<String>,
}

impl AuditRow {
    pub fn to_api(&self) -> AuditEvent {
        AuditEvent {
            id: self.id,
            occurred_at: self.occurred_at,
            actor_type: self.actor_type.clone(),
            actor_id: self.actor_id,
            actor_name: self.actor_name.clone(),
            action: self.action.clone(),
            resource_type: self.resource_type.clone(),
            resource_id: self.resource_id,
            before: self.before.clone(),
            after: self.after.clone(),
            request_id: self.request_id.clone(),
        }
    }
}

pub struct NewAuditEvent<'a> {
    pub tenant_id: Option<Uuid>,
    pub actor_type: &'a str,
    pub actor_id: Option<Uuid>,
    pub actor_name: &'a str,
    pub action: String,
    pub resource_type: &'a str,
    pub resource_id: Uuid,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub request_id: Option<&'a str>,
}

pub async fn insert(ex: impl PgExecutor<'_>, event: NewAuditEvent<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_events (id, tenant_id, actor_type, actor_id, actor_name, action, resource_type, \
         resource_id, before, after, request_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(Uuid::now_v7())
    .bind(event.tenant_id)
    .bind(event.actor_type)
    .bind(event.actor_id)
    .bind(event.actor_name)
    .bind(event.action)
    .bind(event.resource_type)
    .bind(event.resource_id)
    .bind(event.before)
    .bind(event.after)
    .bind(event.request_id)
    .execute(ex)
    .await?;
    Ok(())
}

#[derive(Default)]
pub struct AuditFilter {
    pub action: Option<String>,
    pub resource_type: Option<String>,
    pub resource_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

pub async fn list(
    ex: impl PgExecutor<'_>,
    filter: &AuditFilter,
    page: &PageRequest,
) -> Result<Vec<AuditRow>, sqlx::Error> {
    let mut q = QueryBuilder::new(
        "SELECT id, occurred_at, actor_type, actor_id, actor_name, action, resource_type, resource_id, before, after, \
         request_id FROM audit_events WHERE true",
    );
    if let Some(v) = &filter.action {
        q.push(" AND action = ").push_bind(v.clone());
    }
    if let Some(v) = &filter.resource_type {
        q.push(" AND resource_type = ").push_bind(v.clone());
    }
    if let Some(v) = filter.resource_id {
        q.push(" AND resource_id = ").push_bind(v);
    }
    if let Some(v) = filter.actor_id {
        q.push(" AND actor_id = ").push_bind(v);
    }
    if let Some(v) = filter.since {
        q.push(" AND occurred_at >= ").push_bind(v);
    }
    if let Some(v) = filter.until {
        q.push(" AND occurred_at < ").push_bind(v);
    }
    page.push_to(&mut q);
    q.build_query_as().fetch_all(ex).await
}
