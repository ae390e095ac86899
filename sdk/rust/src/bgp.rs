//! A site's BGP settings (`/v1/sites/{id}/bgp`): one object per site, replaced whole with PUT.
//!
//! - ASNs are `u32` (4-byte ASNs, RFC 6793). Refused: 0 (RFC 7607), 23456 (`AS_TRANS`, RFC
//!   6793), 65535 and 4294967295 (RFC 7300). Without `local_asn` a site takes
//!   `4200000000 + n`, where `n` is its host number in the tenant's overlay prefix (the private
//!   4-byte range of RFC 6996), so every site of a tenant has its own ASN by default.
//! - Timers are FRR's: keepalive 0–65535 s, hold time 0 (no hold timer) or 3–65535 s; a keepalive
//!   longer than a third of a non-zero hold time is refused (FRR would quietly use hold/3).
//! - A neighbour's `password` (TCP MD5) is write-only: a PUT that gives it sets it, a PUT that
//!   leaves it out keeps the one stored for the neighbour with the same address, `""` removes it.
//!   Responses only say `password_set`.
//! - Filters: prefix lists (ordered permit/deny entries with `ge`/`le`) and route maps (ordered
//!   entries matching a prefix list and/or communities, setting local preference, MED and
//!   communities). A neighbour names a route map for each direction. Every name referenced must
//!   be defined in the same object. Entries are numbered by their position (5, 10, 15, ..).

use std::net::{IpAddr, Ipv4Addr};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::wire::IpNet;

/// ASNs no site or neighbour may use.
pub const BGP_RESERVED_ASNS: [u32; 4] = [0, 23456, 65535, u32::MAX];
/// A site without `local_asn` takes this plus its host number in the overlay prefix.
pub const BGP_DEFAULT_ASN_BASE: u32 = 4_200_000_000;
pub const BGP_DEFAULT_KEEPALIVE: u16 = 60;
pub const BGP_DEFAULT_HOLD_TIME: u16 = 180;
pub const BGP_DEFAULT_MAX_LEARNED_PREFIXES: u32 = 1000;
pub const BGP_MAX_LEARNED_PREFIXES: u32 = 100_000;
/// Names of prefix lists and route maps: they become words of `frr.conf`.
pub const BGP_FILTER_NAME: &str = r"^[A-Za-z0-9_.-]{1,63}$";

