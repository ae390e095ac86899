//! Who peers with whom.

use std::collections::BTreeSet;

use patronus_api::{SiteRole, TopologyMode};
use uuid::Uuid;

use super::Network;

pub fn peers_of(net: &Network, id: Uuid) -> BTreeSet<Uuid> {
    let Some(site) = net.site(id) else {
        return BTreeSet::new();
    };
    let mut peers: BTreeSet<Uuid> = match net.mode.unwrap_or(TopologyMode::FullMesh) {
        TopologyMode::FullMesh => net.sites.iter().map(|s| s.id).collect(),
        TopologyMode::HubAndSpoke => match site.role {
            // Hubs peer with everyone: spokes and the other hubs.
            SiteRole::Hub => net.sites.iter().map(|s| s.id).collect(),
            SiteRole::Edge => net.sites.iter().filter(|s| s.role == SiteRole::Hub).map(|s| s.id).collect(),
        },
        TopologyMode::Explicit => BTreeSet::new(),
    };
    for &(a, b) in &net.peerings {
        if a == id {
            peers.insert(b);
        } else if b == id {
            peers.insert(a);
        }
    }
    peers.remove(&id);
    peers
}
