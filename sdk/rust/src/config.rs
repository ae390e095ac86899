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
