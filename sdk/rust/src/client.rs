//! An HTTP client for the Patronus API, with the semantics every Patronus SDK shares:
//! configuration from arguments or `PATRONUS_URL`/`PATRONUS_TOKEN`, errors that carry the
//! problem+json document, retries with backoff on 429 and 503 honouring `Retry-After`, an
//! `Idempotency-Key` on every POST so that a retry never creates twice, `If-Match` on updates,
//! and lists followed across their pages.

use std::time::Duration;

use rand::Rng;
use reqwest::header::{HeaderMap, HeaderValue, ETAG, IF_MATCH, IF_NONE_MATCH, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;

use crate::{
    AgentStatusReport, CompiledConfig, EnrollRequest, EnrollResponse, LearnedRoute, LearnedRoutesAnswer,
    LearnedRoutesReport, Link, NewLink, NewSite, Page, Problem, Site, SiteUpdate,
};

#[derive(Debug)]
pub enum Error {
    /// The server answered with an error status and a problem document.
    Api { status: u16, problem: Box<Problem> },
    /// The request did not get an answer (connection refused, timeout, TLS).
    Transport(reqwest::Error),
    /// The answer could not be read as the expected type.
    Decode(String),
    /// The client is misconfigured (no URL, a token that is not a valid header).
    Config(String),
}

/// What an API error means to a caller, from its status code (never from its text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// 400, 413, 415: the request itself is malformed.
    BadRequest,
    /// 401: no valid credential.
    Unauthorized,
    /// 403: the credential's role may not do this.
    Forbidden,
    /// 404: no such resource (or another tenant's).
    NotFound,
    /// 409: a conflict with existing state (a name taken, a resource in use).
    Conflict,
    /// 412: `If-Match` named a version that is no longer current.
    PreconditionFailed,
    /// 422: invalid fields; [`Error::field_errors`] says which.
    Validation,
    /// 429: rate limited, still after the retries.
    RateLimited,
    /// 5xx: the server failed.
    Server,
    /// Any other status.
    Other,
}

impl Error {
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The kind of an API error; `None` for errors that got no answer.
    pub fn kind(&self) -> Option<ErrorKind> {
        Some(match self.status()? {
            400 | 413 | 415 => ErrorKind::BadRequest,
            401 => ErrorKind::Unauthorized,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            412 => ErrorKind::PreconditionFailed,
            422 => ErrorKind::Validation,
            429 => ErrorKind::RateLimited,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::Other,
        })
    }

    pub fn is_not_found(&self) -> bool {
        self.kind() == Some(ErrorKind::NotFound)
    }

    pub fn is_precondition_failed(&self) -> bool {
        self.kind() == Some(ErrorKind::PreconditionFailed)
    }

    /// The field errors of a validation problem, as (JSON Pointer, detail).
    pub fn field_errors(&self) -> Vec<(&str, &str)> {
        self.problem()
            .map(|p| p.errors.iter().map(|e| (e.pointer.as_str(), e.detail.as_str())).collect())
            .unwrap_or_default()
    }

    /// The problem document, for an API error.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            Error::Api { problem, .. } => Some(problem),
            _ => None,
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Api { status, problem } => {
                write!(f, "{status} {}", problem.title)?;
                if let Some(detail) = &problem.detail {
                    write!(f, ": {detail}")?;
                }
                for e in &problem.errors {
                    write!(f, "; {}: {}", e.pointer, e.detail)?;
                }
                Ok(())
            }
            Error::Transport(e) => write!(f, "no answer from the server: {e}"),
            Error::Decode(e) => write!(f, "unreadable answer: {e}"),
            Error::Config(e) => write!(f, "client configuration: {e}"),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// How requests answered 429 or 503, or that could not connect, are retried.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
        }
    }
}

/// An answer with its ETag.
#[derive(Debug, Clone)]
pub struct Tagged<T> {
    pub value: T,
    pub etag: Option<String>,
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
    retry: RetryPolicy,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token.
        f.debug_struct("Client").field("base", &self.base).field("has_token", &self.token.is_some()).finish()
    }
}

