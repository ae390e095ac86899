//! Path health: the paths an agent reports, their history, and the path changes it reports.

use axum::http::StatusCode;
use chrono::{Duration, SecondsFormat, Utc};
use serde_json::{json, Value};

use crate::agents::{enrolled, id, owner_sql};
use crate::common::TestApp;
use crate::sites::site;

fn report(peer: &str, fiber_rtt: f64, events: Value) -> Value {
    json!({
        "agent_version": "0.1.0", "uptime_seconds": 5,
        "peers": [{"site_id": peer, "active_link": "fiber", "paths": [
            {"link": "fiber", "endpoint": "192.0.2.2:51820", "up": true, "active": true,
             "rtt_ms": fiber_rtt, "jitter_ms": 1.0, "loss_percent": 0.0},
            {"link": "lte", "endpoint": "198.51.100.2:51820", "up": false}
        ]}],
        "policies": [{"name": "voice", "packets": 10, "bytes": 1000, "peers": [
            {"site_id": peer, "active_link": "lte", "sla_violated": false, "switches": 1}
        ]}],
        "failover_events": events,
    })
}

fn ts(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true).replace('+', "%2B")
}

#[tokio::test]
async fn reported_paths_are_served_now_as_history_and_as_failover_events() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let (paris, berlin) = (site(&app, &t, "paris", &[]).await, site(&app, &t, "berlin", &[]).await);
    let (p, b) = (id(&paris).to_string(), id(&berlin).to_string());

    let now = app.get(&format!("/v1/sites/{p}/paths")).token(&t.viewer).send().await;
    now.expect(StatusCode::OK);
    assert_eq!(now.body["paths"], json!([]));
    assert_eq!(now.body["reported_at"], Value::Null);

    let cred = enrolled(&app, &t, &p, 1).await;
    let at = Utc::now().to_rfc3339();
    let events = json!([
        {"at": at, "peer_site_id": b, "from_link": "fiber", "to_link": "lte", "from_endpoint": "192.0.2.2:51820",
         "to_endpoint": "198.51.100.2:51820", "reason": "path_down"},
        {"at": at, "peer_site_id": b, "policy": "voice", "from_link": "fiber", "to_link": "lte", "reason": "sla"},
    ]);
    app.post("/v1/agent/status")
        .token(&cred)
        .json(report(&b, 10.0, events))
        .send()
        .await
        .expect(StatusCode::NO_CONTENT);
    // A second report in the same minute adds no sample and no event.
    app.post("/v1/agent/status")
        .token(&cred)
        .json(report(&b, 99.0, json!([])))
        .send()
        .await
        .expect(StatusCode::NO_CONTENT);

    let now = app.get(&format!("/v1/sites/{p}/paths")).token(&t.viewer).send().await;
    now.expect(StatusCode::OK);
    let paths = now.body["paths"].as_array().unwrap();
    assert_eq!(paths.len(), 2, "{}", now.body);
    assert_eq!(
        (paths[0]["link"].as_str(), paths[0]["up"].as_bool(), paths[0]["active"].as_bool()),
        (Some("fiber"), Some(true), Some(true))
    );
    assert_eq!(paths[0]["rtt_ms"], 99.0, "the latest report");
    assert_eq!((paths[1]["link"].as_str(), paths[1]["up"].as_bool()), (Some("lte"), Some(false)));
    assert!(now.body["reported_at"].is_string());
    let status = app.get(&format!("/v1/sites/{p}/status")).token(&t.viewer).send().await;
    assert_eq!(status.body["report"]["policies"][0]["peers"][0]["active_link"], "lte", "{}", status.body);

    // One sample so far; move it a minute back and report again: two one-minute points, and one
    // hourly point whose mean is exact.
    let history = format!("/v1/sites/{p}/paths/history");
    let h = app.get(&history).token(&t.viewer).send().await;
    h.expect(StatusCode::OK);
    assert_eq!(h.body["series"].as_array().unwrap().len(), 2, "{}", h.body);
    let fiber = &h.body["series"][0];
    assert_eq!((fiber["link"].as_str(), fiber["points"].as_array().unwrap().len()), (Some("fiber"), 1));
    assert_eq!(fiber["points"][0]["rtt_ms"], 10.0);
    assert_eq!(h.body["series"][1]["points"][0]["up_ratio"], 0.0);
    assert_eq!(h.body["series"][1]["points"][0]["rtt_ms"], Value::Null);
    owner_sql(&app, "UPDATE path_samples SET at = at - interval '1 minute'").await;
    owner_sql(&app, "UPDATE agents SET sampled_at = now() - interval '1 minute'").await;
    app.post("/v1/agent/status")
        .token(&cred)
        .json(report(&b, 20.0, json!([])))
        .send()
        .await
        .expect(StatusCode::NO_CONTENT);
    let h = app.get(&format!("{history}?link=fiber")).token(&t.viewer).send().await;
    assert_eq!(h.body["series"].as_array().unwrap().len(), 1);
    let points = h.body["series"][0]["points"].as_array().unwrap();
    assert_eq!(points.iter().map(|x| x["rtt_ms"].as_f64().unwrap()).collect::<Vec<_>>(), vec![10.0, 20.0]);
    let from = ts(Utc::now() - Duration::hours(2));
    let h =
        app.get(&format!("{history}?from={from}&step=3600&peer_site_id={b}&link=fiber")).token(&t.viewer).send().await;
    h.expect(StatusCode::OK);
    let hourly: Vec<(f64, u64)> = h.body["series"][0]["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["rtt_ms"].as_f64().unwrap(), x["samples"].as_u64().unwrap()))
        .collect();
    // The two samples fall in one hour, or straddle two when the test runs at the turn of one.
    assert_eq!(hourly.iter().map(|x| x.1).sum::<u64>(), 2, "{hourly:?}");
    if hourly.len() == 1 {
        assert_eq!(hourly[0].0, 15.0);
    }

    // Three days later the samples are folded into hourly rows: gone from one-minute steps,
    // the same means in hourly ones.
    owner_sql(&app, "UPDATE path_samples SET at = at - interval '3 days'").await;
    owner_sql(&app, "SELECT fold_path_samples()").await;
    let from = ts(Utc::now() - Duration::days(4));
    let h = app.get(&format!("{history}?from={from}&step=3600&link=fiber")).token(&t.viewer).send().await;
    h.expect(StatusCode::OK);
    let folded = &h.body["series"][0]["points"];
    assert_eq!(folded.as_array().unwrap().iter().map(|x| x["samples"].as_u64().unwrap()).sum::<u64>(), 2, "{}", h.body);
    let from = ts(Utc::now() - Duration::days(3) - Duration::hours(1));
    let h = app.get(&format!("{history}?from={from}&step=600&link=fiber")).token(&t.viewer).send().await;
    assert_eq!(h.body["series"], json!([]), "one-minute rows were folded away");

    // The failover events, in order, filterable and paginated.
    let events = format!("/v1/sites/{p}/failover-events");
    let e = app.get(&events).token(&t.viewer).send().await;
    e.expect(StatusCode::OK);
    let items = e.body["items"].as_array().unwrap();
    assert_eq!(items.iter().map(|x| x["reason"].as_str().unwrap()).collect::<Vec<_>>(), vec!["path_down", "sla"]);
    assert_eq!(items[0]["policy"], Value::Null);
    assert_eq!(items[0]["to_endpoint"], "198.51.100.2:51820");
    assert_eq!((items[1]["policy"].as_str(), items[1]["to_link"].as_str()), (Some("voice"), Some("lte")));
    let voice = app.get(&format!("{events}?policy=voice")).token(&t.viewer).send().await;
    assert_eq!(voice.body["items"].as_array().unwrap().len(), 1);
    let first = app.get(&format!("{events}?limit=1")).token(&t.viewer).send().await;
    let cursor = first.body["next_cursor"].as_str().unwrap().to_string();
    let second = app.get(&format!("{events}?limit=1&cursor={cursor}")).token(&t.viewer).send().await;
    assert_eq!(second.body["items"][0]["reason"], "sla");
    assert_eq!(second.body["next_cursor"], Value::Null);

    let metrics = app.state.metrics.render();
    assert!(metrics.contains("patronus_failover_events_total{reason=\"sla\"} 1"), "{metrics}");
    assert!(metrics.contains("patronus_reported_paths_total{state=\"down\"} 3"), "{metrics}");
}

