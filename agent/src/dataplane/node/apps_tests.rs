//! Application policies on the simulated network: which link a flow's datagrams take once its
//! application is recognised, from its first packet (QUIC, or an address a DNS answer named) or
//! later (TLS after the SYN: one late move).

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use super::path::LinkId;
use super::path::PathTiming;
use super::policy::{PolicyConfig, Selection};
use super::sim::Sim;

const FIBER: &str = "fiber";
const LTE: &str = "lte";
const QUIC_YOUTUBE: &[u8] = include_bytes!("../../apps/testdata/quic_aioquic_youtube_v1.bin");
const TLS_YOUTUBE: &[u8] = include_bytes!("../../apps/testdata/tls_curl_youtube.bin");
const TLS_UNLISTED: &[u8] = include_bytes!("../../apps/testdata/tls_curl_unlisted.bin");
/// dnsmasq's answer for zoom.us: A 203.0.113.9, TTL 120 s.
const DNS_ZOOM: &[u8] = include_bytes!("../../apps/testdata/dns_answer_zoom.bin");

/// An IPv4 packet from 100.64.0.`from` to 100.64.0.`to` (TCP with a 20-byte header, or UDP).
fn packet(from: u8, to: u8, protocol: u8, ports: (u16, u16), payload: &[u8]) -> Vec<u8> {
    let transport = if protocol == 6 { 20 } else { 8 };
    let mut p = vec![0u8; 20 + transport];
    p[0] = 0x45;
    p[8] = 64;
    p[9] = protocol;
    p[12..16].copy_from_slice(&[100, 64, 0, from]);
    p[16..20].copy_from_slice(&[100, 64, 0, to]);
    p[20..22].copy_from_slice(&ports.0.to_be_bytes());
    p[22..24].copy_from_slice(&ports.1.to_be_bytes());
    if protocol == 6 {
        p[32] = 5 << 4;
    }
    p.extend_from_slice(payload);
    let len = p.len() as u16;
    p[2..4].copy_from_slice(&len.to_be_bytes());
    p
}

/// Two sites, fiber (5 ms) preferred over lte (20 ms), the policies given, warmed up.
fn sites(policies: Vec<PolicyConfig>) -> Sim {
    let mut sim = Sim::new(7);
    let timing = PathTiming::default();
    let a = sim.add_node(1, &[(FIBER, "192.0.2.1:51820"), (LTE, "198.51.100.1:51820")], timing);
    let b = sim.add_node(2, &[(FIBER, "192.0.2.2:51820"), (LTE, "198.51.100.2:51820")], timing);
    for n in [a, b] {
        sim.line(n, FIBER).latency = Duration::from_millis(5);
        sim.line(n, LTE).latency = Duration::from_millis(20);
    }
    sim.policies = policies;
    sim.mesh();
    for seq in 0..200 {
        let p = sim.packet(0, 1, seq);
        sim.tun_packet(0, &p);
        sim.run_for(Duration::from_millis(10));
    }
    sim
}

fn on_lte(name: &str, application: &str) -> PolicyConfig {
    PolicyConfig {
        application: Some(application.into()),
        selection: Selection::Ordered,
        link_preference: vec![LTE.into(), FIBER.into()],
        // lte comes up after fiber; the policy takes it as soon as it does.
        hold_down: Duration::ZERO,
        ..PolicyConfig::matching_all(name)
    }
}

/// The links that carried what node 0 sends for `packet`.
fn send(sim: &mut Sim, packet: &[u8]) -> Vec<LinkId> {
    let before = sim.nodes[0].data.len();
    sim.tun_packet(0, packet);
    sim.nodes[0].data[before..].iter().map(|d| d.0).collect()
}

