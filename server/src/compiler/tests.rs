use std::collections::{BTreeMap, BTreeSet};

use patronus_api::{
    BgpAction, BgpPrefixList, BgpPrefixListEntry, BgpRouteMap, BgpRouteMapEntry, ConfigBgp, ConfigBgpNeighbor,
    ConfigLink, ConfigPolicy, ConfigQosClass, LinkKind, PathSelection, PolicyAction, PolicyMatch, Protocol, SiteRole,
    TopologyMode,
};
use uuid::Uuid;

use super::*;
use patronus_api::CompiledConfig;

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn p(s: &str) -> IpNet {
    s.parse().unwrap()
}

fn key(n: u8) -> WgKey {
    WgKey::from_bytes([n; 32])
}

fn texts<T: ToString>(list: &[T]) -> Vec<String> {
    list.iter().map(ToString::to_string).collect()
}

fn link(name: &str, endpoint: Option<&str>, priority: u32) -> ConfigLink {
    ConfigLink {
        name: name.into(),
        interface: format!("eth-{name}"),
        kind: LinkKind::Fiber,
        endpoint: endpoint.map(|e| e.parse().unwrap()),
        bandwidth_up_mbps: 100,
        bandwidth_down_mbps: 500,
        cost: 10,
        priority,
    }
}

fn site(n: u128, role: SiteRole, key: bool) -> SiteInput {
    SiteInput {
        id: id(n),
        name: format!("site-{n}"),
        role,
        labels: BTreeMap::from([("region".to_string(), if n.is_multiple_of(2) { "eu" } else { "us" }.to_string())]),
        overlay_address: p(&format!("100.64.0.{n}/16")),
        listen_port: 51820,
        lan_prefixes: vec![p(&format!("10.{n}.0.0/16"))],
        links: vec![
            link("lte", Some(&format!("198.51.100.{n}:51820")), 20),
            link("fiber", Some(&format!("203.0.113.{n}:51820")), 10),
        ],
        public_key: key.then(|| self::key(n as u8)),
        bgp: None,
        learned_prefixes: Vec::new(),
    }
}

/// BGP settings for site `n`, with its lists in an order the compiler must fix.
fn bgp(n: u128) -> ConfigBgp {
    let neighbor = |last: u8, password: Option<&str>| ConfigBgpNeighbor {
        address: format!("10.{n}.0.{last}").parse().unwrap(),
        remote_asn: 65000 + u32::from(last),
        description: format!("router {last}"),
        password: password.map(str::to_string),
        keepalive: 10,
        hold_time: 30,
        bfd: last.is_multiple_of(2),
        route_map_in: Some("in".to_string()),
        route_map_out: None,
    };
    let list = |name: &str| BgpPrefixList {
        name: name.to_string(),
        entries: vec![
            BgpPrefixListEntry { action: BgpAction::Permit, prefix: p("10.0.0.0/8"), ge: Some(16), le: None },
            BgpPrefixListEntry { action: BgpAction::Deny, prefix: p("0.0.0.0/0"), ge: None, le: Some(32) },
        ],
    };
    ConfigBgp {
        local_asn: 4_200_000_000 + n as u32,
        router_id: format!("100.64.0.{n}").parse().unwrap(),
        neighbors: vec![neighbor(9, Some("md5-secret")), neighbor(2, None)],
        networks: vec![p(&format!("192.0.{n}.0/24")), p(&format!("10.{n}.0.0/16"))],
        prefix_lists: vec![list("z-last"), list("a-first")],
        route_maps: vec![BgpRouteMap {
            name: "in".to_string(),
            entries: vec![BgpRouteMapEntry {
                action: BgpAction::Permit,
                match_prefix_list: Some("a-first".to_string()),
                match_communities: vec!["65000:1".to_string()],
                set_local_preference: Some(200),
                set_med: None,
                set_communities: vec!["no-export".to_string()],
            }],
        }],
        overlay_import: true,
        max_learned_prefixes: 1000,
    }
}

fn net(mode: TopologyMode, sites: Vec<SiteInput>, peerings: Vec<(Uuid, Uuid)>) -> Network {
    Network::new(mode, 25, sites, peerings, Vec::new(), Vec::new())
}

