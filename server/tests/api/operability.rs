use axum::http::StatusCode;

use sqlx::ConnectOptions;

use crate::common::{owner_options, TestApp};

#[tokio::test]
async fn health_readiness_and_request_ids() {
    let app = TestApp::new().await;
    let health = app.get("/healthz").send().await;
    health.expect(StatusCode::OK);
    assert_eq!(health.body["status"], "ok");
    assert!(health.headers.contains_key("x-request-id"));
    let given = app.get("/readyz").header("x-request-id", "abc-1").send().await;
    given.expect(StatusCode::OK);
    assert_eq!(given.headers["x-request-id"], "abc-1");

    app.pool.close().await;
    let down = app.get("/readyz").send().await;
    down.expect_problem(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    // With the database gone the API says so with a 503, not a 500.
    app.get("/v1/tenants")
        .token(&app.platform_token)
        .send()
        .await
        .expect_problem(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
}

/// A database that went away under open connections (killed, restarted, restored) ends them with
/// an error such as 57P01 "terminating connection due to administrator command"; the request
/// that meets one is answered 503 like any other outage, and the pool reconnects by itself.
#[tokio::test]
async fn a_terminated_database_connection_is_a_503_and_the_pool_reconnects() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    app.get("/v1/sites").token(&acme.viewer).send().await.expect(StatusCode::OK);

    let mut owner = owner_options().database(&app.database).connect().await.unwrap();
    let ended: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND usename = 'patronus_app') AS t",
    )
    .fetch_one(&mut owner)
    .await
    .unwrap();
    assert!(ended > 0, "the app had no connection to end");
    // Give the ended backends' error messages time to reach their sockets.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;

    let mut statuses = Vec::new();
    for _ in 0..10 {
        let resp = app.get("/v1/sites").token(&acme.viewer).send().await;
        if resp.status != StatusCode::OK {
            resp.expect_problem(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
        }
        statuses.push(resp.status);
    }
    assert!(statuses.contains(&StatusCode::SERVICE_UNAVAILABLE), "no request met an ended connection: {statuses:?}");
    assert_eq!(statuses.last(), Some(&StatusCode::OK), "the pool did not reconnect: {statuses:?}");
}

/// A statement in flight when PostgreSQL ends its connection (a fast shutdown, a terminated
/// backend, a crash of another backend) fails with the server's own error, SQLSTATE 57P01 or
/// 57P02, rather than a broken socket: that is the database going away too, a 503.
#[tokio::test]
async fn a_statement_ended_by_the_database_going_away_is_a_503() {
    let app = TestApp::new().await;
    let mut victim = owner_options().database(&app.database).connect().await.unwrap();
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(&mut victim).await.unwrap();
    let in_flight = tokio::spawn(async move { sqlx::query("SELECT pg_sleep(30)").execute(&mut victim).await });
    let mut owner = owner_options().database(&app.database).connect().await.unwrap();
    let mut ended = false;
    for _ in 0..100 {
        let active: bool = sqlx::query_scalar("SELECT state = 'active' FROM pg_stat_activity WHERE pid = $1")
            .bind(pid)
            .fetch_one(&mut owner)
            .await
            .unwrap();
        if active {
            ended =
                sqlx::query_scalar("SELECT pg_terminate_backend($1)").bind(pid).fetch_one(&mut owner).await.unwrap();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(ended, "the statement never became active");
    let err = in_flight.await.unwrap().expect_err("the statement survived its backend");
    assert_eq!(err.as_database_error().and_then(|e| e.code()).as_deref(), Some("57P01"), "{err:?}");
    let api = patronus_server::error::ApiError::from(err);
    assert_eq!(api.status(), StatusCode::SERVICE_UNAVAILABLE, "{api:?}");
    assert_eq!(api.to_problem().kind, "https://patronus.dev/problems/unavailable");
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_status() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    app.get(&format!("/v1/tenants/{}", acme.id)).token(&app.platform_token).send().await.expect(StatusCode::OK);
    app.get("/v1/tenants/00000000-0000-0000-0000-000000000000")
        .token(&app.platform_token)
        .send()
        .await
        .expect(StatusCode::NOT_FOUND);
    let metrics = app.get("/metrics").send().await;
    metrics.expect(StatusCode::OK);
    let text = metrics.body.as_str().unwrap();
    assert!(text.contains(r#"http_requests_total{method="GET",route="/v1/tenants/{id}",status="200"} 1"#), "{text}");
    assert!(text.contains(r#"http_requests_total{method="GET",route="/v1/tenants/{id}",status="404"} 1"#));
    assert!(text.contains("http_request_duration_seconds_bucket"));
    assert!(!text.contains(&acme.id), "raw ids must not become label values");
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problem_json() {
    let app = TestApp::new().await;
    app.get("/v1/nothing-here").send().await.expect_problem(StatusCode::NOT_FOUND, "not-found");
    app.put("/v1/tenants")
        .token(&app.platform_token)
        .send()
        .await
        .expect_problem(StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed");
}