#[test]
fn a_recognised_flow_takes_its_applications_policy_and_others_do_not() {
    let mut sim = sites(vec![on_lte("video", "video")]);
    let (fiber, lte) = (sim.link_id(0, FIBER), sim.link_id(0, LTE));

    // A QUIC Initial names youtube (category video) in its first packet.
    let quic = packet(1, 2, 17, (50000, 443), QUIC_YOUTUBE);
    assert_eq!(send(&mut sim, &quic), [lte]);
    assert_eq!(send(&mut sim, &packet(1, 2, 17, (50000, 443), b"more")), [lte]);
    // Random UDP to the same port, and TLS to a name of no application, stay on the default path.
    assert_eq!(send(&mut sim, &packet(1, 2, 17, (50001, 443), &[0x5a; 1200])), [fiber]);
    assert_eq!(send(&mut sim, &packet(1, 2, 6, (40001, 443), b"")), [fiber]);
    assert_eq!(send(&mut sim, &packet(1, 2, 6, (40001, 443), TLS_UNLISTED)), [fiber]);
    assert_eq!(sim.nodes[0].node.late_moves(), Some(0));

    // TLS: the SYN carries nothing to recognise, so it takes the flow's policy without
    // applications; the ClientHello names youtube, and the flow moves, once.
    assert_eq!(send(&mut sim, &packet(1, 2, 6, (40000, 443), b"")), [fiber]);
    assert_eq!(send(&mut sim, &packet(1, 2, 6, (40000, 443), TLS_YOUTUBE)), [lte]);
    assert_eq!(send(&mut sim, &packet(1, 2, 6, (40000, 443), b"data")), [lte]);
    assert_eq!(sim.nodes[0].node.late_moves(), Some(1));

    let apps = sim.nodes[0].node.top_applications(10);
    let youtube = apps.iter().find(|a| a.name == "youtube").unwrap();
    // Two flows; their packets from recognition on: 2 QUIC, 2 TLS.
    assert_eq!((youtube.flows, youtube.packets), (2, 4));
    let statuses = sim.nodes[0].node.policy_statuses();
    assert_eq!(statuses[0].packets, 4);
    assert!(!statuses[0].inactive);
}

#[test]
fn a_dns_answer_through_the_tunnel_makes_the_first_packet_of_a_flow_recognised() {
    let mut sim = sites(vec![on_lte("zoom", "zoom")]);
    let (fiber, lte) = (sim.link_id(0, FIBER), sim.link_id(0, LTE));
    // Before the answer, a SYN to 100.64.0.2 takes the default path.
    assert_eq!(send(&mut sim, &packet(1, 2, 6, (40000, 443), b"")), [fiber]);

    // Site B's resolver answers zoom.us with 100.64.0.2 (the answer dnsmasq gave, its address
    // changed), through the tunnel to site A.
    let mut answer = DNS_ZOOM.to_vec();
    let at = answer.windows(4).position(|w| w == [203, 0, 113, 9]).unwrap();
    answer[at..at + 4].copy_from_slice(&[100, 64, 0, 2]);
    sim.nodes[1].node.handle_tun_packet(sim.now, &packet(2, 1, 17, (53, 33333), &answer));
    let before = sim.nodes[0].received.len();
    sim.run_for(Duration::from_millis(100));
    assert!(sim.nodes[0].received.len() > before, "the answer reached site A's TUN");

    // A new flow's SYN is zoom's, on lte from the first packet: no late move.
    assert_eq!(send(&mut sim, &packet(1, 2, 6, (40002, 443), b"")), [lte]);
    assert_eq!(send(&mut sim, &packet(1, 2, 6, (40002, 443), b"data")), [lte]);
    assert_eq!(sim.nodes[0].node.late_moves(), Some(0));
    // The flow that began before the answer is where it was.
    assert_eq!(send(&mut sim, &packet(1, 2, 6, (40000, 443), b"data")), [fiber]);
}

#[test]
fn without_recognition_application_policies_match_nothing() {
    let mut sim = sites(vec![on_lte("video", "video")]);
    sim.nodes[0].node.disable_recognition();
    let fiber = sim.link_id(0, FIBER);
    assert_eq!(send(&mut sim, &packet(1, 2, 17, (50000, 443), QUIC_YOUTUBE)), [fiber]);
    assert_eq!(sim.nodes[0].node.late_moves(), None);
    assert!(sim.nodes[0].node.top_applications(10).is_empty());
    assert!(sim.nodes[0].node.policy_statuses()[0].inactive);
}

