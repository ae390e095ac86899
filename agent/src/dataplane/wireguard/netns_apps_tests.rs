//! Application policies on two real dataplanes in namespaces (issue 17): a policy that puts the
//! `video` category on lte carries a QUIC flow whose Initial names youtube, and a TLS flow whose
//! ClientHello does (after its SYN went the default way: one late move), over A's lte uplink,
//! while other traffic to the same port stays on fiber, and a flow to an address a DNS answer
//! through the tunnel named takes lte from its SYN, as a packet socket in the router sees the
//! outer datagrams. Skipped where the namespace tests are.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::time::Duration;

use patronus_api::network::{PathSelection, PolicyAction, PolicyMatch, Protocol};
use patronus_api::SiteConfig;

use super::netns_tests::{capture, config, echo_server, key, skip_reason, topology_named, wait_until, NsAgent, Seen};
use super::*;

const QUIC_YOUTUBE: &[u8] = include_bytes!("../../apps/testdata/quic_aioquic_youtube_v1.bin");
const TLS_YOUTUBE: &[u8] = include_bytes!("../../apps/testdata/tls_curl_youtube.bin");

fn video_on_lte() -> patronus_api::ConfigPolicy {
    patronus_api::ConfigPolicy {
        name: "video".into(),
        priority: 1,
        matches: PolicyMatch {
            protocol: Protocol::Any,
            source_prefixes: vec![],
            destination_prefixes: vec![],
            destination_ports: vec![],
            dscp: None,
            application: Some("video".into()),
        },
        action: PolicyAction {
            qos_class: None,
            path_selection: PathSelection::Ordered,
            link_preference: vec!["lte".into(), "fiber".into()],
            sla: None,
            failover_hold_down_seconds: 0,
        },
    }
}

/// Sends `payload` `count` times from one UDP socket inside `ns` (one flow) and waits for each
/// echo.
fn udp_flow(ns: &str, to: &'static str, payload: Vec<u8>, count: usize) -> usize {
    let ns_file = File::open(format!("/var/run/netns/{ns}")).unwrap();
    std::thread::spawn(move || {
        sys::enter_netns(&ns_file).unwrap();
        let sock = UdpSocket::bind("0.0.0.0:0").unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
        let mut echoed = 0;
        let mut buf = [0u8; 2048];
        for _ in 0..count {
            sock.send_to(&payload, to).unwrap();
            if matches!(sock.recv_from(&mut buf), Ok((n, _)) if n == payload.len()) {
                echoed += 1;
            }
        }
        echoed
    })
    .join()
    .unwrap()
}

/// Of the WireGuard data messages the router saw from A whose length `len` accepts: how many
/// came from A's fiber uplink (10.11.0.2) and how many from its lte (10.12.0.2).
fn uplinks_from_a(seen: &[Seen], len: &dyn Fn(usize) -> bool) -> (usize, usize) {
    let data = seen.iter().filter(|s| s.kind == 4 && len(s.len));
    (data.clone().filter(|s| s.src[..2] == [10, 11]).count(), data.filter(|s| s.src[..2] == [10, 12]).count())
}

/// Sends `payload` from UDP port 53 of B's overlay address inside `ns` to `to`: a DNS answer
/// from a resolver at site B.
fn send_from_port_53(ns: &str, to: &'static str, payload: Vec<u8>) {
    let ns_file = File::open(format!("/var/run/netns/{ns}")).unwrap();
    std::thread::spawn(move || {
        sys::enter_netns(&ns_file).unwrap();
        let sock = UdpSocket::bind("100.64.0.2:53").unwrap();
        sock.send_to(&payload, to).unwrap();
    })
    .join()
    .unwrap()
}

/// A TCP server inside `ns` at `addr` that reads what it is sent and answers each read with 1 byte.
fn tcp_server(ns: &str, addr: &'static str) {
    let ns_file = File::open(format!("/var/run/netns/{ns}")).unwrap();
    std::thread::spawn(move || {
        sys::enter_netns(&ns_file).unwrap();
        let listener = TcpListener::bind(addr).unwrap();
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut stream = stream;
                let mut buf = [0u8; 4096];
                while let Ok(n) = stream.read(&mut buf) {
                    if n == 0 || stream.write_all(b"k").is_err() {
                        break;
                    }
                }
            });
        }
    });
}

