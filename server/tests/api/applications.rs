use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::common::{Tenant, TestApp};
use crate::sites::site;

fn crm() -> Value {
    json!({"name": "crm", "category": "business", "description": "Our CRM",
        "domains": ["crm.example.com", "*.crm.example.net"], "prefixes": ["2001:db8:7::/48", "203.0.113.0/24"],
        "protocol": "tcp", "ports": ["443", "8000-8100"]})
}

async fn names(app: &TestApp, t: &Tenant) -> Vec<String> {
    let list = app.get("/v1/applications").token(&t.viewer).send().await;
    list.expect(StatusCode::OK);
    list.body["items"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn operators_create_read_list_update_and_delete_applications() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let created = app.post("/v1/applications").token(&t.operator).json(crm()).send().await;
    created.expect(StatusCode::CREATED);
    let id = created.id();
    assert_eq!(created.headers["location"], format!("/v1/applications/{id}").as_str());
    assert_eq!(created.etag(), created.body["etag"].as_str().unwrap());
    let b = &created.body;
    assert_eq!(b["name"], "crm");
    assert_eq!(b["category"], "business");
    assert_eq!(b["description"], "Our CRM");
    assert_eq!(b["domains"], json!(["crm.example.com", "*.crm.example.net"]));
    // Prefixes come back sorted, as other resources keep them.
    assert_eq!(b["prefixes"], json!(["203.0.113.0/24", "2001:db8:7::/48"]));
    assert_eq!(b["protocol"], "tcp");
    assert_eq!(b["ports"], json!(["443", "8000-8100"]));

    // Defaults: no description, protocol any.
    let minimal = app
        .post("/v1/applications")
        .token(&t.operator)
        .json(json!({"name": "intranet", "category": "web", "domains": ["intranet.example.org"]}))
        .send()
        .await;
    minimal.expect(StatusCode::CREATED);
    assert_eq!(minimal.body["description"], "");
    assert_eq!(minimal.body["protocol"], "any");
    assert_eq!(minimal.body["prefixes"], json!([]));
    assert_eq!(minimal.body["ports"], json!([]));

    let path = format!("/v1/applications/{id}");
    let got = app.get(&path).token(&t.viewer).send().await;
    got.expect(StatusCode::OK);
    assert_eq!(got.body, created.body);
    assert_eq!(got.etag(), created.etag());

    // Filters: name and category; pagination as everywhere.
    assert_eq!(names(&app, &t).await, ["crm", "intranet"]);
    let by_name = app.get("/v1/applications?name=crm").token(&t.viewer).send().await;
    assert_eq!(by_name.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(by_name.body["items"][0]["id"], id.as_str());
    let web = app.get("/v1/applications?category=web").token(&t.viewer).send().await;
    assert_eq!(web.body["items"][0]["name"], "intranet");
    assert_eq!(web.body["items"].as_array().unwrap().len(), 1);
    let none = app.get("/v1/applications?category=video").token(&t.viewer).send().await;
    assert_eq!(none.body["items"], json!([]));
    app.get("/v1/applications?category=gaming").token(&t.viewer).send().await.expect_status_4xx();
    let page = app.get("/v1/applications?limit=1").token(&t.viewer).send().await;
    assert_eq!(page.body["items"].as_array().unwrap().len(), 1);
    let cursor = page.body["next_cursor"].as_str().unwrap().to_string();
    let next = app.get(&format!("/v1/applications?limit=1&cursor={cursor}")).token(&t.viewer).send().await;
    assert_eq!(next.body["items"][0]["name"], "intranet");

    // PATCH: absent fields stay, a list replaces the list.
    let patched = app
        .patch(&path)
        .token(&t.operator)
        .header("if-match", &created.etag())
        .json(json!({"ports": ["8443"], "protocol": "udp", "category": "cloud"}))
        .send()
        .await;
    patched.expect(StatusCode::OK);
    assert_eq!(patched.body["ports"], json!(["8443"]));
    assert_eq!(patched.body["protocol"], "udp");
    assert_eq!(patched.body["category"], "cloud");
    assert_eq!(patched.body["domains"], created.body["domains"]);
    assert_ne!(patched.etag(), created.etag());
    // A stale If-Match is a 412 and changes nothing.
    app.patch(&path)
        .token(&t.operator)
        .header("if-match", &created.etag())
        .json(json!({"description": "stale"}))
        .send()
        .await
        .expect_problem(StatusCode::PRECONDITION_FAILED, "precondition-failed");
    app.delete(&path)
        .token(&t.operator)
        .header("if-match", &created.etag())
        .send()
        .await
        .expect_problem(StatusCode::PRECONDITION_FAILED, "precondition-failed");
    assert_eq!(app.get(&path).token(&t.viewer).send().await.body, patched.body);
    // The same values again are no change: the ETag stays.
    let same = app.patch(&path).token(&t.operator).json(json!({"protocol": "udp"})).send().await;
    same.expect(StatusCode::OK);
    assert_eq!(same.etag(), patched.etag());

    // A NUL in a filter matches nothing (PostgreSQL's text holds none).
    let nul = app.get("/v1/applications?name=cr%00m").token(&t.viewer).send().await;
    nul.expect(StatusCode::OK);
    assert_eq!(nul.body["items"], json!([]));

    // POST honours Idempotency-Key: a retry gets the first answer and creates nothing.
    let body = json!({"name": "retried", "category": "web", "ports": ["8080"]});
    let first = app
        .post("/v1/applications")
        .token(&t.operator)
        .header("idempotency-key", "k-1")
        .json(body.clone())
        .send()
        .await;
    first.expect(StatusCode::CREATED);
    let replay =
        app.post("/v1/applications").token(&t.operator).header("idempotency-key", "k-1").json(body).send().await;
    replay.expect(StatusCode::CREATED);
    assert_eq!(replay.headers["idempotent-replayed"], "true");
    assert_eq!(replay.body["id"], first.body["id"]);
    assert_eq!(names(&app, &t).await, ["crm", "intranet", "retried"]);
    app.delete(&format!("/v1/applications/{}", first.id()))
        .token(&t.operator)
        .send()
        .await
        .expect(StatusCode::NO_CONTENT);

    // Viewers read but do not write.
    app.post("/v1/applications")
        .token(&t.viewer)
        .json(json!({"name": "other", "category": "web", "ports": ["1"]}))
        .send()
        .await
        .expect_problem(StatusCode::FORBIDDEN, "forbidden");
    app.patch(&path)
        .token(&t.viewer)
        .json(json!({"description": "x"}))
        .send()
        .await
        .expect_problem(StatusCode::FORBIDDEN, "forbidden");
    app.delete(&path).token(&t.viewer).send().await.expect_problem(StatusCode::FORBIDDEN, "forbidden");

    // Audited.
    let audit = app.get("/v1/audit-events?resource_type=application").token(&t.admin).send().await;
    let actions: Vec<&str> =
        audit.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"application.create") && actions.contains(&"application.update"), "{actions:?}");

    app.delete(&path)
        .token(&t.operator)
        .header("if-match", &patched.etag())
        .send()
        .await
        .expect(StatusCode::NO_CONTENT);
    app.get(&path).token(&t.viewer).send().await.expect_problem(StatusCode::NOT_FOUND, "not-found");
    app.delete(&path).token(&t.operator).send().await.expect_problem(StatusCode::NOT_FOUND, "not-found");
    assert_eq!(names(&app, &t).await, ["intranet"]);
    let audit = app.get(&format!("/v1/audit-events?resource_id={id}")).token(&t.admin).send().await;
    let mut actions: Vec<&str> =
        audit.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    actions.sort_unstable();
    assert_eq!(actions, ["application.create", "application.delete", "application.update"]);
}

