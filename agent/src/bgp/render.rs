//! Renders [`BgpSettings`] to one `frr.conf` (zebra and bgpd read the same file). Pure: text in
//! tests, a file for the applier.
//!
//! Choices, each checked against FRR 8.4 (Debian 12's `frr`):
//! - `neighbor X maximum-prefix N` without `warning-only` or `restart`. FRR's documentation says
//!   that when the number is exceeded "the BGP session will be destroyed"; it sends a Cease
//!   "Maximum Number of Prefixes Reached" notification, drops everything the neighbour sent and
//!   keeps the session down (`Idle (PfxCt)`) until it is cleared. That is the issue's "stops
//!   accepting and raises a status error": nothing more is accepted, and the state is stable, so
//!   the status can say why. `warning-only` keeps accepting (only logs), which is the opposite;
//!   `restart M` would bring the session back every M minutes and let the same prefixes flap in
//!   and out. Recovery is a `clear bgp X` once the customer sends fewer (not automated yet).
//!   Measured on 8.4: the check runs before a new prefix is counted, so N + 1 prefixes are
//!   accepted and the session falls at N + 2; the reader reports "over the maximum" in that
//!   case too.
//! - Every neighbour gets an import and an export route-map, also when its filter is empty (a
//!   `permit` clause without conditions), so eBGP's default of refusing sessions without policy
//!   (`bgp ebgp-requires-policy`) stays on.
//! - Only what the site originates is exported (its `network` statements: its own LANs and the
//!   other sites' prefixes it reaches over the overlay; their AS path is empty, `^$`): a route
//!   learned from one neighbour is not passed on to another, so a site never becomes transit
//!   between its customer routers. The export filter then decides among those.
//! - Route-maps and prefix-lists are per address family (`-V4`/`-V6`): a `match ip address
//!   prefix-list` clause never matches an IPv6 route.
//! - `no bgp network import-check`: the agent decides what it reaches (its own LANs, other sites
//!   over the overlay), so a `network` is advertised without waiting for a route in zebra's RIB.
//! - `ip forwarding`/`ipv6 forwarding`: a site routes between its LAN and the overlay. zebra turns
//!   forwarding on in its namespace when it starts with them; without them, `frr-reload.py` would
//!   turn zebra's `no ip forwarding` into `ip forwarding` on the first reload anyway (measured), so
//!   saying it makes the file what runs.
//! - `timers connect 10` per neighbour: FRR's default retry is 120 s, so a fixed password or a
//!   neighbour that came back would wait two minutes.

use std::collections::HashSet;
use std::fmt::Write as _;

use patronus_api::IpNet;
use thiserror::Error;

use super::settings::{Action, BgpSettings, Filter, Neighbor, PrefixRule};

/// Settings that cannot become a valid `frr.conf`.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum RenderError {
    #[error("ASN 0 is reserved")]
    ZeroAsn,
    #[error("neighbour {0} is listed twice")]
    DuplicateNeighbor(String),
    #[error("neighbour {0}: a password must be 1 to 80 printable characters without spaces")]
    BadPassword(String),
    #[error("neighbour {0}: the description must be one line of at most 80 printable characters")]
    BadDescription(String),
    #[error("neighbour {0}: the hold time must be 0 or at least 3 s and not below the keepalive")]
    BadTimers(String),
    #[error("prefix rule {0}: needs prefix length < ge <= le <= the family's maximum")]
    BadPrefixRange(String),
    #[error("max_prefixes must be at least 1")]
    ZeroMaxPrefixes,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    V4,
    V6,
}

