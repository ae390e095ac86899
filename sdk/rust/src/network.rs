//! The tenant's network as data: sites, their WAN links, topology, peerings, QoS classes and
//! policies.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::wire::{Endpoint, IpNet, Ipv4Net, PortRange};

/// `hub` sites relay for spokes in a hub-and-spoke topology; `edge` sites are everything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SiteRole {
    Edge,
    Hub,
}

impl SiteRole {
    pub fn as_str(self) -> &'static str {
        match self {
            SiteRole::Edge => "edge",
            SiteRole::Hub => "hub",
        }
    }

    pub fn parse(s: &str) -> Option<SiteRole> {
        match s {
            "edge" => Some(SiteRole::Edge),
            "hub" => Some(SiteRole::Hub),
            _ => None,
        }
    }
}

pub const DEFAULT_LISTEN_PORT: u16 = 51820;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSite {
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([^\x00-\x1f\x7f-\x9f]{0,98}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?$"
    )]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 1000, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub description: String,
    /// Free text: a city, a data centre, an address.
    #[serde(default)]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub location: String,
    #[serde(default)]
    #[schema(schema_with = crate::schema::labels)]
    pub labels: BTreeMap<String, String>,
    #[serde(default = "default_role")]
    pub role: SiteRole,
    #[serde(default, deserialize_with = "crate::wire::prefix::list")]
    #[schema(schema_with = crate::schema::lan_prefixes)]
    pub lan_prefixes: Vec<IpNet>,
    /// UDP port WireGuard listens on (default 51820).
    #[serde(default = "default_listen_port")]
    #[schema(minimum = 1, maximum = 65535)]
    pub listen_port: u16,
    /// The site's WAN links, created with it in one transaction. Absent: the site starts without
    /// links (add them with `POST /v1/links`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_items = 64)]
    pub links: Option<Vec<SiteLink>>,
}

fn default_role() -> SiteRole {
    SiteRole::Edge
}

fn default_listen_port() -> u16 {
    DEFAULT_LISTEN_PORT
}

/// PATCH body: absent fields keep their value; `labels` and `lan_prefixes` replace the whole set.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([^\x00-\x1f\x7f-\x9f]{0,98}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?$"
    )]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 1000, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::schema::labels_update)]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<SiteRole>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::wire::prefix::list_opt")]
    #[schema(schema_with = crate::schema::lan_prefixes_update)]
    pub lan_prefixes: Option<Vec<IpNet>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 65535)]
    pub listen_port: Option<u16>,
    /// Replaces the site's whole link set in the same transaction, matched by name: a listed link
    /// that exists is updated in place (it keeps its id), a new name is created, and a link not
    /// listed is deleted. `[]` deletes every link. Absent: the links stay as they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_items = 64)]
    pub links: Option<Vec<SiteLink>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Site {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub location: String,
    pub labels: BTreeMap<String, String>,
    pub role: SiteRole,
    #[schema(value_type = Vec<String>)]
    pub lan_prefixes: Vec<IpNet>,
    pub listen_port: u16,
    /// The site's address on the overlay, allocated by the server from the tenant's overlay prefix.
    pub overlay_address: String,
    /// The site's WAN links, by name, however they were made. The site's ETag covers its own
    /// fields only; each link has its own.
    #[serde(default)]
    pub links: Vec<Link>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub etag: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    Fiber,
    Cable,
    Dsl,
    Ethernet,
    Lte,
    #[serde(rename = "5g")]
    FiveG,
    Satellite,
    Mpls,
    Other,
}