#[tokio::test]
async fn bad_applications_are_refused_at_their_field_and_nothing_is_stored() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let with = |patch: Value| {
        let mut body = crm();
        for (k, v) in patch.as_object().unwrap() {
            if v.is_null() {
                body.as_object_mut().unwrap().remove(k);
            } else {
                body[k] = v.clone();
            }
        }
        body
    };
    let cases: Vec<(Value, &[&str], &str)> = vec![
        (json!({"name": "CRM"}), &["/name"], "must be 1 to 64 characters"),
        (json!({"name": "a b"}), &["/name"], "must be 1 to 64 characters"),
        (json!({"name": "x".repeat(65)}), &["/name"], "must be 1 to 64 characters"),
        (json!({"name": "teams"}), &["/name"], "is a built-in application"),
        (json!({"name": "video"}), &["/name"], "is the name of a category"),
        (json!({"category": "gaming"}), &["/category"], "collaboration"),
        (json!({"description": "x".repeat(257)}), &["/description"], "at most 256"),
        (json!({"description": "bell\u{7}"}), &["/description"], "control characters"),
        (json!({"domains": ["ok.example.com", "Bad.example.com"]}), &["/domains/1"], "domain name"),
        (json!({"domains": ["example"]}), &["/domains/0"], "domain name"),
        (json!({"domains": ["*.*.example.com"]}), &["/domains/0"], "domain name"),
        (json!({"domains": ["a.example.com", "a.example.com"]}), &["/domains/1"], "listed twice"),
        (
            json!({"domains": (0..65).map(|i| format!("d{i}.example.com")).collect::<Vec<_>>()}),
            &["/domains"],
            "at most 64",
        ),
        (json!({"prefixes": ["203.0.113.7/24"]}), &["/prefixes/0"], "host bits"),
        (json!({"prefixes": ["10.0.0.0/8", "10.1.0.0/16"]}), &["/prefixes/1"], "overlaps"),
        (json!({"prefixes": ["not-a-prefix"]}), &["/prefixes/0"], ""),
        (
            json!({"prefixes": (0..65).map(|i| format!("10.{i}.0.0/16")).collect::<Vec<_>>()}),
            &["/prefixes"],
            "at most 64",
        ),
        (json!({"ports": ["443", "70000"]}), &["/ports/1"], "must be a port"),
        (json!({"ports": ["9-1"]}), &["/ports/0"], "start must not exceed"),
        (json!({"ports": ["8000-8100", "8080"]}), &["/ports/1"], "overlaps"),
        (json!({"ports": (1..=33).map(|i| i.to_string()).collect::<Vec<_>>()}), &["/ports"], "at most 32"),
        (json!({"protocol": "icmp"}), &["/protocol"], ""),
        (json!({"ports": []}), &["/protocol"], "needs at least one port"),
        (
            json!({"domains": [], "prefixes": [], "ports": null, "protocol": null}),
            &["/domains"],
            "an application needs at least one domain, prefix or port",
        ),
        (json!({"colour": "red"}), &["/colour"], ""),
    ];
    for (patch, pointers, detail) in cases {
        let r = app.post("/v1/applications").token(&t.operator).json(with(patch.clone())).send().await;
        r.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
        assert_eq!(r.pointers(), pointers, "{patch}: {}", r.body);
        assert!(r.body["errors"][0]["detail"].as_str().unwrap().contains(detail), "{patch}: {}", r.body);
    }
    assert_eq!(names(&app, &t).await, Vec::<String>::new());

    // Several problems at once are reported together.
    let r = app
        .post("/v1/applications")
        .token(&t.operator)
        .json(json!({"name": "zoom", "category": "web", "domains": ["x"], "prefixes": ["10.0.0.1/8"]}))
        .send()
        .await;
    assert_eq!(r.pointers(), ["/name", "/domains/0", "/prefixes/0"]);

    // Updates are checked the same way, against the merged application.
    let created = app.post("/v1/applications").token(&t.operator).json(crm()).send().await;
    created.expect(StatusCode::CREATED);
    let path = format!("/v1/applications/{}", created.id());
    for (patch, pointer) in [
        (json!({"name": "slack"}), "/name"),
        (json!({"ports": []}), "/protocol"),
        (json!({"domains": [], "prefixes": [], "ports": [], "protocol": "any"}), "/domains"),
        (json!({"domains": ["UPPER.example.com"]}), "/domains/0"),
        (json!({"prefixes": ["10.0.0.1/8"]}), "/prefixes/0"),
        (json!({"category": "gaming"}), "/category"),
    ] {
        let r = app.patch(&path).token(&t.operator).json(patch.clone()).send().await;
        r.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
        assert_eq!(r.pointers(), [pointer], "{patch}: {}", r.body);
    }
    assert_eq!(app.get(&path).token(&t.viewer).send().await.body, created.body, "nothing was lost");

    // A name already used in the tenant is a 409 at /name.
    let mut again = crm();
    again["domains"] = json!(["other.example.com"]);
    let r = app.post("/v1/applications").token(&t.operator).json(again).send().await;
    r.expect_problem(StatusCode::CONFLICT, "conflict");
    assert_eq!(r.pointers(), ["/name"]);
    let other = app
        .post("/v1/applications")
        .token(&t.operator)
        .json(json!({"name": "erp", "category": "business", "ports": ["9000"]}))
        .send()
        .await;
    other.expect(StatusCode::CREATED);
    let r = app
        .patch(&format!("/v1/applications/{}", other.id()))
        .token(&t.operator)
        .json(json!({"name": "crm"}))
        .send()
        .await;
    r.expect_problem(StatusCode::CONFLICT, "conflict");
    assert_eq!(r.pointers(), ["/name"]);
    assert_eq!(names(&app, &t).await, ["crm", "erp"]);
}

