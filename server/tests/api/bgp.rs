use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::common::TestApp;
use crate::sites::site;

fn full_body() -> Value {
    json!({
        "neighbors": [{
            "address": "10.1.0.2", "remote_asn": 65010, "description": "core switch",
            "password": "s3cret-md5", "keepalive": 10, "hold_time": 30, "bfd": true,
            "route_map_in": "from-core", "route_map_out": "to-core"
        }],
        "networks": ["10.1.0.0/16", "192.0.2.0/24"],
        "prefix_lists": [{"name": "lan", "entries": [
            {"action": "permit", "prefix": "10.0.0.0/8", "ge": 16, "le": 24},
            {"action": "deny", "prefix": "0.0.0.0/0", "le": 32}
        ]}],
        "route_maps": [
            {"name": "from-core", "entries": [{"action": "permit", "match_prefix_list": "lan",
                "match_communities": ["65010:100"], "set_local_preference": 200, "set_communities": ["65000:1", "no-export"]}]},
            {"name": "to-core", "entries": [{"action": "permit", "set_med": 50}]}
        ],
        "overlay_import": true,
        "max_learned_prefixes": 500
    })
}

#[tokio::test]
async fn operators_put_read_and_delete_a_sites_bgp_settings() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let paris = site(&app, &t, "paris", &["10.1.0.0/16"]).await;
    let path = format!("/v1/sites/{}/bgp", paris["id"].as_str().unwrap());

    app.get(&path).token(&t.viewer).send().await.expect_problem(StatusCode::NOT_FOUND, "not-found");
    app.put(&path).token(&t.viewer).json(full_body()).send().await.expect_problem(StatusCode::FORBIDDEN, "forbidden");
    // If-Match names a version, and there is none yet.
    app.put(&path)
        .token(&t.operator)
        .header("if-match", "\"1\"")
        .json(full_body())
        .send()
        .await
        .expect_problem(StatusCode::PRECONDITION_FAILED, "precondition-failed");

    let created = app.put(&path).token(&t.operator).json(full_body()).send().await;
    created.expect(StatusCode::CREATED);
    assert_eq!(created.headers["location"], path.as_str());
    // The tenant's default ASN scheme: 4200000000 + the site's host number; router id: overlay address.
    assert_eq!(created.body["local_asn"], 4_200_000_001_u32);
    assert_eq!(created.body["router_id"], "100.64.0.1");
    let neighbor = &created.body["neighbors"][0];
    assert_eq!(neighbor["password_set"], true);
    assert!(neighbor.get("password").is_none(), "the password is never returned: {neighbor}");
    assert!(!created.body.to_string().contains("s3cret-md5"));
    assert_eq!(neighbor["bfd"], true);
    assert_eq!(created.body["networks"], json!(["10.1.0.0/16", "192.0.2.0/24"]));
    assert_eq!(created.body["route_maps"][0]["entries"][0]["set_communities"], json!(["65000:1", "no-export"]));
    assert_eq!(created.body["max_learned_prefixes"], 500);

    let got = app.get(&path).token(&t.viewer).send().await;
    got.expect(StatusCode::OK);
    assert_eq!(got.body, created.body);
    assert_eq!(got.etag(), created.etag());

    // The same settings without the password: it is kept, and nothing changes.
    let mut same = full_body();
    same["neighbors"][0].as_object_mut().unwrap().remove("password");
    let unchanged = app.put(&path).token(&t.operator).header("if-match", &created.etag()).json(same).send().await;
    unchanged.expect(StatusCode::OK);
    assert_eq!(unchanged.etag(), created.etag());
    assert_eq!(unchanged.body["neighbors"][0]["password_set"], true);

    // "" removes it; the version moves.
    let mut cleared = full_body();
    cleared["neighbors"][0]["password"] = json!("");
    cleared["local_asn"] = json!(65001);
    cleared["router_id"] = json!("10.1.0.1");
    let updated = app.put(&path).token(&t.operator).header("if-match", &created.etag()).json(cleared).send().await;
    updated.expect(StatusCode::OK);
    assert_ne!(updated.etag(), created.etag());
    assert_eq!(updated.body["neighbors"][0]["password_set"], false);
    assert_eq!(updated.body["local_asn"], 65001);
    assert_eq!(updated.body["router_id"], "10.1.0.1");
    app.put(&path)
        .token(&t.operator)
        .header("if-match", &created.etag())
        .json(full_body())
        .send()
        .await
        .expect_problem(StatusCode::PRECONDITION_FAILED, "precondition-failed");

    // Another tenant sees nothing and changes nothing.
    let other = app.tenant("globex").await;
    app.get(&path).token(&other.viewer).send().await.expect_problem(StatusCode::NOT_FOUND, "not-found");
    app.put(&path)
        .token(&other.operator)
        .json(full_body())
        .send()
        .await
        .expect_problem(StatusCode::NOT_FOUND, "not-found");
    app.delete(&path).token(&other.operator).send().await.expect_problem(StatusCode::NOT_FOUND, "not-found");

    let site_id = paris["id"].as_str().unwrap();
    let events = app.get(&format!("/v1/audit-events?resource_id={site_id}")).token(&t.viewer).send().await;
    events.expect(StatusCode::OK);
    let actions: Vec<&str> =
        events.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"site_bgp.create") && actions.contains(&"site_bgp.update"), "{actions:?}");
    assert!(!events.body.to_string().contains("s3cret-md5"), "the audit log never holds the password");

    app.delete(&path).token(&t.viewer).send().await.expect_problem(StatusCode::FORBIDDEN, "forbidden");
    app.delete(&path)
        .token(&t.operator)
        .header("if-match", &created.etag())
        .send()
        .await
        .expect_problem(StatusCode::PRECONDITION_FAILED, "precondition-failed");
    app.delete(&path)
        .token(&t.operator)
        .header("if-match", &updated.etag())
        .send()
        .await
        .expect(StatusCode::NO_CONTENT);
    app.get(&path).token(&t.viewer).send().await.expect_problem(StatusCode::NOT_FOUND, "not-found");
    app.delete(&path).token(&t.operator).send().await.expect_problem(StatusCode::NOT_FOUND, "not-found");

    let nowhere = format!("/v1/sites/{}/bgp", uuid::Uuid::now_v7());
    app.put(&nowhere)
        .token(&t.operator)
        .json(json!({}))
        .send()
        .await
        .expect_problem(StatusCode::NOT_FOUND, "not-found");
}

