//! TUN offloads with `IFF_VNET_HDR`: every packet crossing the TUN carries a `virtio_net_hdr`.
//!
//! Reading, the kernel hands over TCP super-packets of up to 64 KiB (TSO) and packets whose
//! checksum it left for us (`NEEDS_CSUM`); [`segment`] cuts them into MTU-sized packets with
//! correct headers and checksums before they are encrypted. Writing, [`Coalescer`] joins
//! consecutive in-order segments of one TCP flow into one super-packet (GRO), so the receiving
//! side makes one `write` per train instead of one per packet.
//!
//! Only IPv4 TCP is coalesced or segmented here; everything else passes through one by one.

/// Size of `struct virtio_net_hdr` (without `num_buffers`).
pub const VNET_HDR_LEN: usize = 10;

pub const F_NEEDS_CSUM: u8 = 1;
pub const GSO_NONE: u8 = 0;
pub const GSO_TCPV4: u8 = 1;
pub const GSO_TCPV6: u8 = 4;

/// The most bytes one coalesced packet may hold (IPv4 total length is 16 bits).
const MAX_COALESCED: usize = 65535;
const MAX_SEGMENTS: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct VnetHdr {
    pub flags: u8,
    pub gso_type: u8,
    pub hdr_len: u16,
    pub gso_size: u16,
    pub csum_start: u16,
    pub csum_offset: u16,
}

impl VnetHdr {
    pub fn parse(b: &[u8]) -> Option<VnetHdr> {
        let b = b.get(..VNET_HDR_LEN)?;
        let u = |i: usize| u16::from_le_bytes([b[i], b[i + 1]]);
        Some(VnetHdr {
            flags: b[0],
            gso_type: b[1],
            hdr_len: u(2),
            gso_size: u(4),
            csum_start: u(6),
            csum_offset: u(8),
        })
    }

    pub fn write(&self, out: &mut [u8]) {
        out[0] = self.flags;
        out[1] = self.gso_type;
        out[2..4].copy_from_slice(&self.hdr_len.to_le_bytes());
        out[4..6].copy_from_slice(&self.gso_size.to_le_bytes());
        out[6..8].copy_from_slice(&self.csum_start.to_le_bytes());
        out[8..10].copy_from_slice(&self.csum_offset.to_le_bytes());
    }
}

/// Ones' complement sum of `data` added to `sum`, not yet folded.
fn sum_bytes(mut sum: u64, data: &[u8]) -> u64 {
    let mut chunks = data.chunks_exact(8);
    for c in &mut chunks {
        let v = u64::from_be_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        let (s, carry) = sum.overflowing_add(v);
        sum = s + u64::from(carry);
    }
    let rest = chunks.remainder();
    let mut i = 0;
    while i + 1 < rest.len() {
        sum += u64::from(u16::from_be_bytes([rest[i], rest[i + 1]]));
        i += 2;
    }
    if i < rest.len() {
        sum += u64::from(rest[i]) << 8;
    }
    sum
}

fn fold(mut sum: u64) -> u16 {
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum as u16
}

/// The IPv4 pseudo-header sum for a TCP segment of `tcp_len` bytes.
fn pseudo_v4(ip: &[u8], tcp_len: usize) -> u64 {
    let s = sum_bytes(0, &ip[12..20]);
    s + 6 + tcp_len as u64
}

/// The IPv6 pseudo-header sum for a TCP segment of `tcp_len` bytes.
fn pseudo_v6(ip: &[u8], tcp_len: usize) -> u64 {
    let s = sum_bytes(0, &ip[8..40]);
    s + 6 + tcp_len as u64
}

fn ipv4_header_checksum(ip: &mut [u8]) {
    let ihl = usize::from(ip[0] & 0x0f) * 4;
    ip[10] = 0;
    ip[11] = 0;
    let c = !fold(sum_bytes(0, &ip[..ihl]));
    ip[10..12].copy_from_slice(&c.to_be_bytes());
}

