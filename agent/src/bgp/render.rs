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
//! - Every neighbour gets an import and an export route-map, also when the settings name none for
//!   it (`PATRONUS-IMPORT`, a `permit` without conditions, and `PATRONUS-EXPORT`), so eBGP's
//!   default of refusing sessions without policy (`bgp ebgp-requires-policy`) stays on.
//! - Only what the site originates is exported (its `network` statements: its advertised
//!   networks and the other sites' prefixes it reaches over the overlay; their AS path is empty):
//!   a route learned from one neighbour is not passed on to another, so a site never becomes
//!   transit between its customer routers. Every outbound route-map starts with a `deny` of
//!   routes with a non-empty AS path; the user's entries decide among the rest. So a route map
//!   used both ways is rendered twice (`-IN`, `-OUT`).
//! - The user's prefix lists and route maps keep their names behind a prefix (`PL-`, `RM-`, never
//!   clashing with ours) and are per address family (`-V4`/`-V6`): a `match ip address
//!   prefix-list` clause never matches an IPv6 route. A prefix list without entries of a family
//!   is rendered `deny any` in that family, so matching it matches nothing, as the API says.
//! - A route-map entry's `match_communities` is one standard community-list with all of them in
//!   one line: FRR's standard lists match a route carrying all the communities of a line.
//! - Routes that overlap what the site reaches over the overlay (another site's prefix, equal or
//!   more specific, or the overlay prefix) stay in BGP's table, so the agent reports them and the
//!   server refuses them where operators see it, but zebra never installs them
//!   (`ip protocol bgp route-map PATRONUS-INSTALL-..`): a customer router announcing a piece of
//!   another site's LAN cannot pull this site's traffic for it away from the overlay.
//! - Communities are rendered as FRR prints them (`AA:NN` without leading zeros), descriptions on
//!   one line (the API allows tabs and newlines; a newline here would be a new command).
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

use patronus_api::{BgpAction, BgpPrefixList, BgpPrefixListEntry, BgpRouteMap, ConfigBgpNeighbor, IpNet};
use thiserror::Error;

use super::settings::BgpSettings;

/// Settings that cannot become a valid `frr.conf` (the server refuses all of these; the agent
/// checks again because a line of this file is a command).
#[derive(Debug, Error, PartialEq, Eq)]
pub enum RenderError {
    #[error("ASN 0 is reserved")]
    ZeroAsn,
    #[error("neighbour {0} is listed twice")]
    DuplicateNeighbor(String),
    #[error("neighbour {0}: a password must be 1 to 80 printable characters without spaces")]
    BadPassword(String),
    #[error("neighbour {0}: the hold time must be 0 or at least 3 s and not below the keepalive")]
    BadTimers(String),
    #[error("prefix list {0}: needs prefix length < ge <= le <= the family's maximum")]
    BadPrefixRange(String),
    #[error("{0:?} is not a valid prefix-list or route-map name")]
    BadName(String),
    #[error("{0:?} is not a community (AA:NN, no-export, no-advertise, local-AS)")]
    BadCommunity(String),
    #[error("route map {0:?} is used but not defined")]
    UnknownRouteMap(String),
    #[error("prefix list {0:?} is used but not defined")]
    UnknownPrefixList(String),
    #[error("max_learned_prefixes must be at least 1")]
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

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Direction {
    In,
    Out,
}

fn action(a: BgpAction) -> &'static str {
    match a {
        BgpAction::Permit => "permit",
        BgpAction::Deny => "deny",
    }
}

/// The route-map a neighbour uses in one direction and family.
fn map_name(user: Option<&str>, dir: Direction, family: Family) -> String {
    match (user, dir) {
        (Some(name), Direction::In) => format!("RM-{name}-IN-{}", family.suffix()),
        (Some(name), Direction::Out) => format!("RM-{name}-OUT-{}", family.suffix()),
        (None, Direction::In) => format!("PATRONUS-IMPORT-{}", family.suffix()),
        (None, Direction::Out) => format!("PATRONUS-EXPORT-{}", family.suffix()),
    }
}

