//! Learned BGP routes: the agent's report, the overlap rules, the other sites' documents, the
//! operators' list, and the BGP part of status reports.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::agents::{enrolled, id};
use crate::common::{Resp, Tenant, TestApp};
use crate::sites::site;

/// Three enrolled sites of a full mesh: a (10.1.0.0/16) and b (10.2.0.0/16) run BGP with one
/// neighbour each (.0.2), importing; c (10.3.0.0/16) does not.
struct Mesh {
    app: TestApp,
    t: Tenant,
    ids: [String; 3],
    creds: [String; 3],
}

impl Mesh {
    async fn new() -> Mesh {
        let app = TestApp::new().await;
        let t = app.tenant("acme").await;
        let mut ids = Vec::new();
        let mut creds = Vec::new();
        for (n, name) in ["a", "b", "c"].iter().enumerate() {
            let s = site(&app, &t, name, &[&format!("10.{}.0.0/16", n + 1)]).await;
            creds.push(enrolled(&app, &t, id(&s), n as u8 + 1).await);
            ids.push(id(&s).to_string());
        }
        let mesh = Mesh { app, t, ids: ids.try_into().unwrap(), creds: creds.try_into().unwrap() };
        for n in 0..2 {
            mesh.bgp(n, json!({})).await.expect(StatusCode::CREATED);
        }
        mesh
    }

    /// PUTs site n's BGP settings: its one neighbour, importing, plus `extra`.
    async fn bgp(&self, n: usize, extra: Value) -> Resp {
        let mut body = json!({"neighbors": [{"address": format!("10.{}.0.2", n + 1), "remote_asn": 65010}],
            "overlay_import": true});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        self.app.put(&format!("/v1/sites/{}/bgp", self.ids[n])).token(&self.t.operator).json(body).send().await
    }

    /// Site n's agent reports these prefixes, all from its neighbour.
    async fn report(&self, n: usize, prefixes: &[&str]) -> Resp {
        let routes: Vec<Value> = prefixes
            .iter()
            .map(|p| json!({"prefix": p, "neighbor": format!("10.{}.0.2", n + 1), "as_path": "65010"}))
            .collect();
        self.report_raw(n, json!({ "routes": routes })).await
    }

    async fn report_raw(&self, n: usize, body: Value) -> Resp {
        self.app.put("/v1/agent/bgp/routes").token(&self.creds[n]).json(body).send().await
    }

    /// The allowed IPs of site `peer`'s entry in site `of`'s document, as its agent gets it.
    async fn allowed(&self, of: usize, peer: usize) -> Vec<String> {
        let doc = self.app.get("/v1/agent/config?wait=0").token(&self.creds[of]).send().await;
        doc.expect(StatusCode::OK);
        let peers = doc.body["config"]["peers"].as_array().unwrap();
        let entry = peers.iter().find(|p| p["site_id"] == self.ids[peer].as_str()).expect("peer listed");
        entry["allowed_ips"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string()).collect()
    }

    async fn revision(&self) -> i64 {
        self.app.get("/v1/topology").token(&self.t.viewer).send().await.body["revision"].as_i64().unwrap()
    }

    /// Site n's learned routes as operators list them (first page).
    async fn routes(&self, n: usize, query: &str) -> Resp {
        let r =
            self.app.get(&format!("/v1/sites/{}/bgp/routes{query}", self.ids[n])).token(&self.t.viewer).send().await;
        r.expect(StatusCode::OK);
        r
    }

    /// (prefix, state, conflicting site index) of site n's routes.
    async fn states(&self, n: usize) -> Vec<(String, String, Option<usize>)> {
        let r = self.routes(n, "").await;
        let mut out: Vec<_> = r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                let conflicting =
                    i["conflicting_site_id"].as_str().map(|c| self.ids.iter().position(|s| s == c).unwrap());
                (i["prefix"].as_str().unwrap().to_string(), i["state"].as_str().unwrap().to_string(), conflicting)
            })
            .collect();
        out.sort();
        out
    }
}

