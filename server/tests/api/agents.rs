//! Enrollment tokens, enrollment, agent credentials, the config long poll and status reports.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use base64::Engine;
use serde_json::{json, Value};
use sqlx::{ConnectOptions, Connection};

use crate::common::{owner_options, Tenant, TestApp};
use crate::sites::site;

fn key(n: u8) -> String {
    base64::engine::general_purpose::STANDARD.encode([n; 32])
}

async fn token(app: &TestApp, t: &Tenant, site: &str, body: Value) -> String {
    let created = app.post(&format!("/v1/sites/{site}/enrollment-tokens")).token(&t.operator).json(body).send().await;
    created.expect(StatusCode::CREATED);
    created.body["token"].as_str().unwrap().to_string()
}

async fn enroll(app: &TestApp, token: &str, key_n: u8) -> crate::common::Resp {
    app.post("/v1/agent/enroll")
        .json(json!({"token": token, "public_key": key(key_n), "hostname": "edge-1", "agent_version": "0.1.0"}))
        .send()
        .await
}

/// Enrolls an agent for `site`; returns its credential.
pub(crate) async fn enrolled(app: &TestApp, t: &Tenant, site: &str, key_n: u8) -> String {
    let tok = token(app, t, site, json!({})).await;
    let r = enroll(app, &tok, key_n).await;
    r.expect(StatusCode::CREATED);
    r.body["credential"].as_str().unwrap().to_string()
}

/// Runs SQL as the database owner, for what no API does (moving time).
pub(crate) async fn owner_sql(app: &TestApp, sql: &str) {
    let mut conn = owner_options().database(&app.database).connect().await.unwrap();
    sqlx::query(sql).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
}

pub(crate) fn id(v: &Value) -> &str {
    v["id"].as_str().unwrap()
}

#[tokio::test]
async fn enrollment_tokens_are_shown_once_listed_without_secret_and_revocable() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let paris = site(&app, &t, "paris", &["10.1.0.0/16"]).await;
    let p = id(&paris);
    let path = format!("/v1/sites/{p}/enrollment-tokens");

    app.post(&path).token(&t.viewer).json(json!({})).send().await.expect_problem(StatusCode::FORBIDDEN, "forbidden");
    let bad = app.post(&path).token(&t.operator).json(json!({"ttl_seconds": 5, "uses": 0})).send().await;
    bad.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(bad.pointers(), vec!["/ttl_seconds", "/uses"]);

    let created = app.post(&path).token(&t.operator).json(json!({"description": "paris box", "uses": 2})).send().await;
    created.expect(StatusCode::CREATED);
    let secret = created.body["token"].as_str().unwrap();
    assert!(secret.starts_with("ptrn_enr_"));
    assert_eq!(created.body["uses_remaining"], 2);
    let ttl = chrono::DateTime::parse_from_rfc3339(created.body["expires_at"].as_str().unwrap()).unwrap().to_utc()
        - chrono::Utc::now();
    assert!((ttl.num_seconds() - 24 * 3600).abs() < 60, "default expiry is 24 h: {ttl}");

    let listed = app.get(&path).token(&t.viewer).send().await;
    listed.expect(StatusCode::OK);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    assert!(!listed.body.to_string().contains(secret) && listed.body["items"][0].get("token").is_none());

    // Creating one is audited, without the secret.
    let audit = app.get("/v1/audit-events?resource_type=enrollment_token").token(&t.admin).send().await;
    assert_eq!(audit.body["items"][0]["action"], "enrollment_token.create");
    assert!(!audit.body.to_string().contains(secret));

    // Another tenant sees neither the site nor its tokens.
    let other = app.tenant("globex").await;
    app.get(&path).token(&other.admin).send().await.expect_problem(StatusCode::NOT_FOUND, "not-found");
    app.post(&path).token(&other.admin).json(json!({})).send().await.expect_problem(StatusCode::NOT_FOUND, "not-found");

    // Revoked: it no longer enrolls.
    let token_id = id(&created.body);
    app.delete(&format!("{path}/{token_id}")).token(&t.operator).send().await.expect(StatusCode::NO_CONTENT);
    app.delete(&format!("{path}/{token_id}")).token(&t.operator).send().await.expect(StatusCode::NOT_FOUND);
    enroll(&app, secret, 1).await.expect_problem(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn tokens_expire_are_single_use_by_default_and_count_their_uses() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let paris = site(&app, &t, "paris", &[]).await;
    let p = id(&paris);

    let once = token(&app, &t, p, json!({})).await;
    enroll(&app, &once, 1).await.expect(StatusCode::CREATED);
    let again = enroll(&app, &once, 2).await;
    again.expect_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    assert!(again.body["detail"].as_str().unwrap().contains("used up"));

    let twice = token(&app, &t, p, json!({"uses": 2})).await;
    enroll(&app, &twice, 3).await.expect(StatusCode::CREATED);
    enroll(&app, &twice, 4).await.expect(StatusCode::CREATED);
    enroll(&app, &twice, 5).await.expect(StatusCode::UNAUTHORIZED);

    let expiring = token(&app, &t, p, json!({"ttl_seconds": 60})).await;
    owner_sql(&app, "UPDATE enrollment_tokens SET expires_at = now() - interval '1 second'").await;
    let expired = enroll(&app, &expiring, 6).await;
    expired.expect_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    assert!(expired.body["detail"].as_str().unwrap().contains("expired"));

    // Bad input is a 422 that names each field, and spends nothing.
    let fresh = token(&app, &t, p, json!({})).await;
    let bad = app
        .post("/v1/agent/enroll")
        .json(json!({"token": "nope", "public_key": "not-a-key", "hostname": "", "agent_version": "0.1"}))
        .send()
        .await;
    bad.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    // A key that is no key stops the body from being read, before the other fields are checked.
    assert_eq!(bad.pointers(), vec!["/public_key"]);
    assert_eq!(bad.body["errors"][0]["detail"], "must be a WireGuard public key: base64 of 32 bytes");
    let bad = app
        .post("/v1/agent/enroll")
        .json(json!({"token": "nope", "public_key": key(9), "hostname": "", "agent_version": "0.1"}))
        .send()
        .await;
    bad.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(bad.pointers(), vec!["/hostname", "/token"]);
    enroll(&app, &fresh, 7).await.expect(StatusCode::CREATED);
}

