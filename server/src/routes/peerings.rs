//! Peerings: pairs of sites that peer directly, on top of any topology (the whole topology in
//! `explicit` mode).

use std::collections::BTreeSet;

use axum::extract::State;
use axum::http::StatusCode;
use patronus_api::{NewPeering, Page, Peering, PeeringUpdate, Role};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::app::AppState;
use crate::audit::Change;
use crate::auth::TenantCaller;
use crate::config_sync::{commit_change, network_before, Touched};
use crate::db;
use crate::error::{ApiError, ApiResult};
use crate::extract::{IfMatch, Json, Path, Query, Resource};
use crate::pagination::PageRequest;
use crate::validate::{self, Errors};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeeringListQuery {
    pub name: Option<String>,
    /// Only peerings that include this site.
    pub site_id: Option<Uuid>,
    /// The `next_cursor` of the previous page (opaque); the first page when absent or empty.
    #[param(pattern = r"^([A-Za-z0-9_-]{21}[AQgw])?$")]
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/v1/peerings", tag = "peerings", params(PeeringListQuery),
    responses((status = 200, description = "A page of peerings", body = Page<Peering>)),
    security(("tenant_auth" = [])))]
pub async fn list(
    State(app): State<AppState>,
    caller: TenantCaller,
    Query(q): Query<PeeringListQuery>,
) -> ApiResult<axum::Json<Page<Peering>>> {
    let page = PageRequest::new(q.cursor.as_deref(), q.limit)?;
    let mut tx = db::tenant_tx(&app.pool, caller.tenant_id()).await?;
    let rows =
        db::peerings::list(&mut *tx, &db::peerings::PeeringFilter { name: q.name, site_id: q.site_id }, &page).await?;
    tx.commit().await?;
    Ok(axum::Json(page.finish(rows, |r| r.id, |r| r.to_api())))
}

#[utoipa::path(post, path = "/v1/peerings", tag = "peerings", request_body = NewPeering,
    responses((status = 201, description = "Created", body = Peering, headers(("ETag" = String), ("Location" = String)))),
    security(("tenant_auth" = [])))]
pub async fn create(
    State(app): State<AppState>,
    caller: TenantCaller,
    Json(body): Json<NewPeering>,
) -> ApiResult<Resource<Peering>> {
    caller.require(Role::Operator)?;
    let tenant_id = caller.tenant_id();
    let mut errors = Errors::new();
    if let Some(name) = &body.name {
        validate::name(&mut errors, "/name", name);
    }
    if body.site_a == body.site_b {
        errors.add("/site_b", "a site cannot peer with itself");
    }
    errors.check()?;
    let (mut tx, tenant) = db::tenant_write_tx(&app.pool, tenant_id).await?.ok_or(ApiError::NotFound("tenant"))?;
    let before = network_before(&mut tx, &app, &tenant).await?;
    let a = db::sites::get(&mut *tx, body.site_a).await?;
    let b = db::sites::get(&mut *tx, body.site_b).await?;
    let mut errors = Errors::new();
    if a.is_none() {
        errors.add("/site_a", "no such site");
    }
    if b.is_none() {
        errors.add("/site_b", "no such site");
    }
    errors.check()?;
    let (Some(a), Some(b)) = (a, b) else { return Err(ApiError::NotFound("site")) };
    let name = body.name.unwrap_or_else(|| format!("{}--{}", a.name, b.name));
    let created = db::peerings::insert(&mut *tx, tenant_id, &name, a.id, b.id).await?;
    let outcome = commit_change(&mut tx, tenant_id, &before, Touched::Tenant(|_| BTreeSet::from([a.id, b.id]))).await?;
    caller.audit(&mut tx, Change::created("peering", created.id, &created.to_api())).await?;
    tx.commit().await?;
    outcome.publish(&app).await;
    Ok(Resource::created(created.etag(), format!("/v1/peerings/{}", created.id), created.to_api()))
}

#[utoipa::path(get, path = "/v1/peerings/{id}", tag = "peerings", params(("id" = Uuid, Path)),
    responses((status = 200, description = "The peering", body = Peering, headers(("ETag" = String)))),
    security(("tenant_auth" = [])))]
pub async fn get(
    State(app): State<AppState>,
    caller: TenantCaller,
    Path(id): Path<Uuid>,
) -> ApiResult<Resource<Peering>> {
    let mut tx = db::tenant_tx(&app.pool, caller.tenant_id()).await?;
    let row = db::peerings::get(&mut *tx, id).await?.ok_or(ApiError::NotFound("peering"))?;
    tx.commit().await?;
    Ok(Resource::ok(row.etag(), row.to_api()))
}

#[utoipa::path(patch, path = "/v1/peerings/{id}", tag = "peerings", params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "The ETag the change is based on")),
    request_body = PeeringUpdate,
    responses((status = 200, description = "Renamed (the sites of a peering cannot change)", body = Peering, headers(("ETag" = String)))),
    security(("tenant_auth" = [])))]
pub async fn update(
    State(app): State<AppState>,
    caller: TenantCaller,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    Json(body): Json<PeeringUpdate>,
) -> ApiResult<Resource<Peering>> {
    caller.require(Role::Operator)?;
    let mut tx = db::tenant_tx(&app.pool, caller.tenant_id()).await?;
    let current = db::peerings::lock(&mut *tx, id).await?.ok_or(ApiError::NotFound("peering"))?;
    if_match.check(&current.etag())?;
    let Some(name) = body.name.filter(|n| *n != current.name) else {
        return Ok(Resource::ok(current.etag(), current.to_api()));
    };
    let mut errors = Errors::new();
    let name = validate::name(&mut errors, "/name", &name);
    errors.check()?;
    let updated = db::peerings::rename(&mut *tx, id, &name).await?;
    caller.audit(&mut tx, Change::updated("peering", id, &current.to_api(), &updated.to_api())).await?;
    tx.commit().await?;
    Ok(Resource::ok(updated.etag(), updated.to_api()))
}

#[utoipa::path(delete, path = "/v1/peerings/{id}", tag = "peerings", params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "The ETag the deletion is based on")),
    responses((status = 204, description = "Deleted")),
    security(("tenant_auth" = [])))]
pub async fn delete(
    State(app): State<AppState>,
    caller: TenantCaller,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<StatusCode> {
    caller.require(Role::Operator)?;
    let tenant_id = caller.tenant_id();
    let (mut tx, tenant) = db::tenant_write_tx(&app.pool, tenant_id).await?.ok_or(ApiError::NotFound("tenant"))?;
    let before = network_before(&mut tx, &app, &tenant).await?;
    let current = db::peerings::lock(&mut *tx, id).await?.ok_or(ApiError::NotFound("peering"))?;
    if_match.check(&current.etag())?;
    db::peerings::delete(&mut *tx, id).await?;
    let outcome = commit_change(
        &mut tx,
        tenant_id,
        &before,
        Touched::Tenant(|_| BTreeSet::from([current.site_low, current.site_high])),
    )
    .await?;
    caller.audit(&mut tx, Change::deleted("peering", id, &current.to_api())).await?;
    tx.commit().await?;
    outcome.publish(&app).await;
    Ok(StatusCode::NO_CONTENT)
}