fn answer(accepted: u64, refused: u64, not_imported: u64) -> Value {
    json!({"accepted": accepted, "refused": refused, "not_imported": not_imported})
}

fn s(v: &str) -> String {
    v.to_string()
}

#[tokio::test]
async fn accepted_prefixes_reach_the_other_sites_documents_and_withdrawals_leave_them() {
    let m = Mesh::new().await;
    let r0 = m.revision().await;
    let r = m.report(0, &["192.168.10.0/24", "192.168.11.0/24"]).await;
    r.expect(StatusCode::OK);
    assert_eq!(r.body, answer(2, 0, 0));
    assert_eq!(m.revision().await, r0 + 1);
    for other in [1, 2] {
        assert_eq!(m.allowed(other, 0).await, ["10.1.0.0/16", "100.64.0.1/32", "192.168.10.0/24", "192.168.11.0/24"]);
    }
    assert_eq!(m.allowed(0, 1).await, ["10.2.0.0/16", "100.64.0.2/32"], "a site's own routes change only others");

    // The same table again (in another order) is a no-op: no revision, same answer.
    let again = m.report(0, &["192.168.11.0/24", "192.168.10.0/24"]).await;
    again.expect(StatusCode::OK);
    assert_eq!(again.body, answer(2, 0, 0));
    assert_eq!(m.revision().await, r0 + 1);

    // Operators see them, filter them and page through them.
    let listed = m.routes(0, "").await;
    let first = &listed.body["items"][0];
    assert_eq!(first["neighbor"], "10.1.0.2");
    assert_eq!(first["as_path"], "65010");
    assert_eq!(first["state"], "accepted");
    assert!(first["learned_at"].is_string() && first.get("reason").is_none(), "{first}");
    assert_eq!(m.routes(0, "?state=refused").await.body["items"], json!([]));
    assert_eq!(m.routes(0, "?prefix=192.168.11.0/24").await.body["items"].as_array().unwrap().len(), 1);
    let page = m.routes(0, "?limit=1").await;
    let cursor = page.body["next_cursor"].as_str().unwrap();
    let next = m.routes(0, &format!("?limit=1&cursor={cursor}")).await;
    assert_ne!(next.body["items"][0]["prefix"], page.body["items"][0]["prefix"]);
    assert!(next.body["next_cursor"].is_null());

    // The change is audited with the agent as actor and counts, not prefixes.
    let events = m
        .app
        .get(&format!("/v1/audit-events?resource_type=bgp_learned_routes&resource_id={}", m.ids[0]))
        .token(&m.t.admin)
        .send()
        .await;
    let event = &events.body["items"][0];
    assert_eq!(event["action"], "bgp_learned_routes.update", "{}", events.body);
    assert_eq!(event["actor_type"], "agent");
    assert_eq!(event["after"]["accepted"], 2);
    assert_eq!(events.body["items"].as_array().unwrap().len(), 1, "the identical report is not audited");

    // A withdrawal leaves the documents the same way.
    m.report(0, &["192.168.10.0/24"]).await.expect(StatusCode::OK);
    assert_eq!(m.allowed(2, 0).await, ["10.1.0.0/16", "100.64.0.1/32", "192.168.10.0/24"]);
    assert_eq!(m.report(0, &[]).await.body, answer(0, 0, 0));
    assert_eq!(m.allowed(2, 0).await, ["10.1.0.0/16", "100.64.0.1/32"]);
    assert_eq!(m.routes(0, "").await.body["items"], json!([]));
}