/// `answer` (dnsmasq's for zoom.us) for `name` instead, its address `addr`: the question's name
/// spliced in (the answer names it by a pointer to the question).
pub(crate) fn dns_answer(name: &str, addr: [u8; 4]) -> Vec<u8> {
    let old_end = 12 + DNS_ZOOM[12..].iter().position(|b| *b == 0).unwrap() + 1;
    let mut qname = Vec::new();
    for label in name.split('.') {
        qname.push(label.len() as u8);
        qname.extend_from_slice(label.as_bytes());
    }
    qname.push(0);
    let mut m = [&DNS_ZOOM[..12], &qname[..], &DNS_ZOOM[old_end..]].concat();
    let at = m.windows(4).position(|w| w == [203, 0, 113, 9]).unwrap();
    m[at..at + 4].copy_from_slice(&addr);
    m
}

/// The end-to-end scenario on the simulated network: `video` (a category) on
/// `lowest_latency` under an 80 ms SLA moves a QUIC flow to youtube onto lte when fiber gets
/// +100 ms of round trip, while a flow of a `backup` application (`lowest_cost`) stays on fiber.
#[test]
fn plus_100_ms_on_fiber_moves_a_video_flow_to_lte_and_leaves_a_backup_flow() {
    use super::policy::Sla;
    let video = PolicyConfig {
        application: Some("video".into()),
        selection: Selection::LowestLatency,
        sla: Sla { max_latency: Some(Duration::from_millis(80)), ..Sla::default() },
        hold_down: Duration::from_secs(5),
        ..PolicyConfig::matching_all("video")
    };
    let backup = PolicyConfig {
        application: Some("backup".into()),
        selection: Selection::LowestCost,
        ..PolicyConfig::matching_all("backup")
    };
    let mut sim = sites(vec![video, backup]);
    let (fiber, lte) = (sim.link_id(0, FIBER), sim.link_id(0, LTE));
    // The QUIC flow is youtube's from its Initial.
    let quic = |payload: &[u8]| packet(1, 2, 17, (50000, 443), payload);
    assert_eq!(send(&mut sim, &quic(QUIC_YOUTUBE)), [fiber]);
    // Site B's resolver answers a Backblaze name with B's address; then a backup flow begins.
    let answer = dns_answer("f001.backblazeb2.com", [100, 64, 0, 2]);
    sim.nodes[1].node.handle_tun_packet(sim.now, &packet(2, 1, 17, (53, 33333), &answer));
    sim.run_for(Duration::from_millis(100));
    let backup_flow = |payload: &[u8]| packet(1, 2, 6, (40000, 9000), payload);
    assert_eq!(send(&mut sim, &backup_flow(b"")), [fiber]);
    let traffic = |sim: &mut Sim, d: Duration| {
        let (mut q, mut b) = (Vec::new(), Vec::new());
        for _ in 0..d.as_millis() / 10 {
            q.extend(send(sim, &quic(&[0x40; 1100])));
            b.extend(send(sim, &backup_flow(&[0x17; 900])));
            sim.run_for(Duration::from_millis(10));
        }
        (q, b)
    };
    let (q, b) = traffic(&mut sim, Duration::from_secs(1));
    assert!(q.iter().all(|l| *l == fiber) && b.iter().all(|l| *l == fiber), "{q:?} {b:?}");

    // +50 ms each way on A's fiber: 110 ms of round trip, over the SLA.
    sim.line(0, FIBER).latency += Duration::from_millis(50);
    let (q, b) = traffic(&mut sim, Duration::from_secs(3));
    let first_lte = q.iter().position(|l| *l == lte).expect("the video flow never moved");
    // Within a second (100 packets), and for good.
    assert!(first_lte < 100, "moved after {first_lte} packets");
    assert!(q[first_lte..].iter().all(|l| *l == lte), "{q:?}");
    assert!(b.iter().all(|l| *l == fiber), "the backup flow left fiber: {b:?}");
    let apps = sim.nodes[0].node.top_applications(10);
    let names: Vec<&str> = apps.iter().map(|a| a.name.as_str()).collect();
    assert!(names.contains(&"youtube") && names.contains(&"backblaze"), "{names:?}");
    assert_eq!(sim.nodes[0].node.late_moves(), Some(0));
}