/// The `frr.conf` for these settings.
pub fn render(s: &BgpSettings) -> Result<String, RenderError> {
    check(s)?;
    let b = &s.bgp;
    let mut o = String::new();
    o.push_str("! Rendered by patronus-agent from the site's BGP settings; do not edit.\n");
    o.push_str("frr defaults traditional\n!\nip forwarding\nipv6 forwarding\n!\n");
    // Routes a neighbour sent carry its AS; what the site originates has an empty path.
    o.push_str("bgp as-path access-list PATRONUS-LEARNED seq 5 permit .\n!\n");
    for list in &b.prefix_lists {
        render_prefix_list(&mut o, list);
    }
    let mut used: Vec<(&str, Direction)> = Vec::new();
    for n in &b.neighbors {
        for (name, dir) in [(&n.route_map_in, Direction::In), (&n.route_map_out, Direction::Out)] {
            if let Some(name) = name.as_deref() {
                if !used.contains(&(name, dir)) {
                    used.push((name, dir));
                }
            }
        }
    }
    for map in &b.route_maps {
        for dir in [Direction::In, Direction::Out] {
            if used.contains(&(map.name.as_str(), dir)) {
                render_route_map(&mut o, map, dir);
            }
        }
    }
    for family in [Family::V4, Family::V6] {
        let _ = writeln!(o, "route-map {} permit 10\nexit\n!", map_name(None, Direction::In, family));
        let _ = writeln!(
            o,
            "route-map {} deny 1\n match as-path PATRONUS-LEARNED\nexit\n!",
            map_name(None, Direction::Out, family)
        );
        let _ = writeln!(o, "route-map {} permit 10\nexit\n!", map_name(None, Direction::Out, family));
    }
    render_install_guard(&mut o, s);
    let _ = writeln!(o, "router bgp {}", b.local_asn);
    let _ = writeln!(o, " bgp router-id {}", b.router_id);
    o.push_str(" no bgp default ipv4-unicast\n no bgp network import-check\n");
    for n in &b.neighbors {
        render_neighbor(&mut o, n);
    }
    for family in [Family::V4, Family::V6] {
        render_family(&mut o, s, family);
    }
    o.push_str("exit\n!\n");
    Ok(o)
}

fn check(s: &BgpSettings) -> Result<(), RenderError> {
    let b = &s.bgp;
    if b.local_asn == 0 || b.neighbors.iter().any(|n| n.remote_asn == 0) {
        return Err(RenderError::ZeroAsn);
    }
    if b.max_learned_prefixes == 0 {
        return Err(RenderError::ZeroMaxPrefixes);
    }
    let lists: HashSet<&str> = b.prefix_lists.iter().map(|l| l.name.as_str()).collect();
    let maps: HashSet<&str> = b.route_maps.iter().map(|m| m.name.as_str()).collect();
    let mut seen = HashSet::new();
    for n in &b.neighbors {
        let addr = n.address.to_string();
        if !seen.insert(n.address) {
            return Err(RenderError::DuplicateNeighbor(addr));
        }
        if let Some(p) = &n.password {
            let ok = (1..=80).contains(&p.len()) && p.chars().all(|c| c.is_ascii_graphic());
            if !ok {
                return Err(RenderError::BadPassword(addr));
            }
        }
        if !(n.hold_time == 0 || (n.hold_time >= 3 && n.keepalive <= n.hold_time)) {
            return Err(RenderError::BadTimers(addr));
        }
        for name in [&n.route_map_in, &n.route_map_out].into_iter().flatten() {
            if !maps.contains(name.as_str()) {
                return Err(RenderError::UnknownRouteMap(name.clone()));
            }
        }
    }
    for list in &b.prefix_lists {
        if !patronus_api::is_filter_name(&list.name) {
            return Err(RenderError::BadName(list.name.clone()));
        }
        for e in &list.entries {
            let len = e.prefix.prefix_len();
            let max = Family::of(&e.prefix).max_len();
            let ge_ok = e.ge.is_none_or(|ge| ge > len && ge <= max);
            let le_ok = e.le.is_none_or(|le| le > len && le <= max && e.ge.is_none_or(|ge| ge <= le));
            if !(ge_ok && le_ok) {
                return Err(RenderError::BadPrefixRange(format!("{} {}", list.name, entry_text(e))));
            }
        }
    }
    for map in &b.route_maps {
        if !patronus_api::is_filter_name(&map.name) {
            return Err(RenderError::BadName(map.name.clone()));
        }
        for e in &map.entries {
            if let Some(l) = &e.match_prefix_list {
                if !lists.contains(l.as_str()) {
                    return Err(RenderError::UnknownPrefixList(l.clone()));
                }
            }
            for c in e.match_communities.iter().chain(&e.set_communities) {
                if patronus_api::frr_community(c).is_none() {
                    return Err(RenderError::BadCommunity(c.clone()));
                }
            }
        }
    }
    Ok(())
}

