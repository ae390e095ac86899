//! The site document as the node needs it: the wire types (keys, prefixes, endpoints, port
//! ranges, parsed when the document was read) turned into the node's, endpoint names resolved.
//! What can still be wrong with a document (a policy naming a class it lacks) is found here,
//! before anything changes.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, ToSocketAddrs};

use patronus_api::{Endpoint, Host, IpNet, SiteConfig};

use std::time::Duration;

use patronus_api::network::{PathSelection, Protocol};
use patronus_api::{ConfigPolicy, ConfigQosClass};

use crate::dataplane::node::policy::{PolicyConfig, Selection, Sla};
use crate::dataplane::node::routes::Prefix;
use crate::dataplane::node::{LinkConfig, NodeConfig, PeerConfig};

/// Parses `config`; an endpoint name that does not resolve now is left out (with a warning)
/// rather than failing the whole document, since the peer's other endpoints still work.
pub fn node_config(config: &SiteConfig) -> anyhow::Result<NodeConfig> {
    Ok(NodeConfig {
        overlay: overlay_v4(config),
        links: config
            .links
            .iter()
            .map(|l| LinkConfig { name: l.name.clone(), priority: l.priority, cost: l.cost })
            .collect(),
        peers: parse_peers(config)?,
        policies: config
            .policies
            .iter()
            .map(|p| parse_policy(p, &config.qos_classes))
            .collect::<anyhow::Result<_>>()?,
        probe_dscp: probe_dscp(config),
        applications: config.applications.clone(),
    })
}

/// The DSCP of the highest-priority QoS class (lowest `priority`, then first in the document)
/// that a policy puts traffic in; 0 when none does. See `NodeConfig::probe_dscp`.
fn probe_dscp(config: &SiteConfig) -> u8 {
    config
        .qos_classes
        .iter()
        .filter(|c| config.policies.iter().any(|p| p.action.qos_class.as_deref() == Some(c.name.as_str())))
        .min_by_key(|c| c.priority)
        .map_or(0, |c| c.dscp & 0x3f)
}

fn parse_policy(p: &ConfigPolicy, classes: &[ConfigQosClass]) -> anyhow::Result<PolicyConfig> {
    let outer_dscp = match &p.action.qos_class {
        None => 0,
        Some(name) => match classes.iter().find(|c| &c.name == name) {
            Some(class) if class.dscp <= 63 => class.dscp,
            Some(class) => anyhow::bail!("QoS class {name}: DSCP {} is not 0 to 63", class.dscp),
            None => anyhow::bail!("policy {}: QoS class {name:?} is not in the document", p.name),
        },
    };
    let prefixes = |list: &[IpNet]| list.iter().map(|&n| Prefix::from(n)).collect();
    let ports = p.matches.destination_ports.iter().map(|r| (r.first(), r.last())).collect();
    let sla = p.action.sla.as_ref().map_or(Sla::default(), |s| Sla {
        max_latency: s.max_latency_ms.map(|ms| Duration::from_millis(u64::from(ms))),
        max_loss_percent: s.max_loss_percent,
        max_jitter: s.max_jitter_ms.map(|ms| Duration::from_millis(u64::from(ms))),
    });
    Ok(PolicyConfig {
        name: p.name.clone(),
        protocol: match p.matches.protocol {
            Protocol::Any => None,
            Protocol::Tcp => Some(6),
            Protocol::Udp => Some(17),
            Protocol::Icmp => Some(1),
        },
        sources: prefixes(&p.matches.source_prefixes),
        destinations: prefixes(&p.matches.destination_prefixes),
        ports,
        dscp: p.matches.dscp,
        application: p.matches.application.clone(),
        selection: match p.action.path_selection {
            PathSelection::Ordered => Selection::Ordered,
            PathSelection::LowestLatency => Selection::LowestLatency,
            PathSelection::LowestLoss => Selection::LowestLoss,
            PathSelection::LowestCost => Selection::LowestCost,
            PathSelection::Duplicate => Selection::Duplicate,
        },
        link_preference: p.action.link_preference.clone(),
        sla,
        hold_down: Duration::from_secs(u64::from(p.action.failover_hold_down_seconds)),
        outer_dscp,
    })
}

