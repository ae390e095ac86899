//! The API's one error type. Every variant renders as RFC 9457 `application/problem+json`; the
//! status code of each is written next to it. Internal detail is logged, never returned.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use patronus_api::{FieldError, Problem};

use crate::db::UniqueViolation;
use crate::resource::Kind;
use crate::validate::FieldErrors;

pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: a request that cannot be read at all (malformed JSON, a bad id in the path).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// 422: a readable request whose fields are invalid.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// 401: no credential, or one that is unknown, expired or revoked.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// 403: a valid credential whose role or scope does not allow this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// 404: no such resource, or it belongs to another tenant.
    #[error("{0} not found")]
    NotFound(Kind),
    /// 404 for a path no route matches.
    #[error("no route")]
    NoRoute,
    /// 405
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 409: the request clashes with existing state; `pointer` names the field when one does.
    #[error("conflict: {detail}")]
    Conflict { detail: String, pointer: Option<String> },
    /// 409: a quota would be exceeded.
    #[error("quota {quota} exceeded")]
    QuotaExceeded { quota: &'static str, limit: i64 },
    /// 412: `If-Match` names a version that is no longer current.
    #[error("precondition failed")]
    PreconditionFailed,
    /// 413
    #[error("payload too large")]
    PayloadTooLarge(usize),
    /// 415
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// 422: an Idempotency-Key reused with a different request.
    #[error("idempotency key reused")]
    IdempotencyKeyReused,
    /// 409: the first request with this Idempotency-Key has not finished.
    #[error("idempotency key in progress")]
    IdempotencyKeyInProgress,
    /// 429
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    /// 503: a dependency (the database) is down.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// 500: a bug. Logged with detail, answered without.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn field(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError { pointer: pointer.into(), detail: detail.into() }])
    }

    pub fn conflict(pointer: &str, detail: impl Into<String>) -> Self {
        ApiError::Conflict { detail: detail.into(), pointer: Some(pointer.to_string()) }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Validation(_) | ApiError::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) | ApiError::NoRoute => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } | ApiError::QuotaExceeded { .. } | ApiError::IdempotencyKeyInProgress => {
                StatusCode::CONFLICT
            }
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable `type` slug and human title of each problem.
    fn kind(&self) -> (&'static str, &'static str) {
        match self {
            ApiError::BadRequest(_) => ("bad-request", "The request could not be read"),
            ApiError::Validation(_) => ("validation", "The request has invalid fields"),
            ApiError::Unauthorized(_) => ("unauthorized", "Authentication required"),
            ApiError::Forbidden(_) => ("forbidden", "Not allowed"),
            ApiError::NotFound(_) | ApiError::NoRoute => ("not-found", "Not found"),
            ApiError::MethodNotAllowed => ("method-not-allowed", "Method not allowed"),
            ApiError::Conflict { .. } => ("conflict", "Conflict with existing state"),
            ApiError::QuotaExceeded { .. } => ("quota-exceeded", "Quota exceeded"),
            ApiError::PreconditionFailed => ("precondition-failed", "The resource has changed"),
            ApiError::PayloadTooLarge(_) => ("payload-too-large", "Request body too large"),
            ApiError::UnsupportedMediaType => ("unsupported-media-type", "Unsupported media type"),
            ApiError::IdempotencyKeyReused => {
                ("idempotency-key-reused", "Idempotency-Key reused with a different request")
            }
            ApiError::IdempotencyKeyInProgress => {
                ("idempotency-key-in-progress", "A request with this Idempotency-Key is in progress")
            }
            ApiError::RateLimited { .. } => ("rate-limited", "Too many requests"),
            ApiError::Unavailable(_) => ("unavailable", "Service unavailable"),
            ApiError::Internal(_) => ("internal", "Internal server error"),
        }
    }

    pub fn to_problem(&self) -> Problem {
        let (slug, title) = self.kind();
        let mut problem = Problem {
            kind: format!("https://patronus.dev/problems/{slug}"),
            title: title.to_string(),
            status: self.status().as_u16(),
            detail: None,
            errors: Vec::new(),
            quota: None,
            limit: None,
        };
        problem.detail = Some(match self {
            ApiError::BadRequest(d) | ApiError::Unauthorized(d) | ApiError::Forbidden(d) | ApiError::Unavailable(d) => {
                d.clone()
            }
            ApiError::Validation(errors) => {
                problem.errors = errors.clone();
                errors.iter().map(|e| format!("{}: {}", e.pointer, e.detail)).collect::<Vec<_>>().join("; ")
            }
            ApiError::NotFound(what) => format!("{what} not found"),
            ApiError::NoRoute => "no such endpoint".to_string(),
            ApiError::MethodNotAllowed => "this endpoint does not accept that method".to_string(),
            ApiError::Conflict { detail, pointer } => {
                if let Some(pointer) = pointer {
                    problem.errors = vec![FieldError { pointer: pointer.clone(), detail: detail.clone() }];
                }
                detail.clone()
            }
            ApiError::QuotaExceeded { quota, limit } => {
                problem.quota = Some((*quota).to_string());
                problem.limit = Some(*limit);
                format!("the tenant's quota {quota} ({limit}) is reached")
            }
            ApiError::PreconditionFailed => {
                "If-Match does not match the current ETag; read the resource again and retry".to_string()
            }
            ApiError::PayloadTooLarge(max) => format!("the request body exceeds {max} bytes"),
            ApiError::UnsupportedMediaType => "send the body as application/json".to_string(),
            ApiError::IdempotencyKeyReused => {
                "this Idempotency-Key was used with a different request; use a new key".to_string()
            }
            ApiError::IdempotencyKeyInProgress => {
                "the first request with this Idempotency-Key is still being processed; retry later".to_string()
            }
            ApiError::RateLimited { retry_after_secs } => {
                format!("rate limit reached; retry after {retry_after_secs} s")
            }
            ApiError::Internal(_) => "an internal error occurred; it has been logged".to_string(),
        });
        problem
    }
}

