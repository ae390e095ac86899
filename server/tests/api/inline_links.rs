//! A site's links in its own body: created with it, replaced as a set by PATCH, in one
//! transaction that writes nothing when one link is bad.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::common::TestApp;

fn link(name: &str, endpoint: &str, cost: u32) -> Value {
    json!({"name": name, "interface": "eth1", "kind": "fiber", "endpoint": endpoint,
        "bandwidth_up_mbps": 100, "bandwidth_down_mbps": 1000, "cost": cost})
}

fn names(site: &Value) -> Vec<String> {
    site["links"].as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn a_site_creates_changes_and_removes_its_links_in_one_request() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let created = app
        .post("/v1/sites")
        .token(&t.operator)
        .json(json!({"name": "paris", "lan_prefixes": ["10.1.0.0/16"],
            "links": [link("lte", "198.51.100.1:51820", 9), link("fiber", "203.0.113.1:51820", 1)]}))
        .send()
        .await;
    created.expect(StatusCode::CREATED);
    assert_eq!(names(&created.body), ["fiber", "lte"]);
    let site = format!("/v1/sites/{}", created.id());
    let fiber_id = created.body["links"][0]["id"].clone();
    // The links are links like any other, and the compiled document has them.
    let listed = app.get(&format!("/v1/links?site_id={}", created.id())).token(&t.viewer).send().await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 2);
    let config = app.get(&format!("{site}/config")).token(&t.viewer).send().await;
    assert_eq!(config.body["config"]["links"].as_array().unwrap().len(), 2);

    // Change one link: the other keeps its id and version.
    let changed = app
        .patch(&site)
        .token(&t.operator)
        .header("if-match", &created.etag())
        .json(json!({"links": [link("lte", "198.51.100.1:51820", 4), link("fiber", "203.0.113.1:51820", 1)]}))
        .send()
        .await;
    changed.expect(StatusCode::OK);
    assert_eq!(changed.body["links"][0]["id"], fiber_id);
    assert_eq!(changed.body["links"][0]["etag"], created.body["links"][0]["etag"]);
    assert_eq!(changed.body["links"][1]["cost"], 4);
    assert_eq!(changed.body["links"][1]["id"], created.body["links"][1]["id"]);

    // Sending the same set again changes nothing, not even an audit event.
    let events_before = app.get("/v1/audit-events?limit=500").token(&t.admin).send().await;
    let again = app
        .patch(&site)
        .token(&t.operator)
        .json(json!({"links": [link("fiber", "203.0.113.1:51820", 1), link("lte", "198.51.100.1:51820", 4)]}))
        .send()
        .await;
    again.expect(StatusCode::OK);
    assert_eq!(again.body, changed.body);
    let events_after = app.get("/v1/audit-events?limit=500").token(&t.admin).send().await;
    assert_eq!(
        events_after.body["items"].as_array().unwrap().len(),
        events_before.body["items"].as_array().unwrap().len()
    );

    // Remove one.
    let removed = app
        .patch(&site)
        .token(&t.operator)
        .json(json!({"links": [link("fiber", "203.0.113.1:51820", 1)]}))
        .send()
        .await;
    removed.expect(StatusCode::OK);
    assert_eq!(names(&removed.body), ["fiber"]);
    app.get(&format!("/v1/links/{}", created.body["links"][1]["id"].as_str().unwrap()))
        .token(&t.viewer)
        .send()
        .await
        .expect_problem(StatusCode::NOT_FOUND, "not-found");

    // Replace all: new names, none of the old ids.
    let replaced = app
        .patch(&site)
        .token(&t.operator)
        .json(json!({"links": [link("mpls", "192.0.2.7:51820", 2), link("5g", "192.0.2.8:51820", 3)]}))
        .send()
        .await;
    replaced.expect(StatusCode::OK);
    assert_eq!(names(&replaced.body), ["5g", "mpls"]);
    assert!(replaced.body["links"].as_array().unwrap().iter().all(|l| l["id"] != fiber_id));

    // A site's ETag covers its own fields: changing links does not make the caller's copy stale.
    assert_eq!(replaced.etag(), created.etag());

    // `[]` removes every link; leaving `links` out keeps them.
    let renamed = app.patch(&site).token(&t.operator).json(json!({"location": "Paris"})).send().await;
    assert_eq!(names(&renamed.body), ["5g", "mpls"]);
    let emptied = app.patch(&site).token(&t.operator).json(json!({"links": []})).send().await;
    emptied.expect(StatusCode::OK);
    assert!(names(&emptied.body).is_empty());
}

#[tokio::test]
async fn a_bad_link_in_the_list_names_its_field_and_writes_nothing() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let bad = app
        .post("/v1/sites")
        .token(&t.operator)
        .json(json!({"name": "paris", "links": [link("fiber", "203.0.113.1:51820", 1), link("lte", "not an endpoint", 2)]}))
        .send()
        .await;
    bad.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(bad.pointers(), ["/links/1/endpoint"]);
    let sites = app.get("/v1/sites").token(&t.viewer).send().await;
    assert!(sites.body["items"].as_array().unwrap().is_empty(), "the site was written");

    let created = app
        .post("/v1/sites")
        .token(&t.operator)
        .json(json!({"name": "paris", "links": [link("fiber", "203.0.113.1:51820", 1)]}))
        .send()
        .await;
    created.expect(StatusCode::CREATED);
    let site = format!("/v1/sites/{}", created.id());
    for (links, pointer) in [
        (json!([link("fiber", "203.0.113.1:51820", 1), link("lte", "nope", 2)]), "/links/1/endpoint"),
        (json!([link("fiber", "203.0.113.1:51820", 1), link("fiber", "203.0.113.2:51820", 2)]), "/links/1/name"),
        (
            json!([{"name": "lte", "interface": "wwan0", "bandwidth_up_mbps": 0, "bandwidth_down_mbps": 5}]),
            "/links/0/bandwidth_up_mbps",
        ),
    ] {
        let refused =
            app.patch(&site).token(&t.operator).json(json!({"location": "Paris", "links": links})).send().await;
        refused.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
        assert_eq!(refused.pointers(), [pointer]);
    }
    let unknown = app
        .patch(&site)
        .token(&t.operator)
        .json(json!({"links": [{"name": "lte", "interface": "wwan0", "bandwidth_up_mbps": 5, "bandwidth_down_mbps": 5, "site_id": created.id()}]}))
        .send()
        .await;
    unknown.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let after = app.get(&site).token(&t.viewer).send().await;
    assert_eq!(after.body, created.body, "a refused request changed the site");
}
