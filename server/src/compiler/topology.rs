//! Who peers with whom.

use patronus_api::{SiteRole, TopologyMode};
use uuid::Uuid;

use super::Network;

/// Whether the site at index `own` peers with every other site: everyone does in a full mesh, and
/// hubs do (with the spokes and the other hubs) in hub-and-spoke.
pub fn peers_with_everyone(net: &Network, own: usize) -> bool {
    match net.mode {
        TopologyMode::FullMesh => true,
        TopologyMode::HubAndSpoke => net.sites[own].role == SiteRole::Hub,
        TopologyMode::Explicit => false,
    }
}

/// Indices (into `net.sites`, so in id order) of the sites `id` peers with, enrolled or not.
pub fn peer_indices(net: &Network, id: Uuid) -> Vec<usize> {
    let Some(own) = net.index_of(id) else {
        return Vec::new();
    };
    if peers_with_everyone(net, own) {
        // Peerings add nobody to a site that already peers with every other.
        return (0..net.sites.len()).filter(|&i| i != own).collect();
    }
    let mut peers: Vec<usize> = match net.mode {
        TopologyMode::HubAndSpoke => net.hubs().to_vec(),
        // A full mesh was answered above; in explicit mode the peerings are the whole topology.
        TopologyMode::FullMesh | TopologyMode::Explicit => Vec::new(),
    };
    let extra = net.peerings_of(id);
    if !extra.is_empty() {
        peers.extend(extra.iter().filter_map(|p| net.index_of(*p)));
        peers.sort_unstable();
        peers.dedup();
    }
    peers.retain(|&i| i != own);
    peers
}
