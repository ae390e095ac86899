//! One peer: its WireGuard session (`boringtun::noise::Tunn`) and its paths, without sockets.
//!
//! Inputs are packets from the TUN (`encapsulate`), datagrams from a link (`decapsulate`) and the
//! passing of time (`handle_timeout`); outputs go to an [`Outbox`], which the device turns into
//! `sendmmsg` and TUN writes and which tests turn into vectors. Which path a datagram leaves on
//! is decided here:
//! - handshake initiations go out on every path, so the first that works wins;
//! - answers (handshake responses, cookie replies, probe replies) go back where the question
//!   came from;
//! - data and keepalives take the active path.
//!
//! And with which DSCP in the outer header (the TOS byte handed to the [`Outbox`]): data carries
//! the one of its policy's QoS class ([`Via::tos`]); probes the node's probe class
//! ([`PeerCore::set_probe_dscp`]), and probe replies the request's; handshakes, cookie replies
//! and the few packets boringtun queued during a handshake leave unmarked (0), since no class
//! is theirs.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use boringtun::noise::errors::WireGuardError;
use boringtun::noise::rate_limiter::RateLimiter;
use boringtun::noise::{Tunn, TunnResult};
use boringtun::x25519::{PublicKey, StaticSecret};
use std::sync::Arc;

use super::path::{LinkId, PathEvent, PathId, PathSpec, PathTable, PathTiming};
use super::probe::{self, Kind, Probe};
use super::routes::Prefix;

/// Where a peer's outputs go.
pub trait Outbox {
    /// Sends one datagram on a local link with `tos` as the outer IP header's TOS byte (IPv4) or
    /// traffic class (IPv6): the DSCP shifted left by two, ECN bits zero.
    fn send(&mut self, link: LinkId, dst: SocketAddr, tos: u8, datagram: &[u8]);
    /// Delivers one decrypted IP packet to the TUN.
    fn to_tun(&mut self, packet: &[u8]);
}

/// WireGuard's header and tag around a data packet.
pub const WG_OVERHEAD: usize = 32;
/// Smallest output buffer boringtun accepts for any message.
pub const MIN_BUF: usize = 148;

const HANDSHAKE_INIT: u8 = 1;
const HANDSHAKE_RESP: u8 = 2;
const DATA: u8 = 4;
/// How often a peer without a session tries a new handshake once boringtun has given up.
const HANDSHAKE_RETRY: Duration = Duration::from_secs(5);

/// Where a data packet leaves and how it is marked: a policy's choice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Via {
    /// `None`: the default path.
    pub path: Option<(LinkId, SocketAddr)>,
    /// A second path that carries a copy.
    pub copy: Option<(LinkId, SocketAddr)>,
    /// The outer TOS byte (the class's DSCP << 2).
    pub tos: u8,
}

/// Counters of one peer: inner packets, as a user counts them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PeerCounters {
    pub tx_bytes: u64,
    pub rx_bytes: u64,
    pub tx_packets: u64,
    pub rx_packets: u64,
    /// Datagrams that failed authentication or were otherwise rejected by the session.
    pub rx_errors: u64,
    /// Decrypted packets whose source is outside the peer's allowed IPs.
    pub rx_bad_source: u64,
}

pub struct PeerCore {
    tunn: Tunn,
    paths: PathTable,
    allowed: Vec<Prefix>,
    /// Source of our probes: the site's overlay address.
    overlay: Ipv4Addr,
    counters: PeerCounters,
    last_handshake_try: Option<Instant>,
    /// The DSCP of our probes.
    probe_dscp: u8,
    scratch: Box<[u8; 256]>,
}

impl std::fmt::Debug for PeerCore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PeerCore")
            .field("paths", &self.paths)
            .field("allowed", &self.allowed)
            .field("counters", &self.counters)
            .finish_non_exhaustive()
    }
}

