//! Which learned BGP prefixes enter the overlay: the rules, as one pure function over the
//! tenant's sites and every prefix their agents reported. The server runs it tenant-wide after
//! every change it depends on (a report, a site's LAN prefixes, a site's BGP settings, a site
//! deleted), so the outcome never depends on the order writes came in, only on the state.
//!
//! A prefix learned by site S is, in this order:
//! 1. `not_imported` when S's `overlay_import` is off;
//! 2. `refused` when it overlaps (contains or lies in) the tenant's overlay prefix;
//! 3. `refused` when it overlaps another site's LAN prefix or advertised BGP network: what an
//!    operator declared always wins over what a router announced;
//! 4. `refused` when it overlaps a prefix another site learned and had accepted: prefixes are
//!    decided in the order they were first learned (ties by site id, then prefix), so the site
//!    that learned it first keeps it, and when it withdraws, the next one gets it;
//! 5. otherwise `accepted`. A prefix that overlaps S's own LAN prefixes or networks is accepted:
//!    it leads to S either way, so the peers' routes to it are redundant, not wrong. Overlaps
//!    between S's own learned prefixes are accepted for the same reason.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use ipnet::IpNet;
use patronus_api::LearnedRouteState;
use uuid::Uuid;

/// A site as the rules see it.
#[derive(Debug, Clone)]
pub struct ImportSite<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub lan_prefixes: &'a [IpNet],
    /// Its advertised BGP networks.
    pub networks: &'a [IpNet],
    pub overlay_import: bool,
}

/// One prefix a site learned (from one or more neighbours), and when it was first learned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Learned {
    pub site_id: Uuid,
    pub prefix: IpNet,
    pub learned_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub state: LearnedRouteState,
    /// Why it is refused, for people.
    pub reason: Option<String>,
    /// The site it collides with, when refused for a collision with a site.
    pub conflicting_site_id: Option<Uuid>,
}

impl Decision {
    fn state(state: LearnedRouteState) -> Decision {
        Decision { state, reason: None, conflicting_site_id: None }
    }

    fn refused(reason: String, site: Option<Uuid>) -> Decision {
        Decision { state: LearnedRouteState::Refused, reason: Some(reason), conflicting_site_id: site }
    }
}

/// The decision for each of `learned`, in the same order.
pub fn decide(overlay: IpNet, sites: &[ImportSite<'_>], learned: &[Learned]) -> Vec<Decision> {
    let by_id: HashMap<Uuid, &ImportSite<'_>> = sites.iter().map(|s| (s.id, s)).collect();
    let mut declared = PrefixIndex::default();
    for site in sites {
        for p in site.lan_prefixes {
            declared.insert(*p, (site.id, Origin::Lan));
        }
        for p in site.networks {
            declared.insert(*p, (site.id, Origin::Network));
        }
    }
    let mut order: Vec<usize> = (0..learned.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&learned[a], &learned[b]);
        (a.learned_at, a.site_id, a.prefix).cmp(&(b.learned_at, b.site_id, b.prefix))
    });
    let name = |id: Uuid| by_id.get(&id).map_or("?", |s| s.name);
    let mut accepted = PrefixIndex::default();
    let mut out = vec![Decision::state(LearnedRouteState::NotImported); learned.len()];
    for i in order {
        let route = &learned[i];
        let Some(site) = by_id.get(&route.site_id).filter(|s| s.overlay_import) else {
            continue;
        };
        let prefix = route.prefix;
        out[i] = if overlaps(&prefix, &overlay) {
            Decision::refused(format!("overlaps the tenant's overlay prefix {overlay}"), None)
        } else if let Some((theirs, (other, origin))) = declared.first_overlap(&prefix, site.id) {
            let reason = match origin {
                Origin::Lan => format!("overlaps LAN prefix {theirs} of site {:?}", name(other)),
                Origin::Network => format!("overlaps {theirs}, advertised by site {:?}", name(other)),
                Origin::Learned => format!("overlaps {theirs}, learned by site {:?}", name(other)),
            };
            Decision::refused(reason, Some(other))
        } else if let Some((theirs, (other, _))) = accepted.first_overlap(&prefix, site.id) {
            Decision::refused(format!("overlaps {theirs}, learned earlier by site {:?}", name(other)), Some(other))
        } else {
            accepted.insert(prefix, (site.id, Origin::Learned));
            Decision::state(LearnedRouteState::Accepted)
        };
    }
    out
}

fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    a.contains(b) || b.contains(a)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Lan,
    Network,
    Learned,
}

