use axum::http::StatusCode;
use serde_json::json;

use crate::common::TestApp;

#[tokio::test]
async fn a_token_secret_is_shown_once_and_works_until_revoked() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    let created = app
        .post("/v1/api-tokens")
        .token(&acme.admin)
        .json(json!({"name": "terraform", "role": "operator"}))
        .send()
        .await;
    created.expect(StatusCode::CREATED);
    let secret = created.body["token"].as_str().unwrap().to_string();
    assert!(secret.starts_with("ptrn_api_"));
    assert!(secret.starts_with(created.body["prefix"].as_str().unwrap()));
    let id = created.id();

    let got = app.get(&format!("/v1/api-tokens/{id}")).token(&acme.admin).send().await;
    got.expect(StatusCode::OK);
    assert!(got.body.get("token").is_none(), "secret returned after creation: {}", got.body);
    assert!(got.body["last_used_at"].is_null());
    let listed = app.get("/v1/api-tokens?name=terraform").token(&acme.viewer).send().await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    assert!(listed.body["items"][0].get("token").is_none());
    assert!(!listed.body.to_string().contains(&secret));

    // The token authenticates with its role, and its use is recorded.
    let me = app.get("/v1/auth/whoami").token(&secret).send().await;
    me.expect(StatusCode::OK);
    assert_eq!(me.body["kind"], "api_token");
    assert_eq!(me.body["role"], "operator");
    app.post("/v1/users")
        .token(&secret)
        .json(json!({"email": "a@b.co", "display_name": "A", "role": "viewer"}))
        .send()
        .await
        .expect_problem(StatusCode::FORBIDDEN, "forbidden");
    let used = app.get(&format!("/v1/api-tokens/{id}")).token(&acme.admin).send().await;
    assert!(used.body["last_used_at"].is_string());

    app.delete(&format!("/v1/api-tokens/{id}")).token(&acme.admin).send().await.expect(StatusCode::NO_CONTENT);
    app.get("/v1/auth/whoami").token(&secret).send().await.expect_problem(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn only_admins_manage_tokens() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    for token in [&acme.operator, &acme.viewer] {
        app.post("/v1/api-tokens")
            .token(token)
            .json(json!({"name": "x", "role": "admin"}))
            .send()
            .await
            .expect_problem(StatusCode::FORBIDDEN, "forbidden");
    }
    let list = app.get("/v1/api-tokens").token(&acme.viewer).send().await;
    let operator_id = list.body["items"].as_array().unwrap().iter().find(|t| t["name"] == "operator").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.delete(&format!("/v1/api-tokens/{operator_id}"))
        .token(&acme.operator)
        .send()
        .await
        .expect_problem(StatusCode::FORBIDDEN, "forbidden");
    app.patch(&format!("/v1/api-tokens/{operator_id}"))
        .token(&acme.viewer)
        .json(json!({"name": "y"}))
        .send()
        .await
        .expect_problem(StatusCode::FORBIDDEN, "forbidden");
    let renamed = app
        .patch(&format!("/v1/api-tokens/{operator_id}"))
        .token(&acme.admin)
        .json(json!({"name": "ops"}))
        .send()
        .await;
    renamed.expect(StatusCode::OK);
    assert_eq!(renamed.body["name"], "ops");
}

#[tokio::test]
async fn expired_tokens_are_refused_and_bad_expiry_rejected() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    let past = app
        .post("/v1/api-tokens")
        .token(&acme.admin)
        .json(json!({"name": "old", "role": "viewer", "expires_at": "2000-01-01T00:00:00Z"}))
        .send()
        .await;
    past.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(past.pointers(), ["/expires_at"]);
    let bad = app
        .post("/v1/api-tokens")
        .token(&acme.admin)
        .json(json!({"name": "old", "role": "viewer", "expires_at": "tomorrow"}))
        .send()
        .await;
    assert_eq!(bad.pointers(), ["/expires_at"]);

    let soon = (chrono::Utc::now() + chrono::Duration::seconds(1)).to_rfc3339();
    let short = app
        .post("/v1/api-tokens")
        .token(&acme.admin)
        .json(json!({"name": "short", "role": "viewer", "expires_at": soon}))
        .send()
        .await;
    short.expect(StatusCode::CREATED);
    let secret = short.body["token"].as_str().unwrap().to_string();
    app.get("/v1/auth/whoami").token(&secret).send().await.expect(StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let expired = app.get("/v1/auth/whoami").token(&secret).send().await;
    expired.expect_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    assert!(expired.body["detail"].as_str().unwrap().contains("expired"));
}

#[tokio::test]
async fn the_token_quota_is_enforced_and_named() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await; // three tokens already
    app.patch(&format!("/v1/tenants/{}", acme.id))
        .token(&app.platform_token)
        .json(json!({"quotas": {"max_api_tokens": 4}}))
        .send()
        .await
        .expect(StatusCode::OK);
    app.post("/v1/api-tokens")
        .token(&acme.admin)
        .json(json!({"name": "ci", "role": "viewer"}))
        .send()
        .await
        .expect(StatusCode::CREATED);
    let over =
        app.post("/v1/api-tokens").token(&acme.admin).json(json!({"name": "ci2", "role": "viewer"})).send().await;
    over.expect_problem(StatusCode::CONFLICT, "quota-exceeded");
    assert_eq!(over.body["quota"], "max_api_tokens");
    let dup =
        app.post("/v1/api-tokens").token(&acme.admin).json(json!({"name": "admin", "role": "viewer"})).send().await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
}