impl From<FieldErrors> for ApiError {
    fn from(errors: FieldErrors) -> Self {
        ApiError::Validation(errors.0)
    }
}

impl From<UniqueViolation> for ApiError {
    fn from(v: UniqueViolation) -> Self {
        ApiError::conflict(v.pointer, v.detail)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        if let Some(violation) = UniqueViolation::of(&err) {
            return violation.into();
        }
        if is_unavailable(&err) {
            tracing::error!(error = %err, "database unavailable");
            return ApiError::Unavailable("the database is unavailable; retry later".to_string());
        }
        ApiError::Internal(anyhow::Error::new(err))
    }
}

/// Whether an error says the database is away (down, restarting, unreachable) rather than that
/// a query is wrong: those are 503s, and the pool reconnects by itself when it is back.
pub fn is_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| database_went_away(&code)),
        _ => false,
    }
}

/// SQLSTATEs with which PostgreSQL ends a connection when it goes away or is not there yet:
/// class 08 (connection exception), 57P01 admin_shutdown (fast shutdown, terminated backend),
/// 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up, recovering).
fn database_went_away(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03")
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // A database outage that reached here through `anyhow` is still an outage, not a bug.
        let this = match self {
            ApiError::Internal(err)
                if err.chain().any(|cause| cause.downcast_ref::<sqlx::Error>().is_some_and(is_unavailable)) =>
            {
                tracing::error!(error = %err, "database unavailable");
                ApiError::Unavailable("the database is unavailable; retry later".to_string())
            }
            other => other,
        };
        this.render()
    }
}

impl ApiError {
    fn render(self) -> Response {
        if let ApiError::Internal(err) = &self {
            tracing::error!(error = ?err, "internal error");
        }
        let status = self.status();
        let body = serde_json::to_vec(&self.to_problem()).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        match &self {
            ApiError::Unauthorized(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::RateLimited { retry_after_secs } => {
                if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                    headers.insert(header::RETRY_AFTER, v);
                }
            }
            ApiError::Unavailable(_) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            }
            ApiError::IdempotencyKeyInProgress => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            _ => {}
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::database_went_away;

    #[test]
    fn connection_loss_and_startup_codes_are_the_database_going_away() {
        for code in ["08000", "08003", "08006", "57P01", "57P02", "57P03"] {
            assert!(database_went_away(code), "{code}");
        }
        // A unique violation, a serialization failure, a cancelled statement: not an outage.
        for code in ["23505", "40001", "57014", "XX000"] {
            assert!(!database_went_away(code), "{code}");
        }
    }
}
