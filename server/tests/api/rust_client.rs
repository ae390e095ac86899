//! The Rust client in `sdk/rust` against the real server on a TCP port: the error and retry
//! semantics every Patronus SDK shares.

use std::net::SocketAddr;
use std::time::Duration;

use patronus_api::client::{Client, ErrorKind, RetryPolicy};
use patronus_api::{NewLink, NewSite, SiteUpdate};

use crate::common::{default_args, TestApp};

/// Serves `app` on a free loopback port; the server stops with the test's runtime.
async fn serve(app: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap();
    });
    format!("http://{addr}")
}

fn new_site(name: &str, prefix: &str) -> NewSite {
    serde_json::from_value(serde_json::json!({"name": name, "lan_prefixes": [prefix]})).unwrap()
}

#[tokio::test]
async fn sites_through_the_rust_client_with_typed_errors() {
    let app = TestApp::new().await;
    let tenant = app.tenant("rust-client").await;
    let client = Client::new(&serve(&app).await, Some(tenant.operator.clone())).unwrap();

    let site = client.create_site(&new_site("hamburg", "10.1.0.0/16")).await.unwrap();
    let etag = site.etag.clone().expect("an ETag");
    for (name, endpoint) in [("fiber", Some("198.51.100.7:51820")), ("lte", None)] {
        let link: NewLink = serde_json::from_value(serde_json::json!({
            "site_id": site.value.id, "name": name, "interface": format!("{name}0"), "endpoint": endpoint,
            "bandwidth_up_mbps": 100, "bandwidth_down_mbps": 500}))
        .unwrap();
        client.create_link(&link).await.unwrap();
    }
    assert_eq!(client.get_site(site.value.id).await.unwrap().value.name, "hamburg");

    // More sites than one page holds by default (100): list_sites follows the cursor.
    for i in 0..120 {
        client.create_site(&new_site(&format!("s{i:03}"), &format!("10.200.{i}.0/24"))).await.unwrap();
    }
    let all = client.list_sites().await.unwrap();
    assert_eq!(all.len(), 121);
    assert!(all.iter().any(|s| s.name == "hamburg"));

    // Update with If-Match, then the same (now stale) ETag again: 412.
    let rename = SiteUpdate { name: Some("hamburg-1".into()), ..Default::default() };
    let updated = client.update_site(site.value.id, &rename, Some(&etag)).await.unwrap();
    assert_eq!(updated.value.name, "hamburg-1");
    let stale = client.update_site(site.value.id, &rename, Some(&etag)).await.unwrap_err();
    assert_eq!(stale.kind(), Some(ErrorKind::PreconditionFailed));
    assert!(stale.is_precondition_failed());

    // Invalid fields: 422 with the field at fault. (A prefix with host bits set: the type takes
    // it, the server does not; a malformed one cannot be built in Rust at all.)
    let invalid = client.create_site(&new_site("bad", "10.1.2.3/24")).await.unwrap_err();
    assert_eq!(invalid.kind(), Some(ErrorKind::Validation));
    assert!(invalid.field_errors().iter().any(|(pointer, _)| pointer.starts_with("/lan_prefixes")), "{invalid}");

    // The compiled document of the site, then delete with the current ETag; afterwards 404.
    let config = client.site_config(site.value.id).await.unwrap();
    assert_eq!(config.value.config.links.len(), 2);
    client.delete_site(site.value.id, updated.etag.as_deref()).await.unwrap();
    let gone = client.get_site(site.value.id).await.unwrap_err();
    assert!(gone.is_not_found(), "{gone}");
    assert_eq!(client.delete_site(site.value.id, None).await.unwrap_err().kind(), Some(ErrorKind::NotFound));

    // A viewer may not write.
    let viewer = Client::new(client.base_url(), Some(tenant.viewer.clone())).unwrap();
    let refused = viewer.create_site(&new_site("nope", "10.9.0.0/16")).await.unwrap_err();
    assert_eq!(refused.kind(), Some(ErrorKind::Forbidden));
}

