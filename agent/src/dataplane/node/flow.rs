//! Flows: the 5-tuple of a packet from the TUN, and the table that remembers each flow's policy
//! and path so that a packet after the first costs one lookup.
//!
//! The table is bounded: entries idle for `FLOW_IDLE` are swept, and when it is full a new flow
//! is classified per packet without being remembered (counted as `flows_untracked`).

use rustc_hash::FxHashMap as HashMap;
use std::hash::{Hash, Hasher};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::{Duration, Instant};

use super::steer::PathKey;

/// Flows remembered at most.
pub const MAX_FLOWS: usize = 65536;
/// A flow without a packet for this long is forgotten.
pub const FLOW_IDLE: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowKey {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub protocol: u8,
    /// 0 for protocols without ports and for fragments after the first.
    pub src_port: u16,
    pub dst_port: u16,
}

/// Three fixed-size words instead of the derived hash's dozen writes (a discriminant, a length
/// and the bytes of each address): the hash is on the per-packet path.
impl Hash for FlowKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let word = |ip: IpAddr| match ip {
            IpAddr::V4(a) => u128::from(u32::from(a)),
            IpAddr::V6(a) => u128::from(a),
        };
        state.write_u128(word(self.src));
        state.write_u128(word(self.dst));
        // The family is part of the key: 10.0.0.1 and ::a00:1 are different flows.
        let v6 = u64::from(self.src.is_ipv6());
        state.write_u64(
            v6 << 40 | u64::from(self.protocol) << 32 | u64::from(self.src_port) << 16 | u64::from(self.dst_port),
        );
    }
}

/// The flow of an IP packet and its DSCP, or `None` if it is not a whole IP header.
pub fn parse(packet: &[u8]) -> Option<(FlowKey, u8)> {
    let version = packet.first()? >> 4;
    let (src, dst, protocol, dscp, transport, first_fragment) = match version {
        4 => {
            let ihl = usize::from(packet[0] & 0x0f) * 4;
            if ihl < 20 || packet.len() < ihl {
                return None;
            }
            let src = Ipv4Addr::new(packet[12], packet[13], packet[14], packet[15]);
            let dst = Ipv4Addr::new(packet[16], packet[17], packet[18], packet[19]);
            let fragment_offset = u16::from_be_bytes([packet[6], packet[7]]) & 0x1fff;
            (IpAddr::V4(src), IpAddr::V4(dst), packet[9], packet[1] >> 2, &packet[ihl..], fragment_offset == 0)
        }
        6 => {
            if packet.len() < 40 {
                return None;
            }
            let src: [u8; 16] = packet[8..24].try_into().ok()?;
            let dst: [u8; 16] = packet[24..40].try_into().ok()?;
            let tclass = (u16::from_be_bytes([packet[0], packet[1]]) >> 4) as u8;
            // Extension headers are not walked: their flows match on addresses and protocol 0..
            (
                IpAddr::V6(Ipv6Addr::from(src)),
                IpAddr::V6(Ipv6Addr::from(dst)),
                packet[6],
                tclass >> 2,
                &packet[40..],
                true,
            )
        }
        _ => return None,
    };
    let (src_port, dst_port) = match (protocol, transport.get(..4)) {
        (6 | 17, Some(p)) if first_fragment => (u16::from_be_bytes([p[0], p[1]]), u16::from_be_bytes([p[2], p[3]])),
        _ => (0, 0),
    };
    Some((FlowKey { src, dst, protocol, src_port, dst_port }, dscp))
}

/// The transport payload of an IP packet whose header `parse` read: after the TCP or UDP header
/// (empty for a later fragment, another protocol, or a packet too short for its header).
pub fn payload(packet: &[u8]) -> &[u8] {
    let (protocol, header, first_fragment) = match packet.first().map(|b| b >> 4) {
        Some(4) if packet.len() >= 20 => {
            let fragment_offset = u16::from_be_bytes([packet[6], packet[7]]) & 0x1fff;
            (packet[9], usize::from(packet[0] & 0x0f) * 4, fragment_offset == 0)
        }
        Some(6) if packet.len() >= 40 => (packet[6], 40, true),
        _ => return &[],
    };
    let Some(transport) = packet.get(header..).filter(|_| first_fragment) else {
        return &[];
    };
    let start = match protocol {
        6 => transport.get(12).map_or(usize::MAX, |b| usize::from(b >> 4) * 4),
        17 => 8,
        _ => usize::MAX,
    };
    transport.get(start..).unwrap_or(&[])
}

/// The DNS message of a UDP packet from port 53, if that is what `packet` is.
pub fn dns_answer(packet: &[u8]) -> Option<&[u8]> {
    let (protocol, header) = match packet.first()? >> 4 {
        4 => (*packet.get(9)?, usize::from(packet[0] & 0x0f) * 4),
        6 => (*packet.get(6)?, 40),
        _ => return None,
    };
    let udp = packet.get(header..)?;
    (protocol == 17 && udp.get(..2)? == [0, 53]).then(|| &udp[8.min(udp.len())..])
}

