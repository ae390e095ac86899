//! Synthetic networks for benchmarks: `n` enrolled sites with two links each.

use std::net::{Ipv4Addr, SocketAddr};

use patronus_api::{ConfigLink, IpNet, Ipv4Net, LinkKind, SiteRole, TopologyMode, WgKey};
use uuid::Uuid;

use super::{Network, SiteInput};

pub fn site(i: u32, role: SiteRole, enrolled: bool) -> SiteInput {
    let [_, a, b, c] = i.to_be_bytes();
    let link = |name: &str, octet: u8, priority: u32| ConfigLink {
        name: name.to_string(),
        interface: format!("{name}0"),
        kind: if name == "lte" { LinkKind::Lte } else { LinkKind::Fiber },
        endpoint: Some(SocketAddr::from(([198, octet, b, c], 51820)).into()),
        bandwidth_up_mbps: 100,
        bandwidth_down_mbps: 1000,
        cost: priority,
        priority,
    };
    SiteInput {
        id: Uuid::from_u128(0x5000_0000_0000_0000_0000_0000_0000_0000 + u128::from(i)),
        name: format!("site-{i:05}"),
        role,
        labels: [("region".to_string(), format!("r{}", i % 8))].into_iter().collect(),
        overlay_address: IpNet::V4(Ipv4Net::new_assert(Ipv4Addr::new(100, 64 + a, b, c), 10)),
        listen_port: 51820,
        lan_prefixes: vec![IpNet::V4(Ipv4Net::new_assert(Ipv4Addr::new(10, b, c, 0), 24))],
        links: vec![link("fiber", 18, 10), link("lte", 19, 20)],
        public_key: enrolled.then(|| {
            let mut key = [0; 32];
            key[28..].copy_from_slice(&i.to_be_bytes());
            WgKey::from_bytes(key)
        }),
        bgp: None,
        learned_prefixes: Vec::new(),
    }
}

/// `n` enrolled sites in full mesh.
pub fn full_mesh(n: u32) -> Network {
    Network::new(
        TopologyMode::FullMesh,
        25,
        (1..=n).map(|i| site(i, SiteRole::Edge, true)).collect(),
        vec![],
        vec![],
        vec![],
    )
}

/// `n` enrolled sites, the first `hubs` of them hubs.
pub fn hub_and_spoke(n: u32, hubs: u32) -> Network {
    let sites = (1..=n).map(|i| site(i, if i <= hubs { SiteRole::Hub } else { SiteRole::Edge }, true)).collect();
    Network::new(TopologyMode::HubAndSpoke, 25, sites, vec![], vec![], vec![])
}