impl PeerCore {
    /// `index` is this peer's 24-bit session index on our side: datagrams whose receiver index
    /// shifted right by 8 equals it belong to this peer.
    pub fn new(
        private: StaticSecret,
        public: PublicKey,
        index: u32,
        rate_limiter: Arc<RateLimiter>,
        overlay: Ipv4Addr,
        timing: PathTiming,
    ) -> Self {
        // Keepalives are the probes' job: every path is probed, which also keeps NAT state warm.
        let tunn = Tunn::new(private, public, None, None, index, Some(rate_limiter));
        PeerCore {
            tunn,
            paths: PathTable::new(timing),
            allowed: Vec::new(),
            overlay,
            counters: PeerCounters::default(),
            last_handshake_try: None,
            probe_dscp: 0,
            scratch: Box::new([0u8; 256]),
        }
    }

    pub fn set_allowed(&mut self, allowed: Vec<Prefix>) {
        self.allowed = allowed;
    }

    pub fn set_overlay(&mut self, overlay: Ipv4Addr) {
        self.overlay = overlay;
    }

    /// The DSCP (0 to 63) our probes carry; their replies carry it back.
    pub fn set_probe_dscp(&mut self, dscp: u8) {
        self.probe_dscp = dscp & 0x3f;
    }

    pub fn set_paths(&mut self, specs: &[PathSpec], now: Instant) {
        self.paths.set_configured(specs, now);
    }

    pub fn set_link_priorities(&mut self, priorities: &[(LinkId, u32)], now: Instant) {
        self.paths.set_link_priorities(priorities, now);
    }

    pub fn remove_link(&mut self, link: LinkId, now: Instant) {
        self.paths.remove_link(link, now);
    }

    pub fn paths(&self) -> &PathTable {
        &self.paths
    }

    pub fn counters(&self) -> PeerCounters {
        self.counters
    }

    pub fn handshake_age(&self) -> Option<Duration> {
        self.tunn.time_since_last_handshake()
    }

    /// Encrypts one packet from the TUN and sends it on the active path. `buf` must hold the
    /// packet plus [`WG_OVERHEAD`] and at least [`MIN_BUF`] bytes.
    pub fn encapsulate(&mut self, packet: &[u8], now: Instant, buf: &mut [u8], out: &mut impl Outbox) {
        self.encapsulate_via(packet, Via::default(), now, buf, out);
    }

    /// Like [`PeerCore::encapsulate`], on `via.path` (a policy's choice) rather than the default
    /// path when it is given and the session exists, the same datagram on `via.copy` too (the
    /// receiver's replay window drops whichever copy comes second), marked with `via.tos`.
    pub fn encapsulate_via(&mut self, packet: &[u8], via: Via, now: Instant, buf: &mut [u8], out: &mut impl Outbox) {
        self.counters.tx_packets += 1;
        self.counters.tx_bytes += packet.len() as u64;
        self.paths.note_traffic(now);
        match self.tunn.encapsulate(packet, buf) {
            TunnResult::WriteToNetwork(d) if d.first() == Some(&DATA) => match via.path {
                Some((link, dst)) => {
                    out.send(link, dst, via.tos, d);
                    if let Some((link, dst)) = via.copy {
                        out.send(link, dst, via.tos, d);
                    }
                }
                None => self.send_own(d, via.tos, now, out),
            },
            // A handshake initiation: the packet waits in boringtun's queue until it completes.
            TunnResult::WriteToNetwork(d) => self.send_own(d, 0, now, out),
            TunnResult::Err(e) => tracing::debug!(error = ?e, "encapsulate failed"),
            _ => {}
        }
    }

    /// Sends a datagram on the default path, or a handshake initiation on every path (unmarked).
    fn send_own(&mut self, d: &[u8], tos: u8, now: Instant, out: &mut impl Outbox) {
        if d.first() == Some(&HANDSHAKE_INIT) {
            self.last_handshake_try = Some(now);
            for (link, dst) in self.paths.handshake_targets() {
                out.send(link, dst, 0, d);
            }
        } else if let Some((link, dst)) = self.paths.send_path(now) {
            out.send(link, dst, tos, d);
        }
    }