impl LinkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Fiber => "fiber",
            LinkKind::Cable => "cable",
            LinkKind::Dsl => "dsl",
            LinkKind::Ethernet => "ethernet",
            LinkKind::Lte => "lte",
            LinkKind::FiveG => "5g",
            LinkKind::Satellite => "satellite",
            LinkKind::Mpls => "mpls",
            LinkKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<LinkKind> {
        serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLink {
    /// The site this link belongs to. Cannot change.
    pub site_id: Uuid,
    /// Unique within the site, e.g. `fiber`, `lte`.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([^\x00-\x1f\x7f-\x9f]{0,98}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?$"
    )]
    pub name: String,
    /// Interface name on the site's machine, e.g. `eth1`: 1 to 15 printable ASCII characters but
    /// `/` and `:`, not `.` or `..`.
    #[schema(min_length = 1, max_length = 15, pattern = r"^(?!\.\.?$)[!-.0-9;-~]{1,15}$")]
    pub interface: String,
    #[serde(default = "default_link_kind")]
    pub kind: LinkKind,
    /// Public `host:port` where peers reach this link; absent when behind NAT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = "endpoint")]
    pub endpoint: Option<Endpoint>,
    #[schema(minimum = 1, maximum = 10000000)]
    pub bandwidth_up_mbps: u32,
    #[schema(minimum = 1, maximum = 10000000)]
    pub bandwidth_down_mbps: u32,
    /// Relative cost of sending over this link (for lowest-cost path selection).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1000000)]
    pub cost: u32,
    /// 1 is preferred most; paths over links with a lower number are chosen first.
    #[serde(default = "default_link_priority")]
    #[schema(minimum = 0, maximum = 1000000)]
    pub priority: u32,
}

fn default_link_kind() -> LinkKind {
    LinkKind::Other
}

fn default_link_priority() -> u32 {
    100
}

/// A WAN link as part of a site's body (`NewSite.links`, `SiteUpdate.links`): a link without
/// its `site_id`, which is the site's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteLink {
    /// Unique within the site, e.g. `fiber`, `lte`.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([^\x00-\x1f\x7f-\x9f]{0,98}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?$"
    )]
    pub name: String,
    /// Interface name on the site's machine, e.g. `eth1`: 1 to 15 printable ASCII characters but
    /// `/` and `:`, not `.` or `..`.
    #[schema(min_length = 1, max_length = 15, pattern = r"^(?!\.\.?$)[!-.0-9;-~]{1,15}$")]
    pub interface: String,
    #[serde(default = "default_link_kind")]
    pub kind: LinkKind,
    /// Public `host:port` where peers reach this link; absent when behind NAT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = "endpoint")]
    pub endpoint: Option<Endpoint>,
    #[schema(minimum = 1, maximum = 10000000)]
    pub bandwidth_up_mbps: u32,
    #[schema(minimum = 1, maximum = 10000000)]
    pub bandwidth_down_mbps: u32,
    /// Relative cost of sending over this link (for lowest-cost path selection).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1000000)]
    pub cost: u32,
    /// 1 is preferred most; paths over links with a lower number are chosen first.
    #[serde(default = "default_link_priority")]
    #[schema(minimum = 0, maximum = 1000000)]
    pub priority: u32,
}

/// PATCH body. `endpoint: null` removes the endpoint (the link went behind NAT).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([^\x00-\x1f\x7f-\x9f]{0,98}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?$"
    )]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(min_length = 1, max_length = 15, pattern = r"^(?!\.\.?$)[!-.0-9;-~]{1,15}$")]
    pub interface: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<LinkKind>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "double_option")]
    #[schema(value_type = Option<String>, format = "endpoint")]
    pub endpoint: Option<Option<Endpoint>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 10000000)]
    pub bandwidth_up_mbps: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 10000000)]
    pub bandwidth_down_mbps: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 1000000)]
    pub cost: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 1000000)]
    pub priority: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Link {
    pub id: Uuid,
    pub site_id: Uuid,
    pub name: String,
    pub interface: String,
    pub kind: LinkKind,
    #[schema(value_type = Option<String>)]
    pub endpoint: Option<Endpoint>,
    pub bandwidth_up_mbps: u32,
    pub bandwidth_down_mbps: u32,
    pub cost: u32,
    pub priority: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub etag: String,
}

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
pub mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(value: &Option<Option<T>>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TopologyMode {
    /// Every site peers with every other.
    FullMesh,
    /// Spokes peer with every hub; hubs peer with each other.
    HubAndSpoke,
    /// Only the peerings listed.
    Explicit,
}

impl TopologyMode {
    pub fn as_str(self) -> &'static str {
        match self {
            TopologyMode::FullMesh => "full_mesh",
            TopologyMode::HubAndSpoke => "hub_and_spoke",
            TopologyMode::Explicit => "explicit",
        }
    }

    pub fn parse(s: &str) -> Option<TopologyMode> {
        match s {
            "full_mesh" => Some(TopologyMode::FullMesh),
            "hub_and_spoke" => Some(TopologyMode::HubAndSpoke),
            "explicit" => Some(TopologyMode::Explicit),
            _ => None,
        }
    }
}

