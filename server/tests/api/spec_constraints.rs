//! What the OpenAPI document promises about inputs, and the server keeping to it: an empty
//! `If-Match`, bodies that are not what their schema says, the bounds the document declares.

use axum::http::StatusCode;
use serde_json::json;

use crate::common::TestApp;

#[tokio::test]
async fn an_empty_if_match_is_no_precondition() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    let user = app
        .post("/v1/users")
        .token(&acme.admin)
        .json(json!({"email": "ann@acme.example", "display_name": "Ann", "role": "viewer"}))
        .send()
        .await;
    user.expect(StatusCode::CREATED);
    let path = format!("/v1/users/{}", user.id());
    // An SDK given no ETag may send the header empty (or as a list of nothing): unconditional.
    for (value, name) in [("", "Ann B"), (" , ", "Ann C")] {
        let updated = app
            .patch(&path)
            .token(&acme.admin)
            .header("if-match", value)
            .json(json!({"display_name": name}))
            .send()
            .await;
        updated.expect(StatusCode::OK);
        assert_eq!(updated.body["display_name"], name);
    }
    // A tag still has to be the current one.
    app.patch(&path)
        .token(&acme.admin)
        .header("if-match", "\"1\"")
        .json(json!({"display_name": "Ann D"}))
        .send()
        .await
        .expect_problem(StatusCode::PRECONDITION_FAILED, "precondition-failed");
    app.delete(&path).token(&acme.admin).header("if-match", "").send().await.expect(StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn an_object_is_never_read_from_an_array_nor_a_key_twice() {
    let app = TestApp::new().await;
    let t = app.platform_token.clone();
    // serde alone would read the fields of a struct from an array, in order.
    let top = app.post("/v1/tenants").token(&t).raw("application/json", b"[\"Acme\", \"acme\"]".to_vec()).send().await;
    top.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(top.pointers(), ["/"]);
    let nested = app
        .post("/v1/tenants")
        .token(&t)
        .json(json!({"name": "Acme", "slug": "acme", "quotas": [1, 2, 3]}))
        .send()
        .await;
    nested.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(nested.pointers(), ["/quotas"]);
    let twice = app
        .post("/v1/tenants")
        .token(&t)
        .raw("application/json", br#"{"name": "Acme", "slug": "acme", "name": "Other"}"#.to_vec())
        .send()
        .await;
    twice.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(twice.pointers(), ["/name"]);
    app.get("/v1/tenants?slug=acme").token(&t).send().await.expect(StatusCode::OK);
}

#[tokio::test]
async fn whole_numbers_with_a_fraction_are_integers() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    let site =
        app.post("/v1/sites").token(&acme.operator).json(json!({"name": "hq", "listen_port": 51821.0})).send().await;
    site.expect(StatusCode::CREATED);
    assert_eq!(site.body["listen_port"], 51821);
    let fraction = app
        .post("/v1/sites")
        .token(&acme.operator)
        .json(json!({"name": "branch", "listen_port": 51821.5}))
        .send()
        .await;
    fraction.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(fraction.pointers(), ["/listen_port"]);
}

#[test]
fn the_document_states_bounds_and_statuses() {
    let spec: serde_json::Value = serde_json::from_str(&patronus_server::app::openapi().to_json().unwrap()).unwrap();
    let op = |method: &str, path: &str| spec["paths"][path][method].clone();
    let param = |op: &serde_json::Value, name: &str| {
        op["parameters"].as_array().unwrap().iter().find(|p| p["name"] == name).unwrap().clone()
    };
    // Lists: a bad limit or cursor is a 422, and the bounds are stated.
    for path in ["/v1/sites", "/v1/users", "/v1/audit-events", "/v1/tenants", "/v1/sites/{id}/enrollment-tokens"] {
        let list = op("get", path);
        assert!(list["responses"]["422"].is_object(), "GET {path} lacks 422");
        let limit = param(&list, "limit");
        assert_eq!((limit["schema"]["minimum"].as_u64(), limit["schema"]["maximum"].as_u64()), (Some(1), Some(500)));
        assert!(param(&list, "cursor")["schema"]["pattern"].is_string(), "GET {path}: cursor");
    }
    // If-Match is an optional string (never `null`), and only where it is read is 412 an answer.
    let patch = op("patch", "/v1/sites/{id}");
    assert_eq!(param(&patch, "If-Match")["schema"]["type"], "string");
    assert!(op("put", "/v1/topology")["responses"]["412"].is_object());
    assert!(op("delete", "/v1/sites/{id}/agent")["responses"].get("412").is_none());
    // Bounds of the wire types.
    let schemas = &spec["components"]["schemas"];
    let qos = &schemas["NewQosClass"]["properties"];
    assert_eq!((qos["priority"]["minimum"].as_u64(), qos["priority"]["maximum"].as_u64()), (Some(1), Some(8)));
    assert_eq!(qos["dscp"]["maximum"].as_u64(), Some(63));
    assert_eq!(schemas["NewSite"]["properties"]["listen_port"]["maximum"].as_u64(), Some(65535));
    assert_eq!(schemas["NewUser"]["properties"]["password"]["minLength"].as_u64(), Some(12));
    assert_eq!(schemas["NewSite"]["properties"]["name"]["minLength"].as_u64(), Some(1));
    let token = &schemas["NewEnrollmentToken"]["properties"];
    assert_eq!(
        (token["ttl_seconds"]["minimum"].as_u64(), token["ttl_seconds"]["maximum"].as_u64()),
        (Some(60), Some(2_592_000))
    );
    assert_eq!((token["uses"]["minimum"].as_u64(), token["uses"]["maximum"].as_u64()), (Some(1), Some(1000)));
    // The field attributes repeat the patterns of patronus_api::schema (they take only literals).
    assert_eq!(schemas["NewSite"]["properties"]["name"]["pattern"], patronus_api::schema::NAME);
    assert_eq!(schemas["NewSite"]["properties"]["description"]["pattern"], patronus_api::schema::TEXT);
    assert_eq!(schemas["NewUser"]["properties"]["email"]["pattern"], patronus_api::schema::EMAIL);
}
