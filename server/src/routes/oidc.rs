//! Single sign-on: the authorization-code flow with PKCE, state and nonce.
//!
//! `login` stores the state (as SHA-256), the nonce and the PKCE verifier for ten minutes and sends
//! the browser to the provider, with the state also in a cookie of its own; `callback` spends that
//! record once (a replayed state finds nothing), exchanges the code, has `openidconnect` verify the
//! ID token (signature against the provider's JWKS, issuer, audience, expiry, nonce), creates the
//! user or sets their role from the role claim, and starts a browser session.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, CsrfToken, Nonce, PkceCodeChallenge, PkceCodeVerifier,
    RequestTokenError, Scope, TokenResponse,
};
use patronus_api::{LoginMethods, Role, SessionMethod};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::app::AppState;
use crate::audit::{self, Change};
use crate::auth::secrets;
use crate::auth::session::{self, STATE_COOKIE, STATE_COOKIE_PATH};
use crate::auth::{Actor, Principal, TenantPrincipal};
use crate::db;
use crate::error::{ApiError, ApiResult};
use crate::extract::Query;
use crate::oidc;
use crate::resource::Kind;

/// How long a login may take at the provider.
const LOGIN_TTL_SECS: i64 = 600;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TenantQuery {
    /// The tenant's slug.
    pub tenant: String,
}

/// The tenant and its provider, or 404 (the same for a tenant that does not exist).
async fn provider(
    app: &AppState,
    slug: &str,
) -> ApiResult<(db::tenants::TenantRow, db::identity_providers::IdentityProviderRow)> {
    let tenant =
        db::tenants::by_slug(&app.pool, slug.trim()).await?.ok_or(ApiError::NotFound(Kind::IdentityProvider))?;
    let mut tx = db::tenant_tx(&app.pool, tenant.id).await?;
    let idp = db::identity_providers::get(&mut *tx).await?.ok_or(ApiError::NotFound(Kind::IdentityProvider))?;
    db::end_read(tx);
    Ok((tenant, idp))
}

#[utoipa::path(get, path = "/v1/auth/methods", tag = "auth", params(TenantQuery),
    responses((status = 200, description = "How people of the tenant sign in", body = LoginMethods)))]
pub async fn login_methods(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<TenantQuery>,
) -> ApiResult<axum::Json<LoginMethods>> {
    let url = match provider(&app, &q.tenant).await {
        Ok((tenant, _)) => Some(oidc::login_url(&app.settings.public_url(&headers), &tenant.slug)),
        Err(ApiError::NotFound(_)) => None,
        Err(e) => return Err(e),
    };
    Ok(axum::Json(LoginMethods { sso: url.is_some(), sso_login_url: url }))
}

#[utoipa::path(get, path = "/v1/auth/oidc/login", tag = "auth", params(TenantQuery),
    responses((status = 303, description = "To the tenant's identity provider", headers(("Location" = String))),
        (status = 404, description = "No such tenant, or it has no identity provider", body = patronus_api::Problem, content_type = "application/problem+json")))]
pub async fn oidc_login(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<TenantQuery>,
) -> ApiResult<Response> {
    let (tenant, idp) = provider(&app, &q.tenant).await?;
    let (client, metadata) = app.oidc.client(&idp, &app.settings.public_url(&headers), false).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge);
    // Providers that release the groups claim only for a scope of that name (most do) list it.
    let supported = metadata.scopes_supported().map(|s| s.iter().any(|s| s.as_str() == idp.role_claim));
    if supported == Some(true) {
        request = request.add_scope(Scope::new(idp.role_claim.clone()));
    }
    let (url, state, nonce) = request.url();
    let expires_at = Utc::now() + chrono::Duration::seconds(LOGIN_TTL_SECS);
    let mut tx = db::tenant_tx(&app.pool, tenant.id).await?;
    db::oidc_logins::insert(
        &mut *tx,
        tenant.id,
        &secrets::hash_secret(state.secret()),
        nonce.secret(),
        verifier.secret(),
        expires_at,
    )
    .await?;
    tx.commit().await?;
    let location = HeaderValue::from_str(url.as_str())
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("the authorization URL is not a header value: {e}")))?;
    let mut response = StatusCode::SEE_OTHER.into_response();
    response.headers_mut().insert(header::LOCATION, location);
    response.headers_mut().insert(
        header::SET_COOKIE,
        session::set_cookie(&app, STATE_COOKIE, state.secret(), STATE_COOKIE_PATH, LOGIN_TTL_SECS),
    );
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[derive(Deserialize, IntoParams)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
    /// Other parameters a provider adds (`iss`, `session_state`, `scope`) are ignored.
    #[serde(flatten)]
    #[param(ignore)]
    pub _rest: std::collections::HashMap<String, String>,
}

