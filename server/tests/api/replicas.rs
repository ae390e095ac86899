//! Two real server processes on one PostgreSQL and one Redis: a change written through one
//! replica wakes an agent parked on the other.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::{fresh_database, owner_options};

struct Replica(Child, String);

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(database_url: &str, redis_url: &str) -> Replica {
    let mut child = Command::new(env!("CARGO_BIN_EXE_patronus-server"))
        .args(["--listen", "127.0.0.1:0"])
        .env("DATABASE_URL", database_url)
        .env("REDIS_URL", redis_url)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let url = line.split_whitespace().nth(5).expect("listening line").to_string();
    // Keep reading so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in stdout.lines() {});
    Replica(child, url)
}

async fn call(http: &reqwest::Client, method: &str, url: &str, token: &str, body: Option<Value>) -> Value {
    let mut req = http.request(method.parse().unwrap(), url);
    if !token.is_empty() {
        req = req.bearer_auth(token);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    assert!(status.is_success(), "{method} {url}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_parked_on_one_replica_gets_a_change_written_through_the_other() {
    let redis = std::env::var("REDIS_URL").expect("REDIS_URL must point at a Redis server (scripts/test starts one)");
    let database = fresh_database().await;
    // DATABASE_URL with the test's database in place of its own.
    let owner_url = std::env::var("DATABASE_URL").unwrap();
    let (base, query) = owner_url.split_once('?').map_or((owner_url.as_str(), ""), |(b, q)| (b, q));
    let (server, _) = base.rsplit_once('/').unwrap();
    let database_url = format!("{server}/{database}?{query}");
    let a = start(&database_url, &redis);
    let b = start(&database_url, &redis);

    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect_with(owner_options().database(&database).username("patronus_app"))
        .await
        .unwrap();
    let platform = patronus_server::bootstrap::create_platform_token(&pool, "replicas").await.unwrap();
    let http = reqwest::Client::new();
    let tenant =
        call(&http, "POST", &format!("{}/v1/tenants", a.1), &platform, Some(json!({"name": "acme", "slug": "acme"})))
            .await;
    let token = call(
        &http,
        "POST",
        &format!("{}/v1/tenants/{}/api-tokens", a.1, tenant["id"].as_str().unwrap()),
        &platform,
        Some(json!({"name": "ops", "role": "admin"})),
    )
    .await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let site = call(&http, "POST", &format!("{}/v1/sites", a.1), &token, Some(json!({"name": "paris"}))).await;
    let site_id = site["id"].as_str().unwrap();
    let enr =
        call(&http, "POST", &format!("{}/v1/sites/{site_id}/enrollment-tokens", a.1), &token, Some(json!({}))).await;
    let key = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, [7u8; 32]);
    let enrolled = call(
        &http,
        "POST",
        &format!("{}/v1/agent/enroll", b.1),
        "",
        Some(json!({"token": enr["token"], "public_key": key, "hostname": "h", "agent_version": "1"})),
    )
    .await;
    let credential = enrolled["credential"].as_str().unwrap().to_string();
    let doc = call(&http, "GET", &format!("{}/v1/agent/config", b.1), &credential, None).await;
    let hash = doc["hash"].as_str().unwrap().to_string();

    // Parked on B...
    let poll = {
        let (http, url, credential, hash) = (http.clone(), b.1.clone(), credential.clone(), hash.clone());
        tokio::spawn(async move {
            let resp = http
                .get(format!("{url}/v1/agent/config?wait=30"))
                .bearer_auth(&credential)
                .header("if-none-match", format!("\"{hash}\""))
                .send()
                .await
                .unwrap();
            (Instant::now(), resp.status(), resp.json::<Value>().await.unwrap())
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    // ...written through A.
    call(
        &http,
        "PATCH",
        &format!("{}/v1/sites/{site_id}", a.1),
        &token,
        Some(json!({"lan_prefixes": ["10.7.0.0/16"]})),
    )
    .await;
    let written = Instant::now();
    let (answered, status, body) = poll.await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(body["config"]["lan_prefixes"], json!(["10.7.0.0/16"]));
    let after = answered.saturating_duration_since(written);
    assert!(after < Duration::from_secs(1), "the agent on B learned of the change {after:?} after the write on A");

    // Credentials ended on A stop working on B at once, though B has just used them (each replica
    // remembers lookups for a few seconds; A tells B through Redis what to forget).
    let status_on_b = |credential: String| {
        let (http, url) = (http.clone(), b.1.clone());
        async move {
            http.get(format!("{url}/v1/agent/config")).bearer_auth(credential).send().await.unwrap().status().as_u16()
        }
    };
    assert_eq!(status_on_b(credential.clone()).await, 200);
    let revoked = http.delete(format!("{}/v1/sites/{site_id}/agent", a.1)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(revoked.status(), 204);
    let mut status = 0;
    for _ in 0..20 {
        status = status_on_b(credential.clone()).await;
        if status == 401 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, 401, "B still honoured the revoked agent credential after a second");
}
