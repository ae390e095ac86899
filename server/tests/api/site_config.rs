use axum::http::StatusCode;
use serde_json::json;

use crate::common::TestApp;
use crate::sites::site;

#[tokio::test]
async fn operators_inspect_a_sites_compiled_document() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let paris = site(&app, &t, "paris", &["10.1.0.0/16", "fd00:1::/64"]).await;
    let berlin = site(&app, &t, "berlin", &["10.2.0.0/16"]).await;
    let (p, b) = (paris["id"].as_str().unwrap(), berlin["id"].as_str().unwrap());
    app.post("/v1/links").token(&t.operator)
        .json(json!({"site_id": p, "name": "fiber", "interface": "eth1", "endpoint": "203.0.113.1:51820", "bandwidth_up_mbps": 100, "bandwidth_down_mbps": 100}))
        .send().await.expect(StatusCode::CREATED);

    let config = app.get(&format!("/v1/sites/{p}/config")).token(&t.viewer).send().await;
    config.expect(StatusCode::OK);
    let hash = config.body["hash"].as_str().unwrap().to_string();
    assert_eq!(config.etag(), format!("\"{hash}\""));
    let doc = &config.body["config"];
    assert_eq!(doc["site_name"], "paris");
    assert_eq!(doc["overlay_address"], "100.64.0.1/16");
    assert_eq!(doc["lan_prefixes"], json!(["10.1.0.0/16", "fd00:1::/64"]));
    assert_eq!(doc["links"][0]["endpoint"], "203.0.113.1:51820");
    // No agent has enrolled yet, so no site is anyone's peer.
    assert_eq!(doc["peers"], json!([]));
    assert_eq!(doc["revision"], config.body["revision"]);

    // A change to berlin leaves paris's document (and its revision) alone.
    let paris_rev = config.body["revision"].as_i64().unwrap();
    app.patch(&format!("/v1/sites/{b}"))
        .token(&t.operator)
        .json(json!({"lan_prefixes": ["10.3.0.0/16"]}))
        .send()
        .await
        .expect(StatusCode::OK);
    let again = app.get(&format!("/v1/sites/{p}/config")).token(&t.viewer).send().await;
    assert_eq!(again.body["hash"], hash.as_str());
    assert_eq!(again.body["revision"], paris_rev);
    let berlin_doc = app.get(&format!("/v1/sites/{b}/config")).token(&t.viewer).send().await;
    assert!(berlin_doc.body["revision"].as_i64().unwrap() > paris_rev);
    assert_eq!(berlin_doc.body["config"]["lan_prefixes"], json!(["10.3.0.0/16"]));

    // A QoS class and a policy reach every site they apply to.
    app.post("/v1/qos-classes")
        .token(&t.operator)
        .json(json!({"name": "voice", "priority": 1, "dscp": 46, "guaranteed_percent": 20}))
        .send()
        .await
        .expect(StatusCode::CREATED);
    app.patch(&format!("/v1/sites/{b}"))
        .token(&t.operator)
        .json(json!({"labels": {"voice": "yes"}}))
        .send()
        .await
        .expect(StatusCode::OK);
    app.post("/v1/policies")
        .token(&t.operator)
        .json(json!({"name": "voip", "priority": 1, "match": {"protocol": "udp", "destination_ports": ["5060"]},
            "action": {"qos_class": "voice", "path_selection": "lowest_latency"}, "site_selector": {"voice": "yes"}}))
        .send()
        .await
        .expect(StatusCode::CREATED);
    let p_doc = app.get(&format!("/v1/sites/{p}/config")).token(&t.viewer).send().await;
    let b_doc = app.get(&format!("/v1/sites/{b}/config")).token(&t.viewer).send().await;
    assert_ne!(p_doc.body["hash"], hash.as_str());
    assert_eq!(p_doc.body["config"]["qos_classes"][0]["name"], "voice");
    assert_eq!(p_doc.body["config"]["policies"], json!([]));
    assert_eq!(b_doc.body["config"]["policies"][0]["name"], "voip");
    assert_eq!(b_doc.body["config"]["policies"][0]["action"]["qos_class"], "voice");
    app.get("/v1/sites/00000000-0000-0000-0000-000000000000/config")
        .token(&t.viewer)
        .send()
        .await
        .expect_problem(StatusCode::NOT_FOUND, "not-found");
}

async fn revision(app: &TestApp, token: &str) -> i64 {
    app.get("/v1/topology").token(token).send().await.body["revision"].as_i64().unwrap()
}

#[tokio::test]
async fn every_network_write_moves_the_revision_and_is_audited() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let r0 = revision(&app, &t.viewer).await;
    let s = site(&app, &t, "paris", &[]).await;
    let r1 = revision(&app, &t.viewer).await;
    assert_eq!(r1, r0 + 1);
    app.post("/v1/links").token(&t.operator)
        .json(json!({"site_id": s["id"], "name": "fiber", "interface": "eth1", "bandwidth_up_mbps": 1, "bandwidth_down_mbps": 1}))
        .send().await.expect(StatusCode::CREATED);
    assert_eq!(revision(&app, &t.viewer).await, r1 + 1);
    // A rejected write moves nothing.
    app.post("/v1/sites").token(&t.operator).json(json!({"name": "paris"})).send().await.expect(StatusCode::CONFLICT);
    assert_eq!(revision(&app, &t.viewer).await, r1 + 1);
    let audit = app.get("/v1/audit-events?resource_type=link").token(&t.admin).send().await;
    assert_eq!(audit.body["items"][0]["action"], "link.create");
    let site_events =
        app.get(&format!("/v1/audit-events?resource_id={}", s["id"].as_str().unwrap())).token(&t.admin).send().await;
    assert_eq!(site_events.body["items"][0]["action"], "site.create");
}