fn peer_ids(config: &SiteConfig) -> Vec<Uuid> {
    config.peers.iter().map(|p| p.site_id).collect()
}

#[test]
fn full_mesh_peers_every_enrolled_site_with_its_addresses_and_endpoints() {
    let n = net(
        TopologyMode::FullMesh,
        vec![site(1, SiteRole::Edge, true), site(2, SiteRole::Edge, true), site(3, SiteRole::Edge, false)],
        vec![],
    );
    let c1 = compile_site(&n, id(1), 7).unwrap();
    assert_eq!(c1.revision, 7);
    // Site 3 has no agent yet, so nobody lists it.
    assert_eq!(peer_ids(&c1), [id(2)]);
    let peer = &c1.peers[0];
    assert_eq!(peer.public_key, key(2));
    assert_eq!(texts(&peer.allowed_ips), ["10.2.0.0/16", "100.64.0.2/32"]);
    let endpoints: Vec<_> = peer.endpoints.iter().map(|e| (e.link.as_str(), e.address.as_str())).collect();
    assert_eq!(endpoints, [("fiber", "203.0.113.2:51820"), ("lte", "198.51.100.2:51820")]);
    assert_eq!(peer.persistent_keepalive, 25);
    // The unenrolled site still gets its own document, listing the enrolled ones.
    assert_eq!(peer_ids(&compile_site(&n, id(3), 7).unwrap()), [id(1), id(2)]);
    assert_eq!(c1.links.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(), ["fiber", "lte"]);
}

#[test]
fn a_link_behind_nat_gives_no_endpoint() {
    let mut s2 = site(2, SiteRole::Edge, true);
    s2.links = vec![link("lte", None, 10)];
    let n = net(TopologyMode::FullMesh, vec![site(1, SiteRole::Edge, true), s2], vec![]);
    assert!(compile_site(&n, id(1), 1).unwrap().peers[0].endpoints.is_empty());
}

#[test]
fn hub_and_spoke_spokes_reach_hubs_and_hubs_reach_everyone() {
    let sites = vec![
        site(1, SiteRole::Hub, true),
        site(2, SiteRole::Hub, true),
        site(3, SiteRole::Edge, true),
        site(4, SiteRole::Edge, true),
        site(5, SiteRole::Edge, true),
    ];
    let n = net(TopologyMode::HubAndSpoke, sites, vec![]);
    assert_eq!(peer_ids(&compile_site(&n, id(3), 1).unwrap()), [id(1), id(2)]);
    assert_eq!(peer_ids(&compile_site(&n, id(1), 1).unwrap()), [id(2), id(3), id(4), id(5)]);
}

#[test]
fn peerings_add_to_hub_and_spoke_and_are_all_of_explicit() {
    let sites = vec![site(1, SiteRole::Hub, true), site(3, SiteRole::Edge, true), site(4, SiteRole::Edge, true)];
    let n = net(TopologyMode::HubAndSpoke, sites.clone(), vec![(id(4), id(3))]);
    assert_eq!(peer_ids(&compile_site(&n, id(3), 1).unwrap()), [id(1), id(4)]);
    assert_eq!(peer_ids(&compile_site(&n, id(4), 1).unwrap()), [id(1), id(3)]);

    let explicit = net(TopologyMode::Explicit, sites, vec![(id(1), id(3))]);
    assert_eq!(peer_ids(&compile_site(&explicit, id(1), 1).unwrap()), [id(3)]);
    assert_eq!(peer_ids(&compile_site(&explicit, id(3), 1).unwrap()), [id(1)]);
    assert!(compile_site(&explicit, id(4), 1).unwrap().peers.is_empty());
}

