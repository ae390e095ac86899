//! The agent's own Prometheus endpoint (`run --metrics-listen ADDR`, off by default): what the
//! status report carries, read from the live dataplane at each scrape and rendered in the
//! Prometheus text format (version 0.0.4).
//!
//! Every label value comes from the site's document (link, peer, QoS class and policy names, the
//! peer's link an endpoint belongs to) or from a fixed set (reasons, directions, modes), never
//! from traffic: an endpoint the agent learned from a roaming peer is labelled `learned`, not
//! with its address. The series are capped per scrape ([`MAX_LINKS`] links, [`MAX_PEERS`] peers,
//! [`MAX_PATHS`] paths, [`MAX_SHAPED_CLASSES`] shaped classes, [`MAX_POLICIES`] policies,
//! [`MAX_POLICY_PEERS`] policy-peer pairs, [`MAX_BGP_SESSIONS`] BGP sessions, the status
//! report's top [`TOP_APPLICATIONS`] applications, named from the catalogue, built-in or
//! the tenant's): a page has at most [`MAX_SERIES`] (11,349) series,
//! however large the site; what a cap leaves out is counted in
//! `patronus_agent_metrics_omitted{kind}`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;

use patronus_api::{
    ApplicationsStatus, LinkState, PeerState, PolicyStatus, SiteConfig, XdpGuardState, XdpGuardStatus, TOP_APPLICATIONS,
};
use uuid::Uuid;

/// Peers whose paths, handshake and per-policy state get series (the first by site id, the
/// document's order); a hub with more peers shows the rest only in
/// `patronus_agent_metrics_omitted{kind="peer"}`.
pub const MAX_PEERS: usize = 256;
/// Links with series (the API allows 64 per site).
pub const MAX_LINKS: usize = 64;
/// Paths (peer, local link, the peer's link) with series, in the order of the peers.
pub const MAX_PATHS: usize = 1024;
/// Shaped classes (link, QoS class, direction) with series.
pub const MAX_SHAPED_CLASSES: usize = 512;
/// Policies with series (in the document's order: priority).
pub const MAX_POLICIES: usize = 64;
/// (policy, peer) pairs with series.
pub const MAX_POLICY_PEERS: usize = 1024;

/// The most series one page can have: every family's samples at their caps.
pub const MAX_SERIES: usize = 3 // uptime, applied revision, error
    + MAX_LINKS * 6 // up, 4 traffic counters, shaping error
    + MAX_SHAPED_CLASSES * 5
    + MAX_PEERS * 3
    + MAX_PATHS * 5
    + MAX_POLICIES * 2
    + MAX_POLICY_PEERS * 2
    + 3 // failover events by reason
    + (1 + MAX_LINKS + 3 + 1 + 4 + 1) // the XDP guard
    + (2 + MAX_BGP_SESSIONS * 3) // BGP: running, error; per session up, prefixes, one problem
    + 1 + TOP_APPLICATIONS * 3 // late moves; flows, packets and bytes per application
    + 6; // omitted, by kind

/// BGP sessions with series: every one, as the API allows at most 64 neighbours a site.
const MAX_BGP_SESSIONS: usize = 64;

/// The content type of the text format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// What one scrape shows: the status report's parts, and the document that names them.
#[derive(Debug, Default)]
pub struct Snapshot<'a> {
    /// The applied document; without one there are no peer or path series (nothing to name them).
    pub document: Option<&'a SiteConfig>,
    pub uptime_seconds: u64,
    pub links: Vec<LinkState>,
    pub peers: Vec<PeerState>,
    pub policies: Vec<PolicyStatus>,
    pub xdp_guard: Option<XdpGuardStatus>,
    /// Application recognition, as the status report has it.
    pub applications: Option<ApplicationsStatus>,
    /// Path changes since the agent started, by reason (`path_down`, `sla`, `better`).
    pub failovers: BTreeMap<&'static str, u64>,
    /// The rejected or failed document's error is set (the report's `last_error`).
    pub error: bool,
    /// BGP on the LAN side (the report's `bgp`).
    pub bgp: Option<patronus_api::BgpStatus>,
}

/// One metric family: its samples are written together under one HELP and TYPE.
struct Family<'o> {
    out: &'o mut String,
    name: &'static str,
}

