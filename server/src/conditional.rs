//! Conditional reads for clients that poll (the portal's live pages, dashboards): the ETag of a
//! JSON answer is a hash of its bytes, and a request whose `If-None-Match` names it gets a 304
//! without the body. The server still does the read; what it saves is the transfer and the
//! client's work on an unchanged answer.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::ApiResult;

/// Whether an `If-None-Match` header names `etag` (a list, weak or strong, or `*`).
pub fn none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').map(str::trim).any(|t| t == "*" || t.trim_start_matches("W/") == etag))
}

/// `value` as JSON with an ETag of its bytes, or a 304 when `If-None-Match` names that ETag.
pub fn json<T: Serialize>(headers: &HeaderMap, value: &T) -> ApiResult<Response> {
    let body = serde_json::to_vec(value).map_err(anyhow::Error::from)?;
    let digest = Sha256::digest(&body);
    let etag = format!("\"{}\"", hex::encode(&digest[..16]));
    let fresh = none_match(headers, &etag);
    let etag = HeaderValue::from_str(&etag).map_err(anyhow::Error::from)?;
    if fresh {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    Ok((
        StatusCode::OK,
        [(header::ETAG, etag), (header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_str(value).unwrap_or(HeaderValue::from_static("")));
        h
    }

    #[test]
    fn if_none_match_names_the_etag_in_a_list_weak_or_any() {
        assert!(none_match(&with("\"a\""), "\"a\""));
        assert!(none_match(&with("\"x\", W/\"a\""), "\"a\""));
        assert!(none_match(&with("*"), "\"a\""));
        assert!(!none_match(&with("\"b\""), "\"a\""));
        assert!(!none_match(&HeaderMap::new(), "\"a\""));
    }
}
