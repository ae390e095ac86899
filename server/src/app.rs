//! The application: shared state, the router with its middleware, and the OpenAPI document
//! derived from the same route list (so the two cannot disagree).

use std::sync::Arc;

use axum::http::{HeaderName, Response};
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use sqlx::PgPool;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::jwt::KeyRing;
use crate::config_watch::ConfigWatch;
use crate::error::ApiError;
use crate::extract::MAX_BODY_BYTES;
use crate::metrics::Metrics;
use crate::network_cache::NetworkCache;
use crate::ratelimit::RateLimiter;
use crate::routes::{
    agent, api_tokens, applications, audit_events, auth, bgp, bgp_routes, enrollment, fleet, health, identity_provider,
    links, oidc, path_health, peerings, platform, policies, qos_classes, sites, tenants, topology, users,
};

pub struct Settings {
    pub refresh_ttl_secs: i64,
    pub enrollment_token_ttl_secs: u64,
    /// Seconds between an agent's status reports; a site is offline after three missed ones.
    pub agent_status_interval_secs: u32,
    /// How long an agent's config poll waits for a change by default.
    pub long_poll_secs: u64,
    /// How long an unanswered Idempotency-Key claim holds before a retry may take it over.
    pub idempotency_lease_secs: u64,
    /// Where browsers reach the server, without a trailing slash (`--public-url`), when set.
    pub public_url: Option<String>,
    /// `http://<listen address>`, for requests without a usable `Host`.
    pub listen_url: String,
    /// Browser sessions' lifetime.
    pub session_ttl_secs: i64,
}

impl Settings {
    /// Whether browsers reach the server over HTTPS, so that cookies must be `Secure`.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.as_deref().is_some_and(|url| url.starts_with("https://"))
    }

    /// The URL a browser reached the server at: `--public-url`, else `http://` and the request's
    /// `Host` (the server then sits behind nothing that changes it), else the listen address.
    pub fn public_url(&self, headers: &axum::http::HeaderMap) -> String {
        if let Some(url) = &self.public_url {
            return url.clone();
        }
        let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
        let plausible = !host.is_empty()
            && host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b':' | b'-' | b'[' | b']'));
        if plausible {
            format!("http://{host}")
        } else {
            self.listen_url.clone()
        }
    }
}

impl Settings {
    /// How long an agent may stay silent before its site counts as offline.
    pub fn offline_after(&self) -> chrono::Duration {
        chrono::Duration::seconds(3 * i64::from(self.agent_status_interval_secs))
    }
}

#[derive(Clone)]
pub struct AppState {
    /// Connections as `patronus_app`, the role that owns nothing.
    pub pool: PgPool,
    pub keys: Arc<KeyRing>,
    pub limiter: Arc<RateLimiter>,
    pub metrics: Arc<Metrics>,
    pub settings: Arc<Settings>,
    pub config_watch: Arc<ConfigWatch>,
    pub networks: Arc<NetworkCache>,
    pub token_uses: Arc<crate::auth::UseRecorder>,
    pub credentials: Arc<crate::auth::credential_cache::CredentialCache>,
    /// The built web portal served at `/` (`--web-dir`), when there is one.
    pub portal: Option<Arc<crate::portal::Portal>>,
    /// OIDC discovery documents and their keys, by issuer.
    pub oidc: Arc<crate::oidc::Discovery>,
}