#[tokio::test]
async fn a_tenant_has_at_most_256_applications() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    for i in 0..256 {
        app.post("/v1/applications")
            .token(&t.operator)
            .json(json!({"name": format!("app-{i}"), "category": "web", "ports": [(i + 1).to_string()]}))
            .send()
            .await
            .expect(StatusCode::CREATED);
    }
    let r = app
        .post("/v1/applications")
        .token(&t.operator)
        .json(json!({"name": "one-more", "category": "web", "ports": ["9999"]}))
        .send()
        .await;
    r.expect_problem(StatusCode::CONFLICT, "quota-exceeded");
    assert_eq!(r.body["quota"], "max_applications");
    assert_eq!(r.body["limit"], 256);
    let filtered = app.get("/v1/applications?name=one-more").token(&t.viewer).send().await;
    assert_eq!(filtered.body["items"], json!([]));
    // Another tenant has its own 256.
    let b = app.tenant("bravo").await;
    app.post("/v1/applications")
        .token(&b.operator)
        .json(json!({"name": "one-more", "category": "web", "ports": ["9999"]}))
        .send()
        .await
        .expect(StatusCode::CREATED);
}

#[tokio::test]
async fn another_tenants_applications_are_invisible() {
    let app = TestApp::new().await;
    let a = app.tenant("alpha").await;
    let b = app.tenant("bravo").await;
    let created = app.post("/v1/applications").token(&a.operator).json(crm()).send().await;
    created.expect(StatusCode::CREATED);
    let path = format!("/v1/applications/{}", created.id());
    for token in [&b.admin, &b.operator, &b.viewer] {
        app.get(&path).token(token).send().await.expect_problem(StatusCode::NOT_FOUND, "not-found");
    }
    app.patch(&path)
        .token(&b.operator)
        .json(json!({"description": "pwned"}))
        .send()
        .await
        .expect_problem(StatusCode::NOT_FOUND, "not-found");
    app.delete(&path).token(&b.operator).send().await.expect_problem(StatusCode::NOT_FOUND, "not-found");
    assert_eq!(names(&app, &b).await, Vec::<String>::new());
    let by_name = app.get("/v1/applications?name=crm").token(&b.viewer).send().await;
    assert_eq!(by_name.body["items"], json!([]));
    // B's policies cannot name A's application; B may define its own of the same name.
    let policy = json!({"name": "p", "priority": 1, "match": {"application": "crm"},
        "action": {"path_selection": "lowest_latency"}});
    let r = app.post("/v1/policies").token(&b.operator).json(policy.clone()).send().await;
    r.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(r.pointers(), ["/match/application"]);
    app.post("/v1/applications").token(&b.operator).json(crm()).send().await.expect(StatusCode::CREATED);
    app.post("/v1/policies").token(&b.operator).json(policy).send().await.expect(StatusCode::CREATED);
    assert_eq!(app.get(&path).token(&a.viewer).send().await.body, created.body);
}