#[tokio::test]
async fn re_enrolling_replaces_the_agent_and_its_key_and_peers_see_it() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let paris = site(&app, &t, "paris", &["10.1.0.0/16"]).await;
    let berlin = site(&app, &t, "berlin", &["10.2.0.0/16"]).await;
    let (p, b) = (id(&paris), id(&berlin));
    let berlin_cred = enrolled(&app, &t, b, 9).await;
    let first = enrolled(&app, &t, p, 1).await;

    let doc = app.get("/v1/agent/config").token(&berlin_cred).send().await;
    doc.expect(StatusCode::OK);
    assert_eq!(doc.body["config"]["peers"][0]["public_key"], key(1));

    let agent = app.get(&format!("/v1/sites/{p}/agent")).token(&t.viewer).send().await;
    agent.expect(StatusCode::OK);
    assert_eq!(agent.body["public_key"], key(1));
    assert_eq!(agent.body["hostname"], "edge-1");

    let second = enrolled(&app, &t, p, 2).await;
    app.get("/v1/agent/config").token(&first).send().await.expect_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    app.get("/v1/agent/config").token(&second).send().await.expect(StatusCode::OK);
    let doc = app.get("/v1/agent/config").token(&berlin_cred).send().await;
    assert_eq!(doc.body["config"]["peers"][0]["public_key"], key(2));
    let agent2 = app.get(&format!("/v1/sites/{p}/agent")).token(&t.viewer).send().await;
    assert_ne!(agent2.body["id"], agent.body["id"]);

    // Revoked by an operator: the credential stops working and berlin no longer lists paris.
    app.delete(&format!("/v1/sites/{p}/agent")).token(&t.viewer).send().await.expect(StatusCode::FORBIDDEN);
    app.delete(&format!("/v1/sites/{p}/agent")).token(&t.operator).send().await.expect(StatusCode::NO_CONTENT);
    app.get("/v1/agent/config").token(&second).send().await.expect(StatusCode::UNAUTHORIZED);
    app.get(&format!("/v1/sites/{p}/agent")).token(&t.viewer).send().await.expect(StatusCode::NOT_FOUND);
    let doc = app.get("/v1/agent/config").token(&berlin_cred).send().await;
    assert_eq!(doc.body["config"]["peers"], json!([]));
}

