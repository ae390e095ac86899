//! The real `patronus-agent` binary against the real server (in-process, on a real PostgreSQL
//! given by DATABASE_URL, over real HTTP): enrollment, last-known-good across restarts and server
//! outages, revocation, and an invalid document.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::str::FromStr;
use std::time::{Duration, Instant};

use clap::Parser;
use serde_json::{json, Value};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection};

fn owner_options() -> PgConnectOptions {
    let url =
        std::env::var("DATABASE_URL").expect("DATABASE_URL must name a PostgreSQL owner role (scripts/test sets it)");
    PgConnectOptions::from_str(&url).unwrap()
}

/// The migrations create cluster-wide roles with a check-then-create: two tests migrating at once
/// on a fresh cluster can both pass the check, and the second `CREATE ROLE` fails.
static MIGRATING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn fresh_database() -> String {
    let _one_at_a_time = MIGRATING.lock().await;
    let name = format!("pa_{}_{}", std::process::id(), uuid::Uuid::new_v4().simple());
    let mut conn = owner_options().connect().await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    let mut conn = owner_options().database(&name).connect().await.unwrap();
    patronus_server::MIGRATOR.run(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    name
}

async fn drop_database(name: &str) {
    let mut conn = owner_options().connect().await.unwrap();
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await.unwrap();
}

/// The real router on a real socket; stopped gracefully, restartable on the same address.
struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    async fn start(database: &str, addr: SocketAddr) -> Server {
        let mut args = patronus_server::config::Cli::try_parse_from([
            "patronus-server",
            "--agent-status-interval",
            "1",
            "--long-poll-timeout",
            "5",
        ])
        .unwrap()
        .serve;
        args.redis_url = None;
        let pool = PgPoolOptions::new()
            .max_connections(5)
            .connect_with(owner_options().database(database).username("patronus_app"))
            .await
            .unwrap();
        let state = patronus_server::serve::state(&args, pool).await.unwrap();
        let watch = state.config_watch.clone();
        let router = patronus_server::app::router(state);
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                    watch.close();
                })
                .await
                .unwrap();
        });
        Server { addr, stop: Some(stop), task }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    async fn stop(mut self) -> SocketAddr {
        let _ = self.stop.take().unwrap().send(());
        tokio::time::timeout(Duration::from_secs(10), self.task).await.expect("server did not stop").unwrap();
        self.addr
    }
}

/// A tenant with one site and a link, and an operator token, made through the API.
struct Fixture {
    http: reqwest::Client,
    url: String,
    token: String,
    site: String,
}

