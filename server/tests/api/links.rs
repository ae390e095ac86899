use axum::http::StatusCode;
use serde_json::json;

use crate::common::TestApp;
use crate::sites::site;

#[tokio::test]
async fn links_belong_to_a_site_and_follow_the_conventions() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let paris = site(&app, &t, "paris", &[]).await;
    let berlin = site(&app, &t, "berlin", &[]).await;
    let (p, b) = (paris["id"].as_str().unwrap(), berlin["id"].as_str().unwrap());
    let new = |site: &str, name: &str| {
        json!({"site_id": site, "name": name, "interface": "eth1", "kind": "fiber", "endpoint": "203.0.113.1:51820",
            "bandwidth_up_mbps": 100, "bandwidth_down_mbps": 1000, "cost": 5, "priority": 10})
    };
    app.post("/v1/links")
        .token(&t.viewer)
        .json(new(p, "fiber"))
        .send()
        .await
        .expect_problem(StatusCode::FORBIDDEN, "forbidden");
    let fiber = app.post("/v1/links").token(&t.operator).json(new(p, "fiber")).send().await;
    fiber.expect(StatusCode::CREATED);
    assert_eq!(fiber.body["kind"], "fiber");
    assert_eq!(fiber.body["endpoint"], "203.0.113.1:51820");
    let dup = app.post("/v1/links").token(&t.operator).json(new(p, "fiber")).send().await;
    dup.expect_problem(StatusCode::CONFLICT, "conflict");
    assert_eq!(dup.pointers(), ["/name"]);
    app.post("/v1/links").token(&t.operator).json(new(b, "fiber")).send().await.expect(StatusCode::CREATED);
    let lte = app.post("/v1/links").token(&t.operator)
        .json(json!({"site_id": p, "name": "lte", "interface": "wwan0", "kind": "lte", "bandwidth_up_mbps": 20, "bandwidth_down_mbps": 50}))
        .send().await;
    lte.expect(StatusCode::CREATED);
    assert!(lte.body["endpoint"].is_null());
    assert_eq!(lte.body["priority"], 100);

    let of_paris = app.get(&format!("/v1/links?site_id={p}")).token(&t.viewer).send().await;
    assert_eq!(of_paris.body["items"].as_array().unwrap().len(), 2);
    let one = app.get(&format!("/v1/links?site_id={p}&name=lte")).token(&t.viewer).send().await;
    assert_eq!(one.body["items"][0]["id"], lte.body["id"]);

    let path = format!("/v1/links/{}", fiber.id());
    let behind_nat = app
        .patch(&path)
        .token(&t.operator)
        .header("if-match", &fiber.etag())
        .json(json!({"endpoint": null, "cost": 7}))
        .send()
        .await;
    behind_nat.expect(StatusCode::OK);
    assert!(behind_nat.body["endpoint"].is_null());
    assert_eq!(behind_nat.body["cost"], 7);
    app.patch(&path)
        .token(&t.operator)
        .header("if-match", &fiber.etag())
        .json(json!({"cost": 8}))
        .send()
        .await
        .expect_problem(StatusCode::PRECONDITION_FAILED, "precondition-failed");
    app.patch(&path)
        .token(&t.operator)
        .json(json!({"site_id": b}))
        .send()
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    app.delete(&path).token(&t.viewer).send().await.expect_problem(StatusCode::FORBIDDEN, "forbidden");
    app.delete(&path).token(&t.operator).send().await.expect(StatusCode::NO_CONTENT);
    app.get(&path).token(&t.operator).send().await.expect_problem(StatusCode::NOT_FOUND, "not-found");

    // Deleting the site deletes its links.
    app.delete(&format!("/v1/sites/{p}")).token(&t.operator).send().await.expect(StatusCode::NO_CONTENT);
    app.get(&format!("/v1/links/{}", lte.id()))
        .token(&t.operator)
        .send()
        .await
        .expect_problem(StatusCode::NOT_FOUND, "not-found");
}

#[tokio::test]
async fn link_validation_names_each_field() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let s = site(&app, &t, "paris", &[]).await;
    let id = s["id"].as_str().unwrap();
    let bad = app.post("/v1/links").token(&t.operator)
        .json(json!({"site_id": id, "name": "fiber", "interface": "eth/0", "endpoint": "203.0.113.1:51820", "bandwidth_up_mbps": 0, "bandwidth_down_mbps": 10}))
        .send().await;
    bad.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(bad.pointers(), ["/interface", "/bandwidth_up_mbps"]);
    // An endpoint that is not host:port stops the body from being read: it is the one error.
    let shape = "must be host:port, e.g. 203.0.113.10:51820, [2001:db8::1]:51820 or wan.example.net:51820";
    let port = "the port must be between 1 and 65535";
    for (endpoint, detail) in [
        ("203.0.113.1", shape),
        ("203.0.113.1:0", port),
        ("[::1]", shape),
        ("host name:80", shape),
        ("2001:db8::1:51820", shape),
    ] {
        let r = app.post("/v1/links").token(&t.operator)
            .json(json!({"site_id": id, "name": "x", "interface": "eth/0", "endpoint": endpoint, "bandwidth_up_mbps": 1, "bandwidth_down_mbps": 1}))
            .send().await;
        r.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
        assert_eq!(r.pointers(), ["/endpoint"], "{endpoint}");
        assert_eq!(r.body["errors"][0]["detail"], detail, "{endpoint}");
    }
    let kind = app.post("/v1/links").token(&t.operator)
        .json(json!({"site_id": id, "name": "x", "interface": "eth0", "kind": "pigeon", "bandwidth_up_mbps": 1, "bandwidth_down_mbps": 1}))
        .send().await;
    assert_eq!(kind.pointers(), ["/kind"]);
    let missing = app
        .post("/v1/links")
        .token(&t.operator)
        .json(json!({"site_id": id, "name": "x", "interface": "eth0"}))
        .send()
        .await;
    assert_eq!(missing.pointers(), ["/bandwidth_up_mbps"]);
    let bad_site = app.post("/v1/links").token(&t.operator)
        .json(json!({"site_id": "not-a-uuid", "name": "x", "interface": "eth0", "bandwidth_up_mbps": 1, "bandwidth_down_mbps": 1}))
        .send().await;
    assert_eq!(bad_site.pointers(), ["/site_id"]);
    // Written back as given: an IPv6 address is not recompressed, a name not lowercased.
    for host in ["[2001:db8::1]:51820", "wan.example.net:51820", "[2001:DB8:0::2]:51820", "WAN.example.net:443"] {
        let created = app.post("/v1/links").token(&t.operator)
            .json(json!({"site_id": id, "name": host, "interface": "eth0", "endpoint": host, "bandwidth_up_mbps": 1, "bandwidth_down_mbps": 1}))
            .send().await;
        created.expect(StatusCode::CREATED);
        assert_eq!(created.body["endpoint"], host);
    }
}
