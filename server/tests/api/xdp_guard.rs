//! The XDP guard in agents' status reports: shown in the site status, counted in metrics by how
//! much its counters grew, and refused when malformed.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::agents::{enrolled, id};
use crate::common::TestApp;
use crate::sites::site;

fn report(uptime: u64, peer: &str, malformed: u64, rate: u64, data: u64) -> Value {
    json!({
        "agent_version": "0.1.0", "uptime_seconds": uptime,
        "xdp_guard": {
            "state": "active",
            "links": [
                {"name": "fiber", "interface": "eth0", "mode": "native"},
                {"name": "lte", "interface": "wwan0", "mode": "none", "error": "attaching to wwan0: no such interface"}
            ],
            "warning": "not attached on link(s) lte: their datagrams are not filtered",
            "counters": {
                "passed_initiations": 2, "passed_responses": 1, "passed_cookie_replies": 0, "passed_data": data,
                "passed_bytes": 100 * data, "dropped_malformed": malformed, "dropped_unknown_index": 3,
                "dropped_initiation_rate": rate, "dropped_bytes": 148 * rate
            },
            "peers": [{"site_id": peer, "packets": data, "bytes": 100 * data}]
        }
    })
}

fn metric(text: &str, series: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|v| v.trim().parse().ok()))
        .unwrap_or_else(|| panic!("no {series} in\n{text}"))
}

#[tokio::test]
async fn the_guard_shows_in_the_site_status_and_its_growth_in_metrics() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let (paris, berlin) = (site(&app, &t, "paris", &[]).await, site(&app, &t, "berlin", &[]).await);
    let (p, b) = (id(&paris).to_string(), id(&berlin).to_string());
    let cred = enrolled(&app, &t, &p, 1).await;

    app.post("/v1/agent/status")
        .token(&cred)
        .json(report(10, &b, 100, 40, 1000))
        .send()
        .await
        .expect(StatusCode::NO_CONTENT);
    let status = app.get(&format!("/v1/sites/{p}/status")).token(&t.viewer).send().await;
    status.expect(StatusCode::OK);
    let guard = &status.body["report"]["xdp_guard"];
    assert_eq!(guard["state"], "active", "{}", status.body);
    assert_eq!(guard["links"][0]["mode"], "native");
    assert_eq!(guard["links"][1]["mode"], "none");
    assert_eq!(guard["counters"]["dropped_initiation_rate"], 40);
    assert_eq!(guard["peers"][0]["site_id"], b);

    // The same run, later: metrics grow by the difference.
    app.post("/v1/agent/status")
        .token(&cred)
        .json(report(40, &b, 250, 40, 1500))
        .send()
        .await
        .expect(StatusCode::NO_CONTENT);
    let m = app.state.metrics.render();
    assert_eq!(metric(&m, "patronus_xdp_guard_dropped_packets_total{reason=\"malformed\"}"), 250, "{m}");
    assert_eq!(metric(&m, "patronus_xdp_guard_dropped_packets_total{reason=\"initiation_rate\"}"), 40);
    assert_eq!(metric(&m, "patronus_xdp_guard_dropped_packets_total{reason=\"unknown_index\"}"), 3);
    assert_eq!(metric(&m, "patronus_xdp_guard_passed_packets_total{message=\"data\"}"), 1500);
    assert_eq!(metric(&m, "patronus_xdp_guard_dropped_bytes_total"), 148 * 40);
    assert_eq!(metric(&m, "patronus_xdp_guard_reported_links_total{mode=\"native\"}"), 2);
    assert_eq!(metric(&m, "patronus_xdp_guard_reported_links_total{mode=\"none\"}"), 2);

    // The agent restarted (shorter uptime): its counters start again from zero.
    app.post("/v1/agent/status").token(&cred).json(report(5, &b, 7, 0, 10)).send().await.expect(StatusCode::NO_CONTENT);
    let m = app.state.metrics.render();
    assert_eq!(metric(&m, "patronus_xdp_guard_dropped_packets_total{reason=\"malformed\"}"), 257, "{m}");
    assert_eq!(metric(&m, "patronus_xdp_guard_passed_packets_total{message=\"data\"}"), 1510);
    // No label names a site, tenant, link or peer.
    assert!(!m.contains(&p) && !m.contains(&b) && !m.contains("fiber"), "{m}");

    // A guard that could not load says why, and counts its links as off.
    let unavailable = json!({"agent_version": "0.1.0", "uptime_seconds": 6, "xdp_guard": {
        "state": "unavailable", "warning": "loading the XDP guard into the kernel: Operation not permitted"}});
    app.post("/v1/agent/status").token(&cred).json(unavailable).send().await.expect(StatusCode::NO_CONTENT);
    let status = app.get(&format!("/v1/sites/{p}/status")).token(&t.viewer).send().await;
    assert_eq!(status.body["report"]["xdp_guard"]["state"], "unavailable");
    assert!(metric(&app.state.metrics.render(), "patronus_xdp_guard_reported_links_total{mode=\"off\"}") >= 1);
}

#[tokio::test]
async fn a_malformed_guard_report_is_a_422_at_its_field() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let paris = site(&app, &t, "paris", &[]).await;
    let p = id(&paris).to_string();
    let cred = enrolled(&app, &t, &p, 1).await;
    let base = |guard: Value| json!({"agent_version": "0.1.0", "uptime_seconds": 1, "xdp_guard": guard});
    let long = "x".repeat(2001);
    for (guard, pointer) in [
        (json!({"state": "active", "warning": long}), "/xdp_guard/warning"),
        (
            json!({"state": "active", "links": [{"name": "a\u{7}", "interface": "eth0", "mode": "native"}]}),
            "/xdp_guard/links/0/name",
        ),
        (
            json!({"state": "active", "links": [{"name": "a", "interface": "x".repeat(65), "mode": "native"}]}),
            "/xdp_guard/links/0/interface",
        ),
    ] {
        let r = app.post("/v1/agent/status").token(&cred).json(base(guard)).send().await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.body["errors"][0]["pointer"], pointer, "{}", r.body);
    }
    for guard in [
        json!({"state": "sleeping"}),
        json!({"state": "active", "links": [{"name": "a", "interface": "b", "mode": "turbo"}]}),
        json!({"state": "active", "extra": 1}),
    ] {
        let r = app.post("/v1/agent/status").token(&cred).json(base(guard.clone())).send().await;
        assert!(r.status.is_client_error(), "{guard}: {}", r.status);
    }
}