/// Whether `name` may name a prefix list or route map ([`BGP_FILTER_NAME`]).
pub fn is_filter_name(name: &str) -> bool {
    (1..=63).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// A route-map community as FRR prints it: `AA:NN` (each 0–65535, without leading zeros) or
/// `no-export`, `no-advertise`, `local-AS`; `None` when `c` is none of these.
pub fn frr_community(c: &str) -> Option<String> {
    if matches!(c, "no-export" | "no-advertise" | "local-AS") {
        return Some(c.to_string());
    }
    let (a, n) = c.split_once(':')?;
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !(digits(a) && digits(n)) {
        return None;
    }
    Some(format!("{}:{}", a.parse::<u16>().ok()?, n.parse::<u16>().ok()?))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BgpAction {
    Permit,
    Deny,
}

/// PUT body: the site's whole BGP settings. Absent fields take their defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteBgpSpec {
    /// The site's ASN. Default: 4200000000 plus the site's host number in the overlay prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 4294967294_u32)]
    pub local_asn: Option<u32>,
    /// BGP router id. Default: the site's overlay address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Ipv4)]
    pub router_id: Option<Ipv4Addr>,
    /// Neighbours, each inside one of the site's LAN prefixes; addresses are unique.
    #[serde(default)]
    #[schema(max_items = 64)]
    pub neighbors: Vec<BgpNeighborSpec>,
    /// Prefixes the site advertises to its neighbours, canonical and disjoint; none may overlap
    /// another site's LAN prefixes or advertised networks.
    #[serde(default, deserialize_with = "crate::wire::prefix::list")]
    #[schema(value_type = Vec<String>, max_items = 256)]
    pub networks: Vec<IpNet>,
    #[serde(default)]
    #[schema(max_items = 64)]
    pub prefix_lists: Vec<BgpPrefixList>,
    #[serde(default)]
    #[schema(max_items = 64)]
    pub route_maps: Vec<BgpRouteMap>,
    /// Whether prefixes learned from the neighbours (after their import route maps) enter the
    /// overlay, routed to this site by the other sites. Default false.
    #[serde(default)]
    pub overlay_import: bool,
    /// At most this many learned prefixes per neighbour (default 1000). One more and the site
    /// stops accepting from that neighbour and reports an error; it never keeps a partial table.
    #[serde(default = "default_max_learned")]
    #[schema(minimum = 1, maximum = 100000)]
    pub max_learned_prefixes: u32,
}

fn default_max_learned() -> u32 {
    BGP_DEFAULT_MAX_LEARNED_PREFIXES
}

fn default_keepalive() -> u16 {
    BGP_DEFAULT_KEEPALIVE
}

fn default_hold_time() -> u16 {
    BGP_DEFAULT_HOLD_TIME
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BgpNeighborSpec {
    #[schema(value_type = String, format = "ip")]
    pub address: IpAddr,
    #[schema(value_type = i64, minimum = 1, maximum = 4294967294_u32)]
    pub remote_asn: u32,
    /// Free text, at most 200 characters, no control characters but tabs and newlines.
    #[serde(default)]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub description: String,
    /// TCP MD5 password, 1 to 80 printable ASCII characters without spaces. Write-only: absent
    /// keeps the stored one (matched by address), `""` removes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 80, pattern = r"^[!-~]*$")]
    pub password: Option<String>,
    /// Seconds (default 60).
    #[serde(default = "default_keepalive")]
    #[schema(minimum = 0, maximum = 65535)]
    pub keepalive: u16,
    /// Seconds, 0 or 3–65535 (default 180).
    #[serde(default = "default_hold_time")]
    #[schema(minimum = 0, maximum = 65535)]
    pub hold_time: u16,
    #[serde(default)]
    pub bfd: bool,
    /// A route map of this object applied to what the neighbour sends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"^[A-Za-z0-9_.-]{1,63}$")]
    pub route_map_in: Option<String>,
    /// A route map of this object applied to what the site sends the neighbour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"^[A-Za-z0-9_.-]{1,63}$")]
    pub route_map_out: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BgpPrefixList {
    #[schema(pattern = r"^[A-Za-z0-9_.-]{1,63}$")]
    pub name: String,
    /// Tried in order; the first that matches decides.
    #[schema(min_items = 1, max_items = 256)]
    pub entries: Vec<BgpPrefixListEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BgpPrefixListEntry {
    pub action: BgpAction,
    #[serde(deserialize_with = "crate::wire::prefix::one")]
    #[schema(value_type = String, format = "ip-prefix")]
    pub prefix: IpNet,
    /// Matches prefixes at least this long (more than the prefix's length, at most `le`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 128)]
    pub ge: Option<u8>,
    /// Matches prefixes at most this long (more than the prefix's length).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 128)]
    pub le: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BgpRouteMap {
    #[schema(pattern = r"^[A-Za-z0-9_.-]{1,63}$")]
    pub name: String,
    /// Tried in order; a route no entry permits is denied.
    #[schema(min_items = 1, max_items = 256)]
    pub entries: Vec<BgpRouteMapEntry>,
}

/// One route-map entry: it applies to routes that match all its `match_` fields (an entry with
/// none matches every route); a `permit` entry then applies its `set_` fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BgpRouteMapEntry {
    pub action: BgpAction,
    /// A prefix list of this object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"^[A-Za-z0-9_.-]{1,63}$")]
    pub match_prefix_list: Option<String>,
    /// Communities (`AA:NN`, or `no-export`, `no-advertise`, `local-AS`) a route must all carry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 32)]
    pub match_communities: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 4294967295_u32)]
    pub set_local_preference: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 4294967295_u32)]
    pub set_med: Option<u32>,
    /// Communities added to the route (`AA:NN` or a well-known name, as above).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 32)]
    pub set_communities: Vec<String>,
}

/// A neighbour as the API shows it: its password never, only whether it has one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BgpNeighbor {
    #[schema(value_type = String, format = "ip")]
    pub address: IpAddr,
    #[schema(value_type = i64)]
    pub remote_asn: u32,
    pub description: String,
    pub password_set: bool,
    pub keepalive: u16,
    pub hold_time: u16,
    pub bfd: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_map_in: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_map_out: Option<String>,
}