impl Family<'_> {
    fn sample(&mut self, labels: &[(&str, &str)], value: f64) {
        if !value.is_finite() {
            return;
        }
        self.out.push_str(self.name);
        if !labels.is_empty() {
            self.out.push('{');
            for (i, (k, v)) in labels.iter().enumerate() {
                if i > 0 {
                    self.out.push(',');
                }
                self.out.push_str(k);
                self.out.push_str("=\"");
                escape_into(self.out, v);
                self.out.push('"');
            }
            self.out.push('}');
        }
        let _ = writeln!(self.out, " {value}");
    }
}

fn escape_into(out: &mut String, v: &str) {
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

fn family<'o>(out: &'o mut String, name: &'static str, kind: &str, help: &str) -> Family<'o> {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
    Family { out, name }
}

fn flag(b: bool) -> f64 {
    if b {
        1.0
    } else {
        0.0
    }
}

/// Renders `s` in the Prometheus text format.
pub fn render(s: &Snapshot<'_>) -> String {
    let mut out = String::with_capacity(8192);
    let o = &mut out;
    let mut omitted: BTreeMap<&str, usize> = BTreeMap::new();

    family(o, "patronus_agent_uptime_seconds", "gauge", "Seconds since the agent started.")
        .sample(&[], s.uptime_seconds as f64);
    let mut f = family(o, "patronus_agent_applied_revision", "gauge", "Tenant revision of the applied document.");
    if let Some(doc) = s.document {
        f.sample(&[], doc.revision as f64);
    }
    family(o, "patronus_agent_error", "gauge", "1 while the status report carries an error (last_error).")
        .sample(&[], flag(s.error));

    // Links.
    omitted.insert("link", s.links.len().saturating_sub(MAX_LINKS));
    let links = &s.links[..s.links.len().min(MAX_LINKS)];
    let mut f =
        family(o, "patronus_agent_link_up", "gauge", "1 while the WAN link has its socket and its interface is up.");
    for l in links {
        f.sample(&[("link", &l.name)], flag(l.up));
    }
    type LinkCounter = fn(&LinkState) -> u64;
    let counters: [(&'static str, &str, LinkCounter); 4] = [
        ("patronus_agent_link_transmit_bytes_total", "Bytes of datagrams sent on the link.", |l| l.tx_bytes),
        ("patronus_agent_link_receive_bytes_total", "Bytes of datagrams received on the link.", |l| l.rx_bytes),
        ("patronus_agent_link_transmit_packets_total", "Datagrams sent on the link.", |l| l.tx_packets),
        ("patronus_agent_link_receive_packets_total", "Datagrams received on the link.", |l| l.rx_packets),
    ];
    for (name, help, get) in counters {
        let mut f = family(o, name, "counter", help);
        for l in links {
            f.sample(&[("link", &l.name)], get(l) as f64);
        }
    }

    // Shaping per link, QoS class and direction.
    let mut shaped: Vec<_> = links
        .iter()
        .flat_map(|l| l.shaping.iter().flat_map(|sh| sh.classes.iter()).map(move |c| (l.name.as_str(), c)))
        .map(|(link, c)| (link, c.class.as_deref().unwrap_or("default"), c.direction.as_str(), c))
        .collect();
    omitted.insert("shaped_class", shaped.len().saturating_sub(MAX_SHAPED_CLASSES));
    shaped.truncate(MAX_SHAPED_CLASSES);
    type ClassCounter = fn(&patronus_api::ShapingClass) -> u64;
    let classes: [(&'static str, &str, &str, ClassCounter); 5] = [
        (
            "patronus_agent_shaped_bytes_total",
            "counter",
            "Bytes the QoS class's queue sent on the link (since installed).",
            |c| c.bytes,
        ),
        ("patronus_agent_shaped_packets_total", "counter", "Packets the QoS class's queue sent on the link.", |c| {
            c.packets
        }),
        ("patronus_agent_shaped_drops_total", "counter", "Packets the QoS class's full queue dropped.", |c| c.drops),
        ("patronus_agent_shaped_backlog_bytes", "gauge", "Bytes waiting in the QoS class's queue.", |c| {
            c.backlog_bytes
        }),
        ("patronus_agent_shaped_rate_bytes_per_second", "gauge", "The QoS class's guaranteed rate on the link.", |c| {
            c.rate_kbps * 1000 / 8
        }),
    ];
    for (name, kind, help, get) in classes {
        let mut f = family(o, name, kind, help);
        for (link, class, direction, c) in &shaped {
            f.sample(&[("link", link), ("class", class), ("direction", direction)], get(c) as f64);
        }
    }
    let mut f = family(
        o,
        "patronus_agent_shaping_error",
        "gauge",
        "1 while the link's shaping is not what the document asks (see the status report).",
    );
    for l in links {
        if let Some(sh) = &l.shaping {
            f.sample(&[("link", &l.name)], flag(sh.error.is_some()));
        }
    }

    // Peers and paths, named by the document.
    let mut peer_names: HashMap<Uuid, &str> = HashMap::new();
    let mut remote_links: HashMap<(Uuid, String), &str> = HashMap::new();
    if let Some(doc) = s.document {
        for p in doc.peers.iter().take(MAX_PEERS) {
            peer_names.insert(p.site_id, &p.site_name);
            for e in &p.endpoints {
                remote_links.insert((p.site_id, e.address.to_string()), &e.link);
            }
        }
        omitted.insert("peer", doc.peers.len().saturating_sub(MAX_PEERS));
    }
    let peers: Vec<(&str, &PeerState)> =
        s.peers.iter().filter_map(|p| peer_names.get(&p.site_id).map(|n| (*n, p))).collect();
    let mut f = family(
        o,
        "patronus_agent_peer_handshake_age_seconds",
        "gauge",
        "Seconds since the peer's last completed handshake.",
    );
    for (name, p) in &peers {
        if let Some(age) = p.handshake_age_seconds {
            f.sample(&[("peer", name)], age as f64);
        }
    }
    type PeerCounter = fn(&PeerState) -> u64;
    let peer_counters: [(&'static str, &str, PeerCounter); 2] = [
        ("patronus_agent_peer_transmit_bytes_total", "Bytes of packets sent to the peer through the tunnel.", |p| {
            p.tx_bytes
        }),
        (
            "patronus_agent_peer_receive_bytes_total",
            "Bytes of packets received from the peer through the tunnel.",
            |p| p.rx_bytes,
        ),
    ];
    for (name, help, get) in peer_counters {
        let mut f = family(o, name, "counter", help);
        for (peer, p) in &peers {
            f.sample(&[("peer", peer)], get(p) as f64);
        }
    }
    // A path is (peer, local link, the peer's link the endpoint belongs to).
    let mut paths = Vec::new();
    let mut seen = HashSet::new();
    for (peer, p) in &peers {
        for path in &p.paths {
            let remote = remote_links.get(&(p.site_id, path.endpoint.clone())).copied().unwrap_or("learned");
            if seen.insert((p.site_id, path.link.as_str(), remote)) {
                paths.push((*peer, path.link.as_str(), remote, path));
            }
        }
    }
    omitted.insert("path", paths.len().saturating_sub(MAX_PATHS));
    paths.truncate(MAX_PATHS);
    type PathValue = fn(&patronus_api::PathState) -> Option<f64>;
    let path_values: [(&'static str, &str, PathValue); 5] = [
        ("patronus_agent_path_up", "1 while the path answers probes.", |p| Some(flag(p.up))),
        ("patronus_agent_path_active", "1 on the path traffic of no policy takes to the peer.", |p| {
            Some(flag(p.active))
        }),
        ("patronus_agent_path_rtt_seconds", "Smoothed round-trip time of the path's probes.", |p| {
            p.rtt_ms.map(|ms| ms / 1000.0)
        }),
        ("patronus_agent_path_jitter_seconds", "Jitter of the path's probes (RFC 3550).", |p| {
            p.jitter_ms.map(|ms| ms / 1000.0)
        }),
        ("patronus_agent_path_loss_ratio", "Share of the path's probes lost over the last ten seconds.", |p| {
            p.loss_percent.map(|l| l / 100.0)
        }),
    ];
    for (name, help, get) in path_values {
        let mut f = family(o, name, "gauge", help);
        for (peer, link, remote, path) in &paths {
            if let Some(v) = get(path) {
                f.sample(&[("peer", peer), ("link", link), ("remote_link", remote)], v);
            }
        }
    }

    // Policies.
    omitted.insert("policy", s.policies.len().saturating_sub(MAX_POLICIES));
    let policies = &s.policies[..s.policies.len().min(MAX_POLICIES)];
    let mut f = family(
        o,
        "patronus_agent_policy_packets_total",
        "counter",
        "LAN packets the policy matched (since the document last changed its policies).",
    );
    for p in policies {
        f.sample(&[("policy", &p.name)], p.packets as f64);
    }
    let mut f = family(o, "patronus_agent_policy_bytes_total", "counter", "Bytes of LAN packets the policy matched.");
    for p in policies {
        f.sample(&[("policy", &p.name)], p.bytes as f64);
    }
    let peer_names = &peer_names;
    let mut per_peer: Vec<_> = policies
        .iter()
        .flat_map(|p| {
            p.peers.iter().filter_map(move |pp| peer_names.get(&pp.site_id).map(|n| (p.name.as_str(), *n, pp)))
        })
        .collect();
    omitted.insert("policy_peer", per_peer.len().saturating_sub(MAX_POLICY_PEERS));
    per_peer.truncate(MAX_POLICY_PEERS);
    let mut f = family(
        o,
        "patronus_agent_policy_switches_total",
        "counter",
        "Times the policy's traffic to the peer moved to another path (since the document was applied).",
    );
    for (policy, peer, pp) in &per_peer {
        f.sample(&[("policy", policy), ("peer", peer)], pp.switches as f64);
    }
    let mut f = family(
        o,
        "patronus_agent_policy_sla_violated",
        "gauge",
        "1 while no path to the peer that is up meets the policy's SLA.",
    );
    for (policy, peer, pp) in &per_peer {
        f.sample(&[("policy", policy), ("peer", peer)], flag(pp.sla_violated));
    }
    let mut f = family(
        o,
        "patronus_agent_failover_events_total",
        "counter",
        "Path changes of traffic to a peer since the agent started, by reason.",
    );
    for reason in ["path_down", "sla", "better"] {
        f.sample(&[("reason", reason)], s.failovers.get(reason).copied().unwrap_or(0) as f64);
    }

    // Applications: the report's top ones (by bytes), named from the catalogue (built-in or the
    // tenant's: at most TOP_APPLICATIONS names a page, whatever the tenant defines).
    if let Some(a) = &s.applications {
        let top = &a.top[..a.top.len().min(TOP_APPLICATIONS)];
        family(
            o,
            "patronus_agent_application_late_moves_total",
            "counter",
            "Flows whose policy changed when their application was recognised after their first packet.",
        )
        .sample(&[], a.late_moves as f64);
        let mut f = family(
            o,
            "patronus_agent_application_flows_total",
            "counter",
            "Flows recognised as the application (the top applications by bytes).",
        );
        for t in top {
            f.sample(&[("application", &t.name)], t.flows as f64);
        }
        let mut f = family(
            o,
            "patronus_agent_application_packets_total",
            "counter",
            "Packets of the application's flows from their recognition on.",
        );
        for t in top {
            f.sample(&[("application", &t.name)], t.packets as f64);
        }
        let mut f = family(
            o,
            "patronus_agent_application_bytes_total",
            "counter",
            "Bytes of the application's flows from their recognition on.",
        );
        for t in top {
            f.sample(&[("application", &t.name)], t.bytes as f64);
        }
    }

    // The XDP guard.
    if let Some(g) = &s.xdp_guard {
        let mut f = family(o, "patronus_agent_xdp_guard_active", "gauge", "1 while the XDP guard is loaded.");
        f.sample(&[], flag(g.state == XdpGuardState::Active));
        let mut f = family(
            o,
            "patronus_agent_xdp_guard_attached",
            "gauge",
            "1 for the mode the guard runs in on the link's interface (native, generic, none).",
        );
        for l in g.links.iter().take(MAX_LINKS) {
            f.sample(&[("link", &l.name), ("mode", l.mode.as_str())], 1.0);
        }
        let mut f = family(
            o,
            "patronus_agent_xdp_guard_dropped_packets_total",
            "counter",
            "Datagrams to the listen port the guard dropped, by reason.",
        );
        for (reason, n) in g.counters.drops() {
            f.sample(&[("reason", reason)], n as f64);
        }
        family(
            o,
            "patronus_agent_xdp_guard_dropped_bytes_total",
            "counter",
            "Bytes of the datagrams the guard dropped.",
        )
        .sample(&[], g.counters.dropped_bytes as f64);
        let mut f = family(
            o,
            "patronus_agent_xdp_guard_passed_packets_total",
            "counter",
            "Datagrams to the listen port the guard passed, by WireGuard message type.",
        );
        for (message, n) in g.counters.passes() {
            f.sample(&[("message", message)], n as f64);
        }
        family(o, "patronus_agent_xdp_guard_passed_bytes_total", "counter", "Bytes of the datagrams the guard passed.")
            .sample(&[], g.counters.passed_bytes as f64);
    }

    // BGP through FRR, named by the document's neighbour addresses.
    if let Some(b) = &s.bgp {
        family(o, "patronus_agent_bgp_running", "gauge", "1 while FRR runs the site's BGP settings.")
            .sample(&[], flag(b.state == patronus_api::BgpState::Running));
        family(o, "patronus_agent_bgp_error", "gauge", "1 while the site's BGP settings could not be applied.")
            .sample(&[], flag(b.state == patronus_api::BgpState::Error));
        let sessions = &b.sessions[..b.sessions.len().min(MAX_BGP_SESSIONS)];
        let mut f = family(o, "patronus_agent_bgp_session_established", "gauge", "1 while the BGP session is up.");
        for x in sessions {
            f.sample(&[("neighbor", &x.neighbor.to_string())], flag(x.state == "Established"));
        }
        let mut f = family(
            o,
            "patronus_agent_bgp_prefixes_received",
            "gauge",
            "Prefixes the neighbour sent that its import route map accepted.",
        );
        for x in sessions {
            f.sample(&[("neighbor", &x.neighbor.to_string())], x.prefixes_received as f64);
        }
        let mut f = family(
            o,
            "patronus_agent_bgp_session_problem",
            "gauge",
            "1 for what is wrong with the session (max_prefix_exceeded, password_mismatch, not_established).",
        );
        for x in sessions {
            if let Some(p) = x.problem {
                let problem = match p {
                    patronus_api::BgpSessionProblem::MaxPrefixExceeded => "max_prefix_exceeded",
                    patronus_api::BgpSessionProblem::PasswordMismatch => "password_mismatch",
                    patronus_api::BgpSessionProblem::NotEstablished => "not_established",
                };
                f.sample(&[("neighbor", &x.neighbor.to_string()), ("problem", problem)], 1.0);
            }
        }
    }

    let mut f = family(
        o,
        "patronus_agent_metrics_omitted",
        "gauge",
        "Things this scrape has no series for because of the endpoint's caps, by kind.",
    );
    for (kind, n) in &omitted {
        f.sample(&[("kind", kind)], *n as f64);
    }
    out
}

/// Serves `GET /metrics` on `listener`, each scrape rendering what `source` returns, until the
/// task is dropped.
pub async fn serve(
    listener: tokio::net::TcpListener,
    source: Arc<dyn Fn() -> String + Send + Sync>,
) -> std::io::Result<()> {
    use axum::http::header::CONTENT_TYPE as CT;
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let source = source.clone();
            async move {
                // The source locks the dataplane briefly; keep it off the async workers.
                match tokio::task::spawn_blocking(move || source()).await {
                    Ok(text) => (axum::http::StatusCode::OK, [(CT, CONTENT_TYPE)], text),
                    Err(_) => (
                        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                        [(CT, "text/plain; charset=utf-8")],
                        "rendering the metrics failed\n".to_owned(),
                    ),
                }
            }
        }),
    );
    axum::serve(listener, app).await
}

/// Binds the metrics listener; an address in use is an error the operator sees at start.
pub async fn bind(addr: SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    use anyhow::Context;
    tokio::net::TcpListener::bind(addr).await.with_context(|| format!("listening for metrics on {addr}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use patronus_api::{LinkShaping, PathState, ShapingClass};

    fn doc() -> SiteConfig {
        serde_json::from_value(serde_json::json!({
            "schema_version": 1, "revision": 7, "site_id": Uuid::from_u128(1), "site_name": "a", "role": "edge",
            "overlay_address": "100.64.0.1/16", "listen_port": 51820, "lan_prefixes": [], "links": [],
            "peers": [{"site_id": Uuid::from_u128(2), "site_name": "b\"q", "public_key": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                       "allowed_ips": ["100.64.0.2/32"], "persistent_keepalive": 0,
                       "endpoints": [{"link": "fiber", "address": "10.21.0.2:51820", "priority": 10, "cost": 0}]}],
            "qos_classes": [], "policies": []
        }))
        .unwrap()
    }

    #[test]
    fn paths_are_named_by_the_document_and_a_learned_endpoint_is_not_a_label() {
        let doc = doc();
        let path = |endpoint: &str, rtt| PathState {
            link: "lte".into(),
            endpoint: endpoint.into(),
            up: true,
            active: false,
            rtt_ms: rtt,
            loss_percent: Some(10.0),
            jitter_ms: None,
        };
        let s = Snapshot {
            document: Some(&doc),
            peers: vec![
                PeerState {
                    site_id: Uuid::from_u128(2),
                    paths: vec![path("10.21.0.2:51820", Some(12.5)), path("192.0.2.9:4444", Some(30.0))],
                    ..Default::default()
                },
                // Not in the document: no series.
                PeerState {
                    site_id: Uuid::from_u128(3),
                    paths: vec![path("10.31.0.2:51820", Some(1.0))],
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let text = render(&s);
        assert!(text.contains("patronus_agent_applied_revision 7\n"), "{text}");
        assert!(
            text.contains(
                "patronus_agent_path_rtt_seconds{peer=\"b\\\"q\",link=\"lte\",remote_link=\"fiber\"} 0.0125\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "patronus_agent_path_rtt_seconds{peer=\"b\\\"q\",link=\"lte\",remote_link=\"learned\"} 0.03\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("patronus_agent_path_loss_ratio{peer=\"b\\\"q\",link=\"lte\",remote_link=\"fiber\"} 0.1\n"),
            "{text}"
        );
        assert!(!text.contains("192.0.2.9") && !text.contains("10.31.0.2"), "{text}");
        assert!(!text.contains("patronus_agent_path_jitter_seconds{"), "no jitter measured, no sample: {text}");
    }

    /// `doc()` with `n` copies of its peer, each its own site.
    fn doc_with_peers(n: u128) -> SiteConfig {
        let mut doc = doc();
        let peer = doc.peers[0].clone();
        doc.peers = (0..n)
            .map(|i| patronus_api::ConfigPeer {
                site_id: Uuid::from_u128(10 + i),
                site_name: format!("p{i}"),
                ..peer.clone()
            })
            .collect();
        doc
    }

    #[test]
    fn a_site_beyond_every_cap_renders_max_series_and_says_what_it_left_out() {
        use patronus_api::{PolicyPeerStatus, ShapingDirection, XdpAttachMode, XdpGuardLink};
        let doc = doc_with_peers(300);
        let links: Vec<LinkState> = (0..70)
            .map(|l| LinkState {
                name: format!("l{l}"),
                up: true,
                shaping: Some(LinkShaping {
                    interface: format!("eth{l}"),
                    classes: (0..20)
                        .flat_map(|c| {
                            [ShapingDirection::Egress, ShapingDirection::Ingress].map(|direction| ShapingClass {
                                class: Some(format!("c{c}")),
                                direction,
                                ..Default::default()
                            })
                        })
                        .collect(),
                    ..Default::default()
                }),
                ..Default::default()
            })
            .collect();
        let peers: Vec<PeerState> = doc
            .peers
            .iter()
            .map(|p| PeerState {
                site_id: p.site_id,
                handshake_age_seconds: Some(1),
                paths: (0..10)
                    .map(|l| PathState {
                        link: format!("l{l}"),
                        endpoint: "10.21.0.2:51820".into(),
                        rtt_ms: Some(1.0),
                        jitter_ms: Some(0.1),
                        loss_percent: Some(0.0),
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            })
            .collect();
        let policies: Vec<PolicyStatus> = (0..80)
            .map(|i| PolicyStatus {
                name: format!("policy{i}"),
                peers: doc
                    .peers
                    .iter()
                    .map(|p| PolicyPeerStatus { site_id: p.site_id, ..Default::default() })
                    .collect(),
                ..Default::default()
            })
            .collect();
        let xdp_guard = Some(XdpGuardStatus {
            state: XdpGuardState::Active,
            links: (0..70)
                .map(|l| XdpGuardLink {
                    name: format!("l{l}"),
                    interface: format!("eth{l}"),
                    mode: XdpAttachMode::Generic,
                    error: None,
                })
                .collect(),
            ..Default::default()
        });
        let bgp = Some(patronus_api::BgpStatus {
            state: patronus_api::BgpState::Running,
            error: None,
            sessions: (0..70u32)
                .map(|i| patronus_api::BgpSessionStatus {
                    neighbor: std::net::IpAddr::from([10, 0, 0, i as u8]),
                    remote_asn: 65000 + i,
                    state: "Idle".into(),
                    established_seconds: None,
                    prefixes_received: 0,
                    problem: Some(patronus_api::BgpSessionProblem::PasswordMismatch),
                    detail: None,
                })
                .collect(),
        });
        // More applications than a report carries: the page shows the first TOP_APPLICATIONS.
        let applications = Some(ApplicationsStatus {
            late_moves: 3,
            top: (0..TOP_APPLICATIONS + 5)
                .map(|i| patronus_api::ApplicationUsage { name: format!("app{i}"), flows: 1, packets: 1, bytes: 1 })
                .collect(),
        });
        let s = Snapshot {
            document: Some(&doc),
            links,
            peers,
            policies,
            xdp_guard,
            bgp,
            applications,
            ..Default::default()
        };
        let started = std::time::Instant::now();
        let text = render(&s);
        let took = started.elapsed();
        let series = text.lines().filter(|l| !l.starts_with('#')).count();
        println!("{series} series, {} bytes, rendered in {took:?}", text.len());
        assert_eq!(series, MAX_SERIES);
        for (kind, n) in [
            ("link", 6),
            ("shaped_class", 64 * 40 - MAX_SHAPED_CLASSES),
            ("peer", 44),
            ("path", 256 * 10 - MAX_PATHS),
            ("policy", 16),
            ("policy_peer", 64 * 256 - MAX_POLICY_PEERS),
        ] {
            assert!(
                text.contains(&format!("patronus_agent_metrics_omitted{{kind=\"{kind}\"}} {n}\n")),
                "{kind}: {text}"
            );
        }
    }

    #[test]
    fn every_family_has_help_and_type_once_and_samples_parse() {
        let doc = doc_with_peers(300);
        let s = Snapshot {
            document: Some(&doc),
            links: vec![LinkState {
                name: "fiber".into(),
                up: true,
                tx_bytes: 5,
                shaping: Some(LinkShaping {
                    interface: "eth0".into(),
                    classes: vec![
                        ShapingClass { class: Some("voice".into()), bytes: 42, rate_kbps: 3800, ..Default::default() },
                        ShapingClass { class: None, bytes: 1, ..Default::default() },
                    ],
                    ..Default::default()
                }),
                ..Default::default()
            }],
            peers: doc
                .peers
                .iter()
                .map(|p| PeerState { site_id: p.site_id, tx_bytes: 1, ..Default::default() })
                .collect(),
            ..Default::default()
        };
        let text = render(&s);
        let mut typed = HashSet::new();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                assert!(typed.insert(rest.split(' ').next().unwrap().to_owned()), "TYPE twice: {line}");
            } else if !line.starts_with("# HELP ") {
                let (series, value) = line.rsplit_once(' ').unwrap();
                value.parse::<f64>().unwrap();
                let name = series.split('{').next().unwrap();
                assert!(typed.contains(name), "{line} before its TYPE");
            }
        }
        assert!(
            text.contains(
                "patronus_agent_shaped_bytes_total{link=\"fiber\",class=\"voice\",direction=\"egress\"} 42\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "patronus_agent_shaped_bytes_total{link=\"fiber\",class=\"default\",direction=\"egress\"} 1\n"
            ),
            "{text}"
        );
        assert!(text.contains("patronus_agent_shaped_rate_bytes_per_second{link=\"fiber\",class=\"voice\",direction=\"egress\"} 475000\n"), "{text}");
        // 300 peers: 256 have series, 44 are counted as left out.
        assert_eq!(text.matches("patronus_agent_peer_transmit_bytes_total{").count(), MAX_PEERS);
        assert!(text.contains("patronus_agent_metrics_omitted{kind=\"peer\"} 44\n"), "{text}");
    }
}
