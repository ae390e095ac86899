//! WAN links of a site. A link belongs to one site for life; its name is unique within the site.

use axum::http::StatusCode;
use patronus_api::{Link, LinkUpdate, NewLink, Page, SiteLink};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::db::{self, links::LinkRow};
use crate::error::{ApiError, ApiResult};
use crate::extract::{IfMatch, Json, PageParams, Path, Query, Resource};
use crate::merge;
use crate::netaddr;
use crate::pagination::PageRequest;
use crate::pipeline::{Tenant, Touched};
use crate::validate::{self, Errors};

const MAX_MBPS: u64 = 10_000_000;
const MAX_COST: u64 = 1_000_000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LinkListQuery {
    pub site_id: Option<Uuid>,
    /// With `site_id`, finds one link by name.
    pub name: Option<String>,
}

#[utoipa::path(get, path = "/v1/links", tag = "links", params(LinkListQuery, PageParams),
    responses((status = 200, description = "A page of links", body = Page<Link>)),
    security(("tenant_auth" = [])))]
pub async fn list(cx: Tenant, Query(q): Query<LinkListQuery>, page: PageRequest) -> ApiResult<axum::Json<Page<Link>>> {
    cx.page::<LinkRow>(db::links::LinkFilter { site_id: q.site_id, name: q.name }, page).await
}

/// Field checks of a link, with pointers under `at` (`""` for a link's own body, `/links/3` for
/// one in a site's list).
pub(crate) fn check_fields(errors: &mut Errors, at: &str, row: &mut LinkRow) {
    row.name = validate::name(errors, &format!("{at}/name"), &row.name);
    row.interface = netaddr::interface(errors, &format!("{at}/interface"), &row.interface);
    validate::within(errors, &format!("{at}/bandwidth_up_mbps"), row.bandwidth_up_mbps as u64, 1..=MAX_MBPS);
    validate::within(errors, &format!("{at}/bandwidth_down_mbps"), row.bandwidth_down_mbps as u64, 1..=MAX_MBPS);
    validate::within(errors, &format!("{at}/cost"), row.cost as u64, 0..=MAX_COST);
    validate::within(errors, &format!("{at}/priority"), row.priority as u64, 0..=MAX_COST);
}

#[utoipa::path(post, path = "/v1/links", tag = "links", request_body = NewLink,
    responses((status = 201, description = "Created", body = Link, headers(("ETag" = String), ("Location" = String)))),
    security(("tenant_auth" = [])))]
pub async fn create(cx: Tenant, Json(body): Json<NewLink>) -> ApiResult<Resource<Link>> {
    let spec = SiteLink {
        name: body.name,
        interface: body.interface,
        kind: body.kind,
        endpoint: body.endpoint,
        bandwidth_up_mbps: body.bandwidth_up_mbps,
        bandwidth_down_mbps: body.bandwidth_down_mbps,
        cost: body.cost,
        priority: body.priority,
    };
    let mut row = LinkRow::new(cx.tenant_id(), body.site_id, spec);
    let mut errors = Errors::new();
    check_fields(&mut errors, "", &mut row);
    errors.check()?;
    let mut w = cx.network_write().await?;
    if db::sites::get(w.conn(), row.site_id).await?.is_none() {
        return Err(ApiError::field("/site_id", "no such site"));
    }
    let created = db::links::insert(w.conn(), &row).await?;
    w.created(&created, Touched::Site(created.site_id)).await
}

#[utoipa::path(get, path = "/v1/links/{id}", tag = "links", params(("id" = Uuid, Path)),
    responses((status = 200, description = "The link", body = Link, headers(("ETag" = String)))),
    security(("tenant_auth" = [])))]
pub async fn get(cx: Tenant, Path(id): Path<Uuid>) -> ApiResult<Resource<Link>> {
    cx.one::<LinkRow>(id).await
}

#[utoipa::path(patch, path = "/v1/links/{id}", tag = "links", params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "The ETag the change is based on")),
    request_body = LinkUpdate,
    responses((status = 200, description = "Updated", body = Link, headers(("ETag" = String)))),
    security(("tenant_auth" = [])))]
pub async fn update(
    cx: Tenant,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    Json(body): Json<LinkUpdate>,
) -> ApiResult<Resource<Link>> {
    let mut w = cx.network_write().await?;
    let current: LinkRow = w.current(id, &if_match).await?;
    let mut next = current.clone();
    merge!(body => next: name, interface, bandwidth_up_mbps, bandwidth_down_mbps, cost, priority);
    if let Some(v) = body.endpoint {
        next.endpoint = v.map(|e| e.to_string());
    }
    if let Some(v) = body.kind {
        next.kind = v.as_str().to_string();
    }
    let mut errors = Errors::new();
    check_fields(&mut errors, "", &mut next);
    errors.check()?;
    if next == current {
        return Ok(w.unchanged(&current));
    }
    let updated = db::links::update(w.conn(), &next).await?;
    w.updated(&current, &updated, Touched::Site(updated.site_id)).await
}

#[utoipa::path(delete, path = "/v1/links/{id}", tag = "links", params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "The ETag the deletion is based on")),
    responses((status = 204, description = "Deleted")),
    security(("tenant_auth" = [])))]
pub async fn delete(cx: Tenant, Path(id): Path<Uuid>, if_match: IfMatch) -> ApiResult<StatusCode> {
    let mut w = cx.network_write().await?;
    let current: LinkRow = w.current(id, &if_match).await?;
    db::links::delete(w.conn(), id).await?;
    w.deleted(&current, Touched::Site(current.site_id)).await
}