#[test]
fn ipv6_prefixes_are_carried_and_sorted() {
    let mut s2 = site(2, SiteRole::Edge, true);
    s2.lan_prefixes = vec![p("fd00:2::/64"), p("10.2.0.0/16"), p("10.10.0.0/16")];
    let mut s1 = site(1, SiteRole::Edge, true);
    s1.links = vec![link("fiber", Some("[2001:db8::1]:51820"), 1)];
    let n = net(TopologyMode::FullMesh, vec![s1, s2], vec![]);
    let c1 = compile_site(&n, id(1), 1).unwrap();
    // In the order of their text (as when documents carried strings), which keeps hashes stable.
    assert_eq!(texts(&c1.peers[0].allowed_ips), ["10.10.0.0/16", "10.2.0.0/16", "100.64.0.2/32", "fd00:2::/64"]);
    let c2 = compile_site(&n, id(2), 1).unwrap();
    assert_eq!(texts(&c2.lan_prefixes), ["10.10.0.0/16", "10.2.0.0/16", "fd00:2::/64"]);
    assert_eq!(c2.peers[0].endpoints[0].address.to_string(), "[2001:db8::1]:51820");
}

fn policy(name: &str, priority: u32, selector: &[(&str, &str)]) -> PolicyInput {
    PolicyInput {
        policy: ConfigPolicy {
            name: name.into(),
            priority,
            matches: PolicyMatch {
                protocol: Protocol::Udp,
                source_prefixes: vec![],
                destination_prefixes: vec![],
                destination_ports: vec!["5060".parse().unwrap()],
                dscp: None,
                application: None,
            },
            action: PolicyAction {
                qos_class: Some("voice".into()),
                path_selection: PathSelection::LowestLatency,
                link_preference: vec![],
                sla: None,
                failover_hold_down_seconds: 10,
            },
        },
        site_selector: selector.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
    }
}

#[test]
fn policies_apply_by_site_labels_and_come_in_priority_order() {
    let qos = vec![
        ConfigQosClass { name: "bulk".into(), priority: 8, dscp: 8, guaranteed_percent: 10, max_percent: 100 },
        ConfigQosClass { name: "voice".into(), priority: 1, dscp: 46, guaranteed_percent: 20, max_percent: 30 },
    ];
    let policies = vec![policy("eu-only", 20, &[("region", "eu")]), policy("everyone", 10, &[])];
    let n = Network::new(
        TopologyMode::FullMesh,
        25,
        vec![site(1, SiteRole::Edge, true), site(2, SiteRole::Edge, true)],
        vec![],
        qos,
        policies,
    );
    let us = compile_site(&n, id(1), 1).unwrap();
    let eu = compile_site(&n, id(2), 1).unwrap();
    assert_eq!(us.policies.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["everyone"]);
    assert_eq!(eu.policies.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["everyone", "eu-only"]);
    assert_eq!(eu.qos_classes.iter().map(|q| q.name.as_str()).collect::<Vec<_>>(), ["voice", "bulk"]);
}

#[test]
fn a_sites_hash_changes_only_when_its_document_does() {
    let sites = vec![site(1, SiteRole::Hub, true), site(3, SiteRole::Edge, true), site(4, SiteRole::Edge, true)];
    let before = net(TopologyMode::HubAndSpoke, sites.clone(), vec![]);
    let mut changed = sites;
    changed[2].lan_prefixes = vec![p("10.99.0.0/16")];
    let after = net(TopologyMode::HubAndSpoke, changed, vec![]);
    let all = before.all_sites();
    let (h1, h2) = (site_hashes(&before, &all), site_hashes(&after, &all));
    assert_eq!(h1[&id(3)], h2[&id(3)], "a spoke does not list another spoke");
    assert_ne!(h1[&id(4)], h2[&id(4)]);
    assert_ne!(h1[&id(1)], h2[&id(1)], "the hub lists the changed spoke");
    assert_eq!(after.affected_by_site(id(4)), BTreeSet::from([id(1), id(4)]));
    // The revision is not part of the content.
    let c = compile_site(&after, id(4), 1).unwrap();
    let mut later = c.clone();
    later.revision = 99;
    assert_eq!(content_hash(&c), content_hash(&later));
}

#[test]
fn an_unenrolled_site_affects_only_itself() {
    let n = net(TopologyMode::FullMesh, vec![site(1, SiteRole::Edge, true), site(2, SiteRole::Edge, false)], vec![]);
    assert_eq!(n.affected_by_site(id(2)), BTreeSet::from([id(2)]));
    assert_eq!(n.affected_by_site(id(1)), BTreeSet::from([id(1), id(2)]));
}

