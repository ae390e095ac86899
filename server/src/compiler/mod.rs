//! The config compiler: the tenant's network in, one [`SiteConfig`] per site out. Pure: no I/O,
//! no clock, no randomness, so the same network always gives the same bytes.
//!
//! Canonical form: `SiteConfig` fields serialise in declaration order and every list is sorted
//! here, so serde_json's output is canonical. The content hash is
//! `SHA-256("patronus-site-config-v2\n" ‖ header ‖ peer root)`, where `header` is the canonical
//! document with `revision` zeroed and no peers, and the peer root is the Merkle root over the
//! document's peer entries ([`peer_tree`]). It changes exactly when the document does. Each peer
//! entry is serialised and hashed once however many documents list it, and documents that list
//! every enrolled site but their own share all but O(log n) of their tree, which is what keeps
//! a change to a 1,000-site mesh cheap to detect.

mod peer_tree;
mod topology;

#[doc(hidden)]
pub mod synthetic;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};

use patronus_api::applications::Application;
use patronus_api::{
    ConfigBgp, ConfigLink, ConfigPeer, ConfigPolicy, ConfigQosClass, IpNet, SiteConfig, SiteRole, TopologyMode, WgKey,
    CONFIG_SCHEMA_VERSION,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// One site as the compiler sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteInput {
    pub id: Uuid,
    pub name: String,
    pub role: SiteRole,
    pub labels: BTreeMap<String, String>,
    /// Overlay address with the overlay prefix length, e.g. `100.64.0.7/16`.
    pub overlay_address: IpNet,
    pub listen_port: u16,
    pub lan_prefixes: Vec<IpNet>,
    pub links: Vec<ConfigLink>,
    /// Set once the site's agent has enrolled; until then the site is in no one's peer list.
    pub public_key: Option<WgKey>,
    /// The site's BGP settings, when it has some.
    pub bgp: Option<ConfigBgp>,
    /// Prefixes the site learned over BGP that entered the overlay (`overlay_import`): other
    /// sites route them to it, like its LAN prefixes.
    pub learned_prefixes: Vec<IpNet>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PolicyInput {
    pub policy: ConfigPolicy,
    pub site_selector: BTreeMap<String, String>,
}

/// The tenant's whole network. Built with [`Network::new`], which sorts it once.
#[derive(Debug, Clone)]
pub struct Network {
    pub mode: TopologyMode,
    pub persistent_keepalive: u16,
    /// Sorted by id (the loader and `Network::new` guarantee it). Shared between the networks
    /// before and after a write, so that a write copies pointers, not sites.
    pub sites: Vec<Arc<SiteInput>>,
    pub qos_classes: Vec<ConfigQosClass>,
    pub policies: Vec<PolicyInput>,
    /// The tenant's own applications, sorted by name; every document carries them.
    pub applications: Vec<Application>,
    /// Explicit peerings, by site: each pair appears under both of its sites.
    peerings_of: HashMap<Uuid, Vec<Uuid>>,
    /// Indices of the hub sites, in id order.
    hubs: Vec<usize>,
    /// By site index: the Merkle leaf of the site's peer entry (`None` while it has no agent),
    /// computed on first use. [`Network::with_site`] keeps the leaves of the sites it does not
    /// touch, so that a write rehashes one peer entry, not every one a hub lists.
    leaves: Vec<OnceLock<Option<peer_tree::Digest32>>>,
    /// The tree over every enrolled site's leaf (what the documents of sites that peer with
    /// everyone list), built on first use and carried by [`Network::with_site`], which replaces
    /// one leaf in O(log n) when an enrolled site changes in place.
    everyone: OnceLock<Arc<Everyone>>,
}

/// The leaves of every enrolled site, in site order, and each one's position among them.
#[derive(Clone)]
struct Everyone {
    tree: peer_tree::AllButOne,
    position: Arc<HashMap<Uuid, usize>>,
}

impl std::fmt::Debug for Everyone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Everyone").field("enrolled", &self.position.len()).finish()
    }
}

