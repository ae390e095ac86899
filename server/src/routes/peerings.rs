//! Peerings: pairs of sites that peer directly, on top of any topology (the whole topology in
//! `explicit` mode).

use std::collections::BTreeSet;

use axum::http::StatusCode;
use patronus_api::{NewPeering, Page, Peering, PeeringUpdate, Role};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::db::{self, peerings::PeeringRow};
use crate::error::{ApiError, ApiResult};
use crate::extract::{IfMatch, Json, PageParams, Path, Query, Resource};
use crate::pagination::PageRequest;
use crate::pipeline::{Tenant, Touched};
use crate::resource::Kind;
use crate::validate::{self, Errors};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeeringListQuery {
    pub name: Option<String>,
    /// Only peerings that include this site.
    pub site_id: Option<Uuid>,
}

#[utoipa::path(get, path = "/v1/peerings", tag = "peerings", params(PeeringListQuery, PageParams),
    responses((status = 200, description = "A page of peerings", body = Page<Peering>)),
    security(("tenant_auth" = [])))]
pub async fn list(
    cx: Tenant,
    Query(q): Query<PeeringListQuery>,
    page: PageRequest,
) -> ApiResult<axum::Json<Page<Peering>>> {
    cx.page::<PeeringRow>(db::peerings::PeeringFilter { name: q.name, site_id: q.site_id }, page).await
}

#[utoipa::path(post, path = "/v1/peerings", tag = "peerings", request_body = NewPeering,
    responses((status = 201, description = "Created", body = Peering, headers(("ETag" = String), ("Location" = String)))),
    security(("tenant_auth" = [])))]
pub async fn create(cx: Tenant, Json(body): Json<NewPeering>) -> ApiResult<Resource<Peering>> {
    let mut errors = Errors::new();
    if let Some(name) = &body.name {
        validate::name(&mut errors, "/name", name);
    }
    if body.site_a == body.site_b {
        errors.add("/site_b", "a site cannot peer with itself");
    }
    errors.check()?;
    let mut w = cx.network_write().await?;
    let a = db::sites::get(w.conn(), body.site_a).await?;
    let b = db::sites::get(w.conn(), body.site_b).await?;
    let mut errors = Errors::new();
    if a.is_none() {
        errors.add("/site_a", "no such site");
    }
    if b.is_none() {
        errors.add("/site_b", "no such site");
    }
    errors.check()?;
    let (Some(a), Some(b)) = (a, b) else { return Err(ApiError::NotFound(Kind::Site)) };
    let name = body.name.unwrap_or_else(|| format!("{}--{}", a.name, b.name));
    let created = db::peerings::insert(w.conn(), cx.tenant_id(), &name, a.id, b.id).await?;
    w.created(&created, Touched::Sites(BTreeSet::from([a.id, b.id]))).await
}

#[utoipa::path(get, path = "/v1/peerings/{id}", tag = "peerings", params(("id" = Uuid, Path)),
    responses((status = 200, description = "The peering", body = Peering, headers(("ETag" = String)))),
    security(("tenant_auth" = [])))]
pub async fn get(cx: Tenant, Path(id): Path<Uuid>) -> ApiResult<Resource<Peering>> {
    cx.one::<PeeringRow>(id).await
}

#[utoipa::path(patch, path = "/v1/peerings/{id}", tag = "peerings", params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "The ETag the change is based on")),
    request_body = PeeringUpdate,
    responses((status = 200, description = "Renamed (the sites of a peering cannot change)", body = Peering, headers(("ETag" = String)))),
    security(("tenant_auth" = [])))]
pub async fn update(
    cx: Tenant,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    Json(body): Json<PeeringUpdate>,
) -> ApiResult<Resource<Peering>> {
    let mut w = cx.write(Role::Operator).await?;
    let current: PeeringRow = w.current(id, &if_match).await?;
    let Some(name) = body.name.filter(|n| *n != current.name) else {
        return Ok(w.unchanged(&current));
    };
    let mut errors = Errors::new();
    let name = validate::name(&mut errors, "/name", &name);
    errors.check()?;
    let updated = db::peerings::rename(w.conn(), id, &name).await?;
    w.updated(&current, &updated, Touched::Nothing).await
}

#[utoipa::path(delete, path = "/v1/peerings/{id}", tag = "peerings", params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "The ETag the deletion is based on")),
    responses((status = 204, description = "Deleted")),
    security(("tenant_auth" = [])))]
pub async fn delete(cx: Tenant, Path(id): Path<Uuid>, if_match: IfMatch) -> ApiResult<StatusCode> {
    let mut w = cx.network_write().await?;
    let current: PeeringRow = w.current(id, &if_match).await?;
    db::peerings::delete(w.conn(), id).await?;
    w.deleted(&current, Touched::Sites(BTreeSet::from([current.site_low, current.site_high]))).await
}