/// What a case does to the valid body.
type Change = Box<dyn Fn(&mut Value)>;

#[tokio::test]
async fn every_bad_input_is_a_422_at_its_field_and_writes_nothing() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let paris = site(&app, &t, "paris", &["10.1.0.0/16"]).await;
    let path = format!("/v1/sites/{}/bgp", paris["id"].as_str().unwrap());

    let cases: Vec<(&str, Change, &str)> = vec![
        ("ASN 0", Box::new(|b| b["local_asn"] = json!(0)), "/local_asn"),
        ("AS_TRANS", Box::new(|b| b["local_asn"] = json!(23456)), "/local_asn"),
        ("ASN 65535", Box::new(|b| b["local_asn"] = json!(65535)), "/local_asn"),
        ("ASN 2^32-1", Box::new(|b| b["local_asn"] = json!(4_294_967_295_u32)), "/local_asn"),
        ("ASN 2^32", Box::new(|b| b["local_asn"] = json!(4_294_967_296_u64)), "/local_asn"),
        ("negative ASN", Box::new(|b| b["local_asn"] = json!(-1)), "/local_asn"),
        ("router id 0.0.0.0", Box::new(|b| b["router_id"] = json!("0.0.0.0")), "/router_id"),
        ("router id IPv6", Box::new(|b| b["router_id"] = json!("fd00::1")), "/router_id"),
        ("remote ASN 0", Box::new(|b| b["neighbors"][0]["remote_asn"] = json!(0)), "/neighbors/0/remote_asn"),
        (
            "neighbour outside the LAN",
            Box::new(|b| b["neighbors"][0]["address"] = json!("192.168.1.1")),
            "/neighbors/0/address",
        ),
        (
            "neighbour on the LAN's network address",
            Box::new(|b| b["neighbors"][0]["address"] = json!("10.1.0.0")),
            "/neighbors/0/address",
        ),
        (
            "duplicate neighbour",
            Box::new(|b| {
                let n = b["neighbors"][0].clone();
                b["neighbors"].as_array_mut().unwrap().push(n);
            }),
            "/neighbors/1/address",
        ),
        ("hold time 2", Box::new(|b| b["neighbors"][0]["hold_time"] = json!(2)), "/neighbors/0/hold_time"),
        ("keepalive over hold/3", Box::new(|b| b["neighbors"][0]["keepalive"] = json!(11)), "/neighbors/0/keepalive"),
        ("keepalive 65536", Box::new(|b| b["neighbors"][0]["keepalive"] = json!(65536)), "/neighbors/0/keepalive"),
        (
            "password with a space",
            Box::new(|b| b["neighbors"][0]["password"] = json!("two words")),
            "/neighbors/0/password",
        ),
        (
            "password of 81",
            Box::new(|b| b["neighbors"][0]["password"] = json!("x".repeat(81))),
            "/neighbors/0/password",
        ),
        (
            "undefined route map",
            Box::new(|b| b["neighbors"][0]["route_map_out"] = json!("nowhere")),
            "/neighbors/0/route_map_out",
        ),
        (
            "undefined prefix list",
            Box::new(|b| b["route_maps"][0]["entries"][0]["match_prefix_list"] = json!("nowhere")),
            "/route_maps/0/entries/0/match_prefix_list",
        ),
        (
            "duplicate route map",
            Box::new(|b| {
                let m = b["route_maps"][0].clone();
                b["route_maps"].as_array_mut().unwrap().push(m);
            }),
            "/route_maps/2/name",
        ),
        (
            "filter name with a space",
            Box::new(|b| {
                let entries = b["prefix_lists"][0]["entries"].clone();
                b["prefix_lists"].as_array_mut().unwrap().push(json!({"name": "my list", "entries": entries}));
            }),
            "/prefix_lists/1/name",
        ),
        ("empty prefix list", Box::new(|b| b["prefix_lists"][0]["entries"] = json!([])), "/prefix_lists/0/entries"),
        (
            "ge not longer than the prefix",
            Box::new(|b| b["prefix_lists"][0]["entries"][0]["ge"] = json!(8)),
            "/prefix_lists/0/entries/0/ge",
        ),
        (
            "le over 32",
            Box::new(|b| b["prefix_lists"][0]["entries"][0]["le"] = json!(33)),
            "/prefix_lists/0/entries/0/le",
        ),
        (
            "ge over le",
            Box::new(|b| b["prefix_lists"][0]["entries"][0]["ge"] = json!(28)),
            "/prefix_lists/0/entries/0/le",
        ),
        (
            "entry prefix with host bits",
            Box::new(|b| b["prefix_lists"][0]["entries"][0]["prefix"] = json!("10.0.0.1/8")),
            "/prefix_lists/0/entries/0/prefix",
        ),
        (
            "community out of range",
            Box::new(|b| b["route_maps"][0]["entries"][0]["set_communities"] = json!(["65000:70000"])),
            "/route_maps/0/entries/0/set_communities/0",
        ),
        (
            "community that is not one",
            Box::new(|b| b["route_maps"][0]["entries"][0]["match_communities"] = json!(["gold"])),
            "/route_maps/0/entries/0/match_communities/0",
        ),
        ("network with host bits", Box::new(|b| b["networks"] = json!(["10.1.0.1/16"])), "/networks/0"),
        ("overlapping networks", Box::new(|b| b["networks"] = json!(["10.1.0.0/16", "10.1.2.0/24"])), "/networks/1"),
        ("not a prefix", Box::new(|b| b["networks"] = json!(["ten"])), "/networks/0"),
        ("the overlay", Box::new(|b| b["networks"] = json!(["10.1.0.0/16", "100.64.0.0/10"])), "/networks/1"),
        ("no learned prefixes", Box::new(|b| b["max_learned_prefixes"] = json!(0)), "/max_learned_prefixes"),
        (
            "too many learned prefixes",
            Box::new(|b| b["max_learned_prefixes"] = json!(100_001)),
            "/max_learned_prefixes",
        ),
        (
            "unknown action",
            Box::new(|b| b["route_maps"][1]["entries"][0]["action"] = json!("maybe")),
            "/route_maps/1/entries/0/action",
        ),
    ];
    for (what, change, pointer) in &cases {
        let mut body = full_body();
        change(&mut body);
        let r = app.put(&path).token(&t.operator).json(body).send().await;
        r.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
        assert_eq!(r.pointers(), [*pointer], "{what}: {}", r.body);
    }
    let unknown = app.put(&path).token(&t.operator).json(json!({"asn": 65000})).send().await;
    unknown.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    // Several errors at once are reported together.
    let mut many = full_body();
    many["local_asn"] = json!(0);
    many["neighbors"][0]["address"] = json!("192.168.1.1");
    many["neighbors"][0]["route_map_in"] = json!("nowhere");
    let r = app.put(&path).token(&t.operator).json(many).send().await;
    r.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(r.pointers(), ["/local_asn", "/neighbors/0/address", "/neighbors/0/route_map_in"]);

    app.get(&path).token(&t.viewer).send().await.expect_problem(StatusCode::NOT_FOUND, "not-found");
    let events = app.get("/v1/audit-events?resource_type=site_bgp").token(&t.viewer).send().await;
    assert_eq!(events.body["items"], json!([]), "nothing was written");
}

