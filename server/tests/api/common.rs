//! Test harness: every test gets its own database, cloned from a template migrated once per run,
//! and the real router, connected as `patronus_app` exactly as in production. It needs
//! DATABASE_URL for a PostgreSQL owner role that may create databases (scripts/test sets it).

use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use patronus_server::config::{Cli, ServeArgs};
use serde_json::{json, Value};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgPool};
use tokio::sync::{Mutex, OnceCell};
use tower::ServiceExt;

static TEMPLATE: OnceCell<String> = OnceCell::const_new();
static CREATE_LOCK: Mutex<()> = Mutex::const_new(());
static COUNTER: AtomicU32 = AtomicU32::new(0);

pub fn owner_options() -> PgConnectOptions {
    let url = std::env::var("DATABASE_URL")
        .expect("DATABASE_URL must name a PostgreSQL owner role that can create databases (scripts/test sets it)");
    PgConnectOptions::from_str(&url).expect("DATABASE_URL is not a PostgreSQL URL")
}

/// Drops databases left by earlier test processes that are gone.
async fn drop_stale(conn: &mut sqlx::PgConnection) {
    let names: Vec<String> = sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'pt\\_%'")
        .fetch_all(&mut *conn)
        .await
        .unwrap();
    for name in names {
        let pid = name.split('_').nth(1).unwrap_or("");
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut *conn).await.unwrap();
        }
    }
}

async fn template() -> &'static str {
    TEMPLATE
        .get_or_init(|| async {
            let mut conn = owner_options().connect().await.expect("connecting to DATABASE_URL");
            drop_stale(&mut conn).await;
            let name = format!("pt_{}_template", std::process::id());
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.unwrap();
            conn.close().await.unwrap();
            let mut tconn = owner_options().database(&name).connect().await.unwrap();
            patronus_server::MIGRATOR.run(&mut tconn).await.expect("migrations");
            tconn.close().await.unwrap();
            name
        })
        .await
}

/// A fresh, migrated database; returns its name.
pub async fn fresh_database() -> String {
    let template = template().await;
    let name = format!("pt_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst));
    let _guard = CREATE_LOCK.lock().await;
    let mut conn = owner_options().connect().await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name} TEMPLATE {template}")).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    name
}

pub fn default_args() -> ServeArgs {
    use clap::Parser;
    let mut args = Cli::try_parse_from(["patronus-server"]).unwrap().serve;
    args.redis_url = None;
    args
}

pub struct TestApp {
    pub router: Router,
    pub state: patronus_server::app::AppState,
    /// Connected as `patronus_app`, like the server.
    pub pool: PgPool,
    pub database: String,
    pub platform_token: String,
}

pub struct Tenant {
    pub id: String,
    pub admin: String,
    pub operator: String,
    pub viewer: String,
}

impl TestApp {
    pub async fn new() -> TestApp {
        Self::with_args(default_args()).await
    }

    pub async fn with_args(args: ServeArgs) -> TestApp {
        let database = fresh_database().await;
        Self::on_database(args, database).await
    }

    /// Another server process (replica) on the same database.
    pub async fn on_database(args: ServeArgs, database: String) -> TestApp {
        let options = owner_options().database(&database).username("patronus_app");
        // Like the server's pool (serve.rs): no ping before a connection is handed out, so a dead
        // connection shows as the error of the request that uses it.
        let pool = PgPoolOptions::new()
            .max_connections(5)
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .expect("connecting as patronus_app");
        let state = patronus_server::serve::state(&args, pool.clone()).await.expect("state");
        let platform_token =
            patronus_server::bootstrap::create_platform_token(&pool, &format!("test-{}", uuid::Uuid::now_v7()))
                .await
                .unwrap();
        TestApp { router: patronus_server::app::router(state.clone()), state, pool, database, platform_token }
    }