fn parse_peers(config: &SiteConfig) -> anyhow::Result<Vec<PeerConfig>> {
    let mut out = Vec::with_capacity(config.peers.len());
    for p in &config.peers {
        let key = *p.public_key.as_bytes();
        let allowed = p.allowed_ips.iter().map(|&a| Prefix::from(a)).collect();
        let mut endpoints = Vec::new();
        for e in &p.endpoints {
            match resolve(&e.address) {
                Some(addr) => endpoints.push((addr, e.priority)),
                None => tracing::warn!(peer = %p.site_name, endpoint = %e.address, "endpoint does not resolve"),
            }
        }
        out.push(PeerConfig { site_id: p.site_id, key, allowed, endpoints });
    }
    Ok(out)
}

/// An address as it is; a name is looked up (blocking).
fn resolve(endpoint: &Endpoint) -> Option<SocketAddr> {
    match endpoint.host() {
        Host::Ip(ip) => Some(SocketAddr::new(*ip, endpoint.port())),
        Host::Name(name) => (name.as_str(), endpoint.port()).to_socket_addrs().ok()?.next(),
    }
}

/// The overlay's IPv4 address; unspecified when the document gives an IPv6 one.
fn overlay_v4(config: &SiteConfig) -> Ipv4Addr {
    match config.overlay_address.addr() {
        IpAddr::V4(a) => a,
        IpAddr::V6(_) => Ipv4Addr::UNSPECIFIED,
    }
}

