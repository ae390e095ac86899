//! Liveness, readiness, metrics and the OpenAPI document: unauthenticated and not rate-limited.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use patronus_api::Health;

use crate::app::AppState;
use crate::error::ApiError;

#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, description = "The process is up", body = Health)))]
pub async fn healthz() -> axum::Json<Health> {
    axum::Json(Health { status: "ok".into() })
}

#[utoipa::path(get, path = "/readyz", tag = "health",
    responses((status = 200, description = "The database answers", body = Health),
        (status = 503, description = "The database does not answer", body = patronus_api::Problem, content_type = "application/problem+json")))]
pub async fn readyz(State(app): State<AppState>) -> Result<axum::Json<Health>, ApiError> {
    let ping =
        tokio::time::timeout(std::time::Duration::from_secs(2), sqlx::query("SELECT 1").execute(&app.pool)).await;
    match ping {
        Ok(Ok(_)) => Ok(axum::Json(Health { status: "ready".into() })),
        _ => Err(ApiError::Unavailable("the database does not answer".into())),
    }
}

#[utoipa::path(get, path = "/metrics", tag = "health",
    responses((status = 200, description = "Prometheus text exposition", body = String, content_type = "text/plain")))]
pub async fn metrics(State(app): State<AppState>) -> impl IntoResponse {
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; version=0.0.4")], app.metrics.render())
}
