//! Who is calling. The `authenticate` middleware resolves the bearer credential into a
//! [`Principal`], applies the caller's rate limit, and leaves the principal in the request's
//! extensions; handlers take a [`TenantCaller`] or [`PlatformCaller`] and check roles with
//! `require`.

pub mod credential_cache;
pub mod jwt;
pub mod secrets;
pub mod session;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use patronus_api::Role;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use uuid::Uuid;

use crate::app::AppState;
use crate::db;
use crate::error::ApiError;
use secrets::SecretKind;

/// How often a token's `last_used_at` is written at most.
const USE_RECORD_INTERVAL: Duration = Duration::from_secs(60);

/// When this replica last recorded each API token's use. The database write is throttled to once
/// a minute anyway; knowing it here saves the two statements per request that would find out.
#[derive(Default)]
pub struct UseRecorder(Mutex<HashMap<Uuid, Instant>>);

impl UseRecorder {
    /// Whether a use of `token` now should be written; if so, it counts as written.
    pub fn due(&self, token: Uuid, now: Instant) -> bool {
        let mut last = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if last.get(&token).is_some_and(|at| now.duration_since(*at) < USE_RECORD_INTERVAL) {
            return false;
        }
        if last.len() >= 100_000 {
            last.retain(|_, at| now.duration_since(*at) < USE_RECORD_INTERVAL);
        }
        last.insert(token, now);
        true
    }
}

#[derive(Debug, Clone)]
pub enum Principal {
    Platform {
        token_id: Uuid,
        name: String,
    },
    Tenant(TenantPrincipal),
    /// A site's agent: it may read its own site's document and report its status, nothing else.
    Agent(AgentPrincipal),
}

#[derive(Debug, Clone)]
pub struct AgentPrincipal {
    pub agent_id: Uuid,
    pub tenant_id: Uuid,
    pub site_id: Uuid,
}

#[derive(Debug, Clone)]
pub struct TenantPrincipal {
    pub tenant_id: Uuid,
    pub role: Role,
    pub actor: Actor,
}

#[derive(Debug, Clone)]
pub enum Actor {
    User { id: Uuid, email: String },
    ApiToken { id: Uuid, name: String },
}

impl Principal {
    /// The key under which the caller's rate limit and idempotency keys are kept.
    pub fn key(&self) -> String {
        match self {
            Principal::Platform { token_id, .. } => format!("platform:{token_id}"),
            Principal::Tenant(TenantPrincipal { actor: Actor::User { id, .. }, .. }) => format!("user:{id}"),
            Principal::Tenant(TenantPrincipal { actor: Actor::ApiToken { id, .. }, .. }) => format!("token:{id}"),
            Principal::Agent(a) => format!("agent:{}", a.agent_id),
        }
    }

    pub fn tenant_id(&self) -> Option<Uuid> {
        match self {
            Principal::Platform { .. } => None,
            Principal::Tenant(t) => Some(t.tenant_id),
            Principal::Agent(a) => Some(a.tenant_id),
        }
    }
}

/// Who did something, as the audit log records it.
#[derive(Debug, Clone)]
pub struct AuditActor {
    pub kind: &'static str,
    pub id: Option<Uuid>,
    pub name: String,
}

impl Principal {
    pub fn audit_actor(&self) -> AuditActor {
        match self {
            Principal::Platform { token_id, name } => {
                AuditActor { kind: "platform_token", id: Some(*token_id), name: name.clone() }
            }
            Principal::Tenant(TenantPrincipal { actor: Actor::User { id, email }, .. }) => {
                AuditActor { kind: "user", id: Some(*id), name: email.clone() }
            }
            Principal::Tenant(TenantPrincipal { actor: Actor::ApiToken { id, name }, .. }) => {
                AuditActor { kind: "api_token", id: Some(*id), name: name.clone() }
            }
            Principal::Agent(a) => {
                AuditActor { kind: "agent", id: Some(a.agent_id), name: format!("agent of site {}", a.site_id) }
            }
        }
    }
}

fn bearer(headers: &HeaderMap) -> Option<Result<&str, ApiError>> {
    let value = headers.get(header::AUTHORIZATION)?;
    let Ok(value) = value.to_str() else {
        return Some(Err(ApiError::Unauthorized("the Authorization header is not valid ASCII".into())));
    };
    let mut parts = value.splitn(2, ' ');
    let scheme = parts.next().unwrap_or("");
    let token = parts.next().unwrap_or("").trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Some(Err(ApiError::Unauthorized("use `Authorization: Bearer <token>`".into())));
    }
    Some(Ok(token))
}

