//! The tenant networks this replica compiled from lately, by revision. Agents fetch documents far
//! more often than networks change, and after a tenant-wide change thousands fetch at once: each
//! fetch compiles its one site from the shared snapshot instead of loading the network again.
//! Loads are single-flight per tenant.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use sqlx::PgPool;
use uuid::Uuid;

use crate::compiler::{Network, PeerFragments};
use crate::db;

/// How many tenants' networks a replica keeps.
const CAPACITY: usize = 256;

pub struct Snapshot {
    pub revision: i64,
    pub network: Arc<Network>,
    fragments: OnceLock<PeerFragments>,
}

impl Snapshot {
    fn new(revision: i64, network: Arc<Network>) -> Snapshot {
        Snapshot { revision, network, fragments: OnceLock::new() }
    }

    /// The serialised peer entries, built by the first fetch that needs them.
    pub fn fragments(&self) -> &PeerFragments {
        self.fragments.get_or_init(|| PeerFragments::new(&self.network))
    }
}

type Slot = Arc<tokio::sync::Mutex<Option<Arc<Snapshot>>>>;

#[derive(Default)]
pub struct NetworkCache {
    tenants: Mutex<HashMap<Uuid, Slot>>,
    /// One per tenant: held by a write of this replica from before it takes the tenant's row lock
    /// until it has published, so the next write here finds the network it left in the cache
    /// instead of loading it again (the row lock alone lets it in between commit and publish).
    writers: Mutex<HashMap<Uuid, Arc<tokio::sync::Mutex<()>>>>,
}

/// This replica's turn to write a tenant's network; see [`NetworkCache::write_turn`].
pub type WriteTurn = tokio::sync::OwnedMutexGuard<()>;

impl NetworkCache {
    fn slot(&self, tenant_id: Uuid) -> Slot {
        let mut tenants = self.tenants.lock().unwrap_or_else(|e| e.into_inner());
        if tenants.len() >= CAPACITY && !tenants.contains_key(&tenant_id) {
            // Crude but bounded: forget someone else; they reload on their next fetch.
            if let Some(victim) = tenants.keys().next().copied() {
                tenants.remove(&victim);
            }
        }
        tenants.entry(tenant_id).or_default().clone()
    }

    /// Waits for this replica's other writes of the tenant to publish.
    pub async fn write_turn(&self, tenant_id: Uuid) -> WriteTurn {
        let lock = {
            let mut writers = self.writers.lock().unwrap_or_else(|e| e.into_inner());
            if writers.len() >= CAPACITY && !writers.contains_key(&tenant_id) {
                // Forget the idle ones; a lock someone holds or waits for stays.
                writers.retain(|_, l| Arc::strong_count(l) > 1);
            }
            writers.entry(tenant_id).or_default().clone()
        };
        lock.lock_owned().await
    }

    /// The cached network if it is at exactly `revision`.
    pub async fn exactly(&self, tenant_id: Uuid, revision: i64) -> Option<Arc<Network>> {
        let slot = self.tenants.lock().unwrap_or_else(|e| e.into_inner()).get(&tenant_id).cloned()?;
        let cached = slot.lock().await;
        cached.as_ref().filter(|s| s.revision == revision).map(|s| s.network.clone())
    }

    /// Records the network a committed write produced.
    pub async fn put(&self, tenant_id: Uuid, revision: i64, network: Arc<Network>) {
        let slot = self.slot(tenant_id);
        let mut cached = slot.lock().await;
        if cached.as_ref().is_none_or(|s| s.revision < revision) {
            *cached = Some(Arc::new(Snapshot::new(revision, network)));
        }
    }

    /// The tenant's network at `revision` or later.
    pub async fn at_least(&self, pool: &PgPool, tenant_id: Uuid, revision: i64) -> Result<Arc<Snapshot>, sqlx::Error> {
        let slot = self.slot(tenant_id);
        let mut cached = slot.lock().await;
        if let Some(snapshot) = cached.as_ref().filter(|s| s.revision >= revision) {
            return Ok(snapshot.clone());
        }
        let mut tx = db::tenant_snapshot_tx(pool, tenant_id).await?;
        let current: i64 = sqlx::query_scalar("SELECT revision FROM tenants WHERE id = $1")
            .bind(tenant_id)
            .fetch_one(&mut *tx)
            .await?;
        let network = db::network::load(&mut tx, tenant_id).await?;
        tx.commit().await?;
        let snapshot = Arc::new(Snapshot::new(current, Arc::new(network)));
        *cached = Some(snapshot.clone());
        Ok(snapshot)
    }
}
