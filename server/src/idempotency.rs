//! `Idempotency-Key` on POST: the first request with a key runs and its response is kept for 24
//! hours; a replay with the same body gets that response again (with `Idempotent-Replayed: true`)
//! and creates nothing; a replay with a different body is a 422. Secrets in a kept response are
//! redacted before it is stored, so a replayed token creation does not show the secret again.
//!
//! A crash must not leave a key stuck or a write unanswered: the claim carries a token, a write
//! keeps its answer under that token in its own transaction (see `pipeline::write`), and a claim
//! still unanswered after the lease (`PATRONUS_IDEMPOTENCY_LEASE`) may be taken over by a retry.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::app::AppState;
use crate::audit::redact;
use crate::auth::Principal;
use crate::db;
use crate::error::ApiError;
use crate::extract::MAX_BODY_BYTES;

pub const HEADER: &str = "idempotency-key";
const REPLAYED: &str = "idempotent-replayed";
/// Response headers that belong to the replayed answer.
/// The key a request holds while it runs, in its extensions.
#[derive(Debug, Clone)]
pub struct Claim {
    pub scope: String,
    pub key: String,
    pub token: Uuid,
}

/// An answer as it is kept: status, redacted body and the headers that belong to it.
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    pub headers: serde_json::Value,
}

impl Answer {
    pub fn of(status: StatusCode, headers: &axum::http::HeaderMap, body: &[u8]) -> Answer {
        let mut kept = serde_json::Map::new();
        for name in KEPT_HEADERS {
            if let Some(v) = headers.get(&name).and_then(|v| v.to_str().ok()) {
                kept.insert(name.as_str().to_string(), serde_json::Value::String(v.to_string()));
            }
        }
        Answer { status: status.as_u16(), body: redacted_body(body), headers: serde_json::Value::Object(kept) }
    }

    /// Keeps this answer under `claim`; false when a retry has taken the claim over.
    pub async fn keep(&self, ex: impl sqlx::PgExecutor<'_>, claim: &Claim) -> Result<bool, sqlx::Error> {
        db::idempotency::answer(ex, &claim.scope, &claim.key, claim.token, self.status, &self.body, &self.headers).await
    }

    /// Keeps this answer inside a write's transaction when the request holds a claim, so a crash
    /// between the commit and the answer leaves it for the retry; a claim a retry took over after
    /// the lease refuses the write.
    pub async fn keep_with_write(&self, ex: impl sqlx::PgExecutor<'_>, claim: Option<&Claim>) -> Result<(), ApiError> {
        match claim {
            Some(claim) if !self.keep(ex, claim).await? => Err(ApiError::IdempotencyKeyInProgress),
            _ => Ok(()),
        }
    }
}

const KEPT_HEADERS: [HeaderName; 3] = [header::CONTENT_TYPE, header::ETAG, header::LOCATION];

pub async fn idempotency(State(app): State<AppState>, req: Request, next: Next) -> Response {
    match handle(app, req, next).await {
        Ok(response) => response,
        Err(err) => err.into_response(),
    }
}

