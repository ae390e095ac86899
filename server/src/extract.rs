//! Request extractors and response helpers that speak the API conventions: every rejection is a
//! problem+json 4xx with the field at fault, and every resource answer carries its ETag.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::ApiError;

/// Largest accepted request body.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A JSON body. Unlike axum's, its rejections are problem+json with a JSON Pointer to the field
/// that failed: 400 for malformed JSON, 415 for another content type, 413 when too large, 422
/// for a wrong type, a missing field or an unknown one.
pub struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(req.headers()) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge(MAX_BODY_BYTES)
            } else {
                ApiError::BadRequest(format!("could not read the request body: {rejection}"))
            }
        })?;
        parse_json(&bytes).map(Json)
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    let Some(content_type) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mime = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// Parses a JSON body, turning serde's errors into problem+json with the pointer of the field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize(de) {
        Ok(value) => Ok(value),
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            match inner.classify() {
                serde_json::error::Category::Syntax
                | serde_json::error::Category::Eof
                | serde_json::error::Category::Io => Err(ApiError::BadRequest(format!("malformed JSON: {inner}"))),
                serde_json::error::Category::Data => {
                    let message = strip_position(&inner.to_string());
                    Err(ApiError::field(pointer_for(&path, &message), message))
                }
            }
        }
    }
}

/// serde_json appends " at line L column C"; the pointer says where, so drop it.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Converts serde_path_to_error's `a.b[0]` path into a JSON Pointer, extended by the field name
/// when the error is about a missing field (serde reports that at the parent; an unknown field is
/// already the last segment of the path).
fn pointer_for(path: &str, message: &str) -> String {
    let mut pointer = String::new();
    if path != "." {
        for segment in path.split('.') {
            let mut rest = segment;
            if let Some(open) = rest.find('[') {
                let (name, indices) = rest.split_at(open);
                if !name.is_empty() {
                    pointer.push('/');
                    pointer.push_str(&escape_pointer(name));
                }
                rest = indices;
                for index in rest.split('[').filter(|s| !s.is_empty()) {
                    pointer.push('/');
                    pointer.push_str(index.trim_end_matches(']'));
                }
            } else if !rest.is_empty() {
                pointer.push('/');
                pointer.push_str(&escape_pointer(rest));
            }
        }
    }
    let marker = "missing field `";
    if let Some(start) = message.find(marker) {
        let after = &message[start + marker.len()..];
        if let Some(end) = after.find('`') {
            pointer.push('/');
            pointer.push_str(&escape_pointer(&after[..end]));
        }
    }
    if pointer.is_empty() {
        pointer.push('/');
    }
    pointer
}

fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Path parameters; a malformed one (a bad UUID) is a 400 that says which.
pub struct Path<T>(pub T);

impl<S, T> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| Path(v))
            .map_err(|rejection| ApiError::BadRequest(format!("invalid path parameter: {}", rejection.body_text())))
    }
}

/// Query parameters; a malformed one is a 422 pointing at `/query/<name>` when it can tell.
pub struct Query<T>(pub T);

impl<S, T> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded_deserializer(query);
        match de {
            Ok(v) => Ok(Query(v)),
            Err(message) => {
                let field =
                    message.split('`').nth(1).map(|f| format!("/query/{f}")).unwrap_or_else(|| "/query".to_string());
                Err(ApiError::field(field, message))
            }
        }
    }
}

fn serde_urlencoded_deserializer<T: DeserializeOwned>(query: &str) -> Result<T, String> {
    axum::extract::Query::<T>::try_from_uri(
        &format!("/?{query}").parse().map_err(|_| "invalid query string".to_string())?,
    )
    .map(|axum::extract::Query(v)| v)
    .map_err(|rejection| rejection.body_text().trim_start_matches("Failed to deserialize query string: ").to_string())
}

/// The `If-Match` header: `None` when absent, or empty (no entity tag at all, as an SDK sends
/// for "no precondition"). `*` matches any version.
#[derive(Debug, Clone)]
pub struct IfMatch(pub Option<Vec<String>>);

impl IfMatch {
    /// Checks a resource's current ETag against the header; 412 when the client's copy is stale.
    pub fn check(&self, current: &str) -> Result<(), ApiError> {
        match &self.0 {
            None => Ok(()),
            Some(tags) if tags.iter().any(|t| t == "*" || t == current || t.trim_start_matches("W/") == current) => {
                Ok(())
            }
            Some(_) => Err(ApiError::PreconditionFailed),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get(header::IF_MATCH) else {
            return Ok(IfMatch(None));
        };
        let value = value.to_str().map_err(|_| ApiError::BadRequest("If-Match is not valid ASCII".to_string()))?;
        let tags: Vec<String> = value.split(',').map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect();
        // RFC 9110 lists ignore empty elements; a header that names no tag asks for nothing.
        Ok(IfMatch(if tags.is_empty() { None } else { Some(tags) }))
    }
}

/// The strong ETag of a resource at a version.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// A resource answer: the JSON body plus its `ETag` header (and `Location` on create).
pub struct Resource<T> {
    pub status: StatusCode,
    pub etag: String,
    pub location: Option<String>,
    pub body: T,
}

impl<T> Resource<T> {
    pub fn ok(etag: String, body: T) -> Self {
        Resource { status: StatusCode::OK, etag, location: None, body }
    }

    pub fn created(etag: String, location: String, body: T) -> Self {
        Resource { status: StatusCode::CREATED, etag, location: Some(location), body }
    }
}

impl<T: Serialize> IntoResponse for Resource<T> {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body)).into_response();
        let headers = response.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&self.etag) {
            headers.insert(header::ETAG, v);
        }
        if let Some(location) = self.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
            headers.insert(header::LOCATION, location);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_follow_json_pointer_syntax() {
        assert_eq!(pointer_for("colour", "unknown field `colour`, expected `name`"), "/colour");
        assert_eq!(pointer_for("quotas", "missing field `max_users`"), "/quotas/max_users");
        assert_eq!(pointer_for("quotas.max_users", "invalid type"), "/quotas/max_users");
        assert_eq!(pointer_for("links[2].name", "invalid type"), "/links/2/name");
        assert_eq!(pointer_for(".", "invalid type: string"), "/");
        assert_eq!(pointer_for("a/b", "x"), "/a~1b");
    }

    #[test]
    fn if_match_accepts_current_and_star_and_rejects_stale() {
        assert!(IfMatch(None).check("\"3\"").is_ok());
        assert!(IfMatch(Some(vec!["*".into()])).check("\"3\"").is_ok());
        assert!(IfMatch(Some(vec!["\"2\"".into(), "\"3\"".into()])).check("\"3\"").is_ok());
        assert!(matches!(IfMatch(Some(vec!["\"2\"".into()])).check("\"3\""), Err(ApiError::PreconditionFailed)));
    }

    #[test]
    fn json_errors_name_the_field() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Body {
            name: String,
            count: i32,
        }
        let err = parse_json::<Body>(br#"{"name":"a","count":"x"}"#).unwrap_err();
        let ApiError::Validation(errors) = err else { panic!("expected validation") };
        assert_eq!(errors[0].pointer, "/count");
        assert!(matches!(parse_json::<Body>(b"{\"name\":"), Err(ApiError::BadRequest(_))));
        let ApiError::Validation(errors) = parse_json::<Body>(br#"{"name":"a","count":1,"x":2}"#).unwrap_err() else {
            panic!("expected validation")
        };
        assert_eq!(errors[0].pointer, "/x");
    }
}