/// A small deterministic generator, so the property test needs no extra crate and replays exactly.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % bound
    }
}

fn random_network(rng: &mut Lcg, shuffle: bool) -> (Vec<SiteInput>, Vec<(Uuid, Uuid)>, TopologyMode) {
    let count = 2 + rng.next(12) as u128;
    let mut sites: Vec<SiteInput> = (1..=count)
        .map(|n| {
            let role = if rng.next(4) == 0 { SiteRole::Hub } else { SiteRole::Edge };
            let mut s = site(n, role, rng.next(5) != 0);
            if rng.next(2) == 0 {
                s.lan_prefixes.push(p(&format!("fd00:{n:x}::/64")));
            }
            if rng.next(3) == 0 {
                s.bgp = Some(bgp(n));
            }
            s
        })
        .collect();
    let peerings: Vec<(Uuid, Uuid)> = (0..rng.next(4))
        .map(|_| (id(1 + rng.next(count as u64) as u128), id(1 + rng.next(count as u64) as u128)))
        .collect();
    let mode = [TopologyMode::FullMesh, TopologyMode::HubAndSpoke, TopologyMode::Explicit][rng.next(3) as usize];
    if shuffle {
        sites.reverse();
        for s in &mut sites {
            s.lan_prefixes.reverse();
            s.links.reverse();
            if let Some(b) = &mut s.bgp {
                b.neighbors.reverse();
                b.networks.reverse();
                b.prefix_lists.reverse();
            }
        }
    }
    (sites, peerings, mode)
}

#[test]
fn compiling_twice_gives_identical_bytes_whatever_the_input_order() {
    for seed in 0..300 {
        let (a_sites, a_peerings, mode) = random_network(&mut Lcg(seed), false);
        let (b_sites, b_peerings, _) = random_network(&mut Lcg(seed), true);
        let a = net(mode, a_sites, a_peerings);
        let b = net(mode, b_sites, b_peerings);
        let hashes = site_hashes(&a, &a.all_sites());
        for s in &a.sites {
            let first = canonical_bytes(&compile_site(&a, s.id, 3).unwrap());
            let second = canonical_bytes(&compile_site(&a, s.id, 3).unwrap());
            let shuffled = canonical_bytes(&compile_site(&b, s.id, 3).unwrap());
            assert_eq!(first, second, "seed {seed}");
            assert_eq!(first, shuffled, "seed {seed}: input order leaked into the output");
            assert_eq!(hashes[&s.id], content_hash(&compile_site(&a, s.id, 3).unwrap()), "seed {seed}");
        }
    }
}

/// Every document of `n`, as bytes, by site.
fn documents(n: &Network) -> BTreeMap<Uuid, Vec<u8>> {
    n.sites.iter().map(|s| (s.id, canonical_bytes(&compile_site(n, s.id, 1).unwrap()))).collect()
}

/// Every site's hash the fast way, checked against the hash of its built document.
fn hashes(n: &Network) -> BTreeMap<Uuid, String> {
    let fast = site_hashes(n, &n.all_sites());
    for (id, hash) in &fast {
        assert_eq!(hash, &content_hash(&compile_site(n, *id, 0).unwrap()), "site {id}");
    }
    fast
}