/// A tenant's application `erp` (its own domain, and a prefix on TCP 8443): a policy naming it
/// steers a flow to an address a DNS answer gave for its domain, and a flow to its prefix, from
/// the first packet; a later document without it forgets it, and one with it again relearns it
/// without losing what was counted for the built-in applications.
#[test]
fn a_tenants_own_application_is_recognised_and_steered_and_follows_the_document() {
    use patronus_api::applications::{Application, Category, PortRule};
    use patronus_api::Protocol;
    let erp = Application {
        name: "erp".into(),
        category: Category::Business,
        domains: vec!["*.erp.corp.example".into()],
        prefixes: vec!["100.64.0.2/32".parse().unwrap()],
        ports: vec![PortRule { protocol: Protocol::Tcp, ports: vec!["8443".parse().unwrap()] }],
        signature: None,
    };
    let mut sim = Sim::new(7);
    let timing = PathTiming::default();
    sim.add_node(1, &[(FIBER, "192.0.2.1:51820"), (LTE, "198.51.100.1:51820")], timing);
    sim.add_node(2, &[(FIBER, "192.0.2.2:51820"), (LTE, "198.51.100.2:51820")], timing);
    sim.policies = vec![on_lte("erp", "erp"), on_lte("video", "video")];
    sim.applications = vec![erp];
    sim.mesh();
    for seq in 0..200 {
        let p = sim.packet(0, 1, seq);
        sim.tun_packet(0, &p);
        sim.run_for(Duration::from_millis(10));
    }
    let (fiber, lte) = (sim.link_id(0, FIBER), sim.link_id(0, LTE));

    // By its prefix and port, from the SYN; the same address on another port is not erp.
    assert_eq!(send(&mut sim, &packet(1, 2, 6, (40000, 8443), b"")), [lte]);
    assert_eq!(send(&mut sim, &packet(1, 2, 6, (40001, 9999), b"")), [fiber]);
    // A built-in application alongside: youtube over QUIC under video.
    assert_eq!(send(&mut sim, &packet(1, 2, 17, (50000, 443), QUIC_YOUTUBE)), [lte]);
    // By a DNS answer for one of its names, from the SYN (the simulated sites have one address
    // each, so from here on every new flow to B is erp's).
    assert_eq!(send(&mut sim, &packet(1, 2, 6, (40002, 443), b"")), [fiber]);
    let answer = dns_answer("eu.erp.corp.example", [100, 64, 0, 2]);
    sim.nodes[1].node.handle_tun_packet(sim.now, &packet(2, 1, 17, (53, 33333), &answer));
    sim.run_for(Duration::from_millis(100));
    assert_eq!(send(&mut sim, &packet(1, 2, 6, (40004, 443), b"")), [lte]);
    assert_eq!(sim.nodes[0].node.late_moves(), Some(0));
    let names = |sim: &Sim| sim.nodes[0].node.top_applications(10).into_iter().map(|a| a.name).collect::<Vec<_>>();
    assert!(
        names(&sim).contains(&"erp".to_string()) && names(&sim).contains(&"youtube".to_string()),
        "{:?}",
        names(&sim)
    );

    // The tenant deletes erp (and the policy naming it): its flows take the default path, and
    // what DNS answers taught about it is forgotten.
    sim.applications.clear();
    sim.policies = vec![on_lte("video", "video")];
    sim.mesh();
    assert_eq!(send(&mut sim, &packet(1, 2, 6, (40003, 8443), b"")), [fiber]);
    assert!(!names(&sim).contains(&"erp".to_string()));
    let youtube = sim.nodes[0].node.top_applications(10).into_iter().find(|a| a.name == "youtube").unwrap();
    assert_eq!(youtube.flows, 1, "what was counted for youtube stays");
    assert_eq!(send(&mut sim, &packet(1, 2, 17, (50001, 443), QUIC_YOUTUBE)), [lte]);
}