impl Family {
    fn of(net: &IpNet) -> Self {
        match net {
            IpNet::V4(_) => Family::V4,
            IpNet::V6(_) => Family::V6,
        }
    }
    fn suffix(self) -> &'static str {
        match self {
            Family::V4 => "V4",
            Family::V6 => "V6",
        }
    }
    fn afi(self) -> &'static str {
        match self {
            Family::V4 => "ipv4",
            Family::V6 => "ipv6",
        }
    }
    /// `ip prefix-list` / `ipv6 prefix-list`, and the route-map match on them.
    fn ip(self) -> &'static str {
        match self {
            Family::V4 => "ip",
            Family::V6 => "ipv6",
        }
    }
    fn max_len(self) -> u8 {
        match self {
            Family::V4 => 32,
            Family::V6 => 128,
        }
    }
}

/// The `frr.conf` for these settings.
pub fn render(s: &BgpSettings) -> Result<String, RenderError> {
    check(s)?;
    let mut o = String::new();
    o.push_str("! Rendered by patronus-agent from the site's BGP settings; do not edit.\n");
    o.push_str("frr defaults traditional\n!\nip forwarding\nipv6 forwarding\n!\n");
    o.push_str("bgp as-path access-list PATRONUS-ORIGINATED seq 5 permit ^$\n!\n");
    for (name, filter) in [("IMPORT", &s.import), ("EXPORT", &s.export)] {
        render_filter(&mut o, name, filter);
    }
    let _ = writeln!(o, "router bgp {}", s.local_asn);
    let _ = writeln!(o, " bgp router-id {}", s.router_id);
    o.push_str(" no bgp default ipv4-unicast\n no bgp network import-check\n");
    for n in &s.neighbors {
        render_neighbor(&mut o, n);
    }
    for family in [Family::V4, Family::V6] {
        render_family(&mut o, s, family);
    }
    o.push_str("exit\n!\n");
    Ok(o)
}

fn check(s: &BgpSettings) -> Result<(), RenderError> {
    if s.local_asn == 0 || s.neighbors.iter().any(|n| n.remote_asn == 0) {
        return Err(RenderError::ZeroAsn);
    }
    if s.max_prefixes == Some(0) {
        return Err(RenderError::ZeroMaxPrefixes);
    }
    let mut seen = HashSet::new();
    for n in &s.neighbors {
        let addr = n.address.to_string();
        if !seen.insert(n.address) {
            return Err(RenderError::DuplicateNeighbor(addr));
        }
        if let Some(p) = &n.password {
            let ok = (1..=80).contains(&p.0.len()) && p.0.chars().all(|c| c.is_ascii_graphic());
            if !ok {
                return Err(RenderError::BadPassword(addr));
            }
        }
        if let Some(d) = &n.description {
            if d.chars().count() > 80 || d.chars().any(char::is_control) {
                return Err(RenderError::BadDescription(addr));
            }
        }
        if let Some(t) = n.timers {
            if !(t.hold == 0 || (t.hold >= 3 && t.keepalive <= t.hold)) {
                return Err(RenderError::BadTimers(addr));
            }
        }
    }
    for rule in s.import.prefixes.iter().chain(&s.export.prefixes) {
        let len = rule.prefix.prefix_len();
        let max = Family::of(&rule.prefix).max_len();
        let ge_ok = rule.ge.is_none_or(|ge| ge > len && ge <= max);
        let le_ok = rule.le.is_none_or(|le| le >= len && le <= max && rule.ge.is_none_or(|ge| ge <= le));
        if !(ge_ok && le_ok) {
            return Err(RenderError::BadPrefixRange(rule_text(rule)));
        }
    }
    Ok(())
}

fn rule_text(r: &PrefixRule) -> String {
    let mut t = r.prefix.to_string();
    if let Some(ge) = r.ge {
        let _ = write!(t, " ge {ge}");
    }
    // FRR drops `le 32` (`le 128`) when `ge` is given, as it means the same; rendering it would
    // make every reload see a difference from the running config.
    let le = r.le.filter(|&le| !(r.ge.is_some() && le == Family::of(&r.prefix).max_len()));
    if let Some(le) = le {
        let _ = write!(t, " le {le}");
    }
    t
}

