use axum::http::StatusCode;

use crate::common::TestApp;

const COMMITTED: &str = include_str!("../../../openapi/openapi.json");

#[test]
fn committed_spec_is_current() {
    let generated = patronus_server::app::openapi().to_pretty_json().unwrap();
    assert!(
        COMMITTED.trim_end() == generated.trim_end(),
        "openapi/openapi.json is stale: run `scripts/generate` and commit the result"
    );
}

#[tokio::test]
async fn served_spec_matches_and_describes_errors_and_security() {
    let app = TestApp::new().await;
    let served = app.get("/v1/openapi.json").send().await;
    served.expect(StatusCode::OK);
    let committed: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    assert_eq!(served.body, committed);
    let spec = &served.body;
    assert_eq!(spec["openapi"], "3.1.0");
    assert!(spec["components"]["securitySchemes"]["tenant_auth"].is_object());
    assert!(spec["components"]["securitySchemes"]["platform_auth"].is_object());
    // Every /v1 operation documents its problem+json errors.
    for (path, item) in spec["paths"].as_object().unwrap() {
        if !path.starts_with("/v1/") {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.contains_key("400") && responses.contains_key("429"),
                "{method} {path} lacks error responses"
            );
        }
    }
    let patch = &spec["paths"]["/v1/users/{id}"]["patch"]["responses"];
    assert!(patch["412"].is_object() && patch["422"].is_object() && patch["404"].is_object());
}