#[tokio::test]
async fn policies_name_the_tenants_applications_which_then_cannot_be_renamed_or_deleted() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let crm_app = app.post("/v1/applications").token(&t.operator).json(crm()).send().await;
    crm_app.expect(StatusCode::CREATED);
    let path = format!("/v1/applications/{}", crm_app.id());
    let policy = |name: &str, priority: u32, application: &str| {
        json!({"name": name, "priority": priority, "match": {"application": application},
            "action": {"path_selection": "lowest_latency"}})
    };
    let first = app.post("/v1/policies").token(&t.operator).json(policy("crm-fast", 1, "crm")).send().await;
    first.expect(StatusCode::CREATED);
    assert_eq!(first.body["match"]["application"], "crm");
    app.post("/v1/policies")
        .token(&t.operator)
        .json(policy("crm-also", 2, "crm"))
        .send()
        .await
        .expect(StatusCode::CREATED);
    // Built-in applications and categories are still names.
    app.post("/v1/policies")
        .token(&t.operator)
        .json(policy("zoom", 3, "zoom"))
        .send()
        .await
        .expect(StatusCode::CREATED);
    // An unknown name is refused, pointing at /v1/applications.
    let r = app.post("/v1/policies").token(&t.operator).json(policy("erp", 4, "erp")).send().await;
    r.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(r.pointers(), ["/match/application"]);
    let detail = r.body["errors"][0]["detail"].as_str().unwrap();
    assert!(detail.contains("/v1/applications") && detail.contains("business"), "{detail}");

    // Renaming or deleting it while named is a 409 naming the policies.
    let r = app.patch(&path).token(&t.operator).json(json!({"name": "crm2"})).send().await;
    r.expect_problem(StatusCode::CONFLICT, "conflict");
    let detail = r.body["detail"].as_str().unwrap();
    assert!(detail.contains("crm-fast") && detail.contains("crm-also"), "{detail}");
    let r = app.delete(&path).token(&t.operator).send().await;
    r.expect_problem(StatusCode::CONFLICT, "conflict");
    let detail = r.body["detail"].as_str().unwrap();
    assert!(detail.contains("crm-fast") && detail.contains("crm-also"), "{detail}");
    assert_eq!(app.get(&path).token(&t.viewer).send().await.body, crm_app.body);
    // Other changes are fine while named.
    app.patch(&path).token(&t.operator).json(json!({"ports": ["443"]})).send().await.expect(StatusCode::OK);

    // Once no policy names it, it can go.
    for name in ["crm-fast", "crm-also"] {
        let listed = app.get(&format!("/v1/policies?name={name}")).token(&t.viewer).send().await;
        let id = listed.body["items"][0]["id"].as_str().unwrap().to_string();
        app.delete(&format!("/v1/policies/{id}")).token(&t.operator).send().await.expect(StatusCode::NO_CONTENT);
    }
    let renamed = app.patch(&path).token(&t.operator).json(json!({"name": "crm2"})).send().await;
    renamed.expect(StatusCode::OK);
    assert_eq!(renamed.body["name"], "crm2");
    app.delete(&path).token(&t.operator).send().await.expect(StatusCode::NO_CONTENT);
    // And policies can no longer name it.
    let r = app.post("/v1/policies").token(&t.operator).json(policy("crm-fast", 1, "crm2")).send().await;
    r.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
}