    /// Handles a datagram that arrived on `link` from `src` and belongs to this peer.
    pub fn decapsulate(
        &mut self,
        link: LinkId,
        src: SocketAddr,
        datagram: &[u8],
        now: Instant,
        buf: &mut [u8],
        out: &mut impl Outbox,
    ) {
        let kind = datagram.first().copied();
        let had_session = self.tunn.time_since_last_handshake().is_some();
        let authenticated = match self.tunn.decapsulate(Some(src.ip()), datagram, buf) {
            TunnResult::Done => kind == Some(DATA),
            TunnResult::Err(e) => {
                self.counters.rx_errors += 1;
                tracing::trace!(error = ?e, %src, "datagram rejected");
                false
            }
            TunnResult::WriteToNetwork(d) => {
                // A handshake response, a cookie reply, or our keepalive after a response we
                // received: all answer the path the datagram came from.
                out.send(link, src, 0, d);
                matches!(kind, Some(HANDSHAKE_INIT) | Some(HANDSHAKE_RESP))
            }
            TunnResult::WriteToTunnelV4(packet, source) => {
                self.deliver((link, src), packet, IpAddr::V4(source), now, out);
                true
            }
            TunnResult::WriteToTunnelV6(packet, source) => {
                self.deliver((link, src), packet, IpAddr::V6(source), now, out);
                true
            }
        };
        if !authenticated {
            return;
        }
        if kind == Some(HANDSHAKE_RESP) {
            self.paths.on_handshake_response(link, src, now);
        } else if self.paths.on_authenticated_rx(link, src, now) {
            tracing::info!(link = link.0, %src, "learned a new path to the peer");
        }
        if !had_session {
            self.paths.set_session(self.tunn.time_since_last_handshake().is_some(), now);
        }
        // Packets queued while the handshake ran leave now, on the active path.
        if matches!(kind, Some(HANDSHAKE_INIT) | Some(HANDSHAKE_RESP)) {
            while let TunnResult::WriteToNetwork(d) = self.tunn.decapsulate(None, &[], buf) {
                if let Some((l, dst)) = self.paths.send_path(now) {
                    out.send(l, dst, 0, d);
                }
            }
        }
    }

    fn deliver(
        &mut self,
        (link, src): (LinkId, SocketAddr),
        packet: &[u8],
        source: IpAddr,
        now: Instant,
        out: &mut impl Outbox,
    ) {
        if let Some(p) = Probe::decode(packet) {
            match p.kind {
                Kind::Request => {
                    let n = self.encrypt_probe(Probe { kind: Kind::Reply, ..p });
                    if n > 0 {
                        out.send(link, src, p.dscp << 2, &self.scratch[..n]);
                    }
                }
                Kind::Reply => self.paths.on_probe_reply(PathId(p.path), p.seq, now),
            }
            return;
        }
        if !self.allowed.iter().any(|a| a.contains(source)) {
            self.counters.rx_bad_source += 1;
            return;
        }
        self.counters.rx_packets += 1;
        self.counters.rx_bytes += packet.len() as u64;
        self.paths.note_traffic(now);
        out.to_tun(packet);
    }

    /// Encrypts a probe into the scratch buffer and returns its length (0 without a session).
    fn encrypt_probe(&mut self, p: Probe) -> usize {
        let mut pkt = [0u8; probe::LEN];
        p.encode(self.overlay, &mut pkt);
        match self.tunn.encapsulate(&pkt, &mut self.scratch[..]) {
            TunnResult::WriteToNetwork(d) => d.len(),
            _ => 0,
        }
    }