/// Completes a checksum the kernel left partial: the field at `start + offset` holds the
/// pseudo-header sum; the result covers everything from `start` to the end.
fn complete_checksum(packet: &mut [u8], start: usize, offset: usize) -> bool {
    let field = start + offset;
    if field + 2 > packet.len() || start > packet.len() {
        return false;
    }
    let c = !fold(sum_bytes(0, &packet[start..]));
    // A UDP checksum of zero means "none"; the sum of a real one is sent as 0xffff.
    let c = if c == 0 { 0xffff } else { c };
    packet[field..field + 2].copy_from_slice(&c.to_be_bytes());
    true
}

/// Turns one packet read from a TUN with `IFF_VNET_HDR` (header included) into wire-ready
/// packets, calling `each` for every one. `scratch` must hold 64 KiB. Returns false (and
/// calls nothing) for a malformed offload request.
pub fn segment(buf: &mut [u8], scratch: &mut [u8], mut each: impl FnMut(&[u8])) -> bool {
    let Some(hdr) = VnetHdr::parse(buf) else {
        return false;
    };
    let packet = &mut buf[VNET_HDR_LEN..];
    match hdr.gso_type {
        GSO_NONE => {
            if hdr.flags & F_NEEDS_CSUM != 0
                && !complete_checksum(packet, usize::from(hdr.csum_start), usize::from(hdr.csum_offset))
            {
                return false;
            }
            each(packet);
            true
        }
        GSO_TCPV4 | GSO_TCPV6 => split_tcp(packet, hdr, scratch, each),
        _ => false,
    }
}

fn split_tcp(packet: &[u8], hdr: VnetHdr, scratch: &mut [u8], mut each: impl FnMut(&[u8])) -> bool {
    let v4 = hdr.gso_type == GSO_TCPV4;
    let ip_len = if v4 {
        match packet.first() {
            Some(b) if b >> 4 == 4 => usize::from(b & 0x0f) * 4,
            _ => return false,
        }
    } else {
        40
    };
    if packet.len() < ip_len + 20 {
        return false;
    }
    let tcp_len = usize::from(packet[ip_len + 12] >> 4) * 4;
    let headers = ip_len + tcp_len;
    let mss = usize::from(hdr.gso_size);
    if tcp_len < 20 || packet.len() < headers || mss == 0 || headers + mss > scratch.len() {
        return false;
    }
    let payload = &packet[headers..];
    let seq0 = u32::from_be_bytes([packet[ip_len + 4], packet[ip_len + 5], packet[ip_len + 6], packet[ip_len + 7]]);
    let flags0 = packet[ip_len + 13];
    let id0 = u16::from_be_bytes([packet[4], packet[5]]);
    let count = payload.len().div_ceil(mss).max(1);
    for i in 0..count {
        let chunk = &payload[(i * mss).min(payload.len())..((i + 1) * mss).min(payload.len())];
        let total = headers + chunk.len();
        let out = &mut scratch[..total];
        out[..headers].copy_from_slice(&packet[..headers]);
        out[headers..].copy_from_slice(chunk);
        if v4 {
            out[2..4].copy_from_slice(&(total as u16).to_be_bytes());
            out[4..6].copy_from_slice(&id0.wrapping_add(i as u16).to_be_bytes());
            ipv4_header_checksum(out);
        } else {
            out[4..6].copy_from_slice(&((total - 40) as u16).to_be_bytes());
        }
        let seq = seq0.wrapping_add((i * mss) as u32);
        out[ip_len + 4..ip_len + 8].copy_from_slice(&seq.to_be_bytes());
        // FIN and PSH only on the last segment, CWR only on the first.
        let mut flags = flags0;
        if i + 1 < count {
            flags &= !(0x01 | 0x08);
        }
        if i > 0 {
            flags &= !0x80;
        }
        out[ip_len + 13] = flags;
        out[ip_len + 16] = 0;
        out[ip_len + 17] = 0;
        let seg_len = total - ip_len;
        let pseudo = if v4 { pseudo_v4(out, seg_len) } else { pseudo_v6(out, seg_len) };
        let c = !fold(sum_bytes(pseudo, &out[ip_len..]));
        out[ip_len + 16..ip_len + 18].copy_from_slice(&c.to_be_bytes());
        each(out);
    }
    true
}