/// Resolves a bearer credential: an API token, a platform token, or a JWT access token.
pub async fn resolve(app: &AppState, token: &str) -> Result<Principal, ApiError> {
    let invalid = || ApiError::Unauthorized("the token is invalid, expired or revoked".into());
    match SecretKind::of(token) {
        Some(SecretKind::ApiToken) => {
            let hash = secrets::hash_secret(token);
            let now = Instant::now();
            let principal = match app.credentials.get(&hash, now) {
                Some(principal) => principal,
                None => {
                    let row = db::api_tokens::by_hash(&app.pool, &hash).await?.ok_or_else(invalid)?;
                    if row.expires_at.is_some_and(|at| at <= chrono::Utc::now()) {
                        return Err(ApiError::Unauthorized("the token has expired".into()));
                    }
                    let principal = Principal::Tenant(TenantPrincipal {
                        tenant_id: row.tenant_id,
                        role: row.role(),
                        actor: Actor::ApiToken { id: row.id, name: row.name },
                    });
                    app.credentials.put(hash, row.tenant_id, principal.clone(), row.expires_at, now);
                    principal
                }
            };
            if let Principal::Tenant(TenantPrincipal { tenant_id, actor: Actor::ApiToken { id, .. }, .. }) = &principal
            {
                if app.token_uses.due(*id, now) {
                    let mut tx = db::tenant_tx(&app.pool, *tenant_id).await?;
                    db::api_tokens::touch(&mut *tx, *id).await?;
                    tx.commit().await?;
                }
            }
            Ok(principal)
        }
        Some(SecretKind::PlatformToken) => {
            let hash = secrets::hash_secret(token);
            let row = db::platform_tokens::by_hash(&app.pool, &hash).await?.ok_or_else(invalid)?;
            db::platform_tokens::touch(&app.pool, row.id).await?;
            Ok(Principal::Platform { token_id: row.id, name: row.name })
        }
        Some(SecretKind::AgentCredential) => {
            let hash = secrets::hash_secret(token);
            let now = Instant::now();
            if let Some(principal) = app.credentials.get(&hash, now) {
                return Ok(principal);
            }
            let row = db::agents::by_hash(&app.pool, &hash).await?.ok_or_else(|| {
                ApiError::Unauthorized("the agent credential is unknown or revoked: enroll the agent again".into())
            })?;
            let principal =
                Principal::Agent(AgentPrincipal { agent_id: row.id, tenant_id: row.tenant_id, site_id: row.site_id });
            app.credentials.put(hash, row.tenant_id, principal.clone(), None, now);
            Ok(principal)
        }
        Some(SecretKind::EnrollmentToken) => Err(ApiError::Unauthorized(
            "an enrollment token is not an access token; an agent exchanges it at /v1/agent/enroll".into(),
        )),
        Some(SecretKind::BrowserSession) => {
            Err(ApiError::Unauthorized("a browser session travels in its cookie, not as a bearer token".into()))
        }
        Some(SecretKind::RefreshToken) => Err(ApiError::Unauthorized(
            "a refresh token is not an access token; exchange it at /v1/auth/refresh".into(),
        )),
        None => {
            let claims = match app.keys.verify(token) {
                Ok(Some(claims)) => claims,
                Ok(None) => {
                    // Signed with a key this replica has not loaded yet.
                    app.keys.load(&app.pool).await.map_err(ApiError::Internal)?;
                    app.keys.verify(token).ok().flatten().ok_or_else(invalid)?
                }
                Err(_) => return Err(invalid()),
            };
            // The user must still exist; their current role applies, not the one at login.
            let mut tx = db::tenant_tx(&app.pool, claims.tid).await?;
            let user = db::users::get(&mut *tx, claims.sub).await?.ok_or_else(invalid)?;
            tx.commit().await?;
            Ok(Principal::Tenant(TenantPrincipal {
                tenant_id: claims.tid,
                role: user.role(),
                actor: Actor::User { id: user.id, email: user.email },
            }))
        }
    }
}

/// Middleware: authenticate, rate-limit, and pass the principal on.
pub async fn authenticate(State(app): State<AppState>, mut req: Request, next: Next) -> Response {
    let principal = match bearer(req.headers()) {
        // Without a bearer credential, a browser's session cookie.
        // Signing in needs no principal (and checks its Origin itself): a cookie still there
        // from an earlier session must not stand in its way.
        None if req.method() == axum::http::Method::POST && req.uri().path() == "/v1/auth/session" => None,
        None => match session::cookie(req.headers(), session::SESSION_COOKIE) {
            None => None,
            Some(secret) => match session::resolve(&app, secret).await {
                Ok(None) => None,
                Ok(Some((principal, context))) => {
                    if let Err(e) = session::check_csrf(&app, req.method(), req.headers(), &context) {
                        return e.into_response();
                    }
                    req.extensions_mut().insert(context);
                    Some(principal)
                }
                Err(e) => return e.into_response(),
            },
        },
        Some(Err(e)) => return e.into_response(),
        Some(Ok(token)) => match resolve(&app, token).await {
            Ok(p) => Some(p),
            Err(e) => return e.into_response(),
        },
    };
    if let Some(tenant) = principal.as_ref().and_then(Principal::tenant_id) {
        tracing::Span::current().record("tenant_id", tracing::field::display(tenant));
    }
    let limit_key = match &principal {
        Some(p) => p.key(),
        None => match req.extensions().get::<ConnectInfo<SocketAddr>>() {
            Some(ConnectInfo(addr)) => format!("anonymous:{}", addr.ip()),
            None => "anonymous".to_string(),
        },
    };
    let decision = app.limiter.check(&limit_key).await;
    if !decision.allowed {
        let mut response = ApiError::RateLimited { retry_after_secs: decision.retry_after_secs }.into_response();
        decision.write_headers(response.headers_mut());
        return response;
    }
    if let Some(p) = principal {
        req.extensions_mut().insert(p);
    }
    let mut response = next.run(req).await;
    decision.write_headers(response.headers_mut());
    response
}

