use axum::http::StatusCode;
use serde_json::json;

use crate::common::TestApp;
use crate::sites::site;

#[tokio::test]
async fn topology_defaults_to_full_mesh_and_is_replaced_with_put() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let initial = app.get("/v1/topology").token(&t.viewer).send().await;
    initial.expect(StatusCode::OK);
    assert_eq!(initial.body["mode"], "full_mesh");
    assert_eq!(initial.body["overlay_prefix"], "100.64.0.0/16");
    assert_eq!(initial.body["persistent_keepalive"], 25);

    app.put("/v1/topology")
        .token(&t.viewer)
        .json(json!({"mode": "hub_and_spoke"}))
        .send()
        .await
        .expect_problem(StatusCode::FORBIDDEN, "forbidden");
    let custom = app
        .put("/v1/topology")
        .token(&t.operator)
        .json(json!({"mode": "explicit", "overlay_prefix": "100.96.0.0/20", "persistent_keepalive": 15}))
        .send()
        .await;
    custom.expect(StatusCode::OK);
    assert_eq!(custom.body["overlay_prefix"], "100.96.0.0/20");
    let first = site(&app, &t, "paris", &[]).await;
    assert_eq!(first["overlay_address"], "100.96.0.1");

    let hub = app
        .put("/v1/topology")
        .token(&t.operator)
        .header("if-match", &custom.etag())
        .json(json!({"mode": "hub_and_spoke", "overlay_prefix": "100.96.0.0/20", "persistent_keepalive": 15}))
        .send()
        .await;
    hub.expect(StatusCode::OK);
    assert!(hub.body["revision"].as_i64().unwrap() > custom.body["revision"].as_i64().unwrap());
    app.put("/v1/topology")
        .token(&t.operator)
        .header("if-match", &custom.etag())
        .json(json!({"mode": "full_mesh"}))
        .send()
        .await
        .expect_problem(StatusCode::PRECONDITION_FAILED, "precondition-failed");
    let renumber = app
        .put("/v1/topology")
        .token(&t.operator)
        .json(json!({"mode": "hub_and_spoke", "overlay_prefix": "100.64.0.0/16"}))
        .send()
        .await;
    renumber.expect_problem(StatusCode::CONFLICT, "conflict");
    assert_eq!(renumber.pointers(), ["/overlay_prefix"]);
    for bad in ["10.0.0.1/16", "fd00::/64", "100.64.0.0/31", "nope"] {
        let r = app
            .put("/v1/topology")
            .token(&t.operator)
            .json(json!({"mode": "full_mesh", "overlay_prefix": bad}))
            .send()
            .await;
        r.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
        assert_eq!(r.pointers(), ["/overlay_prefix"], "{bad}");
    }
    let mode = app.put("/v1/topology").token(&t.operator).json(json!({"mode": "star"})).send().await;
    assert_eq!(mode.pointers(), ["/mode"]);
    assert_eq!(app.get("/v1/topology").token(&t.viewer).send().await.body["mode"], "hub_and_spoke");
}

#[tokio::test]
async fn peerings_pair_two_sites_once() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let a = site(&app, &t, "paris", &[]).await;
    let b = site(&app, &t, "berlin", &[]).await;
    let c = site(&app, &t, "rome", &[]).await;
    let (a, b, c) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap(), c["id"].as_str().unwrap());

    app.post("/v1/peerings")
        .token(&t.viewer)
        .json(json!({"site_a": a, "site_b": b}))
        .send()
        .await
        .expect_problem(StatusCode::FORBIDDEN, "forbidden");
    let ab = app.post("/v1/peerings").token(&t.operator).json(json!({"site_a": a, "site_b": b})).send().await;
    ab.expect(StatusCode::CREATED);
    assert_eq!(ab.body["name"], "paris--berlin");
    let reversed = app
        .post("/v1/peerings")
        .token(&t.operator)
        .json(json!({"site_a": b, "site_b": a, "name": "again"}))
        .send()
        .await;
    reversed.expect_problem(StatusCode::CONFLICT, "conflict");
    assert_eq!(reversed.pointers(), ["/site_b"]);
    let own = app.post("/v1/peerings").token(&t.operator).json(json!({"site_a": a, "site_b": a})).send().await;
    assert_eq!(own.pointers(), ["/site_b"]);
    let ghost = app
        .post("/v1/peerings")
        .token(&t.operator)
        .json(json!({"site_a": a, "site_b": uuid::Uuid::now_v7()}))
        .send()
        .await;
    ghost.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(ghost.pointers(), ["/site_b"]);
    let bc =
        app.post("/v1/peerings").token(&t.operator).json(json!({"site_a": b, "site_b": c, "name": "b-c"})).send().await;
    bc.expect(StatusCode::CREATED);

    let of_c = app.get(&format!("/v1/peerings?site_id={c}")).token(&t.viewer).send().await;
    assert_eq!(of_c.body["items"].as_array().unwrap().len(), 1);
    let by_name = app.get("/v1/peerings?name=b-c").token(&t.viewer).send().await;
    assert_eq!(by_name.body["items"][0]["id"], bc.body["id"]);
    let renamed = app
        .patch(&format!("/v1/peerings/{}", ab.id()))
        .token(&t.operator)
        .header("if-match", &ab.etag())
        .json(json!({"name": "core"}))
        .send()
        .await;
    renamed.expect(StatusCode::OK);
    app.patch(&format!("/v1/peerings/{}", ab.id()))
        .token(&t.operator)
        .json(json!({"site_a": c}))
        .send()
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    app.delete(&format!("/v1/peerings/{}", ab.id()))
        .token(&t.operator)
        .header("if-match", &ab.etag())
        .send()
        .await
        .expect_problem(StatusCode::PRECONDITION_FAILED, "precondition-failed");
    app.delete(&format!("/v1/peerings/{}", ab.id())).token(&t.operator).send().await.expect(StatusCode::NO_CONTENT);
    // Deleting a site removes its peerings.
    app.delete(&format!("/v1/sites/{c}")).token(&t.operator).send().await.expect(StatusCode::NO_CONTENT);
    app.get(&format!("/v1/peerings/{}", bc.id()))
        .token(&t.viewer)
        .send()
        .await
        .expect_problem(StatusCode::NOT_FOUND, "not-found");
}