/// Connects from inside `ns` to `to`, sends `hello`, waits for the answer, sends `more`.
fn tcp_flow(ns: &str, to: &'static str, hello: &'static [u8], more: usize) -> bool {
    let ns_file = File::open(format!("/var/run/netns/{ns}")).unwrap();
    std::thread::spawn(move || {
        sys::enter_netns(&ns_file).unwrap();
        let mut s = TcpStream::connect_timeout(&to.parse().unwrap(), Duration::from_secs(2)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        s.set_nodelay(true).unwrap();
        let mut b = [0u8; 1];
        s.write_all(hello).unwrap();
        let mut ok = s.read_exact(&mut b).is_ok();
        for _ in 0..more {
            s.write_all(&[0x17; 300]).unwrap();
            ok &= s.read_exact(&mut b).is_ok();
        }
        ok
    })
    .join()
    .unwrap()
}

#[test]
fn a_video_flow_takes_the_video_policys_lte_uplink_and_other_traffic_stays_on_fiber() {
    if let Some(why) = skip_reason() {
        println!("skipped: the namespace test needs root, /dev/net/tun and ip ({why})");
        return;
    }
    let tag = format!("v{}", std::process::id() % 10_000);
    let topo = topology_named("pa-", &tag);
    let (ns_r, ns_a, ns_b) = (topo.ns[0].clone(), topo.ns[1].clone(), topo.ns[2].clone());
    let (ka, pa) = key();
    let (kb, pb) = key();
    let a = NsAgent::start(&ns_a, ka);
    let b = NsAgent::start(&ns_b, kb);
    let with_video = |mut c: SiteConfig| {
        c.policies = vec![video_on_lte()];
        c
    };
    let ca = with_video(config("a", 1, ("b", 2, &pb), &[]));
    let cb = config("b", 2, ("a", 1, &pa), &[]);
    a.call(move |wg| wg.apply(&ca)).unwrap();
    b.call(move |wg| wg.apply(&cb)).unwrap();
    echo_server(&ns_b, "100.64.0.2:443");
    tcp_server(&ns_b, "100.64.0.2:8443");
    assert!(
        wait_until(Duration::from_secs(10), || udp_flow(&ns_a, "100.64.0.2:443", b"ping".to_vec(), 1) == 1).is_some()
    );
    let lte_active = || a.call(|wg| wg.policies()[0].peers[0].active_link.as_deref() == Some("lte"));
    assert!(wait_until(Duration::from_secs(10), lte_active).is_some(), "the video policy never took lte");

    let stop = Arc::new(AtomicBool::new(false));
    let (capturing, ready) = capture(&ns_r, stop.clone());
    ready.recv_timeout(Duration::from_secs(5)).unwrap();
    // QUIC: 1200 bytes of UDP payload, a 1228-byte inner packet, a 1260-byte WireGuard message;
    // the same size of other bytes to the same port is no application.
    assert_eq!(udp_flow(&ns_a, "100.64.0.2:443", QUIC_YOUTUBE.to_vec(), 10), 10);
    assert_eq!(udp_flow(&ns_a, "100.64.0.2:443", vec![0x5a; 1100], 10), 10);
    // TLS: SYN, then the 517-byte ClientHello, then ten 300-byte records.
    assert!(tcp_flow(&ns_a, "100.64.0.2:8443", TLS_YOUTUBE, 10));
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    let seen = capturing.join().unwrap();

    let uplinks = |len: &dyn Fn(usize) -> bool| uplinks_from_a(&seen, len);
    let quic = uplinks(&|l| l == 1228 + 32);
    let other = uplinks(&|l| l == 1128 + 32);
    // The ClientHello with a 20 to 40-byte TCP header; the records after it likewise.
    let hello = uplinks(&|l| (517 + 40 + 32..=517 + 60 + 32).contains(&l));
    let records = uplinks(&|l| (300 + 40 + 32..=300 + 60 + 32).contains(&l));
    let syn = uplinks(&|l| (40 + 32..=60 + 32).contains(&l) && l != 72);
    println!(
        "(fiber, lte) from A: quic {quic:?}, other {other:?}, hello {hello:?}, records {records:?}, syn-sized {syn:?}"
    );
    assert_eq!(quic, (0, 10), "every QUIC datagram on lte");
    assert_eq!(other, (10, 0), "the other flow on fiber");
    assert_eq!(hello, (0, 1), "the ClientHello on lte");
    assert_eq!(records, (0, 10), "the TLS flow stays on lte");
    assert!(syn.0 >= 1, "its SYN went by fiber: {syn:?}");

    // DNS first: B's resolver answers www.youtube.com with B's address, through the tunnel to A
    // (the agent learns from the DNS answers it writes to its TUN). A's next flow there carries
    // nothing an inspector recognises, and is youtube's from its SYN: every packet on lte.
    send_from_port_53(
        &ns_b,
        "100.64.0.1:33333",
        super::super::node::apps_tests::dns_answer("www.youtube.com", [100, 64, 0, 2]),
    );
    std::thread::sleep(Duration::from_millis(300));
    let stop = Arc::new(AtomicBool::new(false));
    let (capturing, ready) = capture(&ns_r, stop.clone());
    ready.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(tcp_flow(&ns_a, "100.64.0.2:8443", &[b'.'; 100], 10));
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    let seen = capturing.join().unwrap();
    let uplinks = |len: &dyn Fn(usize) -> bool| uplinks_from_a(&seen, len);
    // Sizes of WireGuard data messages (inner packet + 32): the SYN, with its options a 60-byte
    // packet (92), apart from a bare ACK (84 with timestamps) and a path probe (72); the first
    // 100 bytes (184 to 192); the ten 300-byte records.
    let syn = uplinks(&|l| (88..=100).contains(&l));
    let plain = uplinks(&|l| (100 + 52 + 32..=100 + 60 + 32).contains(&l));
    let records = uplinks(&|l| (300 + 40 + 32..=300 + 60 + 32).contains(&l));
    println!("(fiber, lte) from A after the DNS answer: syn-sized {syn:?}, first bytes {plain:?}, records {records:?}");
    assert_eq!(syn.0, 0, "the SYN went by fiber: {syn:?}");
    assert!(syn.1 >= 1, "no SYN on lte: {syn:?}");
    assert_eq!(plain, (0, 1), "the flow's first bytes on lte");
    assert_eq!(records, (0, 10), "the flow stays on lte");

    let status = a.call(|wg| Dataplane::applications(wg));
    println!("{status:?}");
    let status = status.unwrap();
    assert_eq!(status.late_moves, 1, "the TLS flow moved once; the QUIC one and the DNS-named one never");
    let youtube = status.top.iter().find(|t| t.name == "youtube").unwrap();
    // QUIC, TLS and the DNS-named flow; and, usually, the ICMP port unreachable A's kernel sends
    // back for the answer, itself a flow to the answered address.
    assert!((3..=4).contains(&youtube.flows), "{youtube:?}");
    drop(a);
    drop(b);
    drop(topo);
}

/// The cost of recognition on the tunnel's throughput, run by `bench/app_recognition.sh`
/// (release build): one TCP stream through the tunnel (iperf3, unshaped) with recognition on and
/// off at both sites, in rounds of alternating order, first with no policies (recognition alone
/// then adds a flow-table lookup per packet and the inspection of each flow's first packets),
/// then with the `video` application policy ahead of the 100 policies of `dataplane_bench`.
#[test]
#[ignore = "benchmark: run through bench/app_recognition.sh"]
fn app_recognition_bench() {
    use super::netns_tests::{bench_class, hundred_policies, iperf, json_at, must, process_cpu_seconds, sh};
    if let Some(why) = skip_reason() {
        println!("skipped: {why}");
        return;
    }
    let secs: u32 = std::env::var("BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(10);
    let rounds: usize = std::env::var("BENCH_ROUNDS").ok().and_then(|s| s.parse().ok()).unwrap_or(3);
    let t = secs.to_string();
    let tag = format!("r{}", std::process::id() % 10_000);
    let topo = topology_named("pa-", &tag);
    let (ns_a, ns_b) = (topo.ns[1].clone(), topo.ns[2].clone());
    let (ka, pa) = key();
    let (kb, pb) = key();
    let unshaped = shaping::ShapingOptions { egress: false, ingress: false };
    let a = NsAgent::start_with(&ns_a, ka, unshaped);
    let b = NsAgent::start_with(&ns_b, kb, unshaped);
    let gbps = |v: &serde_json::Value| json_at(v, &["end", "sum_received", "bits_per_second"]) / 1e9;
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let list = |v: &[f64]| v.iter().map(|g| format!("{g:.2}")).collect::<Vec<_>>().join(" ");
    println!(
        "BENCH conditions: {} cores, {secs} s per run, {rounds} rounds, MTU 1420, both dataplanes in one process",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)
    );
    for with_policies in [false, true] {
        let (mut ca, mut cb) = (config("a", 1, ("b", 2, &pb), &[]), config("b", 2, ("a", 1, &pa), &[]));
        if with_policies {
            for c in [&mut ca, &mut cb] {
                c.policies = std::iter::once(video_on_lte()).chain(hundred_policies()).collect();
                c.qos_classes = vec![bench_class()];
            }
        }
        a.call(move |wg| wg.apply(&ca)).unwrap();
        b.call(move |wg| wg.apply(&cb)).unwrap();
        assert!(wait_until(Duration::from_secs(10), || {
            sh(&["ip", "netns", "exec", &ns_a, "ping", "-c1", "-W1", "-q", "100.64.0.2"])
        })
        .is_some());
        let run = |on: bool| {
            a.call(move |wg| wg.set_app_recognition(on));
            b.call(move |wg| wg.set_app_recognition(on));
            std::thread::sleep(Duration::from_secs(1));
            must(&["ip", "netns", "exec", &ns_b, "iperf3", "-s", "-D", "-1"]);
            std::thread::sleep(Duration::from_millis(300));
            let cpu0 = process_cpu_seconds();
            let g = gbps(&iperf(&ns_a, &["-c", "100.64.0.2", "-t", &t]));
            (g, (process_cpu_seconds() - cpu0) / (g * f64::from(secs)).max(1e-9))
        };
        let (mut on, mut off) = (Vec::new(), Vec::new());
        for round in 0..rounds {
            for recognise in if round % 2 == 0 { [false, true] } else { [true, false] } {
                let r = run(recognise);
                if recognise {
                    on.push(r)
                } else {
                    off.push(r)
                }
            }
        }
        let (on, on_cpu): (Vec<f64>, Vec<f64>) = on.into_iter().unzip();
        let (off, off_cpu): (Vec<f64>, Vec<f64>) = off.into_iter().unzip();
        let what = if with_policies { "video policy + 100 policies" } else { "no policies" };
        let mut ratios: Vec<f64> = on.iter().zip(&off).map(|(o, f)| o * 100.0 / f.max(1e-9)).collect();
        let per_round = ratios.iter().map(|r| format!("{r:.0}%")).collect::<Vec<_>>().join(" ");
        ratios.sort_by(f64::total_cmp);
        // A round's two runs are back to back, so their ratio cancels what the shared machine
        // does over minutes; the median ignores the rounds a burst of other work hit.
        let median = if ratios.is_empty() {
            0.0
        } else if ratios.len() % 2 == 1 {
            ratios[ratios.len() / 2]
        } else {
            (ratios[ratios.len() / 2 - 1] + ratios[ratios.len() / 2]) / 2.0
        };
        println!(
            "BENCH {what}, 1 TCP stream: recognition off {} Gb/s, on {} Gb/s; on/off {:.1}% (means), {median:.1}% (median of rounds), per round {per_round}",
            list(&off),
            list(&on),
            mean(&on) * 100.0 / mean(&off).max(1e-9),
        );
        println!(
            "BENCH {what}, CPU (both dataplanes) per gigabit: off {} s/Gbit, on {} s/Gbit; on/off {:.1}% (means)",
            off_cpu.iter().map(|c| format!("{c:.3}")).collect::<Vec<_>>().join(" "),
            on_cpu.iter().map(|c| format!("{c:.3}")).collect::<Vec<_>>().join(" "),
            mean(&on_cpu) * 100.0 / mean(&off_cpu).max(1e-9)
        );
    }
    drop(a);
    drop(b);
    drop(topo);
}
