//! `Idempotency-Key` on POST: the first request with a key runs and its response is kept for 24
//! hours; a replay with the same body gets that response again (with `Idempotent-Replayed: true`)
//! and creates nothing; a replay with a different body is a 422. Secrets in a kept response are
//! redacted before it is stored, so a replayed token creation does not show the secret again.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::audit::redact;
use crate::auth::Principal;
use crate::db;
use crate::error::ApiError;
use crate::extract::MAX_BODY_BYTES;

pub const HEADER: &str = "idempotency-key";
const REPLAYED: &str = "idempotent-replayed";
/// Response headers that belong to the replayed answer.
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

    let scope = principal.key();
    let tenant_id = principal.tenant_id();
    let claimed = {
        let mut tx = scoped_tx(&app, tenant_id).await?;
        let claimed = db::idempotency::claim(&mut *tx, &scope, &key, tenant_id, &request_hash).await?;
        tx.commit().await?;
        claimed
    };
    if !claimed {
        let mut tx = scoped_tx(&app, tenant_id).await?;
        let row = db::idempotency::get(&mut *tx, &scope, &key).await?;
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

    let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let (parts, body) = response.into_parts();
    let body = to_bytes(body, 16 * MAX_BODY_BYTES)
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("buffering response: {e}")))?;
    let mut tx = scoped_tx(&app, tenant_id).await?;
    if parts.status.is_server_error() {
        db::idempotency::release(&mut *tx, &scope, &key).await?;
    } else {
        let mut kept = serde_json::Map::new();
        for name in KEPT_HEADERS {
            if let Some(v) = parts.headers.get(&name).and_then(|v| v.to_str().ok()) {
                kept.insert(name.as_str().to_string(), serde_json::Value::String(v.to_string()));
            }
        }
        let stored = redacted_body(&body);
        db::idempotency::complete(
            &mut *tx,
            &scope,
            &key,
            parts.status.as_u16(),
            &stored,
            &serde_json::Value::Object(kept),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Response::from_parts(parts, Body::from(body)))
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
