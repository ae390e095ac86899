//! Who peers with whom.

use patronus_api::{SiteRole, TopologyMode};
use uuid::Uuid;

use super::Network;

/// Indices (into `net.sites`, so in id order) of the sites `id` peers with, enrolled or not.
pub fn peer_indices(net: &Network, id: Uuid) -> Vec<usize> {
    let Some(own) = net.index_of(id) else {
        return Vec::new();
    };
    let everyone = || (0..net.sites.len()).collect::<Vec<_>>();
    let mut peers: Vec<usize> = match net.mode {
        TopologyMode::FullMesh => everyone(),
        TopologyMode::HubAndSpoke => match net.sites[own].role {
            // Hubs peer with everyone: spokes and the other hubs.
            SiteRole::Hub => everyone(),
            SiteRole::Edge => net.hubs().to_vec(),
        },
        TopologyMode::Explicit => Vec::new(),
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
