//! Synthetic networks for benchmarks: `n` enrolled sites with two links each.

use patronus_api::{ConfigLink, LinkKind, SiteRole, TopologyMode};
use uuid::Uuid;

use super::{Network, SiteInput};

pub fn site(i: u32, role: SiteRole, enrolled: bool) -> SiteInput {
    let link = |name: &str, octet: u8, priority: u32| ConfigLink {
        name: name.to_string(),
        interface: format!("{name}0"),
        kind: if name == "lte" { LinkKind::Lte } else { LinkKind::Fiber },
        endpoint: Some(format!("198.{octet}.{}.{}:51820", (i >> 8) & 0xff, i & 0xff)),
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
        overlay_address: format!("100.{}.{}.{}/10", 64 + (i >> 16), (i >> 8) & 0xff, i & 0xff),
        listen_port: 51820,
        lan_prefixes: vec![format!("10.{}.{}.0/24", (i >> 8) & 0xff, i & 0xff)],
        links: vec![link("fiber", 18, 10), link("lte", 19, 20)],
        // A 44-character base64 key, as WireGuard's.
        public_key: enrolled.then(|| format!("{:0>43}=", format!("{i:x}"))),
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
