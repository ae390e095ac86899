//! Single sign-on and browser sessions, against a real OIDC provider process: the small provider
//! in `server/tests/oidc/test-idp.mjs` (run by node), which signs real RS256 ID tokens with a key
//! its JWKS publishes and can be told to make the next token wrong (forged, expired, for another
//! audience or issuer, without the nonce). The server fetches its discovery document, keys and
//! tokens over HTTP as it would from any provider.

use axum::http::StatusCode;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::common::{default_args, Resp, Tenant, TestApp};

const CLIENT_ID: &str = "patronus-test";
const CLIENT_SECRET: &str = "idp-client-secret-do-not-show";

pub struct TestIdp {
    _child: tokio::process::Child,
    pub issuer: String,
    http: reqwest::Client,
}

impl TestIdp {
    pub async fn start() -> TestIdp {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oidc/test-idp.mjs");
        let mut child = tokio::process::Command::new("node")
            .arg(script)
            .env("CLIENT_ID", CLIENT_ID)
            .env("CLIENT_SECRET", CLIENT_SECRET)
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("node must be installed to run the test identity provider");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).await.unwrap();
        let port = line.trim().strip_prefix("listening ").expect("the test IdP did not start");
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        TestIdp { _child: child, issuer: format!("http://127.0.0.1:{port}"), http }
    }

    /// Who signs in next, and how the next ID token is made (see the script).
    pub async fn set(&self, control: Value) {
        let r = self.http.post(format!("{}/control", self.issuer)).json(&control).send().await.unwrap();
        assert!(r.status().is_success());
    }
}

fn set_cookies(r: &Resp) -> Vec<String> {
    r.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect()
}

/// `name=value` of the cookie `name` that a response sets.
fn cookie_pair(r: &Resp, name: &str) -> Option<String> {
    set_cookies(r)
        .into_iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(|c| c.split(';').next().unwrap().to_string())
}

/// A browser's SSO login: the server's login endpoint, the provider's authorization endpoint, and
/// the server's callback with the state cookie; returns the callback's answer and its URL.
async fn sso_login(app: &TestApp, idp: &TestIdp, tenant: &str) -> (Resp, String, String) {
    let start = app.get(&format!("/v1/auth/oidc/login?tenant={tenant}")).send().await;
    start.expect(StatusCode::SEE_OTHER);
    let to_idp = start.headers["location"].to_str().unwrap().to_string();
    assert!(to_idp.starts_with(&format!("{}/authorize?", idp.issuer)), "{to_idp}");
    let state_cookie = cookie_pair(&start, "patronus_oidc_state").expect("the state cookie");
    let at_idp = idp.http.get(&to_idp).send().await.unwrap();
    assert_eq!(at_idp.status(), 302, "{}", at_idp.text().await.unwrap());
    let back = at_idp.headers()["location"].to_str().unwrap().to_string();
    let callback = back.strip_prefix("http://127.0.0.1:8080").expect("the callback on the public URL").to_string();
    let done = app.get(&callback).header("cookie", &state_cookie).send().await;
    (done, callback, state_cookie)
}

async fn configure(app: &TestApp, acme: &Tenant, idp: &TestIdp, extra: Value) -> Resp {
    let mut spec = json!({
        "issuer_url": idp.issuer,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "role_claim": "groups",
        "role_mapping": [{"group": "net-admins", "role": "admin"}, {"group": "net-ops", "role": "operator"}],
    });
    for (k, v) in extra.as_object().unwrap() {
        spec[k] = v.clone();
    }
    app.put("/v1/identity-provider").token(&acme.admin).json(spec).send().await
}

async fn session(app: &TestApp, cookie: &str) -> Resp {
    app.get("/v1/auth/session").header("cookie", cookie).send().await
}

