//! The fleet overview: every site's health counted, the sites that need attention, the newest
//! path changes, and an ETag for polling.

use axum::http::StatusCode;
use chrono::Utc;
use serde_json::json;

use crate::agents::{enrolled, id};
use crate::common::TestApp;
use crate::sites::site;

#[tokio::test]
async fn the_overview_counts_sites_by_health_and_lists_those_needing_attention() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let other = app.tenant("other").await;
    let (paris, berlin, rome) =
        (site(&app, &t, "paris", &[]).await, site(&app, &t, "berlin", &[]).await, site(&app, &t, "rome", &[]).await);
    let (p, b, r) = (id(&paris).to_string(), id(&berlin).to_string(), id(&rome).to_string());
    let paris_agent = enrolled(&app, &t, &p, 1).await;
    enrolled(&app, &t, &b, 2).await;

    // Paris reports the document it should run, and one path change towards Berlin.
    let config = app.get(&format!("/v1/sites/{p}/config")).token(&t.viewer).send().await;
    config.expect(StatusCode::OK);
    let report = json!({
        "agent_version": "0.1.0", "uptime_seconds": 5,
        "applied_revision": config.body["revision"], "applied_hash": config.body["hash"],
        "failover_events": [{"at": Utc::now().to_rfc3339(), "peer_site_id": b, "from_link": "fiber",
                             "to_link": "lte", "reason": "path_down"}],
    });
    app.post("/v1/agent/status").token(&paris_agent).json(report).send().await.expect(StatusCode::NO_CONTENT);

    let overview = app.get("/v1/fleet/status").token(&t.viewer).send().await;
    overview.expect(StatusCode::OK);
    let body = &overview.body;
    assert_eq!(body["sites"], 3, "{body}");
    assert_eq!(body["health"], json!({"online": 1, "degraded": 0, "offline": 1, "unenrolled": 1}), "{body}");
    // Worst first: Berlin enrolled but never reported (offline), then Rome with no agent.
    let attention: Vec<_> =
        body["attention"].as_array().unwrap().iter().map(|s| (s["name"].clone(), s["health"].clone())).collect();
    assert_eq!(attention, vec![(json!("berlin"), json!("offline")), (json!("rome"), json!("unenrolled"))]);
    assert_eq!(body["attention"][0]["reason"], "the agent has not reported yet");
    assert_eq!(body["attention"][1]["site_id"], r.as_str());
    let failovers = body["recent_failovers"].as_array().unwrap();
    assert_eq!(failovers.len(), 1, "{body}");
    assert_eq!(
        (failovers[0]["site_id"].as_str(), failovers[0]["reason"].as_str()),
        (Some(p.as_str()), Some("path_down"))
    );
    assert_eq!(body["site_names"], json!({p.clone(): "paris", b.clone(): "berlin"}));

    // Polling: the same overview is a 304 without a body; a change makes a new one.
    let etag = overview.etag();
    let again = app.get("/v1/fleet/status").token(&t.viewer).header("if-none-match", &etag).send().await;
    again.expect(StatusCode::NOT_MODIFIED);
    assert_eq!(again.body, serde_json::Value::Null);
    assert_eq!(again.etag(), etag);
    site(&app, &t, "madrid", &[]).await;
    let changed = app.get("/v1/fleet/status").token(&t.viewer).header("if-none-match", &etag).send().await;
    changed.expect(StatusCode::OK);
    assert_ne!(changed.etag(), etag);
    assert_eq!(changed.body["health"]["unenrolled"], 2);

    // Another tenant sees none of it; no credential, no overview.
    let theirs = app.get("/v1/fleet/status").token(&other.viewer).send().await;
    theirs.expect(StatusCode::OK);
    assert_eq!(theirs.body["sites"], 0);
    assert_eq!(theirs.body["recent_failovers"], json!([]));
    app.get("/v1/fleet/status").send().await.expect_problem(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn a_sites_status_and_paths_answer_304_while_unchanged() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let paris = site(&app, &t, "paris", &[]).await;
    let p = id(&paris).to_string();
    for path in [format!("/v1/sites/{p}/status"), format!("/v1/sites/{p}/paths")] {
        let first = app.get(&path).token(&t.viewer).send().await;
        first.expect(StatusCode::OK);
        let etag = first.etag();
        let again = app.get(&path).token(&t.viewer).header("if-none-match", &etag).send().await;
        again.expect(StatusCode::NOT_MODIFIED);
        assert_eq!(again.body, serde_json::Value::Null, "{path}");
        let stale = app.get(&path).token(&t.viewer).header("if-none-match", "\"other\"").send().await;
        stale.expect(StatusCode::OK);
        assert_eq!(stale.body, first.body, "{path}");
    }
    // Enrolling changes the status, and so its ETag.
    let status = format!("/v1/sites/{p}/status");
    let etag = app.get(&status).token(&t.viewer).send().await.etag();
    enrolled(&app, &t, &p, 1).await;
    let changed = app.get(&status).token(&t.viewer).header("if-none-match", &etag).send().await;
    changed.expect(StatusCode::OK);
    assert_eq!(changed.body["health"], "offline");
}
