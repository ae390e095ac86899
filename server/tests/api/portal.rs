//! The web portal served at `/` from `--web-dir`: its files with a content security policy and
//! cache headers, the single-page fallback to `index.html`, and the API's paths left to the API.

use axum::http::StatusCode;

use crate::common::{default_args, TestApp};

/// A built portal as Vite lays it out: `index.html` and content-named files in `assets/`.
fn built_portal() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("patronus-portal-{}-{}", std::process::id(), uuid::Uuid::now_v7()));
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>Patronus</title><script type=\"module\" src=\"/assets/index-abc123.js\"></script>",
    )
    .unwrap();
    std::fs::write(dir.join("assets/index-abc123.js"), "console.log('portal')").unwrap();
    dir
}

pub(crate) async fn app_with_portal() -> TestApp {
    let mut args = default_args();
    args.web_dir = Some(built_portal());
    TestApp::with_args(args).await
}

fn header<'a>(r: &'a crate::common::Resp, name: &str) -> &'a str {
    r.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[tokio::test]
async fn index_has_a_strict_csp_and_is_revalidated() {
    let app = app_with_portal().await;
    let r = app.get("/").send().await;
    r.expect(StatusCode::OK);
    assert_eq!(header(&r, "content-type"), "text/html; charset=utf-8");
    let csp = header(&r, "content-security-policy");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(header(&r, "cache-control"), "no-cache");
    assert_eq!(header(&r, "x-content-type-options"), "nosniff");
    assert!(r.body.as_str().unwrap().contains("<title>Patronus</title>"));

    // Revalidation with the ETag costs no body.
    let etag = r.etag();
    let again = app.get("/").header("if-none-match", &etag).send().await;
    again.expect(StatusCode::NOT_MODIFIED);
    assert_eq!(again.body, serde_json::Value::Null);
    assert!(header(&again, "content-security-policy").contains("script-src 'self'"));
}

#[tokio::test]
async fn hashed_assets_are_cached_for_a_year() {
    let app = app_with_portal().await;
    let r = app.get("/assets/index-abc123.js").send().await;
    r.expect(StatusCode::OK);
    assert_eq!(header(&r, "content-type"), "text/javascript; charset=utf-8");
    assert_eq!(header(&r, "cache-control"), "public, max-age=31536000, immutable");
    assert_eq!(r.body, "console.log('portal')");
    // A stale asset name is a 404, not the page in its place.
    app.get("/assets/index-gone.js").send().await.expect_problem(StatusCode::NOT_FOUND, "not-found");
}

#[tokio::test]
async fn client_routes_fall_back_to_index() {
    let app = app_with_portal().await;
    for path in ["/sites", "/sites/0190a1b2-0000-7000-8000-000000000000", "/audit?actor=x"] {
        let r = app.get(path).send().await;
        r.expect(StatusCode::OK);
        assert_eq!(header(&r, "content-type"), "text/html; charset=utf-8", "{path}");
        assert_eq!(header(&r, "cache-control"), "no-cache", "{path}");
        assert!(header(&r, "content-security-policy").contains("script-src 'self'"), "{path}");
    }
    // Only reads are the portal's.
    app.post("/sites").send().await.expect_problem(StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed");
}

#[tokio::test]
async fn api_paths_stay_problem_json() {
    let app = app_with_portal().await;
    for path in ["/v1/nope", "/v1", "/v1/sites/0190a1b2-0000-7000-8000-000000000000/nothing-here"] {
        let r = app.get(path).send().await;
        r.expect_problem(StatusCode::NOT_FOUND, "not-found");
        assert!(r.headers.get("content-security-policy").is_none(), "{path}");
    }
    // The API itself is untouched: an unauthenticated request is still a 401 problem.
    app.get("/v1/sites").send().await.expect_problem(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn without_a_portal_every_unknown_path_is_a_404_problem() {
    let app = TestApp::new().await;
    app.get("/").send().await.expect_problem(StatusCode::NOT_FOUND, "not-found");
    app.get("/sites").send().await.expect_problem(StatusCode::NOT_FOUND, "not-found");
}

#[test]
fn a_directory_without_index_is_refused() {
    let dir = std::env::temp_dir().join(format!("patronus-portal-empty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let err = patronus_server::portal::Portal::load(&dir).err().expect("an error");
    assert!(err.to_string().contains("no index.html"), "{err}");
}