#[tokio::test]
async fn bad_path_queries_and_reports_are_4xx_and_other_tenants_see_nothing() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let other = app.tenant("globex").await;
    let (paris, berlin) = (site(&app, &t, "paris", &[]).await, site(&app, &t, "berlin", &[]).await);
    let (p, b) = (id(&paris).to_string(), id(&berlin).to_string());
    let history = format!("/v1/sites/{p}/paths/history");
    for (query, pointer) in [
        ("step=30", "/query/step"),
        ("step=90", "/query/step"),
        ("step=172800", "/query/step"),
        (&*format!("from={}&to={}", ts(Utc::now()), ts(Utc::now() - Duration::hours(1))), "/query/from"),
        (&*format!("from={}&step=60", ts(Utc::now() - Duration::days(2))), "/query/step"),
        (&*format!("from={}&step=86400", ts(Utc::now() - Duration::days(40))), "/query/from"),
        ("link=", "/query/link"),
    ] {
        let r = app.get(&format!("{history}?{query}")).token(&t.viewer).send().await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.body["errors"][0]["pointer"], pointer, "{query}: {}", r.body);
    }
    app.get(&format!("{history}?from=yesterday"))
        .token(&t.viewer)
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    app.get(&format!("{history}?peer_site_id=nope"))
        .token(&t.viewer)
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let events = format!("/v1/sites/{p}/failover-events");
    app.get(&format!("{events}?cursor=garbage!"))
        .token(&t.viewer)
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    app.get(&format!("{events}?limit=0")).token(&t.viewer).send().await.expect(StatusCode::UNPROCESSABLE_ENTITY);
    // A NUL would reach PostgreSQL as an invalid string: refused first.
    app.get(&format!("{events}?policy=a%00b")).token(&t.viewer).send().await.expect(StatusCode::UNPROCESSABLE_ENTITY);
    app.get(&format!("{history}?link=a%00b")).token(&t.viewer).send().await.expect(StatusCode::UNPROCESSABLE_ENTITY);

    for path in [format!("/v1/sites/{p}/paths"), history.clone(), events.clone()] {
        let r = app.get(&path).token(&other.viewer).send().await;
        r.expect(StatusCode::NOT_FOUND);
        let missing = path.replace(&p, "0190a000-0000-7000-8000-000000000000");
        app.get(&missing).token(&t.viewer).send().await.expect(StatusCode::NOT_FOUND);
        app.get(&path).send().await.expect(StatusCode::UNAUTHORIZED);
    }

    // Reports with too many or malformed events are refused whole: nothing is kept.
    let cred = enrolled(&app, &t, &p, 1).await;
    let event = json!({"at": Utc::now().to_rfc3339(), "peer_site_id": b, "to_link": "lte", "reason": "path_down"});
    let too_many = report(&b, 10.0, Value::Array(vec![event.clone(); 101]));
    let r = app.post("/v1/agent/status").token(&cred).json(too_many).send().await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["errors"][0]["pointer"], "/failover_events", "{}", r.body);
    let mut bad_reason = event.clone();
    bad_reason["reason"] = json!("cosmic_rays");
    app.post("/v1/agent/status")
        .token(&cred)
        .json(report(&b, 10.0, json!([bad_reason])))
        .send()
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    let mut control = event.clone();
    control["to_link"] = json!("lte\u{7}");
    let r = app.post("/v1/agent/status").token(&cred).json(report(&b, 10.0, json!([control]))).send().await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["errors"][0]["pointer"], "/failover_events/0/to_link", "{}", r.body);
    let mut nul = report(&b, 10.0, json!([]));
    nul["policies"][0]["peers"][0]["active_link"] = json!("lte\u{0}");
    app.post("/v1/agent/status").token(&cred).json(nul).send().await.expect(StatusCode::UNPROCESSABLE_ENTITY);
    let e = app.get(&events).token(&t.viewer).send().await;
    assert_eq!(e.body["items"], json!([]));
    assert_eq!(app.get(&history).token(&t.viewer).send().await.body["series"], json!([]));
}