#[tokio::test]
async fn sso_login_creates_the_user_with_the_mapped_role_and_follows_the_groups_at_each_login() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    let idp = TestIdp::start().await;
    configure(&app, &acme, &idp, json!({})).await.expect(StatusCode::CREATED);
    idp.set(json!({"user": {"email": "Ann@Example.com", "name": "Ann Ops", "groups": ["sales", "net-ops"]}})).await;

    let (done, _, _) = sso_login(&app, &idp, "acme").await;
    done.expect(StatusCode::SEE_OTHER);
    assert_eq!(done.headers["location"], "/");
    let cookie = cookie_pair(&done, "patronus_session").expect("a session cookie");
    let attributes = set_cookies(&done).into_iter().find(|c| c.starts_with("patronus_session=")).unwrap();
    assert!(
        attributes.contains("; HttpOnly") && attributes.contains("; SameSite=Lax") && attributes.contains("; Path=/")
    );
    assert!(!attributes.contains("Secure"), "not Secure on an http:// public URL: {attributes}");
    assert!(set_cookies(&done).iter().any(|c| c.starts_with("patronus_oidc_state=;") && c.contains("Max-Age=0")));

    let me = session(&app, &cookie).await;
    me.expect(StatusCode::OK);
    assert_eq!(me.body["email"], "ann@example.com");
    assert_eq!(me.body["role"], "operator");
    assert_eq!(me.body["method"], "sso");
    assert_eq!(app.get("/v1/auth/whoami").header("cookie", &cookie).send().await.body["role"], "operator");

    let users = app.get("/v1/users?email=ann@example.com").token(&acme.admin).send().await;
    let ann = &users.body["items"][0];
    assert_eq!(ann["role"], "operator");
    assert_eq!(ann["display_name"], "Ann Ops");
    assert_eq!(ann["has_password"], false);
    let provider = app.get("/v1/identity-provider").token(&acme.admin).send().await;
    assert!(provider.body["verified_at"].is_string(), "a successful login verifies the provider");

    // Promoted at the provider: admin at the next login.
    idp.set(json!({"user": {"groups": ["net-admins"]}})).await;
    let (again, _, _) = sso_login(&app, &idp, "acme").await;
    again.expect(StatusCode::SEE_OTHER);
    let admin_cookie = cookie_pair(&again, "patronus_session").unwrap();
    assert_eq!(session(&app, &admin_cookie).await.body["role"], "admin");

    // Out of every mapped group, with no default role: refused, and every session ends.
    idp.set(json!({"user": {"groups": ["sales"]}})).await;
    let (refused, _, _) = sso_login(&app, &idp, "acme").await;
    refused.expect_problem(StatusCode::FORBIDDEN, "forbidden");
    assert!(refused.body["detail"].as_str().unwrap().contains("none of the groups"), "{}", refused.body);
    assert!(cookie_pair(&refused, "patronus_session").is_none());
    session(&app, &cookie).await.expect_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    session(&app, &admin_cookie).await.expect_problem(StatusCode::UNAUTHORIZED, "unauthorized");

    // A default role lets people outside the mapped groups in (Ann, an admin till now, becomes a
    // viewer: another admin exists).
    password_user(&app, &acme, "root@example.com", "admin").await;
    let etag = app.get("/v1/identity-provider").token(&acme.admin).send().await.etag();
    app.put("/v1/identity-provider")
        .token(&acme.admin)
        .header("if-match", &etag)
        .json(json!({"issuer_url": idp.issuer, "client_id": CLIENT_ID, "default_role": "viewer"}))
        .send()
        .await
        .expect(StatusCode::OK);
    let (viewer, _, _) = sso_login(&app, &idp, "acme").await;
    viewer.expect(StatusCode::SEE_OTHER);
    assert_eq!(session(&app, &cookie_pair(&viewer, "patronus_session").unwrap()).await.body["role"], "viewer");

    let audit = app.get("/v1/audit-events").token(&acme.admin).send().await;
    let actions: Vec<&str> =
        audit.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"user.create") && actions.contains(&"user.sso_refused"), "{actions:?}");
    assert!(!audit.body.to_string().contains(CLIENT_SECRET), "the client secret never reaches the audit log");
}

