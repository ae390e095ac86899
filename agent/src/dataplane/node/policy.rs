//! Policies as the node applies them: which packets a policy matches (classification), and which
//! of a peer's paths carries them (steering, in `steer`).
//!
//! Policies are tried in the document's order (by priority); the first whose every given
//! criterion matches takes the packet. A policy that names an application matches nothing until
//! the agent recognises applications: the status says so (`PolicyState::inactive`).

use std::net::IpAddr;
use std::time::Duration;

use super::flow::FlowKey;
use super::routes::Prefix;

/// How a policy ranks the paths that meet its SLA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// By the policy's link preference (links it does not name come after, by link priority).
    Ordered,
    LowestLatency,
    LowestLoss,
    LowestCost,
    /// Every packet on the two best paths over different local links (by the default rank),
    /// to different endpoints of the peer where that is possible.
    Duplicate,
}

/// Thresholds a path must meet for a policy. Latency is the path's smoothed round-trip time,
/// loss is over the last second, jitter is RFC 3550-style over the round-trip times.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Sla {
    pub max_latency: Option<Duration>,
    pub max_loss_percent: Option<f64>,
    pub max_jitter: Option<Duration>,
}

/// One policy, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyConfig {
    pub name: String,
    /// IP protocol number; `None` matches every protocol.
    pub protocol: Option<u8>,
    pub sources: Vec<Prefix>,
    pub destinations: Vec<Prefix>,
    /// Inclusive destination port ranges (TCP and UDP only).
    pub ports: Vec<(u16, u16)>,
    pub dscp: Option<u8>,
    /// An application name: matches nothing yet.
    pub application: Option<String>,
    pub selection: Selection,
    /// Link names in order of preference.
    pub link_preference: Vec<String>,
    pub sla: Sla,
    pub hold_down: Duration,
    /// The DSCP (0 to 63) of the policy's QoS class, which the outer datagrams of its packets
    /// carry; 0 (best effort) when it names no class.
    pub outer_dscp: u8,
}

impl PolicyConfig {
    /// Whether the policy takes a packet of flow `key` with `dscp`.
    pub fn matches(&self, key: &FlowKey, dscp: u8) -> bool {
        if self.application.is_some() {
            return false;
        }
        // ICMP matches ICMPv6 too.
        if self.protocol.is_some_and(|p| p != key.protocol && !(p == 1 && key.protocol == 58)) {
            return false;
        }
        if self.dscp.is_some_and(|d| d != dscp) {
            return false;
        }
        if !self.ports.is_empty() && !self.ports.iter().any(|(lo, hi)| (*lo..=*hi).contains(&key.dst_port)) {
            return false;
        }
        in_any(&self.sources, key.src) && in_any(&self.destinations, key.dst)
    }
}

fn in_any(prefixes: &[Prefix], ip: IpAddr) -> bool {
    prefixes.is_empty() || prefixes.iter().any(|p| p.contains(ip))
}

/// The index of the first policy that takes the packet.
pub fn classify(policies: &[PolicyConfig], key: &FlowKey, dscp: u8) -> Option<u16> {
    policies.iter().position(|p| p.matches(key, dscp)).and_then(|i| u16::try_from(i).ok())
}

#[cfg(test)]
impl PolicyConfig {
    /// For tests: a policy that matches everything, `ordered` without preference, no SLA, the
    /// default hold-down of 10 s.
    pub fn matching_all(name: &str) -> PolicyConfig {
        PolicyConfig {
            name: name.into(),
            protocol: None,
            sources: vec![],
            destinations: vec![],
            ports: vec![],
            dscp: None,
            application: None,
            selection: Selection::Ordered,
            link_preference: vec![],
            sla: Sla::default(),
            hold_down: Duration::from_secs(10),
            outer_dscp: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn policy(name: &str) -> PolicyConfig {
        PolicyConfig::matching_all(name)
    }

    fn key(proto: u8, dst: &str, port: u16) -> FlowKey {
        FlowKey {
            src: "10.1.0.5".parse().unwrap(),
            dst: dst.parse().unwrap(),
            protocol: proto,
            src_port: 40000,
            dst_port: port,
        }
    }

    #[test]
    fn first_matching_policy_in_order_wins() {
        let voice = PolicyConfig { protocol: Some(17), ports: vec![(5060, 5061), (10000, 20000)], ..policy("voice") };
        let web = PolicyConfig { protocol: Some(6), ports: vec![(443, 443)], ..policy("web") };
        let dc = PolicyConfig { destinations: vec!["10.2.0.0/16".parse().unwrap()], ..policy("dc") };
        let marked = PolicyConfig { dscp: Some(46), ..policy("ef") };
        let all = vec![voice, web, dc, marked];
        assert_eq!(classify(&all, &key(17, "10.2.0.1", 15000), 0), Some(0));
        assert_eq!(classify(&all, &key(6, "10.2.0.1", 443), 0), Some(1));
        assert_eq!(classify(&all, &key(6, "10.2.0.1", 22), 0), Some(2));
        assert_eq!(classify(&all, &key(6, "10.3.0.1", 22), 46), Some(3));
        assert_eq!(classify(&all, &key(6, "10.3.0.1", 22), 0), None);
        // Port ranges are inclusive at both ends.
        assert_eq!(classify(&all, &key(17, "10.9.0.1", 20000), 0), Some(0));
        assert_eq!(classify(&all, &key(17, "10.9.0.1", 20001), 0), None);
    }

    #[test]
    fn a_policy_naming_an_application_matches_nothing_yet() {
        let app = PolicyConfig { application: Some("teams".into()), ..policy("teams") };
        assert_eq!(classify(&[app], &key(6, "10.2.0.1", 443), 0), None);
    }

    #[test]
    fn sources_and_ipv6_prefixes_match() {
        let p = PolicyConfig {
            sources: vec!["fd00:1::/64".parse().unwrap()],
            destinations: vec!["fd00:2::/64".parse().unwrap()],
            ..policy("v6")
        };
        let k = FlowKey {
            src: "fd00:1::5".parse().unwrap(),
            dst: "fd00:2::9".parse().unwrap(),
            protocol: 6,
            src_port: 1,
            dst_port: 2,
        };
        assert!(p.matches(&k, 0));
        assert!(!p.matches(&FlowKey { src: "fd00:3::5".parse().unwrap(), ..k }, 0));
    }
}