fn entry_text(e: &BgpPrefixListEntry) -> String {
    let mut t = e.prefix.to_string();
    if let Some(ge) = e.ge {
        let _ = write!(t, " ge {ge}");
    }
    // FRR drops `le 32` (`le 128`) when `ge` is given, as it means the same; rendering it would
    // make every reload see a difference from the running config.
    let le = e.le.filter(|&le| !(e.ge.is_some() && le == Family::of(&e.prefix).max_len()));
    if let Some(le) = le {
        let _ = write!(t, " le {le}");
    }
    t
}

/// `PL-<name>-V4` and `-V6`.
fn render_prefix_list(o: &mut String, list: &BgpPrefixList) {
    for family in [Family::V4, Family::V6] {
        let name = format!("PL-{}-{}", list.name, family.suffix());
        let entries: Vec<&BgpPrefixListEntry> =
            list.entries.iter().filter(|e| Family::of(&e.prefix) == family).collect();
        if entries.is_empty() {
            let _ = writeln!(o, "{} prefix-list {name} seq 5 deny any", family.ip());
        }
        for (i, e) in entries.iter().enumerate() {
            let _ = writeln!(
                o,
                "{} prefix-list {name} seq {} {} {}",
                family.ip(),
                (i + 1) * 5,
                action(e.action),
                entry_text(e)
            );
        }
    }
    o.push_str("!\n");
}

/// One direction of a user's route map, in both families, with the community-lists it matches.
fn render_route_map(o: &mut String, map: &BgpRouteMap, dir: Direction) {
    let tag = match dir {
        Direction::In => "IN",
        Direction::Out => "OUT",
    };
    for (i, e) in map.entries.iter().enumerate() {
        if !e.match_communities.is_empty() {
            let all: Vec<String> = e.match_communities.iter().filter_map(|c| patronus_api::frr_community(c)).collect();
            let _ = writeln!(
                o,
                "bgp community-list standard CL-{}-{tag}-{} seq 5 permit {}",
                map.name,
                (i + 1) * 5,
                all.join(" ")
            );
        }
    }
    for family in [Family::V4, Family::V6] {
        let name = map_name(Some(&map.name), dir, family);
        if dir == Direction::Out {
            let _ = writeln!(o, "route-map {name} deny 1\n match as-path PATRONUS-LEARNED\nexit\n!");
        }
        for (i, e) in map.entries.iter().enumerate() {
            let seq = (i + 1) * 5;
            let _ = writeln!(o, "route-map {name} {} {seq}", action(e.action));
            if let Some(l) = &e.match_prefix_list {
                let _ = writeln!(o, " match {} address prefix-list PL-{l}-{}", family.ip(), family.suffix());
            }
            if !e.match_communities.is_empty() {
                let _ = writeln!(o, " match community CL-{}-{tag}-{seq}", map.name);
            }
            if e.action == BgpAction::Permit {
                if let Some(lp) = e.set_local_preference {
                    let _ = writeln!(o, " set local-preference {lp}");
                }
                if let Some(med) = e.set_med {
                    let _ = writeln!(o, " set metric {med}");
                }
                if !e.set_communities.is_empty() {
                    let all: Vec<String> =
                        e.set_communities.iter().filter_map(|c| patronus_api::frr_community(c)).collect();
                    let _ = writeln!(o, " set community {} additive", all.join(" "));
                }
            }
            o.push_str("exit\n!\n");
        }
    }
}