#[tokio::test]
async fn the_rust_client_waits_out_429s_and_never_creates_twice() {
    let mut args = default_args();
    args.rate_limit_per_second = 2;
    // Enough for the helper that makes the tenant and its tokens; then the client runs dry.
    args.rate_limit_burst = 3;
    let app = TestApp::with_args(args).await;
    let tenant = app.tenant("rust-client-limited").await;
    let url = serve(&app).await;
    let client = Client::new(&url, Some(tenant.operator.clone()))
        .unwrap()
        .with_retry(RetryPolicy { max_attempts: 10, ..RetryPolicy::default() });

    // Six creations in a row at 2 requests/s after a burst of 3: the later ones are answered 429
    // first and retried after Retry-After; every one succeeds, and each exists once.
    for i in 0..6 {
        client.create_site(&new_site(&format!("r{i}"), &format!("10.50.{i}.0/24"))).await.unwrap();
    }
    let names: Vec<String> = client.list_sites().await.unwrap().into_iter().map(|s| s.name).collect();
    assert_eq!(names, ["r0", "r1", "r2", "r3", "r4", "r5"]);
    let metrics = reqwest::get(format!("{url}/metrics")).await.unwrap().text().await.unwrap();
    let answered_429: f64 = metrics
        .lines()
        .filter(|l| l.starts_with("http_requests_total") && l.contains("status=\"429\"") && l.contains("/v1/sites"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum();
    assert!(answered_429 >= 1.0, "the server never answered 429, so nothing was retried:\n{metrics}");

    // Without retries the limit shows as a typed error.
    let impatient = Client::new(&url, Some(tenant.operator))
        .unwrap()
        .with_retry(RetryPolicy { max_attempts: 1, ..RetryPolicy::default() });
    let mut limited = None;
    for _ in 0..5 {
        if let Err(e) = impatient.get_site(uuid::Uuid::now_v7()).await {
            if e.kind() == Some(ErrorKind::RateLimited) {
                limited = Some(e);
                break;
            }
        }
    }
    assert!(limited.is_some(), "no 429 at 2 requests/s");
}

#[tokio::test]
async fn the_rust_client_retries_until_the_server_listens() {
    // Nothing listens on this port for the first attempts; then a server does.
    let app = TestApp::new().await;
    let tenant = app.tenant("rust-client-late").await;
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = probe.local_addr().unwrap();
    drop(probe);
    let client = Client::new(&format!("http://{addr}"), Some(tenant.operator)).unwrap().with_retry(RetryPolicy {
        max_attempts: 8,
        initial_backoff: Duration::from_millis(200),
        ..RetryPolicy::default()
    });
    let router = app.router.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap();
    });
    let created = client.create_site(&new_site("late", "10.60.0.0/16")).await.unwrap();
    assert_eq!(created.value.name, "late");
}

#[tokio::test]
async fn an_agent_reports_its_bgp_table_and_operators_read_it_through_the_rust_client() {
    let app = TestApp::new().await;
    let t = app.tenant("rust-bgp").await;
    let url = serve(&app).await;
    let operator = Client::new(&url, Some(t.operator.clone())).unwrap();
    let site = operator.create_site(&new_site("lyon", "10.1.0.0/16")).await.unwrap().value;
    app.put(&format!("/v1/sites/{}/bgp", site.id))
        .token(&t.operator)
        .json(serde_json::json!({"neighbors": [{"address": "10.1.0.2", "remote_asn": 65010}], "overlay_import": true}))
        .send()
        .await
        .expect(axum::http::StatusCode::CREATED);
    let credential = crate::agents::enrolled(&app, &t, &site.id.to_string(), 1).await;
    let agent = Client::new(&url, Some(credential)).unwrap();

    let report: patronus_api::LearnedRoutesReport = serde_json::from_value(serde_json::json!({"routes": [
        {"prefix": "192.168.10.0/24", "neighbor": "10.1.0.2", "as_path": "65010", "communities": ["65010:7"], "med": 5},
        {"prefix": "100.64.0.0/24", "neighbor": "10.1.0.2"}]}))
    .unwrap();
    let answer = agent.agent_learned_routes(&report).await.unwrap();
    assert_eq!((answer.accepted, answer.refused, answer.not_imported), (1, 1, 0));
    let routes = operator.site_learned_routes(site.id).await.unwrap();
    let accepted = routes.iter().find(|r| r.state == patronus_api::LearnedRouteState::Accepted).unwrap();
    assert_eq!(
        (accepted.prefix.to_string(), accepted.med, accepted.communities.clone()),
        ("192.168.10.0/24".into(), Some(5), vec!["65010:7".to_string()])
    );

    // A neighbour the site does not have: a typed 422 naming the field.
    let bad: patronus_api::LearnedRoutesReport =
        serde_json::from_value(serde_json::json!({"routes": [{"prefix": "192.168.11.0/24", "neighbor": "10.1.0.9"}]}))
            .unwrap();
    let err = agent.agent_learned_routes(&bad).await.unwrap_err();
    assert_eq!(err.kind(), Some(ErrorKind::Validation));
    assert_eq!(err.field_errors().first().map(|e| e.0), Some("/routes/0/neighbor"));
}