/// Flows coalesced at once: enough for several TCP streams interleaved in one receive batch.
const MAX_TRAINS: usize = 8;

/// Joins consecutive in-order segments of each IPv4 TCP flow into one packet for a TUN with
/// `IFF_VNET_HDR`; anything else is written at once (with an empty header). Order within a
/// flow is kept; across flows it may change, as it may on any network.
pub struct Coalescer {
    trains: Vec<Train>,
    /// For packets written alone.
    single: Vec<u8>,
}

/// Segments of one flow being joined.
struct Train {
    /// vnet header + the packet being built.
    buf: Vec<u8>,
    headers: usize,
    ip_len: usize,
    segment: usize,
    segments: usize,
    next_seq: u32,
    pending: bool,
}

impl Default for Coalescer {
    fn default() -> Self {
        Coalescer::new()
    }
}

/// What a coalescible IPv4 TCP segment looks like, or `None`.
struct TcpV4 {
    ip_len: usize,
    headers: usize,
    seq: u32,
    flags: u8,
}

fn tcp_v4(p: &[u8]) -> Option<TcpV4> {
    if p.len() < 40 || p[0] != 0x45 || p[9] != 6 {
        return None;
    }
    // Not a fragment (MF clear, offset zero); DF may be set.
    if u16::from_be_bytes([p[6], p[7]]) & 0x3fff != 0 {
        return None;
    }
    if usize::from(u16::from_be_bytes([p[2], p[3]])) != p.len() {
        return None;
    }
    let ip_len = 20;
    let tcp_len = usize::from(p[ip_len + 12] >> 4) * 4;
    let headers = ip_len + tcp_len;
    if tcp_len < 20 || p.len() < headers {
        return None;
    }
    let flags = p[ip_len + 13];
    // Only plain ACK segments (PSH allowed): no SYN, FIN, RST, URG, ECE, CWR.
    if flags & !(0x10 | 0x08) != 0 || flags & 0x10 == 0 {
        return None;
    }
    let seq = u32::from_be_bytes([p[24], p[25], p[26], p[27]]);
    Some(TcpV4 { ip_len, headers, seq, flags })
}

impl Train {
    fn new() -> Train {
        Train {
            buf: Vec::with_capacity(VNET_HDR_LEN + MAX_COALESCED),
            headers: 0,
            ip_len: 0,
            segment: 0,
            segments: 0,
            next_seq: 0,
            pending: false,
        }
    }

    /// Same addresses and ports: the same flow, whether or not the segment can join.
    fn same_flow(&self, p: &[u8], t: &TcpV4) -> bool {
        let first = &self.buf[VNET_HDR_LEN..];
        let ip = self.ip_len;
        self.pending && t.ip_len == ip && p[12..20] == first[12..20] && p[ip..ip + 4] == first[ip..ip + 4]
    }

    fn can_join(&self, p: &[u8], t: &TcpV4, payload: usize) -> bool {
        let first = &self.buf[VNET_HDR_LEN..];
        let ip = self.ip_len;
        t.headers == self.headers
            && t.seq == self.next_seq
            && payload > 0
            && payload <= self.segment
            && self.segments < MAX_SEGMENTS
            && self.buf.len() - VNET_HDR_LEN + payload <= MAX_COALESCED
            // Same TOS, DF and TTL.
            && p[1] == first[1]
            && p[6] == first[6]
            && p[8] == first[8]
            // Same acknowledgement and options.
            && p[ip + 8..ip + 12] == first[ip + 8..ip + 12]
            && p[ip + 20..t.headers] == first[ip + 20..self.headers]
    }