fn shaping_report(voice_bytes: u64, voice_drops: u64, error: Option<&str>) -> Value {
    json!({
        "agent_version": "0.1.0", "uptime_seconds": 5,
        "links": [{"name": "fiber", "up": true, "shaping": {
            "interface": "eth0", "egress_kbps": 19000, "leaf": "pfifo", "error": error,
            "classes": [
                {"class": "voice", "priority": 1, "direction": "egress", "rate_kbps": 3800, "ceil_kbps": 19000,
                 "bytes": voice_bytes, "packets": voice_bytes / 100, "drops": voice_drops,
                 "backlog_bytes": 0, "backlog_packets": 0},
                {"direction": "egress", "rate_kbps": 15200, "ceil_kbps": 19000, "bytes": 500, "packets": 5}
            ]}}],
    })
}

#[tokio::test]
async fn shaping_counters_are_in_the_status_and_counted_once_in_the_metrics() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let paris = site(&app, &t, "paris", &[]).await;
    let p = id(&paris).to_string();
    let cred = enrolled(&app, &t, &p, 1).await;
    for (bytes, drops) in [(1000, 1), (3000, 4)] {
        app.post("/v1/agent/status")
            .token(&cred)
            .json(shaping_report(bytes, drops, None))
            .send()
            .await
            .expect(StatusCode::NO_CONTENT);
    }
    let status = app.get(&format!("/v1/sites/{p}/status")).token(&t.viewer).send().await;
    status.expect(StatusCode::OK);
    let shaping = &status.body["report"]["links"][0]["shaping"];
    assert_eq!((shaping["leaf"].as_str(), shaping["egress_kbps"].as_u64()), (Some("pfifo"), Some(19000)));
    assert_eq!(shaping["classes"][0]["bytes"], 3000, "{}", status.body);
    // The counters of the second report less the first: each byte once.
    let metrics = app.state.metrics.render();
    assert!(metrics.contains("patronus_shaped_bytes_total{direction=\"egress\",priority=\"1\"} 3000"), "{metrics}");
    assert!(metrics.contains("patronus_shaped_drops_total{direction=\"egress\",priority=\"1\"} 4"), "{metrics}");
    assert!(
        metrics.contains("patronus_shaped_bytes_total{direction=\"egress\",priority=\"default\"} 500"),
        "{metrics}"
    );
    // Counters that started again (the agent restarted) count from zero.
    app.post("/v1/agent/status")
        .token(&cred)
        .json(shaping_report(200, 0, Some("interface eth0 does not exist")))
        .send()
        .await
        .expect(StatusCode::NO_CONTENT);
    let metrics = app.state.metrics.render();
    assert!(metrics.contains("patronus_shaped_bytes_total{direction=\"egress\",priority=\"1\"} 3200"), "{metrics}");
    assert!(metrics.contains("patronus_reported_shaping_total{state=\"error\"} 1"), "{metrics}");
    // A report whose shaping names a class priority out of range is refused.
    let mut bad = shaping_report(1, 0, None);
    bad["links"][0]["shaping"]["classes"][0]["priority"] = json!(9);
    let r = app.post("/v1/agent/status").token(&cred).json(bad).send().await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.to_string().contains("/links/0/shaping/classes/0/priority"), "{}", r.body);
}
