//! Keeps each site's compiled document current. Every network write calls [`commit_change`] in
//! its own transaction: the tenant's revision moves, the documents the change can affect are
//! recompiled, and the sites whose content hash changed are recorded (and returned, so that
//! their agents can be woken after commit).

use std::collections::BTreeSet;

use uuid::Uuid;

use crate::compiler::{self, Network};
use crate::db::{self, Tx};
use crate::error::ApiError;

pub struct ChangeOutcome {
    pub revision: i64,
    /// Sites whose document changed.
    pub changed_sites: Vec<Uuid>,
}

/// Moves the tenant's revision and recompiles the sites `affected` picks from the network as it
/// now is (inside `tx`, after the write).
pub async fn commit_change(
    tx: &mut Tx,
    tenant_id: Uuid,
    affected: impl FnOnce(&Network) -> BTreeSet<Uuid>,
) -> Result<ChangeOutcome, ApiError> {
    let revision: i64 =
        sqlx::query_scalar("UPDATE tenants SET revision = revision + 1 WHERE id = $1 RETURNING revision")
            .bind(tenant_id)
            .fetch_one(&mut **tx)
            .await?;
    let network = db::network::load(&mut *tx, tenant_id).await?;
    let ids = affected(&network);
    let fresh = compiler::site_hashes(&network, &ids);
    let id_list: Vec<Uuid> = fresh.keys().copied().collect();
    let stored = db::site_configs::hashes(&mut **tx, &id_list).await?;
    let changed: Vec<(Uuid, String)> = fresh.into_iter().filter(|(id, hash)| stored.get(id) != Some(hash)).collect();
    if !changed.is_empty() {
        db::site_configs::upsert(&mut **tx, tenant_id, revision, &changed).await?;
    }
    Ok(ChangeOutcome { revision, changed_sites: changed.into_iter().map(|(id, _)| id).collect() })
}
