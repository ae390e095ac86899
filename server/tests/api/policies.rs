use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::common::{Tenant, TestApp};
use crate::sites::site;

async fn qos(app: &TestApp, t: &Tenant, name: &str, guaranteed: u8) -> crate::common::Resp {
    app.post("/v1/qos-classes")
        .token(&t.operator)
        .json(json!({"name": name, "priority": 1, "dscp": 46, "guaranteed_percent": guaranteed, "max_percent": 100}))
        .send()
        .await
}

fn voice_policy(priority: u32) -> Value {
    json!({"name": format!("voice-{priority}"), "priority": priority,
        "match": {"protocol": "udp", "destination_ports": ["5060", "10000-20000"], "destination_prefixes": ["10.0.0.0/8"]},
        "action": {"qos_class": "voice", "path_selection": "ordered", "link_preference": ["fiber", "lte"],
            "sla": {"max_latency_ms": 150, "max_loss_percent": 1.0, "max_jitter_ms": 30}, "failover_hold_down_seconds": 30}})
}

#[tokio::test]
async fn qos_classes_keep_their_guarantees_within_100_percent() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    qos(&app, &t, "voice", 30).await.expect(StatusCode::CREATED);
    let video = qos(&app, &t, "video", 60).await;
    video.expect(StatusCode::CREATED);
    let over = qos(&app, &t, "bulk", 20).await;
    over.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(over.pointers(), ["/guaranteed_percent"]);
    assert!(over.body["detail"].as_str().unwrap().contains("110"));
    let raise = app
        .patch(&format!("/v1/qos-classes/{}", video.id()))
        .token(&t.operator)
        .json(json!({"guaranteed_percent": 71}))
        .send()
        .await;
    assert_eq!(raise.pointers(), ["/guaranteed_percent"]);
    let lower = app
        .patch(&format!("/v1/qos-classes/{}", video.id()))
        .token(&t.operator)
        .header("if-match", &video.etag())
        .json(json!({"guaranteed_percent": 50}))
        .send()
        .await;
    lower.expect(StatusCode::OK);
    qos(&app, &t, "bulk", 20).await.expect(StatusCode::CREATED);

    let bad = app
        .post("/v1/qos-classes")
        .token(&t.operator)
        .json(json!({"name": "x", "priority": 9, "dscp": 64, "guaranteed_percent": 50, "max_percent": 40}))
        .send()
        .await;
    assert_eq!(bad.pointers(), ["/priority", "/dscp", "/max_percent"]);
    let dup = qos(&app, &t, "voice", 0).await;
    assert_eq!(dup.pointers(), ["/name"]);
    qos(&app, &t, "x", 0).await;
    app.post("/v1/qos-classes")
        .token(&t.viewer)
        .json(json!({"name": "v", "priority": 1, "dscp": 1, "guaranteed_percent": 0}))
        .send()
        .await
        .expect_problem(StatusCode::FORBIDDEN, "forbidden");
    let list = app.get("/v1/qos-classes?name=video").token(&t.viewer).send().await;
    assert_eq!(list.body["items"][0]["guaranteed_percent"], 50);
}