    /// Drives timers: boringtun's (rekeying, handshake retries), probes, path liveness, and a new
    /// handshake when a peer has had no session for a while.
    pub fn handle_timeout(&mut self, now: Instant, buf: &mut [u8], out: &mut impl Outbox) {
        match self.tunn.update_timers(buf) {
            TunnResult::WriteToNetwork(d) => {
                self.send_own(d, 0, now, out);
            }
            TunnResult::Err(WireGuardError::ConnectionExpired) => {}
            TunnResult::Err(e) => tracing::debug!(error = ?e, "timers"),
            _ => {}
        }
        let established = self.tunn.time_since_last_handshake().is_some();
        self.paths.set_session(established, now);
        if !established
            && !self.paths.is_empty()
            && self.last_handshake_try.is_none_or(|t| now.saturating_duration_since(t) >= HANDSHAKE_RETRY)
        {
            self.last_handshake_try = Some(now);
            if let TunnResult::WriteToNetwork(d) = self.tunn.format_handshake_initiation(buf, false) {
                self.send_own(d, 0, now, out);
            }
        }
        self.paths.handle_timeout(now);
        while let Some(req) = self.paths.poll_probe(now) {
            let p = Probe { kind: Kind::Request, path: req.path.0, seq: req.seq, dscp: self.probe_dscp };
            let n = self.encrypt_probe(p);
            if n > 0 {
                out.send(req.link, req.endpoint, p.dscp << 2, &self.scratch[..n]);
            }
        }
    }

