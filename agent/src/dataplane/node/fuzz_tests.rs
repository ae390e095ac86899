//! Property tests over everything that parses bytes or text from outside: datagrams on the
//! WireGuard port (random, truncated, mutated real ones), packets from the TUN of any size, path
//! probes, and the prefixes, keys and endpoints of a site configuration. Each property runs a
//! bounded number of cases (`PROPTEST_CASES` overrides it), so `cargo test` stays quick.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use boringtun::noise::rate_limiter::RateLimiter;
use boringtun::x25519::{PublicKey, StaticSecret};
use proptest::prelude::*;

use super::path::{LinkId, PathSpec, PathTiming};
use super::peer::{Outbox, PeerCore};
use super::probe::Probe;
use super::routes::{self, Prefix};
use super::wire::{classify, Dispatch};

#[derive(Default)]
struct Sink {
    sent: Vec<(LinkId, SocketAddr, Vec<u8>)>,
    tun: Vec<Vec<u8>>,
}

impl Outbox for Sink {
    fn send(&mut self, link: LinkId, dst: SocketAddr, _tos: u8, datagram: &[u8]) {
        self.sent.push((link, dst, datagram.to_vec()));
    }
    fn to_tun(&mut self, packet: &[u8]) {
        self.tun.push(packet.to_vec());
    }
}

fn ep() -> SocketAddr {
    "192.0.2.1:51820".parse().unwrap()
}

/// Two peers with an established session; returns (a, b) and a data datagram from a to b.
fn pair() -> (PeerCore, PeerCore, Vec<u8>) {
    let now = Instant::now();
    let ka = StaticSecret::random_from_rng(rand::rngs::OsRng);
    let kb = StaticSecret::random_from_rng(rand::rngs::OsRng);
    let (pa, pb) = (PublicKey::from(&ka), PublicKey::from(&kb));
    let mk = |k: &StaticSecret, p: PublicKey, pk: &PublicKey, i| {
        let mut c = PeerCore::new(
            k.clone(),
            p,
            i,
            Arc::new(RateLimiter::new(pk, 100)),
            [100, 64, 0, i as u8].into(),
            PathTiming::default(),
        );
        c.set_paths(&[PathSpec { link: LinkId(0), link_priority: 0, endpoint: ep(), endpoint_priority: 0 }], now);
        c.set_allowed(vec!["0.0.0.0/0".parse().unwrap()]);
        c
    };
    let mut a = mk(&ka, pb, &pa, 1);
    let mut b = mk(&kb, pa, &pb, 2);
    let mut buf = vec![0u8; 2048];
    let (mut sa, mut sb) = (Sink::default(), Sink::default());
    let mut packet = vec![0u8; 40];
    packet[0] = 0x45;
    packet[2..4].copy_from_slice(&40u16.to_be_bytes());
    a.encapsulate(&packet, now, &mut buf, &mut sa);
    for _ in 0..4 {
        for (l, s, d) in std::mem::take(&mut sa.sent) {
            b.decapsulate(l, s, &d, now, &mut buf, &mut sb);
        }
        for (l, s, d) in std::mem::take(&mut sb.sent) {
            a.decapsulate(l, s, &d, now, &mut buf, &mut sa);
        }
    }
    assert_eq!(sb.tun.len(), 1, "the session did not come up");
    a.encapsulate(&packet, now, &mut buf, &mut sa);
    let data = sa.sent.pop().unwrap().2;
    (a, b, data)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_datagrams_never_panic_and_never_reach_the_tun(
        data in proptest::collection::vec(any::<u8>(), 0..300),
        kind in 0u8..6,
    ) {
        let (_a, mut b, _) = pair();
        let mut d = data;
        if let Some(first) = d.first_mut() {
            *first = kind;
        }
        let _ = classify(&d);
        let mut sink = Sink::default();
        let mut buf = vec![0u8; 2048];
        b.decapsulate(LinkId(0), ep(), &d, Instant::now(), &mut buf, &mut sink);
        prop_assert!(sink.tun.is_empty());
    }

    #[test]
    fn mutated_or_truncated_data_packets_are_rejected(pos in any::<prop::sample::Index>(), bit in 0u8..8, cut in any::<prop::sample::Index>()) {
        let (_a, mut b, data) = pair();
        let mut sink = Sink::default();
        let mut buf = vec![0u8; 2048];
        let mut flipped = data.clone();
        let i = pos.index(flipped.len());
        flipped[i] ^= 1 << bit;
        b.decapsulate(LinkId(0), ep(), &flipped, Instant::now(), &mut buf, &mut sink);
        let truncated = &data[..cut.index(data.len())];
        b.decapsulate(LinkId(0), ep(), truncated, Instant::now(), &mut buf, &mut sink);
        // Only a flip in the reserved bytes of the header (1..4) can leave the packet valid.
        prop_assert!(sink.tun.is_empty() || (1..4).contains(&i));
        // The genuine packet still goes through afterwards: nothing stalled.
        b.decapsulate(LinkId(0), ep(), &data, Instant::now(), &mut buf, &mut sink);
        prop_assert!(!sink.tun.is_empty());
    }

    #[test]
    fn tun_packets_of_any_size_are_handled(len in 0usize..65536, first in any::<u8>()) {
        let (mut a, _b, _) = pair();
        let mut packet = vec![0u8; len];
        if let Some(f) = packet.first_mut() {
            *f = first;
        }
        let _ = routes::destination(&packet);
        let mut sink = Sink::default();
        let mut buf = vec![0u8; 65536 + 32];
        a.encapsulate(&packet, Instant::now(), &mut buf, &mut sink);
    }

    #[test]
    fn probes_decode_only_what_they_encode(data in proptest::collection::vec(any::<u8>(), 0..64)) {
        if let Some(p) = Probe::decode(&data) {
            let mut again = [0u8; super::probe::LEN];
            p.encode([0, 0, 0, 0].into(), &mut again);
            prop_assert_eq!(Probe::decode(&again), Some(p));
        }
    }

    #[test]
    fn prefixes_parse_or_fail_cleanly(s in "\\PC{0,48}") {
        if let Ok(p) = s.parse::<Prefix>() {
            prop_assert_eq!(p.to_string().parse::<Prefix>().unwrap(), p);
            prop_assert!(p.contains(p.addr()));
        }
    }

    #[test]
    fn prefixes_from_numbers_round_trip(a in any::<u32>(), len in 0u8..=32) {
        let s = format!("{}/{}", std::net::Ipv4Addr::from(a), len);
        let p: Prefix = s.parse().unwrap();
        prop_assert!(p.contains(std::net::Ipv4Addr::from(a).into()));
    }
}

