use axum::http::StatusCode;
use serde_json::json;

use crate::common::TestApp;

#[tokio::test]
async fn admin_manages_users_and_others_read_only() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;

    let new_user = json!({"email": "Ann@Example.com", "display_name": "Ann", "role": "operator", "password": "a long enough password"});
    for token in [&acme.operator, &acme.viewer] {
        app.post("/v1/users")
            .token(token)
            .json(new_user.clone())
            .send()
            .await
            .expect_problem(StatusCode::FORBIDDEN, "forbidden");
    }
    let created = app.post("/v1/users").token(&acme.admin).json(new_user).send().await;
    created.expect(StatusCode::CREATED);
    assert_eq!(created.body["email"], "ann@example.com");
    assert_eq!(created.body["has_password"], true);
    assert!(created.body.get("password").is_none() && created.body.get("password_hash").is_none());
    let id = created.id();
    let path = format!("/v1/users/{id}");

    for token in [&acme.admin, &acme.operator, &acme.viewer] {
        let got = app.get(&path).token(token).send().await;
        got.expect(StatusCode::OK);
        assert_eq!(got.body["display_name"], "Ann");
        let listed = app.get("/v1/users?email=ann@example.com").token(token).send().await;
        assert_eq!(listed.body["items"][0]["id"], id.as_str());
    }

    for token in [&acme.operator, &acme.viewer] {
        app.patch(&path)
            .token(token)
            .json(json!({"role": "admin"}))
            .send()
            .await
            .expect_problem(StatusCode::FORBIDDEN, "forbidden");
        app.delete(&path).token(token).send().await.expect_problem(StatusCode::FORBIDDEN, "forbidden");
        app.put(&format!("{path}/password"))
            .token(token)
            .json(json!({"password": "another long password"}))
            .send()
            .await
            .expect_problem(StatusCode::FORBIDDEN, "forbidden");
    }

    let updated = app
        .patch(&path)
        .token(&acme.admin)
        .header("if-match", &created.etag())
        .json(json!({"role": "viewer", "display_name": "Ann B"}))
        .send()
        .await;
    updated.expect(StatusCode::OK);
    assert_eq!(updated.body["role"], "viewer");
    app.patch(&path)
        .token(&acme.admin)
        .header("if-match", &created.etag())
        .json(json!({"role": "admin"}))
        .send()
        .await
        .expect_problem(StatusCode::PRECONDITION_FAILED, "precondition-failed");

    app.put(&format!("{path}/password"))
        .token(&acme.admin)
        .json(json!({"password": "brand new password"}))
        .send()
        .await
        .expect(StatusCode::NO_CONTENT);
    let login = app
        .post("/v1/auth/login")
        .json(json!({"tenant": "acme", "email": "ann@example.com", "password": "brand new password"}))
        .send()
        .await;
    login.expect(StatusCode::OK);

    app.delete(&path).token(&acme.admin).send().await.expect(StatusCode::NO_CONTENT);
    app.get(&path).token(&acme.admin).send().await.expect_problem(StatusCode::NOT_FOUND, "not-found");
    app.delete(&path).token(&acme.admin).send().await.expect_problem(StatusCode::NOT_FOUND, "not-found");
}