impl Network {
    pub fn new(
        mode: TopologyMode,
        persistent_keepalive: u16,
        mut sites: Vec<SiteInput>,
        peerings: Vec<(Uuid, Uuid)>,
        mut qos_classes: Vec<ConfigQosClass>,
        mut policies: Vec<PolicyInput>,
    ) -> Network {
        sites.sort_by_key(|s| s.id);
        sites.iter_mut().for_each(normalise);
        sort_policies(&mut qos_classes, &mut policies);
        let hubs = sites.iter().enumerate().filter(|(_, s)| s.role == SiteRole::Hub).map(|(i, _)| i).collect();
        let mut peerings_of: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for &(a, b) in &peerings {
            peerings_of.entry(a).or_default().push(b);
            peerings_of.entry(b).or_default().push(a);
        }
        let leaves = sites.iter().map(|_| OnceLock::new()).collect();
        let sites = sites.into_iter().map(Arc::new).collect();
        let everyone = OnceLock::new();
        Network {
            mode,
            persistent_keepalive,
            sites,
            qos_classes,
            policies,
            applications: Vec::new(),
            hubs,
            peerings_of,
            leaves,
            everyone,
        }
    }

    /// This network with one site replaced: inserted when new, removed (with its peerings) when
    /// `site` is `None`. A write to one site or its links costs a copy of the site pointers
    /// instead of a reload of the whole network.
    pub fn with_site(&self, id: Uuid, site: Option<SiteInput>) -> Network {
        let mut next = self.clone();
        next.everyone = OnceLock::new();
        match (next.index_of(id), site) {
            (Some(i), Some(mut site)) => {
                normalise(&mut site);
                let role_changed = site.role != next.sites[i].role;
                next.sites[i] = Arc::new(site);
                next.leaves[i] = OnceLock::new();
                // In place: positions stand; the tree of everyone follows when the site was and
                // stays enrolled (its position among the enrolled is the same).
                if role_changed {
                    next.hubs = hub_indices(&next.sites);
                }
                if let Some(everyone) = self.everyone.get() {
                    match (self.leaf(i), next.leaf(i), everyone.position.get(&id)) {
                        (Some(old), Some(new), Some(&p)) => {
                            let mut tree = (**everyone).clone();
                            if old != new {
                                tree.tree.set(p, new);
                            }
                            let _ = next.everyone.set(Arc::new(tree));
                        }
                        (None, None, None) => {
                            let _ = next.everyone.set(everyone.clone());
                        }
                        _ => {}
                    }
                }
                return next;
            }
            (None, Some(mut site)) => {
                normalise(&mut site);
                let at = next.sites.partition_point(|s| s.id < id);
                let enrolled = site.public_key.is_some();
                next.sites.insert(at, Arc::new(site));
                next.leaves.insert(at, OnceLock::new());
                // A site without an agent is in no peer list: the tree of everyone stands.
                if let (false, Some(everyone)) = (enrolled, self.everyone.get()) {
                    let _ = next.everyone.set(everyone.clone());
                }
            }
            (Some(i), None) => {
                next.sites.remove(i);
                next.leaves.remove(i);
                if let Some(others) = next.peerings_of.remove(&id) {
                    for other in others {
                        if let Some(list) = next.peerings_of.get_mut(&other) {
                            list.retain(|&x| x != id);
                        }
                    }
                }
                if let Some(everyone) = self.everyone.get().filter(|e| !e.position.contains_key(&id)) {
                    let _ = next.everyone.set(everyone.clone());
                }
            }
            (None, None) => return next,
        }
        next.hubs = hub_indices(&next.sites);
        next
    }

    /// This network with other QoS classes and policies. Peer entries do not show them, so the
    /// sites, their cached leaves and the tree of everyone are shared as they are.
    pub fn with_policies(&self, mut qos_classes: Vec<ConfigQosClass>, mut policies: Vec<PolicyInput>) -> Network {
        sort_policies(&mut qos_classes, &mut policies);
        Network { qos_classes, policies, ..self.clone() }
    }

    /// This network with the tenant's own applications (in any order: they are sorted by name).
    /// Peer entries do not show them, so the sites and their cached leaves are shared as they are.
    pub fn with_applications(self, mut applications: Vec<Application>) -> Network {
        applications.sort_by(|a, b| a.name.cmp(&b.name));
        Network { applications, ..self }
    }

    /// The tree over every enrolled site's peer entry.
    fn everyone(&self) -> &Everyone {
        self.everyone.get_or_init(|| {
            let enrolled: Vec<(Uuid, peer_tree::Digest32)> =
                (0..self.sites.len()).filter_map(|j| self.leaf(j).map(|l| (self.sites[j].id, l))).collect();
            let position = enrolled.iter().enumerate().map(|(p, &(id, _))| (id, p)).collect();
            let leaves = enrolled.into_iter().map(|(_, l)| l).collect();
            Arc::new(Everyone { tree: peer_tree::AllButOne::new(leaves), position: Arc::new(position) })
        })
    }