impl Client {
    /// A client for the server at `base_url` (e.g. `http://127.0.0.1:8080`), with an optional
    /// bearer token.
    pub fn new(base_url: &str, token: Option<String>) -> Result<Self> {
        let base = base_url.trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(Error::Config(format!("the server URL must start with http:// or https://, not {base_url:?}")));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("patronus-rust/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Config(e.to_string()))?;
        Ok(Client { http, base, token, retry: RetryPolicy::default() })
    }

    /// A client configured from `PATRONUS_URL` and `PATRONUS_TOKEN`.
    pub fn from_env() -> Result<Self> {
        let url = std::env::var("PATRONUS_URL").map_err(|_| Error::Config("PATRONUS_URL is not set".into()))?;
        Client::new(&url, std::env::var("PATRONUS_TOKEN").ok())
    }

    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// Sends one request, retrying on 429 and 503 and when no connection could be opened (then
    /// nothing was sent). POSTs carry one `Idempotency-Key` across all their attempts, so a
    /// retried creation never creates twice.
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        mut headers: HeaderMap,
        timeout: Duration,
    ) -> Result<reqwest::Response> {
        if method == Method::POST && !headers.contains_key("idempotency-key") {
            if let Ok(v) = HeaderValue::from_str(&Uuid::new_v4().to_string()) {
                headers.insert("idempotency-key", v);
            }
        }
        if let Some(token) = &self.token {
            let v = HeaderValue::from_str(&format!("Bearer {token}"))
                .map_err(|_| Error::Config("the token is not a valid header value".into()))?;
            headers.insert(reqwest::header::AUTHORIZATION, v);
        }
        let url = format!("{}{}", self.base, path);
        let mut backoff = self.retry.initial_backoff;
        let mut attempt = 1;
        loop {
            let mut req = self.http.request(method.clone(), &url).headers(headers.clone()).timeout(timeout);
            if let Some(b) = &body {
                req = req.header(reqwest::header::CONTENT_TYPE, "application/json").body(b.clone());
            }
            let server_wait = match req.send().await {
                Ok(resp) => {
                    let status = resp.status();
                    let retriable =
                        status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE;
                    if !retriable || attempt >= self.retry.max_attempts {
                        return Ok(resp);
                    }
                    retry_after(resp.headers(), std::time::SystemTime::now())
                }
                Err(e) if e.is_connect() && attempt < self.retry.max_attempts => None,
                Err(e) => return Err(Error::Transport(e)),
            };
            let wait = server_wait.unwrap_or_else(|| {
                // Full jitter keeps many clients from retrying in step.
                let ms = rand::thread_rng().gen_range(0..=backoff.as_millis() as u64);
                Duration::from_millis(ms.max(10))
            });
            tokio::time::sleep(wait.min(self.retry.max_backoff)).await;
            backoff = (backoff * 2).min(self.retry.max_backoff);
            attempt += 1;
        }
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&(impl Serialize + ?Sized)>,
        headers: HeaderMap,
    ) -> Result<Tagged<T>> {
        let body = body.map(serde_json::to_vec).transpose().map_err(|e| Error::Decode(e.to_string()))?;
        let resp = self.send(method, path, body, headers, Duration::from_secs(60)).await?;
        let resp = check(resp).await?;
        let etag = etag_of(resp.headers());
        let bytes = resp.bytes().await.map_err(Error::Transport)?;
        let value = serde_json::from_slice(&bytes).map_err(|e| Error::Decode(e.to_string()))?;
        Ok(Tagged { value, etag })
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<Tagged<T>> {
        self.call(Method::GET, path, None::<&()>, HeaderMap::new()).await
    }

    pub async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(&self, path: &str, body: &B) -> Result<Tagged<T>> {
        self.call(Method::POST, path, Some(body), HeaderMap::new()).await
    }

    /// A PATCH; with `if_match`, the server refuses it (412) when the resource changed since.
    pub async fn patch<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        if_match: Option<&str>,
    ) -> Result<Tagged<T>> {
        self.call(Method::PATCH, path, Some(body), if_match_header(if_match)?).await
    }

    pub async fn delete(&self, path: &str, if_match: Option<&str>) -> Result<()> {
        let resp = self.send(Method::DELETE, path, None, if_match_header(if_match)?, Duration::from_secs(60)).await?;
        check(resp).await.map(|_| ())
    }

