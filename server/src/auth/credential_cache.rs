//! Remembers for a few seconds what a presented secret resolved to, so that a busy client, or a
//! fleet of agents polling again after a change, does not cost a database lookup per request.
//!
//! Entries are keyed by the secret's SHA-256, never by the secret, and only successful lookups
//! are kept. Whatever ends or changes a credential (deleting or changing an API token, revoking
//! or re-enrolling an agent, deleting a site or a tenant) calls [`CredentialCache::forget_tenant`]
//! after its commit: that drops the tenant's entries here at once and, through Redis, on every
//! other replica. A replica that misses the message, or a lookup that read the row just before
//! that commit and stored it just after the forgetting, honours the old credential at most
//! [`FRESH_FOR`] longer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::Principal;

/// How long a lookup is trusted without asking the database again.
pub const FRESH_FOR: Duration = Duration::from_secs(5);
/// Bound on remembered credentials; past it, stale entries go, then everything.
const CAPACITY: usize = 50_000;
const CHANNEL: &str = "patronus:credentials-forgotten";

struct Entry {
    principal: Principal,
    tenant_id: Uuid,
    expires_at: Option<DateTime<Utc>>,
    fetched: Instant,
}

#[derive(Default)]
pub struct CredentialCache {
    entries: Mutex<HashMap<Vec<u8>, Entry>>,
    redis: Option<redis::aio::ConnectionManager>,
}

impl CredentialCache {
    /// A cache that tells other replicas through Redis what to forget, and hears what they forget.
    pub async fn with_redis(url: &str) -> anyhow::Result<Arc<Self>> {
        let (client, conn) = crate::pubsub::connect(url).await?;
        let cache = Arc::new(CredentialCache { entries: Mutex::default(), redis: Some(conn) });
        crate::pubsub::subscribe(Arc::downgrade(&cache), client, CHANNEL, |cache: &CredentialCache, payload| {
            if let Ok(tenant) = payload.parse() {
                cache.forget_tenant_here(tenant);
            }
        });
        Ok(cache)
    }

    /// The principal `hash` resolved to less than [`FRESH_FOR`] ago, unless it has expired since.
    pub fn get(&self, hash: &[u8], now: Instant) -> Option<Principal> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entry = entries.get(hash)?;
        let fresh = now.duration_since(entry.fetched) < FRESH_FOR;
        let unexpired = entry.expires_at.is_none_or(|at| at > Utc::now());
        (fresh && unexpired).then(|| entry.principal.clone())
    }

    pub fn put(
        &self,
        hash: Vec<u8>,
        tenant_id: Uuid,
        principal: Principal,
        expires_at: Option<DateTime<Utc>>,
        now: Instant,
    ) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CAPACITY {
            entries.retain(|_, e| now.duration_since(e.fetched) < FRESH_FOR);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(hash, Entry { principal, tenant_id, expires_at, fetched: now });
    }

    /// Forgets every credential of the tenant here and on the other replicas. Call after the
    /// commit that ended or changed one.
    pub async fn forget_tenant(&self, tenant_id: Uuid) {
        self.forget_tenant_here(tenant_id);
        if let Some(conn) = &self.redis {
            crate::pubsub::publish(conn, CHANNEL, &tenant_id.to_string()).await;
        }
    }

    fn forget_tenant_here(&self, tenant_id: Uuid) {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).retain(|_, e| e.tenant_id != tenant_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::AgentPrincipal;

    fn agent(tenant: u128) -> Principal {
        Principal::Agent(AgentPrincipal {
            agent_id: Uuid::from_u128(tenant * 10),
            tenant_id: Uuid::from_u128(tenant),
            site_id: Uuid::from_u128(tenant * 100),
        })
    }

    fn agent_id(p: Option<Principal>) -> Option<Uuid> {
        match p? {
            Principal::Agent(a) => Some(a.agent_id),
            _ => None,
        }
    }

    #[test]
    fn a_lookup_is_trusted_for_a_few_seconds_only() {
        let cache = CredentialCache::default();
        let t0 = Instant::now();
        cache.put(vec![1; 32], Uuid::from_u128(1), agent(1), None, t0);
        assert_eq!(agent_id(cache.get(&[1; 32], t0 + Duration::from_secs(1))), Some(Uuid::from_u128(10)));
        assert_eq!(agent_id(cache.get(&[1; 32], t0 + FRESH_FOR)), None);
        assert_eq!(agent_id(cache.get(&[2; 32], t0)), None);
    }

    #[test]
    fn an_expired_credential_is_not_served_even_when_fresh() {
        let cache = CredentialCache::default();
        let now = Instant::now();
        cache.put(vec![1; 32], Uuid::from_u128(1), agent(1), Some(Utc::now() - chrono::Duration::seconds(1)), now);
        assert_eq!(agent_id(cache.get(&[1; 32], now)), None);
    }

    #[tokio::test]
    async fn forgetting_a_tenant_drops_its_credentials_and_no_others() {
        let cache = CredentialCache::default();
        let now = Instant::now();
        cache.put(vec![1; 32], Uuid::from_u128(1), agent(1), None, now);
        cache.put(vec![2; 32], Uuid::from_u128(2), agent(2), None, now);
        cache.forget_tenant(Uuid::from_u128(1)).await;
        assert_eq!(agent_id(cache.get(&[1; 32], now)), None);
        assert_eq!(agent_id(cache.get(&[2; 32], now)), Some(Uuid::from_u128(20)));
    }
}
