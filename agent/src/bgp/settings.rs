//! What the agent's FRR runs: the document's BGP section plus what only the agent knows, the other
//! sites' prefixes it reaches over the overlay.

use patronus_api::{ConfigBgp, IpNet, SiteConfig};

/// A site's BGP as FRR runs it. `None` where the agent holds an `Option<BgpSettings>` means the
/// site runs no BGP: no FRR is needed and the status says BGP is off.
#[derive(Clone, Debug, PartialEq)]
pub struct BgpSettings {
    pub bgp: ConfigBgp,
    /// Other sites' LAN prefixes (static and learned) this site reaches over the overlay, which
    /// it advertises to its neighbours as their export route maps allow: every peer's allowed
    /// IPs except the overlay addresses, sorted and without duplicates.
    pub overlay_prefixes: Vec<IpNet>,
    /// The tenant's overlay prefix (the sites' overlay addresses).
    pub overlay_network: Option<IpNet>,
}

impl BgpSettings {
    /// The settings a document asks for; `None` when the site has no BGP.
    pub fn of(doc: &SiteConfig) -> Option<BgpSettings> {
        let bgp = doc.bgp.clone()?;
        let overlay = doc.overlay_address.trunc();
        let mut overlay_prefixes: Vec<IpNet> =
            doc.peers.iter().flat_map(|p| p.allowed_ips.iter().copied()).filter(|p| !overlay.contains(p)).collect();
        overlay_prefixes.sort_by_key(|p| (p.addr(), p.prefix_len()));
        overlay_prefixes.dedup();
        Some(BgpSettings { bgp, overlay_prefixes, overlay_network: Some(overlay) })
    }
}
