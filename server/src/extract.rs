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
use crate::pagination::PageRequest;

/// Largest accepted request body.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A route's own body limit, when it has one (set beside its `DefaultBodyLimit`), so that a 413
/// states the limit that applied.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A JSON body. Unlike axum's, its rejections are problem+json with a JSON Pointer to the field
/// that failed: 400 for malformed JSON, 415 for another content type, 413 when too large, 422
/// for a wrong type, a missing field or an unknown one.
pub struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    T: DeserializeOwned + Serialize,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(req.headers()) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let limit = req.extensions().get::<BodyLimit>().map_or(MAX_BODY_BYTES, |l| l.0);
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge(limit)
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
///
/// The body is read as a JSON value first, with two rules of its own: a key given twice in an
/// object is an error, and a whole number written with a fraction (`100.0`, `1e3`) is an integer,
/// as it is for JSON Schema's `integer`. Then the value is read as `T`, and an object that serde
/// read from an array of its fields in order (`[null, null]`) is refused: an object is an object.
pub fn parse_json<T: DeserializeOwned + Serialize>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let StrictValue(value) = serde_path_to_error::deserialize(&mut *de).map_err(json_error)?;
    de.end().map_err(|err| ApiError::BadRequest(format!("malformed JSON: {err}")))?;
    let parsed: T = serde_path_to_error::deserialize(&value).map_err(json_error)?;
    let read = serde_json::to_value(&parsed).map_err(|err| ApiError::Internal(err.into()))?;
    match array_for_object(&value, &read, &mut String::new()) {
        Some(pointer) => {
            let pointer = if pointer.is_empty() { "/".to_string() } else { pointer };
            Err(ApiError::field(pointer, "invalid type: array, expected an object"))
        }
        None => Ok(parsed),
    }
}

fn json_error(err: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    {
        {
            let path = err.path().to_string();
            let inner = err.into_inner();
            match inner.classify() {
                serde_json::error::Category::Syntax
                | serde_json::error::Category::Eof
                | serde_json::error::Category::Io => ApiError::BadRequest(format!("malformed JSON: {inner}")),
                serde_json::error::Category::Data => {
                    let message = strip_position(&inner.to_string());
                    ApiError::field(pointer_for(&path, &message), message)
                }
            }
        }
    }
}

/// A JSON value read with the two rules of `parse_json`.
struct StrictValue(serde_json::Value);

impl<'de> serde::Deserialize<'de> for StrictValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = StrictValue;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<StrictValue, E> {
        Ok(StrictValue(v.into()))
    }

    fn visit_i64<E>(self, v: i64) -> Result<StrictValue, E> {
        Ok(StrictValue(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<StrictValue, E> {
        Ok(StrictValue(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<StrictValue, E> {
        // Exact: the bounds are powers of two and `v` is whole.
        let two_63 = 2f64.powi(63);
        Ok(StrictValue(if v.fract() == 0.0 && (-two_63..two_63).contains(&v) {
            (v as i64).into()
        } else if v.fract() == 0.0 && (0.0..2.0 * two_63).contains(&v) {
            (v as u64).into()
        } else {
            v.into()
        }))
    }

    fn visit_str<E>(self, v: &str) -> Result<StrictValue, E> {
        Ok(StrictValue(v.into()))
    }

    fn visit_string<E>(self, v: String) -> Result<StrictValue, E> {
        Ok(StrictValue(v.into()))
    }

    fn visit_unit<E>(self) -> Result<StrictValue, E> {
        Ok(StrictValue(serde_json::Value::Null))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<StrictValue, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(StrictValue(items.into()))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<StrictValue, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(serde::de::Error::custom(format_args!("duplicate field `{key}`")));
            }
            let StrictValue(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(StrictValue(object.into()))
    }
}

/// The JSON Pointer of the first place where the request has an array and what was read from it
/// is an object.
fn array_for_object(given: &serde_json::Value, read: &serde_json::Value, pointer: &mut String) -> Option<String> {
    use serde_json::Value;
    match (given, read) {
        (Value::Array(_), Value::Object(_)) => Some(pointer.clone()),
        (Value::Array(given), Value::Array(read)) => given.iter().zip(read).enumerate().find_map(|(i, (g, r))| {
            let len = pointer.len();
            pointer.push_str(&format!("/{i}"));
            let found = array_for_object(g, r, pointer);
            pointer.truncate(len);
            found
        }),
        (Value::Object(given), Value::Object(read)) => read.iter().find_map(|(key, r)| {
            let g = given.get(key)?;
            let len = pointer.len();
            pointer.push('/');
            pointer.push_str(&escape_pointer(key));
            let found = array_for_object(g, r, pointer);
            pointer.truncate(len);
            found
        }),
        _ => None,
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
    let marker = if message.contains("duplicate field `") { "duplicate field `" } else { "missing field `" };
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

pub use crate::resource::etag;

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

impl<T: Serialize> Resource<T> {
    fn headers(&self) -> axum::http::HeaderMap {
        let mut headers = axum::http::HeaderMap::new();
        if let Ok(v) = HeaderValue::from_str(&self.etag) {
            headers.insert(header::ETAG, v);
        }
        if let Some(location) = self.location.as_deref().and_then(|l| HeaderValue::from_str(l).ok()) {
            headers.insert(header::LOCATION, location);
        }
        headers
    }

    /// This response as an Idempotency-Key keeps it.
    pub fn answer(&self) -> crate::idempotency::Answer {
        let body = serde_json::to_vec(&self.body).unwrap_or_default();
        crate::idempotency::Answer::of(self.status, &self.headers(), &body)
    }
}

impl<T: Serialize> IntoResponse for Resource<T> {
    fn into_response(self) -> Response {
        let headers = self.headers();
        let mut response = (self.status, axum::Json(self.body)).into_response();
        response.headers_mut().extend(headers);
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
        #[derive(serde::Deserialize, serde::Serialize, Debug)]
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

/// The query parameters of every list, as the spec shows them; handlers take a [`PageRequest`].
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// The `next_cursor` of the previous page (opaque); the first page when absent or empty.
    #[param(pattern = r"^([A-Za-z0-9_-]{21}[AQgw])?$")]
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// A list's `cursor` and `limit`, read from the query string; a bad one is a 422.
impl<S: Send + Sync> FromRequestParts<S> for PageRequest {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Query(p) = Query::<PageParams>::from_request_parts(parts, state).await?;
        Ok(PageRequest::new(p.cursor.as_deref(), p.limit)?)
    }
}