/// Prefixes with their owners, ordered by (family, first address, length): the prefixes a given
/// one contains are a range of that order, and those containing it are its supernets, one exact
/// lookup per shorter length. A scan of every site for each of 1,000 learned prefixes is what
/// this avoids.
#[derive(Default)]
struct PrefixIndex(BTreeMap<IndexKey, Vec<(IpNet, Owner)>>);

/// (address family, first address, prefix length).
type IndexKey = (u8, u128, u8);
/// The site a prefix belongs to, and how.
type Owner = (Uuid, Origin);

fn key(p: &IpNet, len: u8) -> IndexKey {
    match p {
        IpNet::V4(n) => (4, u128::from(u32::from(n.network())), len),
        IpNet::V6(n) => (6, u128::from(n.network()), len),
    }
}

impl PrefixIndex {
    fn insert(&mut self, p: IpNet, owner: Owner) {
        self.0.entry(key(&p, p.prefix_len())).or_default().push((p, owner));
    }

    /// The first prefix (supernets from the shortest, then the ones it contains in order) that
    /// overlaps `p` and belongs to a site other than `except`.
    fn first_overlap(&self, p: &IpNet, except: Uuid) -> Option<(IpNet, Owner)> {
        let supernets = (0..p.prefix_len()).filter_map(|len| IpNet::new(p.network(), len).ok().map(|n| n.trunc()));
        for s in supernets {
            if let Some(found) =
                self.0.get(&key(&s, s.prefix_len())).and_then(|v| v.iter().find(|(_, o)| o.0 != except))
            {
                return Some(*found);
            }
        }
        let (family, first, _) = key(p, 0);
        let (_, last, _) = key(&IpNet::from(p.broadcast()), 0);
        self.0
            .range((family, first, 0)..=(family, last, u8::MAX))
            .flat_map(|(_, v)| v)
            .find(|(_, o)| o.0 != except)
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use patronus_api::LearnedRouteState::{Accepted, NotImported, Refused};

    fn net(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    fn learned(site: u128, prefix: &str, secs: i64) -> Learned {
        Learned { site_id: Uuid::from_u128(site), prefix: net(prefix), learned_at: at(secs) }
    }

    struct Fixture {
        lans: Vec<Vec<IpNet>>,
        networks: Vec<Vec<IpNet>>,
        import: Vec<bool>,
    }

    impl Fixture {
        /// Site n (1-based) has LAN 10.n.0.0/16 and imports.
        fn new(n: usize) -> Fixture {
            Fixture {
                lans: (1..=n).map(|i| vec![net(&format!("10.{i}.0.0/16"))]).collect(),
                networks: vec![Vec::new(); n],
                import: vec![true; n],
            }
        }

        fn sites(&self) -> Vec<ImportSite<'_>> {
            const NAMES: [&str; 4] = ["a", "b", "c", "d"];
            (0..self.lans.len())
                .map(|i| ImportSite {
                    id: Uuid::from_u128(i as u128 + 1),
                    name: NAMES[i],
                    lan_prefixes: &self.lans[i],
                    networks: &self.networks[i],
                    overlay_import: self.import[i],
                })
                .collect()
        }

        fn decide(&self, learned: &[Learned]) -> Vec<Decision> {
            decide(net("100.64.0.0/16"), &self.sites(), learned)
        }
    }

    fn states(d: &[Decision]) -> Vec<LearnedRouteState> {
        d.iter().map(|d| d.state).collect()
    }

    #[test]
    fn a_prefix_nobody_else_has_is_accepted_and_off_means_not_imported() {
        let mut f = Fixture::new(2);
        let routes = [learned(1, "192.168.0.0/24", 0), learned(2, "192.168.1.0/24", 0)];
        assert_eq!(states(&f.decide(&routes)), [Accepted, Accepted]);
        f.import[1] = false;
        let d = f.decide(&routes);
        assert_eq!(states(&d), [Accepted, NotImported]);
        assert_eq!(d[1].reason, None);
    }

    #[test]
    fn the_overlay_and_other_sites_declared_prefixes_win_both_ways() {
        let mut f = Fixture::new(2);
        f.networks[1] = vec![net("172.16.0.0/12")];
        let routes = [
            learned(1, "100.64.3.0/24", 0), // inside the overlay
            learned(1, "0.0.0.0/0", 0),     // contains the overlay (a default route)
            learned(1, "10.2.5.0/24", 0),   // inside b's LAN
            learned(1, "10.0.0.0/8", 0),    // contains b's LAN (and a's own)
            learned(1, "172.16.4.0/22", 0), // inside b's advertised network
            learned(1, "10.1.7.0/24", 0),   // inside a's own LAN: redundant, accepted
        ];
        let d = f.decide(&routes);
        assert_eq!(states(&d), [Refused, Refused, Refused, Refused, Refused, Accepted]);
        assert_eq!(d[0].reason.as_deref(), Some("overlaps the tenant's overlay prefix 100.64.0.0/16"));
        assert_eq!(d[0].conflicting_site_id, None);
        assert_eq!(d[2].reason.as_deref(), Some("overlaps LAN prefix 10.2.0.0/16 of site \"b\""));
        assert_eq!(d[2].conflicting_site_id, Some(Uuid::from_u128(2)));
        assert_eq!(d[3].conflicting_site_id, Some(Uuid::from_u128(2)), "a's own LAN does not count against it");
        assert_eq!(d[4].reason.as_deref(), Some("overlaps 172.16.0.0/12, advertised by site \"b\""));
    }

    #[test]
    fn the_site_that_learned_first_keeps_it_and_the_other_takes_over_when_it_withdraws() {
        let f = Fixture::new(3);
        // c learned it first, b later; a learned a more specific one at the same time as c.
        let routes =
            [learned(2, "192.168.0.0/16", 10), learned(3, "192.168.0.0/16", 5), learned(1, "192.168.9.0/24", 5)];
        let d = f.decide(&routes);
        // Same time: a (lower id) goes first, so c's covering prefix is refused, and b's too.
        assert_eq!(states(&d), [Refused, Refused, Accepted]);
        assert_eq!(d[1].reason.as_deref(), Some("overlaps 192.168.9.0/24, learned earlier by site \"a\""));
        assert_eq!(d[0].conflicting_site_id, Some(Uuid::from_u128(1)));

        // a withdraws: c learned before b, so c has it.
        let d = f.decide(&routes[..2]);
        assert_eq!(states(&d), [Refused, Accepted]);
        assert_eq!(d[0].conflicting_site_id, Some(Uuid::from_u128(3)));
        // c withdraws too: b has it.
        assert_eq!(states(&f.decide(&routes[..1])), [Accepted]);
    }

    #[test]
    fn a_not_imported_or_refused_prefix_blocks_nobody_and_a_site_never_blocks_itself() {
        let mut f = Fixture::new(2);
        f.import[0] = false;
        let routes = [
            learned(1, "192.168.0.0/16", 0),
            learned(2, "10.1.0.0/16", 1),    // a's LAN: refused
            learned(2, "192.168.0.0/16", 2), // a has it but does not import it
            learned(2, "192.168.1.0/24", 3), // inside b's own accepted learned prefix
            learned(1, "10.1.0.0/16", 4),    // a's own LAN, but a does not import
        ];
        assert_eq!(states(&f.decide(&routes)), [NotImported, Refused, Accepted, Accepted, NotImported]);
    }

    #[test]
    fn the_outcome_does_not_depend_on_the_order_of_the_input() {
        let f = Fixture::new(3);
        let routes = vec![learned(3, "192.168.0.0/16", 1), learned(2, "192.168.0.0/24", 1), learned(1, "fd00::/48", 0)];
        let forward = f.decide(&routes);
        let mut reversed = routes.clone();
        reversed.reverse();
        let mut backward = f.decide(&reversed);
        backward.reverse();
        assert_eq!(forward, backward);
        assert_eq!(states(&forward), [Refused, Accepted, Accepted]);
    }

    #[test]
    fn the_index_finds_supernets_subnets_and_equals_in_both_families() {
        let mut index = PrefixIndex::default();
        let owner = (Uuid::from_u128(9), Origin::Lan);
        for p in ["10.1.0.0/16", "fd00:1::/64", "192.168.5.128/25"] {
            index.insert(net(p), owner);
        }
        let me = Uuid::from_u128(1);
        for (probe, hit) in [
            ("10.1.2.0/24", Some("10.1.0.0/16")),
            ("10.0.0.0/8", Some("10.1.0.0/16")),
            ("10.1.0.0/16", Some("10.1.0.0/16")),
            ("10.2.0.0/16", None),
            ("192.168.5.0/25", None),
            ("192.168.5.0/24", Some("192.168.5.128/25")),
            ("fd00:1::/48", Some("fd00:1::/64")),
            ("fd00:1::5/128", Some("fd00:1::/64")),
            ("fd00:2::/64", None),
            ("::/0", Some("fd00:1::/64")),
        ] {
            assert_eq!(index.first_overlap(&net(probe), me).map(|(p, _)| p), hit.map(net), "{probe}");
        }
        assert_eq!(index.first_overlap(&net("10.1.2.0/24"), Uuid::from_u128(9)), None, "its owner is skipped");
    }
}
