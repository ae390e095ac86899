//! Path probes: tiny IPv4 packets that travel inside the WireGuard session of one path and are
//! answered on the same path, so each (link, endpoint) proves its own round trip.
//!
//! Layout: a 20-byte IPv4 header with protocol 253 (reserved for experiments, RFC 3692), then
//! `PTRNPRB1`, a kind byte (1 request, 2 reply), three zero bytes, the path id and the sequence
//! number (big-endian u32 each). The receiving agent consumes them; they never reach a TUN.
//!
//! The inner header's DSCP is the one the probe's outer datagram carries, and a reply carries
//! the request's: the round trip is measured on the same treatment both ways, whatever the
//! answering site's own document says (agents that predate this send and answer 0).

use std::net::Ipv4Addr;

pub const PROTOCOL: u8 = 253;
const MAGIC: &[u8; 8] = b"PTRNPRB1";
pub const LEN: usize = 20 + 8 + 4 + 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Request,
    Reply,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    pub kind: Kind,
    pub path: u32,
    pub seq: u32,
    /// The DSCP (0 to 63) of the probe's outer datagram and of its reply.
    pub dscp: u8,
}

impl Probe {
    /// Writes the probe as an IPv4 packet from `src` into `out`.
    pub fn encode(&self, src: Ipv4Addr, out: &mut [u8; LEN]) {
        out.fill(0);
        out[0] = 0x45;
        out[1] = self.dscp << 2;
        out[2..4].copy_from_slice(&(LEN as u16).to_be_bytes());
        out[8] = 1; // TTL: never meant to be routed
        out[9] = PROTOCOL;
        out[12..16].copy_from_slice(&src.octets());
        let csum = ipv4_checksum(&out[..20]);
        out[10..12].copy_from_slice(&csum.to_be_bytes());
        out[20..28].copy_from_slice(MAGIC);
        out[28] = match self.kind {
            Kind::Request => 1,
            Kind::Reply => 2,
        };
        out[32..36].copy_from_slice(&self.path.to_be_bytes());
        out[36..40].copy_from_slice(&self.seq.to_be_bytes());
    }

    /// Reads a probe from a decrypted packet; `None` for anything else.
    pub fn decode(packet: &[u8]) -> Option<Probe> {
        if packet.len() != LEN || packet[0] != 0x45 || packet[9] != PROTOCOL {
            return None;
        }
        if &packet[20..28] != MAGIC {
            return None;
        }
        let kind = match packet[28] {
            1 => Kind::Request,
            2 => Kind::Reply,
            _ => return None,
        };
        let path = u32::from_be_bytes([packet[32], packet[33], packet[34], packet[35]]);
        let seq = u32::from_be_bytes([packet[36], packet[37], packet[38], packet[39]]);
        Some(Probe { kind, path, seq, dscp: packet[1] >> 2 })
    }
}

fn ipv4_checksum(header: &[u8]) -> u16 {
    let mut sum = 0u32;
    for pair in header.chunks(2) {
        let word = u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)]);
        sum += u32::from(word);
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trip() {
        let p = Probe { kind: Kind::Reply, path: 7, seq: 0xdead_beef, dscp: 46 };
        let mut buf = [0u8; LEN];
        p.encode(Ipv4Addr::new(100, 64, 0, 1), &mut buf);
        assert_eq!(Probe::decode(&buf), Some(p));
        assert_eq!(ipv4_checksum(&buf[..20]), 0);
    }

    #[test]
    fn other_packets_are_not_probes() {
        let mut buf = [0u8; LEN];
        Probe { kind: Kind::Request, path: 1, seq: 1, dscp: 0 }.encode(Ipv4Addr::LOCALHOST, &mut buf);
        for i in [0usize, 9, 20, 28] {
            let mut b = buf;
            b[i] ^= 0x40;
            assert_eq!(Probe::decode(&b), None, "byte {i}");
        }
        assert_eq!(Probe::decode(&buf[..LEN - 1]), None);
    }
}