#[tokio::test]
async fn policies_refer_to_existing_classes_and_links() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let paris = site(&app, &t, "paris", &[]).await;
    for name in ["fiber", "lte"] {
        app.post("/v1/links").token(&t.operator)
            .json(json!({"site_id": paris["id"], "name": name, "interface": name, "bandwidth_up_mbps": 10, "bandwidth_down_mbps": 10}))
            .send().await.expect(StatusCode::CREATED);
    }
    let no_class = app.post("/v1/policies").token(&t.operator).json(voice_policy(10)).send().await;
    no_class.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(no_class.pointers(), ["/action/qos_class"]);
    let voice = qos(&app, &t, "voice", 30).await;

    let created = app.post("/v1/policies").token(&t.operator).json(voice_policy(10)).send().await;
    created.expect(StatusCode::CREATED);
    assert_eq!(created.body["action"]["qos_class"], "voice");
    assert_eq!(created.body["match"]["destination_ports"], json!(["5060", "10000-20000"]));
    let same_priority = app
        .post("/v1/policies")
        .token(&t.operator)
        .json({
            let mut p = voice_policy(10);
            p["name"] = json!("other");
            p
        })
        .send()
        .await;
    same_priority.expect_problem(StatusCode::CONFLICT, "conflict");
    assert_eq!(same_priority.pointers(), ["/priority"]);

    let mut unknown_link = voice_policy(20);
    unknown_link["action"]["link_preference"] = json!(["fiber", "satellite"]);
    let r = app.post("/v1/policies").token(&t.operator).json(unknown_link).send().await;
    assert_eq!(r.pointers(), ["/action/link_preference/1"]);
    // Names that cannot be names (a NUL, which PostgreSQL refuses in text) are refused as such,
    // not looked up (schemathesis found the lookup's 500).
    let mut nul = voice_policy(20);
    nul["action"]["qos_class"] = json!("vo\u{0}ice");
    nul["action"]["link_preference"] = json!(["fiber", "x\u{0}y", ""]);
    let r = app.post("/v1/policies").token(&t.operator).json(nul).send().await;
    r.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(r.pointers(), ["/action/qos_class", "/action/link_preference/1", "/action/link_preference/2"]);
    let mut bad = voice_policy(30);
    bad["match"] =
        json!({"protocol": "icmp", "destination_ports": ["443"], "source_prefixes": ["10.1.1.1/8"], "dscp": 64});
    bad["action"] = json!({"path_selection": "ordered", "sla": {"max_loss_percent": 101.0}});
    let r = app.post("/v1/policies").token(&t.operator).json(bad).send().await;
    assert_eq!(
        r.pointers(),
        [
            "/match/source_prefixes/0",
            "/match/destination_ports",
            "/match/dscp",
            "/action/link_preference",
            "/action/sla/max_loss_percent"
        ]
    );
    // A port range that is none stops the body from being read: it is the one error.
    for (ports, detail) in [
        (json!(["443", "70000"]), "must be a port 1..65535 or a range such as 8000-8999"),
        (json!(["443", "9-1"]), "the range's start must not exceed its end"),
    ] {
        let mut bad = voice_policy(30);
        bad["match"]["destination_ports"] = ports;
        let r = app.post("/v1/policies").token(&t.operator).json(bad).send().await;
        r.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
        assert_eq!(r.pointers(), ["/match/destination_ports/1"]);
        assert_eq!(r.body["errors"][0]["detail"], detail);
    }
    // Ports are written back normalised, each in the form it was given.
    let mut spaced = voice_policy(40);
    spaced["match"]["destination_ports"] = json!(["8000 - 8999", "0443", "443-443"]);
    let r = app.post("/v1/policies").token(&t.operator).json(spaced).send().await;
    r.expect(StatusCode::CREATED);
    assert_eq!(r.body["match"]["destination_ports"], json!(["8000-8999", "443", "443-443"]));
    app.delete(&format!("/v1/policies/{}", r.id())).token(&t.operator).send().await.expect(StatusCode::NO_CONTENT);

    // The class a policy uses cannot be deleted; renaming it carries over.
    let del = app.delete(&format!("/v1/qos-classes/{}", voice.id())).token(&t.operator).send().await;
    del.expect_problem(StatusCode::CONFLICT, "conflict");
    assert!(del.body["detail"].as_str().unwrap().contains("voice-10"));
    app.patch(&format!("/v1/qos-classes/{}", voice.id()))
        .token(&t.operator)
        .json(json!({"name": "realtime"}))
        .send()
        .await
        .expect(StatusCode::OK);
    let policy_path = format!("/v1/policies/{}", created.id());
    assert_eq!(app.get(&policy_path).token(&t.viewer).send().await.body["action"]["qos_class"], "realtime");

    let moved = app
        .patch(&policy_path)
        .token(&t.operator)
        .header("if-match", &created.etag())
        .json(json!({"priority": 5}))
        .send()
        .await;
    moved.expect(StatusCode::OK);
    assert_eq!(moved.body["action"]["qos_class"], "realtime");
    app.patch(&policy_path)
        .token(&t.operator)
        .header("if-match", &created.etag())
        .json(json!({"priority": 6}))
        .send()
        .await
        .expect_problem(StatusCode::PRECONDITION_FAILED, "precondition-failed");
    app.delete(&policy_path).token(&t.viewer).send().await.expect_problem(StatusCode::FORBIDDEN, "forbidden");
    app.delete(&policy_path).token(&t.operator).send().await.expect(StatusCode::NO_CONTENT);
    app.delete(&format!("/v1/qos-classes/{}", voice.id()))
        .token(&t.operator)
        .send()
        .await
        .expect(StatusCode::NO_CONTENT);
    app.get(&policy_path).token(&t.viewer).send().await.expect_problem(StatusCode::NOT_FOUND, "not-found");
}

#[tokio::test]
async fn a_policy_names_a_built_in_application_or_category() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let policy = |priority: u32, application: &str| {
        json!({"name": format!("app-{priority}"), "priority": priority, "match": {"application": application},
            "action": {"path_selection": "lowest_latency", "sla": {"max_latency_ms": 80}}})
    };
    // An application, and a category (every application in it).
    for (priority, name) in [(1, "teams"), (2, "video"), (3, "file_sharing"), (4, "ssh")] {
        let r = app.post("/v1/policies").token(&t.operator).json(policy(priority, name)).send().await;
        r.expect(StatusCode::CREATED);
        assert_eq!(r.body["match"]["application"], name);
    }
    // A name of neither is refused at its field, saying which names there are.
    for name in ["office365", "voip", "teamss", "file-sharing"] {
        let r = app.post("/v1/policies").token(&t.operator).json(policy(10, name)).send().await;
        r.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
        assert_eq!(r.pointers(), ["/match/application"]);
        let detail = r.body["errors"][0]["detail"].as_str().unwrap();
        assert!(detail.contains("no built-in application, category or application of this tenant"), "{detail}");
        assert!(detail.contains("/v1/applications"), "{detail}");
        assert!(
            detail.contains("collaboration") && detail.contains("file_sharing") && detail.contains("teams"),
            "{detail}"
        );
    }
    // A name that cannot be one keeps its own message.
    let r = app.post("/v1/policies").token(&t.operator).json(policy(10, "Teams")).send().await;
    assert_eq!(r.pointers(), ["/match/application"]);
    assert_eq!(r.body["errors"][0]["detail"], "must be 1 to 64 characters of a-z, 0-9, '-' and '_'");
    // An update is checked the same way.
    let listed = app.get("/v1/policies?name=app-1").token(&t.viewer).send().await;
    let id = listed.body["items"][0]["id"].as_str().unwrap().to_owned();
    let r = app
        .patch(&format!("/v1/policies/{id}"))
        .token(&t.operator)
        .json(json!({"match": {"application": "netflix-ish"}}))
        .send()
        .await;
    r.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(r.pointers(), ["/match/application"]);
    let r = app
        .patch(&format!("/v1/policies/{id}"))
        .token(&t.operator)
        .json(json!({"match": {"application": "backup"}}))
        .send()
        .await;
    r.expect(StatusCode::OK);
    assert_eq!(r.body["match"]["application"], "backup");
}
