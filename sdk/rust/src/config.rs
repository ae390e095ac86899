//! The compiled desired state of one site, as the agent receives it. The server serialises it
//! canonically (fields in declaration order, every list sorted), so equal documents are equal
//! bytes and the content hash identifies a document.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::network::{LinkKind, PolicyAction, PolicyMatch, SiteRole};
use crate::wire::{Endpoint, IpNet, WgKey};

pub const CONFIG_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SiteConfig {
    pub schema_version: u32,
    /// The tenant revision at which this document last changed.
    pub revision: i64,
    pub site_id: Uuid,
    pub site_name: String,
    pub role: SiteRole,
    /// The site's overlay address with the overlay prefix length, e.g. `100.64.0.7/16`.
    #[schema(value_type = String)]
    pub overlay_address: IpNet,
    pub listen_port: u16,
    #[schema(value_type = Vec<String>)]
    pub lan_prefixes: Vec<IpNet>,
    pub links: Vec<ConfigLink>,
    /// Sorted by site id.
    pub peers: Vec<ConfigPeer>,
    /// Sorted by priority, then name.
    pub qos_classes: Vec<ConfigQosClass>,
    /// Sorted by priority.
    pub policies: Vec<ConfigPolicy>,
    /// The site's BGP settings; absent when it has none (and then the document, and its hash,
    /// are what they were before BGP existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bgp: Option<ConfigBgp>,
    /// All of the tenant's own applications (`/v1/applications`), sorted by name, for the agent
    /// to recognise beside the built-in catalogue (a tenant's definition first where both name a
    /// flow); absent when the tenant has none, so such a document is what it was before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applications: Vec<crate::applications::Application>,
}

/// What the site's agent needs to run BGP (`/v1/sites/{id}/bgp`, with the neighbours'
/// passwords: this document goes only to the site's own agent). Neighbours are sorted by
/// address, networks by their text, prefix lists and route maps by name; entries keep their
/// order, which is their sequence (5, 10, 15, ..).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ConfigBgp {
    #[schema(value_type = i64)]
    pub local_asn: u32,
    #[schema(value_type = String, format = Ipv4)]
    pub router_id: std::net::Ipv4Addr,
    pub neighbors: Vec<ConfigBgpNeighbor>,
    #[schema(value_type = Vec<String>)]
    pub networks: Vec<IpNet>,
    pub prefix_lists: Vec<crate::bgp::BgpPrefixList>,
    pub route_maps: Vec<crate::bgp::BgpRouteMap>,
    /// Whether learned prefixes enter the overlay.
    pub overlay_import: bool,
    /// Per neighbour: one more learned prefix and the agent stops accepting from it and reports
    /// the error in its status.
    pub max_learned_prefixes: u32,
}

#[derive(Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ConfigBgpNeighbor {
    #[schema(value_type = String, format = "ip")]
    pub address: std::net::IpAddr,
    #[schema(value_type = i64)]
    pub remote_asn: u32,
    pub description: String,
    /// TCP MD5 password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    pub keepalive: u16,
    pub hold_time: u16,
    pub bfd: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_map_in: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_map_out: Option<String>,
}

/// Never prints the password.
impl std::fmt::Debug for ConfigBgpNeighbor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigBgpNeighbor")
            .field("address", &self.address)
            .field("remote_asn", &self.remote_asn)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("keepalive", &self.keepalive)
            .field("hold_time", &self.hold_time)
            .field("bfd", &self.bfd)
            .field("route_map_in", &self.route_map_in)
            .field("route_map_out", &self.route_map_out)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ConfigLink {
    pub name: String,
    pub interface: String,
    pub kind: LinkKind,
    #[schema(value_type = Option<String>)]
    pub endpoint: Option<Endpoint>,
    pub bandwidth_up_mbps: u32,
    pub bandwidth_down_mbps: u32,
    pub cost: u32,
    pub priority: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ConfigPeer {
    pub site_id: Uuid,
    pub site_name: String,
    /// WireGuard public key (base64) of the peer's agent.
    #[schema(value_type = String)]
    pub public_key: WgKey,
    /// The peer's overlay address (/32) and LAN prefixes, sorted.
    #[schema(value_type = Vec<String>)]
    pub allowed_ips: Vec<IpNet>,
    /// Where the peer can be reached, one per link with a public endpoint, by link priority.
    pub endpoints: Vec<ConfigEndpoint>,
    /// Seconds between keepalives, 0 for none.
    pub persistent_keepalive: u16,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ConfigEndpoint {
    /// The peer's link name.
    pub link: String,
    /// `host:port`
    #[schema(value_type = String)]
    pub address: Endpoint,
    pub priority: u32,
    pub cost: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ConfigQosClass {
    pub name: String,
    pub priority: u8,
    pub dscp: u8,
    pub guaranteed_percent: u8,
    pub max_percent: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ConfigPolicy {
    pub name: String,
    pub priority: u32,
    #[serde(rename = "match")]
    pub matches: PolicyMatch,
    pub action: PolicyAction,
}

/// A compiled document with its content hash and revision, as operators see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CompiledConfig {
    /// Hex SHA-256 of the canonical document without its `revision`.
    pub hash: String,
    pub revision: i64,
    pub config: SiteConfig,
}
