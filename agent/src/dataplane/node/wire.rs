//! What a WireGuard datagram's header says before any cryptography: its type, its length, and for
//! everything but an initiation the session it is for.

use std::net::SocketAddr;

/// Which peer a datagram is for, as far as its header tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dispatch {
    /// Only decrypting the initiator's static key tells.
    HandshakeInit,
    /// Our session index (the receiver index without its low 8 bits).
    ByIndex(u32),
    Invalid,
}

/// Reads the message type and, for responses, cookie replies and data, the receiver index;
/// checks the lengths WireGuard fixes, so nothing shorter reaches a session.
pub fn classify(datagram: &[u8]) -> Dispatch {
    let index_at = |at: usize| match datagram.get(at..at + 4) {
        Some(b) => Dispatch::ByIndex(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) >> 8),
        None => Dispatch::Invalid,
    };
    match (datagram.first(), datagram.len()) {
        (Some(1), 148) => Dispatch::HandshakeInit,
        (Some(2), 92) => index_at(8),
        (Some(3), 64) => index_at(4),
        (Some(4), n) if n >= 32 => index_at(4),
        _ => Dispatch::Invalid,
    }
}

/// Maps an IPv4-mapped IPv6 source back to IPv4, so it matches configured endpoints.
pub fn canonical(addr: SocketAddr) -> SocketAddr {
    match addr {
        SocketAddr::V6(a) => match a.ip().to_ipv4_mapped() {
            Some(v4) => SocketAddr::from((v4, a.port())),
            None => addr,
        },
        v4 => v4,
    }
}