    pub fn req(&self, method: Method, path: &str) -> Req<'_> {
        Req { app: self, method, path: path.to_string(), headers: Vec::new(), body: None }
    }

    pub fn get(&self, path: &str) -> Req<'_> {
        self.req(Method::GET, path)
    }
    pub fn post(&self, path: &str) -> Req<'_> {
        self.req(Method::POST, path)
    }
    pub fn patch(&self, path: &str) -> Req<'_> {
        self.req(Method::PATCH, path)
    }
    pub fn put(&self, path: &str) -> Req<'_> {
        self.req(Method::PUT, path)
    }
    pub fn delete(&self, path: &str) -> Req<'_> {
        self.req(Method::DELETE, path)
    }

    /// Creates a tenant through the API, with an admin, an operator and a viewer token.
    pub async fn tenant(&self, slug: &str) -> Tenant {
        let created =
            self.post("/v1/tenants").token(&self.platform_token).json(json!({"name": slug, "slug": slug})).send().await;
        created.expect(StatusCode::CREATED);
        let id = created.body["id"].as_str().unwrap().to_string();
        let admin = self
            .post(&format!("/v1/tenants/{id}/api-tokens"))
            .token(&self.platform_token)
            .json(json!({"name": "admin", "role": "admin"}))
            .send()
            .await;
        admin.expect(StatusCode::CREATED);
        let admin = admin.body["token"].as_str().unwrap().to_string();
        let mut tokens = Vec::new();
        for role in ["operator", "viewer"] {
            let r = self.post("/v1/api-tokens").token(&admin).json(json!({"name": role, "role": role})).send().await;
            r.expect(StatusCode::CREATED);
            tokens.push(r.body["token"].as_str().unwrap().to_string());
        }
        let viewer = tokens.pop().unwrap();
        let operator = tokens.pop().unwrap();
        Tenant { id, admin, operator, viewer }
    }
}

pub struct Req<'a> {
    app: &'a TestApp,
    method: Method,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

impl Req<'_> {
    pub fn token(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn json(self, body: Value) -> Self {
        self.raw("application/json", serde_json::to_vec(&body).unwrap())
    }

    pub fn raw(mut self, content_type: &str, body: Vec<u8>) -> Self {
        self.body = Some(body);
        self.header("content-type", content_type)
    }

    pub async fn send(self) -> Resp {
        let mut builder = Request::builder().method(self.method).uri(&self.path);
        for (k, v) in &self.headers {
            builder = builder.header(k, v);
        }
        let request = builder.body(self.body.map(Body::from).unwrap_or_else(Body::empty)).unwrap();
        let response = self.app.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Resp { status, headers, body }
    }
}

#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Resp {
    #[track_caller]
    pub fn expect(&self, status: StatusCode) -> &Self {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.body);
        self
    }

    /// Asserts a problem+json answer of this status and type slug.
    #[track_caller]
    pub fn expect_problem(&self, status: StatusCode, slug: &str) -> &Self {
        self.expect(status);
        assert_eq!(
            self.headers.get("content-type").and_then(|v| v.to_str().ok()),
            Some("application/problem+json"),
            "not problem+json: {:?}",
            self.headers
        );
        assert_eq!(self.body["type"], format!("https://patronus.dev/problems/{slug}"), "body: {}", self.body);
        assert_eq!(self.body["status"], status.as_u16());
        self
    }

    /// The JSON Pointers of the field errors.
    pub fn pointers(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| a.iter().map(|e| e["pointer"].as_str().unwrap_or("").to_string()).collect())
            .unwrap_or_default()
    }

    pub fn etag(&self) -> String {
        self.headers.get("etag").expect("ETag header").to_str().unwrap().to_string()
    }

    pub fn id(&self) -> String {
        self.body["id"].as_str().expect("id").to_string()
    }
}

impl Resp {
    #[track_caller]
    pub fn expect_status_4xx(&self) -> &Self {
        assert!(self.status.is_client_error(), "expected a 4xx, got {}: {}", self.status, self.body);
        self
    }
}