#[tokio::test]
async fn user_validation_and_duplicates() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    let bad = app
        .post("/v1/users")
        .token(&acme.admin)
        .json(json!({"email": "not-an-email", "display_name": "", "role": "operator", "password": "short"}))
        .send()
        .await;
    bad.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(bad.pointers(), ["/email", "/display_name", "/password"]);
    let bad_role = app
        .post("/v1/users")
        .token(&acme.admin)
        .json(json!({"email": "a@b.co", "display_name": "A", "role": "root"}))
        .send()
        .await;
    bad_role.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(bad_role.pointers(), ["/role"]);

    app.post("/v1/users")
        .token(&acme.admin)
        .json(json!({"email": "a@b.co", "display_name": "A", "role": "viewer"}))
        .send()
        .await
        .expect(StatusCode::CREATED);
    let dup = app
        .post("/v1/users")
        .token(&acme.admin)
        .json(json!({"email": "A@B.co", "display_name": "A2", "role": "viewer"}))
        .send()
        .await;
    dup.expect_problem(StatusCode::CONFLICT, "conflict");
    assert_eq!(dup.pointers(), ["/email"]);
    let users = app.get("/v1/users").token(&acme.admin).send().await;
    assert_eq!(users.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_user_quota_is_enforced_and_named() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    app.patch(&format!("/v1/tenants/{}", acme.id))
        .token(&app.platform_token)
        .json(json!({"quotas": {"max_users": 2}}))
        .send()
        .await
        .expect(StatusCode::OK);
    for i in 0..2 {
        app.post("/v1/users")
            .token(&acme.admin)
            .json(json!({"email": format!("u{i}@x.io"), "display_name": "U", "role": "viewer"}))
            .send()
            .await
            .expect(StatusCode::CREATED);
    }
    let over = app
        .post("/v1/users")
        .token(&acme.admin)
        .json(json!({"email": "u9@x.io", "display_name": "U", "role": "viewer"}))
        .send()
        .await;
    over.expect_problem(StatusCode::CONFLICT, "quota-exceeded");
    assert_eq!(over.body["quota"], "max_users");
    assert_eq!(over.body["limit"], 2);
}

#[tokio::test]
async fn a_user_sets_their_own_password_with_the_current_one() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    let user = app
        .post("/v1/users")
        .token(&acme.admin)
        .json(json!({"email": "op@x.io", "display_name": "Op", "role": "operator", "password": "first password here"}))
        .send()
        .await;
    let id = user.id();
    let login = app
        .post("/v1/auth/login")
        .json(json!({"tenant": "acme", "email": "op@x.io", "password": "first password here"}))
        .send()
        .await;
    let jwt = login.body["access_token"].as_str().unwrap().to_string();
    let path = format!("/v1/users/{id}/password");

    let wrong = app
        .put(&path)
        .token(&jwt)
        .json(json!({"password": "second password here", "current_password": "nope nope nope"}))
        .send()
        .await;
    wrong.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(wrong.pointers(), ["/current_password"]);
    app.put(&path)
        .token(&jwt)
        .json(json!({"password": "second password here", "current_password": "first password here"}))
        .send()
        .await
        .expect(StatusCode::NO_CONTENT);
    app.post("/v1/auth/login")
        .json(json!({"tenant": "acme", "email": "op@x.io", "password": "second password here"}))
        .send()
        .await
        .expect(StatusCode::OK);

    // Not someone else's.
    let other = app
        .post("/v1/users")
        .token(&acme.admin)
        .json(json!({"email": "v@x.io", "display_name": "V", "role": "viewer"}))
        .send()
        .await;
    app.put(&format!("/v1/users/{}/password", other.id()))
        .token(&jwt)
        .json(json!({"password": "hijacked password"}))
        .send()
        .await
        .expect_problem(StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn the_last_admin_user_cannot_be_removed_or_demoted() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    let admin = app
        .post("/v1/users")
        .token(&acme.admin)
        .json(json!({"email": "boss@x.io", "display_name": "Boss", "role": "admin"}))
        .send()
        .await;
    let path = format!("/v1/users/{}", admin.id());
    let demote = app.patch(&path).token(&acme.admin).json(json!({"role": "viewer"})).send().await;
    demote.expect_problem(StatusCode::CONFLICT, "conflict");
    assert_eq!(demote.pointers(), ["/role"]);
    app.delete(&path).token(&acme.admin).send().await.expect_problem(StatusCode::CONFLICT, "conflict");
    app.post("/v1/users")
        .token(&acme.admin)
        .json(json!({"email": "boss2@x.io", "display_name": "Boss 2", "role": "admin"}))
        .send()
        .await;
    app.delete(&path).token(&acme.admin).send().await.expect(StatusCode::NO_CONTENT);
}
