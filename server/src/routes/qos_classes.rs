//! QoS classes: traffic classes with a priority, a DSCP mark and shares of each link's bandwidth.

use axum::http::StatusCode;
use patronus_api::{NewQosClass, Page, QosClass, QosClassUpdate};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::db::{self, qos_classes::QosClassRow};
use crate::error::{ApiError, ApiResult};
use crate::extract::{IfMatch, Json, PageParams, Path, Query, Resource};
use crate::merge;
use crate::pagination::PageRequest;
use crate::pipeline::{Tenant, Touched};
use crate::validate::{self, Errors};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QosClassListQuery {
    pub name: Option<String>,
}

#[utoipa::path(get, path = "/v1/qos-classes", tag = "qos-classes", params(QosClassListQuery, PageParams),
    responses((status = 200, description = "A page of QoS classes", body = Page<QosClass>)),
    security(("tenant_auth" = [])))]
pub async fn list(
    cx: Tenant,
    Query(q): Query<QosClassListQuery>,
    page: PageRequest,
) -> ApiResult<axum::Json<Page<QosClass>>> {
    cx.page::<QosClassRow>(db::qos_classes::QosClassFilter { name: q.name }, page).await
}

fn check_fields(errors: &mut Errors, row: &mut QosClassRow) {
    row.name = validate::name(errors, "/name", &row.name);
    validate::within(errors, "/priority", row.priority as u64, 1..=8);
    validate::within(errors, "/dscp", row.dscp as u64, 0..=63);
    validate::within(errors, "/guaranteed_percent", row.guaranteed_percent as u64, 0..=100);
    validate::within(errors, "/max_percent", row.max_percent as u64, 1..=100);
    if row.max_percent < row.guaranteed_percent {
        errors.add("/max_percent", "must not be below guaranteed_percent");
    }
}

/// The guaranteed shares of all classes may not add up to over 100 %.
async fn check_guarantees(conn: &mut sqlx::PgConnection, row: &QosClassRow) -> ApiResult<()> {
    let others = db::qos_classes::guaranteed_total_except(conn, row.id).await?;
    let total = others + i64::from(row.guaranteed_percent);
    if total > 100 {
        return Err(ApiError::field(
            "/guaranteed_percent",
            format!("the guaranteed shares of all classes would add up to {total} %; the other classes already guarantee {others} %"),
        ));
    }
    Ok(())
}

#[utoipa::path(post, path = "/v1/qos-classes", tag = "qos-classes", request_body = NewQosClass,
    responses((status = 201, description = "Created", body = QosClass, headers(("ETag" = String), ("Location" = String)))),
    security(("tenant_auth" = [])))]
pub async fn create(cx: Tenant, Json(body): Json<NewQosClass>) -> ApiResult<Resource<QosClass>> {
    let now = chrono::Utc::now();
    let mut row = QosClassRow {
        id: Uuid::now_v7(),
        tenant_id: cx.tenant_id(),
        name: body.name,
        priority: i32::from(body.priority),
        dscp: i32::from(body.dscp),
        guaranteed_percent: i32::from(body.guaranteed_percent),
        max_percent: i32::from(body.max_percent),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let mut errors = Errors::new();
    check_fields(&mut errors, &mut row);
    errors.check()?;
    let mut w = cx.network_write().await?;
    check_guarantees(w.conn(), &row).await?;
    let created = db::qos_classes::insert(w.conn(), &row).await?;
    w.created(&created, Touched::Policies).await
}

#[utoipa::path(get, path = "/v1/qos-classes/{id}", tag = "qos-classes", params(("id" = Uuid, Path)),
    responses((status = 200, description = "The QoS class", body = QosClass, headers(("ETag" = String)))),
    security(("tenant_auth" = [])))]
pub async fn get(cx: Tenant, Path(id): Path<Uuid>) -> ApiResult<Resource<QosClass>> {
    cx.one::<QosClassRow>(id).await
}

#[utoipa::path(patch, path = "/v1/qos-classes/{id}", tag = "qos-classes", params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "The ETag the change is based on")),
    request_body = QosClassUpdate,
    responses((status = 200, description = "Updated", body = QosClass, headers(("ETag" = String)))),
    security(("tenant_auth" = [])))]
pub async fn update(
    cx: Tenant,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    Json(body): Json<QosClassUpdate>,
) -> ApiResult<Resource<QosClass>> {
    let mut w = cx.network_write().await?;
    let current: QosClassRow = w.current(id, &if_match).await?;
    let mut next = current.clone();
    merge!(body => next: name, priority, dscp, guaranteed_percent, max_percent);
    let mut errors = Errors::new();
    check_fields(&mut errors, &mut next);
    errors.check()?;
    if next == current {
        return Ok(w.unchanged(&current));
    }
    check_guarantees(w.conn(), &next).await?;
    let updated = db::qos_classes::update(w.conn(), &next).await?;
    w.updated(&current, &updated, Touched::Policies).await
}

#[utoipa::path(delete, path = "/v1/qos-classes/{id}", tag = "qos-classes", params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "The ETag the deletion is based on")),
    responses((status = 204, description = "Deleted"),
        (status = 409, description = "A policy uses the class", body = patronus_api::Problem,
            content_type = "application/problem+json")),
    security(("tenant_auth" = [])))]
pub async fn delete(cx: Tenant, Path(id): Path<Uuid>, if_match: IfMatch) -> ApiResult<StatusCode> {
    let mut w = cx.network_write().await?;
    let current: QosClassRow = w.current(id, &if_match).await?;
    let users = db::policies::names_using_qos_class(w.conn(), id).await?;
    if !users.is_empty() {
        return Err(ApiError::Conflict {
            detail: format!(
                "QoS class {:?} is used by policy {}; change or delete those first",
                current.name,
                users.join(", ")
            ),
            pointer: None,
        });
    }
    db::qos_classes::delete(w.conn(), id).await?;
    w.deleted(&current, Touched::Policies).await
}