/// The prefix-lists, community-list and route-maps `PATRONUS-<name>-V4`/`-V6` of one filter.
fn render_filter(o: &mut String, name: &str, f: &Filter) {
    let community_list = format!("PATRONUS-{name}-COMMUNITIES");
    for (i, c) in f.match_communities.iter().enumerate() {
        let _ = writeln!(o, "bgp community-list standard {community_list} seq {} permit {c}", (i + 1) * 5);
    }
    for family in [Family::V4, Family::V6] {
        let rules: Vec<&PrefixRule> = f.prefixes.iter().filter(|r| Family::of(&r.prefix) == family).collect();
        let list = format!("PATRONUS-{name}-{}", family.suffix());
        for (i, r) in rules.iter().enumerate() {
            let action = match r.action {
                Action::Permit => "permit",
                Action::Deny => "deny",
            };
            let _ = writeln!(o, "{} prefix-list {list} seq {} {action} {}", family.ip(), (i + 1) * 5, rule_text(r));
        }
        if !f.prefixes.is_empty() && rules.is_empty() {
            // Rules for the other family only: this family has nothing to permit.
            let _ = writeln!(o, "route-map {list} deny 10\nexit\n!");
            continue;
        }
        let _ = writeln!(o, "route-map {list} permit 10");
        if name == "EXPORT" {
            let _ = writeln!(o, " match as-path PATRONUS-ORIGINATED");
        }
        if !rules.is_empty() {
            let _ = writeln!(o, " match {} address prefix-list {list}", family.ip());
        }
        if !f.match_communities.is_empty() {
            let _ = writeln!(o, " match community {community_list}");
        }
        if let Some(lp) = f.local_preference {
            let _ = writeln!(o, " set local-preference {lp}");
        }
        if let Some(med) = f.med {
            let _ = writeln!(o, " set metric {med}");
        }
        if !f.set_communities.is_empty() {
            let list: Vec<String> = f.set_communities.iter().map(ToString::to_string).collect();
            let _ = writeln!(o, " set community {} additive", list.join(" "));
        }
        o.push_str("exit\n!\n");
    }
}

fn render_neighbor(o: &mut String, n: &Neighbor) {
    let a = n.address;
    let _ = writeln!(o, " neighbor {a} remote-as {}", n.remote_asn);
    if let Some(d) = &n.description {
        let _ = writeln!(o, " neighbor {a} description {d}");
    }
    if let Some(p) = &n.password {
        let _ = writeln!(o, " neighbor {a} password {}", p.0);
    }
    if let Some(t) = n.timers {
        let _ = writeln!(o, " neighbor {a} timers {} {}", t.keepalive, t.hold);
    }
    let _ = writeln!(o, " neighbor {a} timers connect 10");
    if n.bfd {
        let _ = writeln!(o, " neighbor {a} bfd");
    }
}

fn render_family(o: &mut String, s: &BgpSettings, family: Family) {
    let neighbors: Vec<&Neighbor> =
        s.neighbors.iter().filter(|n| n.address.is_ipv4() == (family == Family::V4)).collect();
    let mut networks: Vec<&IpNet> =
        s.networks.iter().chain(&s.overlay_prefixes).filter(|p| Family::of(p) == family).collect();
    networks.sort_by_key(|p| p.to_string());
    networks.dedup();
    if neighbors.is_empty() && networks.is_empty() {
        return;
    }
    let _ = writeln!(o, " !\n address-family {} unicast", family.afi());
    for p in networks {
        let _ = writeln!(o, "  network {p}");
    }
    let sfx = family.suffix();
    for n in neighbors {
        let a = n.address;
        let _ = writeln!(o, "  neighbor {a} activate");
        let _ = writeln!(o, "  neighbor {a} route-map PATRONUS-IMPORT-{sfx} in");
        let _ = writeln!(o, "  neighbor {a} route-map PATRONUS-EXPORT-{sfx} out");
        if let Some(max) = s.max_prefixes {
            let _ = writeln!(o, "  neighbor {a} maximum-prefix {max}");
        }
    }
    o.push_str(" exit-address-family\n");
}