#[test]
fn replacing_one_site_equals_rebuilding_the_network() {
    for seed in 0..200 {
        let mut rng = Lcg(seed);
        let (sites, peerings, mode) = random_network(&mut rng, false);
        let base = net(mode, sites.clone(), peerings.clone());
        // Leaves computed now are carried into the networks derived below.
        hashes(&base);
        let victim = sites[rng.next(sites.len() as u64) as usize].id;

        // Changed in place: new role, prefixes in another order, enrolled or not.
        let mut changed = base.site(victim).unwrap().clone();
        changed.role = if changed.role == SiteRole::Hub { SiteRole::Edge } else { SiteRole::Hub };
        changed.lan_prefixes.push(p(&format!("10.{}.0.0/16", 200 + seed % 50)));
        changed.lan_prefixes.reverse();
        changed.public_key = if rng.next(2) == 0 { None } else { Some(key(255)) };
        // Learned prefixes, unsorted and with a duplicate of a LAN prefix.
        changed.learned_prefixes = vec![p("192.168.7.0/24"), changed.lan_prefixes[0], p("172.16.0.0/12")];
        let rebuilt_sites: Vec<SiteInput> =
            sites.iter().map(|s| if s.id == victim { changed.clone() } else { s.clone() }).collect();
        let expected = net(mode, rebuilt_sites, peerings.clone());
        let updated = base.with_site(victim, Some(changed));
        assert_eq!(documents(&updated), documents(&expected), "seed {seed}: update");
        assert_eq!(hashes(&updated), hashes(&expected), "seed {seed}: update");

        // Removed, with its peerings.
        let kept: Vec<SiteInput> = sites.iter().filter(|s| s.id != victim).cloned().collect();
        let kept_peerings: Vec<(Uuid, Uuid)> =
            peerings.iter().copied().filter(|&(a, b)| a != victim && b != victim).collect();
        let deleted = base.with_site(victim, None);
        let expected = net(mode, kept.clone(), kept_peerings.clone());
        assert_eq!(documents(&deleted), documents(&expected), "seed {seed}: delete");
        assert_eq!(hashes(&deleted), hashes(&expected), "seed {seed}: delete");

        // Inserted.
        let fresh = site(100 + u128::from(seed as u8 % 7), SiteRole::Edge, true);
        let mut with_fresh = kept.clone();
        with_fresh.push(fresh.clone());
        let smaller = net(mode, kept, kept_peerings.clone());
        hashes(&smaller);
        let inserted = smaller.with_site(fresh.id, Some(fresh));
        let expected = net(mode, with_fresh, kept_peerings);
        assert_eq!(documents(&inserted), documents(&expected), "seed {seed}: insert");
        assert_eq!(hashes(&inserted), hashes(&expected), "seed {seed}: insert");

        // A site without an agent inserted, then a link of an enrolled site changed, each on a
        // network whose hashes were computed (the shared tree of everyone carried along).
        let mut all: Vec<SiteInput> = sites.clone();
        let newcomer = site(200 + u128::from(seed as u8 % 7), SiteRole::Edge, false);
        all.push(newcomer.clone());
        let step = base.with_site(newcomer.id, Some(newcomer));
        assert_eq!(hashes(&step), hashes(&net(mode, all.clone(), peerings.clone())), "seed {seed}: unenrolled insert");
        if let Some(enrolled) = all.iter_mut().find(|s| s.public_key.is_some() && !s.links.is_empty()) {
            enrolled.links[0].cost += 1;
            let (id, changed) = (enrolled.id, enrolled.clone());
            let stepped = step.with_site(id, Some(changed));
            assert_eq!(hashes(&stepped), hashes(&net(mode, all, peerings.clone())), "seed {seed}: link change");
        }
    }
}

#[test]
fn documents_assembled_from_shared_peer_fragments_are_the_serialised_documents() {
    for seed in 0..200 {
        let (sites, peerings, mode) = random_network(&mut Lcg(seed), false);
        let mut sites = sites;
        // Names that look like JSON must not confuse the assembly.
        sites[0].name = r#"x","peers":[],"y"#.to_string();
        let n = net(mode, sites, peerings);
        let fragments = PeerFragments::new(&n);
        for s in &n.sites {
            let config = compile_site(&n, s.id, 9).unwrap();
            let hash = content_hash(&config);
            let expected = serde_json::to_vec(&CompiledConfig { hash: hash.clone(), revision: 9, config }).unwrap();
            assert_eq!(compiled_bytes(&n, &fragments, s.id, 9, &hash).unwrap(), expected, "seed {seed}");
        }
    }
}