/// The tenant's overlay settings (one per tenant). PUT replaces them; absent fields take defaults.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TopologySpec {
    pub mode: TopologyMode,
    /// IPv4 prefix the overlay addresses of sites are allocated from (default `100.64.0.0/16`),
    /// in canonical form, /8 to /30. Can change only while the tenant has no sites.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::wire::prefix::v4_opt")]
    #[schema(value_type = Option<String>, format = "ipv4-prefix")]
    pub overlay_prefix: Option<Ipv4Net>,
    /// WireGuard persistent keepalive in seconds, 0 to disable (default 25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 65535)]
    pub persistent_keepalive: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Topology {
    pub mode: TopologyMode,
    #[schema(value_type = String)]
    pub overlay_prefix: Ipv4Net,
    pub persistent_keepalive: u16,
    /// The tenant's configuration revision: it moves with every change to the network.
    pub revision: i64,
    pub updated_at: DateTime<Utc>,
    pub etag: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPeering {
    /// Defaults to `<site a name>--<site b name>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([^\x00-\x1f\x7f-\x9f]{0,98}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?$"
    )]
    pub name: Option<String>,
    pub site_a: Uuid,
    /// Another site than `site_a`.
    pub site_b: Uuid,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PeeringUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([^\x00-\x1f\x7f-\x9f]{0,98}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?$"
    )]
    pub name: Option<String>,
}

/// A pair of sites that peer directly, whatever the topology mode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Peering {
    pub id: Uuid,
    pub name: String,
    pub site_a: Uuid,
    pub site_b: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub etag: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewQosClass {
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([^\x00-\x1f\x7f-\x9f]{0,98}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?$"
    )]
    pub name: String,
    /// 1 (served first) to 8.
    #[schema(minimum = 1, maximum = 8)]
    pub priority: u8,
    /// DSCP value 0..63 that marks this class's packets.
    #[schema(minimum = 0, maximum = 63)]
    pub dscp: u8,
    /// Share of a link's bandwidth this class is guaranteed, in percent. The guaranteed shares of
    /// all classes add up to at most 100.
    #[schema(minimum = 0, maximum = 100)]
    pub guaranteed_percent: u8,
    /// Share of a link's bandwidth this class may use at most, in percent (default 100); not
    /// below `guaranteed_percent`.
    #[serde(default = "default_max_percent")]
    #[schema(minimum = 1, maximum = 100)]
    pub max_percent: u8,
}

fn default_max_percent() -> u8 {
    100
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QosClassUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([^\x00-\x1f\x7f-\x9f]{0,98}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?$"
    )]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 8)]
    pub priority: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 63)]
    pub dscp: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 100)]
    pub guaranteed_percent: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 100)]
    pub max_percent: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct QosClass {
    pub id: Uuid,
    pub name: String,
    pub priority: u8,
    pub dscp: u8,
    pub guaranteed_percent: u8,
    pub max_percent: u8,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub etag: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    Any,
    Tcp,
    Udp,
    Icmp,
}