    /// When [`PeerCore::handle_timeout`] has something to do next, besides boringtun's timers.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.paths.poll_timeout()
    }

    /// What changed on this peer's paths since the last call.
    pub fn poll_event(&mut self) -> Option<PathEvent> {
        self.paths.poll_event()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use rand::rngs::OsRng;

    const FIBER: LinkId = LinkId(0);
    const LTE: LinkId = LinkId(1);

    #[derive(Default)]
    struct Captured {
        sent: Vec<(LinkId, SocketAddr, Vec<u8>)>,
        tun: Vec<Vec<u8>>,
    }

    impl Outbox for Captured {
        fn send(&mut self, link: LinkId, dst: SocketAddr, _tos: u8, datagram: &[u8]) {
            self.sent.push((link, dst, datagram.to_vec()));
        }
        fn to_tun(&mut self, packet: &[u8]) {
            self.tun.push(packet.to_vec());
        }
    }

    /// One site of the simulated network: its peer state for the other site and its links'
    /// public addresses.
    struct Site {
        core: PeerCore,
        links: [(LinkId, SocketAddr); 2],
        out: Captured,
        delivered: Vec<Vec<u8>>,
    }

    struct Net {
        a: Site,
        b: Site,
        /// Links of site A that drop everything, and whether B's source address is rewritten (NAT).
        cut_a: Vec<LinkId>,
        nat_b: Option<SocketAddr>,
        now: Instant,
    }

    #[allow(clippy::too_many_arguments)]
    fn site(
        key: &StaticSecret,
        peer: PublicKey,
        index: u32,
        overlay: [u8; 4],
        links: [(LinkId, SocketAddr); 2],
        peer_links: &[(LinkId, SocketAddr)],
        peer_allowed: &str,
        now: Instant,
    ) -> Site {
        let public = PublicKey::from(key);
        let limiter = Arc::new(RateLimiter::new(&public, 100));
        let mut core = PeerCore::new(key.clone(), peer, index, limiter, overlay.into(), PathTiming::default());
        let mut specs = Vec::new();
        for (i, (l, _)) in links.iter().enumerate() {
            for (j, (_, ep)) in peer_links.iter().enumerate() {
                specs.push(PathSpec { link: *l, link_priority: i as u32, endpoint: *ep, endpoint_priority: j as u32 });
            }
        }
        core.set_paths(&specs, now);
        let prios: Vec<_> = links.iter().enumerate().map(|(i, (l, _))| (*l, i as u32)).collect();
        core.set_link_priorities(&prios, now);
        core.set_allowed(vec![peer_allowed.parse().unwrap()]);
        Site { core, links, out: Captured::default(), delivered: Vec::new() }
    }

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    impl Net {
        fn new(b_behind_nat: bool) -> Net {
            let now = Instant::now();
            let ka = StaticSecret::random_from_rng(OsRng);
            let kb = StaticSecret::random_from_rng(OsRng);
            let a_links = [(FIBER, addr("192.0.2.1:51820")), (LTE, addr("198.51.100.1:51820"))];
            let b_links = [(FIBER, addr("192.0.2.2:51820")), (LTE, addr("198.51.100.2:51820"))];
            let a = site(
                &ka,
                PublicKey::from(&kb),
                1,
                [100, 64, 0, 1],
                a_links,
                if b_behind_nat { &[] } else { &b_links },
                "10.2.0.0/16",
                now,
            );
            let b = site(&kb, PublicKey::from(&ka), 2, [100, 64, 0, 2], b_links, &a_links, "10.1.0.0/16", now);
            Net { a, b, cut_a: Vec::new(), nat_b: None, now }
        }

        /// Delivers everything in flight until the network is quiet.
        fn pump(&mut self) {
            let mut buf = vec![0u8; 2048];
            for _ in 0..20 {
                let from_a = std::mem::take(&mut self.a.out.sent);
                let from_b = std::mem::take(&mut self.b.out.sent);
                if from_a.is_empty() && from_b.is_empty() {
                    break;
                }
                for (link, dst, d) in from_a {
                    if self.cut_a.contains(&link) {
                        continue;
                    }
                    let src = self.a.links.iter().find(|l| l.0 == link).unwrap().1;
                    // Whatever reaches B's NAT address lands on B's fiber.
                    let bl = if Some(dst) == self.nat_b {
                        FIBER
                    } else {
                        let Some(&(bl, _)) = self.b.links.iter().find(|l| l.1 == dst) else { continue };
                        bl
                    };
                    self.b.core.decapsulate(bl, src, &d, self.now, &mut buf, &mut self.b.out);
                }
                for (link, dst, d) in from_b {
                    let Some(&(al, _)) = self.a.links.iter().find(|l| l.1 == dst) else { continue };
                    if self.cut_a.contains(&al) {
                        continue;
                    }
                    let real = self.b.links.iter().find(|l| l.0 == link).unwrap().1;
                    let src = self.nat_b.unwrap_or(real);
                    self.a.core.decapsulate(al, src, &d, self.now, &mut buf, &mut self.a.out);
                }
                self.a.delivered.append(&mut self.a.out.tun);
                self.b.delivered.append(&mut self.b.out.tun);
            }
        }

        fn tick(&mut self, secs: f64) {
            let mut buf = vec![0u8; 2048];
            for _ in 0..(secs * 10.0) as u32 {
                self.now += Duration::from_millis(100);
                self.a.core.handle_timeout(self.now, &mut buf, &mut self.a.out);
                self.b.core.handle_timeout(self.now, &mut buf, &mut self.b.out);
                self.pump();
            }
        }

        fn a_sends(&mut self, packet: &[u8]) {
            let mut buf = vec![0u8; 2048];
            self.a.core.encapsulate(packet, self.now, &mut buf, &mut self.a.out);
            self.pump();
        }
    }

    fn ipv4(src: [u8; 4], dst: [u8; 4], payload: &[u8]) -> Vec<u8> {
        let mut p = vec![0u8; 20 + payload.len()];
        p[0] = 0x45;
        p[2..4].copy_from_slice(&((20 + payload.len()) as u16).to_be_bytes());
        p[8] = 64;
        p[9] = 17;
        p[12..16].copy_from_slice(&src);
        p[16..20].copy_from_slice(&dst);
        p[20..].copy_from_slice(payload);
        p
    }

    #[test]
    fn first_packet_triggers_handshake_on_every_path_and_arrives() {
        let mut net = Net::new(false);
        let pkt = ipv4([10, 1, 0, 5], [10, 2, 0, 5], b"hello");
        net.a.core.encapsulate(&pkt, net.now, &mut [0u8; 2048], &mut net.a.out);
        // One initiation per path (2 links x 2 endpoints).
        assert_eq!(net.a.out.sent.len(), 4);
        assert!(net.a.out.sent.iter().all(|s| s.2[0] == HANDSHAKE_INIT));
        net.pump();
        assert_eq!(net.b.delivered, vec![pkt]);
        assert!(net.a.core.handshake_age().is_some());
        assert_eq!(net.b.core.counters().rx_packets, 1);
    }

    #[test]
    fn idle_peers_handshake_on_their_own_and_probe_every_path() {
        let mut net = Net::new(false);
        net.tick(2.0);
        assert!(net.a.core.handshake_age().is_some());
        let report = net.a.core.paths().report(net.now);
        assert_eq!(report.len(), 4);
        assert!(report.iter().all(|r| r.up), "{report:?}");
        assert_eq!(net.a.core.paths().active(net.now).unwrap().0, FIBER);
        // Probes never reach the TUN.
        assert!(net.a.delivered.is_empty() && net.b.delivered.is_empty());
    }

    #[test]
    fn cut_link_fails_over_and_comes_back() {
        let mut net = Net::new(false);
        net.tick(1.0);
        assert_eq!(net.a.core.paths().active(net.now).unwrap().0, FIBER);
        net.cut_a.push(FIBER);
        let cut = net.now;
        while net.a.core.paths().active(net.now).map(|a| a.0) != Some(LTE) {
            net.tick(0.1);
            assert!(net.now - cut < Duration::from_secs(8), "no failover");
        }
        // Idle (no traffic): probed every second, down after five unanswered.
        let timing = PathTiming::default();
        assert!(net.now - cut <= timing.idle_probe_interval * (timing.missed_probes + 1));
        // B also stops using paths towards A's fiber.
        net.tick(6.0);
        let b_active = net.b.core.paths().active(net.now).unwrap();
        assert_eq!(b_active.1, addr("198.51.100.1:51820"));
        // Traffic flows over lte.
        let pkt = ipv4([10, 1, 0, 5], [10, 2, 0, 5], b"over lte");
        net.a_sends(&pkt);
        assert_eq!(net.b.delivered.last(), Some(&pkt));

        net.cut_a.clear();
        net.tick(1.5);
        assert_eq!(net.a.core.paths().active(net.now).unwrap().0, FIBER);
    }

    #[test]
    fn responder_behind_nat_is_learned_and_roams() {
        // A has no endpoint for B: B initiates, and its source address is rewritten by NAT.
        let mut net = Net::new(true);
        net.nat_b = Some(addr("203.0.113.7:40000"));
        net.tick(1.0);
        assert_eq!(net.a.core.paths().active(net.now), Some((FIBER, addr("203.0.113.7:40000"))));
        let pkt = ipv4([10, 1, 0, 5], [10, 2, 0, 5], b"through nat");
        net.a_sends(&pkt);
        assert_eq!(net.b.delivered.last(), Some(&pkt));

        // The NAT mapping changes.
        net.nat_b = Some(addr("203.0.113.7:40001"));
        net.tick(3.0);
        assert_eq!(net.a.core.paths().active(net.now).unwrap().1, addr("203.0.113.7:40001"));
        let pkt = ipv4([10, 1, 0, 5], [10, 2, 0, 5], b"after roaming");
        net.a_sends(&pkt);
        assert_eq!(net.b.delivered.last(), Some(&pkt));
    }

    #[test]
    fn spoofed_inner_source_is_dropped() {
        let mut net = Net::new(false);
        net.tick(1.0);
        // B's allowed IPs for A are 10.1.0.0/16; 10.9.0.5 is not among them.
        net.a_sends(&ipv4([10, 9, 0, 5], [10, 2, 0, 5], b"spoof"));
        assert!(net.b.delivered.is_empty());
        assert_eq!(net.b.core.counters().rx_bad_source, 1);
    }

    #[test]
    fn garbage_is_counted_not_fatal() {
        let mut net = Net::new(false);
        net.tick(1.0);
        let mut buf = vec![0u8; 2048];
        for d in [&[][..], &[4u8; 3][..], &[4u8; 40][..], &[1u8; 148][..], &[2u8; 92][..], &[9u8; 100][..]] {
            net.b.core.decapsulate(FIBER, addr("192.0.2.1:51820"), d, net.now, &mut buf, &mut net.b.out);
        }
        assert!(net.b.out.tun.is_empty());
        net.tick(1.0);
        assert!(net.a.core.paths().active(net.now).is_some());
    }
}
