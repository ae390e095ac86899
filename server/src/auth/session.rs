//! Browser sessions: an HttpOnly cookie carrying an opaque secret (stored as SHA-256), and the
//! CSRF checks that every state-changing request authenticated by that cookie must pass.
//!
//! The cookie is `SameSite=Lax`: a session is still sent when a person follows a link to the
//! portal from elsewhere (and on the redirect back from the identity provider), while a cross-site
//! form POST, image or script request goes without it. `Strict` would add nothing the CSRF token
//! does not already give, and would make every link from mail or chat land signed out. Changes need
//! the per-session token in `X-CSRF-Token`, which a page of another site cannot read, and an
//! `Origin`, when the browser sends one, that is this server's.

use axum::http::{header, HeaderMap, HeaderValue, Method};
use chrono::{DateTime, Utc};
use patronus_api::{BrowserSession, Role, SessionMethod};
use rand::distributions::{Alphanumeric, DistString};
use uuid::Uuid;

use super::secrets::{self, SecretKind};
use super::{Actor, Principal, TenantPrincipal};
use crate::app::AppState;
use crate::db;
use crate::error::ApiError;

pub const SESSION_COOKIE: &str = "patronus_session";
/// Binds an SSO login in flight to the browser that started it (the state, again).
pub const STATE_COOKIE: &str = "patronus_oidc_state";
pub const STATE_COOKIE_PATH: &str = "/v1/auth/oidc";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The session a request's cookie named, kept in the request's extensions.
#[derive(Debug, Clone)]
pub struct SessionContext {
    pub id: Uuid,
    pub tenant_id: Uuid,
    csrf_token: String,
    pub method: SessionMethod,
    pub expires_at: DateTime<Utc>,
}

impl SessionContext {
    pub fn to_api(&self, user_id: Uuid, email: &str, role: Role) -> BrowserSession {
        BrowserSession {
            tenant_id: self.tenant_id,
            user_id,
            email: email.to_string(),
            role,
            method: self.method,
            csrf_token: self.csrf_token.clone(),
            expires_at: self.expires_at,
        }
    }
}

fn method_name(method: SessionMethod) -> &'static str {
    match method {
        SessionMethod::Password => "password",
        SessionMethod::Sso => "sso",
    }
}

/// The value of cookie `name` in the request, if any.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Secure when the server is reached over HTTPS.
pub fn set_cookie(app: &AppState, name: &str, value: &str, path: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if app.settings.secure_cookies() { "; Secure" } else { "" };
    let text = format!("{name}={value}; Path={path}; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax{secure}");
    // Names and values are ours (alphanumeric secrets), so the header is always valid.
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A `Set-Cookie` value that removes the cookie.
pub fn clear_cookie(app: &AppState, name: &str, path: &str) -> HeaderValue {
    set_cookie(app, name, "", path, 0)
}

/// Starts a session for `user` inside `tx`; returns the cookie to set and what the API shows.
pub async fn start(
    app: &AppState,
    tx: &mut db::Tx,
    user: &db::users::UserRow,
    method: SessionMethod,
) -> Result<(HeaderValue, BrowserSession), ApiError> {
    let secret = secrets::generate(SecretKind::BrowserSession);
    let csrf_token = Alphanumeric.sample_string(&mut rand::thread_rng(), 40);
    let ttl = app.settings.session_ttl_secs;
    let expires_at = Utc::now() + chrono::Duration::seconds(ttl);
    let row = db::browser_sessions::insert(
        &mut **tx,
        user.tenant_id,
        user.id,
        &secret.hash,
        &csrf_token,
        method_name(method),
        expires_at,
    )
    .await?;
    let context = SessionContext { id: row.id, tenant_id: row.tenant_id, csrf_token, method, expires_at };
    let cookie = set_cookie(app, SESSION_COOKIE, &secret.value, "/", ttl);
    Ok((cookie, context.to_api(user.id, &user.email, user.role())))
}

/// The session and its user for a cookie's secret; `None` when it is unknown or expired (the
/// request then goes on without a principal, so that signing in again still works).
pub async fn resolve(app: &AppState, secret: &str) -> Result<Option<(Principal, SessionContext)>, ApiError> {
    if SecretKind::of(secret) != Some(SecretKind::BrowserSession) {
        return Ok(None);
    }
    let hash = secrets::hash_secret(secret);
    let mut tx = db::credential_tx(&app.pool, &hash).await?;
    let Some(row) = db::browser_sessions::by_hash(&mut *tx, &hash).await? else {
        return Ok(None);
    };
    db::enter_tenant(&mut tx, row.tenant_id).await?;
    let Some(user) = db::users::get(&mut *tx, row.user_id).await? else {
        return Ok(None);
    };
    db::end_read(tx);
    let method = if row.method == "sso" { SessionMethod::Sso } else { SessionMethod::Password };
    let context = SessionContext {
        id: row.id,
        tenant_id: row.tenant_id,
        csrf_token: row.csrf_token,
        method,
        expires_at: row.expires_at,
    };
    let principal = Principal::Tenant(TenantPrincipal {
        tenant_id: row.tenant_id,
        role: user.role(),
        actor: Actor::User { id: user.id, email: user.email },
    });
    Ok(Some((principal, context)))
}

fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Refuses a cross-site request: one whose `Origin` (when the browser sends one) is neither the
/// server's public URL nor the host the request was sent to.
pub fn check_origin(app: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let origin = origin.to_str().unwrap_or("null");
    let public = app.settings.public_url.as_deref().and_then(origin_of);
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let authority = origin.split_once("://").map(|(_, rest)| rest);
    if public.as_deref() == Some(origin) || (host.is_some() && authority == host) {
        return Ok(());
    }
    Err(ApiError::Forbidden(format!(
        "cross-site request refused: Origin {origin} is not this server's ({})",
        public.or(host.map(str::to_string)).unwrap_or_default()
    )))
}

fn origin_of(url: &str) -> Option<String> {
    let parsed = reqwest::Url::parse(url).ok()?;
    Some(parsed.origin().ascii_serialization())
}

/// The CSRF checks of a request authenticated by the session cookie: a request that changes
/// state carries the session's token in `X-CSRF-Token` and comes from this server's origin.
pub fn check_csrf(
    app: &AppState,
    method: &Method,
    headers: &HeaderMap,
    session: &SessionContext,
) -> Result<(), ApiError> {
    if !changes_state(method) {
        return Ok(());
    }
    check_origin(app, headers)?;
    let given = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
    // Compared through their hashes, so that the time taken says nothing about the token.
    if given.is_empty() || secrets::hash_secret(given) != secrets::hash_secret(&session.csrf_token) {
        return Err(ApiError::Forbidden(
            "a request authenticated by the session cookie must send the session's CSRF token \
             (from GET /v1/auth/session) in the X-CSRF-Token header"
                .into(),
        ));
    }
    Ok(())
}