/// `PATRONUS-OVERLAY-V4/V6`: what the site reaches over the overlay, and anything inside it;
/// zebra installs no BGP route that matches.
fn render_install_guard(o: &mut String, s: &BgpSettings) {
    let mut protected: Vec<&IpNet> = s.overlay_prefixes.iter().chain(&s.overlay_network).collect();
    protected.sort_by_key(|p| (p.addr(), p.prefix_len()));
    protected.dedup();
    for family in [Family::V4, Family::V6] {
        let list = format!("PATRONUS-OVERLAY-{}", family.suffix());
        let mine: Vec<&&IpNet> = protected.iter().filter(|p| Family::of(p) == family).collect();
        if mine.is_empty() {
            let _ = writeln!(o, "{} prefix-list {list} seq 5 deny any", family.ip());
        }
        for (i, p) in mine.iter().enumerate() {
            // `le` must exceed the length: a host prefix is its own range.
            let range =
                if p.prefix_len() < family.max_len() { format!(" le {}", family.max_len()) } else { String::new() };
            let _ = writeln!(o, "{} prefix-list {list} seq {} permit {p}{range}", family.ip(), (i + 1) * 5);
        }
        let map = format!("PATRONUS-INSTALL-{}", family.suffix());
        let _ = writeln!(o, "route-map {map} deny 5\n match {} address prefix-list {list}\nexit\n!", family.ip());
        let _ = writeln!(o, "route-map {map} permit 10\nexit\n!");
        let _ = writeln!(o, "{} protocol bgp route-map {map}\n!", family.ip());
    }
}

/// A description on one line of at most 80 characters: FRR reads the rest of the line.
fn one_line(d: &str) -> String {
    let words: Vec<&str> = d.split(|c: char| c.is_whitespace() || c.is_control()).filter(|w| !w.is_empty()).collect();
    words.join(" ").chars().take(80).collect::<String>().trim_end().to_string()
}

fn render_neighbor(o: &mut String, n: &ConfigBgpNeighbor) {
    let a = n.address;
    let _ = writeln!(o, " neighbor {a} remote-as {}", n.remote_asn);
    let description = one_line(&n.description);
    if !description.is_empty() {
        let _ = writeln!(o, " neighbor {a} description {description}");
    }
    if let Some(p) = &n.password {
        let _ = writeln!(o, " neighbor {a} password {p}");
    }
    let _ = writeln!(o, " neighbor {a} timers {} {}", n.keepalive, n.hold_time);
    let _ = writeln!(o, " neighbor {a} timers connect 10");
    if n.bfd {
        let _ = writeln!(o, " neighbor {a} bfd");
    }
}

fn render_family(o: &mut String, s: &BgpSettings, family: Family) {
    let b = &s.bgp;
    let neighbors: Vec<&ConfigBgpNeighbor> =
        b.neighbors.iter().filter(|n| n.address.is_ipv4() == (family == Family::V4)).collect();
    let mut networks: Vec<&IpNet> =
        b.networks.iter().chain(&s.overlay_prefixes).filter(|p| Family::of(p) == family).collect();
    networks.sort_by_key(|p| (p.addr(), p.prefix_len()));
    networks.dedup();
    if neighbors.is_empty() && networks.is_empty() {
        return;
    }
    let _ = writeln!(o, " !\n address-family {} unicast", family.afi());
    for p in networks {
        let _ = writeln!(o, "  network {p}");
    }
    for n in neighbors {
        let a = n.address;
        let _ = writeln!(o, "  neighbor {a} activate");
        let _ =
            writeln!(o, "  neighbor {a} route-map {} in", map_name(n.route_map_in.as_deref(), Direction::In, family));
        let _ = writeln!(
            o,
            "  neighbor {a} route-map {} out",
            map_name(n.route_map_out.as_deref(), Direction::Out, family)
        );
        let _ = writeln!(o, "  neighbor {a} maximum-prefix {}", b.max_learned_prefixes);
    }
    o.push_str(" exit-address-family\n");
}

#[cfg(test)]
mod tests {
    use patronus_api::{BgpRouteMapEntry, ConfigBgp};

    use super::*;

