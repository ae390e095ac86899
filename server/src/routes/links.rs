//! WAN links of a site. A link belongs to one site for life; its name is unique within the site.

use axum::extract::State;
use axum::http::StatusCode;
use patronus_api::{Link, LinkUpdate, NewLink, Page, Role};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::app::AppState;
use crate::audit::Change;
use crate::auth::TenantCaller;
use crate::config_sync::{self, commit_change, network_before};
use crate::db::{self, links::LinkRow};
use crate::error::{ApiError, ApiResult};
use crate::extract::{IfMatch, Json, Path, Query, Resource};
use crate::netaddr;
use crate::pagination::PageRequest;
use crate::validate::{self, Errors};

const MAX_MBPS: u64 = 10_000_000;
const MAX_COST: u64 = 1_000_000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LinkListQuery {
    pub site_id: Option<Uuid>,
    /// With `site_id`, finds one link by name.
    pub name: Option<String>,
    /// The `next_cursor` of the previous page (opaque); the first page when absent or empty.
    #[param(pattern = r"^([A-Za-z0-9_-]{21}[AQgw])?$")]
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/v1/links", tag = "links", params(LinkListQuery),
    responses((status = 200, description = "A page of links", body = Page<Link>)),
    security(("tenant_auth" = [])))]
pub async fn list(
    State(app): State<AppState>,
    caller: TenantCaller,
    Query(q): Query<LinkListQuery>,
) -> ApiResult<axum::Json<Page<Link>>> {
    let page = PageRequest::new(q.cursor.as_deref(), q.limit)?;
    let mut tx = db::tenant_tx(&app.pool, caller.tenant_id()).await?;
    let rows = db::links::list(&mut *tx, &db::links::LinkFilter { site_id: q.site_id, name: q.name }, &page).await?;
    db::end_read(tx);
    Ok(axum::Json(page.finish(rows, |r| r.id, |r| r.to_api())))
}

fn check_fields(errors: &mut Errors, row: &mut LinkRow) {
    row.name = validate::name(errors, "/name", &row.name);
    row.interface = netaddr::interface(errors, "/interface", &row.interface);
    if let Some(endpoint) = &row.endpoint {
        row.endpoint = Some(netaddr::endpoint(errors, "/endpoint", endpoint));
    }
    validate::within(errors, "/bandwidth_up_mbps", row.bandwidth_up_mbps as u64, 1..=MAX_MBPS);
    validate::within(errors, "/bandwidth_down_mbps", row.bandwidth_down_mbps as u64, 1..=MAX_MBPS);
    validate::within(errors, "/cost", row.cost as u64, 0..=MAX_COST);
    validate::within(errors, "/priority", row.priority as u64, 0..=MAX_COST);
}

#[utoipa::path(post, path = "/v1/links", tag = "links", request_body = NewLink,
    responses((status = 201, description = "Created", body = Link, headers(("ETag" = String), ("Location" = String)))),
    security(("tenant_auth" = [])))]
pub async fn create(
    State(app): State<AppState>,
    caller: TenantCaller,
    Json(body): Json<NewLink>,
) -> ApiResult<Resource<Link>> {
    caller.require(Role::Operator)?;
    let tenant_id = caller.tenant_id();
    let now = chrono::Utc::now();
    let mut row = LinkRow {
        id: Uuid::now_v7(),
        tenant_id,
        site_id: body.site_id,
        name: body.name,
        interface: body.interface,
        kind: body.kind.as_str().to_string(),
        endpoint: body.endpoint,
        bandwidth_up_mbps: i64::from(body.bandwidth_up_mbps),
        bandwidth_down_mbps: i64::from(body.bandwidth_down_mbps),
        cost: i64::from(body.cost),
        priority: i64::from(body.priority),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let mut errors = Errors::new();
    check_fields(&mut errors, &mut row);
    errors.check()?;
    let (mut tx, tenant) = db::tenant_write_tx(&app.pool, tenant_id).await?.ok_or(ApiError::NotFound("tenant"))?;
    let before = network_before(&mut tx, &app, &tenant).await?;
    if db::sites::get(&mut *tx, row.site_id).await?.is_none() {
        return Err(ApiError::field("/site_id", "no such site"));
    }
    let created = db::links::insert(&mut *tx, &row).await?;
    let outcome = commit_change(&mut tx, tenant_id, &before, config_sync::site(created.site_id)).await?;
    caller.audit(&mut tx, Change::created("link", created.id, &created.to_api())).await?;
    tx.commit().await?;
    outcome.publish(&app).await;
    Ok(Resource::created(created.etag(), format!("/v1/links/{}", created.id), created.to_api()))
}

#[utoipa::path(get, path = "/v1/links/{id}", tag = "links", params(("id" = Uuid, Path)),
    responses((status = 200, description = "The link", body = Link, headers(("ETag" = String)))),
    security(("tenant_auth" = [])))]
