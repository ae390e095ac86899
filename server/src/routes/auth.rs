//! Sessions for people: log in with email and password, get a short-lived access token (JWT)
//! and a refresh token (refresh tokens rotate on every use), or a browser session in a cookie
//! (`/v1/auth/session`, see `auth::session`).

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::{Duration, Utc};
use patronus_api::{BrowserSession, LoginRequest, RefreshRequest, Role, SessionMethod, TokenPair, Whoami};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::secrets::{self, SecretKind};
use crate::auth::session::{self, SessionContext};
use crate::auth::{Actor, AgentPrincipal, AnyCaller, Principal, TenantCaller, TenantPrincipal};
use crate::db;
use crate::error::{ApiError, ApiResult};
use crate::extract::Json;

fn bad_login() -> ApiError {
    ApiError::Unauthorized("unknown tenant, email or password".into())
}

/// Issues an access token and a refresh token of `family` inside `tx`.
async fn issue_pair(app: &AppState, tx: &mut db::Tx, user: &db::users::UserRow, family: Uuid) -> ApiResult<TokenPair> {
    let access_token = app.keys.issue(user.id, user.tenant_id, user.role(), &user.email).map_err(ApiError::Internal)?;
    let refresh = secrets::generate(SecretKind::RefreshToken);
    let expires_at = Utc::now() + Duration::seconds(app.settings.refresh_ttl_secs);
    db::refresh_tokens::insert(&mut **tx, user.tenant_id, user.id, family, &refresh.hash, expires_at).await?;
    Ok(TokenPair {
        access_token,
        token_type: "Bearer".into(),
        expires_in: app.keys.access_ttl_secs,
        refresh_token: refresh.value,
    })
}

/// Checks a password login; the transaction is in the user's tenant.
async fn password_login(app: &AppState, body: LoginRequest) -> ApiResult<(db::Tx, db::users::UserRow)> {
    let tenant = db::tenants::by_slug(&app.pool, body.tenant.trim()).await?;
    let mut tx = match &tenant {
        Some(t) => Some(db::tenant_tx(&app.pool, t.id).await?),
        None => None,
    };
    let user = match tx.as_mut() {
        Some(tx) => db::users::by_email(&mut **tx, &body.email.trim().to_lowercase()).await?,
        None => None,
    };
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let password = body.password;
    // Verify even for an unknown user, so that timing does not reveal which emails exist.
    let ok = tokio::task::spawn_blocking(move || secrets::verify_password(&password, stored.as_deref()))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let (Some(mut tx), Some(user), true) = (tx, user, ok) else {
        return Err(bad_login());
    };
    if user.role() != Role::Admin {
        let idp = db::identity_providers::get(&mut *tx).await?;
        if idp.is_some_and(|idp| idp.password_login_admins_only) {
            return Err(ApiError::Forbidden(
                "in this tenant only admins sign in with a password; sign in with SSO".into(),
            ));
        }
    }
    Ok((tx, user))
}

#[utoipa::path(post, path = "/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, description = "Logged in", body = TokenPair)))]
pub async fn login(State(app): State<AppState>, Json(body): Json<LoginRequest>) -> ApiResult<axum::Json<TokenPair>> {
    let (mut tx, user) = password_login(&app, body).await?;
    let pair = issue_pair(&app, &mut tx, &user, Uuid::now_v7()).await?;
    tx.commit().await?;
    Ok(axum::Json(pair))
}

#[utoipa::path(post, path = "/v1/auth/session", tag = "auth", request_body = LoginRequest,
    responses((status = 201, description = "Signed in: the session cookie is set (HttpOnly, SameSite=Lax, Secure over \
        HTTPS); the body carries the CSRF token that changes must send", body = BrowserSession,
        headers(("Set-Cookie" = String))),
        (status = 403, description = "A cross-site request, or password sign-in is for admins only in this tenant", body = patronus_api::Problem, content_type = "application/problem+json")))]
pub async fn create_session(
    State(app): State<AppState>,
    headers: HeaderMap,
    Json(body): Json<LoginRequest>,
) -> ApiResult<Response> {
    // A page of another site must not sign a browser in to an account of its choosing.
    session::check_origin(&app, &headers)?;
    let (mut tx, user) = password_login(&app, body).await?;
    let (cookie, session) = session::start(&app, &mut tx, &user, SessionMethod::Password).await?;
    tx.commit().await?;
    let mut response = (StatusCode::CREATED, axum::Json(session)).into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie);
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

fn no_session() -> ApiError {
    ApiError::Unauthorized("no browser session: sign in with POST /v1/auth/session or through SSO".into())
}

