//! Reading the audit log. There is no endpoint that changes or deletes an event, and the
//! server's database role could not do it either.

use axum::extract::State;
use chrono::{DateTime, Utc};
use patronus_api::{AuditEvent, Page};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::{PlatformCaller, TenantCaller};
use crate::db;
use crate::error::ApiResult;
use crate::extract::Query;
use crate::pagination::PageRequest;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// e.g. `user.create`
    pub action: Option<String>,
    /// e.g. `user`
    pub resource_type: Option<String>,
    pub resource_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    /// Events at or after this time (RFC 3339).
    pub since: Option<DateTime<Utc>>,
    /// Events before this time (RFC 3339).
    pub until: Option<DateTime<Utc>>,
    /// The `next_cursor` of the previous page (opaque); the first page when absent or empty.
    #[param(pattern = r"^([A-Za-z0-9_-]{21}[AQgw])?$")]
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

impl AuditQuery {
    fn filter(&self) -> db::audit::AuditFilter {
        db::audit::AuditFilter {
            action: self.action.clone(),
            resource_type: self.resource_type.clone(),
            resource_id: self.resource_id,
            actor_id: self.actor_id,
            since: self.since,
            until: self.until,
        }
    }
}

#[utoipa::path(get, path = "/v1/audit-events", tag = "audit", params(AuditQuery),
    responses((status = 200, description = "A page of the tenant's audit events, oldest first", body = Page<AuditEvent>)),
    security(("tenant_auth" = [])))]
pub async fn list(
    State(app): State<AppState>,
    caller: TenantCaller,
    Query(q): Query<AuditQuery>,
) -> ApiResult<axum::Json<Page<AuditEvent>>> {
    let page = PageRequest::new(q.cursor.as_deref(), q.limit)?;
    let mut tx = db::tenant_tx(&app.pool, caller.tenant_id()).await?;
    let rows = db::audit::list(&mut *tx, &q.filter(), &page).await?;
    db::end_read(tx);
    Ok(axum::Json(page.finish(rows, |r| r.id, |r| r.to_api())))
}

#[utoipa::path(get, path = "/v1/platform/audit-events", tag = "platform", params(AuditQuery),
    responses((status = 200, description = "A page of platform audit events (tenant lifecycle, keys)", body = Page<AuditEvent>)),
    security(("platform_auth" = [])))]
pub async fn list_platform(
    State(app): State<AppState>,
    _caller: PlatformCaller,
    Query(q): Query<AuditQuery>,
) -> ApiResult<axum::Json<Page<AuditEvent>>> {
    let page = PageRequest::new(q.cursor.as_deref(), q.limit)?;
    let mut tx = db::platform_tx(&app.pool).await?;
    let rows = db::audit::list(&mut *tx, &q.filter(), &page).await?;
    db::end_read(tx);
    Ok(axum::Json(page.finish(rows, |r| r.id, |r| r.to_api())))
}