impl Fixture {
    async fn new(database: &str, url: &str) -> Fixture {
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(owner_options().database(database).username("patronus_app"))
            .await
            .unwrap();
        let platform = patronus_server::bootstrap::create_platform_token(&pool, "agent-tests").await.unwrap();
        let http = reqwest::Client::new();
        let tenant: Value = http
            .post(format!("{url}/v1/tenants"))
            .bearer_auth(&platform)
            .json(&json!({"name": "acme", "slug": "acme"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token: Value = http
            .post(format!("{url}/v1/tenants/{}/api-tokens", tenant["id"].as_str().unwrap()))
            .bearer_auth(&platform)
            .json(&json!({"name": "ops", "role": "admin"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let mut f =
            Fixture { http, url: url.to_string(), token: token["token"].as_str().unwrap().into(), site: String::new() };
        let site = f.call("POST", "/v1/sites", Some(json!({"name": "paris", "lan_prefixes": ["10.1.0.0/16"]}))).await;
        f.site = site["id"].as_str().unwrap().to_string();
        f.call(
            "POST",
            "/v1/links",
            Some(json!({"site_id": f.site, "name": "fiber", "interface": "eth1", "endpoint": "192.0.2.1:51820",
                "bandwidth_up_mbps": 100, "bandwidth_down_mbps": 100})),
        )
        .await;
        f
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let mut req =
            self.http.request(method.parse().unwrap(), format!("{}{path}", self.url)).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        assert!(status.is_success(), "{method} {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    async fn enrollment_token(&self) -> String {
        let t = self.call("POST", &format!("/v1/sites/{}/enrollment-tokens", self.site), Some(json!({}))).await;
        t["token"].as_str().unwrap().to_string()
    }
}

fn agent(state: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_patronus-agent"));
    cmd.arg("--state-dir").arg(state).args(args).env("RUST_LOG", "info").stdin(Stdio::null());
    cmd
}

fn spawn_run(state: &Path) -> Child {
    let log = std::fs::File::create(state.with_extension("log")).unwrap();
    agent(state, &["run", "--dataplane", "none", "--poll-wait", "2", "--max-backoff", "1"])
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap()
}

fn agent_log(state: &Path) -> String {
    std::fs::read_to_string(state.with_extension("log")).unwrap_or_default()
}

fn stored_hash(state: &Path) -> Option<String> {
    let bytes = std::fs::read(state.join("config.json")).ok()?;
    serde_json::from_slice::<Value>(&bytes).ok()?["hash"].as_str().map(str::to_string)
}

async fn eventually<T>(what: &str, within: Duration, mut f: impl AsyncFnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(started.elapsed() < within, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn kill(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_enrolls_applies_survives_outages_and_restarts_and_stops_when_revoked() {
    let database = fresh_database().await;
    let server = Server::start(&database, "127.0.0.1:0".parse().unwrap()).await;
    let f = Fixture::new(&database, &server.url()).await;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");

    // Enroll: the key is made here, kept 0600, and only its public half reaches the server.
    let token = f.enrollment_token().await;
    let out = agent(&state, &["enroll", "--server", &server.url(), "--token", &token, "--hostname", "paris-1"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mode = std::fs::metadata(state.join("private.key")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    assert_eq!(std::fs::metadata(&state).unwrap().permissions().mode() & 0o777, 0o700);
    let registered = f.call("GET", &format!("/v1/sites/{}/agent", f.site), None).await;
    let public = std::fs::read_to_string(state.join("public.key")).unwrap();
    assert_eq!(registered["public_key"], public.trim());
    assert_eq!(registered["hostname"], "paris-1");
    let private = std::fs::read_to_string(state.join("private.key")).unwrap();
    assert!(!registered.to_string().contains(private.trim()));
    // The token was single-use.
    let again = agent(&state.with_extension("other"), &["enroll", "--server", &server.url(), "--token", &token])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("used up"));

    // Run: the document lands on disk and the site turns online.
    let child = spawn_run(&state);
    let first = eventually("the first document", Duration::from_secs(10), async || stored_hash(&state)).await;
    let config = f.call("GET", &format!("/v1/sites/{}/config", f.site), None).await;
    assert_eq!(config["hash"], first.as_str());
    eventually("online", Duration::from_secs(10), async || {
        let s = f.call("GET", &format!("/v1/sites/{}/status", f.site), None).await;
        (s["health"] == "online").then_some(())
    })
    .await;
    // The site has no BGP settings: the agent needs no FRR and says BGP is off.
    let status = f.call("GET", &format!("/v1/sites/{}/status", f.site), None).await;
    assert_eq!(status["report"]["bgp"], json!({"state": "off", "sessions": []}), "{status}");

    // A change reaches the running agent through the long poll.
    f.call("PATCH", &format!("/v1/sites/{}", f.site), Some(json!({"lan_prefixes": ["10.1.0.0/16", "10.9.0.0/16"]})))
        .await;
    let second = eventually("the changed document", Duration::from_secs(5), async || {
        stored_hash(&state).filter(|h| *h != first)
    })
    .await;

    // The server goes away: the agent keeps running on what it has, retrying.
    let addr = server.stop().await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mut child = child;
    assert!(child.try_wait().unwrap().is_none(), "the agent exited while the server was down");
    assert_eq!(stored_hash(&state).as_deref(), Some(second.as_str()));
    assert!(agent_log(&state).contains("still forwarding on the last-known-good document"), "{}", agent_log(&state));

    // Restarted while the server is still down: it comes back on its last-known-good document.
    kill(child);
    let child = spawn_run(&state);
    eventually("the restarted agent to load its document", Duration::from_secs(5), async || {
        agent_log(&state).contains("running the last-known-good document").then_some(())
    })
    .await;

    // The server returns: the agent resumes with its stored credential, without re-enrolling.
    let server = Server::start(&database, addr).await;
    f.call("PATCH", &format!("/v1/sites/{}", f.site), Some(json!({"lan_prefixes": ["10.1.0.0/16"]}))).await;
    eventually("the document changed after the outage", Duration::from_secs(10), async || {
        stored_hash(&state).filter(|h| *h != second)
    })
    .await;
    let still = f.call("GET", &format!("/v1/sites/{}/agent", f.site), None).await;
    assert_eq!(still["id"], registered["id"], "the agent enrolled again");

    // Revoked: a clear error and exit code 3.
    f.call("DELETE", &format!("/v1/sites/{}/agent", f.site), None).await;
    let mut child = child;
    let code = eventually("the agent to exit", Duration::from_secs(10), async || child.try_wait().unwrap()).await;
    assert_eq!(code.code(), Some(3), "{}", agent_log(&state));
    assert!(agent_log(&state).contains("enroll again with a new token"));

    server.stop().await;
    drop_database(&database).await;
}

/// A server that hands out one fixed document and records status reports. The real server
/// never sends an invalid document, so this is the one place a stand-in is needed.
async fn serve_document(doc: Value) -> (String, std::sync::Arc<std::sync::Mutex<Vec<Value>>>) {
    use axum::routing::{get, post};
    let reports = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = reports.clone();
    let router =
        axum::Router::new().route("/v1/agent/config", get(move || async move { axum::Json(doc.clone()) })).route(
            "/v1/agent/status",
            post(move |axum::Json(v): axum::Json<Value>| async move {
                seen.lock().unwrap().push(v);
                axum::http::StatusCode::NO_CONTENT
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (url, reports)
}

fn document(site: &str, schema_version: u32, hash: &str) -> Value {
    json!({"hash": hash, "revision": 7, "config": {
        "schema_version": schema_version, "revision": 7, "site_id": site, "site_name": "paris", "role": "edge",
        "overlay_address": "100.64.0.1/16", "listen_port": 51820, "lan_prefixes": [], "links": [], "peers": [],
        "qos_classes": [], "policies": []}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_document_is_rejected_reported_and_the_last_known_good_kept() {
    let site = uuid::Uuid::new_v4().to_string();
    let good = document(&site, 1, &"a".repeat(64));
    let (url, reports) = serve_document(document(&site, 99, &"b".repeat(64))).await;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::write(
        state.join("enrollment.json"),
        json!({"server": url, "agent_id": uuid::Uuid::new_v4(), "site_id": site,
            "credential": "ptrn_agent_test", "status_interval_seconds": 1})
        .to_string(),
    )
    .unwrap();
    std::fs::write(state.join("config.json"), good.to_string()).unwrap();

    let child = spawn_run(&state);
    let report = eventually("a report of the rejection", Duration::from_secs(10), async || {
        reports.lock().unwrap().iter().find(|r| r["last_error"].is_string()).cloned()
    })
    .await;
    kill(child);
    let error = report["last_error"].as_str().unwrap();
    assert!(error.contains("rejected document") && error.contains("schema version 99"), "{error}");
    // Still running, and saying so, on the good document.
    assert_eq!(report["applied_hash"], good["hash"]);
    assert_eq!(stored_hash(&state).as_deref(), good["hash"].as_str());
}

/// `run --metrics-listen`: the real binary serves its state on the address it was given, and a
/// bad address or one in use is a clear error at start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_metrics_flag_serves_the_applied_revision_and_refuses_a_bad_address() {
    let database = fresh_database().await;
    let server = Server::start(&database, "127.0.0.1:0".parse().unwrap()).await;
    let f = Fixture::new(&database, &server.url()).await;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let token = f.enrollment_token().await;
    let out = agent(&state, &["enroll", "--server", &server.url(), "--token", &token]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let bad = agent(&state, &["run", "--dataplane", "none", "--metrics-listen", "localhost"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("invalid value 'localhost' for '--metrics-listen <ADDR>'"), "{stderr}");

    // A free port, found by binding and letting go of it.
    let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let log = std::fs::File::create(state.with_extension("log")).unwrap();
    let child = agent(&state, &["run", "--dataplane", "none", "--poll-wait", "2"])
        .env("PATRONUS_AGENT_METRICS_LISTEN", addr.to_string())
        .stderr(log)
        .spawn()
        .unwrap();
    let config = f.call("GET", &format!("/v1/sites/{}/config", f.site), None).await;
    let revision = config["revision"].as_i64().unwrap();
    let http = reqwest::Client::new();
    let text = eventually("the metrics to show the applied revision", Duration::from_secs(10), async || {
        let text = http.get(format!("http://{addr}/metrics")).send().await.ok()?.text().await.ok()?;
        text.contains(&format!("\npatronus_agent_applied_revision {revision}\n")).then_some(text)
    })
    .await;
    assert!(text.contains("# TYPE patronus_agent_uptime_seconds gauge\n"), "{text}");
    assert!(text.contains("\npatronus_agent_error 0\n"), "{text}");

    // The same address again: the second agent stops at once and says why.
    let second =
        agent(&state, &["run", "--dataplane", "none", "--metrics-listen", &addr.to_string()]).output().unwrap();
    assert_eq!(second.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(stderr.contains(&format!("listening for metrics on {addr}")), "{stderr}");

    kill(child);
    server.stop().await;
    drop_database(&database).await;
}
