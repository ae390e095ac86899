use axum::http::StatusCode;
use serde_json::json;

use crate::common::TestApp;

#[tokio::test]
async fn platform_admin_manages_tenants() {
    let app = TestApp::new().await;
    let t = &app.platform_token;

    let created = app
        .post("/v1/tenants")
        .token(t)
        .json(json!({"name": "Acme Corp", "slug": "acme", "quotas": {"max_users": 5, "max_api_tokens": 7}}))
        .send()
        .await;
    created.expect(StatusCode::CREATED);
    let id = created.id();
    assert_eq!(created.headers["location"], format!("/v1/tenants/{id}").as_str());
    assert_eq!(created.body["quotas"], json!({"max_users": 5, "max_api_tokens": 7, "max_sites": 1000}));
    assert_eq!(created.body["etag"], created.etag());

    let got = app.get(&format!("/v1/tenants/{id}")).token(t).send().await;
    got.expect(StatusCode::OK);
    assert_eq!(got.body, created.body);

    // Lookup by name and by slug.
    let by_name = app.get("/v1/tenants?name=Acme%20Corp").token(t).send().await;
    assert_eq!(by_name.body["items"][0]["id"], id.as_str());
    let by_slug = app.get("/v1/tenants?slug=acme").token(t).send().await;
    assert_eq!(by_slug.body["items"].as_array().unwrap().len(), 1);
    let none = app.get("/v1/tenants?slug=nope").token(t).send().await;
    assert_eq!(none.body["items"], json!([]));

    let updated = app
        .patch(&format!("/v1/tenants/{id}"))
        .token(t)
        .header("if-match", &created.etag())
        .json(json!({"name": "Acme Inc", "quotas": {"max_users": 10}}))
        .send()
        .await;
    updated.expect(StatusCode::OK);
    assert_eq!(updated.body["name"], "Acme Inc");
    assert_eq!(updated.body["quotas"], json!({"max_users": 10, "max_api_tokens": 7, "max_sites": 1000}));
    assert_ne!(updated.etag(), created.etag());

    // The stale ETag no longer matches, for update and delete alike.
    app.patch(&format!("/v1/tenants/{id}"))
        .token(t)
        .header("if-match", &created.etag())
        .json(json!({"name": "X"}))
        .send()
        .await
        .expect_problem(StatusCode::PRECONDITION_FAILED, "precondition-failed");
    app.delete(&format!("/v1/tenants/{id}"))
        .token(t)
        .header("if-match", &created.etag())
        .send()
        .await
        .expect_problem(StatusCode::PRECONDITION_FAILED, "precondition-failed");
    assert_eq!(app.get(&format!("/v1/tenants/{id}")).token(t).send().await.body["name"], "Acme Inc");

    app.delete(&format!("/v1/tenants/{id}"))
        .token(t)
        .header("if-match", &updated.etag())
        .send()
        .await
        .expect(StatusCode::NO_CONTENT);
    app.get(&format!("/v1/tenants/{id}")).token(t).send().await.expect_problem(StatusCode::NOT_FOUND, "not-found");
    app.delete(&format!("/v1/tenants/{id}")).token(t).send().await.expect_problem(StatusCode::NOT_FOUND, "not-found");
}

#[tokio::test]
async fn an_unchanged_update_keeps_the_etag() {
    let app = TestApp::new().await;
    let t = &app.platform_token;
    let created = app.post("/v1/tenants").token(t).json(json!({"name": "A", "slug": "a"})).send().await;
    let same = app.patch(&format!("/v1/tenants/{}", created.id())).token(t).json(json!({"name": "A"})).send().await;
    same.expect(StatusCode::OK);
    assert_eq!(same.etag(), created.etag());
}