#[tokio::test]
async fn advertised_networks_may_not_overlap_another_sites_lan_or_networks() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let paris = site(&app, &t, "paris", &["10.1.0.0/16"]).await;
    let berlin = site(&app, &t, "berlin", &["10.2.0.0/16"]).await;
    let paris = format!("/v1/sites/{}/bgp", paris["id"].as_str().unwrap());
    let berlin = format!("/v1/sites/{}/bgp", berlin["id"].as_str().unwrap());

    // Its own LAN, and prefixes nobody else has, are fine.
    let ok =
        app.put(&paris).token(&t.operator).json(json!({"networks": ["10.1.0.0/16", "172.16.0.0/16"]})).send().await;
    ok.expect(StatusCode::CREATED);
    assert_eq!(ok.body["neighbors"], json!([]));

    let lan =
        app.put(&paris).token(&t.operator).json(json!({"networks": ["172.16.0.0/16", "10.2.4.0/24"]})).send().await;
    lan.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(lan.pointers(), ["/networks/1"]);
    assert!(lan.body.to_string().contains("berlin"), "{}", lan.body);

    let theirs = app.put(&berlin).token(&t.operator).json(json!({"networks": ["172.16.128.0/17"]})).send().await;
    theirs.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(theirs.pointers(), ["/networks/0"]);
    assert!(theirs.body.to_string().contains("paris"), "{}", theirs.body);
    let wider = app.put(&berlin).token(&t.operator).json(json!({"networks": ["172.0.0.0/8"]})).send().await;
    assert_eq!(wider.pointers(), ["/networks/0"]);
    app.get(&berlin).token(&t.viewer).send().await.expect_problem(StatusCode::NOT_FOUND, "not-found");

    // Another tenant's networks are no concern.
    let other = app.tenant("globex").await;
    let rome = site(&app, &other, "rome", &[]).await;
    let rome = format!("/v1/sites/{}/bgp", rome["id"].as_str().unwrap());
    app.put(&rome)
        .token(&other.operator)
        .json(json!({"networks": ["172.16.0.0/16"]}))
        .send()
        .await
        .expect(StatusCode::CREATED);
}

