//! Keeps each site's compiled document current. A network write, holding the tenant's row lock,
//! takes the network as it was ([`network_before`]: from this replica's cache when it is at the
//! locked revision, else loaded), writes, then calls [`commit_change`] (through the write
//! pipeline, [`crate::pipeline::write`]): the tenant's revision
//! moves, the documents the change can affect are recompiled, and the sites whose content hash
//! changed are recorded. After commit, [`ChangeOutcome::publish`] caches the new network and wakes
//! the agents of the changed sites.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use ipnet::IpNet;
use uuid::Uuid;

use crate::app::AppState;
use crate::compiler::{self, Network};
use crate::config_watch::Recorded;
use crate::db::{self, tenants::TenantRow, Tx};
use crate::error::ApiError;
use tracing::Instrument;

/// What a write changed of the tenant's network.
#[derive(Debug, Clone, PartialEq)]
pub enum Touched {
    /// Nothing a document shows (a rename of a peering, a user, a token).
    Nothing,
    /// One site, or its links or agent: only that site's input is reloaded, and the affected
    /// documents are its own and those of its peers before and after.
    Site(Uuid),
    /// Something tenant-wide that shows in these sites' documents only (a peering): the network
    /// is reloaded.
    Sites(BTreeSet<Uuid>),
    /// QoS classes, policies or the tenant's applications, which every document's header may show: they are reloaded, the
    /// sites are carried over from the network before.
    Policies,
    /// Something every document shows (the topology): the network is reloaded.
    AllSites,
    /// The accepted learned prefixes of these sites, decided and stored already
    /// ([`settle_learned`]): each site is replaced in place, as for `Site`.
    Learned(BTreeMap<Uuid, Vec<IpNet>>),
}

pub struct ChangeOutcome {
    pub tenant_id: Uuid,
    pub revision: i64,
    /// Sites whose document changed, with the hash recorded for each.
    pub changed_sites: Vec<(Uuid, String)>,
    network: Arc<Network>,
}

impl ChangeOutcome {
    /// Call once the transaction has committed.
    /// The `config_publish` span is what the woken polls' `config_wake` spans hang from.
    pub async fn publish(self, app: &AppState) {
        let span = tracing::info_span!(
            "config_publish",
            tenant_id = %self.tenant_id,
            revision = self.revision,
            sites = self.changed_sites.len() as i64
        );
        async move {
            app.networks.put(self.tenant_id, self.revision, self.network).await;
            let revision = self.revision;
            let trace = crate::telemetry::traceparent();
            let published_at_ms = Some(chrono::Utc::now().timestamp_millis());
            let announced: Vec<_> = self
                .changed_sites
                .into_iter()
                .map(|(id, hash)| (id, Recorded { revision, hash, trace: trace.clone(), published_at_ms }))
                .collect();
            app.config_watch.changed(&announced).await;
        }
        .instrument(span)
        .await
    }
}

/// The tenant's network before this write. `tenant` is the row `tenant_write_tx` locked, so no
/// other write can move the revision under us.
pub async fn network_before(tx: &mut Tx, app: &AppState, tenant: &TenantRow) -> Result<Arc<Network>, ApiError> {
    if let Some(network) = app.networks.exactly(tenant.id, tenant.revision).await {
        return Ok(network);
    }
    Ok(Arc::new(db::network::load(tx, tenant.id).await?))
}