#[cfg(test)]
mod tests {
    use super::super::settings::{Community, Password, Timers};
    use super::*;

    fn neighbor(addr: &str, asn: u32) -> Neighbor {
        Neighbor {
            address: addr.parse().unwrap(),
            remote_asn: asn,
            description: None,
            password: None,
            timers: None,
            bfd: false,
        }
    }

    fn settings() -> BgpSettings {
        BgpSettings {
            local_asn: 65001,
            router_id: "10.0.0.1".parse().unwrap(),
            neighbors: vec![neighbor("192.0.2.2", 65050)],
            networks: vec![],
            overlay_prefixes: vec![],
            import: Filter::default(),
            export: Filter::default(),
            learned_into_overlay: true,
            max_prefixes: None,
        }
    }

    #[test]
    fn minimal_settings_give_a_session_with_pass_all_policies() {
        let text = render(&settings()).unwrap();
        assert_eq!(
            text,
            "! Rendered by patronus-agent from the site's BGP settings; do not edit.\n\
             frr defaults traditional\n!\nip forwarding\nipv6 forwarding\n!\n\
             bgp as-path access-list PATRONUS-ORIGINATED seq 5 permit ^$\n!\n\
             route-map PATRONUS-IMPORT-V4 permit 10\nexit\n!\n\
             route-map PATRONUS-IMPORT-V6 permit 10\nexit\n!\n\
             route-map PATRONUS-EXPORT-V4 permit 10\n match as-path PATRONUS-ORIGINATED\nexit\n!\n\
             route-map PATRONUS-EXPORT-V6 permit 10\n match as-path PATRONUS-ORIGINATED\nexit\n!\n\
             router bgp 65001\n bgp router-id 10.0.0.1\n no bgp default ipv4-unicast\n no bgp network import-check\n\
             \x20neighbor 192.0.2.2 remote-as 65050\n neighbor 192.0.2.2 timers connect 10\n\
             \x20!\n address-family ipv4 unicast\n\
             \x20 neighbor 192.0.2.2 activate\n\
             \x20 neighbor 192.0.2.2 route-map PATRONUS-IMPORT-V4 in\n\
             \x20 neighbor 192.0.2.2 route-map PATRONUS-EXPORT-V4 out\n\
             \x20exit-address-family\nexit\n!\n"
        );
    }

    #[test]
    fn neighbour_options_password_timers_bfd_and_maximum_prefix() {
        let mut s = settings();
        s.neighbors[0].description = Some("customer router A".into());
        s.neighbors[0].password = Some(Password("s3cret".into()));
        s.neighbors[0].timers = Some(Timers { keepalive: 10, hold: 30 });
        s.neighbors[0].bfd = true;
        s.max_prefixes = Some(100);
        let text = render(&s).unwrap();
        for line in [
            " neighbor 192.0.2.2 description customer router A\n",
            " neighbor 192.0.2.2 password s3cret\n",
            " neighbor 192.0.2.2 timers 10 30\n",
            " neighbor 192.0.2.2 bfd\n",
            "  neighbor 192.0.2.2 maximum-prefix 100\n",
        ] {
            assert!(text.contains(line), "missing {line:?} in\n{text}");
        }
        assert!(!text.contains("warning-only") && !text.contains("restart"), "{text}");
        assert!(!format!("{s:?}").contains("s3cret"), "the password is redacted in Debug");
    }

