//! Checks a document from the server before anything acts on it. The server should never send
//! an invalid one; if it does (a bug, a version skew), the agent keeps running what it has.

use std::net::IpAddr;

use base64::Engine;
use patronus_api::{CompiledConfig, CONFIG_SCHEMA_VERSION};
use uuid::Uuid;

fn prefix(s: &str) -> bool {
    let Some((addr, len)) = s.split_once('/') else { return false };
    match (addr.parse::<IpAddr>(), len.parse::<u8>()) {
        (Ok(IpAddr::V4(_)), Ok(l)) => l <= 32,
        (Ok(IpAddr::V6(_)), Ok(l)) => l <= 128,
        _ => false,
    }
}

fn host_port(s: &str) -> bool {
    let Some((host, port)) = s.rsplit_once(':') else { return false };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0)
}

fn public_key(s: &str) -> bool {
    base64::engine::general_purpose::STANDARD.decode(s).is_ok_and(|k| k.len() == 32)
}

/// Why `doc` cannot be applied by the agent of `site_id`, if it cannot.
pub fn check(doc: &CompiledConfig, site_id: Uuid) -> Result<(), String> {
    let c = &doc.config;
    if c.schema_version != CONFIG_SCHEMA_VERSION {
        return Err(format!(
            "schema version {} is not the one this agent understands ({CONFIG_SCHEMA_VERSION})",
            c.schema_version
        ));
    }
    if c.site_id != site_id {
        return Err(format!("the document is for site {}, this agent serves site {site_id}", c.site_id));
    }
    if doc.hash.len() != 64 || !doc.hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("the content hash is not 64 hex digits".into());
    }
    if !prefix(&c.overlay_address) {
        return Err(format!("overlay address {:?} is not an address with a prefix length", c.overlay_address));
    }
    if c.listen_port == 0 {
        return Err("listen port 0".into());
    }
    if let Some(p) = c.lan_prefixes.iter().find(|p| !prefix(p)) {
        return Err(format!("LAN prefix {p:?} is not a prefix"));
    }
    for link in &c.links {
        if link.interface.is_empty() || link.interface.len() > 15 {
            return Err(format!("link {:?} has no valid interface name", link.name));
        }
    }
    if let Some(q) = c.qos_classes.iter().find(|q| q.dscp > 63) {
        return Err(format!("QoS class {} has DSCP {}, not 0 to 63", q.name, q.dscp));
    }
    for policy in &c.policies {
        if let Some(class) = &policy.action.qos_class {
            if !c.qos_classes.iter().any(|q| &q.name == class) {
                return Err(format!("policy {} names QoS class {class:?}, which the document lacks", policy.name));
            }
        }
    }
    for peer in &c.peers {
        if !public_key(&peer.public_key) {
            return Err(format!("peer {} has an invalid public key", peer.site_name));
        }
        if let Some(p) = peer.allowed_ips.iter().find(|p| !prefix(p)) {
            return Err(format!("peer {} allows {p:?}, which is not a prefix", peer.site_name));
        }
        if let Some(e) = peer.endpoints.iter().find(|e| !host_port(&e.address)) {
            return Err(format!("peer {} endpoint {:?} is not host:port", peer.site_name, e.address));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_and_endpoints() {
        assert!(prefix("10.0.0.0/8"));
        assert!(prefix("fd00::/64"));
        assert!(!prefix("10.0.0.0/33"));
        assert!(!prefix("10.0.0.0"));
        assert!(host_port("198.51.100.1:51820"));
        assert!(host_port("[2001:db8::1]:51820"));
        assert!(host_port("hub.example.net:51820"));
        assert!(!host_port("hub.example.net"));
        assert!(!host_port("hub:0"));
        assert!(public_key("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
        assert!(!public_key("key-1"));
    }

    #[test]
    fn policies_name_classes_the_document_has() {
        use patronus_api::network::{PathSelection, PolicyAction, PolicyMatch, Protocol};
        use patronus_api::{ConfigPolicy, ConfigQosClass};
        let mut config = crate::dataplane::wireguard::netns_free_config();
        config.qos_classes = vec![ConfigQosClass {
            name: "voice".into(),
            priority: 1,
            dscp: 46,
            guaranteed_percent: 10,
            max_percent: 50,
        }];
        config.policies = vec![ConfigPolicy {
            name: "p".into(),
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
                qos_class: Some("voice".into()),
                path_selection: PathSelection::Ordered,
                link_preference: vec![],
                sla: None,
                failover_hold_down_seconds: 10,
            },
        }];
        let doc = |config: &patronus_api::SiteConfig| CompiledConfig {
            hash: "0".repeat(64),
            revision: 1,
            config: config.clone(),
        };
        let site = config.site_id;
        assert_eq!(check(&doc(&config), site), Ok(()));
        config.qos_classes[0].dscp = 64;
        assert_eq!(check(&doc(&config), site), Err("QoS class voice has DSCP 64, not 0 to 63".into()));
        config.qos_classes[0].dscp = 46;
        config.policies[0].action.qos_class = Some("video".into());
        assert_eq!(
            check(&doc(&config), site),
            Err("policy p names QoS class \"video\", which the document lacks".into())
        );
    }
}