    fn neighbor(addr: &str, asn: u32) -> ConfigBgpNeighbor {
        ConfigBgpNeighbor {
            address: addr.parse().unwrap(),
            remote_asn: asn,
            description: String::new(),
            password: None,
            keepalive: 60,
            hold_time: 180,
            bfd: false,
            route_map_in: None,
            route_map_out: None,
        }
    }

    fn settings() -> BgpSettings {
        BgpSettings {
            bgp: ConfigBgp {
                local_asn: 65001,
                router_id: "10.0.0.1".parse().unwrap(),
                neighbors: vec![neighbor("192.0.2.2", 65050)],
                networks: vec![],
                prefix_lists: vec![],
                route_maps: vec![],
                overlay_import: true,
                max_learned_prefixes: 1000,
            },
            overlay_prefixes: vec![],
            overlay_network: None,
        }
    }

    fn entry(action: BgpAction) -> BgpRouteMapEntry {
        BgpRouteMapEntry {
            action,
            match_prefix_list: None,
            match_communities: vec![],
            set_local_preference: None,
            set_med: None,
            set_communities: vec![],
        }
    }

    #[test]
    fn minimal_settings_give_a_session_with_pass_all_import_and_originated_only_export() {
        let text = render(&settings()).unwrap();
        assert_eq!(
            text,
            "! Rendered by patronus-agent from the site's BGP settings; do not edit.\n\
             frr defaults traditional\n!\nip forwarding\nipv6 forwarding\n!\n\
             bgp as-path access-list PATRONUS-LEARNED seq 5 permit .\n!\n\
             route-map PATRONUS-IMPORT-V4 permit 10\nexit\n!\n\
             route-map PATRONUS-EXPORT-V4 deny 1\n match as-path PATRONUS-LEARNED\nexit\n!\n\
             route-map PATRONUS-EXPORT-V4 permit 10\nexit\n!\n\
             route-map PATRONUS-IMPORT-V6 permit 10\nexit\n!\n\
             route-map PATRONUS-EXPORT-V6 deny 1\n match as-path PATRONUS-LEARNED\nexit\n!\n\
             route-map PATRONUS-EXPORT-V6 permit 10\nexit\n!\n\
             ip prefix-list PATRONUS-OVERLAY-V4 seq 5 deny any\n\
             route-map PATRONUS-INSTALL-V4 deny 5\n match ip address prefix-list PATRONUS-OVERLAY-V4\nexit\n!\n\
             route-map PATRONUS-INSTALL-V4 permit 10\nexit\n!\n\
             ip protocol bgp route-map PATRONUS-INSTALL-V4\n!\n\
             ipv6 prefix-list PATRONUS-OVERLAY-V6 seq 5 deny any\n\
             route-map PATRONUS-INSTALL-V6 deny 5\n match ipv6 address prefix-list PATRONUS-OVERLAY-V6\nexit\n!\n\
             route-map PATRONUS-INSTALL-V6 permit 10\nexit\n!\n\
             ipv6 protocol bgp route-map PATRONUS-INSTALL-V6\n!\n\
             router bgp 65001\n bgp router-id 10.0.0.1\n no bgp default ipv4-unicast\n no bgp network import-check\n\
             \x20neighbor 192.0.2.2 remote-as 65050\n neighbor 192.0.2.2 timers 60 180\n neighbor 192.0.2.2 timers connect 10\n\
             \x20!\n address-family ipv4 unicast\n\
             \x20 neighbor 192.0.2.2 activate\n\
             \x20 neighbor 192.0.2.2 route-map PATRONUS-IMPORT-V4 in\n\
             \x20 neighbor 192.0.2.2 route-map PATRONUS-EXPORT-V4 out\n\
             \x20 neighbor 192.0.2.2 maximum-prefix 1000\n\
             \x20exit-address-family\nexit\n!\n"
        );
    }