/// A site's BGP settings. Its ETag moves with every change; the site's own ETag does not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SiteBgp {
    pub site_id: Uuid,
    #[schema(value_type = i64)]
    pub local_asn: u32,
    #[schema(value_type = String, format = Ipv4)]
    pub router_id: Ipv4Addr,
    pub neighbors: Vec<BgpNeighbor>,
    #[schema(value_type = Vec<String>)]
    pub networks: Vec<IpNet>,
    pub prefix_lists: Vec<BgpPrefixList>,
    pub route_maps: Vec<BgpRouteMap>,
    pub overlay_import: bool,
    pub max_learned_prefixes: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub etag: String,
}

/// Most routes one learned-routes report may carry: the per-neighbour maximum is at most
/// [`BGP_MAX_LEARNED_PREFIXES`], and a site has few neighbours.
pub const BGP_MAX_REPORTED_ROUTES: usize = 100_000;

/// The BGP part of an agent's status report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BgpStatus {
    pub state: BgpState,
    /// Why BGP is in `error` (FRR missing, a configuration FRR refused), for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 2000, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub error: Option<String>,
    /// One per neighbour of the document, sorted by address.
    #[serde(default)]
    #[schema(max_items = 64)]
    pub sessions: Vec<BgpSessionStatus>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BgpState {
    /// The site's document has no BGP settings; the agent runs no routing daemon.
    Off,
    /// FRR runs the document's settings.
    Running,
    /// The settings could not be applied; see `error`.
    Error,
}

/// One BGP session as the agent's FRR sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BgpSessionStatus {
    #[schema(value_type = String, format = "ip")]
    pub neighbor: IpAddr,
    #[schema(value_type = i64)]
    pub remote_asn: u32,
    /// FRR's word for the session's state: `Idle`, `Connect`, `Active`, `OpenSent`,
    /// `OpenConfirm` or `Established`.
    #[schema(max_length = 32)]
    pub state: String,
    /// Seconds since the session came up; absent while it is down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub established_seconds: Option<u64>,
    /// Prefixes accepted from the neighbour (after its import route map).
    pub prefixes_received: u64,
    /// What is wrong with the session, when something is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<BgpSessionProblem>,
    /// The problem in words, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 2000, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BgpSessionProblem {
    /// The neighbour sent more prefixes than `max_learned_prefixes`: the session was closed and
    /// nothing it sent is used.
    MaxPrefixExceeded,
    /// TCP MD5 signatures do not verify: the passwords most likely differ.
    PasswordMismatch,
    /// Down for another reason (see `detail`).
    NotEstablished,
}

/// `PUT /v1/agent/bgp/routes`: every route the site's neighbours gave it that passed the import
/// route maps, whole (a prefix left out is withdrawn). Sent when the set changes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LearnedRoutesReport {
    #[schema(max_items = 100000)]
    pub routes: Vec<LearnedRouteReport>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LearnedRouteReport {
    #[serde(deserialize_with = "crate::wire::prefix::one")]
    #[schema(value_type = String, format = "ip-prefix")]
    pub prefix: IpNet,
    /// The neighbour it was learned from.
    #[schema(value_type = String, format = "ip")]
    pub neighbor: IpAddr,
    /// AS path as FRR prints it (`65001 65002`), empty for the neighbour's own routes.
    #[serde(default)]
    #[schema(max_length = 1000, pattern = r"^[0-9 {},]*$")]
    pub as_path: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 32)]
    pub communities: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>)]
    pub local_preference: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>)]
    pub med: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LearnedRouteState {
    /// In the other sites' documents: they route the prefix to this site.
    Accepted,
    /// Kept out of the overlay; `reason` says why.
    Refused,
    /// The site's `overlay_import` is off: the route is known, not used.
    NotImported,
}

/// A learned route as the API shows it (`GET /v1/sites/{id}/bgp/routes`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LearnedRoute {
    #[schema(value_type = String)]
    pub prefix: IpNet,
    #[schema(value_type = String, format = "ip")]
    pub neighbor: IpAddr,
    pub as_path: String,
    pub communities: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>)]
    pub local_preference: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>)]
    pub med: Option<u32>,
    pub state: LearnedRouteState,
    /// Why a refused route is refused, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The site whose prefix it collides with, when refused for a collision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflicting_site_id: Option<Uuid>,
    /// When the site first had the prefix (from this neighbour, or from another one it still had
    /// then): what "learned earlier" compares when two sites learn overlapping prefixes.
    pub learned_at: DateTime<Utc>,
}

/// The answer to a learned-routes report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LearnedRoutesAnswer {
    pub accepted: u64,
    pub refused: u64,
    pub not_imported: u64,
}