    /// Every item of a paginated list, following `next_cursor` page by page.
    pub async fn list_all<T: DeserializeOwned>(&self, path: &str) -> Result<Vec<T>> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let sep = if path.contains('?') { '&' } else { '?' };
            let url = match &cursor {
                Some(c) => format!("{path}{sep}cursor={c}"),
                None => path.to_string(),
            };
            let page: Page<T> = self.get(&url).await?.value;
            items.extend(page.items);
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => return Ok(items),
            }
        }
    }

    // Typed operations the agent and Rust tools use.

    pub async fn create_site(&self, site: &NewSite) -> Result<Tagged<Site>> {
        self.post("/v1/sites", site).await
    }

    pub async fn get_site(&self, id: Uuid) -> Result<Tagged<Site>> {
        self.get(&format!("/v1/sites/{id}")).await
    }

    pub async fn update_site(&self, id: Uuid, update: &SiteUpdate, if_match: Option<&str>) -> Result<Tagged<Site>> {
        self.patch(&format!("/v1/sites/{id}"), update, if_match).await
    }

    /// Every site, following the pages of `/v1/sites`.
    pub async fn list_sites(&self) -> Result<Vec<Site>> {
        self.list_all("/v1/sites").await
    }

    /// A DELETE; with `if_match`, refused (412) when the site changed since.
    pub async fn delete_site(&self, id: Uuid, if_match: Option<&str>) -> Result<()> {
        self.delete(&format!("/v1/sites/{id}"), if_match).await
    }

    pub async fn create_link(&self, link: &NewLink) -> Result<Tagged<Link>> {
        self.post("/v1/links", link).await
    }

    pub async fn site_config(&self, id: Uuid) -> Result<Tagged<CompiledConfig>> {
        self.get(&format!("/v1/sites/{id}/config")).await
    }

    /// Exchanges an enrollment token for an agent credential.
    pub async fn enroll(&self, request: &EnrollRequest) -> Result<EnrollResponse> {
        Ok(self.post("/v1/agent/enroll", request).await?.value)
    }

    /// The agent's long poll: waits up to `wait` for a document other than `held` (a content
    /// hash). `None` when the held one is still current.
    pub async fn agent_config(&self, held: Option<&str>, wait: Duration) -> Result<Option<CompiledConfig>> {
        let mut headers = HeaderMap::new();
        if let Some(h) = held {
            let v = HeaderValue::from_str(&format!("\"{h}\"")).map_err(|_| Error::Config("bad hash".into()))?;
            headers.insert(IF_NONE_MATCH, v);
        }
        let path = format!("/v1/agent/config?wait={}", wait.as_secs());
        let resp = self.send(Method::GET, &path, None, headers, wait + Duration::from_secs(15)).await?;
        if resp.status() == StatusCode::NOT_MODIFIED {
            return Ok(None);
        }
        let resp = check(resp).await?;
        let bytes = resp.bytes().await.map_err(Error::Transport)?;
        serde_json::from_slice(&bytes).map(Some).map_err(|e| Error::Decode(e.to_string()))
    }

    pub async fn agent_status(&self, report: &AgentStatusReport) -> Result<()> {
        let body = serde_json::to_vec(report).map_err(|e| Error::Decode(e.to_string()))?;
        // A report is not a creation and the next one supersedes it: no idempotency record, no retry.
        let resp = self.send_without_key(Method::POST, "/v1/agent/status", body).await?;
        check(resp).await.map(|_| ())
    }

    /// `PUT /v1/agent/bgp/routes`: the site's whole learned table. Idempotent (the same table
    /// twice changes nothing), so it is retried like any other request.
    pub async fn agent_learned_routes(&self, report: &LearnedRoutesReport) -> Result<LearnedRoutesAnswer> {
        self.call(Method::PUT, "/v1/agent/bgp/routes", Some(report), HeaderMap::new()).await.map(|t| t.value)
    }

    /// Every route a site learned over BGP, with the server's decision for each.
    pub async fn site_learned_routes(&self, site_id: Uuid) -> Result<Vec<LearnedRoute>> {
        self.list_all(&format!("/v1/sites/{site_id}/bgp/routes")).await
    }

    async fn send_without_key(&self, method: Method, path: &str, body: Vec<u8>) -> Result<reqwest::Response> {
        let mut req = self.http.request(method, format!("{}{}", self.base, path)).timeout(Duration::from_secs(30));
        if let Some(token) = &self.token {
            req = req.bearer_auth(token);
        }
        req.header(reqwest::header::CONTENT_TYPE, "application/json").body(body).send().await.map_err(Error::Transport)
    }
}

fn if_match_header(if_match: Option<&str>) -> Result<HeaderMap> {
    let mut headers = HeaderMap::new();
    if let Some(tag) = if_match {
        let v = HeaderValue::from_str(tag).map_err(|_| Error::Config(format!("{tag:?} is not a valid ETag")))?;
        headers.insert(IF_MATCH, v);
    }
    Ok(headers)
}

fn etag_of(headers: &HeaderMap) -> Option<String> {
    headers.get(ETAG).and_then(|v| v.to_str().ok()).map(str::to_string)
}

/// `Retry-After` as a wait from `now`: delta-seconds or an HTTP date (RFC 9110). Patronus sends
/// seconds; a proxy in front of it may send a date.
fn retry_after(headers: &HeaderMap, now: std::time::SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Turns an error status into [`Error::Api`], keeping the problem document.
async fn check(resp: reqwest::Response) -> Result<reqwest::Response> {
    let status = resp.status();
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        return Ok(resp);
    }
    let bytes = resp.bytes().await.map_err(Error::Transport)?;
    let problem = serde_json::from_slice::<Problem>(&bytes).unwrap_or_else(|_| Problem {
        kind: "about:blank".into(),
        title: status.canonical_reason().unwrap_or("error").into(),
        status: status.as_u16(),
        detail: Some(String::from_utf8_lossy(&bytes).chars().take(500).collect()),
        errors: Vec::new(),
        quota: None,
        limit: None,
    });
    Err(Error::Api { status: status.as_u16(), problem: Box::new(problem) })
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};

    use super::retry_after;

    fn with(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn retry_after_is_seconds_or_an_http_date() {
        // 1994-11-06 08:49:37 UTC, RFC 9110's example date.
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(retry_after(&with("7"), now), Some(Duration::from_secs(7)));
        assert_eq!(retry_after(&with("Sun, 06 Nov 1994 08:49:47 GMT"), now), Some(Duration::from_secs(10)));
        // A date already past: retry at once.
        assert_eq!(retry_after(&with("Sun, 06 Nov 1994 08:49:00 GMT"), now), Some(Duration::ZERO));
        assert_eq!(retry_after(&with("soon"), now), None);
        assert_eq!(retry_after(&HeaderMap::new(), SystemTime::now()), None);
    }
}