    #[test]
    fn neighbour_options_description_password_timers_bfd() {
        let mut s = settings();
        let n = &mut s.bgp.neighbors[0];
        n.description = "customer router A\nneighbor 1.2.3.4 remote-as 1".into();
        n.password = Some("s3cret".into());
        n.keepalive = 10;
        n.hold_time = 30;
        n.bfd = true;
        s.bgp.max_learned_prefixes = 100;
        let text = render(&s).unwrap();
        for line in [
            " neighbor 192.0.2.2 description customer router A neighbor 1.2.3.4 remote-as 1\n",
            " neighbor 192.0.2.2 password s3cret\n",
            " neighbor 192.0.2.2 timers 10 30\n",
            " neighbor 192.0.2.2 bfd\n",
            "  neighbor 192.0.2.2 maximum-prefix 100\n",
        ] {
            assert!(text.contains(line), "missing {line:?} in\n{text}");
        }
        assert!(!text.contains("\nneighbor 1.2.3.4"), "a description's newline became a command:\n{text}");
        assert!(!text.contains("warning-only") && !text.contains("restart"), "{text}");
        assert!(!format!("{s:?}").contains("s3cret"), "the password is redacted in Debug");
    }

    #[test]
    fn prefix_lists_and_route_maps_per_family_and_direction() {
        let mut s = settings();
        s.bgp.prefix_lists = vec![BgpPrefixList {
            name: "customer".into(),
            entries: vec![
                BgpPrefixListEntry {
                    action: BgpAction::Deny,
                    prefix: "10.50.99.0/24".parse().unwrap(),
                    ge: None,
                    le: None,
                },
                BgpPrefixListEntry {
                    action: BgpAction::Permit,
                    prefix: "10.50.0.0/16".parse().unwrap(),
                    ge: Some(24),
                    le: Some(28),
                },
                BgpPrefixListEntry {
                    action: BgpAction::Permit,
                    prefix: "10.60.0.0/16".parse().unwrap(),
                    ge: Some(20),
                    le: Some(32),
                },
            ],
        }];
        let mut take = entry(BgpAction::Permit);
        take.match_prefix_list = Some("customer".into());
        take.match_communities = vec!["65050:01".into(), "no-export".into()];
        take.set_local_preference = Some(200);
        take.set_med = Some(50);
        take.set_communities = vec!["65001:100".into()];
        s.bgp.route_maps =
            vec![BgpRouteMap { name: "from-customer".into(), entries: vec![take, entry(BgpAction::Deny)] }];
        s.bgp.neighbors[0].route_map_in = Some("from-customer".into());
        let text = render(&s).unwrap();
        let lists = "ip prefix-list PL-customer-V4 seq 5 deny 10.50.99.0/24\n\
            ip prefix-list PL-customer-V4 seq 10 permit 10.50.0.0/16 ge 24 le 28\n\
            ip prefix-list PL-customer-V4 seq 15 permit 10.60.0.0/16 ge 20\n\
            ipv6 prefix-list PL-customer-V6 seq 5 deny any\n!\n";
        assert!(text.contains(lists), "{text}");
        let map_v4 = "bgp community-list standard CL-from-customer-IN-5 seq 5 permit 65050:1 no-export\n\
            route-map RM-from-customer-IN-V4 permit 5\n\
            \x20match ip address prefix-list PL-customer-V4\n\
            \x20match community CL-from-customer-IN-5\n\
            \x20set local-preference 200\n\
            \x20set metric 50\n\
            \x20set community 65001:100 additive\n\
            exit\n!\n\
            route-map RM-from-customer-IN-V4 deny 10\nexit\n!\n";
        assert!(text.contains(map_v4), "{text}");
        assert!(
            text.contains(
                "route-map RM-from-customer-IN-V6 permit 5\n match ipv6 address prefix-list PL-customer-V6\n"
            ),
            "{text}"
        );
        assert!(text.contains("  neighbor 192.0.2.2 route-map RM-from-customer-IN-V4 in\n"), "{text}");
        assert!(text.contains("  neighbor 192.0.2.2 route-map PATRONUS-EXPORT-V4 out\n"), "{text}");
        assert!(!text.contains("RM-from-customer-OUT"), "an unused direction is not rendered:\n{text}");

        // Used outbound too: its OUT variant refuses learned routes before the user's entries.
        s.bgp.neighbors[0].route_map_out = Some("from-customer".into());
        let text = render(&s).unwrap();
        assert!(text.contains("route-map RM-from-customer-OUT-V4 deny 1\n match as-path PATRONUS-LEARNED\nexit\n!\nroute-map RM-from-customer-OUT-V4 permit 5\n"), "{text}");
    }

