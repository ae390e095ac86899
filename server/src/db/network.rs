//! Loads the tenant's whole network, as the compiler takes it.

use std::collections::HashMap;
use std::net::IpAddr;

use patronus_api::{IpNet, WgKey};

use uuid::Uuid;

use crate::compiler::{Network, PolicyInput, SiteInput};
use crate::db::{agents, applications, bgp, learned_routes, peerings, policies, qos_classes, sites, topology};

pub async fn load(conn: &mut sqlx::PgConnection, tenant_id: Uuid) -> Result<Network, sqlx::Error> {
    let topo = topology::get(&mut *conn, tenant_id).await?;
    let prefix_len = topo.overlay().prefix_len();
    let site_rows: Vec<sites::SiteRow> =
        sqlx::query_as(&format!("SELECT {} FROM sites ORDER BY id", sites::COLUMNS)).fetch_all(&mut *conn).await?;
    // A site without an enrolled agent has no public key, and is no one's peer yet.
    let mut keys: HashMap<Uuid, WgKey> = agents::public_keys(&mut *conn).await?.into_iter().collect();
    let mut bgps: HashMap<Uuid, patronus_api::ConfigBgp> =
        bgp::all(&mut *conn).await?.into_iter().map(|b| (b.site_id, b.to_config())).collect();
    let mut learned = if bgps.is_empty() { HashMap::new() } else { learned_routes::accepted(&mut *conn).await? };
    let site_inputs = site_rows
        .into_iter()
        .map(|s| {
            let key = keys.remove(&s.id);
            let bgp = bgps.remove(&s.id);
            let learned = learned.remove(&s.id).unwrap_or_default();
            site_input(s, prefix_len, key, bgp, learned)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let pairs = peerings::all_pairs(&mut *conn).await?;
    let (qos, policies, apps) = load_policies(conn).await?;
    Ok(Network::new(topo.mode(), topo.keepalive(), site_inputs, pairs, qos, policies).with_applications(apps))
}

/// The tenant's QoS classes, policies and own applications, as the compiler takes them.
pub async fn load_policies(
    conn: &mut sqlx::PgConnection,
) -> Result<
    (Vec<patronus_api::ConfigQosClass>, Vec<PolicyInput>, Vec<patronus_api::applications::Application>),
    sqlx::Error,
> {
    let qos = qos_classes::all(&mut *conn).await?.iter().map(|q| q.to_config()).collect();
    let policies = policies::all(&mut *conn)
        .await?
        .iter()
        .map(|p| PolicyInput { policy: p.to_config(), site_selector: p.site_selector.0.clone() })
        .collect();
    let apps = applications::all(&mut *conn).await?.iter().map(|a| a.to_api().to_config()).collect();
    Ok((qos, policies, apps))
}

fn site_input(
    s: sites::SiteRow,
    prefix_len: u8,
    public_key: Option<WgKey>,
    bgp: Option<patronus_api::ConfigBgp>,
    learned_prefixes: Vec<IpNet>,
) -> Result<SiteInput, sqlx::Error> {
    let links = s.links.0.iter().map(|l| l.to_config()).collect();
    let overlay_address = s
        .overlay_address
        .parse::<IpAddr>()
        .ok()
        .and_then(|a| IpNet::new(a, prefix_len).ok())
        .ok_or_else(|| sqlx::Error::Decode(format!("overlay address {:?}", s.overlay_address).into()))?;
    Ok(SiteInput {
        id: s.id,
        role: s.role(),
        overlay_address,
        listen_port: u16::try_from(s.listen_port).unwrap_or_default(),
        links,
        public_key,
        bgp,
        learned_prefixes,
        name: s.name,
        labels: s.labels.0,
        lan_prefixes: s.lan_prefixes.0,
    })
}

/// One site as the compiler takes it, with its links and its agent's key; `None` once deleted.
pub async fn load_site(
    conn: &mut sqlx::PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> Result<Option<SiteInput>, sqlx::Error> {
    let Some(row) = sites::get(&mut *conn, id).await? else {
        return Ok(None);
    };
    let prefix_len = topology::get(&mut *conn, tenant_id).await?.overlay().prefix_len();
    let key = agents::by_site(&mut *conn, id).await?.map(|a| a.public_key);
    let bgp = bgp::get(&mut *conn, id).await?.map(|b| b.to_config());
    // Learned routes exist only beside BGP settings (they are deleted with them).
    let learned = if bgp.is_some() { learned_routes::accepted_of_site(&mut *conn, id).await? } else { Vec::new() };
    site_input(row, prefix_len, key, bgp, learned).map(Some)
}