#[tokio::test]
async fn bad_id_tokens_are_refused_with_what_was_wrong() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    let idp = TestIdp::start().await;
    configure(&app, &acme, &idp, json!({"default_role": "viewer"})).await.expect(StatusCode::CREATED);
    for (mode, says) in [
        ("forged", "Signature verification failed"),
        ("expired", "Expired"),
        ("wrong_aud", "Invalid audiences"),
        ("wrong_iss", "Invalid issuer"),
        ("no_nonce", "missing nonce claim"),
    ] {
        idp.set(json!({"mode": mode})).await;
        let (done, _, _) = sso_login(&app, &idp, "acme").await;
        done.expect_problem(StatusCode::UNAUTHORIZED, "unauthorized");
        let detail = done.body["detail"].as_str().unwrap();
        assert!(detail.contains("ID token was refused") && detail.contains(says), "{mode}: {detail}");
        assert!(cookie_pair(&done, "patronus_session").is_none(), "{mode}: no session");
    }
    let users = app.get("/v1/users").token(&acme.admin).send().await;
    assert!(users.body["items"].as_array().unwrap().is_empty(), "no user was created: {}", users.body);
    let provider = app.get("/v1/identity-provider").token(&acme.admin).send().await;
    assert!(provider.body["verified_at"].is_null());
}

#[tokio::test]
async fn a_state_is_spent_once_and_only_in_the_browser_that_started_the_login() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    let idp = TestIdp::start().await;
    configure(&app, &acme, &idp, json!({"default_role": "viewer"})).await.expect(StatusCode::CREATED);

    let (done, callback, state_cookie) = sso_login(&app, &idp, "acme").await;
    done.expect(StatusCode::SEE_OTHER);
    let replay = app.get(&callback).header("cookie", &state_cookie).send().await;
    replay.expect_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    assert!(replay.body["detail"].as_str().unwrap().contains("already used"), "{}", replay.body);

    // A callback reached without the state cookie (sent to a victim's browser) is refused.
    let start = app.get("/v1/auth/oidc/login?tenant=acme").send().await;
    let at_idp = idp.http.get(start.headers["location"].to_str().unwrap()).send().await.unwrap();
    let back =
        at_idp.headers()["location"].to_str().unwrap().strip_prefix("http://127.0.0.1:8080").unwrap().to_string();
    let foreign = app.get(&back).send().await;
    foreign.expect_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    assert!(foreign.body["detail"].as_str().unwrap().contains("not started in this browser"));

    app.get("/v1/auth/oidc/callback?code=x").send().await.expect_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    let denied = app.get("/v1/auth/oidc/callback?error=access_denied&error_description=user+cancelled").send().await;
    denied.expect_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    assert!(denied.body["detail"].as_str().unwrap().contains("access_denied (user cancelled)"));
}

#[tokio::test]
async fn sso_needs_a_configured_provider_and_an_allowed_email() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    app.get("/v1/auth/oidc/login?tenant=acme").send().await.expect_problem(StatusCode::NOT_FOUND, "not-found");
    app.get("/v1/auth/oidc/login?tenant=nope").send().await.expect_problem(StatusCode::NOT_FOUND, "not-found");
    app.get("/v1/auth/oidc/login").send().await.expect_status_4xx();
    let methods = app.get("/v1/auth/methods?tenant=acme").send().await;
    assert_eq!(methods.body, json!({"sso": false, "sso_login_url": null}));

    let idp = TestIdp::start().await;
    configure(&app, &acme, &idp, json!({"default_role": "viewer", "allowed_email_domains": ["Corp.example"]}))
        .await
        .expect(StatusCode::CREATED);
    let methods = app.get("/v1/auth/methods?tenant=acme").send().await;
    assert_eq!(methods.body["sso"], true);
    assert_eq!(methods.body["sso_login_url"], "http://127.0.0.1:8080/v1/auth/oidc/login?tenant=acme");

    idp.set(json!({"user": {"email": "eve@elsewhere.example"}})).await;
    let (done, _, _) = sso_login(&app, &idp, "acme").await;
    done.expect_problem(StatusCode::FORBIDDEN, "forbidden");
    assert!(done.body["detail"].as_str().unwrap().contains("not in a domain"));
    idp.set(json!({"user": {"email": "bob@corp.example", "email_verified": false}})).await;
    let (done, _, _) = sso_login(&app, &idp, "acme").await;
    done.expect_problem(StatusCode::FORBIDDEN, "forbidden");
    assert!(done.body["detail"].as_str().unwrap().contains("not verified"));
    idp.set(json!({"user": {"email": "bob@corp.example", "email_verified": true}})).await;
    sso_login(&app, &idp, "acme").await.0.expect(StatusCode::SEE_OTHER);
}