    #[test]
    fn networks_and_overlay_prefixes_are_advertised_per_family() {
        let mut s = settings();
        s.bgp.neighbors.push(neighbor("2001:db8::2", 65051));
        s.bgp.networks = vec!["10.1.0.0/24".parse().unwrap(), "2001:db8:1::/48".parse().unwrap()];
        s.overlay_prefixes = vec!["10.2.0.0/24".parse().unwrap(), "10.1.0.0/24".parse().unwrap()];
        let text = render(&s).unwrap();
        assert!(text.contains(" address-family ipv4 unicast\n  network 10.1.0.0/24\n  network 10.2.0.0/24\n  neighbor 192.0.2.2 activate\n"), "{text}");
        assert!(text.contains(" address-family ipv6 unicast\n  network 2001:db8:1::/48\n  neighbor 2001:db8::2 activate\n  neighbor 2001:db8::2 route-map PATRONUS-IMPORT-V6 in\n"), "{text}");
        assert_eq!(text.matches("network 10.1.0.0/24").count(), 1, "listed once");
    }

    #[test]
    fn zebra_installs_no_route_inside_what_the_overlay_reaches() {
        let mut s = settings();
        s.overlay_prefixes = vec!["10.2.0.0/24".parse().unwrap(), "10.9.9.9/32".parse().unwrap()];
        s.overlay_network = Some("100.64.0.0/16".parse().unwrap());
        let text = render(&s).unwrap();
        let guard = "ip prefix-list PATRONUS-OVERLAY-V4 seq 5 permit 10.2.0.0/24 le 32\n\
            ip prefix-list PATRONUS-OVERLAY-V4 seq 10 permit 10.9.9.9/32\n\
            ip prefix-list PATRONUS-OVERLAY-V4 seq 15 permit 100.64.0.0/16 le 32\n\
            route-map PATRONUS-INSTALL-V4 deny 5\n match ip address prefix-list PATRONUS-OVERLAY-V4\nexit\n!\n\
            route-map PATRONUS-INSTALL-V4 permit 10\nexit\n!\n\
            ip protocol bgp route-map PATRONUS-INSTALL-V4\n";
        assert!(text.contains(guard), "{text}");
        assert!(!text.contains("network 100.64.0.0/16"), "the overlay prefix is not advertised:\n{text}");
    }

    #[test]
    fn settings_frr_would_refuse_or_misread_are_errors() {
        let mut s = settings();
        s.bgp.neighbors[0].password = Some("two words".into());
        assert_eq!(render(&s), Err(RenderError::BadPassword("192.0.2.2".into())));
        let mut s = settings();
        s.bgp.neighbors[0].hold_time = 2;
        assert_eq!(render(&s), Err(RenderError::BadTimers("192.0.2.2".into())));
        let mut s = settings();
        s.bgp.neighbors.push(neighbor("192.0.2.2", 65052));
        assert_eq!(render(&s), Err(RenderError::DuplicateNeighbor("192.0.2.2".into())));
        let mut s = settings();
        s.bgp.neighbors[0].route_map_out = Some("nowhere".into());
        assert_eq!(render(&s), Err(RenderError::UnknownRouteMap("nowhere".into())));
        let mut s = settings();
        let mut e = entry(BgpAction::Permit);
        e.set_communities = vec!["65536:1".into()];
        s.bgp.route_maps = vec![BgpRouteMap { name: "m".into(), entries: vec![e] }];
        assert_eq!(render(&s), Err(RenderError::BadCommunity("65536:1".into())));
        let mut s = settings();
        s.bgp.prefix_lists = vec![BgpPrefixList {
            name: "l".into(),
            entries: vec![BgpPrefixListEntry {
                action: BgpAction::Permit,
                prefix: "10.0.0.0/16".parse().unwrap(),
                ge: Some(16),
                le: None,
            }],
        }];
        assert_eq!(render(&s), Err(RenderError::BadPrefixRange("l 10.0.0.0/16 ge 16".into())));
        let mut s = settings();
        s.bgp.max_learned_prefixes = 0;
        assert_eq!(render(&s), Err(RenderError::ZeroMaxPrefixes));
    }
}