    /// The Merkle leaf of site `j`'s peer entry, `None` while it has no agent.
    fn leaf(&self, j: usize) -> Option<peer_tree::Digest32> {
        *self.leaves[j].get_or_init(|| peer_entry(&self.sites[j], self.persistent_keepalive).map(|e| peer_leaf(&e)))
    }

    pub fn site(&self, id: Uuid) -> Option<&SiteInput> {
        self.index_of(id).map(|i| &*self.sites[i])
    }

    pub(crate) fn hubs(&self) -> &[usize] {
        &self.hubs
    }

    pub(crate) fn peerings_of(&self, id: Uuid) -> &[Uuid] {
        self.peerings_of.get(&id).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The sites `id` peers with under the topology and peerings, enrolled or not.
    /// How many sites `id` peers with, enrolled or not (without listing them).
    pub fn peers_of_count(&self, id: Uuid) -> usize {
        match self.index_of(id) {
            Some(own) if topology::peers_with_everyone(self, own) => self.sites.len() - 1,
            Some(_) => topology::peer_indices(self, id).len(),
            None => 0,
        }
    }

    pub fn peers_of(&self, id: Uuid) -> BTreeSet<Uuid> {
        topology::peer_indices(self, id).into_iter().map(|i| self.sites[i].id).collect()
    }

    pub(crate) fn index_of(&self, id: Uuid) -> Option<usize> {
        // Sites are sorted by id: a binary search, and no index to rebuild when one is added.
        self.sites.binary_search_by_key(&id, |s| s.id).ok()
    }

    /// The sites whose documents a change to site `id` can alter: itself and, if its agent has
    /// enrolled (so that others list it), its peers.
    pub fn affected_by_site(&self, id: Uuid) -> BTreeSet<Uuid> {
        let mut affected = BTreeSet::from([id]);
        if self.site(id).is_some_and(|s| s.public_key.is_some()) {
            affected.extend(self.peers_of(id));
        }
        affected
    }

    pub fn all_sites(&self) -> BTreeSet<Uuid> {
        self.sites.iter().map(|s| s.id).collect()
    }
}

fn sort_policies(qos_classes: &mut [ConfigQosClass], policies: &mut [PolicyInput]) {
    qos_classes.sort_by(|a, b| (a.priority, &a.name).cmp(&(b.priority, &b.name)));
    policies.sort_by(|a, b| (a.policy.priority, &a.policy.name).cmp(&(b.policy.priority, &b.policy.name)));
}

fn hub_indices(sites: &[Arc<SiteInput>]) -> Vec<usize> {
    sites.iter().enumerate().filter(|(_, s)| s.role == SiteRole::Hub).map(|(i, _)| i).collect()
}

/// Puts a site's lists in canonical order. Prefixes are in the order of their text, as they were
/// when documents carried them as strings: a new order would change every document's hash.
fn normalise(site: &mut SiteInput) {
    site.lan_prefixes.sort_by_cached_key(ToString::to_string);
    site.learned_prefixes.sort_by_cached_key(ToString::to_string);
    site.learned_prefixes.dedup();
    site.links.sort_by(|a, b| a.name.cmp(&b.name));
    if let Some(bgp) = &mut site.bgp {
        bgp.neighbors.sort_by_key(|n| n.address);
        bgp.networks.sort_by_cached_key(ToString::to_string);
        bgp.prefix_lists.sort_by(|a, b| a.name.cmp(&b.name));
        bgp.route_maps.sort_by(|a, b| a.name.cmp(&b.name));
    }
}

/// The peer entry others get for `site`, or `None` while it has no agent.
fn peer_entry(site: &SiteInput, keepalive: u16) -> Option<ConfigPeer> {
    let public_key = site.public_key?;
    let mut allowed_ips = Vec::with_capacity(site.lan_prefixes.len() + site.learned_prefixes.len() + 1);
    allowed_ips.push(IpNet::from(site.overlay_address.addr()));
    allowed_ips.extend(site.lan_prefixes.iter().copied());
    allowed_ips.extend(site.learned_prefixes.iter().copied());
    // In the order of their text, as in `normalise`. A learned prefix equal to a LAN prefix (a
    // site may learn its own) is listed once.
    allowed_ips.sort_by_cached_key(ToString::to_string);
    allowed_ips.dedup();
    let mut endpoints: Vec<_> = site
        .links
        .iter()
        .filter_map(|l| {
            Some(patronus_api::ConfigEndpoint {
                link: l.name.clone(),
                address: l.endpoint.clone()?,
                priority: l.priority,
                cost: l.cost,
            })
        })
        .collect();
    endpoints.sort_by(|a, b| (a.priority, &a.link).cmp(&(b.priority, &b.link)));
    Some(ConfigPeer {
        site_id: site.id,
        site_name: site.name.clone(),
        public_key,
        allowed_ips,
        endpoints,
        persistent_keepalive: keepalive,
    })
}

fn selector_matches(selector: &BTreeMap<String, String>, labels: &BTreeMap<String, String>) -> bool {
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

/// The document of one site without peers (the "header" of the hash).
fn header(net: &Network, site: &SiteInput) -> SiteConfig {
    SiteConfig {
        schema_version: CONFIG_SCHEMA_VERSION,
        revision: 0,
        site_id: site.id,
        site_name: site.name.clone(),
        role: site.role,
        overlay_address: site.overlay_address,
        listen_port: site.listen_port,
        lan_prefixes: site.lan_prefixes.clone(),
        links: site.links.clone(),
        peers: Vec::new(),
        qos_classes: net.qos_classes.clone(),
        policies: net
            .policies
            .iter()
            .filter(|p| selector_matches(&p.site_selector, &site.labels))
            .map(|p| p.policy.clone())
            .collect(),
        bgp: site.bgp.clone(),
        applications: net.applications.clone(),
    }
}

/// A site's header borrowed from the network: the same fields in the same order as
/// [`SiteConfig`] with no peers, so it serialises to the same bytes, without copying the site's
/// lists or the tenant's classes and policies (what serving 10,000 documents at once allocates
/// most). Tests compare both serialisations.
#[derive(serde::Serialize)]
struct HeaderView<'a> {
    schema_version: u32,
    revision: i64,
    site_id: Uuid,
    site_name: &'a str,
    role: SiteRole,
    overlay_address: IpNet,
    listen_port: u16,
    lan_prefixes: &'a [IpNet],
    links: &'a [ConfigLink],
    peers: [ConfigPeer; 0],
    qos_classes: &'a [ConfigQosClass],
    policies: Vec<&'a ConfigPolicy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bgp: Option<&'a ConfigBgp>,
    #[serde(skip_serializing_if = "<[Application]>::is_empty")]
    applications: &'a [Application],
}

impl<'a> HeaderView<'a> {
    fn of(net: &'a Network, site: &'a SiteInput, revision: i64) -> HeaderView<'a> {
        HeaderView {
            schema_version: CONFIG_SCHEMA_VERSION,
            revision,
            site_id: site.id,
            site_name: &site.name,
            role: site.role,
            overlay_address: site.overlay_address,
            listen_port: site.listen_port,
            lan_prefixes: &site.lan_prefixes,
            links: &site.links,
            peers: [],
            qos_classes: &net.qos_classes,
            policies: net
                .policies
                .iter()
                .filter(|p| selector_matches(&p.site_selector, &site.labels))
                .map(|p| &p.policy)
                .collect(),
            bgp: site.bgp.as_ref(),
            applications: &net.applications,
        }
    }
}

