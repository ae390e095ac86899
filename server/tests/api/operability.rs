use axum::http::StatusCode;

use crate::common::TestApp;

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
