//! An HTTP client for the Patronus API, with the semantics every Patronus SDK shares:
//! configuration from arguments or `PATRONUS_URL`/`PATRONUS_TOKEN`, errors that carry the
//! problem+json document, retries with backoff on 429 and 503 honouring `Retry-After`, an
//! `Idempotency-Key` on every POST so that a retry never creates twice, `If-Match` on updates,
//! and streams over paginated lists.

use std::time::Duration;

use rand::Rng;
use reqwest::header::{HeaderMap, HeaderValue, ETAG, IF_MATCH, IF_NONE_MATCH, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;

use crate::{
    AgentStatusReport, CompiledConfig, EnrollRequest, EnrollResponse, Link, NewLink, NewSite, Page, Problem, Site,
    SiteUpdate,
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

impl Error {
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
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

/// How requests answered 429 or 503 are retried.
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

    /// Sends one request, retrying on 429 and 503. POSTs carry one `Idempotency-Key` across
    /// all their attempts.
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
            let resp = req.send().await.map_err(Error::Transport)?;
            let status = resp.status();
            let retriable = status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE;
            if !retriable || attempt >= self.retry.max_attempts {
                return Ok(resp);
            }
            let wait = retry_after(resp.headers()).unwrap_or_else(|| {
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

    pub async fn delete_site(&self, id: Uuid) -> Result<()> {
        self.delete(&format!("/v1/sites/{id}"), None).await
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

/// `Retry-After` in seconds (the server never sends the date form).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let secs: u64 = headers.get(RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()?;
    Some(Duration::from_secs(secs))
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
