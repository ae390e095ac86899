//! What the agent needs to know about a site's BGP: a plain type, local to the agent until the
//! document carries a BGP section, shaped like the per-site settings of issue 18 so that it can be
//! filled from that section later.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

use patronus_api::IpNet;

/// A site's BGP settings. `None` where the agent holds an `Option<BgpSettings>` means the site
/// runs no BGP: no FRR is needed and the status says BGP is off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BgpSettings {
    /// The site's own AS number (4-byte ASNs allowed).
    pub local_asn: u32,
    pub router_id: Ipv4Addr,
    pub neighbors: Vec<Neighbor>,
    /// Prefixes the site advertises as its own (`network` statements), subject to the export
    /// filter.
    pub networks: Vec<IpNet>,
    /// Other sites' LAN prefixes this site reaches over the overlay (static and learned), which
    /// it advertises to its neighbours as the export filter allows. Filled by the agent from its
    /// document and path state; rendered as `network` statements like `networks`.
    pub overlay_prefixes: Vec<IpNet>,
    /// Applied to what every neighbour sends (`route-map .. in`).
    pub import: Filter,
    /// Applied to what the site sends to every neighbour (`route-map .. out`).
    pub export: Filter,
    /// Whether prefixes learned from the neighbours (those the import filter passes) are sent to
    /// the server to enter the overlay. FRR does not see it; it is read by whatever sends the
    /// learned prefixes (not written yet).
    pub learned_into_overlay: bool,
    /// The most prefixes accepted from one neighbour; beyond it the session is torn down and
    /// stays down (see `render.rs` for why; FRR 8.4 acts at the second prefix over) and the
    /// status reports it.
    pub max_prefixes: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Neighbor {
    pub address: IpAddr,
    pub remote_asn: u32,
    pub description: Option<String>,
    /// TCP MD5 signature (RFC 2385), as FRR's `neighbor X password`.
    pub password: Option<Password>,
    pub timers: Option<Timers>,
    /// A BFD session to the neighbour (needs `bfdd`, which the applier then starts).
    pub bfd: bool,
}

/// BGP keepalive and hold time in seconds (hold 0, or at least 3 and not below keepalive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timers {
    pub keepalive: u16,
    pub hold: u16,
}

/// A neighbour's password; never printed by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(pub String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// An import or export filter. Every part is optional; an empty filter passes everything
/// unchanged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Ordered rules, first match wins. When there are rules, a prefix no rule permits is refused
    /// (also a prefix of an address family that has no rules at all); without rules every prefix
    /// passes this part.
    pub prefixes: Vec<PrefixRule>,
    /// A route passes only if it carries at least one of these (none: no condition).
    pub match_communities: Vec<Community>,
    /// Added to the route's communities (additive).
    pub set_communities: Vec<Community>,
    pub local_preference: Option<u32>,
    /// The MED (`set metric`).
    pub med: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Permit,
    Deny,
}

/// A prefix-list entry: `prefix`, and the range of lengths it matches (`ge`/`le`, as in FRR; both
/// absent: exactly `prefix`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrefixRule {
    pub action: Action,
    pub prefix: IpNet,
    pub ge: Option<u8>,
    pub le: Option<u8>,
}

/// A standard community `ASN:VALUE` (RFC 1997).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Community {
    pub asn: u16,
    pub value: u16,
}

impl fmt::Display for Community {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.asn, self.value)
    }
}
