//! The config compiler: the tenant's network in, one [`SiteConfig`] per site out. Pure: no I/O,
//! no clock, no randomness, so the same network always gives the same bytes.
//!
//! Canonical form: `SiteConfig` fields serialise in declaration order and every list is sorted
//! here, so serde_json's output is canonical. The content hash is
//! `SHA-256("patronus-site-config-v1\n" ‖ header ‖ SHA-256(peer₁) ‖ … ‖ SHA-256(peerₙ))`, where
//! `header` is the canonical document with `revision` zeroed and no peers. It changes exactly when
//! the document does, and lets a change to a 1,000-site mesh be detected by hashing each peer
//! entry once instead of once per document that lists it.

mod topology;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use patronus_api::{
    ConfigLink, ConfigPeer, ConfigPolicy, ConfigQosClass, SiteConfig, SiteRole, TopologyMode, CONFIG_SCHEMA_VERSION,
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
    pub overlay_address: String,
    pub listen_port: u16,
    pub lan_prefixes: Vec<String>,
    pub links: Vec<ConfigLink>,
    /// Set once the site's agent has enrolled; until then the site is in no one's peer list.
    pub public_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PolicyInput {
    pub policy: ConfigPolicy,
    pub site_selector: BTreeMap<String, String>,
}

/// The tenant's whole network.
#[derive(Debug, Clone, Default)]
pub struct Network {
    pub mode: Option<TopologyMode>,
    pub persistent_keepalive: u16,
    /// Sorted by id (the loader and `Network::new` guarantee it).
    pub sites: Vec<SiteInput>,
    /// Explicit peerings, each pair once.
    pub peerings: Vec<(Uuid, Uuid)>,
    pub qos_classes: Vec<ConfigQosClass>,
    pub policies: Vec<PolicyInput>,
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
        for site in &mut sites {
            site.lan_prefixes.sort();
            site.links.sort_by(|a, b| a.name.cmp(&b.name));
        }
        qos_classes.sort_by(|a, b| (a.priority, &a.name).cmp(&(b.priority, &b.name)));
        policies.sort_by(|a, b| (a.policy.priority, &a.policy.name).cmp(&(b.policy.priority, &b.policy.name)));
        Network { mode: Some(mode), persistent_keepalive, sites, peerings, qos_classes, policies }
    }

    fn index(&self) -> HashMap<Uuid, usize> {
        self.sites.iter().enumerate().map(|(i, s)| (s.id, i)).collect()
    }

    pub fn site(&self, id: Uuid) -> Option<&SiteInput> {
        self.sites.binary_search_by_key(&id, |s| s.id).ok().map(|i| &self.sites[i])
    }

    /// The sites `id` peers with under the topology and peerings, enrolled or not.
    pub fn peers_of(&self, id: Uuid) -> BTreeSet<Uuid> {
        topology::peers_of(self, id)
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

/// The peer entry others get for `site`, or `None` while it has no agent.
fn peer_entry(site: &SiteInput, keepalive: u16) -> Option<ConfigPeer> {
    let public_key = site.public_key.clone()?;
    let host = site.overlay_address.split('/').next().unwrap_or(&site.overlay_address);
    let mut allowed_ips = Vec::with_capacity(site.lan_prefixes.len() + 1);
    allowed_ips.push(format!("{host}/32"));
    allowed_ips.extend(site.lan_prefixes.iter().cloned());
    allowed_ips.sort();
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
        overlay_address: site.overlay_address.clone(),
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
    }
}

/// Compiles one site's document; `revision` is stamped in as given.
pub fn compile_site(net: &Network, id: Uuid, revision: i64) -> Option<SiteConfig> {
    let site = net.site(id)?;
    let mut config = header(net, site);
    config.revision = revision;
    let index = net.index();
    config.peers = net
        .peers_of(id)
        .into_iter()
        .filter_map(|p| index.get(&p).and_then(|&i| peer_entry(&net.sites[i], net.persistent_keepalive)))
        .collect();
    Some(config)
}

/// Canonical bytes of a document.
pub fn canonical_bytes(config: &SiteConfig) -> Vec<u8> {
    serde_json::to_vec(config).unwrap_or_default()
}

const HASH_DOMAIN: &[u8] = b"patronus-site-config-v1\n";

fn peer_digest(peer: &ConfigPeer) -> [u8; 32] {
    Sha256::digest(serde_json::to_vec(peer).unwrap_or_default()).into()
}

fn finish_hash(header: &SiteConfig, peer_digests: impl Iterator<Item = [u8; 32]>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(HASH_DOMAIN);
    hasher.update(serde_json::to_vec(header).unwrap_or_default());
    for digest in peer_digests {
        hasher.update(digest);
    }
    hex::encode(hasher.finalize())
}

/// The content hash of a document (its `revision` does not count).
pub fn content_hash(config: &SiteConfig) -> String {
    let mut head = config.clone();
    head.revision = 0;
    head.peers = Vec::new();
    finish_hash(&head, config.peers.iter().map(peer_digest))
}

/// Content hashes of the given sites' documents, without building the documents: each peer
/// entry is serialised and hashed once however many documents list it.
pub fn site_hashes(net: &Network, ids: &BTreeSet<Uuid>) -> BTreeMap<Uuid, String> {
    let index = net.index();
    let mut peer_cache: HashMap<Uuid, Option<[u8; 32]>> = HashMap::new();
    let mut out = BTreeMap::new();
    for &id in ids {
        let Some(&i) = index.get(&id) else { continue };
        let site = &net.sites[i];
        let peers = net.peers_of(id);
        let digests: Vec<[u8; 32]> = peers
            .iter()
            .filter_map(|p| {
                *peer_cache.entry(*p).or_insert_with(|| {
                    index
                        .get(p)
                        .and_then(|&j| peer_entry(&net.sites[j], net.persistent_keepalive))
                        .map(|e| peer_digest(&e))
                })
            })
            .collect();
        out.insert(id, finish_hash(&header(net, site), digests.into_iter()));
    }
    out
}

#[cfg(test)]
mod tests;