#[tokio::test]
async fn an_agent_credential_reaches_only_its_own_sites_agent_endpoints() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let paris = site(&app, &t, "paris", &[]).await;
    let berlin = site(&app, &t, "berlin", &[]).await;
    let cred = enrolled(&app, &t, id(&paris), 1).await;

    for path in
        ["/v1/sites".to_string(), format!("/v1/sites/{}/config", id(&berlin)), format!("/v1/sites/{}", id(&paris))]
    {
        app.get(&path).token(&cred).send().await.expect_problem(StatusCode::FORBIDDEN, "forbidden");
    }
    app.post("/v1/sites").token(&cred).json(json!({"name": "x"})).send().await.expect(StatusCode::FORBIDDEN);
    let doc = app.get("/v1/agent/config").token(&cred).send().await;
    assert_eq!(doc.body["config"]["site_id"], id(&paris));
    // Operators' credentials are not agents'.
    app.get("/v1/agent/config").token(&t.admin).send().await.expect_problem(StatusCode::FORBIDDEN, "forbidden");
    app.get("/v1/agent/config").send().await.expect(StatusCode::UNAUTHORIZED);
    let enr = token(&app, &t, id(&berlin), json!({})).await;
    app.get("/v1/agent/config").token(&enr).send().await.expect(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_long_poll_answers_304_on_timeout_and_wakes_on_a_change() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let paris = site(&app, &t, "paris", &["10.1.0.0/16"]).await;
    let berlin = site(&app, &t, "berlin", &["10.2.0.0/16"]).await;
    let (p, b) = (id(&paris), id(&berlin));
    enrolled(&app, &t, b, 9).await;
    let cred = enrolled(&app, &t, p, 1).await;

    let first = app.get("/v1/agent/config").token(&cred).send().await;
    first.expect(StatusCode::OK);
    let hash = first.body["hash"].as_str().unwrap().to_string();
    assert_eq!(first.etag(), format!("\"{hash}\""));
    assert_eq!(hash, app.get(&format!("/v1/sites/{p}/config")).token(&t.viewer).send().await.body["hash"]);

    let started = Instant::now();
    let same =
        app.get("/v1/agent/config?wait=1").token(&cred).header("if-none-match", &format!("\"{hash}\"")).send().await;
    same.expect(StatusCode::NOT_MODIFIED);
    assert!(started.elapsed() >= Duration::from_millis(900), "answered before the wait: {:?}", started.elapsed());
    app.get("/v1/agent/config?wait=61").token(&cred).send().await.expect(StatusCode::UNPROCESSABLE_ENTITY);

    // A change to berlin's LAN reaches paris's parked poll well before the wait ends.
    let poll = {
        let router = app.router.clone();
        let (cred, hash) = (cred.clone(), hash.clone());
        tokio::spawn(async move {
            let started = Instant::now();
            let req = axum::http::Request::get("/v1/agent/config?wait=30")
                .header("authorization", format!("Bearer {cred}"))
                .header("if-none-match", format!("\"{hash}\""))
                .body(axum::body::Body::empty())
                .unwrap();
            let resp = tower::ServiceExt::oneshot(router, req).await.unwrap();
            let status = resp.status();
            let body = http_body_util::BodyExt::collect(resp.into_body()).await.unwrap().to_bytes();
            (status, serde_json::from_slice::<Value>(&body).unwrap(), started.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.patch(&format!("/v1/sites/{b}"))
        .token(&t.operator)
        .json(json!({"lan_prefixes": ["10.2.0.0/16", "10.20.0.0/16"]}))
        .send()
        .await
        .expect(StatusCode::OK);
    let (status, body, waited) = poll.await.unwrap();
    assert_eq!(status, StatusCode::OK);
    assert!(waited < Duration::from_secs(5), "woken after {waited:?}");
    assert_ne!(body["hash"], hash.as_str());
    let allowed = body["config"]["peers"][0]["allowed_ips"].as_array().unwrap();
    assert!(allowed.contains(&json!("10.20.0.0/16")), "{allowed:?}");
    // The woken poll is the fan-out the metric times; the polls that were not parked are not.
    let metrics = app.state.metrics.render();
    assert!(metrics.contains("patronus_config_fanout_seconds_count 1\n"), "{metrics}");
    assert!(metrics.contains("patronus_config_fanout_seconds_bucket{le=\"5\"} 1\n"), "{metrics}");
}

#[tokio::test]
async fn status_reports_make_a_site_online_degraded_or_offline() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let paris = site(&app, &t, "paris", &[]).await;
    let p = id(&paris);
    let status_path = format!("/v1/sites/{p}/status");

    let s = app.get(&status_path).token(&t.viewer).send().await;
    assert_eq!(s.body["health"], "unenrolled");

    let cred = enrolled(&app, &t, p, 1).await;
    let s = app.get(&status_path).token(&t.viewer).send().await;
    assert_eq!(s.body["health"], "offline");
    let doc = app.get("/v1/agent/config").token(&cred).send().await;
    let (hash, revision) = (doc.body["hash"].clone(), doc.body["revision"].clone());

    let report = json!({"applied_revision": revision, "applied_hash": hash, "agent_version": "0.1.0", "uptime_seconds": 5,
        "links": [{"name": "fiber", "up": true, "tx_bytes": 10}], "peers": []});
    app.post("/v1/agent/status").token(&cred).json(report.clone()).send().await.expect(StatusCode::NO_CONTENT);
    let s = app.get(&status_path).token(&t.viewer).send().await;
    assert_eq!(s.body["health"], "online", "{}", s.body);
    assert_eq!(s.body["report"]["links"][0]["tx_bytes"], 10);
    assert_eq!(s.body["desired_hash"], hash);

    let mut failing = report.clone();
    failing["last_error"] = json!("tun device missing");
    app.post("/v1/agent/status").token(&cred).json(failing).send().await.expect(StatusCode::NO_CONTENT);
    let s = app.get(&status_path).token(&t.viewer).send().await;
    assert_eq!(s.body["health"], "degraded");
    assert!(s.body["reason"].as_str().unwrap().contains("tun device missing"));

    let mut old = report.clone();
    old["applied_hash"] = json!("0".repeat(64));
    app.post("/v1/agent/status").token(&cred).json(old).send().await.expect(StatusCode::NO_CONTENT);
    assert_eq!(app.get(&status_path).token(&t.viewer).send().await.body["health"], "degraded");

    app.post("/v1/agent/status")
        .token(&cred)
        .json(json!({"agent_version": "x", "bogus": 1}))
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    app.post("/v1/agent/status").token(&t.admin).json(report.clone()).send().await.expect(StatusCode::FORBIDDEN);

    // Silent for three intervals: offline, in the API and in the metrics.
    app.post("/v1/agent/status").token(&cred).json(report).send().await.expect(StatusCode::NO_CONTENT);
    owner_sql(&app, "UPDATE agents SET last_seen_at = now() - interval '10 minutes'").await;
    let s = app.get(&status_path).token(&t.viewer).send().await;
    assert_eq!(s.body["health"], "offline");
    assert!(s.body["reason"].as_str().unwrap().contains("no status report since"));
    assert_eq!(patronus_server::maintenance::mark_offline(&app.state).await.unwrap(), 1);
    assert_eq!(patronus_server::maintenance::mark_offline(&app.state).await.unwrap(), 0);
    let metrics = app.state.metrics.render();
    assert!(metrics.contains("patronus_site_health_transitions_total{from=\"online\",to=\"offline\"} 1"), "{metrics}");
}

/// An agent that could not reach the control plane says so in its next report: the outage is in
/// the site's status and in the fleet's outage counters; a malformed one is a field error.
#[tokio::test]
async fn a_report_carries_the_control_plane_outages_the_agent_saw() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let paris = site(&app, &t, "paris", &[]).await;
    let cred = enrolled(&app, &t, id(&paris), 1).await;
    let outage = json!({"started_at": "2026-12-06T20:00:00Z", "ended_at": "2026-12-06T20:00:42.5Z", "failed_polls": 7});
    let report = json!({"agent_version": "0.1.0", "uptime_seconds": 60, "control_plane_outages": [outage]});
    app.post("/v1/agent/status").token(&cred).json(report).send().await.expect(StatusCode::NO_CONTENT);
    let s = app.get(&format!("/v1/sites/{}/status", id(&paris))).token(&t.viewer).send().await;
    assert_eq!(s.body["report"]["control_plane_outages"][0]["failed_polls"], 7, "{}", s.body);
    // The next report carries none; the site's status still shows the last one.
    let quiet = json!({"agent_version": "0.1.0", "uptime_seconds": 90});
    app.post("/v1/agent/status").token(&cred).json(quiet).send().await.expect(StatusCode::NO_CONTENT);
    let s = app.get(&format!("/v1/sites/{}/status", id(&paris))).token(&t.viewer).send().await;
    assert_eq!(s.body["report"]["control_plane_outages"], json!([]), "{}", s.body);
    assert_eq!(s.body["last_control_plane_outage"]["failed_polls"], 7, "{}", s.body);
    assert_eq!(s.body["last_control_plane_outage"]["ended_at"], "2026-12-06T20:00:42.500Z", "{}", s.body);
    let metrics = app.state.metrics.render();
    assert!(metrics.contains("patronus_agent_control_plane_outages_total 1"), "{metrics}");
    assert!(metrics.contains("patronus_agent_control_plane_outage_seconds_total 42.5"), "{metrics}");

    let backwards =
        json!({"started_at": "2026-12-06T20:01:00Z", "ended_at": "2026-12-06T20:00:00Z", "failed_polls": 1});
    let bad = app
        .post("/v1/agent/status")
        .token(&cred)
        .json(json!({"agent_version": "0.1.0", "uptime_seconds": 61, "control_plane_outages": [backwards]}))
        .send()
        .await;
    bad.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.body["errors"][0]["pointer"], "/control_plane_outages/0/ended_at", "{}", bad.body);
    let many: Vec<_> = (0..11).map(|_| outage.clone()).collect();
    let bad = app
        .post("/v1/agent/status")
        .token(&cred)
        .json(json!({"agent_version": "0.1.0", "uptime_seconds": 62, "control_plane_outages": many}))
        .send()
        .await;
    bad.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.body["errors"][0]["pointer"], "/control_plane_outages", "{}", bad.body);
    // Neither refused report counted.
    assert!(app.state.metrics.render().contains("patronus_agent_control_plane_outages_total 1"));
}