fn bad_state() -> ApiError {
    ApiError::Unauthorized("the SSO login's state is unknown, expired or already used; start the login again".into())
}

fn refused(reason: impl std::fmt::Display) -> ApiError {
    ApiError::Unauthorized(format!("the identity provider's ID token was refused: {reason}"))
}

#[utoipa::path(get, path = "/v1/auth/oidc/callback", tag = "auth", params(CallbackQuery),
    responses((status = 303, description = "Signed in: the session cookie is set and the browser sent to `/`. Also a failed login's answer to a browser (`text/html` in Accept) where the server serves the portal: sent to `/?sso_error=<the reason>`, which the sign-in page shows; otherwise a failure is one of the problems below",
        headers(("Location" = String), ("Set-Cookie" = String))),
        (status = 401, description = "The login failed: refused at the provider, a state unknown, used, expired or from \
            another browser, or an ID token that does not verify", body = patronus_api::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The person may not sign in to this tenant (email domain, no mapped group, another account of the provider with a bound user's email, a demotion of the last admin)", body = patronus_api::Problem, content_type = "application/problem+json"),
        (status = 404, description = "The tenant no longer has an identity provider", body = patronus_api::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The tenant's user quota is reached", body = patronus_api::Problem, content_type = "application/problem+json")))]
pub async fn oidc_callback(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<CallbackQuery>,
) -> ApiResult<Response> {
    match complete_login(&app, &headers, q).await {
        // The browser came here from the provider: where the server serves the portal, it goes
        // back to the sign-in page, which shows why, rather than to a JSON document. API clients
        // (no `text/html` in Accept) get the problem; an internal error stays a logged 500.
        Err(err) if app.portal.is_some() && accepts_html(&headers) && !matches!(err, ApiError::Internal(_)) => {
            let detail = err.to_problem().detail.unwrap_or_default();
            let query: String = openidconnect::url::form_urlencoded::byte_serialize(detail.as_bytes()).collect();
            let mut response = StatusCode::SEE_OTHER.into_response();
            let h = response.headers_mut();
            let location = HeaderValue::from_str(&format!("/?sso_error={query}"))
                .map_err(|e| ApiError::Internal(anyhow::anyhow!("redirect location: {e}")))?;
            h.insert(header::LOCATION, location);
            h.append(header::SET_COOKIE, session::clear_cookie(&app, STATE_COOKIE, STATE_COOKIE_PATH));
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(response)
        }
        other => other,
    }
}

fn accepts_html(headers: &HeaderMap) -> bool {
    headers.get_all(header::ACCEPT).iter().any(|v| v.to_str().is_ok_and(|v| v.contains("text/html")))
}

/// The callback's work: the state, the code for tokens, the ID token's checks, the user, the
/// session.
async fn complete_login(app: &AppState, headers: &HeaderMap, q: CallbackQuery) -> ApiResult<Response> {
    if let Some(error) = &q.error {
        let detail = q.error_description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default();
        return Err(ApiError::Unauthorized(format!("the identity provider did not sign you in: {error}{detail}")));
    }
    let (Some(code), Some(state)) = (q.code, q.state) else {
        return Err(ApiError::Unauthorized(
            "the SSO login failed: the callback carries no `code` or no `state`; start the login again".into(),
        ));
    };
    // The state must come back to the browser that started the login (no login CSRF).
    let cookie_state = session::cookie(headers, STATE_COOKIE).unwrap_or("");
    if cookie_state.is_empty() || secrets::hash_secret(cookie_state) != secrets::hash_secret(&state) {
        return Err(ApiError::Unauthorized(
            "this SSO login was not started in this browser (its state cookie is missing or differs); start again"
                .into(),
        ));
    }
    // Spend the state first: whatever happens next, it cannot be used again.
    let hash = secrets::hash_secret(&state);
    let mut tx = db::credential_tx(&app.pool, &hash).await?;
    let pending = db::oidc_logins::by_hash(&mut *tx, &hash).await?.ok_or_else(bad_state)?;
    db::enter_tenant(&mut tx, pending.tenant_id).await?;
    if !db::oidc_logins::spend(&mut *tx, &hash).await? {
        return Err(bad_state());
    }
    tx.commit().await?;
    if pending.expires_at <= Utc::now() {
        return Err(bad_state());
    }
    let tenant_id = pending.tenant_id;
    let mut tx = db::tenant_tx(&app.pool, tenant_id).await?;
    let idp = db::identity_providers::get(&mut *tx).await?.ok_or(ApiError::NotFound(Kind::IdentityProvider))?;
    db::end_read(tx);

    let (client, _) = app.oidc.client(&idp, &app.settings.public_url(headers), false).await?;
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|e| ApiError::Unavailable(format!("the identity provider has no token endpoint: {e}")))?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier))
        .request_async(&app.oidc.http)
        .await
        .map_err(|e| match e {
            RequestTokenError::ServerResponse(r) => {
                ApiError::Unauthorized(format!("the identity provider refused the authorization code: {}", r.error()))
            }
            // Its parse error could quote the response, which holds tokens: say only what failed.
            RequestTokenError::Parse(..) => {
                tracing::warn!(issuer = %idp.issuer_url, "OIDC token response could not be read");
                ApiError::Unavailable("the identity provider's token response could not be read".into())
            }
            other => {
                tracing::warn!(issuer = %idp.issuer_url, error = %oidc::error_chain(&other), "OIDC token request failed");
                ApiError::Unavailable(format!(
                    "the identity provider's token endpoint failed: {}",
                    oidc::error_chain(&other)
                ))
            }
        })?;
    let id_token = token.id_token().ok_or_else(|| refused("the token response carries no ID token"))?;
    let nonce = Nonce::new(pending.nonce);
    let claims = match id_token.claims(&client.id_token_verifier(), &nonce) {
        Ok(claims) => claims.clone(),
        // Perhaps the provider rotated its keys: verify once more against a fresh key set.
        Err(ClaimsVerificationError::SignatureVerification(_)) => {
            let (fresh, _) = app.oidc.client(&idp, &app.settings.public_url(headers), true).await?;
            let verifier = fresh.id_token_verifier();
            let claims = id_token.claims(&verifier, &nonce).map_err(|e| refused(oidc::error_chain(&e)))?.clone();
            claims
        }
        Err(e) => return Err(refused(oidc::error_chain(&e))),
    };
    let email = claims
        .email()
        .map(|e| e.as_str().trim().to_lowercase())
        .filter(|e| e.contains('@'))
        .ok_or_else(|| refused("it carries no email claim (ask for the `email` scope)"))?;
    if claims.email_verified() == Some(false) {
        return Err(ApiError::Forbidden(format!("the identity provider has not verified the email {email}")));
    }
    if !oidc::email_allowed(&email, &idp.allowed_email_domains) {
        return Err(ApiError::Forbidden(format!("{email} is not in a domain this tenant allows to sign in")));
    }
    let raw = oidc::payload_claims(&id_token.to_string()).unwrap_or_default();
    let groups = oidc::groups(&raw, &idp.role_claim);
    let role = oidc::role_for(&groups, &idp.role_mapping.0, idp.default_role());
    let display_name = claims
        .name()
        .and_then(|n| n.get(None))
        .map(|n| n.as_str().chars().filter(|c| !c.is_control()).take(100).collect::<String>().trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| email.clone());

    // The ID token's `sub` identifies the person at the provider for good (an email address can
    // pass to someone else); the spec requires it, and openidconnect checks it is there.
    let subject = claims.subject().as_str().to_owned();

    let (mut tx, tenant) = db::tenant_write_tx(&app.pool, tenant_id).await?.ok_or(ApiError::NotFound(Kind::Tenant))?;
    let (existing, bound) = sso_user(&mut tx, &idp.issuer_url, &subject, &email).await?;
    let request_id = headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_string);
    let user = match (existing, role) {
        (existing, None) => {
            // In none of the mapped groups and no default role: no access, and none left over.
            if let Some(user) = existing {
                db::browser_sessions::delete_for_user(&mut *tx, user.id).await?;
                db::refresh_tokens::revoke_for_user(&mut *tx, user.id).await?;
                let actor = principal(tenant_id, &user, user.role());
                audit::record(
                    &mut tx,
                    &actor,
                    Some(tenant_id),
                    request_id.as_deref(),
                    Change::action(Kind::User, user.id, "sso_refused"),
                )
                .await?;
                tx.commit().await?;
            }
            return Err(ApiError::Forbidden(format!(
                "{email} is in none of the groups (claim `{}`) that this tenant maps to a role; \
                 ask an admin of the tenant for access",
                idp.role_claim
            )));
        }
        (None, Some(role)) => {
            if db::users::count(&mut *tx).await? >= i64::from(tenant.max_users) {
                return Err(ApiError::QuotaExceeded { quota: "max_users", limit: i64::from(tenant.max_users) });
            }
            let user = db::users::insert(&mut *tx, tenant_id, &email, &display_name, role, None).await?;
            let actor = principal(tenant_id, &user, role);
            audit::record(
                &mut tx,
                &actor,
                Some(tenant_id),
                request_id.as_deref(),
                Change::created(Kind::User, user.id, &user.to_api()),
            )
            .await?;
            user
        }
        (Some(user), Some(role)) if user.role() != role || user.email != email => {
            if user.role() == Role::Admin
                && role != Role::Admin
                && db::users::count_admins_except(&mut *tx, user.id).await? == 0
            {
                return Err(ApiError::Forbidden(format!(
                    "{email} is the tenant's last admin and the identity provider's groups now make them {}; \
                     make another user admin first (nothing was changed)",
                    role.as_str()
                )));
            }
            let mut next = user.clone();
            next.role = role.as_str().to_string();
            // The provider's address for the person, who is the same by `sub`.
            next.email.clone_from(&email);
            let updated = db::users::update(&mut *tx, &next).await?;
            let actor = principal(tenant_id, &updated, role);
            audit::record(
                &mut tx,
                &actor,
                Some(tenant_id),
                request_id.as_deref(),
                Change::updated(Kind::User, user.id, &user.to_api(), &updated.to_api()),
            )
            .await?;
            updated
        }
        (Some(user), Some(_)) => user,
    };
    if !bound {
        db::sso_identities::bind(&mut *tx, tenant_id, user.id, &idp.issuer_url, &subject).await?;
        let actor = principal(tenant_id, &user, user.role());
        audit::record(
            &mut tx,
            &actor,
            Some(tenant_id),
            request_id.as_deref(),
            Change::action(Kind::User, user.id, "sso_bound"),
        )
        .await?;
    }
    db::identity_providers::mark_verified(&mut *tx, idp.version).await?;
    let (cookie, _) = session::start(app, &mut tx, &user, SessionMethod::Sso).await?;
    tx.commit().await?;
    tracing::info!(tenant_id = %tenant_id, user_id = %user.id, "SSO login");

    let mut response = StatusCode::SEE_OTHER.into_response();
    let h = response.headers_mut();
    h.insert(header::LOCATION, HeaderValue::from_static("/"));
    h.append(header::SET_COOKIE, cookie);
    h.append(header::SET_COOKIE, session::clear_cookie(app, STATE_COOKIE, STATE_COOKIE_PATH));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The user an SSO login is for: the one bound to the provider's `subject`; else the one with the
/// login's email, unless that user is bound to another subject at this same provider (the address
/// passed to another person there, or two accounts share it); else none (a new user). The flag
/// says whether the user is already bound to this subject.
async fn sso_user(
    tx: &mut db::Tx,
    issuer_url: &str,
    subject: &str,
    email: &str,
) -> ApiResult<(Option<db::users::UserRow>, bool)> {
    if let Some(id) = db::sso_identities::user_for(&mut **tx, issuer_url, subject).await? {
        let user = db::users::get(&mut **tx, id).await?;
        let bound = user.is_some();
        return Ok((user, bound));
    }
    let Some(user) = db::users::by_email(&mut **tx, email).await? else { return Ok((None, false)) };
    match db::sso_identities::of_user(&mut **tx, user.id).await? {
        Some((issuer, _)) if issuer == issuer_url => Err(ApiError::Forbidden(format!(
            "the user {email} of this tenant signs in as another account of the identity provider; ask an admin \
             of the tenant (deleting that user lets this account create a new one)"
        ))),
        // Unbound (a password user's first SSO login), or bound at a provider the tenant no
        // longer uses: this login binds them.
        _ => Ok((Some(user), false)),
    }
}

/// The user as the actor of the audit events of their own SSO login.
fn principal(tenant_id: Uuid, user: &db::users::UserRow, role: Role) -> Principal {
    Principal::Tenant(TenantPrincipal {
        tenant_id,
        role,
        actor: Actor::User { id: user.id, email: user.email.clone() },
    })
}