#[test]
fn classify_finds_the_receiver_index() {
    let mut d = vec![0u8; 32];
    d[0] = 4;
    d[4..8].copy_from_slice(&((7u32 << 8) | 3).to_le_bytes());
    assert_eq!(classify(&d), Dispatch::ByIndex(7));
    let mut r = vec![0u8; 92];
    r[0] = 2;
    r[8..12].copy_from_slice(&(9u32 << 8).to_le_bytes());
    assert_eq!(classify(&r), Dispatch::ByIndex(9));
    assert_eq!(classify(&[1u8; 148]), Dispatch::HandshakeInit);
    for bad in [&[][..], &[4u8, 0, 0][..], &[7u8; 40][..], &[0u8; 40][..]] {
        assert_eq!(classify(bad), Dispatch::Invalid);
    }
}

/// A flood of genuine handshake initiations past the rate limit is answered with cookie replies
/// instead of Diffie-Hellman work, and an initiator that echoes the cookie still gets through.
#[test]
fn handshake_flood_gets_cookies_and_a_cookie_holder_gets_through() {
    use boringtun::noise::{Tunn, TunnResult};
    let now = Instant::now();
    let ka = StaticSecret::random_from_rng(rand::rngs::OsRng);
    let kb = StaticSecret::random_from_rng(rand::rngs::OsRng);
    let (pa, pb) = (PublicKey::from(&ka), PublicKey::from(&kb));
    let mut attacker = Tunn::new(ka.clone(), pb, None, None, 1, None);
    let mut b =
        PeerCore::new(kb, pa, 2, Arc::new(RateLimiter::new(&pb, 5)), [100, 64, 0, 2].into(), PathTiming::default());
    b.set_paths(&[PathSpec { link: LinkId(0), link_priority: 0, endpoint: ep(), endpoint_priority: 0 }], now);
    let mut buf = vec![0u8; 2048];
    let mut out = vec![0u8; 2048];
    let mut sink = Sink::default();
    for _ in 0..50 {
        let TunnResult::WriteToNetwork(init) = attacker.format_handshake_initiation(&mut out, true) else {
            panic!("no initiation");
        };
        let init = init.to_vec();
        b.decapsulate(LinkId(0), ep(), &init, now, &mut buf, &mut sink);
    }
    let kinds: Vec<u8> = sink.sent.iter().map(|s| s.2[0]).collect();
    let cookies = kinds.iter().filter(|k| **k == 3).count();
    let responses = kinds.iter().filter(|k| **k == 2).count();
    assert!(responses <= 6, "{responses} handshakes answered under load");
    assert!(cookies >= 40, "{cookies} cookie replies");

    // The initiator takes the cookie; its next initiation carries mac2 and is answered.
    let cookie = sink.sent.iter().rev().find(|s| s.2[0] == 3).unwrap().2.clone();
    let _ = attacker.decapsulate(Some(ep().ip()), &cookie, &mut out);
    let TunnResult::WriteToNetwork(init) = attacker.format_handshake_initiation(&mut out, true) else {
        panic!("no initiation");
    };
    let init = init.to_vec();
    sink.sent.clear();
    b.decapsulate(LinkId(0), ep(), &init, now, &mut buf, &mut sink);
    assert_eq!(sink.sent.first().map(|s| s.2[0]), Some(2), "cookie holder was not answered");
}