/// The applications an agent recognised are in the site's status as it reported them; too many,
/// or a name that cannot be one, is a field error.
#[tokio::test]
async fn a_report_carries_the_sites_top_applications_within_bounds() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let paris = site(&app, &t, "paris", &[]).await;
    let cred = enrolled(&app, &t, id(&paris), 1).await;
    let usage = |name: &str, bytes: u64| json!({"name": name, "flows": 3, "packets": 10, "bytes": bytes});
    let report = json!({"agent_version": "0.1.0", "uptime_seconds": 60,
        "applications": {"late_moves": 2, "top": [usage("youtube", 9000), usage("teams", 500)]}});
    app.post("/v1/agent/status").token(&cred).json(report).send().await.expect(StatusCode::NO_CONTENT);
    let s = app.get(&format!("/v1/sites/{}/status", id(&paris))).token(&t.viewer).send().await;
    assert_eq!(s.body["report"]["applications"]["late_moves"], 2, "{}", s.body);
    assert_eq!(s.body["report"]["applications"]["top"][0]["name"], "youtube", "{}", s.body);
    assert_eq!(s.body["report"]["applications"]["top"][1]["bytes"], 500, "{}", s.body);

    let many: Vec<_> = (0..21).map(|i| usage(&format!("app{i}"), 1)).collect();
    for (top, pointer) in [
        (json!(many), "/applications/top"),
        (json!([usage("teams", 1), usage("You Tube", 1)]), "/applications/top/1/name"),
    ] {
        let bad = app
            .post("/v1/agent/status")
            .token(&cred)
            .json(
                json!({"agent_version": "0.1.0", "uptime_seconds": 61, "applications": {"late_moves": 0, "top": top}}),
            )
            .send()
            .await;
        bad.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
        assert_eq!(bad.pointers(), [pointer], "{}", bad.body);
    }
    // An unknown field in it is refused too, like anywhere in the report.
    let bad = app
        .post("/v1/agent/status")
        .token(&cred)
        .json(json!({"agent_version": "0.1.0", "uptime_seconds": 62, "applications": {"late_moves": 0, "extra": 1}}))
        .send()
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
}