/// The authenticated, rate-limited API under `/v1`.
fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(tenants::list, tenants::create))
        .routes(routes!(tenants::get, tenants::update, tenants::delete))
        .routes(routes!(platform::create_tenant_token))
        .routes(routes!(platform::list_signing_keys, platform::rotate_signing_key))
        .routes(routes!(audit_events::list_platform))
        .routes(routes!(auth::login))
        .routes(routes!(auth::refresh))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::whoami))
        .routes(routes!(auth::get_session, auth::create_session, auth::delete_session))
        .routes(routes!(oidc::login_methods))
        .routes(routes!(oidc::oidc_login))
        .routes(routes!(oidc::oidc_callback))
        .routes(routes!(identity_provider::get, identity_provider::put, identity_provider::delete))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::get, users::update, users::delete))
        .routes(routes!(users::set_password))
        .routes(routes!(api_tokens::list, api_tokens::create))
        .routes(routes!(api_tokens::get, api_tokens::update, api_tokens::delete))
        .routes(routes!(audit_events::list))
        .routes(routes!(sites::list, sites::create))
        .routes(routes!(sites::get, sites::update, sites::delete))
        .routes(routes!(sites::config))
        .routes(routes!(enrollment::list_tokens, enrollment::create_token))
        .routes(routes!(enrollment::revoke_token))
        .routes(routes!(enrollment::get_agent, enrollment::revoke_agent))
        .routes(routes!(enrollment::site_status))
        .routes(routes!(fleet::status))
        .routes(routes!(path_health::current))
        .routes(routes!(path_health::history))
        .routes(routes!(path_health::failover_events))
        .routes(routes!(agent::enroll))
        .routes(routes!(agent::config))
        .routes(routes!(agent::status))
        .routes(routes!(links::list, links::create))
        .routes(routes!(links::get, links::update, links::delete))
        .routes(routes!(topology::get, topology::put))
        .routes(routes!(bgp::get, bgp::put, bgp::delete))
        .routes(routes!(bgp_routes::list_routes))
        // A site's whole BGP table can be larger than any other request.
        .merge(
            OpenApiRouter::new()
                .routes(routes!(bgp_routes::report_routes))
                .layer(axum::extract::DefaultBodyLimit::max(bgp_routes::MAX_REPORT_BYTES))
                .layer(axum::Extension(crate::extract::BodyLimit(bgp_routes::MAX_REPORT_BYTES))),
        )
        .routes(routes!(peerings::list, peerings::create))
        .routes(routes!(peerings::get, peerings::update, peerings::delete))
        .routes(routes!(qos_classes::list, qos_classes::create))
        .routes(routes!(qos_classes::get, qos_classes::update, qos_classes::delete))
        .routes(routes!(applications::list, applications::create))
        .routes(routes!(applications::get, applications::update, applications::delete))
        .routes(routes!(policies::list, policies::create))
        .routes(routes!(policies::get, policies::update, policies::delete))
}

fn public_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(health::metrics))
}

/// The OpenAPI document the server serves at `/v1/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, spec) = OpenApiRouter::<AppState>::with_openapi(crate::openapi::ApiDoc::openapi())
        .merge(public_routes())
        .merge(api_routes())
        .split_for_parts();
    let mut spec = spec;
    crate::openapi::add_error_responses(&mut spec);
    spec
}

pub fn router(state: AppState) -> Router {
    let spec = Arc::new(openapi());
    let (api, _) = api_routes().split_for_parts();
    let api = api
        .layer(from_fn_with_state(state.clone(), crate::idempotency::idempotency))
        .layer(from_fn_with_state(state.clone(), crate::auth::authenticate));
    let (public, _) = public_routes().split_for_parts();
    let request_id = HeaderName::from_static("x-request-id");

    Router::new()
        .merge(public)
        .merge(api)
        .route("/v1/openapi.json", get(move || async move { axum::Json(spec.as_ref().clone()) }))
        .fallback(crate::portal::fallback)
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(from_fn_with_state(state.clone(), crate::metrics::track))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
        .layer(CatchPanicLayer::custom(|_panic: Box<dyn std::any::Any + Send>| -> Response<axum::body::Body> {
            ApiError::Internal(anyhow::anyhow!("handler panicked")).into_response()
        }))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<axum::body::Body>| {
                    let request_id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
                    // The route (its template) and the tenant are recorded once known: by the
                    // metrics layer inside the router, and by authentication.
                    tracing::info_span!(
                        "request",
                        otel.name = %req.method(),
                        otel.kind = "server",
                        method = %req.method(),
                        path = %req.uri().path(),
                        request_id = %request_id,
                        http.route = tracing::field::Empty,
                        http.response.status_code = tracing::field::Empty,
                        tenant_id = tracing::field::Empty,
                    )
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}
