//! The site document as the node needs it: keys, prefixes and the overlay address parsed,
//! endpoint names resolved. Everything that can be wrong with a document is found here, before
//! anything changes.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, ToSocketAddrs};

use anyhow::Context;
use base64::Engine;
use patronus_api::SiteConfig;

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
        overlay: overlay_v4(config)?,
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
    let prefixes = |list: &[String]| {
        list.iter()
            .map(|a| a.parse::<Prefix>().with_context(|| format!("policy {}", p.name)))
            .collect::<anyhow::Result<Vec<_>>>()
    };
    let ports = p
        .matches
        .destination_ports
        .iter()
        .map(|r| parse_port_range(r).with_context(|| format!("policy {}: port range {r:?}", p.name)))
        .collect::<anyhow::Result<Vec<_>>>()?;
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
        sources: prefixes(&p.matches.source_prefixes)?,
        destinations: prefixes(&p.matches.destination_prefixes)?,
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

/// `"443"` or `"8000-8999"`.
fn parse_port_range(r: &str) -> anyhow::Result<(u16, u16)> {
    let (lo, hi) = r.split_once('-').unwrap_or((r, r));
    let (lo, hi): (u16, u16) = (lo.trim().parse()?, hi.trim().parse()?);
    anyhow::ensure!(lo >= 1 && lo <= hi, "not a range of ports 1 to 65535");
    Ok((lo, hi))
}

fn parse_peers(config: &SiteConfig) -> anyhow::Result<Vec<PeerConfig>> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut out = Vec::with_capacity(config.peers.len());
    for p in &config.peers {
        let raw = b64
            .decode(p.public_key.trim())
            .with_context(|| format!("peer {}: public key is not base64", p.site_name))?;
        let key: [u8; 32] =
            raw.try_into().map_err(|_| anyhow::anyhow!("peer {}: public key is not 32 bytes", p.site_name))?;
        let allowed = p
            .allowed_ips
            .iter()
            .map(|a| a.parse::<Prefix>().with_context(|| format!("peer {}", p.site_name)))
            .collect::<anyhow::Result<Vec<_>>>()?;
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

/// `ip:port` as it is; a name is looked up (blocking) only when the host has a letter in it.
fn resolve(address: &str) -> Option<SocketAddr> {
    if let Ok(addr) = address.parse::<SocketAddr>() {
        return Some(addr);
    }
    let (host, _) = address.rsplit_once(':')?;
    if !host.chars().any(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    address.to_socket_addrs().ok()?.next()
}

fn overlay_v4(config: &SiteConfig) -> anyhow::Result<Ipv4Addr> {
    let prefix: Prefix =
        config.overlay_address.parse().with_context(|| format!("overlay address {:?}", config.overlay_address))?;
    let addr = config.overlay_address.split('/').next().and_then(|a| a.parse::<IpAddr>().ok());
    Ok(match (prefix.addr(), addr) {
        (IpAddr::V4(_), Some(IpAddr::V4(a))) => a,
        _ => Ipv4Addr::UNSPECIFIED,
    })
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
        overlay_address: "100.64.0.1/16".into(),
        listen_port: 51820,
        lan_prefixes: vec!["10.1.0.0/16".into()],
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
            public_key: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".into(),
            allowed_ips: vec!["100.64.0.2/32".into()],
            endpoints: vec![ConfigEndpoint {
                link: "fiber".into(),
                address: "192.0.2.2:51820".into(),
                priority: 0,
                cost: 0,
            }],
            persistent_keepalive: 0,
        }],
        qos_classes: vec![],
        policies: vec![],
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn config_fields_from_outside_never_panic(
            key in "\\PC{0,60}",
            allowed in "\\PC{0,30}",
            endpoint in "[0-9.:\\[\\]]{0,30}",
            overlay in "\\PC{0,30}",
        ) {
            let mut config = super::netns_free_config();
            config.overlay_address = overlay;
            config.peers[0].public_key = key;
            config.peers[0].allowed_ips = vec![allowed];
            config.peers[0].endpoints[0].address = endpoint;
            let _ = super::node_config(&config);
        }
    }

    #[test]
    fn port_ranges() {
        assert_eq!(super::parse_port_range("443").unwrap(), (443, 443));
        assert_eq!(super::parse_port_range("8000-8999").unwrap(), (8000, 8999));
        for bad in ["", "0", "9-8", "1-70000", "x", "1-"] {
            assert!(super::parse_port_range(bad).is_err(), "{bad}");
        }
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
