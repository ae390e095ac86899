//! API tokens of a tenant (for Terraform, Ansible, CI). The secret is returned once, by create;
//! the server keeps only its SHA-256. Deleting a token revokes it at once.

use axum::extract::State;
use axum::http::StatusCode;
use patronus_api::{ApiToken, ApiTokenCreated, ApiTokenUpdate, NewApiToken, Page, Role};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::app::AppState;
use crate::audit::Change;
use crate::auth::secrets::{self, SecretKind};
use crate::auth::TenantCaller;
use crate::db;
use crate::error::{ApiError, ApiResult};
use crate::extract::{IfMatch, Json, Path, Query, Resource};
use crate::pagination::PageRequest;
use crate::validate::{self, Errors};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApiTokenListQuery {
    pub name: Option<String>,
    /// The `next_cursor` of the previous page (opaque); the first page when absent or empty.
    #[param(pattern = r"^([A-Za-z0-9_-]{21}[AQgw])?$")]
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/v1/api-tokens", tag = "api-tokens", params(ApiTokenListQuery),
    responses((status = 200, description = "A page of tokens (never their secrets)", body = Page<ApiToken>)),
    security(("tenant_auth" = [])))]
pub async fn list(
    State(app): State<AppState>,
    caller: TenantCaller,
    Query(q): Query<ApiTokenListQuery>,
) -> ApiResult<axum::Json<Page<ApiToken>>> {
    let page = PageRequest::new(q.cursor.as_deref(), q.limit)?;
    let mut tx = db::tenant_tx(&app.pool, caller.tenant_id()).await?;
    let rows = db::api_tokens::list(&mut *tx, &db::api_tokens::ApiTokenFilter { name: q.name }, &page).await?;
    tx.commit().await?;
    Ok(axum::Json(page.finish(rows, |r| r.id, |r| r.to_api())))
}

/// Validates a token request and creates it inside `tx`, checking the tenant's quota. Shared by
/// tenant admins and the platform operator (who mints a tenant's first token).
pub async fn create_in(tx: &mut db::Tx, tenant_id: Uuid, body: &NewApiToken) -> ApiResult<ApiTokenCreated> {
    let mut errors = Errors::new();
    let name = validate::name(&mut errors, "/name", &body.name);
    if body.expires_at.is_some_and(|at| at <= chrono::Utc::now()) {
        errors.add("/expires_at", "must be in the future");
    }
    errors.check()?;
    let tenant = db::tenants::lock(&mut **tx, tenant_id).await?.ok_or(ApiError::NotFound("tenant"))?;
    if db::api_tokens::count(&mut **tx).await? >= i64::from(tenant.max_api_tokens) {
        return Err(ApiError::QuotaExceeded { quota: "max_api_tokens", limit: i64::from(tenant.max_api_tokens) });
    }
    let secret = secrets::generate(SecretKind::ApiToken);
    let row = db::api_tokens::insert(
        &mut **tx,
        &db::api_tokens::NewApiTokenRow {
            tenant_id,
            name: &name,
            role: body.role,
            hash: &secret.hash,
            prefix: &secret.display_prefix,
            expires_at: body.expires_at,
        },
    )
    .await?;
    Ok(ApiTokenCreated { api_token: row.to_api(), token: secret.value })
}

#[utoipa::path(post, path = "/v1/api-tokens", tag = "api-tokens", request_body = NewApiToken,
    responses((status = 201, description = "Created; `token` is shown this once", body = ApiTokenCreated,
        headers(("ETag" = String), ("Location" = String)))),
    security(("tenant_auth" = [])))]
pub async fn create(
    State(app): State<AppState>,
    caller: TenantCaller,
    Json(body): Json<NewApiToken>,
) -> ApiResult<Resource<ApiTokenCreated>> {
    caller.require(Role::Admin)?;
    let mut tx = db::tenant_tx(&app.pool, caller.tenant_id()).await?;
    let created = create_in(&mut tx, caller.tenant_id(), &body).await?;
    let id = created.api_token.id;
    caller.audit(&mut tx, Change::created("api_token", id, &created)).await?;
    tx.commit().await?;
    Ok(Resource::created(created.api_token.etag.clone(), format!("/v1/api-tokens/{id}"), created))
}

#[utoipa::path(get, path = "/v1/api-tokens/{id}", tag = "api-tokens", params(("id" = Uuid, Path)),
    responses((status = 200, description = "The token, without its secret", body = ApiToken, headers(("ETag" = String)))),
    security(("tenant_auth" = [])))]
pub async fn get(
    State(app): State<AppState>,
    caller: TenantCaller,
    Path(id): Path<Uuid>,
) -> ApiResult<Resource<ApiToken>> {
    let mut tx = db::tenant_tx(&app.pool, caller.tenant_id()).await?;
    let row = db::api_tokens::get(&mut *tx, id).await?.ok_or(ApiError::NotFound("API token"))?;
    tx.commit().await?;
    Ok(Resource::ok(row.etag(), row.to_api()))
}

#[utoipa::path(patch, path = "/v1/api-tokens/{id}", tag = "api-tokens", params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "The ETag the change is based on")),
    request_body = ApiTokenUpdate,
    responses((status = 200, description = "Renamed", body = ApiToken, headers(("ETag" = String)))),
    security(("tenant_auth" = [])))]
pub async fn update(
    State(app): State<AppState>,
    caller: TenantCaller,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    Json(body): Json<ApiTokenUpdate>,
) -> ApiResult<Resource<ApiToken>> {
    caller.require(Role::Admin)?;
    let mut tx = db::tenant_tx(&app.pool, caller.tenant_id()).await?;
    let current = db::api_tokens::lock(&mut *tx, id).await?.ok_or(ApiError::NotFound("API token"))?;
    if_match.check(&current.etag())?;
    let Some(name) = body.name.filter(|n| *n != current.name) else {
        return Ok(Resource::ok(current.etag(), current.to_api()));
    };
    let mut errors = Errors::new();
    let name = validate::name(&mut errors, "/name", &name);
    errors.check()?;
    let updated = db::api_tokens::rename(&mut *tx, id, &name).await?;
    caller.audit(&mut tx, Change::updated("api_token", id, &current.to_api(), &updated.to_api())).await?;
    tx.commit().await?;
    app.credentials.forget_tenant(caller.tenant_id()).await;
    Ok(Resource::ok(updated.etag(), updated.to_api()))
}

#[utoipa::path(delete, path = "/v1/api-tokens/{id}", tag = "api-tokens", params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "The ETag the deletion is based on")),
    responses((status = 204, description = "Revoked")),
    security(("tenant_auth" = [])))]
pub async fn delete(
    State(app): State<AppState>,
    caller: TenantCaller,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<StatusCode> {
    caller.require(Role::Admin)?;
    let mut tx = db::tenant_tx(&app.pool, caller.tenant_id()).await?;
    let current = db::api_tokens::lock(&mut *tx, id).await?.ok_or(ApiError::NotFound("API token"))?;
    if_match.check(&current.etag())?;
    db::api_tokens::delete(&mut *tx, id).await?;
    caller.audit(&mut tx, Change::deleted("api_token", id, &current.to_api())).await?;
    tx.commit().await?;
    app.credentials.forget_tenant(caller.tenant_id()).await;
    Ok(StatusCode::NO_CONTENT)
}
