//! Platform-operator endpoints besides tenants: a tenant's first API token, and signing keys.

use axum::extract::State;
use patronus_api::{ApiTokenCreated, NewApiToken, SigningKey};
use uuid::Uuid;

use crate::app::AppState;
use crate::audit::{self, Change};
use crate::auth::PlatformCaller;
use crate::db;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Resource};
use crate::resource::Kind;
use crate::routes::api_tokens::create_in;

#[utoipa::path(post, path = "/v1/tenants/{id}/api-tokens", tag = "tenants", params(("id" = Uuid, Path)),
    request_body = NewApiToken,
    responses((status = 201, description = "A token of the tenant, for bootstrapping it; `token` is shown this once",
        body = ApiTokenCreated, headers(("ETag" = String), ("Location" = String)))),
    security(("platform_auth" = [])))]
pub async fn create_tenant_token(
    State(app): State<AppState>,
    caller: PlatformCaller,
    Path(tenant_id): Path<Uuid>,
    Json(body): Json<NewApiToken>,
) -> ApiResult<Resource<ApiTokenCreated>> {
    db::tenants::get(&app.pool, tenant_id).await?.ok_or(ApiError::NotFound(Kind::Tenant))?;
    let mut tx = db::tenant_tx(&app.pool, tenant_id).await?;
    let created = create_in(&mut tx, tenant_id, &body).await?;
    let id = created.api_token.id;
    // Recorded in the tenant's own log: the tenant should see who minted its tokens.
    audit::record(
        &mut tx,
        &caller.principal,
        Some(tenant_id),
        caller.request_id.as_deref(),
        Change::created(Kind::ApiToken, id, &created),
    )
    .await?;
    tx.commit().await?;
    Ok(Resource::created(created.api_token.etag.clone(), format!("/v1/api-tokens/{id}"), created))
}

fn signing_keys(rows: Vec<db::signing_keys::SigningKeyRow>) -> Vec<SigningKey> {
    let newest = rows.last().map(|r| r.kid.clone());
    rows.into_iter()
        .map(|r| SigningKey { current: Some(&r.kid) == newest.as_ref(), kid: r.kid, created_at: r.created_at })
        .collect()
}

#[utoipa::path(get, path = "/v1/platform/signing-keys", tag = "platform",
    responses((status = 200, description = "Access-token signing keys, oldest first (no secrets)", body = Vec<SigningKey>)),
    security(("platform_auth" = [])))]
pub async fn list_signing_keys(
    State(app): State<AppState>,
    _caller: PlatformCaller,
) -> ApiResult<axum::Json<Vec<SigningKey>>> {
    Ok(axum::Json(signing_keys(db::signing_keys::all(&app.pool).await?)))
}

#[utoipa::path(post, path = "/v1/platform/signing-keys", tag = "platform",
    responses((status = 201, description = "Rotated: the new key signs from now on; older keys still verify", body = Vec<SigningKey>)),
    security(("platform_auth" = [])))]
pub async fn rotate_signing_key(
    State(app): State<AppState>,
    caller: PlatformCaller,
) -> ApiResult<(axum::http::StatusCode, axum::Json<Vec<SigningKey>>)> {
    let mut tx = db::platform_tx(&app.pool).await?;
    let key = db::signing_keys::create(&mut *tx).await?;
    let snapshot = SigningKey { kid: key.kid.clone(), current: true, created_at: key.created_at };
    caller.audit(&mut tx, Change::created(Kind::SigningKey, Uuid::now_v7(), &snapshot)).await?;
    tx.commit().await?;
    app.keys.load(&app.pool).await.map_err(ApiError::Internal)?;
    Ok((axum::http::StatusCode::CREATED, axum::Json(signing_keys(db::signing_keys::all(&app.pool).await?))))
}