#[tokio::test]
async fn tenant_validation_names_each_field() {
    let app = TestApp::new().await;
    let t = &app.platform_token;
    let bad = app
        .post("/v1/tenants")
        .token(t)
        .json(json!({"name": " ", "slug": "Not A Slug", "quotas": {"max_users": -1, "max_api_tokens": 5}}))
        .send()
        .await;
    bad.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(bad.pointers(), ["/name", "/slug", "/quotas/max_users"]);

    let missing = app.post("/v1/tenants").token(t).json(json!({"name": "x"})).send().await;
    missing.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(missing.pointers(), ["/slug"]);

    let wrong_type = app
        .post("/v1/tenants")
        .token(t)
        .json(json!({"name": "x", "slug": "x", "quotas": {"max_users": "many", "max_api_tokens": 1}}))
        .send()
        .await;
    wrong_type.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(wrong_type.pointers(), ["/quotas/max_users"]);

    let unknown =
        app.post("/v1/tenants").token(t).json(json!({"name": "x", "slug": "x", "colour": "red"})).send().await;
    unknown.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(unknown.pointers(), ["/colour"]);

    app.post("/v1/tenants")
        .token(t)
        .raw("application/json", b"{\"name\": ".to_vec())
        .send()
        .await
        .expect_problem(StatusCode::BAD_REQUEST, "bad-request");
    app.post("/v1/tenants")
        .token(t)
        .raw("text/plain", b"name=x".to_vec())
        .send()
        .await
        .expect_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type");
    let huge = format!("{{\"name\": \"{}\", \"slug\": \"x\"}}", "a".repeat(2 * 1024 * 1024));
    app.post("/v1/tenants")
        .token(t)
        .raw("application/json", huge.into_bytes())
        .send()
        .await
        .expect_problem(StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large");
    app.get("/v1/tenants/not-a-uuid").token(t).send().await.expect_problem(StatusCode::BAD_REQUEST, "bad-request");
    app.get("/v1/tenants?limit=0").token(t).send().await.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    app.get("/v1/tenants?limit=lots")
        .token(t)
        .send()
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    app.get("/v1/tenants?cursor=%%%").token(t).send().await.expect_status_4xx();

    // Nothing was created by any of that.
    assert_eq!(app.get("/v1/tenants").token(t).send().await.body["items"], json!([]));
}

#[tokio::test]
async fn duplicate_name_or_slug_is_a_conflict_naming_the_field() {
    let app = TestApp::new().await;
    let t = &app.platform_token;
    app.post("/v1/tenants").token(t).json(json!({"name": "A", "slug": "a"})).send().await.expect(StatusCode::CREATED);
    let same_slug = app.post("/v1/tenants").token(t).json(json!({"name": "B", "slug": "a"})).send().await;
    same_slug.expect_problem(StatusCode::CONFLICT, "conflict");
    assert_eq!(same_slug.pointers(), ["/slug"]);
    let same_name = app.post("/v1/tenants").token(t).json(json!({"name": "A", "slug": "b"})).send().await;
    assert_eq!(same_name.pointers(), ["/name"]);
}

#[tokio::test]
async fn tenants_are_listed_in_pages() {
    let app = TestApp::new().await;
    let t = &app.platform_token;
    let mut ids = Vec::new();
    for i in 0..7 {
        let r = app
            .post("/v1/tenants")
            .token(t)
            .json(json!({"name": format!("t{i}"), "slug": format!("t{i}")}))
            .send()
            .await;
        ids.push(r.id());
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/tenants?limit=3&cursor={c}"),
            None => "/v1/tenants?limit=3".to_string(),
        };
        let page = app.get(&path).token(t).send().await;
        page.expect(StatusCode::OK);
        pages += 1;
        for item in page.body["items"].as_array().unwrap() {
            seen.push(item["id"].as_str().unwrap().to_string());
        }
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ids);
}

#[tokio::test]
async fn only_platform_tokens_reach_tenants() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    for token in [&acme.admin, &acme.operator, &acme.viewer] {
        app.get("/v1/tenants").token(token).send().await.expect_problem(StatusCode::FORBIDDEN, "forbidden");
        app.post("/v1/tenants")
            .token(token)
            .json(json!({"name": "x", "slug": "x"}))
            .send()
            .await
            .expect_problem(StatusCode::FORBIDDEN, "forbidden");
        app.get(&format!("/v1/tenants/{}", acme.id))
            .token(token)
            .send()
            .await
            .expect_problem(StatusCode::FORBIDDEN, "forbidden");
    }
    app.get("/v1/tenants").send().await.expect_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    let bogus = app.get("/v1/tenants").token("ptrn_plat_doesnotexist").send().await;
    bogus.expect_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(bogus.headers["www-authenticate"], "Bearer");
    app.get("/v1/tenants")
        .header("authorization", "Basic abc")
        .send()
        .await
        .expect_problem(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn deleting_a_tenant_removes_what_it_owned_and_its_tokens_stop_working() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    app.get("/v1/users").token(&acme.admin).send().await.expect(StatusCode::OK);
    app.delete(&format!("/v1/tenants/{}", acme.id))
        .token(&app.platform_token)
        .send()
        .await
        .expect(StatusCode::NO_CONTENT);
    app.get("/v1/users").token(&acme.admin).send().await.expect_problem(StatusCode::UNAUTHORIZED, "unauthorized");
}
