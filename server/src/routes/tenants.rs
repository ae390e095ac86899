//! Tenants: the platform operator's view. Platform tokens only.

use axum::extract::State;
use axum::http::StatusCode;
use patronus_api::{NewTenant, Page, Tenant, TenantUpdate};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::app::AppState;
use crate::audit::Change;
use crate::auth::PlatformCaller;
use crate::db;
use crate::error::{ApiError, ApiResult};
use crate::extract::{IfMatch, Json, PageParams, Path, Query, Resource};
use crate::pagination::PageRequest;
use crate::resource::Kind;
use crate::validate::{self, Errors};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TenantListQuery {
    /// Only the tenant with this exact name.
    pub name: Option<String>,
    /// Only the tenant with this slug.
    pub slug: Option<String>,
}

#[utoipa::path(get, path = "/v1/tenants", tag = "tenants", params(TenantListQuery, PageParams),
    responses((status = 200, description = "A page of tenants", body = Page<Tenant>)),
    security(("platform_auth" = [])))]
pub async fn list(
    State(app): State<AppState>,
    _caller: PlatformCaller,
    Query(q): Query<TenantListQuery>,
    page: PageRequest,
) -> ApiResult<axum::Json<Page<Tenant>>> {
    let filter = db::tenants::TenantFilter { name: q.name, slug: q.slug };
    let rows = db::tenants::list(&app.pool, &filter, &page).await?;
    Ok(axum::Json(page.finish(rows, |r| r.id, |r| r.to_api())))
}

#[utoipa::path(post, path = "/v1/tenants", tag = "tenants", request_body = NewTenant,
    responses((status = 201, description = "Created", body = Tenant,
        headers(("ETag" = String), ("Location" = String)))),
    security(("platform_auth" = [])))]
pub async fn create(
    State(app): State<AppState>,
    caller: PlatformCaller,
    Json(body): Json<NewTenant>,
) -> ApiResult<Resource<Tenant>> {
    let mut errors = Errors::new();
    let name = validate::name(&mut errors, "/name", &body.name);
    let slug = validate::slug(&mut errors, "/slug", &body.slug);
    let quotas = body.quotas.unwrap_or_default();
    validate::quota(&mut errors, "/quotas/max_users", quotas.max_users);
    validate::quota(&mut errors, "/quotas/max_api_tokens", quotas.max_api_tokens);
    validate::quota(&mut errors, "/quotas/max_sites", quotas.max_sites);
    errors.check()?;

    let mut tx = db::platform_tx(&app.pool).await?;
    let row = db::tenants::insert(&mut *tx, &name, &slug, quotas).await?;
    let resource = Resource::created(row.etag(), format!("/v1/tenants/{}", row.id), row.to_api());
    caller.audit(&mut tx, Change::created(Kind::Tenant, row.id, &resource.body)).await?;
    resource.answer().keep_with_write(&mut *tx, caller.idempotency_claim.as_ref()).await?;
    tx.commit().await?;
    Ok(resource)
}

#[utoipa::path(get, path = "/v1/tenants/{id}", tag = "tenants", params(("id" = Uuid, Path)),
    responses((status = 200, description = "The tenant", body = Tenant, headers(("ETag" = String)))),
    security(("platform_auth" = [])))]
pub async fn get(
    State(app): State<AppState>,
    _caller: PlatformCaller,
    Path(id): Path<Uuid>,
) -> ApiResult<Resource<Tenant>> {
    let row = db::tenants::get(&app.pool, id).await?.ok_or(ApiError::NotFound(Kind::Tenant))?;
    Ok(Resource::ok(row.etag(), row.to_api()))
}

#[utoipa::path(patch, path = "/v1/tenants/{id}", tag = "tenants", params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "The ETag the change is based on")),
    request_body = TenantUpdate,
    responses((status = 200, description = "Updated", body = Tenant, headers(("ETag" = String)))),
    security(("platform_auth" = [])))]
pub async fn update(
    State(app): State<AppState>,
    caller: PlatformCaller,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    Json(body): Json<TenantUpdate>,
) -> ApiResult<Resource<Tenant>> {
    let mut tx = db::platform_tx(&app.pool).await?;
    let current = db::tenants::lock(&mut *tx, id).await?.ok_or(ApiError::NotFound(Kind::Tenant))?;
    if_match.check(&current.etag())?;
    let mut next = current.clone();
    let mut errors = Errors::new();
    if let Some(name) = &body.name {
        next.name = validate::name(&mut errors, "/name", name);
    }
    if let Some(slug) = &body.slug {
        next.slug = validate::slug(&mut errors, "/slug", slug);
    }
    if let Some(q) = &body.quotas {
        if let Some(v) = q.max_users {
            next.max_users = validate::quota(&mut errors, "/quotas/max_users", v);
        }
        if let Some(v) = q.max_api_tokens {
            next.max_api_tokens = validate::quota(&mut errors, "/quotas/max_api_tokens", v);
        }
        if let Some(v) = q.max_sites {
            next.max_sites = validate::quota(&mut errors, "/quotas/max_sites", v);
        }
    }
    errors.check()?;
    let unchanged = next.name == current.name && next.slug == current.slug && next.quotas() == current.quotas();
    if unchanged {
        return Ok(Resource::ok(current.etag(), current.to_api()));
    }
    let updated = db::tenants::update(&mut *tx, &next).await?;
    caller.audit(&mut tx, Change::updated(Kind::Tenant, id, &current.to_api(), &updated.to_api())).await?;
    tx.commit().await?;
    Ok(Resource::ok(updated.etag(), updated.to_api()))
}

#[utoipa::path(delete, path = "/v1/tenants/{id}", tag = "tenants", params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "The ETag the deletion is based on")),
    responses((status = 204, description = "Deleted, with everything the tenant owned")),
    security(("platform_auth" = [])))]
pub async fn delete(
    State(app): State<AppState>,
    caller: PlatformCaller,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<StatusCode> {
    let mut tx = db::platform_tx(&app.pool).await?;
    let current = db::tenants::lock(&mut *tx, id).await?.ok_or(ApiError::NotFound(Kind::Tenant))?;
    if_match.check(&current.etag())?;
    db::tenants::delete(&mut *tx, id).await?;
    caller.audit(&mut tx, Change::deleted(Kind::Tenant, id, &current.to_api())).await?;
    tx.commit().await?;
    app.credentials.forget_tenant(id).await;
    Ok(StatusCode::NO_CONTENT)
}
