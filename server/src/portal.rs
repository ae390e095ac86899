//! The tenant portal (`web/`): its built files served at `/`, read once from `--web-dir`.
//!
//! Everything the router does not match ends here. Paths under `/v1` stay the API's: a 404 or 405
//! problem, never the portal's page. Other `GET`s get the file of that name, or `index.html` so
//! that the single-page app routes on the client (a missing file under `/assets/` is a 404: an
//! asset name that does not exist is a stale page, and HTML in its place would only confuse the
//! browser). Every answer carries a content security policy that allows scripts, styles and
//! requests from this origin only, so no inline script can run. Vite names the files in
//! `/assets/` by their content, so they are cached for a year; `index.html` (and anything else) is
//! revalidated on every load (`no-cache` with an ETag), so a new build is seen at once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, Response, StatusCode, Uri};
use axum::response::IntoResponse;
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::error::ApiError;

/// The portal's content security policy: this origin only, no inline script or style, no
/// plugins, no framing, no `<base>` redirection.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// Hashed, content-named assets (Vite's `assets/` folder) are never revalidated.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// A built portal is a few dozen files; more than this is a wrong `--web-dir`.
const MAX_FILES: usize = 2000;
const MAX_TOTAL_BYTES: u64 = 64 * 1024 * 1024;

struct File {
    body: bytes::Bytes,
    content_type: &'static str,
    etag: HeaderValue,
}

/// The built portal, in memory: a restart serves a new build.
pub struct Portal {
    files: HashMap<String, File>,
}

impl Portal {
    /// Reads every file under `dir`, which must hold an `index.html`.
    pub fn load(dir: &Path) -> anyhow::Result<Portal> {
        let mut files = HashMap::new();
        let mut total = 0u64;
        let mut stack = vec![PathBuf::from(dir)];
        while let Some(current) = stack.pop() {
            let entries = std::fs::read_dir(&current).with_context(|| format!("reading {}", current.display()))?;
            for entry in entries {
                let entry = entry?;
                let path = entry.path();
                let kind = entry.file_type()?;
                if kind.is_dir() {
                    stack.push(path);
                    continue;
                }
                if !kind.is_file() {
                    continue;
                }
                let rel = path.strip_prefix(dir)?;
                let Some(rel) = rel.to_str() else { continue };
                let body = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
                total += body.len() as u64;
                anyhow::ensure!(
                    files.len() < MAX_FILES && total <= MAX_TOTAL_BYTES,
                    "{} holds more than {MAX_FILES} files or {MAX_TOTAL_BYTES} bytes: is it a built portal?",
                    dir.display()
                );
                let digest = Sha256::digest(&body);
                let etag = HeaderValue::from_str(&format!("\"{}\"", hex::encode(&digest[..16])))?;
                files.insert(
                    format!("/{}", rel.replace(std::path::MAIN_SEPARATOR, "/")),
                    File { body: body.into(), content_type: content_type(rel), etag },
                );
            }
        }
        anyhow::ensure!(
            files.contains_key("/index.html"),
            "{} has no index.html: build the portal first (cd web && npm ci && npm run build)",
            dir.display()
        );
        Ok(Portal { files })
    }

    fn respond(&self, path: &str, headers: &HeaderMap, head: bool) -> Response<Body> {
        let (name, file) = match self.files.get_key_value(path) {
            Some((name, file)) if path != "/" => (name.as_str(), file),
            _ if path.starts_with("/assets/") => return ApiError::NoRoute.into_response(),
            _ => match self.files.get_key_value("/index.html") {
                Some((name, file)) => (name.as_str(), file),
                None => return ApiError::NoRoute.into_response(),
            },
        };
        let cache = if name.starts_with("/assets/") { IMMUTABLE } else { REVALIDATE };
        let fresh = headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|tag| tag.trim().trim_start_matches("W/") == file.etag));
        let mut response = if fresh {
            Response::builder().status(StatusCode::NOT_MODIFIED).body(Body::empty())
        } else {
            Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, file.content_type)
                .header(header::CONTENT_LENGTH, file.body.len())
                .body(if head { Body::empty() } else { Body::from(file.body.clone()) })
        }
        .unwrap_or_default();
        let h = response.headers_mut();
        h.insert(header::ETAG, file.etag.clone());
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        security_headers(h);
        response
    }
}

/// What every portal answer carries.
fn security_headers(h: &mut HeaderMap) {
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The API's paths: what the router does not match there is the API's 404, not the portal.
fn is_api_path(path: &str) -> bool {
    path == "/v1" || path.starts_with("/v1/")
}

/// The router's fallback: the API's 404 and 405 under `/v1` (and everywhere when no portal is
/// configured), the portal's files otherwise.
pub async fn fallback(State(app): State<AppState>, method: Method, uri: Uri, headers: HeaderMap) -> Response<Body> {
    let path = uri.path();
    let Some(portal) = app.portal.as_deref() else {
        return ApiError::NoRoute.into_response();
    };
    if is_api_path(path) {
        return ApiError::NoRoute.into_response();
    }
    if method != Method::GET && method != Method::HEAD {
        return ApiError::MethodNotAllowed.into_response();
    }
    portal.respond(path, &headers, method == Method::HEAD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_paths_are_the_apis() {
        assert!(is_api_path("/v1"));
        assert!(is_api_path("/v1/nope"));
        assert!(!is_api_path("/v1x"));
        assert!(!is_api_path("/sites/v1"));
    }

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type("assets/index-abc.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
    }
}
