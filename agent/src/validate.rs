//! Checks a document from the server before anything acts on it. The server should never send
//! an invalid one; if it does (a bug, a version skew), the agent keeps running what it has.
//! Keys, prefixes, endpoints and port ranges are checked by their types when the document is
//! read (a malformed one does not deserialise); what is left is what spans fields.

use patronus_api::{CompiledConfig, CONFIG_SCHEMA_VERSION};
use uuid::Uuid;

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
    if c.listen_port == 0 {
        return Err("listen port 0".into());
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
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_with_a_malformed_value_does_not_deserialise() {
        let doc = CompiledConfig {
            hash: "0".repeat(64),
            revision: 1,
            config: crate::dataplane::wireguard::netns_free_config(),
        };
        let good = serde_json::to_value(&doc).unwrap();
        assert!(serde_json::from_value::<CompiledConfig>(good.clone()).is_ok());
        for (pointer, bad) in [
            ("/config/overlay_address", "100.64.0.1"),
            ("/config/lan_prefixes/0", "10.0.0.0/33"),
            ("/config/peers/0/public_key", "key-1"),
            ("/config/peers/0/allowed_ips/0", "banana"),
            ("/config/peers/0/endpoints/0/address", "hub.example.net"),
            ("/config/peers/0/endpoints/0/address", "hub:0"),
        ] {
            let mut doc = good.clone();
            *doc.pointer_mut(pointer).unwrap() = bad.into();
            assert!(serde_json::from_value::<CompiledConfig>(doc).is_err(), "{pointer} = {bad}");
        }
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
