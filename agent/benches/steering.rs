//! Per-packet cost of classification plus path choice (`Node::decide`): 100 policies, 10,000
//! flows, one peer with four paths that are up. Encryption is not included.
//!
//! `cargo bench -p patronus-agent --bench steering`
//!
//! - `known_flow`: the steady state, a packet of one of 10,000 flows already in the flow table;
//! - `new_flow`: a packet whose flow is not in the table, so it is classified against the 100
//!   policies (the last one matches) and remembered (the table is cleared between batches);
//! - `no_policies`: the same packets with no policy at all: the route lookup alone.
//!
//! Those three run with application recognition off, as before it existed; the `recognition_*`
//! cases are the same with it on (the default): every flow's first packet is inspected (these
//! UDP packets carry 36 zero bytes, which name no application: the port decides), a known flow's
//! packet costs its application's counters besides, and without policies the flow table is
//! looked up at all. `recognition_quic_new_flow`: new flows whose first packet is a real QUIC
//! Initial to youtube (decrypted to read its SNI), taken by a `video` policy ahead of the 100.

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use patronus_agent::dataplane::node::path::PathTiming;
use patronus_agent::dataplane::node::policy::{PolicyConfig, Selection, Sla};
use patronus_agent::dataplane::node::{LinkConfig, Node, NodeConfig, PeerConfig};

const QUIC_YOUTUBE: &[u8] = include_bytes!("../src/apps/testdata/quic_aioquic_youtube_v1.bin");
use uuid::Uuid;

const FLOWS: u32 = 10_000;
const POLICIES: u16 = 100;

fn policies() -> Vec<PolicyConfig> {
    (0..POLICIES)
        .map(|i| PolicyConfig {
            name: format!("p{i}"),
            protocol: Some(if i % 2 == 0 { 6 } else { 17 }),
            sources: vec![],
            destinations: vec![format!("10.2.{}.0/24", i % 250).parse().expect("prefix")],
            // The last policy takes every UDP flow to 10.2.0.0/16; the others need ports no flow
            // uses, so every classification tries them all.
            ports: if i == POLICIES - 1 { vec![] } else { vec![(1000 + i, 1000 + i)] },
            dscp: None,
            application: None,
            selection: Selection::LowestLatency,
            link_preference: vec![],
            sla: Sla { max_latency: Some(Duration::from_millis(80)), ..Sla::default() },
            hold_down: Duration::from_secs(10),
            outer_dscp: 46,
        })
        .map(|mut p| {
            if p.name == format!("p{}", POLICIES - 1) {
                p.destinations = vec!["10.2.0.0/16".parse().expect("prefix")];
            }
            p
        })
        .collect()
}

fn node(with_policies: bool, recognition: bool) -> Node {
    node_with(if with_policies { policies() } else { vec![] }, recognition)
}

fn node_with(policies: Vec<PolicyConfig>, recognition: bool) -> Node {
    let mut node = Node::new([7u8; 32], PathTiming::default(), 1);
    node.set_recognition(recognition);
    let config = NodeConfig {
        overlay: Ipv4Addr::new(100, 64, 0, 1),
        links: vec![
            LinkConfig { name: "fiber".into(), priority: 0, cost: 0 },
            LinkConfig { name: "lte".into(), priority: 1, cost: 10 },
        ],
        peers: vec![PeerConfig {
            site_id: Uuid::from_u128(2),
            key: [9u8; 32],
            allowed: vec!["10.2.0.0/16".parse().expect("prefix"), "100.64.0.2/32".parse().expect("prefix")],
            endpoints: vec![
                ("192.0.2.2:51820".parse().expect("addr"), 0),
                ("198.51.100.2:51820".parse().expect("addr"), 1),
            ],
        }],
        policies,
        probe_dscp: 0,
        applications: Vec::new(),
    };
    node.apply(&config, Instant::now());
    node
}

/// UDP packets of `FLOWS` flows: source ports differ.
fn packets() -> Vec<Vec<u8>> {
    (0..FLOWS)
        .map(|f| {
            let mut p = vec![0u8; 64];
            p[0] = 0x45;
            p[2..4].copy_from_slice(&64u16.to_be_bytes());
            p[9] = 17;
            p[12..16].copy_from_slice(&[10, 1, 0, 5]);
            p[16..20].copy_from_slice(&[10, 2, (f % 200) as u8, 9]);
            p[20..22].copy_from_slice(&((f % 60000) as u16 + 1024).to_be_bytes());
            p[22..24].copy_from_slice(&443u16.to_be_bytes());
            p
        })
        .collect()
}

/// `packets()`, each carrying a QUIC Initial to youtube instead of zeros.
fn quic_packets() -> Vec<Vec<u8>> {
    packets()
        .into_iter()
        .take(1000)
        .map(|mut p| {
            p.truncate(28);
            p.extend_from_slice(QUIC_YOUTUBE);
            let len = p.len() as u16;
            p[2..4].copy_from_slice(&len.to_be_bytes());
            p
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let packets = packets();
    let now = Instant::now();
    let mut group = c.benchmark_group("decide");
    let mut steered = node(true, false);
    for p in &packets {
        assert!(steered.decide(now, p).is_some());
    }
    assert_eq!(steered.flow_count(), FLOWS as usize);
    let mut k = 0usize;
    group.bench_function("known_flow", |b| {
        b.iter(|| {
            k = (k + 1) % packets.len();
            steered.decide(now, &packets[k])
        })
    });
    group.bench_function("new_flow", |b| {
        b.iter_batched_ref(
            || node(true, false),
            |n| {
                for p in packets.iter().take(1000) {
                    std::hint::black_box(n.decide(now, p));
                }
            },
            BatchSize::LargeInput,
        )
    });
    let mut plain = node(false, false);
    group.bench_function("no_policies", |b| {
        b.iter(|| {
            k = (k + 1) % packets.len();
            plain.decide(now, &packets[k])
        })
    });

    let mut recognising = node(true, true);
    for p in &packets {
        assert!(recognising.decide(now, p).is_some());
    }
    group.bench_function("recognition_known_flow", |b| {
        b.iter(|| {
            k = (k + 1) % packets.len();
            recognising.decide(now, &packets[k])
        })
    });
    group.bench_function("recognition_new_flow", |b| {
        b.iter_batched_ref(
            || node(true, true),
            |n| {
                for p in packets.iter().take(1000) {
                    std::hint::black_box(n.decide(now, p));
                }
            },
            BatchSize::LargeInput,
        )
    });
    let mut plain = node(false, true);
    for p in &packets {
        assert!(plain.decide(now, p).is_some());
    }
    group.bench_function("recognition_no_policies", |b| {
        b.iter(|| {
            k = (k + 1) % packets.len();
            plain.decide(now, &packets[k])
        })
    });
    let quic = quic_packets();
    let video = PolicyConfig {
        name: "video".into(),
        protocol: None,
        destinations: vec![],
        ports: vec![],
        application: Some("video".into()),
        ..policies()[0].clone()
    };
    let with_video = || node_with(std::iter::once(video.clone()).chain(policies()).collect(), true);
    {
        // Each of them is youtube's, and the video policy takes it.
        let mut n = with_video();
        let before = n.policy_statuses()[0].packets;
        for p in &quic {
            n.decide(now, p);
        }
        assert_eq!(n.policy_statuses()[0].packets - before, quic.len() as u64);
    }
    group.bench_function("recognition_quic_new_flow", |b| {
        b.iter_batched_ref(
            with_video,
            |n| {
                for p in &quic {
                    std::hint::black_box(n.decide(now, p));
                }
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