/// Paths that flows are pinned to, at most this many at once (links times the peers' endpoints,
/// plus learned ones); past it a flow is steered per packet without being pinned.
pub const MAX_PINNED_PATHS: usize = 1024;

/// A flow's application as its entry keeps it: [`APP_PENDING`], [`APP_UNKNOWN`], or an
/// `AppId`'s raw value plus [`APP_FIRST`].
pub type AppState = u16;
pub const APP_PENDING: AppState = 0;
pub const APP_UNKNOWN: AppState = 1;
pub const APP_FIRST: AppState = 2;

/// What the node decided for a flow. Small on purpose (20 bytes; 60 with its key), since the
/// lookup of a flow's bucket is most of what a known flow's packet costs: the pinned path is an
/// index into the table's [`PinnedPaths`], the last packet's time whole seconds since the table's
/// first flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flow {
    pub policy: Option<u16>,
    /// The path the flow is pinned to, and the steering epoch at which that was checked.
    path: Option<u16>,
    pub epoch: u32,
    last_seen: u32,
    /// What application recognition made of it so far.
    pub app: AppState,
}

/// The distinct paths flows are pinned to, so that a flow holds a 2-byte index instead of a
/// link and a socket address.
#[derive(Debug, Default)]
pub struct PinnedPaths(Vec<PathKey>);

impl PinnedPaths {
    fn get(&self, i: u16) -> Option<PathKey> {
        self.0.get(usize::from(i)).copied()
    }

    fn intern(&mut self, key: PathKey) -> Option<u16> {
        if let Some(i) = self.0.iter().position(|k| *k == key) {
            return u16::try_from(i).ok();
        }
        if self.0.len() >= MAX_PINNED_PATHS {
            return None;
        }
        self.0.push(key);
        u16::try_from(self.0.len() - 1).ok()
    }
}

/// A flow's entry with the table's pinned paths, to read and set the path it is pinned to.
pub struct FlowEntry<'a> {
    pub flow: &'a mut Flow,
    pins: &'a mut PinnedPaths,
}

impl FlowEntry<'_> {
    pub fn pinned(&self) -> Option<PathKey> {
        self.flow.path.and_then(|i| self.pins.get(i))
    }

    pub fn pin(&mut self, path: Option<PathKey>) {
        self.flow.path = path.and_then(|p| self.pins.intern(p));
    }
}

#[derive(Debug, Default)]
pub struct FlowTable {
    flows: HashMap<FlowKey, Flow>,
    pins: PinnedPaths,
    /// The time `last_seen` counts from: the first flow's.
    epoch: Option<Instant>,
    /// New flows not remembered because the table was full.
    pub untracked: u64,
}

impl FlowTable {
    pub fn len(&self) -> usize {
        self.flows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.flows.is_empty()
    }

    fn seconds(&mut self, now: Instant) -> u32 {
        let epoch = *self.epoch.get_or_insert(now);
        u32::try_from(now.saturating_duration_since(epoch).as_secs()).unwrap_or(u32::MAX)
    }

