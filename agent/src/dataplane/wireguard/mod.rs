//! Userspace WireGuard over boringtun: one TUN, one UDP socket per WAN link, one session per peer.

pub mod path;
pub mod peer;
pub mod probe;
pub mod routes;