async fn password_user(app: &TestApp, acme: &Tenant, email: &str, role: &str) {
    app.post("/v1/users")
        .token(&acme.admin)
        .json(json!({"email": email, "display_name": email, "role": role, "password": "correct horse battery"}))
        .send()
        .await
        .expect(StatusCode::CREATED);
}

async fn password_session(app: &TestApp, email: &str) -> Resp {
    app.post("/v1/auth/session")
        .json(json!({"tenant": "acme", "email": email, "password": "correct horse battery"}))
        .send()
        .await
}

#[tokio::test]
async fn a_cookie_session_needs_its_csrf_token_for_changes_and_logout_ends_it() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    password_user(&app, &acme, "ada@example.com", "admin").await;

    let created = password_session(&app, "ada@example.com").await;
    created.expect(StatusCode::CREATED);
    assert_eq!(created.body["method"], "password");
    let csrf = created.body["csrf_token"].as_str().unwrap().to_string();
    let cookie = cookie_pair(&created, "patronus_session").unwrap();
    assert!(cookie.starts_with("patronus_session=ptrn_sess_"));
    let attributes = set_cookies(&created).remove(0);
    assert!(attributes.contains("HttpOnly") && attributes.contains("SameSite=Lax") && !attributes.contains("Secure"));
    assert!(
        !created.body.to_string().contains(cookie.trim_start_matches("patronus_session=")),
        "the id stays in the cookie"
    );

    // Reads need only the cookie.
    app.get("/v1/users").header("cookie", &cookie).send().await.expect(StatusCode::OK);
    let token = json!({"name": "ci", "role": "viewer"});
    // A cross-site form or fetch carries the cookie but cannot know the token.
    let no_token = app.post("/v1/api-tokens").header("cookie", &cookie).json(token.clone()).send().await;
    no_token.expect_problem(StatusCode::FORBIDDEN, "forbidden");
    assert!(no_token.body["detail"].as_str().unwrap().contains("X-CSRF-Token"));
    app.post("/v1/api-tokens")
        .header("cookie", &cookie)
        .header("x-csrf-token", "not-the-token")
        .json(token.clone())
        .send()
        .await
        .expect_problem(StatusCode::FORBIDDEN, "forbidden");
    let cross_site = app
        .post("/v1/api-tokens")
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .header("origin", "https://evil.example")
        .json(token.clone())
        .send()
        .await;
    cross_site.expect_problem(StatusCode::FORBIDDEN, "forbidden");
    assert!(cross_site.body["detail"].as_str().unwrap().contains("cross-site"));
    app.post("/v1/api-tokens")
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .header("host", "127.0.0.1:8080")
        .header("origin", "http://127.0.0.1:8080")
        .json(token.clone())
        .send()
        .await
        .expect(StatusCode::CREATED);
    // Bearer tokens work as before, with no CSRF token.
    app.post("/v1/api-tokens")
        .token(&acme.admin)
        .json(json!({"name": "ci2", "role": "viewer"}))
        .send()
        .await
        .expect(StatusCode::CREATED);

    // The session's id is no bearer token.
    let id = cookie.trim_start_matches("patronus_session=");
    app.get("/v1/users").token(id).send().await.expect_problem(StatusCode::UNAUTHORIZED, "unauthorized");

    app.delete("/v1/auth/session")
        .header("cookie", &cookie)
        .send()
        .await
        .expect_problem(StatusCode::FORBIDDEN, "forbidden");
    let out = app.delete("/v1/auth/session").header("cookie", &cookie).header("x-csrf-token", &csrf).send().await;
    out.expect(StatusCode::NO_CONTENT);
    assert!(set_cookies(&out)[0].starts_with("patronus_session=;") && set_cookies(&out)[0].contains("Max-Age=0"));
    session(&app, &cookie).await.expect_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    app.get("/v1/users")
        .header("cookie", &cookie)
        .send()
        .await
        .expect_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    // A stale cookie does not stand in the way of signing in again, nor does a live one.
    app.post("/v1/auth/session")
        .header("cookie", &cookie)
        .json(json!({"tenant": "acme", "email": "ada@example.com", "password": "correct horse battery"}))
        .send()
        .await
        .expect(StatusCode::CREATED);
    let live = password_session(&app, "ada@example.com").await;
    app.post("/v1/auth/session")
        .header("cookie", &cookie_pair(&live, "patronus_session").unwrap())
        .json(json!({"tenant": "acme", "email": "ada@example.com", "password": "correct horse battery"}))
        .send()
        .await
        .expect(StatusCode::CREATED);
    app.post("/v1/auth/session")
        .json(json!({"tenant": "acme", "email": "ada@example.com", "password": "wrong password!!"}))
        .send()
        .await
        .expect_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    app.post("/v1/auth/session")
        .header("origin", "https://evil.example")
        .json(json!({"tenant": "acme", "email": "ada@example.com", "password": "correct horse battery"}))
        .send()
        .await
        .expect_problem(StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn cookies_are_secure_when_the_public_url_is_https() {
    let mut args = default_args();
    args.public_url = Some("https://patronus.example.com/".into());
    let app = TestApp::with_args(args).await;
    let acme = app.tenant("acme").await;
    password_user(&app, &acme, "ada@example.com", "admin").await;
    let created = app
        .post("/v1/auth/session")
        .header("origin", "https://patronus.example.com")
        .json(json!({"tenant": "acme", "email": "ada@example.com", "password": "correct horse battery"}))
        .send()
        .await;
    created.expect(StatusCode::CREATED);
    let attributes = set_cookies(&created).remove(0);
    assert!(attributes.ends_with("; Secure"), "{attributes}");
}

#[tokio::test]
async fn the_identity_provider_follows_the_api_conventions_and_never_shows_its_secret() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    let other = app.tenant("other").await;
    let idp = TestIdp::start().await;

    app.get("/v1/identity-provider").token(&acme.admin).send().await.expect_problem(StatusCode::NOT_FOUND, "not-found");
    let bad = app
        .put("/v1/identity-provider")
        .token(&acme.admin)
        .json(json!({"issuer_url": "http://idp.example.com", "client_id": " ", "allowed_email_domains": ["ok.example", "not a domain"],
            "role_mapping": [{"group": "a", "role": "admin"}, {"group": "a", "role": "viewer"}]}))
        .send()
        .await;
    bad.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(bad.pointers(), ["/issuer_url", "/client_id", "/allowed_email_domains/1", "/role_mapping/1/group"]);
    let twice = configure(&app, &acme, &idp, json!({"allowed_email_domains": ["example.com", "Example.COM"]})).await;
    assert_eq!(twice.body["allowed_email_domains"], json!(["example.com"]), "a domain given twice counts once");
    app.delete("/v1/identity-provider").token(&acme.admin).send().await.expect(StatusCode::NO_CONTENT);
    let no_secret = app
        .put("/v1/identity-provider")
        .token(&acme.admin)
        .json(json!({"issuer_url": idp.issuer, "client_id": CLIENT_ID}))
        .send()
        .await;
    no_secret.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(no_secret.pointers(), ["/client_secret"]);
    app.put("/v1/identity-provider")
        .token(&acme.admin)
        .json(json!({"issuer_url": idp.issuer, "client_id": CLIENT_ID, "client_secret": "s", "surprise": 1}))
        .send()
        .await
        .expect_status_4xx();
    let spec = json!({"issuer_url": idp.issuer, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET});
    for token in [&acme.operator, &acme.viewer] {
        app.put("/v1/identity-provider")
            .token(token)
            .json(spec.clone())
            .send()
            .await
            .expect_problem(StatusCode::FORBIDDEN, "forbidden");
        app.get("/v1/identity-provider").token(token).send().await.expect_problem(StatusCode::FORBIDDEN, "forbidden");
    }

    let created = configure(&app, &acme, &idp, json!({"allowed_email_domains": ["Example.COM"]})).await;
    created.expect(StatusCode::CREATED);
    assert_eq!(created.headers["location"], "/v1/identity-provider");
    assert_eq!(created.body["client_secret_set"], true);
    assert_eq!(created.body["allowed_email_domains"], json!(["example.com"]));
    assert_eq!(created.body["login_url"], "http://127.0.0.1:8080/v1/auth/oidc/login?tenant=acme");
    assert!(created.body.get("client_secret").is_none());
    let read = app.get("/v1/identity-provider").token(&acme.admin).send().await;
    read.expect(StatusCode::OK);
    assert!(!read.body.to_string().contains(CLIENT_SECRET));
    assert_eq!(read.etag(), created.etag());
    app.get("/v1/identity-provider")
        .token(&other.admin)
        .send()
        .await
        .expect_problem(StatusCode::NOT_FOUND, "not-found");

    // The same configuration again writes nothing; a stale If-Match is a 412.
    let same = configure(&app, &acme, &idp, json!({"allowed_email_domains": ["example.com"]})).await;
    same.expect(StatusCode::OK);
    assert_eq!(same.etag(), created.etag());
    let changed = app
        .put("/v1/identity-provider")
        .token(&acme.admin)
        .header("if-match", &created.etag())
        .json(json!({"issuer_url": idp.issuer, "client_id": CLIENT_ID, "default_role": "viewer"}))
        .send()
        .await;
    changed.expect(StatusCode::OK);
    assert_ne!(changed.etag(), created.etag());
    assert_eq!(changed.body["client_secret_set"], true, "omitted, the stored secret is kept");
    app.put("/v1/identity-provider")
        .token(&acme.admin)
        .header("if-match", &created.etag())
        .json(spec.clone())
        .send()
        .await
        .expect_problem(StatusCode::PRECONDITION_FAILED, "precondition-failed");

    // Password login for admins only, once SSO has worked.
    let early =
        configure(&app, &acme, &idp, json!({"default_role": "viewer", "password_login_admins_only": true})).await;
    early.expect_problem(StatusCode::CONFLICT, "conflict");
    assert_eq!(early.pointers(), ["/password_login_admins_only"]);
    password_user(&app, &acme, "op@example.com", "operator").await;
    password_user(&app, &acme, "ada@example.com", "admin").await;
    idp.set(json!({"user": {"email": "sso@example.com"}})).await;
    sso_login(&app, &idp, "acme").await.0.expect(StatusCode::SEE_OTHER);
    configure(&app, &acme, &idp, json!({"default_role": "viewer", "password_login_admins_only": true}))
        .await
        .expect(StatusCode::OK);
    let op = password_session(&app, "op@example.com").await;
    op.expect_problem(StatusCode::FORBIDDEN, "forbidden");
    assert!(op.body["detail"].as_str().unwrap().contains("sign in with SSO"));
    app.post("/v1/auth/login")
        .json(json!({"tenant": "acme", "email": "op@example.com", "password": "correct horse battery"}))
        .send()
        .await
        .expect_problem(StatusCode::FORBIDDEN, "forbidden");
    password_session(&app, "ada@example.com").await.expect(StatusCode::CREATED);
    // Another issuer or client has not proven itself: the switch cannot stay on.
    configure(&app, &acme, &idp, json!({"client_id": "another", "password_login_admins_only": true}))
        .await
        .expect_problem(StatusCode::CONFLICT, "conflict");

    let audit = app.get("/v1/audit-events").token(&acme.admin).send().await;
    let actions: Vec<&str> =
        audit.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(
        actions.contains(&"identity_provider.create") && actions.contains(&"identity_provider.update"),
        "{actions:?}"
    );
    assert!(!audit.body.to_string().contains(CLIENT_SECRET));

    let current = app.get("/v1/identity-provider").token(&acme.admin).send().await.etag();
    app.delete("/v1/identity-provider")
        .token(&acme.admin)
        .header("if-match", "\"999\"")
        .send()
        .await
        .expect_problem(StatusCode::PRECONDITION_FAILED, "precondition-failed");
    app.delete("/v1/identity-provider")
        .token(&acme.admin)
        .header("if-match", &current)
        .send()
        .await
        .expect(StatusCode::NO_CONTENT);
    app.delete("/v1/identity-provider")
        .token(&acme.admin)
        .send()
        .await
        .expect_problem(StatusCode::NOT_FOUND, "not-found");
    password_session(&app, "op@example.com").await.expect(StatusCode::CREATED);
}