/// [`patronus_api::CompiledConfig`] over a [`HeaderView`].
#[derive(serde::Serialize)]
struct CompiledView<'a> {
    hash: &'a str,
    revision: i64,
    config: HeaderView<'a>,
}

/// Compiles one site's document; `revision` is stamped in as given.
pub fn compile_site(net: &Network, id: Uuid, revision: i64) -> Option<SiteConfig> {
    let site = net.site(id)?;
    let mut config = header(net, site);
    config.revision = revision;
    config.peers = topology::peer_indices(net, id)
        .into_iter()
        .filter_map(|j| peer_entry(&net.sites[j], net.persistent_keepalive))
        .collect();
    Some(config)
}

/// The serialised peer entry of every enrolled site of a network, by site index. Built once per
/// network and shared by every document served from it, so that serving a 999-peer document is
/// mostly copying bytes.
pub struct PeerFragments(Vec<Option<Vec<u8>>>);

impl PeerFragments {
    pub fn new(net: &Network) -> PeerFragments {
        PeerFragments(
            net.sites
                .iter()
                .map(|s| peer_entry(s, net.persistent_keepalive).and_then(|e| serde_json::to_vec(&e).ok()))
                .collect(),
        )
    }
}

/// The canonical JSON of `CompiledConfig { hash, revision, config }` for site `id`: the same bytes
/// `serde_json` gives for the compiled document, assembled from the shared peer fragments.
pub fn compiled_bytes(
    net: &Network,
    fragments: &PeerFragments,
    id: Uuid,
    revision: i64,
    hash: &str,
) -> Option<Vec<u8>> {
    const EMPTY_PEERS: &[u8] = br#""peers":[]"#;
    let site = net.site(id)?;
    let shell =
        serde_json::to_vec(&CompiledView { hash, revision, config: HeaderView::of(net, site, revision) }).ok()?;
    // Inside a JSON string every `"` is escaped, so the first unescaped `"peers":[]` is the field.
    let at = shell.windows(EMPTY_PEERS.len()).position(|w| w == EMPTY_PEERS)? + EMPTY_PEERS.len() - 1;
    let peers: Vec<&[u8]> = topology::peer_indices(net, id)
        .into_iter()
        .filter_map(|j| fragments.0.get(j).and_then(|f| f.as_deref()))
        .collect();
    let mut out = Vec::with_capacity(shell.len() + peers.iter().map(|p| p.len() + 1).sum::<usize>());
    out.extend_from_slice(&shell[..at]);
    for (i, peer) in peers.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(peer);
    }
    out.extend_from_slice(&shell[at..]);
    Some(out)
}