/// Moves the tenant's revision and recompiles what the write can have changed (inside `tx`,
/// after the write).
pub async fn commit_change(
    tx: &mut Tx,
    tenant_id: Uuid,
    before: &Network,
    touched: Touched,
) -> Result<ChangeOutcome, ApiError> {
    let revision: i64 =
        sqlx::query_scalar("UPDATE tenants SET revision = revision + 1 WHERE id = $1 RETURNING revision")
            .bind(tenant_id)
            .fetch_one(&mut **tx)
            .await?;
    let (network, ids) = match touched {
        Touched::Site(id) => {
            let input = db::network::load_site(tx, tenant_id, id).await?;
            let mut after = before.with_site(id, input);
            let mut ids = before.affected_by_site(id);
            ids.extend(after.affected_by_site(id));
            // A site's LAN prefixes, BGP settings (and the routes they keep), its creation or its
            // deletion can move learned prefixes of any site in or out of the overlay; its name,
            // links or agent cannot, and those writes skip the decisions.
            let inputs =
                |n: &Network| n.site(id).map(|s| (s.lan_prefixes.clone(), s.bgp.clone(), s.learned_prefixes.clone()));
            if inputs(before) != inputs(&after) {
                let learned = settle_learned(tx, &after).await?;
                after = with_learned(before, after, learned, &mut ids);
            }
            ids.retain(|s| after.site(*s).is_some());
            (after, ids)
        }
        Touched::Learned(learned) => {
            let mut ids = BTreeSet::new();
            let after = with_learned(before, before.clone(), learned, &mut ids);
            ids.retain(|s| after.site(*s).is_some());
            (after, ids)
        }
        Touched::Sites(ids) => (db::network::load(tx, tenant_id).await?, ids),
        Touched::Policies => {
            let (qos, policies, apps) = db::network::load_policies(tx).await?;
            let after = before.with_policies(qos, policies).with_applications(apps);
            let ids = after.all_sites();
            (after, ids)
        }
        Touched::AllSites | Touched::Nothing => {
            let after = db::network::load(tx, tenant_id).await?;
            let ids = after.all_sites();
            (after, ids)
        }
    };
    let fresh = compiler::site_hashes(&network, &ids);
    let id_list: Vec<Uuid> = fresh.keys().copied().collect();
    let stored = db::site_configs::hashes(&mut **tx, &id_list).await?;
    let changed: Vec<(Uuid, String)> = fresh.into_iter().filter(|(id, hash)| stored.get(id) != Some(hash)).collect();
    if !changed.is_empty() {
        db::site_configs::upsert(&mut **tx, tenant_id, revision, &changed).await?;
    }
    Ok(ChangeOutcome { tenant_id, revision, changed_sites: changed, network: Arc::new(network) })
}

/// `after` with the given sites' accepted learned prefixes; adds the documents that can show them
/// (before and after) to `ids`.
fn with_learned(
    before: &Network,
    mut after: Network,
    learned: BTreeMap<Uuid, Vec<IpNet>>,
    ids: &mut BTreeSet<Uuid>,
) -> Network {
    for (id, prefixes) in learned {
        let Some(site) = after.site(id) else { continue };
        let site = compiler::SiteInput { learned_prefixes: prefixes, ..site.clone() };
        after = after.with_site(id, Some(site));
        ids.extend(before.affected_by_site(id));
        ids.extend(after.affected_by_site(id));
    }
    after
}

/// Decides every learned prefix of the tenant again ([`crate::overlay_import::decide`]) against
/// `network`, the tenant's state after the write, and stores the decisions that changed. Returns
/// the sites whose accepted prefixes differ from what `network` has, with their new ones.
pub async fn settle_learned(tx: &mut Tx, network: &Network) -> Result<BTreeMap<Uuid, Vec<IpNet>>, ApiError> {
    use crate::overlay_import::{decide, ImportSite, Learned};
    // Learned routes exist only beside BGP settings: without any, there is nothing to decide.
    if !network.sites.iter().any(|s| s.bgp.is_some() || !s.learned_prefixes.is_empty()) {
        return Ok(BTreeMap::new());
    }
    let stored = db::learned_routes::prefixes(&mut **tx).await?;
    let mut accepted: BTreeMap<Uuid, Vec<IpNet>> = BTreeMap::new();
    if !stored.is_empty() {
        let sites: Vec<ImportSite<'_>> = network
            .sites
            .iter()
            .map(|s| ImportSite {
                id: s.id,
                name: &s.name,
                lan_prefixes: &s.lan_prefixes,
                networks: s.bgp.as_ref().map_or(&[][..], |b| &b.networks[..]),
                overlay_import: s.bgp.as_ref().is_some_and(|b| b.overlay_import),
            })
            .collect();
        let learned: Vec<Learned> =
            stored.iter().map(|p| Learned { site_id: p.site_id, prefix: p.prefix, learned_at: p.learned_at }).collect();
        // Every site's overlay address carries the overlay prefix's length (and there are sites:
        // learned routes belong to one).
        let Some(overlay) = network.sites.first().map(|s| s.overlay_address.trunc()) else {
            return Ok(BTreeMap::new());
        };
        let decisions = decide(overlay, &sites, &learned);
        let mut changed = Vec::new();
        for (p, d) in stored.iter().zip(&decisions) {
            if p.decision.as_ref() != Some(d) {
                changed.push((p.site_id, p.prefix, d));
            }
            if d.state == patronus_api::LearnedRouteState::Accepted {
                accepted.entry(p.site_id).or_default().push(p.prefix);
            }
        }
        db::learned_routes::set_decisions(&mut **tx, &changed).await?;
    }
    let mut moved = BTreeMap::new();
    for site in &network.sites {
        let mut now = accepted.remove(&site.id).unwrap_or_default();
        now.sort_by_cached_key(ToString::to_string);
        now.dedup();
        if now != site.learned_prefixes {
            moved.insert(site.id, now);
        }
    }
    Ok(moved)
}
