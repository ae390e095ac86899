//! What application recognition costs (`apps::Classifier::packet`), on the real fixtures of the
//! unit tests, with the built-in catalogue (74 applications).
//!
//! `cargo bench -p patronus-agent --bench recognition`
//!
//! - `new_flow/*`: a flow's first packet with its payload, through to the verdict, plus `end`
//!   (the flow is forgotten, so every iteration is a new flow): a TLS ClientHello (curl, SNI
//!   `www.youtube.com`), a QUIC v1 Initial (aioquic: key derivation, header protection,
//!   AES-128-GCM, CRYPTO frames, ClientHello), an HTTP/1 request (curl, `Host: github.com`), and
//!   a SYN to an address a DNS answer named (`dns_cached`);
//! - `established`: a 1,400-byte packet of one of 10,000 recognised flows;
//! - `dns_answer`: learning from one DNS answer (a CNAME chain to one address).

use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use patronus_agent::apps::flow::Limits;
use patronus_agent::apps::{Catalogue, Classifier, Verdict};
use patronus_agent::dataplane::node::flow::FlowKey;

const TLS_HELLO: &[u8] = include_bytes!("../src/apps/testdata/tls_curl_youtube.bin");
const QUIC_INITIAL: &[u8] = include_bytes!("../src/apps/testdata/quic_aioquic_youtube_v1.bin");
const HTTP_REQUEST: &[u8] = include_bytes!("../src/apps/testdata/http_curl_github.bin");
const DNS_ANSWER: &[u8] = include_bytes!("../src/apps/testdata/dns_answer_office_cname.bin");

fn key(protocol: u8, dst: IpAddr, src_port: u16, dst_port: u16) -> FlowKey {
    FlowKey { src: IpAddr::V4(Ipv4Addr::new(10, 1, 0, 2)), dst, protocol, src_port, dst_port }
}

fn new_classifier() -> Classifier {
    Classifier::new(Catalogue::builtin().expect("catalogue"), Limits::default())
}

fn bench(c: &mut Criterion) {
    eprintln!(
        "recognition: {} cores, built-in catalogue, fixtures from agent/src/apps/testdata",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let server: IpAddr = "192.0.2.10".parse().expect("address");
    let mut group = c.benchmark_group("new_flow");
    for (name, protocol, port, payload) in
        [("tls_sni", 6, 443, TLS_HELLO), ("quic_sni", 17, 443, QUIC_INITIAL), ("http_host", 6, 80, HTTP_REQUEST)]
    {
        let mut classifier = new_classifier();
        let flow = key(protocol, server, 40000, port);
        assert!(matches!(classifier.packet(Instant::now(), &flow, payload), Verdict::Recognised(_)));
        classifier.end(&flow);
        group.bench_function(name, |b| {
            b.iter(|| {
                let v = classifier.packet(Instant::now(), &flow, std::hint::black_box(payload));
                classifier.end(&flow);
                v
            })
        });
    }
    let mut classifier = new_classifier();
    let now = Instant::now();
    assert_eq!(classifier.learn_dns(now, DNS_ANSWER), 1);
    let flow = key(6, "198.51.100.7".parse().expect("address"), 40000, 443);
    group.bench_function("dns_cached", |b| {
        b.iter(|| {
            let v = classifier.packet(now, &flow, b"");
            classifier.end(&flow);
            v
        })
    });
    group.finish();

    let mut classifier = new_classifier();
    let now = Instant::now();
    let flows: Vec<FlowKey> =
        (0..10_000u32).map(|i| key(6, IpAddr::V4(Ipv4Addr::from(0xc000_0200 + i)), 40000, 443)).collect();
    for f in &flows {
        assert!(matches!(classifier.packet(now, f, TLS_HELLO), Verdict::Recognised(_)));
    }
    let data = [0x17u8; 1400];
    let mut i = 0;
    c.bench_function("established", |b| {
        b.iter(|| {
            i = (i + 7919) % flows.len();
            classifier.packet(now, &flows[i], std::hint::black_box(&data))
        })
    });

    let mut classifier = new_classifier();
    c.bench_function("dns_answer", |b| b.iter(|| classifier.learn_dns(now, std::hint::black_box(DNS_ANSWER))));
}

criterion_group!(benches, bench);
criterion_main!(benches);
