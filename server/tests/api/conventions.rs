use axum::http::StatusCode;
use serde_json::json;
use sqlx::ConnectOptions;

use crate::common::{self, default_args, TestApp};

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

/// A POST with an Idempotency-Key.
async fn keyed(app: &TestApp, path: &str, token: &str, key: &str, body: serde_json::Value) -> common::Resp {
    app.post(path).token(token).header("idempotency-key", key).json(body).send().await
}

#[tokio::test]
async fn idempotency_key_replays_the_first_response_and_creates_once() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    let body = json!({"email": "idem@x.io", "display_name": "Idem", "role": "viewer"});
    let first = keyed(&app, "/v1/users", &acme.admin, "create-idem", body.clone()).await;
    first.expect(StatusCode::CREATED);
    let replay = keyed(&app, "/v1/users", &acme.admin, "create-idem", body.clone()).await;
    replay.expect(StatusCode::CREATED);
    assert_eq!(replay.body, first.body);
    assert_eq!(replay.headers["etag"], first.headers["etag"]);
    assert_eq!(replay.headers["location"], first.headers["location"]);
    assert_eq!(replay.headers["idempotent-replayed"], "true");
    let users = app.get("/v1/users?email=idem@x.io").token(&acme.admin).send().await;
    assert_eq!(users.body["items"].as_array().unwrap().len(), 1);

    let changed = keyed(
        &app,
        "/v1/users",
        &acme.admin,
        "create-idem",
        json!({"email": "other@x.io", "display_name": "Other", "role": "viewer"}),
    )
    .await;
    changed.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "idempotency-key-reused");

    // Keys belong to their caller: the same key from another token is a new request.
    let acme_ci =
        app.post("/v1/api-tokens").token(&acme.admin).json(json!({"name": "ci", "role": "admin"})).send().await;
    let ci = acme_ci.body["token"].as_str().unwrap();
    let other = keyed(
        &app,
        "/v1/users",
        ci,
        "create-idem",
        json!({"email": "ci@x.io", "display_name": "CI", "role": "viewer"}),
    )
    .await;
    other.expect(StatusCode::CREATED);
    assert!(other.headers.get("idempotent-replayed").is_none());

    // A failed request is replayed as it failed, without a second attempt.
    let bad = json!({"email": "bad", "display_name": "Bad", "role": "viewer"});
    let failed = keyed(&app, "/v1/users", &acme.admin, "bad-1", bad.clone()).await;
    failed.expect(StatusCode::UNPROCESSABLE_ENTITY);
    let failed_again = keyed(&app, "/v1/users", &acme.admin, "bad-1", bad).await;
    assert_eq!(failed_again.body, failed.body);
}

/// A server that died while holding a key leaves a claim without an answer. Within the lease a
/// retry is told to come back (409 with Retry-After); past it, the retry takes the claim over and
/// runs, once.
#[tokio::test]
async fn an_unanswered_claim_is_taken_over_after_its_lease_and_not_before() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    let body = json!({"email": "lease@x.io", "display_name": "Lease", "role": "viewer"});
    // A first request gives the hash this method, path and body have; then it is forgotten, as if
    // its user had never been created, and two crashed claims are planted with that hash.
    let first = keyed(&app, "/v1/users", &acme.admin, "seed", body.clone()).await;
    first.expect(StatusCode::CREATED);
    let mut owner = common::owner_options().database(&app.database).connect().await.unwrap();
    let user_id = uuid::Uuid::parse_str(first.body["id"].as_str().unwrap()).unwrap();
    sqlx::query("DELETE FROM users WHERE id = $1").bind(user_id).execute(&mut owner).await.unwrap();
    for (key, age) in [("fresh-claim", "1 second"), ("stale-claim", "2 minutes")] {
        sqlx::query(&format!(
            "INSERT INTO idempotency_keys (principal, key, tenant_id, request_hash, claimed_at) \
             SELECT principal, $1, tenant_id, request_hash, now() - interval '{age}' \
             FROM idempotency_keys WHERE key = 'seed'"
        ))
        .bind(key)
        .execute(&mut owner)
        .await
        .unwrap();
    }

    let held = keyed(&app, "/v1/users", &acme.admin, "fresh-claim", body.clone()).await;
    held.expect_problem(StatusCode::CONFLICT, "idempotency-key-in-progress");
    assert_eq!(held.headers["retry-after"], "1");

    let taken = keyed(&app, "/v1/users", &acme.admin, "stale-claim", body.clone()).await;
    taken.expect(StatusCode::CREATED);
    let replay = keyed(&app, "/v1/users", &acme.admin, "stale-claim", body.clone()).await;
    replay.expect(StatusCode::CREATED);
    assert_eq!(replay.headers["idempotent-replayed"], "true");
    assert_eq!(replay.body["id"], taken.body["id"]);
    let users = app.get("/v1/users?email=lease@x.io").token(&acme.admin).send().await;
    assert_eq!(users.body["items"].as_array().unwrap().len(), 1);

    // A stale claim made for another body is not taken over: the key was used for that request.
    let other = json!({"email": "other-lease@x.io", "display_name": "Other", "role": "viewer"});
    sqlx::query("UPDATE idempotency_keys SET claimed_at = now() - interval '2 minutes' WHERE key = 'fresh-claim'")
        .execute(&mut owner)
        .await
        .unwrap();
    let reused = keyed(&app, "/v1/users", &acme.admin, "fresh-claim", other).await;
    reused.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "idempotency-key-reused");
}