#[test]
fn new_policies_on_a_warm_network_equal_rebuilding_it() {
    for seed in 0..50 {
        let (sites, peerings, mode) = random_network(&mut Lcg(seed), false);
        let base = net(mode, sites.clone(), peerings.clone());
        hashes(&base);
        let qos = vec![
            ConfigQosClass { name: "voice".into(), priority: 1, dscp: 46, guaranteed_percent: 20, max_percent: 30 },
            ConfigQosClass { name: "bulk".into(), priority: 8, dscp: 8, guaranteed_percent: 10, max_percent: 100 },
        ];
        let changed = base.with_policies(qos.clone(), Vec::new());
        let expected = Network::new(mode, 25, sites, peerings, qos, Vec::new());
        assert_eq!(documents(&changed), documents(&expected), "seed {seed}");
        assert_eq!(hashes(&changed), hashes(&expected), "seed {seed}");
        assert_ne!(hashes(&changed), hashes(&base), "seed {seed}: the classes show in every document");
    }
}

#[test]
fn hashes_spread_over_threads_equal_the_documents_hashes() {
    let n = super::synthetic::hub_and_spoke(2500, 3);
    let all = n.all_sites();
    let fast = site_hashes(&n, &all);
    assert_eq!(fast.len(), 2500);
    for id in all.iter().step_by(97) {
        assert_eq!(fast[id], content_hash(&compile_site(&n, *id, 0).unwrap()), "site {id}");
    }
}

#[test]
fn bgp_settings_are_in_their_sites_document_only_sorted_and_hashed() {
    let plain = net(TopologyMode::FullMesh, vec![site(1, SiteRole::Edge, true), site(2, SiteRole::Edge, true)], vec![]);
    let text = String::from_utf8(canonical_bytes(&compile_site(&plain, id(1), 1).unwrap())).unwrap();
    assert!(!text.contains("\"bgp\""), "a site without BGP keeps the document (and hash) it had: {text}");

    let mut with = site(1, SiteRole::Edge, true);
    with.bgp = Some(bgp(1));
    let n = net(TopologyMode::FullMesh, vec![with.clone(), site(2, SiteRole::Edge, true)], vec![]);
    let doc = compile_site(&n, id(1), 1).unwrap();
    let b = doc.bgp.as_ref().unwrap();
    assert_eq!(texts(&b.neighbors.iter().map(|x| x.address).collect::<Vec<_>>()), ["10.1.0.2", "10.1.0.9"]);
    assert_eq!(texts(&b.networks), ["10.1.0.0/16", "192.0.1.0/24"]);
    assert_eq!(b.prefix_lists.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(), ["a-first", "z-last"]);
    assert_eq!(b.prefix_lists[0].entries[0].action, BgpAction::Permit, "entries keep their order");
    assert_eq!(b.neighbors[1].password.as_deref(), Some("md5-secret"), "the agent needs the password");
    assert!(!format!("{b:?}").contains("md5-secret"), "Debug never prints it");

    let before = site_hashes(&plain, &plain.all_sites());
    let after = site_hashes(&n, &n.all_sites());
    assert_ne!(before[&id(1)], after[&id(1)]);
    assert_eq!(before[&id(2)], after[&id(2)], "BGP settings are no peer's business");
    assert_eq!(after[&id(1)], content_hash(&doc));

    let mut other_password = with;
    other_password.bgp.as_mut().unwrap().neighbors[0].password = Some("another".to_string());
    let changed = net(TopologyMode::FullMesh, vec![other_password, site(2, SiteRole::Edge, true)], vec![]);
    assert_ne!(site_hashes(&changed, &changed.all_sites())[&id(1)], after[&id(1)], "a new password is a new document");
}