    fn start(&mut self, packet: &[u8], t: &TcpV4, payload: usize) {
        self.buf.clear();
        self.buf.resize(VNET_HDR_LEN, 0);
        self.buf.extend_from_slice(packet);
        self.headers = t.headers;
        self.ip_len = t.ip_len;
        self.segment = payload;
        self.segments = 1;
        self.next_seq = t.seq.wrapping_add(payload as u32);
        self.pending = true;
    }

    fn append(&mut self, packet: &[u8], t: &TcpV4, payload: usize) {
        self.buf.extend_from_slice(&packet[t.headers..]);
        self.segments += 1;
        self.next_seq = t.seq.wrapping_add(payload as u32);
        // Keep PSH of the latest segment.
        self.buf[VNET_HDR_LEN + self.ip_len + 13] |= t.flags & 0x08;
    }

    /// Whether nothing more may join: a short segment ends a train, and so does PSH.
    fn closed(&self, t: &TcpV4, payload: usize) -> bool {
        payload < self.segment || t.flags & 0x08 != 0
    }

    fn flush(&mut self, write: &mut impl FnMut(&[u8])) {
        if !self.pending {
            return;
        }
        self.pending = false;
        if self.segments == 1 {
            VnetHdr::default().write(&mut self.buf[..VNET_HDR_LEN]);
            write(&self.buf);
            return;
        }
        let ip = self.ip_len;
        let total = self.buf.len() - VNET_HDR_LEN;
        {
            let p = &mut self.buf[VNET_HDR_LEN..];
            p[2..4].copy_from_slice(&(total as u16).to_be_bytes());
            ipv4_header_checksum(p);
            // The kernel finishes the TCP checksum per segment: leave the pseudo-header sum.
            let partial = fold(pseudo_v4(p, total - ip));
            p[ip + 16..ip + 18].copy_from_slice(&partial.to_be_bytes());
        }
        VnetHdr {
            flags: F_NEEDS_CSUM,
            gso_type: GSO_TCPV4,
            hdr_len: self.headers as u16,
            gso_size: self.segment as u16,
            csum_start: ip as u16,
            csum_offset: 16,
        }
        .write(&mut self.buf[..VNET_HDR_LEN]);
        write(&self.buf);
    }
}

impl Coalescer {
    pub fn new() -> Coalescer {
        Coalescer { trains: Vec::with_capacity(MAX_TRAINS), single: Vec::with_capacity(VNET_HDR_LEN + 2048) }
    }

    /// Adds one decrypted packet; calls `write` with whatever must leave now.
    pub fn push(&mut self, packet: &[u8], write: &mut impl FnMut(&[u8])) {
        let Some(t) = tcp_v4(packet) else {
            // It may belong to a flow with a pending train (a FIN, say): keep the order.
            self.flush(write);
            return self.write_single(packet, write);
        };
        let payload = packet.len() - t.headers;
        if let Some(train) = self.trains.iter_mut().find(|tr| tr.same_flow(packet, &t)) {
            if train.can_join(packet, &t, payload) {
                train.append(packet, &t, payload);
                if train.closed(&t, payload) {
                    train.flush(write);
                }
                return;
            }
            // Out of order, or a different shape: what came first leaves first.
            train.flush(write);
        }
        if payload == 0 {
            return self.write_single(packet, write);
        }
        let idx = match self.trains.iter().position(|tr| !tr.pending) {
            Some(i) => i,
            None if self.trains.len() < MAX_TRAINS => {
                self.trains.push(Train::new());
                self.trains.len() - 1
            }
            None => {
                // All busy: the oldest train (the first) leaves to make room.
                self.trains[0].flush(write);
                0
            }
        };
        let train = &mut self.trains[idx];
        train.start(packet, &t, payload);
        if t.flags & 0x08 != 0 {
            train.flush(write);
        }
    }