#[tokio::test]
async fn sso_users_are_bound_to_the_providers_subject_not_to_their_email() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    let idp = TestIdp::start().await;
    configure(&app, &acme, &idp, json!({"default_role": "viewer"})).await.expect(StatusCode::CREATED);
    let user_id = |email: &'static str| {
        let app = &app;
        let admin = acme.admin.clone();
        async move {
            let users = app.get(&format!("/v1/users?email={email}")).token(&admin).send().await;
            users.body["items"].as_array().unwrap().first().map(|u| u["id"].as_str().unwrap().to_string())
        }
    };

    idp.set(json!({"user": {"sub": "user-1", "email": "ann@example.com", "groups": []}})).await;
    sso_login(&app, &idp, "acme").await.0.expect(StatusCode::SEE_OTHER);
    let ann = user_id("ann@example.com").await.expect("Ann was created");

    // The provider changes Ann's address: the same user, with the new address.
    idp.set(json!({"user": {"email": "ann.smith@example.com"}})).await;
    let (renamed, _, _) = sso_login(&app, &idp, "acme").await;
    renamed.expect(StatusCode::SEE_OTHER);
    let me = session(&app, &cookie_pair(&renamed, "patronus_session").unwrap()).await;
    assert_eq!(me.body["email"], "ann.smith@example.com");
    assert_eq!(user_id("ann.smith@example.com").await, Some(ann.clone()));
    assert_eq!(user_id("ann@example.com").await, None);

    // Another account at the provider now carries Ann's address: refused, Ann untouched.
    idp.set(json!({"user": {"sub": "user-2"}})).await;
    let (other, _, _) = sso_login(&app, &idp, "acme").await;
    other.expect_problem(StatusCode::FORBIDDEN, "forbidden");
    assert!(other.body["detail"].as_str().unwrap().contains("another account"), "{}", other.body);
    assert!(cookie_pair(&other, "patronus_session").is_none());
    let users = app.get("/v1/users").token(&acme.admin).send().await;
    assert_eq!(users.body["items"].as_array().unwrap().len(), 1, "{}", users.body);

    // A password user's first SSO login binds them: the same user, with the mapped role.
    password_user(&app, &acme, "bob@example.com", "viewer").await;
    let bob = user_id("bob@example.com").await.unwrap();
    idp.set(json!({"user": {"sub": "user-3", "email": "bob@example.com", "groups": ["net-ops"]}})).await;
    let (bound, _, _) = sso_login(&app, &idp, "acme").await;
    bound.expect(StatusCode::SEE_OTHER);
    assert_eq!(session(&app, &cookie_pair(&bound, "patronus_session").unwrap()).await.body["role"], "operator");
    assert_eq!(user_id("bob@example.com").await, Some(bob.clone()));

    let audit = app.get("/v1/audit-events").token(&acme.admin).send().await;
    let bound_users: Vec<&str> = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "user.sso_bound")
        .map(|e| e["resource_id"].as_str().unwrap_or_default())
        .collect();
    assert!(bound_users.contains(&ann.as_str()) && bound_users.contains(&bob.as_str()), "{}", audit.body);
}

