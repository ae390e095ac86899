//! Reading the audit log. There is no endpoint that changes or deletes an event, and the
//! server's database role could not do it either.

use axum::extract::State;
use chrono::{DateTime, Utc};
use patronus_api::{AuditEvent, Page};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::PlatformCaller;
use crate::db;
use crate::error::ApiResult;
use crate::extract::{PageParams, Query};
use crate::pagination::PageRequest;
use crate::pipeline::Tenant;

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

#[utoipa::path(get, path = "/v1/audit-events", tag = "audit", params(AuditQuery, PageParams),
    responses((status = 200, description = "A page of the tenant's audit events, oldest first", body = Page<AuditEvent>)),
    security(("tenant_auth" = [])))]
pub async fn list(
    cx: Tenant,
    Query(q): Query<AuditQuery>,
    page: PageRequest,
) -> ApiResult<axum::Json<Page<AuditEvent>>> {
    let mut tx = db::tenant_tx(&cx.app.pool, cx.tenant_id()).await?;
    let rows = db::audit::list(&mut *tx, &q.filter(), &page).await?;
    db::end_read(tx);
    Ok(axum::Json(page.finish(rows, |r| r.id, |r| r.to_api())))
}

#[utoipa::path(get, path = "/v1/platform/audit-events", tag = "platform", params(AuditQuery, PageParams),
    responses((status = 200, description = "A page of platform audit events (tenant lifecycle, keys)", body = Page<AuditEvent>)),
    security(("platform_auth" = [])))]
pub async fn list_platform(
    State(app): State<AppState>,
    _caller: PlatformCaller,
    Query(q): Query<AuditQuery>,
    page: PageRequest,
) -> ApiResult<axum::Json<Page<AuditEvent>>> {
    let mut tx = db::platform_tx(&app.pool).await?;
    let rows = db::audit::list(&mut *tx, &q.filter(), &page).await?;
    db::end_read(tx);
    Ok(axum::Json(page.finish(rows, |r| r.id, |r| r.to_api())))
}