#[tokio::test]
async fn prefixes_colliding_with_the_overlay_or_other_sites_are_refused_and_reported() {
    let m = Mesh::new().await;
    m.bgp(1, json!({"networks": ["198.51.100.0/24"]})).await.expect(StatusCode::OK);
    let r = m.report(0, &["10.2.5.0/24", "100.64.0.0/24", "198.51.100.128/25", "10.1.9.0/24", "203.0.113.0/24"]).await;
    assert_eq!(r.body, answer(2, 3, 0));
    assert_eq!(
        m.states(0).await,
        [
            (s("10.1.9.0/24"), s("accepted"), None), // inside a's own LAN: redundant, accepted
            (s("10.2.5.0/24"), s("refused"), Some(1)),
            (s("100.64.0.0/24"), s("refused"), None),
            (s("198.51.100.128/25"), s("refused"), Some(1)),
            (s("203.0.113.0/24"), s("accepted"), None),
        ]
    );
    let refused = m.routes(0, "?state=refused&prefix=10.2.5.0/24").await;
    assert_eq!(refused.body["items"][0]["reason"], "overlaps LAN prefix 10.2.0.0/16 of site \"b\"");
    let overlay = m.routes(0, "?prefix=100.64.0.0/24").await;
    assert_eq!(overlay.body["items"][0]["reason"], "overlaps the tenant's overlay prefix 100.64.0.0/16");
    assert_eq!(m.allowed(2, 0).await, ["10.1.0.0/16", "10.1.9.0/24", "100.64.0.1/32", "203.0.113.0/24"]);

    // A LAN prefix declared later wins over the learned one, which leaves the documents; when it
    // goes, the learned one comes back.
    let c = format!("/v1/sites/{}", m.ids[2]);
    let patch = |lan: Value| m.app.patch(&c).token(&m.t.operator).json(json!({ "lan_prefixes": lan }));
    patch(json!(["10.3.0.0/16", "203.0.113.0/25"])).send().await.expect(StatusCode::OK);
    assert!(m.states(0).await.contains(&(s("203.0.113.0/24"), s("refused"), Some(2))));
    assert_eq!(m.allowed(1, 0).await, ["10.1.0.0/16", "10.1.9.0/24", "100.64.0.1/32"]);
    patch(json!(["10.3.0.0/16"])).send().await.expect(StatusCode::OK);
    assert!(m.states(0).await.contains(&(s("203.0.113.0/24"), s("accepted"), None)));
    assert_eq!(m.allowed(1, 0).await, ["10.1.0.0/16", "10.1.9.0/24", "100.64.0.1/32", "203.0.113.0/24"]);
}

#[tokio::test]
async fn the_site_that_learned_a_prefix_first_keeps_it_and_the_other_takes_over_on_withdrawal() {
    let m = Mesh::new().await;
    assert_eq!(m.report(0, &["192.168.50.0/24"]).await.body, answer(1, 0, 0));
    assert_eq!(m.report(1, &["192.168.50.0/24"]).await.body, answer(0, 1, 0));
    assert_eq!(m.states(1).await, [(s("192.168.50.0/24"), s("refused"), Some(0))]);
    assert!(m.allowed(2, 0).await.contains(&s("192.168.50.0/24")));
    assert!(!m.allowed(2, 1).await.contains(&s("192.168.50.0/24")));

    // a withdraws: b's route is accepted in the same write, and c routes the prefix to b.
    let r0 = m.revision().await;
    m.report(0, &[]).await.expect(StatusCode::OK);
    assert_eq!(m.revision().await, r0 + 1);
    assert_eq!(m.states(1).await, [(s("192.168.50.0/24"), s("accepted"), None)]);
    assert!(!m.allowed(2, 0).await.contains(&s("192.168.50.0/24")));
    assert!(m.allowed(2, 1).await.contains(&s("192.168.50.0/24")));
    assert!(m.allowed(0, 1).await.contains(&s("192.168.50.0/24")));

    // a learns it again: b learned it earlier now, and keeps it.
    assert_eq!(m.report(0, &["192.168.50.0/24"]).await.body, answer(0, 1, 0));

    // b hands the prefix over from one neighbour to another in one report: it keeps it.
    m.bgp(1, json!({"neighbors": [{"address": "10.2.0.2", "remote_asn": 65010}, {"address": "10.2.0.3", "remote_asn": 65011}]}))
        .await
        .expect(StatusCode::OK);
    let via = |n: &str| json!({"routes": [{"prefix": "192.168.50.0/24", "neighbor": n}]});
    assert_eq!(m.report_raw(1, via("10.2.0.3")).await.body, answer(1, 0, 0));
    assert_eq!(m.states(0).await, [(s("192.168.50.0/24"), s("refused"), Some(1))]);

    // Deleting b (its routes go with it) hands the prefix back to a.
    m.app.delete(&format!("/v1/sites/{}", m.ids[1])).token(&m.t.operator).send().await.expect(StatusCode::NO_CONTENT);
    assert_eq!(m.states(0).await, [(s("192.168.50.0/24"), s("accepted"), None)]);
    assert!(m.allowed(2, 0).await.contains(&s("192.168.50.0/24")));
}