#[tokio::test]
async fn the_providers_groups_do_not_demote_the_last_admin() {
    let app = TestApp::new().await;
    let acme = app.tenant("acme").await;
    let idp = TestIdp::start().await;
    configure(&app, &acme, &idp, json!({})).await.expect(StatusCode::CREATED);
    idp.set(json!({"user": {"sub": "ada", "email": "ada@example.com", "groups": ["net-admins"]}})).await;
    sso_login(&app, &idp, "acme").await.0.expect(StatusCode::SEE_OTHER);

    // Moved to the operators' group while the only admin: refused, still admin.
    idp.set(json!({"user": {"groups": ["net-ops"]}})).await;
    let (refused, _, _) = sso_login(&app, &idp, "acme").await;
    refused.expect_problem(StatusCode::FORBIDDEN, "forbidden");
    assert!(refused.body["detail"].as_str().unwrap().contains("last admin"), "{}", refused.body);
    let users = app.get("/v1/users?email=ada@example.com").token(&acme.admin).send().await;
    assert_eq!(users.body["items"][0]["role"], "admin");

    // With another admin, the groups decide.
    password_user(&app, &acme, "root@example.com", "admin").await;
    let (demoted, _, _) = sso_login(&app, &idp, "acme").await;
    demoted.expect(StatusCode::SEE_OTHER);
    assert_eq!(session(&app, &cookie_pair(&demoted, "patronus_session").unwrap()).await.body["role"], "operator");
}