    fn write_single(&mut self, packet: &[u8], write: &mut impl FnMut(&[u8])) {
        self.single.clear();
        self.single.resize(VNET_HDR_LEN, 0);
        self.single.extend_from_slice(packet);
        write(&self.single);
    }

    /// Writes every pending train.
    pub fn flush(&mut self, write: &mut impl FnMut(&[u8])) {
        for t in &mut self.trains {
            t.flush(write);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A TCP/IPv4 segment with correct checksums.
    fn tcp(seq: u32, payload: &[u8], flags: u8) -> Vec<u8> {
        let mut p = vec![0u8; 40 + payload.len()];
        p[0] = 0x45;
        p[2..4].copy_from_slice(&((40 + payload.len()) as u16).to_be_bytes());
        p[6] = 0x40;
        p[8] = 64;
        p[9] = 6;
        p[12..16].copy_from_slice(&[10, 0, 0, 1]);
        p[16..20].copy_from_slice(&[10, 0, 0, 2]);
        p[20..22].copy_from_slice(&5001u16.to_be_bytes());
        p[22..24].copy_from_slice(&40000u16.to_be_bytes());
        p[24..28].copy_from_slice(&seq.to_be_bytes());
        p[28..32].copy_from_slice(&7u32.to_be_bytes());
        p[32] = 5 << 4;
        p[33] = flags;
        p[34..36].copy_from_slice(&512u16.to_be_bytes());
        p[40..].copy_from_slice(payload);
        ipv4_header_checksum(&mut p);
        let c = !fold(sum_bytes(pseudo_v4(&p, p.len() - 20), &p[20..]));
        p[36..38].copy_from_slice(&c.to_be_bytes());
        p
    }

    fn valid(p: &[u8]) -> bool {
        fold(sum_bytes(0, &p[..20])) == 0xffff && fold(sum_bytes(pseudo_v4(p, p.len() - 20), &p[20..])) == 0xffff
    }

    #[test]
    fn tso_super_packet_splits_into_valid_segments() {
        let payload: Vec<u8> = (0..5000u32).map(|i| i as u8).collect();
        let big = tcp(1000, &payload, 0x18);
        let mut buf = vec![0u8; VNET_HDR_LEN];
        VnetHdr {
            flags: F_NEEDS_CSUM,
            gso_type: GSO_TCPV4,
            hdr_len: 40,
            gso_size: 1380,
            csum_start: 20,
            csum_offset: 16,
        }
        .write(&mut buf);
        buf.extend_from_slice(&big);
        let mut scratch = vec![0u8; 65536];
        let mut segs = Vec::new();
        assert!(segment(&mut buf, &mut scratch, |s| segs.push(s.to_vec())));
        assert_eq!(segs.len(), 4);
        let mut joined = Vec::new();
        for (i, s) in segs.iter().enumerate() {
            assert!(valid(s), "segment {i}");
            let seq = u32::from_be_bytes([s[24], s[25], s[26], s[27]]);
            assert_eq!(seq, 1000 + 1380 * i as u32);
            assert_eq!(s[33] & 0x08 != 0, i == 3, "PSH only on the last");
            joined.extend_from_slice(&s[40..]);
        }
        assert_eq!(joined, payload);
    }

    #[test]
    fn partial_checksum_is_completed() {
        let mut p = tcp(1, b"hello world", 0x18);
        // What the kernel hands over: the pseudo-header sum in the checksum field.
        let partial = fold(pseudo_v4(&p, p.len() - 20));
        p[36..38].copy_from_slice(&partial.to_be_bytes());
        let mut buf = vec![0u8; VNET_HDR_LEN];
        VnetHdr { flags: F_NEEDS_CSUM, csum_start: 20, csum_offset: 16, ..Default::default() }.write(&mut buf);
        buf.extend_from_slice(&p);
        let mut out = Vec::new();
        assert!(segment(&mut buf, &mut [0u8; 16], |s| out.push(s.to_vec())));
        assert!(valid(&out[0]));
    }

    #[test]
    fn malformed_offload_requests_are_refused() {
        let mut scratch = vec![0u8; 65536];
        for hdr in [
            VnetHdr { gso_type: GSO_TCPV4, gso_size: 0, ..Default::default() },
            VnetHdr { gso_type: 3, ..Default::default() },
            VnetHdr { flags: F_NEEDS_CSUM, csum_start: 60000, ..Default::default() },
        ] {
            let mut buf = vec![0u8; VNET_HDR_LEN];
            hdr.write(&mut buf);
            buf.extend_from_slice(&tcp(1, b"x", 0x10));
            assert!(!segment(&mut buf, &mut scratch, |_| panic!("nothing should come out")));
        }
        assert!(!segment(&mut [0u8; 4], &mut scratch, |_| {}));
    }

    #[test]
    fn consecutive_segments_coalesce_and_split_back() {
        let mut c = Coalescer::new();
        let mut out: Vec<Vec<u8>> = Vec::new();
        let mut w = |b: &[u8]| out.push(b.to_vec());
        let seg = vec![7u8; 1380];
        for i in 0..10u32 {
            c.push(&tcp(100 + i * 1380, &seg, 0x10), &mut w);
        }
        c.push(&tcp(100 + 10 * 1380, &seg[..500], 0x18), &mut w);
        c.flush(&mut w);
        assert_eq!(out.len(), 1);
        let hdr = VnetHdr::parse(&out[0]).unwrap();
        assert_eq!((hdr.gso_type, hdr.gso_size, hdr.hdr_len), (GSO_TCPV4, 1380, 40));
        assert_eq!(out[0].len(), VNET_HDR_LEN + 40 + 10 * 1380 + 500);
        // Splitting it again (as the kernel would) gives valid segments.
        let mut buf = out[0].clone();
        let mut segs = 0;
        assert!(segment(&mut buf, &mut vec![0u8; 65536], |s| {
            assert!(valid(s));
            segs += 1;
        }));
        assert_eq!(segs, 11);
    }

    #[test]
    fn interleaved_flows_each_coalesce() {
        let mut c = Coalescer::new();
        let mut out: Vec<Vec<u8>> = Vec::new();
        let mut w = |b: &[u8]| out.push(b.to_vec());
        let seg = vec![3u8; 1000];
        for i in 0..6u32 {
            let mut p = tcp(i * 1000, &seg, 0x10);
            c.push(&p, &mut w);
            // The second flow differs in its source port.
            p[20..22].copy_from_slice(&5002u16.to_be_bytes());
            ipv4_header_checksum(&mut p);
            c.push(&p, &mut w);
        }
        c.flush(&mut w);
        assert_eq!(out.len(), 2);
        assert!(out.iter().all(|o| o.len() == VNET_HDR_LEN + 40 + 6000));
    }

    #[test]
    fn gaps_other_flows_and_non_tcp_break_the_train() {
        let mut c = Coalescer::new();
        let mut out: Vec<Vec<u8>> = Vec::new();
        let mut w = |b: &[u8]| out.push(b.to_vec());
        let seg = vec![1u8; 1000];
        c.push(&tcp(0, &seg, 0x10), &mut w);
        c.push(&tcp(5000, &seg, 0x10), &mut w); // gap
        c.push(&[0x45u8; 30], &mut w); // not TCP as we know it
        c.push(&tcp(6000, &seg, 0x11), &mut w); // FIN
        c.flush(&mut w);
        assert_eq!(out.len(), 4);
        for o in &out {
            assert_eq!(VnetHdr::parse(o).unwrap(), VnetHdr::default());
        }
    }
}
