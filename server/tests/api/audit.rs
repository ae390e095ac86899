use axum::http::StatusCode;
use serde_json::json;

use crate::common::TestApp;

#[tokio::test]
async fn every_write_is_audited_with_actor_before_after_and_request_id() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    let created = app
        .post("/v1/users")
        .token(&acme.admin)
        .header("x-request-id", "req-123")
        .json(json!({"email": "a@x.io", "display_name": "A", "role": "viewer", "password": "secret password 1"}))
        .send()
        .await;
    let id = created.id();
    app.patch(&format!("/v1/users/{id}"))
        .token(&acme.admin)
        .json(json!({"role": "operator"}))
        .send()
        .await
        .expect(StatusCode::OK);
    app.put(&format!("/v1/users/{id}/password"))
        .token(&acme.admin)
        .json(json!({"password": "secret password 2"}))
        .send()
        .await;
    app.delete(&format!("/v1/users/{id}")).token(&acme.admin).send().await.expect(StatusCode::NO_CONTENT);

    let events = app.get(&format!("/v1/audit-events?resource_id={id}")).token(&acme.viewer).send().await;
    events.expect(StatusCode::OK);
    let items = events.body["items"].as_array().unwrap();
    let actions: Vec<&str> = items.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["user.create", "user.update", "user.set_password", "user.delete"]);
    let create = &items[0];
    assert_eq!(create["actor_type"], "api_token");
    assert_eq!(create["actor_name"], "admin");
    assert_eq!(create["request_id"], "req-123");
    assert!(create["before"].is_null());
    assert_eq!(create["after"]["email"], "a@x.io");
    assert_eq!(items[1]["before"]["role"], "viewer");
    assert_eq!(items[1]["after"]["role"], "operator");
    assert!(items[3]["after"].is_null());
    let all = events.body.to_string();
    assert!(!all.contains("secret password"), "a password reached the audit log");

    let filtered = app.get("/v1/audit-events?action=user.update").token(&acme.viewer).send().await;
    assert_eq!(filtered.body["items"].as_array().unwrap().len(), 1);
    app.get("/v1/audit-events?since=yesterday")
        .token(&acme.viewer)
        .send()
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
}

#[tokio::test]
async fn token_secrets_are_redacted_in_the_audit_log() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    let created =
        app.post("/v1/api-tokens").token(&acme.admin).json(json!({"name": "ci", "role": "viewer"})).send().await;
    let secret = created.body["token"].as_str().unwrap().to_string();
    let events = app.get(&format!("/v1/audit-events?resource_id={}", created.id())).token(&acme.admin).send().await;
    let event = &events.body["items"][0];
    assert_eq!(event["action"], "api_token.create");
    assert_eq!(event["after"]["token"], "[REDACTED]");
    assert_eq!(event["after"]["name"], "ci");
    let everything = app.get("/v1/audit-events?limit=500").token(&acme.admin).send().await;
    assert!(!everything.body.to_string().contains(&secret));
    // The token the platform minted for the tenant shows in the tenant's log, by the platform.
    let minted = app.get("/v1/audit-events?resource_type=api_token&limit=1").token(&acme.admin).send().await;
    assert_eq!(minted.body["items"][0]["actor_type"], "platform_token");
}

#[tokio::test]
async fn audit_events_cannot_be_changed_through_the_api() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    let events = app.get("/v1/audit-events").token(&acme.admin).send().await;
    let id = events.body["items"][0]["id"].as_str().unwrap().to_string();
    app.delete("/v1/audit-events")
        .token(&acme.admin)
        .send()
        .await
        .expect_problem(StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed");
    app.delete(&format!("/v1/audit-events/{id}"))
        .token(&acme.admin)
        .send()
        .await
        .expect_problem(StatusCode::NOT_FOUND, "not-found");
    app.patch(&format!("/v1/audit-events/{id}"))
        .token(&acme.admin)
        .json(json!({}))
        .send()
        .await
        .expect_problem(StatusCode::NOT_FOUND, "not-found");
}

#[tokio::test]
async fn platform_events_are_kept_apart_from_tenants() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    let platform = app.get("/v1/platform/audit-events?action=tenant.create").token(&app.platform_token).send().await;
    platform.expect(StatusCode::OK);
    assert_eq!(platform.body["items"][0]["resource_id"], acme.id.as_str());
    app.get("/v1/platform/audit-events")
        .token(&acme.admin)
        .send()
        .await
        .expect_problem(StatusCode::FORBIDDEN, "forbidden");
    let tenant_view = app.get("/v1/audit-events?action=tenant.create").token(&acme.admin).send().await;
    assert_eq!(tenant_view.body["items"], json!([]));
}