async fn handle(app: AppState, req: Request, next: Next) -> Result<Response, ApiError> {
    if req.method() != Method::POST {
        return Ok(next.run(req).await);
    }
    let Some(key) = req.headers().get(HEADER) else {
        return Ok(next.run(req).await);
    };
    let key = key
        .to_str()
        .ok()
        .filter(|k| !k.is_empty() && k.len() <= 255)
        .ok_or_else(|| ApiError::BadRequest("Idempotency-Key must be 1 to 255 visible ASCII characters".into()))?
        .to_string();
    let Some(principal) = req.extensions().get::<Principal>().cloned() else {
        // Anonymous POSTs (login) create nothing that a retry could duplicate.
        return Ok(next.run(req).await);
    };

    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| ApiError::PayloadTooLarge(MAX_BODY_BYTES))?;
    let mut hasher = Sha256::new();
    hasher.update(parts.method.as_str());
    hasher.update([0]);
    hasher.update(parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or(""));
    hasher.update([0]);
    hasher.update(&bytes);
    let request_hash = hasher.finalize().to_vec();

    let claim = Claim { scope: principal.key(), key, token: Uuid::new_v4() };
    let tenant_id = principal.tenant_id();
    let claimed = {
        let mut tx = scoped_tx(&app, tenant_id).await?;
        let lease = app.settings.idempotency_lease_secs;
        let claimed =
            db::idempotency::claim(&mut *tx, &claim.scope, &claim.key, tenant_id, &request_hash, claim.token, lease)
                .await?;
        tx.commit().await?;
        claimed
    };
    if !claimed {
        let mut tx = scoped_tx(&app, tenant_id).await?;
        let row = db::idempotency::get(&mut *tx, &claim.scope, &claim.key).await?;
        tx.commit().await?;
        let Some(row) = row else {
            return Err(ApiError::IdempotencyKeyInProgress);
        };
        if row.request_hash != request_hash {
            return Err(ApiError::IdempotencyKeyReused);
        }
        let (Some(status), Some(body)) = (row.status, row.response) else {
            return Err(ApiError::IdempotencyKeyInProgress);
        };
        return Ok(replay(status, body, row.headers));
    }

    let mut request = Request::from_parts(parts, Body::from(bytes));
    request.extensions_mut().insert(claim.clone());
    let response = next.run(request).await;
    let (parts, body) = response.into_parts();
    let body = to_bytes(body, 16 * MAX_BODY_BYTES)
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("buffering response: {e}")))?;
    if parts.status.is_server_error() {
        // A server error frees the key for a retry (unless a write already kept its answer: then
        // the retry gets that). When the error was the database going away, the release waits
        // for it to come back rather than leave the key stuck for the whole lease.
        if let Err(err) = release(&app, tenant_id, &claim).await {
            tracing::warn!(error = %err, "releasing an Idempotency-Key claim failed; retrying in the background");
            tokio::spawn(release_later(app, tenant_id, claim));
        }
    } else {
        // Replaces what a write kept before its commit with the exact answer.
        let mut tx = scoped_tx(&app, tenant_id).await?;
        Answer::of(parts.status, &parts.headers, &body).keep(&mut *tx, &claim).await?;
        tx.commit().await?;
    }
    Ok(Response::from_parts(parts, Body::from(body)))
}

async fn release(app: &AppState, tenant_id: Option<Uuid>, claim: &Claim) -> Result<(), sqlx::Error> {
    let mut tx = scoped_tx(app, tenant_id).await?;
    db::idempotency::release(&mut *tx, &claim.scope, &claim.key, claim.token).await?;
    tx.commit().await
}

/// Retries a release once a second until it works or the lease ends (a retry takes the claim
/// over then anyway).
async fn release_later(app: AppState, tenant_id: Option<Uuid>, claim: Claim) {
    for _ in 0..app.settings.idempotency_lease_secs {
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        if release(&app, tenant_id, &claim).await.is_ok() {
            return;
        }
    }
}

async fn scoped_tx(app: &AppState, tenant_id: Option<uuid::Uuid>) -> Result<db::Tx, sqlx::Error> {
    match tenant_id {
        Some(t) => db::tenant_tx(&app.pool, t).await,
        None => db::platform_tx(&app.pool).await,
    }
}

fn redacted_body(body: &[u8]) -> Vec<u8> {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(mut value) => {
            redact(&mut value);
            serde_json::to_vec(&value).unwrap_or_default()
        }
        Err(_) => body.to_vec(),
    }
}

fn replay(status: i32, body: Vec<u8>, headers: Option<serde_json::Value>) -> Response {
    let status = u16::try_from(status).ok().and_then(|s| StatusCode::from_u16(s).ok()).unwrap_or(StatusCode::OK);
    let mut response = (status, body).into_response();
    if let Some(serde_json::Value::Object(map)) = headers {
        for (name, value) in map {
            if let (Ok(name), Some(Ok(value))) =
                (HeaderName::try_from(name.as_str()), value.as_str().map(HeaderValue::from_str))
            {
                response.headers_mut().insert(name, value);
            }
        }
    }
    response.headers_mut().insert(REPLAYED, HeaderValue::from_static("true"));
    response
}