fn request_id(parts: &Parts) -> Option<String> {
    parts.headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_string)
}

fn principal(parts: &Parts) -> Result<Principal, ApiError> {
    parts.extensions.get::<Principal>().cloned().ok_or_else(|| {
        ApiError::Unauthorized("this endpoint needs `Authorization: Bearer <token>` or a signed-in session".into())
    })
}

/// A caller acting inside a tenant.
#[derive(Debug, Clone)]
pub struct TenantCaller {
    pub principal: Principal,
    pub tenant: TenantPrincipal,
    pub request_id: Option<String>,
    /// The request's `Idempotency-Key` claim, under which a write keeps its answer.
    pub idempotency_claim: Option<crate::idempotency::Claim>,
}

impl TenantCaller {
    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.tenant.role >= role {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "this needs the {} role; the caller has {}",
                role.as_str(),
                self.tenant.role.as_str()
            )))
        }
    }

    pub fn tenant_id(&self) -> Uuid {
        self.tenant.tenant_id
    }
}

impl<S: Send + Sync> FromRequestParts<S> for TenantCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let principal = principal(parts)?;
        let tenant = match &principal {
            Principal::Tenant(tenant) => tenant,
            Principal::Platform { .. } => {
                return Err(ApiError::Forbidden("this endpoint needs a tenant credential, not a platform token".into()))
            }
            Principal::Agent(_) => {
                return Err(ApiError::Forbidden("an agent credential reaches only the /v1/agent/ endpoints".into()))
            }
        };
        Ok(TenantCaller {
            tenant: tenant.clone(),
            principal,
            request_id: request_id(parts),
            idempotency_claim: parts.extensions.get::<crate::idempotency::Claim>().cloned(),
        })
    }
}

/// The platform operator.
#[derive(Debug, Clone)]
pub struct PlatformCaller {
    pub principal: Principal,
    pub request_id: Option<String>,
    /// The request's `Idempotency-Key` claim, under which a write keeps its answer.
    pub idempotency_claim: Option<crate::idempotency::Claim>,
}

impl<S: Send + Sync> FromRequestParts<S> for PlatformCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let principal = principal(parts)?;
        if !matches!(principal, Principal::Platform { .. }) {
            return Err(ApiError::Forbidden("this endpoint needs a platform-admin token".into()));
        }
        Ok(PlatformCaller {
            principal,
            request_id: request_id(parts),
            idempotency_claim: parts.extensions.get::<crate::idempotency::Claim>().cloned(),
        })
    }
}

/// A site's agent.
#[derive(Debug, Clone)]
pub struct AgentCaller {
    pub agent: AgentPrincipal,
}

impl<S: Send + Sync> FromRequestParts<S> for AgentCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        match principal(parts)? {
            Principal::Agent(agent) => Ok(AgentCaller { agent }),
            _ => Err(ApiError::Forbidden("this endpoint needs an agent credential (`ptrn_agent_...`)".into())),
        }
    }
}

/// Any authenticated caller.
#[derive(Debug, Clone)]
pub struct AnyCaller(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for AnyCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        principal(parts).map(AnyCaller)
    }
}

impl TenantCaller {
    /// Records a change in the tenant's audit log, inside the write's transaction.
    pub async fn audit(&self, tx: &mut db::Tx, change: crate::audit::Change) -> Result<(), ApiError> {
        crate::audit::record(tx, &self.principal, Some(self.tenant_id()), self.request_id.as_deref(), change).await
    }
}

impl PlatformCaller {
    /// Records a change in the platform's audit log, inside the write's transaction.
    pub async fn audit(&self, tx: &mut db::Tx, change: crate::audit::Change) -> Result<(), ApiError> {
        crate::audit::record(tx, &self.principal, None, self.request_id.as_deref(), change).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tokens_use_is_recorded_at_most_once_a_minute() {
        let uses = UseRecorder::default();
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let t0 = Instant::now();
        assert!(uses.due(a, t0));
        assert!(!uses.due(a, t0 + Duration::from_secs(59)));
        assert!(uses.due(b, t0 + Duration::from_secs(1)), "tokens are counted apart");
        assert!(uses.due(a, t0 + Duration::from_secs(61)));
    }
}