#[tokio::test]
async fn a_failed_callback_sends_a_browser_back_to_the_portals_sign_in_with_the_reason() {
    let app = crate::portal::app_with_portal().await;
    let acme = app.tenant("acme").await;
    let idp = TestIdp::start().await;
    configure(&app, &acme, &idp, json!({})).await.expect(StatusCode::CREATED);
    let html = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

    // Refused by the tenant's rules (no mapped group): a browser lands on the sign-in page.
    idp.set(json!({"user": {"sub": "bob", "email": "bob@example.com", "groups": ["sales"]}})).await;
    let start = app.get("/v1/auth/oidc/login?tenant=acme").send().await;
    let state_cookie = cookie_pair(&start, "patronus_oidc_state").unwrap();
    let at_idp = idp.http.get(start.headers["location"].to_str().unwrap()).send().await.unwrap();
    let back =
        at_idp.headers()["location"].to_str().unwrap().strip_prefix("http://127.0.0.1:8080").unwrap().to_string();
    let done = app.get(&back).header("cookie", &state_cookie).header("accept", html).send().await;
    done.expect(StatusCode::SEE_OTHER);
    let location = done.headers["location"].to_str().unwrap();
    assert!(location.starts_with("/?sso_error="), "{location}");
    assert!(location.contains("none+of+the+groups"), "{location}");
    assert!(cookie_pair(&done, "patronus_session").is_none());
    assert!(set_cookies(&done).iter().any(|c| c.starts_with("patronus_oidc_state=;") && c.contains("Max-Age=0")));

    // At the provider: likewise, with the provider's words.
    let denied = app
        .get("/v1/auth/oidc/callback?error=access_denied&error_description=user+cancelled")
        .header("accept", html)
        .send()
        .await;
    denied.expect(StatusCode::SEE_OTHER);
    assert!(denied.headers["location"].to_str().unwrap().contains("access_denied"));
    // An API client gets the problem, as a server without the portal gives everyone.
    let api = app.get("/v1/auth/oidc/callback?error=access_denied").header("accept", "application/json").send().await;
    api.expect_problem(StatusCode::UNAUTHORIZED, "unauthorized");
}