    /// The flow's entry, created with the policy and application state `classify` gives if new;
    /// `None` when the table is full.
    pub fn entry(
        &mut self,
        key: FlowKey,
        now: Instant,
        classify: impl FnOnce() -> (Option<u16>, AppState),
    ) -> Option<FlowEntry<'_>> {
        // The size is checked first so that a table with room costs one lookup, not two.
        if self.flows.len() >= MAX_FLOWS && !self.flows.contains_key(&key) {
            self.untracked += 1;
            return None;
        }
        let seen = self.seconds(now);
        let flow = self.flows.entry(key).or_insert_with(|| {
            let (policy, app) = classify();
            Flow { policy, path: None, epoch: 0, last_seen: seen, app }
        });
        flow.last_seen = seen;
        Some(FlowEntry { flow, pins: &mut self.pins })
    }

    /// Forgets flows idle for [`FLOW_IDLE`] (to the second).
    pub fn sweep(&mut self, now: Instant) {
        let now = self.seconds(now);
        let idle = u32::try_from(FLOW_IDLE.as_secs()).unwrap_or(u32::MAX);
        self.flows.retain(|_, f| now.saturating_sub(f.last_seen) < idle);
    }

    /// Forgets every flow (a new document may classify them differently), and the paths they
    /// were pinned to.
    pub fn clear(&mut self) {
        self.flows.clear();
        self.pins.0.clear();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::dataplane::node::path::LinkId;
    use std::net::SocketAddr;

    #[test]
    fn ipv4_tcp_and_udp_give_ports_and_dscp() {
        let mut p = vec![0u8; 40];
        p[0] = 0x45;
        p[1] = 46 << 2;
        p[9] = 6;
        p[12..16].copy_from_slice(&[10, 1, 0, 5]);
        p[16..20].copy_from_slice(&[10, 2, 0, 9]);
        p[20..22].copy_from_slice(&40000u16.to_be_bytes());
        p[22..24].copy_from_slice(&443u16.to_be_bytes());
        let (k, dscp) = parse(&p).unwrap();
        assert_eq!((k.protocol, k.src_port, k.dst_port, dscp), (6, 40000, 443, 46));
        assert_eq!(k.dst, "10.2.0.9".parse::<IpAddr>().unwrap());
        // A later fragment has no ports.
        p[6] = 0x00;
        p[7] = 0x10;
        assert_eq!(parse(&p).unwrap().0.dst_port, 0);
        // ICMP has none either.
        p[7] = 0;
        p[9] = 1;
        assert_eq!(parse(&p).unwrap().0.dst_port, 0);
    }

    #[test]
    fn payloads_and_dns_answers() {
        // IPv4 TCP with a 32-byte header (options), then "hi".
        let mut tcp = vec![0u8; 20 + 32 + 2];
        tcp[0] = 0x45;
        tcp[9] = 6;
        tcp[20 + 12] = 8 << 4;
        tcp[52..].copy_from_slice(b"hi");
        assert_eq!(payload(&tcp), b"hi");
        assert_eq!(payload(&tcp[..40]), b"");
        // A SYN: no payload.
        assert_eq!(payload(&tcp[..52]), b"");
        // IPv6 UDP from port 53.
        let mut udp = vec![0u8; 40 + 8 + 3];
        udp[0] = 0x60;
        udp[6] = 17;
        udp[41] = 53;
        udp[48..].copy_from_slice(b"dns");
        assert_eq!(payload(&udp), b"dns");
        assert_eq!(dns_answer(&udp), Some(&b"dns"[..]));
        udp[41] = 54;
        assert_eq!(dns_answer(&udp), None);
        assert_eq!(dns_answer(&tcp), None);
        assert_eq!(dns_answer(&[0x45, 0, 0]), None);
        // A later fragment carries no transport header.
        tcp[7] = 1;
        assert_eq!(payload(&tcp), b"");
        assert_eq!(payload(&[]), b"");
    }

    #[test]
    fn ipv6_and_garbage() {
        let mut p = vec![0u8; 48];
        p[0] = 0x6b; // version 6, traffic class 0xb8 (DSCP 46)
        p[1] = 0x80;
        p[6] = 17;
        p[8] = 0xfd;
        p[24] = 0xfd;
        p[42..44].copy_from_slice(&53u16.to_be_bytes());
        let (k, dscp) = parse(&p).unwrap();
        assert_eq!((k.protocol, k.dst_port, dscp), (17, 53, 46));
        assert!(parse(&[]).is_none());
        assert!(parse(&[0x45; 10]).is_none());
        assert!(parse(&[0x60; 20]).is_none());
        assert!(parse(&[0x10; 60]).is_none());
    }

    #[test]
    fn pinned_paths_are_shared_by_flows_and_bounded() {
        let path = |i: u16| (LinkId(i % 2), SocketAddr::from(([192, 0, 2, 1], i)));
        let mut pins = PinnedPaths::default();
        assert_eq!(pins.intern(path(1)), Some(0));
        assert_eq!(pins.intern(path(2)), Some(1));
        assert_eq!(pins.intern(path(1)), Some(0));
        for i in 3..=MAX_PINNED_PATHS as u16 {
            assert!(pins.intern(path(i)).is_some());
        }
        // Full: a new path is not pinned, a known one still is.
        assert_eq!(pins.intern(path(u16::MAX)), None);
        assert_eq!(pins.get(1), Some(path(2)));

        let now = Instant::now();
        let mut t = FlowTable::default();
        let key = FlowKey {
            src: IpAddr::V4(Ipv4Addr::LOCALHOST),
            dst: IpAddr::V4(Ipv4Addr::LOCALHOST),
            protocol: 6,
            src_port: 1,
            dst_port: 2,
        };
        let mut e = t.entry(key, now, || (Some(0), APP_PENDING)).unwrap();
        assert_eq!(e.pinned(), None);
        e.pin(Some(path(7)));
        assert_eq!(t.entry(key, now, || (None, APP_PENDING)).unwrap().pinned(), Some(path(7)));
        t.clear();
        assert_eq!(t.entry(key, now, || (None, APP_PENDING)).unwrap().pinned(), None);
    }

    #[test]
    fn an_entry_stays_small() {
        // Its bucket's first read is most of what a known flow's packet costs.
        assert_eq!(std::mem::size_of::<Flow>(), 20);
    }

    #[test]
    fn the_table_is_bounded_and_forgets_idle_flows() {
        let now = Instant::now();
        let mut t = FlowTable::default();
        let key = |i: u32| FlowKey {
            src: IpAddr::V4(Ipv4Addr::from(i)),
            dst: IpAddr::V4(Ipv4Addr::LOCALHOST),
            protocol: 6,
            src_port: 1,
            dst_port: 2,
        };
        for i in 0..MAX_FLOWS as u32 {
            assert!(t.entry(key(i), now, || (Some(1), APP_PENDING)).is_some());
        }
        assert!(t.entry(key(u32::MAX), now, || (Some(1), APP_PENDING)).is_none());
        assert_eq!(t.untracked, 1);
        // Known flows still get their entry.
        assert_eq!(t.entry(key(7), now + FLOW_IDLE, || (None, APP_PENDING)).unwrap().flow.policy, Some(1));
        t.sweep(now + FLOW_IDLE);
        assert_eq!(t.len(), 1);
    }
}