/// Stands in for a server that dies between a write's commit and its answer: a trigger makes the
/// bookkeeping after the commit fail (the caller sees a 500, as it would see a dropped connection).
async fn refuse_second_answer(app: &TestApp) {
    let mut owner = common::owner_options().database(&app.database).connect().await.unwrap();
    sqlx::raw_sql(
        "CREATE FUNCTION refuse_second_answer() RETURNS trigger LANGUAGE plpgsql AS \
         $$ BEGIN RAISE EXCEPTION 'the server died before answering'; END $$; \
         CREATE TRIGGER refuse_second_answer BEFORE UPDATE ON idempotency_keys \
         FOR EACH ROW WHEN (OLD.status IS NOT NULL) EXECUTE FUNCTION refuse_second_answer();",
    )
    .execute(&mut owner)
    .await
    .unwrap();
}

/// A write keeps its answer in its own transaction, so a server that dies between the commit and
/// the answer leaves a retry something to replay: the retry gets the created site, and there is
/// one site.
#[tokio::test]
async fn a_write_that_committed_before_its_answer_is_replayed_not_repeated() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    refuse_second_answer(&app).await;
    let body = json!({"name": "kept", "lan_prefixes": ["10.9.0.0/24"]});
    let lost = keyed(&app, "/v1/sites", &acme.operator, "site-1", body.clone()).await;
    assert_eq!(lost.status, StatusCode::INTERNAL_SERVER_ERROR);

    let retry = keyed(&app, "/v1/sites", &acme.operator, "site-1", body).await;
    retry.expect(StatusCode::CREATED);
    assert_eq!(retry.headers["idempotent-replayed"], "true");
    assert_eq!(retry.body["name"], "kept");
    let sites = app.get("/v1/sites").token(&acme.operator).send().await;
    let items = sites.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], retry.body["id"]);
    assert!(retry.headers["location"].to_str().unwrap().ends_with(items[0]["id"].as_str().unwrap()));

    // The same for a tenant the platform creates, outside the tenant write pipeline.
    let tenant = json!({"name": "Kept", "slug": "kept"});
    let lost = keyed(&app, "/v1/tenants", &app.platform_token, "tenant-1", tenant.clone()).await;
    assert_eq!(lost.status, StatusCode::INTERNAL_SERVER_ERROR);
    let retry = keyed(&app, "/v1/tenants", &app.platform_token, "tenant-1", tenant).await;
    retry.expect(StatusCode::CREATED);
    assert_eq!(retry.headers["idempotent-replayed"], "true");
    let found = app.get("/v1/tenants?slug=kept").token(&app.platform_token).send().await;
    assert_eq!(found.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(found.body["items"][0]["id"], retry.body["id"]);
}