async fn document(app: &TestApp, t: &Tenant, site_id: &str) -> Value {
    let r = app.get(&format!("/v1/sites/{site_id}/config")).token(&t.viewer).send().await;
    r.expect(StatusCode::OK);
    r.body.clone()
}

#[tokio::test]
async fn every_write_reaches_every_sites_document_and_none_leaves_a_trace() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let paris = site(&app, &t, "paris", &["10.1.0.0/16"]).await;
    let berlin = site(&app, &t, "berlin", &["10.2.0.0/16"]).await;
    let sites = [paris["id"].as_str().unwrap().to_string(), berlin["id"].as_str().unwrap().to_string()];
    let mut before = Vec::new();
    for s in &sites {
        before.push(document(&app, &t, s).await);
    }
    for doc in &before {
        assert!(doc["config"].get("applications").is_none(), "no applications, no field: {doc}");
    }

    // Create: every document changes, in hash and revision, and carries the application.
    let created = app.post("/v1/applications").token(&t.operator).json(crm()).send().await;
    created.expect(StatusCode::CREATED);
    let mut after_create = Vec::new();
    for (s, old) in sites.iter().zip(&before) {
        let doc = document(&app, &t, s).await;
        assert_ne!(doc["hash"], old["hash"]);
        assert!(doc["revision"].as_i64().unwrap() > old["revision"].as_i64().unwrap());
        assert_eq!(
            doc["config"]["applications"],
            json!([{"name": "crm", "category": "business", "domains": ["crm.example.com", "*.crm.example.net"],
                "prefixes": ["203.0.113.0/24", "2001:db8:7::/48"],
                "ports": [{"protocol": "tcp", "ports": ["443", "8000-8100"]}]}])
        );
        after_create.push(doc);
    }
    // A second one comes in name order; one without ports has no port rule.
    app.post("/v1/applications")
        .token(&t.operator)
        .json(json!({"name": "billing", "category": "business", "domains": ["billing.example.com"]}))
        .send()
        .await
        .expect(StatusCode::CREATED);
    for (s, old) in sites.iter().zip(&after_create) {
        let doc = document(&app, &t, s).await;
        assert_ne!(doc["hash"], old["hash"]);
        assert_eq!(doc["config"]["applications"][0]["name"], "billing");
        assert_eq!(doc["config"]["applications"][0]["ports"], json!([]));
        assert_eq!(doc["config"]["applications"][1]["name"], "crm");
    }

    // Update: every document changes again.
    let path = format!("/v1/applications/{}", created.id());
    let mut after_update = Vec::new();
    let after_second = [document(&app, &t, &sites[0]).await, document(&app, &t, &sites[1]).await];
    app.patch(&path).token(&t.operator).json(json!({"protocol": "any"})).send().await.expect(StatusCode::OK);
    for (s, old) in sites.iter().zip(&after_second) {
        let doc = document(&app, &t, s).await;
        assert_eq!(doc["config"]["applications"][1]["ports"][0]["protocol"], "any");
        assert_ne!(doc["hash"], old["hash"]);
        assert!(doc["revision"].as_i64().unwrap() > old["revision"].as_i64().unwrap());
        after_update.push(doc);
    }
    // A description is not in the documents: changing it changes none.
    app.patch(&path).token(&t.operator).json(json!({"description": "new words"})).send().await.expect(StatusCode::OK);
    for (s, old) in sites.iter().zip(&after_update) {
        let doc = document(&app, &t, s).await;
        assert_eq!(doc["hash"], old["hash"]);
        assert_eq!(doc["revision"], old["revision"]);
    }

    // Delete both: every document is what it was before, field for field and hash for hash.
    let listed = app.get("/v1/applications").token(&t.viewer).send().await;
    for a in listed.body["items"].as_array().unwrap() {
        let id = a["id"].as_str().unwrap();
        app.delete(&format!("/v1/applications/{id}")).token(&t.operator).send().await.expect(StatusCode::NO_CONTENT);
    }
    for ((s, old), updated) in sites.iter().zip(&before).zip(&after_update) {
        let doc = document(&app, &t, s).await;
        assert_eq!(doc["hash"], old["hash"], "the same bytes as before");
        assert!(doc["revision"].as_i64().unwrap() > updated["revision"].as_i64().unwrap());
        let (mut a, mut b) = (doc["config"].clone(), old["config"].clone());
        a["revision"] = json!(0);
        b["revision"] = json!(0);
        assert_eq!(a, b);
    }
}