#[tokio::test]
async fn without_overlay_import_routes_are_kept_but_not_used_and_deleting_bgp_withdraws_them() {
    let m = Mesh::new().await;
    m.bgp(0, json!({"overlay_import": false})).await.expect(StatusCode::OK);
    assert_eq!(m.report(0, &["192.168.10.0/24"]).await.body, answer(0, 0, 1));
    assert_eq!(m.allowed(2, 0).await, ["10.1.0.0/16", "100.64.0.1/32"]);

    m.bgp(0, json!({})).await.expect(StatusCode::OK);
    assert_eq!(m.states(0).await, [(s("192.168.10.0/24"), s("accepted"), None)]);
    assert_eq!(m.allowed(2, 0).await, ["10.1.0.0/16", "100.64.0.1/32", "192.168.10.0/24"]);

    // A neighbour removed from the settings, or a maximum lowered below what a neighbour sent,
    // withdraws that neighbour's routes at once.
    m.bgp(0, json!({"neighbors": [{"address": "10.1.0.2", "remote_asn": 65010}, {"address": "10.1.0.3", "remote_asn": 65011}]}))
        .await
        .expect(StatusCode::OK);
    let routes = json!({"routes": [{"prefix": "192.168.20.0/24", "neighbor": "10.1.0.3"},
        {"prefix": "192.168.21.0/24", "neighbor": "10.1.0.3"}, {"prefix": "192.168.10.0/24", "neighbor": "10.1.0.2"}]});
    assert_eq!(m.report_raw(0, routes).await.body, answer(3, 0, 0));
    m.bgp(0, json!({"max_learned_prefixes": 1, "neighbors": [{"address": "10.1.0.2", "remote_asn": 65010}, {"address": "10.1.0.3", "remote_asn": 65011}]}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(m.states(0).await, [(s("192.168.10.0/24"), s("accepted"), None)]);
    m.bgp(0, json!({"neighbors": [{"address": "10.1.0.3", "remote_asn": 65011}]})).await.expect(StatusCode::OK);
    assert_eq!(m.states(0).await, []);
    assert_eq!(m.allowed(2, 0).await, ["10.1.0.0/16", "100.64.0.1/32"]);
    m.bgp(0, json!({})).await.expect(StatusCode::OK);
    assert_eq!(m.report(0, &["192.168.10.0/24"]).await.body, answer(1, 0, 0));

    // BGP turned off at a: its routes are gone with its settings, and from the documents.
    let path = format!("/v1/sites/{}/bgp", m.ids[0]);
    m.app.delete(&path).token(&m.t.operator).send().await.expect(StatusCode::NO_CONTENT);
    assert_eq!(m.allowed(2, 0).await, ["10.1.0.0/16", "100.64.0.1/32"]);
    assert_eq!(m.routes(0, "").await.body["items"], json!([]));
    // Its agent's next report is refused until BGP is on again.
    m.report(0, &["192.168.10.0/24"]).await.expect_problem(StatusCode::CONFLICT, "conflict");
    m.report(0, &[]).await.expect_problem(StatusCode::CONFLICT, "conflict");
}

#[tokio::test]
async fn bad_reports_are_refused_with_field_errors_and_change_nothing() {
    let m = Mesh::new().await;
    m.bgp(0, json!({"max_learned_prefixes": 2})).await.expect(StatusCode::OK);
    m.report(0, &["192.168.10.0/24"]).await.expect(StatusCode::OK);
    let r0 = m.revision().await;
    let route = |prefix: &str, neighbor: &str| json!({"prefix": prefix, "neighbor": neighbor});

    let cases: Vec<(Value, Vec<&str>)> = vec![
        (json!({"routes": [route("192.168.10.1/24", "10.1.0.2")]}), vec!["/routes/0/prefix"]),
        (json!({"routes": [route("192.168.10.0/24", "10.1.0.9")]}), vec!["/routes/0/neighbor"]),
        (
            json!({"routes": [route("192.168.10.0/24", "10.1.0.2"), route("192.168.10.0/24", "10.1.0.2")]}),
            vec!["/routes/1"],
        ),
        (
            json!({"routes": [{"prefix": "192.168.10.0/24", "neighbor": "10.1.0.2", "communities": ["65536:1"], "as_path": "65010 x"}]}),
            vec!["/routes/0/as_path", "/routes/0/communities/0"],
        ),
        (
            json!({"routes": [route("192.168.1.0/24", "10.1.0.2"), route("192.168.2.0/24", "10.1.0.2"), route("192.168.3.0/24", "10.1.0.2")]}),
            vec!["/routes"],
        ),
        (json!({"routes": [route("not-a-prefix", "10.1.0.2")]}), vec!["/routes/0/prefix"]),
        (json!({"routes": [route("192.168.10.0/24", "10.1.0.2")], "extra": 1}), vec!["/extra"]),
        (json!({}), vec!["/routes"]),
    ];
    for (body, pointers) in cases {
        let r = m.report_raw(0, body.clone()).await;
        r.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
        assert_eq!(r.pointers(), pointers, "{body}: {}", r.body);
    }
    // Over the per-neighbour limit: said in words.
    let over = m
        .report_raw(0, json!({"routes": [route("192.168.1.0/24", "10.1.0.2"), route("192.168.2.0/24", "10.1.0.2"), route("192.168.3.0/24", "10.1.0.2")]}))
        .await;
    assert!(over.body["errors"][0]["detail"].as_str().unwrap().contains("max_learned_prefixes (2)"), "{}", over.body);

    // Nothing changed.
    assert_eq!(m.revision().await, r0);
    assert_eq!(m.states(0).await, [(s("192.168.10.0/24"), s("accepted"), None)]);

    // Only agents report; a site without BGP has nothing to report; operators' filters are checked.
    m.app
        .put("/v1/agent/bgp/routes")
        .token(&m.t.admin)
        .json(json!({"routes": []}))
        .send()
        .await
        .expect_problem(StatusCode::FORBIDDEN, "forbidden");
    let c = m.report(2, &["192.168.77.0/24"]).await;
    c.expect_problem(StatusCode::CONFLICT, "conflict");
    assert!(c.body["detail"].as_str().unwrap().contains("no BGP settings"));
    let bad =
        m.app.get(&format!("/v1/sites/{}/bgp/routes?prefix=10.1.0.1/16", m.ids[0])).token(&m.t.viewer).send().await;
    bad.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(bad.pointers(), ["/query/prefix"]);
    let bad = m.app.get(&format!("/v1/sites/{}/bgp/routes?state=lost", m.ids[0])).token(&m.t.viewer).send().await;
    bad.expect_status_4xx();
    let other = m.app.tenant("globex").await;
    m.app
        .get(&format!("/v1/sites/{}/bgp/routes", m.ids[0]))
        .token(&other.viewer)
        .send()
        .await
        .expect_problem(StatusCode::NOT_FOUND, "not-found");
}

#[tokio::test]
async fn a_bgp_error_or_a_session_problem_degrades_the_site_naming_the_neighbour() {
    let m = Mesh::new().await;
    let doc = m.app.get("/v1/agent/config?wait=0").token(&m.creds[0]).send().await;
    let base = json!({"applied_revision": doc.body["revision"], "applied_hash": doc.body["hash"], "agent_version": "0.1.0",
        "uptime_seconds": 5, "links": [], "peers": []});
    let status = format!("/v1/sites/{}/status", m.ids[0]);
    let post = |bgp: Value| {
        let mut report = base.clone();
        report["bgp"] = bgp;
        m.app.post("/v1/agent/status").token(&m.creds[0]).json(report)
    };
    let session = json!({"neighbor": "10.1.0.2", "remote_asn": 65010, "state": "Established", "established_seconds": 30,
        "prefixes_received": 3});

    post(json!({"state": "running", "sessions": [session.clone()]})).send().await.expect(StatusCode::NO_CONTENT);
    let s = m.app.get(&status).token(&m.t.viewer).send().await;
    assert_eq!(s.body["health"], "online", "{}", s.body);
    assert_eq!(s.body["report"]["bgp"]["sessions"][0]["prefixes_received"], 3);

    let mut broken = session.clone();
    broken["state"] = json!("Active");
    broken["problem"] = json!("password_mismatch");
    broken["detail"] = json!("MD5 digest mismatch");
    post(json!({"state": "running", "sessions": [broken]})).send().await.expect(StatusCode::NO_CONTENT);
    let s = m.app.get(&status).token(&m.t.viewer).send().await;
    assert_eq!(s.body["health"], "degraded");
    let reason = s.body["reason"].as_str().unwrap();
    assert!(reason.contains("10.1.0.2") && reason.contains("password"), "{reason}");

    post(json!({"state": "error", "error": "bgpd is not installed"})).send().await.expect(StatusCode::NO_CONTENT);
    let s = m.app.get(&status).token(&m.t.viewer).send().await;
    assert_eq!(s.body["health"], "degraded");
    assert!(s.body["reason"].as_str().unwrap().contains("bgpd is not installed"));

    let mut bad = session.clone();
    bad["state"] = json!("");
    let r = post(json!({"state": "running", "error": "x\u{1}", "sessions": [bad]})).send().await;
    r.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(r.pointers(), ["/bgp/error", "/bgp/sessions/0/state"]);
    post(json!({"state": "sleeping"})).send().await.expect_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation");
}

#[tokio::test]
async fn a_whole_table_may_exceed_the_usual_body_limit_up_to_its_own() {
    let m = Mesh::new().await;
    m.bgp(0, json!({"max_learned_prefixes": 20000})).await.expect(StatusCode::OK);
    // 15,000 routes: about 1.3 MB, more than the 1 MiB any other request may send.
    let prefixes: Vec<String> = (0..15_000).map(|k| format!("172.{}.{}.0/24", 16 + k / 256, k % 256)).collect();
    let refs: Vec<&str> = prefixes.iter().map(String::as_str).collect();
    let routes: Vec<Value> =
        refs.iter().map(|p| json!({"prefix": p, "neighbor": "10.1.0.2", "as_path": "65010 65020"})).collect();
    let body = serde_json::to_vec(&json!({ "routes": routes })).unwrap();
    assert!(body.len() > 1024 * 1024, "{} bytes", body.len());
    let r = m.app.put("/v1/agent/bgp/routes").token(&m.creds[0]).raw("application/json", body).send().await;
    assert_eq!(r.body, answer(15_000, 0, 0));
    assert_eq!(m.allowed(2, 0).await.len(), 15_002);

    // Past 16 MiB: a 413 that states the limit that applies here.
    let huge = format!(
        "{{\"routes\": [{}]}}",
        vec!["{\"prefix\": \"10.9.0.0/16\", \"neighbor\": \"10.1.0.2\"}"; 400_000].join(",")
    );
    let r =
        m.app.put("/v1/agent/bgp/routes").token(&m.creds[0]).raw("application/json", huge.into_bytes()).send().await;
    r.expect_problem(StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large");
    assert_eq!(r.body["detail"], "the request body exceeds 16777216 bytes");
    // Other requests keep the usual limit.
    let big_site = json!({"name": "x", "description": "d".repeat(1024 * 1024 + 1)});
    let r = m.app.post("/v1/sites").token(&m.t.operator).json(big_site).send().await;
    r.expect_problem(StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large");
    assert_eq!(r.body["detail"], "the request body exceeds 1048576 bytes");
}