/// A small valid configuration for tests that need one without namespaces.
#[cfg(test)]
pub fn netns_free_config() -> SiteConfig {
    use patronus_api::network::{LinkKind, SiteRole};
    use patronus_api::{ConfigEndpoint, ConfigLink, ConfigPeer};
    use uuid::Uuid;
    SiteConfig {
        schema_version: 1,
        revision: 1,
        site_id: Uuid::from_u128(1),
        site_name: "a".into(),
        role: SiteRole::Edge,
        overlay_address: "100.64.0.1/16".parse().unwrap(),
        listen_port: 51820,
        lan_prefixes: vec!["10.1.0.0/16".parse().unwrap()],
        links: vec![ConfigLink {
            name: "fiber".into(),
            interface: "eth0".into(),
            kind: LinkKind::Fiber,
            endpoint: None,
            bandwidth_up_mbps: 1,
            bandwidth_down_mbps: 1,
            cost: 0,
            priority: 0,
        }],
        peers: vec![ConfigPeer {
            site_id: Uuid::from_u128(2),
            site_name: "b".into(),
            public_key: patronus_api::WgKey::from_bytes([0; 32]),
            allowed_ips: vec!["100.64.0.2/32".parse().unwrap()],
            endpoints: vec![ConfigEndpoint {
                link: "fiber".into(),
                address: "192.0.2.2:51820".parse().unwrap(),
                priority: 0,
                cost: 0,
            }],
            persistent_keepalive: 0,
        }],
        qos_classes: vec![],
        policies: vec![],
        bgp: None,
        applications: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use proptest::prelude::*;

    proptest! {
        /// A document from outside is read through the wire types: whatever a field holds, the
        /// document is refused or parsed, never a panic.
        #[test]
        fn config_fields_from_outside_never_panic(
            key in "\\PC{0,60}",
            allowed in "\\PC{0,30}",
            endpoint in "[0-9a-z.:\\[\\]-]{0,30}",
            overlay in "\\PC{0,30}",
            ports in "[0-9 -]{0,12}",
        ) {
            let mut doc = serde_json::to_value(super::netns_free_config()).unwrap();
            doc["overlay_address"] = overlay.into();
            doc["peers"][0]["public_key"] = key.into();
            doc["peers"][0]["allowed_ips"] = serde_json::json!([allowed]);
            doc["peers"][0]["endpoints"][0]["address"] = endpoint.into();
            doc["policies"] = serde_json::json!([{
                "name": "p", "priority": 1,
                "match": {"protocol": "tcp", "destination_ports": [ports], "source_prefixes": [allowed]},
                "action": {"path_selection": "lowest_latency"}
            }]);
            if let Ok(config) = serde_json::from_value::<patronus_api::SiteConfig>(doc) {
                let _ = super::node_config(&config);
            }
        }
    }

    #[test]
    fn a_policy_matches_the_ports_and_prefixes_of_the_document() {
        use patronus_api::network::{PathSelection, PolicyAction, PolicyMatch, Protocol};
        let mut config = super::netns_free_config();
        config.policies = vec![patronus_api::ConfigPolicy {
            name: "web".into(),
            priority: 1,
            matches: PolicyMatch {
                protocol: Protocol::Tcp,
                source_prefixes: vec!["10.1.2.3/16".parse().unwrap()],
                destination_prefixes: vec![],
                destination_ports: vec!["443".parse().unwrap(), "8000-8999".parse().unwrap()],
                dscp: None,
                application: None,
            },
            action: PolicyAction {
                qos_class: None,
                path_selection: PathSelection::LowestLatency,
                link_preference: vec![],
                sla: None,
                failover_hold_down_seconds: 10,
            },
        }];
        let parsed = super::node_config(&config).unwrap();
        assert_eq!(parsed.policies[0].ports, vec![(443, 443), (8000, 8999)]);
        assert_eq!(parsed.policies[0].sources[0].to_string(), "10.1.0.0/16", "host bits cleared");
    }

    #[test]
    fn a_policy_marks_with_its_qos_class_and_probes_with_the_highest_class_in_use() {
        use patronus_api::network::{PathSelection, PolicyAction, PolicyMatch, Protocol};
        use patronus_api::{ConfigPolicy, ConfigQosClass};
        let class = |name: &str, priority: u8, dscp: u8| ConfigQosClass {
            name: name.into(),
            priority,
            dscp,
            guaranteed_percent: 10,
            max_percent: 100,
        };
        let policy = |name: &str, class: Option<&str>| ConfigPolicy {
            name: name.into(),
            priority: 1,
            matches: PolicyMatch {
                protocol: Protocol::Any,
                source_prefixes: vec![],
                destination_prefixes: vec![],
                destination_ports: vec![],
                dscp: None,
                application: None,
            },
            action: PolicyAction {
                qos_class: class.map(Into::into),
                path_selection: PathSelection::Ordered,
                link_preference: vec![],
                sla: None,
                failover_hold_down_seconds: 10,
            },
        };
        let mut config = super::netns_free_config();
        // "voice" has the highest priority but no policy uses it.
        config.qos_classes = vec![class("voice", 1, 46), class("video", 2, 34), class("bulk", 8, 8)];
        config.policies = vec![policy("bulk", Some("bulk")), policy("video", Some("video")), policy("rest", None)];
        let parsed = super::node_config(&config).unwrap();
        assert_eq!(parsed.policies.iter().map(|p| p.outer_dscp).collect::<Vec<_>>(), vec![8, 34, 0]);
        assert_eq!(parsed.probe_dscp, 34);
        config.policies.truncate(1);
        assert_eq!(super::node_config(&config).unwrap().probe_dscp, 8);
        config.policies = vec![policy("rest", None)];
        assert_eq!(super::node_config(&config).unwrap().probe_dscp, 0);
        config.policies = vec![policy("lost", Some("gone"))];
        let err = super::node_config(&config).unwrap_err();
        assert!(format!("{err:#}").contains("\"gone\" is not in the document"), "{err:#}");
    }

    #[test]
    fn a_valid_document_parses() {
        let parsed = super::node_config(&super::netns_free_config()).unwrap();
        assert_eq!(parsed.overlay, std::net::Ipv4Addr::new(100, 64, 0, 1));
        assert_eq!(parsed.peers[0].allowed[0].to_string(), "100.64.0.2/32");
        assert_eq!(parsed.peers[0].endpoints, vec![("192.0.2.2:51820".parse().unwrap(), 0)]);
    }
}