/// Canonical bytes of a document.
pub fn canonical_bytes(config: &SiteConfig) -> Vec<u8> {
    serde_json::to_vec(config).unwrap_or_default()
}

const HASH_DOMAIN: &[u8] = b"patronus-site-config-v2\n";

fn peer_leaf(peer: &ConfigPeer) -> peer_tree::Digest32 {
    peer_tree::leaf(&serde_json::to_vec(peer).unwrap_or_default())
}

fn finish_hash(header: &impl serde::Serialize, peer_root: &peer_tree::Digest32) -> String {
    let mut hasher = Sha256::new();
    hasher.update(HASH_DOMAIN);
    hasher.update(serde_json::to_vec(header).unwrap_or_default());
    hasher.update(peer_root);
    hex::encode(hasher.finalize())
}

/// The content hash of a document (its `revision` does not count).
pub fn content_hash(config: &SiteConfig) -> String {
    let mut head = config.clone();
    head.revision = 0;
    head.peers = Vec::new();
    let leaves: Vec<_> = config.peers.iter().map(peer_leaf).collect();
    finish_hash(&head, &peer_tree::root(&leaves))
}

/// Content hashes of the given sites' documents, without building the documents: each peer
/// entry is serialised and hashed once per network (and kept across [`Network::with_site`])
/// however many documents list it, and the documents of sites that peer with everyone share one
/// [`peer_tree::AllButOne`].
pub fn site_hashes(net: &Network, ids: &BTreeSet<Uuid>) -> BTreeMap<Uuid, String> {
    let ids: Vec<Uuid> = ids.iter().copied().collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if ids.len() < PARALLEL_HASHES || threads < 2 {
        return ids.iter().filter_map(|&id| site_hash(net, id).map(|h| (id, h))).collect();
    }
    // A tenant-wide change hashes every document: share the cores (the result does not depend on
    // how the sites are split).
    std::thread::scope(|scope| {
        let workers: Vec<_> = ids
            .chunks(ids.len().div_ceil(threads))
            .map(|chunk| {
                scope.spawn(move || {
                    chunk.iter().filter_map(|&id| site_hash(net, id).map(|h| (id, h))).collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}

/// From this many documents on, [`site_hashes`] spreads the work over threads.
const PARALLEL_HASHES: usize = 2000;

/// The content hash of one site's document, `None` when the network has no such site.
fn site_hash(net: &Network, id: Uuid) -> Option<String> {
    let own = net.index_of(id)?;
    let peer_root = if topology::peers_with_everyone(net, own) {
        let everyone = net.everyone();
        // An unenrolled site is in no list, so it lists every enrolled site.
        everyone.position.get(&id).map_or_else(|| everyone.tree.whole(), |&p| everyone.tree.without(p))
    } else {
        let leaves: Vec<_> = topology::peer_indices(net, id).into_iter().filter_map(|j| net.leaf(j)).collect();
        peer_tree::root(&leaves)
    };
    Some(finish_hash(&HeaderView::of(net, &net.sites[own], 0), &peer_root))
}

#[cfg(test)]
mod tests;
