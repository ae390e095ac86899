use axum::http::StatusCode;
use serde_json::json;

use crate::common::{Tenant, TestApp};

async fn user_with_password(app: &TestApp, acme: &Tenant, email: &str, role: &str) {
    app.post("/v1/users")
        .token(&acme.admin)
        .json(json!({"email": email, "display_name": email, "role": role, "password": "correct horse battery"}))
        .send()
        .await
        .expect(StatusCode::CREATED);
}

async fn login(app: &TestApp, tenant: &str, email: &str, password: &str) -> crate::common::Resp {
    app.post("/v1/auth/login").json(json!({"tenant": tenant, "email": email, "password": password})).send().await
}

#[tokio::test]
async fn login_gives_a_jwt_that_carries_the_users_role() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    user_with_password(&app, &acme, "viewer@x.io", "viewer").await;

    let ok = login(&app, "acme", "Viewer@X.io", "correct horse battery").await;
    ok.expect(StatusCode::OK);
    assert_eq!(ok.body["token_type"], "Bearer");
    assert_eq!(ok.body["expires_in"], 900);
    assert!(ok.body["refresh_token"].as_str().unwrap().starts_with("ptrn_rt_"));
    let jwt = ok.body["access_token"].as_str().unwrap();
    let me = app.get("/v1/auth/whoami").token(jwt).send().await;
    assert_eq!(me.body["kind"], "user");
    assert_eq!(me.body["email"], "viewer@x.io");
    assert_eq!(me.body["tenant_id"], acme.id.as_str());
    app.get("/v1/users").token(jwt).send().await.expect(StatusCode::OK);
    app.post("/v1/users")
        .token(jwt)
        .json(json!({"email": "z@x.io", "display_name": "Z", "role": "viewer"}))
        .send()
        .await
        .expect_problem(StatusCode::FORBIDDEN, "forbidden");

    for (tenant, email, password) in [
        ("acme", "viewer@x.io", "wrong password!!"),
        ("acme", "nobody@x.io", "correct horse battery"),
        ("other", "viewer@x.io", "correct horse battery"),
    ] {
        let bad = login(&app, tenant, email, password).await;
        bad.expect_problem(StatusCode::UNAUTHORIZED, "unauthorized");
        assert_eq!(bad.body["detail"], "unknown tenant, email or password");
    }
    app.get("/v1/users")
        .token("eyJhbGciOiJIUzI1NiJ9.e30.bad")
        .send()
        .await
        .expect_problem(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_replayed_one_ends_the_session() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    user_with_password(&app, &acme, "op@x.io", "operator").await;
    let first = login(&app, "acme", "op@x.io", "correct horse battery").await;
    let r1 = first.body["refresh_token"].as_str().unwrap().to_string();

    let second = app.post("/v1/auth/refresh").json(json!({"refresh_token": r1})).send().await;
    second.expect(StatusCode::OK);
    let r2 = second.body["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(r1, r2);
    app.get("/v1/auth/whoami").token(second.body["access_token"].as_str().unwrap()).send().await.expect(StatusCode::OK);

    // r1 is spent: presenting it again revokes the whole family, r2 included.
    app.post("/v1/auth/refresh")
        .json(json!({"refresh_token": r1}))
        .send()
        .await
        .expect_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    app.post("/v1/auth/refresh")
        .json(json!({"refresh_token": r2}))
        .send()
        .await
        .expect_problem(StatusCode::UNAUTHORIZED, "unauthorized");

    // Logout ends a fresh session too.
    let again = login(&app, "acme", "op@x.io", "correct horse battery").await;
    let r3 = again.body["refresh_token"].as_str().unwrap().to_string();
    app.post("/v1/auth/logout").json(json!({"refresh_token": r3})).send().await.expect(StatusCode::NO_CONTENT);
    app.post("/v1/auth/refresh")
        .json(json!({"refresh_token": r3}))
        .send()
        .await
        .expect_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    app.post("/v1/auth/refresh")
        .json(json!({"refresh_token": "garbage"}))
        .send()
        .await
        .expect_problem(StatusCode::UNAUTHORIZED, "unauthorized");
}

fn kid_of(jwt: &str) -> String {
    jsonwebtoken::decode_header(jwt).unwrap().kid.unwrap()
}

#[tokio::test]
async fn rotating_the_signing_key_logs_nobody_out() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    user_with_password(&app, &acme, "a@x.io", "admin").await;
    let before = login(&app, "acme", "a@x.io", "correct horse battery").await;
    let old_jwt = before.body["access_token"].as_str().unwrap().to_string();

    for token in [&acme.admin, &acme.viewer] {
        app.post("/v1/platform/signing-keys")
            .token(token)
            .send()
            .await
            .expect_problem(StatusCode::FORBIDDEN, "forbidden");
    }
    let rotated = app.post("/v1/platform/signing-keys").token(&app.platform_token).send().await;
    rotated.expect(StatusCode::CREATED);
    let keys = rotated.body.as_array().unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[1]["current"], true);
    assert!(keys.iter().all(|k| k.get("secret").is_none()));

    let after = login(&app, "acme", "a@x.io", "correct horse battery").await;
    let new_jwt = after.body["access_token"].as_str().unwrap().to_string();
    assert_ne!(kid_of(&old_jwt), kid_of(&new_jwt));
    assert_eq!(kid_of(&new_jwt), keys[1]["kid"].as_str().unwrap());
    app.get("/v1/users").token(&old_jwt).send().await.expect(StatusCode::OK);
    app.get("/v1/users").token(&new_jwt).send().await.expect(StatusCode::OK);

    // Another replica that loaded its keys before the rotation still accepts the new token.
    let replica = TestApp::on_database(crate::common::default_args(), app.database.clone()).await;
    app.post("/v1/platform/signing-keys").token(&app.platform_token).send().await.expect(StatusCode::CREATED);
    let newest = login(&app, "acme", "a@x.io", "correct horse battery").await;
    replica.get("/v1/users").token(newest.body["access_token"].as_str().unwrap()).send().await.expect(StatusCode::OK);
}

#[tokio::test]
async fn a_deleted_users_access_token_stops_working() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    user_with_password(&app, &acme, "gone@x.io", "operator").await;
    let session = login(&app, "acme", "gone@x.io", "correct horse battery").await;
    let jwt = session.body["access_token"].as_str().unwrap().to_string();
    let me = app.get("/v1/auth/whoami").token(&jwt).send().await;
    app.delete(&format!("/v1/users/{}", me.body["user_id"].as_str().unwrap()))
        .token(&acme.admin)
        .send()
        .await
        .expect(StatusCode::NO_CONTENT);
    app.get("/v1/users").token(&jwt).send().await.expect_problem(StatusCode::UNAUTHORIZED, "unauthorized");
}
