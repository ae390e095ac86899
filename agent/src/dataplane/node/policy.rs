//! Policies as the node applies them: which packets a policy matches (classification), and which
//! of a peer's paths carries them (steering, in `steer`).
//!
//! Policies are tried in the document's order (by priority); the first whose every given
//! criterion matches takes the packet. A policy that names an application (or a category) takes
//! only flows recognised as it (`crate::apps`); a flow not recognised yet is classified as if such
//! policies did not exist, and again when it is recognised. A policy naming an application the
//! agent's catalogue lacks (a newer server's) matches nothing, and its status says so
//! (`PolicyState::inactive`).

use std::net::IpAddr;
use std::time::Duration;

use patronus_api::applications::{policy_application, ApplicationMatch, Category};

use super::flow::FlowKey;
use super::routes::Prefix;
use crate::apps::{AppId, Catalogue};

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
    /// An application or a category name (resolved against the catalogue by [`AppMatch::resolve`]).
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

/// A policy's application criterion, resolved against the agent's catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppMatch {
    App(AppId),
    Category(Category),
    /// A name the catalogue does not have: matches no flow.
    Missing,
}

impl AppMatch {
    /// The criterion of `policy` (`None`: it names no application).
    pub fn resolve(catalogue: Option<&Catalogue>, policy: &PolicyConfig) -> Option<AppMatch> {
        let name = policy.application.as_deref()?;
        Some(match (policy_application(name), catalogue) {
            (Some(ApplicationMatch::Category(c)), Some(_)) => AppMatch::Category(c),
            (_, Some(catalogue)) => catalogue.find(name).map_or(AppMatch::Missing, AppMatch::App),
            (_, None) => AppMatch::Missing,
        })
    }

    fn takes(self, app: Option<FlowApp>) -> bool {
        match (self, app) {
            (AppMatch::App(want), Some(app)) => want == app.id,
            (AppMatch::Category(want), Some(app)) => want == app.category,
            _ => false,
        }
    }
}

/// The application a flow was recognised as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowApp {
    pub id: AppId,
    pub category: Category,
}

impl PolicyConfig {
    /// Whether the policy takes a packet of flow `key` with `dscp`, recognised as `app` (`None`:
    /// not recognised, or not yet), the policy's application criterion being `app_match`.
    pub fn matches(&self, app_match: Option<AppMatch>, key: &FlowKey, dscp: u8, app: Option<FlowApp>) -> bool {
        if app_match.is_some_and(|m| !m.takes(app)) {
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

/// The index of the first policy that takes the packet; `app_matches` are the policies'
/// application criteria, in the same order.
pub fn classify(
    policies: &[PolicyConfig],
    app_matches: &[Option<AppMatch>],
    key: &FlowKey,
    dscp: u8,
    app: Option<FlowApp>,
) -> Option<u16> {
    policies
        .iter()
        .zip(app_matches)
        .position(|(p, m)| p.matches(*m, key, dscp, app))
        .and_then(|i| u16::try_from(i).ok())
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
        assert_eq!(classify(&all, &none(&all), &key(17, "10.2.0.1", 15000), 0, None), Some(0));
        assert_eq!(classify(&all, &none(&all), &key(6, "10.2.0.1", 443), 0, None), Some(1));
        assert_eq!(classify(&all, &none(&all), &key(6, "10.2.0.1", 22), 0, None), Some(2));
        assert_eq!(classify(&all, &none(&all), &key(6, "10.3.0.1", 22), 46, None), Some(3));
        assert_eq!(classify(&all, &none(&all), &key(6, "10.3.0.1", 22), 0, None), None);
        // Port ranges are inclusive at both ends.
        assert_eq!(classify(&all, &none(&all), &key(17, "10.9.0.1", 20000), 0, None), Some(0));
        assert_eq!(classify(&all, &none(&all), &key(17, "10.9.0.1", 20001), 0, None), None);
    }

    fn none(policies: &[PolicyConfig]) -> Vec<Option<AppMatch>> {
        vec![None; policies.len()]
    }

    #[test]
    fn application_policies_take_flows_recognised_as_their_application_or_category() {
        let catalogue = Catalogue::builtin().unwrap();
        let teams = PolicyConfig { application: Some("teams".into()), ..policy("teams") };
        let video = PolicyConfig { application: Some("video".into()), protocol: Some(17), ..policy("video") };
        let gone = PolicyConfig { application: Some("no-such-app".into()), ..policy("gone") };
        let web = PolicyConfig { protocol: Some(6), ports: vec![(443, 443)], ..policy("web") };
        let all = vec![gone, teams, video, web];
        let matches: Vec<Option<AppMatch>> = all.iter().map(|p| AppMatch::resolve(Some(&catalogue), p)).collect();
        let teams_id = catalogue.find("teams").unwrap();
        assert_eq!(
            matches[..3],
            [Some(AppMatch::Missing), Some(AppMatch::App(teams_id)), Some(AppMatch::Category(Category::Video))]
        );
        let app = |name: &str| {
            let id = catalogue.find(name).unwrap();
            Some(FlowApp { id, category: catalogue.app(id).category })
        };
        let https = key(6, "52.112.0.1", 443);
        let quic = key(17, "142.250.0.1", 443);
        // Not recognised (yet): as if the application policies were not there.
        assert_eq!(classify(&all, &matches, &https, 0, None), Some(3));
        assert_eq!(classify(&all, &matches, &quic, 0, None), None);
        // Recognised: the application's policy, or its category's.
        assert_eq!(classify(&all, &matches, &https, 0, app("teams")), Some(1));
        assert_eq!(classify(&all, &matches, &quic, 0, app("youtube")), Some(2));
        assert_eq!(classify(&all, &matches, &quic, 0, app("netflix")), Some(2));
        // The other criteria still apply: `video` is UDP only here.
        assert_eq!(classify(&all, &matches, &https, 0, app("youtube")), Some(3));
        // Another application is not taken by either.
        assert_eq!(classify(&all, &matches, &https, 0, app("salesforce")), Some(3));
        assert_eq!(classify(&all, &matches, &quic, 0, app("slack")), None);
        // Without a catalogue, every application policy is missing its application.
        assert_eq!(AppMatch::resolve(None, &all[1]), Some(AppMatch::Missing));
        assert_eq!(AppMatch::resolve(None, &all[3]), None);
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
        assert!(p.matches(None, &k, 0, None));
        assert!(!p.matches(None, &FlowKey { src: "fd00:3::5".parse().unwrap(), ..k }, 0, None));
    }
}
