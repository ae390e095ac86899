//! Property tests over every byte the recognition reads from a flow: random, truncated,
//! mutated and oversized ClientHellos, QUIC Initials and DNS messages must never panic, and a
//! flow must be decided once its budget of packets is spent, so nothing stalls. A bounded number
//! of cases each (`PROPTEST_CASES` overrides it), so `cargo test` stays quick.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use proptest::prelude::*;

use super::dns::DnsCache;
use super::flow::{Classifier, Limits, Verdict};
use super::quic::{initial_header, CryptoStream, InitialKeys};
use super::{http, sip, ssh, tls, Catalogue, Inspect};
use crate::dataplane::node::flow::FlowKey;

const TLS: &[&[u8]] = &[
    include_bytes!("testdata/tls_curl_youtube.bin"),
    include_bytes!("testdata/tls_openssl_teams.bin"),
    include_bytes!("testdata/tls_openssl12_salesforce.bin"),
];
const QUIC: &[&[u8]] =
    &[include_bytes!("testdata/quic_aioquic_youtube_v1.bin"), include_bytes!("testdata/quic_aioquic_zoom_v2.bin")];
const DNS: &[&[u8]] = &[
    include_bytes!("testdata/dns_answer_office_cname.bin"),
    include_bytes!("testdata/dns_answer_office_aaaa.bin"),
    include_bytes!("testdata/dns_answer_zoom.bin"),
    include_bytes!("testdata/dns_query_zoom.bin"),
];

/// Every inspector on the same bytes, as a stream and as a datagram.
fn inspect_all(bytes: &[u8]) {
    let _ = tls::stream_server_name(bytes);
    let _ = tls::client_hello_server_name(bytes);
    let _ = http::request_host(bytes);
    let _ = ssh::identification(bytes);
    let _ = sip::request(bytes);
    let _ = super::dns::query(bytes);
    if let Some(header) = initial_header(bytes) {
        if let Some(keys) = InitialKeys::client(header.version, header.dcid) {
            let mut crypto = CryptoStream::default();
            keys.open_initials(bytes, |p| {
                crypto.add_frames(p);
            });
            let _ = crypto.server_name();
        }
    }
    let mut crypto = CryptoStream::default();
    crypto.add_frames(bytes);
    let _ = crypto.server_name();
    let catalogue = Catalogue::builtin().unwrap();
    DnsCache::default().learn(Instant::now(), &catalogue, bytes);
}

fn flow(protocol: u8, dst_port: u16) -> FlowKey {
    FlowKey {
        src: "10.1.0.2".parse().unwrap(),
        // 192.0.2.0/24 is in no prefix rule.
        dst: "192.0.2.99".parse().unwrap(),
        protocol,
        src_port: 40000,
        dst_port,
    }
}

/// A real fixture with some of its bytes replaced.
fn mutated(fixtures: &'static [&'static [u8]]) -> impl Strategy<Value = Vec<u8>> {
    (0..fixtures.len(), prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)).prop_map(
        move |(i, changes)| {
            let mut bytes = fixtures[i].to_vec();
            for (at, value) in changes {
                let at = at.index(bytes.len());
                bytes[at] = value;
            }
            bytes
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        inspect_all(&bytes);
    }

    #[test]
    fn mutated_client_hellos_initials_and_dns_messages_never_panic(
        bytes in prop_oneof![mutated(TLS), mutated(QUIC), mutated(DNS)],
    ) {
        inspect_all(&bytes);
    }

    #[test]
    fn a_truncated_client_hello_is_never_a_wrong_name(i in 0..TLS.len(), cut in any::<prop::sample::Index>()) {
        let whole = tls::stream_server_name(TLS[i]);
        let part = &TLS[i][..cut.index(TLS[i].len())];
        let got = tls::stream_server_name(part);
        prop_assert!(got == Inspect::NeedMore || got == whole, "{got:?}");
    }

    /// However a ClientHello is cut into records, its name comes out whole.
    #[test]
    fn a_client_hello_in_any_records_gives_its_name(
        i in 0..TLS.len(),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 1..4),
    ) {
        let hello = &TLS[i][5..];
        let mut at: Vec<usize> = cuts.iter().map(|c| 1 + c.index(hello.len() - 1)).collect();
        at.push(0);
        at.push(hello.len());
        at.sort_unstable();
        at.dedup();
        let mut stream = Vec::new();
        for w in at.windows(2) {
            stream.extend_from_slice(&[22, 3, 1]);
            stream.extend_from_slice(&((w[1] - w[0]) as u16).to_be_bytes());
            stream.extend_from_slice(&hello[w[0]..w[1]]);
        }
        prop_assert_eq!(tls::stream_server_name(&stream), tls::stream_server_name(TLS[i]));
    }

    #[test]
    fn a_truncated_initial_or_dns_message_never_panics(
        i in 0..QUIC.len() + DNS.len(),
        cut in any::<prop::sample::Index>(),
    ) {
        let bytes = if i < QUIC.len() { QUIC[i] } else { DNS[i - QUIC.len()] };
        inspect_all(&bytes[..cut.index(bytes.len())]);
    }

    /// Lengths and counts at their largest: a record of 16 KiB, a handshake claiming 16 MiB, a
    /// QUIC Initial of 64 KiB with a CRYPTO frame far past the buffer, a DNS header claiming
    /// 65,535 records of each kind.
    #[test]
    fn oversized_lengths_and_counts_never_panic(filler in any::<u8>(), len in 0usize..65536) {
        let mut record = vec![22, 3, 1, 0x40, 0x00, 1, 0xff, 0xff, 0xff];
        record.resize(5 + 16384, filler);
        inspect_all(&record);
        let mut initial = vec![0xc3, 0, 0, 0, 1, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0x7f, 0xff];
        initial.resize(len.max(64), filler);
        inspect_all(&initial);
        let mut frames = vec![0x06, 0xbf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x44, 0x00];
        frames.resize(len, filler);
        inspect_all(&frames);
        let mut dns = vec![0x12, 0x34, 0x81, 0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        dns.resize(len.min(4096), filler);
        inspect_all(&dns);
    }

    /// Random payloads to an address and ports of no rule: never an application, and decided
    /// (Unknown) once the flow's budget of packets is spent.
    #[test]
    fn random_flows_are_never_an_application_and_never_stay_pending(
        tcp in any::<bool>(),
        port in 20000u16..60000,
        packets in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..1500), 8),
    ) {
        let limits = Limits::default();
        let mut classifier = Classifier::new(Catalogue::builtin().unwrap(), limits);
        let key = flow(if tcp { 6 } else { 17 }, port);
        let now = Instant::now();
        let mut last = Verdict::Pending;
        for p in &packets {
            last = classifier.packet(now, &key, p);
            prop_assert!(!matches!(last, Verdict::Recognised(_)), "{last:?}");
        }
        prop_assert_eq!(packets.len() as u32, limits.packets);
        prop_assert_eq!(last, Verdict::Unknown);
    }
}