#[tokio::test]
async fn the_sites_document_carries_its_bgp_settings_and_only_its_agent_sees_the_password() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let paris = site(&app, &t, "paris", &["10.1.0.0/16"]).await;
    site(&app, &t, "berlin", &["10.2.0.0/16"]).await;
    let id = paris["id"].as_str().unwrap();
    let paris_agent = crate::agents::enrolled(&app, &t, id, 1).await;
    let before = app.get("/v1/agent/config").token(&paris_agent).send().await;
    before.expect(StatusCode::OK);
    assert!(before.body["config"].get("bgp").is_none(), "no settings, no section");

    app.put(&format!("/v1/sites/{id}/bgp"))
        .token(&t.operator)
        .json(full_body())
        .send()
        .await
        .expect(StatusCode::CREATED);

    let doc = app.get("/v1/agent/config").token(&paris_agent).send().await;
    doc.expect(StatusCode::OK);
    assert_ne!(doc.body["hash"], before.body["hash"]);
    let bgp = &doc.body["config"]["bgp"];
    assert_eq!(bgp["local_asn"], 4_200_000_001_u32);
    assert_eq!(bgp["router_id"], "100.64.0.1");
    assert_eq!(bgp["neighbors"][0]["password"], "s3cret-md5");
    assert_eq!(bgp["neighbors"][0]["hold_time"], 30);
    assert_eq!(bgp["networks"], json!(["10.1.0.0/16", "192.0.2.0/24"]));
    assert_eq!(bgp["prefix_lists"][0]["entries"][0]["ge"], 16);
    assert_eq!(bgp["overlay_import"], true);
    assert_eq!(bgp["max_learned_prefixes"], 500);

    let shown = app.get(&format!("/v1/sites/{id}/config")).token(&t.viewer).send().await;
    shown.expect(StatusCode::OK);
    assert_eq!(shown.body["hash"], doc.body["hash"], "the same document");
    assert_eq!(shown.body["config"]["bgp"]["neighbors"][0]["password"], "[REDACTED]");
    assert!(!shown.body.to_string().contains("s3cret-md5"));

    let deleted = app.delete(&format!("/v1/sites/{id}/bgp")).token(&t.operator).send().await;
    deleted.expect(StatusCode::NO_CONTENT);
    let after = app.get("/v1/agent/config").token(&paris_agent).send().await;
    assert_eq!(after.body["hash"], before.body["hash"], "without settings the document is what it was");
}