pub async fn get(State(app): State<AppState>, caller: TenantCaller, Path(id): Path<Uuid>) -> ApiResult<Resource<Link>> {
    let mut tx = db::tenant_tx(&app.pool, caller.tenant_id()).await?;
    let row = db::links::get(&mut *tx, id).await?.ok_or(ApiError::NotFound("link"))?;
    db::end_read(tx);
    Ok(Resource::ok(row.etag(), row.to_api()))
}

#[utoipa::path(patch, path = "/v1/links/{id}", tag = "links", params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "The ETag the change is based on")),
    request_body = LinkUpdate,
    responses((status = 200, description = "Updated", body = Link, headers(("ETag" = String)))),
    security(("tenant_auth" = [])))]
pub async fn update(
    State(app): State<AppState>,
    caller: TenantCaller,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    Json(body): Json<LinkUpdate>,
) -> ApiResult<Resource<Link>> {
    caller.require(Role::Operator)?;
    let tenant_id = caller.tenant_id();
    let (mut tx, tenant) = db::tenant_write_tx(&app.pool, tenant_id).await?.ok_or(ApiError::NotFound("tenant"))?;
    let before = network_before(&mut tx, &app, &tenant).await?;
    let current = db::links::lock(&mut *tx, id).await?.ok_or(ApiError::NotFound("link"))?;
    if_match.check(&current.etag())?;
    let mut next = current.clone();
    if let Some(v) = body.name {
        next.name = v;
    }
    if let Some(v) = body.interface {
        next.interface = v;
    }
    if let Some(v) = body.kind {
        next.kind = v.as_str().to_string();
    }
    if let Some(v) = body.endpoint {
        next.endpoint = v;
    }
    if let Some(v) = body.bandwidth_up_mbps {
        next.bandwidth_up_mbps = i64::from(v);
    }
    if let Some(v) = body.bandwidth_down_mbps {
        next.bandwidth_down_mbps = i64::from(v);
    }
    if let Some(v) = body.cost {
        next.cost = i64::from(v);
    }
    if let Some(v) = body.priority {
        next.priority = i64::from(v);
    }
    let mut errors = Errors::new();
    check_fields(&mut errors, &mut next);
    errors.check()?;
    if next == current {
        return Ok(Resource::ok(current.etag(), current.to_api()));
    }
    let updated = db::links::update(&mut *tx, &next).await?;
    let outcome = commit_change(&mut tx, tenant_id, &before, config_sync::site(updated.site_id)).await?;
    caller.audit(&mut tx, Change::updated("link", id, &current.to_api(), &updated.to_api())).await?;
    tx.commit().await?;
    outcome.publish(&app).await;
    Ok(Resource::ok(updated.etag(), updated.to_api()))
}

#[utoipa::path(delete, path = "/v1/links/{id}", tag = "links", params(("id" = Uuid, Path),
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
    let current = db::links::lock(&mut *tx, id).await?.ok_or(ApiError::NotFound("link"))?;
    if_match.check(&current.etag())?;
    db::links::delete(&mut *tx, id).await?;
    let outcome = commit_change(&mut tx, tenant_id, &before, config_sync::site(current.site_id)).await?;
    caller.audit(&mut tx, Change::deleted("link", id, &current.to_api())).await?;
    tx.commit().await?;
    outcome.publish(&app).await;
    Ok(StatusCode::NO_CONTENT)
}