    #[test]
    fn filters_become_prefix_lists_community_lists_and_route_maps() {
        let mut s = settings();
        s.import = Filter {
            prefixes: vec![
                PrefixRule { action: Action::Deny, prefix: "10.50.99.0/24".parse().unwrap(), ge: None, le: None },
                PrefixRule {
                    action: Action::Permit,
                    prefix: "10.50.0.0/16".parse().unwrap(),
                    ge: Some(24),
                    le: Some(28),
                },
                PrefixRule {
                    action: Action::Permit,
                    prefix: "10.60.0.0/16".parse().unwrap(),
                    ge: Some(20),
                    le: Some(32),
                },
            ],
            match_communities: vec![Community { asn: 65050, value: 1 }],
            set_communities: vec![Community { asn: 65001, value: 100 }, Community { asn: 65001, value: 200 }],
            local_preference: Some(200),
            med: Some(50),
        };
        let text = render(&s).unwrap();
        let import_v4 = "bgp community-list standard PATRONUS-IMPORT-COMMUNITIES seq 5 permit 65050:1\n\
            ip prefix-list PATRONUS-IMPORT-V4 seq 5 deny 10.50.99.0/24\n\
            ip prefix-list PATRONUS-IMPORT-V4 seq 10 permit 10.50.0.0/16 ge 24 le 28\n\
            ip prefix-list PATRONUS-IMPORT-V4 seq 15 permit 10.60.0.0/16 ge 20\n\
            route-map PATRONUS-IMPORT-V4 permit 10\n\
            \x20match ip address prefix-list PATRONUS-IMPORT-V4\n\
            \x20match community PATRONUS-IMPORT-COMMUNITIES\n\
            \x20set local-preference 200\n\
            \x20set metric 50\n\
            \x20set community 65001:100 65001:200 additive\n\
            exit\n!\n\
            route-map PATRONUS-IMPORT-V6 deny 10\nexit\n!\n";
        assert!(text.contains(import_v4), "{text}");
    }

    #[test]
    fn networks_and_overlay_prefixes_are_advertised_per_family() {
        let mut s = settings();
        s.neighbors.push(neighbor("2001:db8::2", 65051));
        s.networks = vec!["10.1.0.0/24".parse().unwrap(), "2001:db8:1::/48".parse().unwrap()];
        s.overlay_prefixes = vec!["10.2.0.0/24".parse().unwrap(), "10.1.0.0/24".parse().unwrap()];
        let text = render(&s).unwrap();
        assert!(text.contains(" address-family ipv4 unicast\n  network 10.1.0.0/24\n  network 10.2.0.0/24\n  neighbor 192.0.2.2 activate\n"), "{text}");
        assert!(text.contains(" address-family ipv6 unicast\n  network 2001:db8:1::/48\n  neighbor 2001:db8::2 activate\n  neighbor 2001:db8::2 route-map PATRONUS-IMPORT-V6 in\n"), "{text}");
        assert_eq!(text.matches("network 10.1.0.0/24").count(), 1, "listed once");
    }

    #[test]
    fn settings_frr_would_refuse_or_misread_are_errors() {
        let mut s = settings();
        s.neighbors[0].password = Some(Password("two words".into()));
        assert_eq!(render(&s), Err(RenderError::BadPassword("192.0.2.2".into())));
        let mut s = settings();
        s.neighbors[0].description = Some("line\nneighbor 1.2.3.4 remote-as 1".into());
        assert_eq!(render(&s), Err(RenderError::BadDescription("192.0.2.2".into())));
        let mut s = settings();
        s.neighbors[0].timers = Some(Timers { keepalive: 1, hold: 2 });
        assert_eq!(render(&s), Err(RenderError::BadTimers("192.0.2.2".into())));
        let mut s = settings();
        s.neighbors.push(neighbor("192.0.2.2", 65052));
        assert_eq!(render(&s), Err(RenderError::DuplicateNeighbor("192.0.2.2".into())));
        let mut s = settings();
        s.export.prefixes =
            vec![PrefixRule { action: Action::Permit, prefix: "10.0.0.0/16".parse().unwrap(), ge: Some(16), le: None }];
        assert_eq!(render(&s), Err(RenderError::BadPrefixRange("10.0.0.0/16 ge 16".into())));
        let mut s = settings();
        s.max_prefixes = Some(0);
        assert_eq!(render(&s), Err(RenderError::ZeroMaxPrefixes));
    }
}