#[test]
fn accepted_learned_prefixes_are_the_sites_allowed_ips_in_every_other_document() {
    let mut a = site(1, SiteRole::Edge, true);
    a.learned_prefixes = vec![p("192.168.9.0/24"), p("10.1.0.0/16"), p("172.16.0.0/12"), p("192.168.9.0/24")];
    let n = net(TopologyMode::FullMesh, vec![a, site(2, SiteRole::Edge, true), site(3, SiteRole::Edge, true)], vec![]);
    for other in [2, 3] {
        let doc = compile_site(&n, id(other), 1).unwrap();
        let entry = doc.peers.iter().find(|peer| peer.site_id == id(1)).unwrap();
        // Sorted as text, each once (a prefix learned twice, or also a LAN prefix, is one route).
        assert_eq!(texts(&entry.allowed_ips), ["10.1.0.0/16", "100.64.0.1/32", "172.16.0.0/12", "192.168.9.0/24"]);
    }
    let own = compile_site(&n, id(1), 1).unwrap();
    assert_eq!(texts(&own.lan_prefixes), ["10.1.0.0/16"], "a site's own document does not list what it learned");

    let plain = net(TopologyMode::FullMesh, (1..=3).map(|i| site(i, SiteRole::Edge, true)).collect(), vec![]);
    let (before, after) = (site_hashes(&plain, &plain.all_sites()), site_hashes(&n, &n.all_sites()));
    assert_eq!(before[&id(1)], after[&id(1)]);
    assert_ne!(before[&id(2)], after[&id(2)]);
}

fn tenant_app(name: &str, ports: &[u16]) -> Application {
    use patronus_api::applications::{ApplicationProtocol, Category};
    patronus_api::TenantApplication {
        id: Uuid::nil(),
        name: name.into(),
        category: Category::Business,
        description: String::new(),
        domains: vec![format!("{name}.example.com"), format!("*.{name}.example.net")],
        prefixes: vec![p("203.0.113.0/24")],
        protocol: ApplicationProtocol::Tcp,
        ports: ports.iter().map(|&n| patronus_api::PortRange::port(n).unwrap()).collect(),
        created_at: chrono::DateTime::UNIX_EPOCH,
        updated_at: chrono::DateTime::UNIX_EPOCH,
        etag: String::new(),
    }
    .to_config()
}

#[test]
fn the_tenants_applications_are_in_every_document_sorted_by_name_and_absent_when_none() {
    for seed in 0..50 {
        let (sites, peerings, mode) = random_network(&mut Lcg(seed), false);
        let base = net(mode, sites.clone(), peerings.clone());
        let base_docs = documents(&base);
        for doc in base_docs.values() {
            let text = String::from_utf8(doc.clone()).unwrap();
            assert!(!text.contains("\"applications\""), "a tenant without applications keeps its documents: {text}");
        }
        let base_hashes = hashes(&base);

        let apps = vec![tenant_app("zeta", &[8443]), tenant_app("alpha", &[]), tenant_app("mid-app", &[22, 2222])];
        let with = base.with_policies(Vec::new(), Vec::new()).with_applications(apps.clone());
        let rebuilt = net(mode, sites, peerings).with_applications(apps.into_iter().rev().collect());
        assert_eq!(documents(&with), documents(&rebuilt), "seed {seed}: input order leaked into the output");
        let with_hashes = hashes(&with);
        for s in &with.sites {
            let config = compile_site(&with, s.id, 4).unwrap();
            let names: Vec<&str> = config.applications.iter().map(|a| a.name.as_str()).collect();
            assert_eq!(names, ["alpha", "mid-app", "zeta"], "seed {seed}");
            assert_eq!(config.applications[0].ports, vec![], "no ports, no port rule");
            assert_eq!(
                config.applications[1].ports,
                vec![patronus_api::applications::PortRule {
                    protocol: Protocol::Tcp,
                    ports: vec![
                        patronus_api::PortRange::port(22).unwrap(),
                        patronus_api::PortRange::port(2222).unwrap()
                    ]
                }]
            );
            assert_eq!(config.applications[1].signature, None);
            assert_ne!(with_hashes[&s.id], base_hashes[&s.id], "seed {seed}: every document carries them");
            // The borrowed view the server serves from serialises to the same bytes.
            let fragments = PeerFragments::new(&with);
            let hash = content_hash(&config);
            let expected = serde_json::to_vec(&CompiledConfig { hash: hash.clone(), revision: 4, config }).unwrap();
            assert_eq!(compiled_bytes(&with, &fragments, s.id, 4, &hash).unwrap(), expected, "seed {seed}");
        }
        // Without them again, every document is byte for byte what it was.
        let without = with.with_applications(Vec::new());
        assert_eq!(documents(&without), base_docs, "seed {seed}");
        assert_eq!(hashes(&without), base_hashes, "seed {seed}");
    }
}