#[tokio::test]
async fn a_sites_lan_may_not_drop_its_neighbours_or_overlap_anothers_networks() {
    let app = TestApp::new().await;
    let t = app.tenant("acme").await;
    let paris = site(&app, &t, "paris", &["10.1.0.0/16"]).await;
    let berlin = site(&app, &t, "berlin", &["10.2.0.0/16"]).await;
    let (paris, berlin) = (paris["id"].as_str().unwrap(), berlin["id"].as_str().unwrap());
    app.put(&format!("/v1/sites/{paris}/bgp"))
        .token(&t.operator)
        .json(json!({"networks": ["172.16.0.0/16"], "neighbors": [{"address": "10.1.0.2", "remote_asn": 65010}]}))
        .send()
        .await
        .expect(StatusCode::CREATED);

    let dropped = app
        .patch(&format!("/v1/sites/{paris}"))
        .token(&t.operator)
        .json(json!({"lan_prefixes": ["10.11.0.0/16"]}))
        .send()
        .await;
    dropped.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(dropped.pointers(), ["/lan_prefixes"]);
    assert!(dropped.body.to_string().contains("10.1.0.2"), "{}", dropped.body);

    let overlapping = app
        .patch(&format!("/v1/sites/{berlin}"))
        .token(&t.operator)
        .json(json!({"lan_prefixes": ["10.2.0.0/16", "172.16.8.0/24"]}))
        .send()
        .await;
    overlapping.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(overlapping.pointers(), ["/lan_prefixes/1"]);
    assert!(overlapping.body.to_string().contains("paris"), "{}", overlapping.body);
    let new_site = app
        .post("/v1/sites")
        .token(&t.operator)
        .json(json!({"name": "rome", "lan_prefixes": ["172.16.0.0/12"]}))
        .send()
        .await;
    assert_eq!(new_site.pointers(), ["/lan_prefixes/0"]);

    // A LAN change that keeps the neighbour inside is fine.
    app.patch(&format!("/v1/sites/{paris}"))
        .token(&t.operator)
        .json(json!({"lan_prefixes": ["10.1.0.0/24", "10.11.0.0/16"]}))
        .send()
        .await
        .expect(StatusCode::OK);
}
