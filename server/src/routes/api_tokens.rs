//! API tokens of a tenant (for Terraform, Ansible, CI). The secret is returned once, by create;
//! the server keeps only its SHA-256. Deleting a token revokes it at once.

use axum::http::StatusCode;
use patronus_api::{ApiToken, ApiTokenCreated, ApiTokenUpdate, NewApiToken, Page, Role};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::audit::Change;
use crate::auth::secrets::{self, SecretKind};
use crate::db::{self, api_tokens::ApiTokenRow};
use crate::error::{ApiError, ApiResult};
use crate::extract::{IfMatch, Json, PageParams, Path, Query, Resource};
use crate::pagination::PageRequest;
use crate::pipeline::{Tenant, Touched};
use crate::resource::{Kind, Stored};
use crate::validate::{self, Errors};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApiTokenListQuery {
    pub name: Option<String>,
}

#[utoipa::path(get, path = "/v1/api-tokens", tag = "api-tokens", params(ApiTokenListQuery, PageParams),
    responses((status = 200, description = "A page of tokens (never their secrets)", body = Page<ApiToken>)),
    security(("tenant_auth" = [])))]
pub async fn list(
    cx: Tenant,
    Query(q): Query<ApiTokenListQuery>,
    page: PageRequest,
) -> ApiResult<axum::Json<Page<ApiToken>>> {
    cx.page::<ApiTokenRow>(db::api_tokens::ApiTokenFilter { name: q.name }, page).await
}

/// Validates a token request and creates it inside `tx`, checking the tenant's quota. Shared by
/// tenant admins and the platform operator (who mints a tenant's first token).
pub async fn create_in(
    conn: &mut sqlx::PgConnection,
    tenant_id: Uuid,
    body: &NewApiToken,
) -> ApiResult<ApiTokenCreated> {
    let mut errors = Errors::new();
    let name = validate::name(&mut errors, "/name", &body.name);
    if body.expires_at.is_some_and(|at| at <= chrono::Utc::now()) {
        errors.add("/expires_at", "must be in the future");
    }
    errors.check()?;
    let tenant = db::tenants::lock(&mut *conn, tenant_id).await?.ok_or(ApiError::NotFound(Kind::Tenant))?;
    if db::api_tokens::count(&mut *conn).await? >= i64::from(tenant.max_api_tokens) {
        return Err(ApiError::QuotaExceeded { quota: "max_api_tokens", limit: i64::from(tenant.max_api_tokens) });
    }
    let secret = secrets::generate(SecretKind::ApiToken);
    let row = db::api_tokens::insert(
        conn,
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
pub async fn create(cx: Tenant, Json(body): Json<NewApiToken>) -> ApiResult<Resource<ApiTokenCreated>> {
    let mut w = cx.write(Role::Admin).await?;
    let created = create_in(w.conn(), cx.tenant_id(), &body).await?;
    let id = created.api_token.id;
    let resource =
        Resource::created(created.api_token.etag.clone(), format!("{}/{id}", ApiTokenRow::COLLECTION), created);
    let answer = resource.answer();
    w.commit_answering(Change::created(Kind::ApiToken, id, &resource.body), Touched::Nothing, Some(answer)).await?;
    Ok(resource)
}

#[utoipa::path(get, path = "/v1/api-tokens/{id}", tag = "api-tokens", params(("id" = Uuid, Path)),
    responses((status = 200, description = "The token, without its secret", body = ApiToken, headers(("ETag" = String)))),
    security(("tenant_auth" = [])))]
pub async fn get(cx: Tenant, Path(id): Path<Uuid>) -> ApiResult<Resource<ApiToken>> {
    cx.one::<ApiTokenRow>(id).await
}

#[utoipa::path(patch, path = "/v1/api-tokens/{id}", tag = "api-tokens", params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "The ETag the change is based on")),
    request_body = ApiTokenUpdate,
    responses((status = 200, description = "Renamed", body = ApiToken, headers(("ETag" = String)))),
    security(("tenant_auth" = [])))]
pub async fn update(
    cx: Tenant,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    Json(body): Json<ApiTokenUpdate>,
) -> ApiResult<Resource<ApiToken>> {
    let mut w = cx.write(Role::Admin).await?;
    let current: ApiTokenRow = w.current(id, &if_match).await?;
    let Some(name) = body.name.filter(|n| *n != current.name) else {
        return Ok(w.unchanged(&current));
    };
    let mut errors = Errors::new();
    let name = validate::name(&mut errors, "/name", &name);
    errors.check()?;
    let updated = db::api_tokens::rename(w.conn(), id, &name).await?;
    w.forget_credentials();
    w.updated(&current, &updated, Touched::Nothing).await
}

#[utoipa::path(delete, path = "/v1/api-tokens/{id}", tag = "api-tokens", params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "The ETag the deletion is based on")),
    responses((status = 204, description = "Revoked")),
    security(("tenant_auth" = [])))]
pub async fn delete(cx: Tenant, Path(id): Path<Uuid>, if_match: IfMatch) -> ApiResult<StatusCode> {
    let mut w = cx.write(Role::Admin).await?;
    let current: ApiTokenRow = w.current(id, &if_match).await?;
    db::api_tokens::delete(w.conn(), id).await?;
    w.forget_credentials();
    w.deleted(&current, Touched::Nothing).await
}
