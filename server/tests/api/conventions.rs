use axum::http::StatusCode;
use serde_json::json;

use crate::common::{default_args, TestApp};

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after_and_ratelimit_headers() {
    let mut args = default_args();
    args.rate_limit_per_second = 1;
    args.rate_limit_burst = 3;
    let app = TestApp::with_args(args).await;
    let t = app.platform_token.clone();

    let first = app.get("/v1/tenants").token(&t).send().await;
    first.expect(StatusCode::OK);
    assert_eq!(first.headers["ratelimit-policy"], "\"default\";q=3;w=3");
    assert_eq!(first.headers["ratelimit-remaining"], "2");
    app.get("/v1/tenants").token(&t).send().await.expect(StatusCode::OK);
    app.get("/v1/tenants").token(&t).send().await.expect(StatusCode::OK);
    let limited = app.get("/v1/tenants").token(&t).send().await;
    limited.expect_problem(StatusCode::TOO_MANY_REQUESTS, "rate-limited");
    assert_eq!(limited.headers["retry-after"], "1");
    assert_eq!(limited.headers["ratelimit-remaining"], "0");

    // Limits are per caller: another token is unaffected.
    let other = patronus_server::bootstrap::create_platform_token(&app.pool, "other").await.unwrap();
    app.get("/v1/tenants").token(&other).send().await.expect(StatusCode::OK);
    // Health checks are never limited.
    app.get("/healthz").send().await.expect(StatusCode::OK);

    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    app.get("/v1/tenants").token(&t).send().await.expect(StatusCode::OK);
}

#[tokio::test]
async fn with_redis_replicas_share_one_budget_per_token() {
    let redis_url =
        std::env::var("REDIS_URL").expect("REDIS_URL must point at a Redis server (scripts/test starts one)");
    let mut args = default_args();
    args.rate_limit_per_second = 1;
    args.rate_limit_burst = 4;
    args.redis_url = Some(redis_url);
    let one = TestApp::with_args(args.clone()).await;
    let two = TestApp::on_database(args, one.database.clone()).await;
    let t = one.platform_token.clone();
    // Four requests spread over two replicas exhaust the one shared bucket.
    for app in [&one, &two, &one, &two] {
        app.get("/v1/tenants").token(&t).send().await.expect(StatusCode::OK);
    }
    two.get("/v1/tenants").token(&t).send().await.expect_problem(StatusCode::TOO_MANY_REQUESTS, "rate-limited");
    one.get("/v1/tenants").token(&t).send().await.expect_problem(StatusCode::TOO_MANY_REQUESTS, "rate-limited");
}

#[tokio::test]
async fn default_limits_let_terraform_parallelism_through() {
    // Terraform runs 10 operations at once; 200 back-to-back requests must all pass.
    let app = TestApp::new().await;
    let t = app.platform_token.clone();
    let requests = (0..200).map(|_| app.get("/v1/tenants").token(&t).send());
    let answers = futures::future::join_all(requests).await;
    assert!(answers.iter().all(|r| r.status == StatusCode::OK));
}

#[tokio::test]
async fn idempotency_key_replays_the_first_response_and_creates_once() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    let body = json!({"email": "idem@x.io", "display_name": "Idem", "role": "viewer"});
    let first = app
        .post("/v1/users")
        .token(&acme.admin)
        .header("idempotency-key", "create-idem")
        .json(body.clone())
        .send()
        .await;
    first.expect(StatusCode::CREATED);
    let replay = app
        .post("/v1/users")
        .token(&acme.admin)
        .header("idempotency-key", "create-idem")
        .json(body.clone())
        .send()
        .await;
    replay.expect(StatusCode::CREATED);
    assert_eq!(replay.body, first.body);
    assert_eq!(replay.headers["etag"], first.headers["etag"]);
    assert_eq!(replay.headers["location"], first.headers["location"]);
    assert_eq!(replay.headers["idempotent-replayed"], "true");
    let users = app.get("/v1/users?email=idem@x.io").token(&acme.admin).send().await;
    assert_eq!(users.body["items"].as_array().unwrap().len(), 1);

    let changed = app
        .post("/v1/users")
        .token(&acme.admin)
        .header("idempotency-key", "create-idem")
        .json(json!({"email": "other@x.io", "display_name": "Other", "role": "viewer"}))
        .send()
        .await;
    changed.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "idempotency-key-reused");

    // Keys belong to their caller: the same key from another token is a new request.
    let acme_ci =
        app.post("/v1/api-tokens").token(&acme.admin).json(json!({"name": "ci", "role": "admin"})).send().await;
    let ci = acme_ci.body["token"].as_str().unwrap();
    let other = app
        .post("/v1/users")
        .token(ci)
        .header("idempotency-key", "create-idem")
        .json(json!({"email": "ci@x.io", "display_name": "CI", "role": "viewer"}))
        .send()
        .await;
    other.expect(StatusCode::CREATED);
    assert!(other.headers.get("idempotent-replayed").is_none());

    // A failed request is replayed as it failed, without a second attempt.
    let bad = json!({"email": "bad", "display_name": "Bad", "role": "viewer"});
    let failed =
        app.post("/v1/users").token(&acme.admin).header("idempotency-key", "bad-1").json(bad.clone()).send().await;
    failed.expect(StatusCode::UNPROCESSABLE_ENTITY);
    let failed_again =
        app.post("/v1/users").token(&acme.admin).header("idempotency-key", "bad-1").json(bad).send().await;
    assert_eq!(failed_again.body, failed.body);
}

#[tokio::test]
async fn a_replayed_token_creation_does_not_show_the_secret_again() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    let body = json!({"name": "deploy", "role": "operator"});
    let first = app
        .post("/v1/api-tokens")
        .token(&acme.admin)
        .header("idempotency-key", "tok-1")
        .json(body.clone())
        .send()
        .await;
    first.expect(StatusCode::CREATED);
    assert!(first.body["token"].as_str().unwrap().starts_with("ptrn_api_"));
    let replay =
        app.post("/v1/api-tokens").token(&acme.admin).header("idempotency-key", "tok-1").json(body).send().await;
    replay.expect(StatusCode::CREATED);
    assert_eq!(replay.body["id"], first.body["id"]);
    assert_eq!(replay.body["token"], "[REDACTED]");
    let stored: Vec<Vec<u8>> = {
        let mut tx = patronus_server::db::tenant_tx(&app.pool, acme.id.parse().unwrap()).await.unwrap();
        sqlx::query_scalar("SELECT response FROM idempotency_keys").fetch_all(&mut *tx).await.unwrap()
    };
    let secret = first.body["token"].as_str().unwrap();
    assert!(stored.iter().all(|r| !String::from_utf8_lossy(r).contains(secret)));
}

#[tokio::test]
async fn malformed_idempotency_keys_are_refused() {
    let app = TestApp::new().await;
    let long = "k".repeat(300);
    app.post("/v1/tenants")
        .token(&app.platform_token)
        .header("idempotency-key", &long)
        .json(json!({"name": "a", "slug": "a"}))
        .send()
        .await
        .expect_problem(StatusCode::BAD_REQUEST, "bad-request");
    assert_eq!(app.get("/v1/tenants").token(&app.platform_token).send().await.body["items"], json!([]));
}
