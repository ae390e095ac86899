//! The labelled corpus (`testdata/corpus.jsonl`, made by `testdata/corpus.py`): the opening bytes
//! of curl, openssl s_client, aioquic, ssh, dig and sipsak flows to real-world server names, each
//! labelled with the application the name belongs to. Each flow goes through the classifier as
//! the dataplane would hand it over (a TCP flow's SYN, then its bytes in segments of one MSS);
//! at least 98 % must come out as their label. For each name also the answer a real dnsmasq
//! gave: once the classifier has seen it, a flow to the answered address is its application from
//! its first packet (the SYN). And random payloads must never come out as an application.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::flow::{Classifier, Limits, Verdict};
use super::Catalogue;
use crate::dataplane::node::flow::FlowKey;

const CORPUS: &str = include_str!("testdata/corpus.jsonl");
const MSS: usize = 1448;

#[derive(serde::Deserialize)]
struct Flow {
    label: String,
    client: String,
    transport: String,
    port: u16,
    name: String,
    /// For a `dns-answer`: the address the answer gave.
    #[serde(default)]
    address: Option<IpAddr>,
    payload: String,
}

fn corpus() -> Vec<Flow> {
    CORPUS.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn key(i: u32, protocol: u8, dst_port: u16) -> FlowKey {
    FlowKey {
        src: IpAddr::V4(Ipv4Addr::new(10, 1, 0, 2)),
        // 198.18.0.0/15 (benchmarking) is in no prefix rule.
        dst: IpAddr::V4(Ipv4Addr::from(0xc612_0000 + i)),
        protocol,
        src_port: 40000,
        dst_port,
    }
}

/// The verdict after all of a flow's packets, the application by name.
fn classify(c: &mut Classifier, flow: &FlowKey, payload: &[u8]) -> String {
    let now = Instant::now();
    let verdict = if flow.protocol == 6 {
        let syn = c.packet(now, flow, b"");
        payload.chunks(MSS).fold(syn, |_, segment| c.packet(now, flow, segment))
    } else {
        c.packet(now, flow, payload)
    };
    match verdict {
        Verdict::Recognised(app) => c.catalogue().name(app).to_string(),
        other => format!("{other:?}"),
    }
}

#[test]
fn at_least_98_percent_of_the_labelled_corpus_is_recognised_correctly() {
    let flows: Vec<Flow> = corpus().into_iter().filter(|f| f.transport != "dns-answer").collect();
    assert!(flows.len() >= 500, "{} flows", flows.len());
    let mut c = Classifier::new(Catalogue::builtin().unwrap(), Limits::default());
    let mut wrong = Vec::new();
    let mut per_client: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (i, f) in flows.iter().enumerate() {
        let protocol = if f.transport == "tcp" { 6 } else { 17 };
        let got = classify(&mut c, &key(i as u32, protocol, f.port), &hex::decode(&f.payload).unwrap());
        let tally = per_client.entry(&f.client).or_default();
        tally.1 += 1;
        if got == f.label {
            tally.0 += 1;
        } else {
            wrong.push(format!("{} {} {:?}: {got}, not {}", f.client, f.transport, f.name, f.label));
        }
    }
    let right = flows.len() - wrong.len();
    eprintln!("corpus: {right} of {} flows recognised correctly; per client {per_client:?}", flows.len());
    assert!(right * 100 >= flows.len() * 98, "{right} of {} right; wrong: {wrong:#?}", flows.len());
}

#[test]
fn after_its_dns_answer_a_flow_is_recognised_from_its_first_packet() {
    let answers: Vec<Flow> = corpus().into_iter().filter(|f| f.transport == "dns-answer").collect();
    assert!(answers.len() >= 150, "{} answers", answers.len());
    let mut c = Classifier::new(Catalogue::builtin().unwrap(), Limits::default());
    let now = Instant::now();
    let mut wrong = Vec::new();
    for (i, f) in answers.iter().enumerate() {
        c.learn_dns(now, &hex::decode(&f.payload).unwrap());
        let syn = FlowKey { dst: f.address.unwrap(), ..key(i as u32, 6, f.port) };
        let got = match c.packet(now, &syn, b"") {
            Verdict::Recognised(app) => c.catalogue().name(app).to_string(),
            other => format!("{other:?}"),
        };
        if got != f.label {
            wrong.push(format!("{} ({}): {got}, not {}", f.name, syn.dst, f.label));
        }
    }
    assert_eq!(wrong, Vec::<String>::new());
    assert_eq!(c.stats().by_dns as usize, answers.iter().filter(|f| f.label != "Pending").count());
}

#[test]
fn random_payloads_are_never_an_application() {
    let mut rng = StdRng::seed_from_u64(17);
    let mut c = Classifier::new(Catalogue::builtin().unwrap(), Limits::default());
    let mut false_apps = Vec::new();
    for i in 0..2000u32 {
        let tcp = rng.gen_bool(0.5);
        // Ports of no rule, and the ports TLS, QUIC and HTTP use (which have none either).
        let port = match i % 3 {
            0 => 443,
            1 => 80,
            _ => rng.gen_range(20000..60000),
        };
        let flow = key(i, if tcp { 6 } else { 17 }, port);
        let packets = rng.gen_range(1..=8);
        let now = Instant::now();
        for _ in 0..packets {
            let mut payload = vec![0u8; rng.gen_range(1..1500)];
            rng.fill(&mut payload[..]);
            if let Verdict::Recognised(app) = c.packet(now, &flow, &payload) {
                false_apps.push((flow, c.catalogue().name(app).to_string()));
                break;
            }
        }
    }
    assert_eq!(false_apps, vec![]);
}