#[utoipa::path(get, path = "/v1/auth/session", tag = "auth",
    responses((status = 200, description = "The browser session of the request's cookie", body = BrowserSession),
        (status = 401, description = "No session cookie, or one that has ended", body = patronus_api::Problem, content_type = "application/problem+json")))]
pub async fn get_session(caller: TenantCaller, context: Option<Extension<SessionContext>>) -> ApiResult<Response> {
    let Some(Extension(context)) = context else {
        return Err(no_session());
    };
    let Actor::User { id, email } = &caller.tenant.actor else {
        return Err(no_session());
    };
    let mut response = axum::Json(context.to_api(*id, email, caller.tenant.role)).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[utoipa::path(delete, path = "/v1/auth/session", tag = "auth",
    params(("X-CSRF-Token" = String, Header, description = "The session's CSRF token")),
    responses((status = 204, description = "Signed out: the session is ended on the server and its cookie removed"),
        (status = 401, description = "No session cookie, or one that has ended", body = patronus_api::Problem, content_type = "application/problem+json"),
        (status = 403, description = "No or a wrong X-CSRF-Token, or a cross-site request", body = patronus_api::Problem, content_type = "application/problem+json")))]
pub async fn delete_session(
    State(app): State<AppState>,
    context: Option<Extension<SessionContext>>,
) -> ApiResult<Response> {
    let Some(Extension(context)) = context else {
        return Err(no_session());
    };
    let mut tx = db::tenant_tx(&app.pool, context.tenant_id).await?;
    db::browser_sessions::delete(&mut *tx, context.id).await?;
    tx.commit().await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(header::SET_COOKIE, session::clear_cookie(&app, session::SESSION_COOKIE, "/"));
    Ok(response)
}

#[utoipa::path(post, path = "/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, description = "A new token pair; the refresh token given is spent", body = TokenPair)))]
pub async fn refresh(
    State(app): State<AppState>,
    Json(body): Json<RefreshRequest>,
) -> ApiResult<axum::Json<TokenPair>> {
    let invalid = || ApiError::Unauthorized("the refresh token is invalid, expired or already used".into());
    let hash = secrets::hash_secret(&body.refresh_token);
    let mut tx = db::credential_tx(&app.pool, &hash).await?;
    let row = db::refresh_tokens::by_hash(&mut *tx, &hash).await?.ok_or_else(invalid)?;
    db::enter_tenant(&mut tx, row.tenant_id).await?;
    let fresh = row.revoked_at.is_none() && db::refresh_tokens::revoke(&mut *tx, row.id).await?;
    if !fresh {
        // A spent token presented again: it was copied. End every session of this login.
        db::refresh_tokens::revoke_family(&mut *tx, row.family_id).await?;
        tx.commit().await?;
        return Err(invalid());
    }
    if row.expires_at <= Utc::now() {
        return Err(invalid());
    }
    let user = db::users::get(&mut *tx, row.user_id).await?.ok_or_else(invalid)?;
    let pair = issue_pair(&app, &mut tx, &user, row.family_id).await?;
    tx.commit().await?;
    Ok(axum::Json(pair))
}

#[utoipa::path(post, path = "/v1/auth/logout", tag = "auth", request_body = RefreshRequest,
    responses((status = 204, description = "The session (the refresh token and its successors) is ended")))]
pub async fn logout(State(app): State<AppState>, Json(body): Json<RefreshRequest>) -> ApiResult<StatusCode> {
    let hash = secrets::hash_secret(&body.refresh_token);
    let mut tx = db::credential_tx(&app.pool, &hash).await?;
    if let Some(row) = db::refresh_tokens::by_hash(&mut *tx, &hash).await? {
        db::enter_tenant(&mut tx, row.tenant_id).await?;
        db::refresh_tokens::revoke_family(&mut *tx, row.family_id).await?;
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/v1/auth/whoami", tag = "auth",
    responses((status = 200, description = "The caller", body = Whoami)),
    security(("tenant_auth" = []), ("platform_auth" = [])))]
pub async fn whoami(AnyCaller(principal): AnyCaller) -> axum::Json<Whoami> {
    axum::Json(match principal {
        Principal::Platform { token_id, name } => Whoami::Platform { token_id, name },
        Principal::Tenant(TenantPrincipal { tenant_id, role, actor: Actor::User { id, email } }) => {
            Whoami::User { tenant_id, user_id: id, email, role }
        }
        Principal::Tenant(TenantPrincipal { tenant_id, role, actor: Actor::ApiToken { id, name } }) => {
            Whoami::ApiToken { tenant_id, token_id: id, name, role }
        }
        Principal::Agent(AgentPrincipal { agent_id, tenant_id, site_id }) => {
            Whoami::Agent { tenant_id, agent_id, site_id }
        }
    })
}