/// Which traffic a policy applies to. Every given criterion must match; absent ones match all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyMatch {
    #[serde(default = "default_protocol")]
    pub protocol: Protocol,
    #[serde(default, deserialize_with = "crate::wire::prefix::list")]
    #[schema(schema_with = crate::schema::match_prefixes)]
    pub source_prefixes: Vec<IpNet>,
    #[serde(default, deserialize_with = "crate::wire::prefix::list")]
    #[schema(schema_with = crate::schema::match_prefixes)]
    pub destination_prefixes: Vec<IpNet>,
    #[serde(default)]
    #[schema(schema_with = crate::schema::match_ports)]
    pub destination_ports: Vec<PortRange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 63)]
    pub dscp: Option<u8>,
    /// A built-in application (e.g. `teams`, `zoom`, `ssh`), a category of applications (e.g.
    /// `video`, `backup`), or one of the tenant's own applications (`/v1/applications`, which
    /// every site's document carries): the policy takes the flows the agent recognises as that
    /// application (or as any application of that category). The agent recognises the built-in
    /// applications from TLS and QUIC server names, HTTP `Host`, SSH and SIP handshakes, DNS
    /// answers seen earlier, and the catalogue's prefixes and ports. A flow not yet recognised
    /// takes the policy it would without this one, and moves once when it is. Any other name is
    /// refused (422); an application a policy names cannot be renamed or deleted (409).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(min_length = 1, max_length = 64, pattern = r"^[a-z0-9_-]{1,64}$")]
    pub application: Option<String>,
}

fn default_protocol() -> Protocol {
    Protocol::Any
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PathSelection {
    /// The links in `link_preference`, in that order, among those meeting the SLA.
    Ordered,
    /// The path with the lowest round-trip time among those meeting the SLA; traffic moves to
    /// another path only when it is faster by at least 10 ms and 20 %.
    LowestLatency,
    /// The path with the lowest loss over the last second among those meeting the SLA.
    LowestLoss,
    /// The path over the link with the lowest `cost` among those meeting the SLA.
    LowestCost,
    /// Every packet goes out twice: on the best path and on the best path over another local
    /// link, towards another of the peer's endpoints where one works (so that a cut of the
    /// peer's link loses nothing either); the receiver keeps the first copy. Doubles the class's
    /// bandwidth.
    Duplicate,
}

/// Thresholds a path must meet; a path that crosses one is failed away from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Sla {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 60000)]
    pub max_latency_ms: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 100)]
    pub max_loss_percent: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 60000)]
    pub max_jitter_ms: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyAction {
    /// Name of an existing QoS class the traffic is put in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qos_class: Option<String>,
    pub path_selection: PathSelection,
    /// Names of existing links in order of preference (at least one for `ordered`; a tie-breaker
    /// otherwise).
    #[serde(default)]
    pub link_preference: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla: Option<Sla>,
    /// Seconds a path must stay healthy before traffic moves back to it (default 10).
    #[serde(default = "default_hold_down")]
    #[schema(minimum = 0, maximum = 3600)]
    pub failover_hold_down_seconds: u32,
}

fn default_hold_down() -> u32 {
    10
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPolicy {
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([^\x00-\x1f\x7f-\x9f]{0,98}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?$"
    )]
    pub name: String,
    /// Evaluation order, unique in the tenant: lower first.
    #[schema(minimum = 0, maximum = 1000000)]
    pub priority: u32,
    #[serde(rename = "match")]
    pub matches: PolicyMatch,
    pub action: PolicyAction,
    /// Sites this policy applies to, by labels (all must match); every site when empty.
    #[serde(default)]
    #[schema(schema_with = crate::schema::labels)]
    pub site_selector: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([^\x00-\x1f\x7f-\x9f]{0,98}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?$"
    )]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 1000000)]
    pub priority: Option<u32>,
    #[serde(rename = "match", default, skip_serializing_if = "Option::is_none")]
    pub matches: Option<PolicyMatch>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<PolicyAction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::schema::labels_update)]
    pub site_selector: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Policy {
    pub id: Uuid,
    pub name: String,
    pub priority: u32,
    #[serde(rename = "match")]
    pub matches: PolicyMatch,
    pub action: PolicyAction,
    pub site_selector: BTreeMap<String, String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub etag: String,
}
