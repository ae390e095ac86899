//! Database access. Handlers never write SQL; they open a scoped transaction here and call the
//! functions of one module per table, which take any `PgExecutor` so that they run on a pool or
//! inside a transaction alike.

pub mod agents;
pub mod api_tokens;
pub mod applications;
pub mod audit;
pub mod bgp;
pub mod browser_sessions;
pub mod enrollment_tokens;
pub mod idempotency;
pub mod identity_providers;
pub mod learned_routes;
pub mod links;
pub mod network;
pub mod oidc_logins;
pub mod path_health;
pub mod peerings;
pub mod platform_tokens;
pub mod policies;
pub mod qos_classes;
pub mod refresh_tokens;
pub mod signing_keys;
pub mod site_configs;
pub mod sites;
pub mod sso_identities;
pub mod tenants;
pub mod topology;
pub mod users;

use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

pub type Tx = Transaction<'static, Postgres>;

/// A transaction acting for one tenant: row-level security shows it that tenant's rows only.
pub async fn tenant_tx(pool: &PgPool, tenant_id: Uuid) -> Result<Tx, sqlx::Error> {
    begin_with_setting(pool, "app.tenant_id", &tenant_id.to_string()).await
}

/// Begins a transaction with one `app.*` setting in place, in one round trip: `BEGIN` and
/// `set_config` go as one simple query. The value is spliced into the SQL, so only callers whose
/// value cannot hold a quote (a UUID's or hex digest's text) may use it.
async fn begin_with_setting(pool: &PgPool, name: &'static str, value: &str) -> Result<Tx, sqlx::Error> {
    debug_assert!(value.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'));
    pool.begin_with(format!("BEGIN; SELECT set_config('{name}', '{value}', true)")).await
}

/// Ends a transaction that only read. There is nothing to commit: dropping it queues the
/// ROLLBACK, which sqlx sends together with the check it makes when the connection goes back to
/// the pool, so the request does not wait a round trip for a COMMIT.
pub fn end_read(tx: Tx) {
    drop(tx);
}

/// A transaction for a write that checks tenant-wide state (quotas, overlaps, the revision), holding the tenant row's lock: writes of
/// one tenant run one at a time, so quota and overlap checks and the revision counter see no
/// concurrent change. `None` when the tenant is gone.
pub async fn tenant_write_tx(pool: &PgPool, tenant_id: Uuid) -> Result<Option<(Tx, tenants::TenantRow)>, sqlx::Error> {
    let mut tx = tenant_tx(pool, tenant_id).await?;
    Ok(tenants::lock(&mut *tx, tenant_id).await?.map(|tenant| (tx, tenant)))
}

/// A transaction acting for the platform operator: it sees platform rows (tenant-less audit
/// events and idempotency records) and no tenant's rows.
pub async fn platform_tx(pool: &PgPool) -> Result<Tx, sqlx::Error> {
    pool.begin_with("BEGIN; SELECT set_config('app.platform', 'on', true)").await
}

/// A transaction that may see the one credential row whose secret hashes to `hash`.
pub async fn credential_tx(pool: &PgPool, hash: &[u8]) -> Result<Tx, sqlx::Error> {
    begin_with_setting(pool, "app.credential_hash", &hex::encode(hash)).await
}

/// Switches a transaction to a tenant once a credential has told which one.
pub async fn enter_tenant(tx: &mut Tx, tenant_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT set_config('app.tenant_id', $1, true)").bind(tenant_id.to_string()).execute(&mut **tx).await?;
    Ok(())
}

/// Every unique constraint and primary key of the schema, with the request field it is about and
/// what to tell the caller. `server/tests/api/constraints.rs` fails on a constraint missing here.
pub const UNIQUE_CONSTRAINTS: &[(&str, &str, &str)] = &[
    ("tenants_name_key", "/name", "a tenant with this name already exists"),
    ("tenants_slug_key", "/slug", "a tenant with this slug already exists"),
    ("users_tenant_id_email_key", "/email", "a user with this email already exists"),
    ("api_tokens_tenant_id_name_key", "/name", "an API token with this name already exists"),
    ("platform_tokens_name_key", "/name", "a platform token with this name already exists"),
    ("sites_tenant_id_name_key", "/name", "a site with this name already exists"),
    ("sites_tenant_id_overlay_offset_key", "/overlay_address", "a concurrent write took this overlay address; retry"),
    ("links_site_id_name_key", "/name", "this site already has a link with this name"),
    ("peerings_tenant_id_name_key", "/name", "a peering with this name already exists"),
    ("peerings_site_low_site_high_key", "/site_b", "these two sites already peer"),
    ("qos_classes_tenant_id_name_key", "/name", "a QoS class with this name already exists"),
    ("policies_tenant_id_name_key", "/name", "a policy with this name already exists"),
    ("policies_tenant_id_priority_key", "/priority", "another policy has this priority"),
    ("agents_site_id_key", "/site_id", "an agent enrolled for this site at the same moment; retry"),
    ("idempotency_keys_pkey", "/Idempotency-Key", "a request with this Idempotency-Key is in progress"),
    // Secrets and ids are drawn at random by the server; a collision is retried by the caller.
    ("platform_tokens_token_hash_key", "/token", "a generated secret collided; retry"),
    ("api_tokens_token_hash_key", "/token", "a generated secret collided; retry"),
    ("refresh_tokens_token_hash_key", "/refresh_token", "a generated secret collided; retry"),
    ("enrollment_tokens_token_hash_key", "/token", "a generated secret collided; retry"),
    ("agents_credential_hash_key", "/credential", "a generated secret collided; retry"),
    ("tenants_pkey", "/id", "a generated id collided; retry"),
    ("identity_providers_pkey", "/issuer_url", "the identity provider was created by a concurrent write; retry"),
    ("oidc_logins_pkey", "/state", "a generated state collided; retry"),
    ("browser_sessions_pkey", "/id", "a generated id collided; retry"),
    ("browser_sessions_session_hash_key", "/session", "a generated secret collided; retry"),
    ("sso_identities_pkey", "/sub", "a concurrent SSO login bound this user; sign in again"),
    (
        "sso_identities_tenant_id_issuer_url_subject_key",
        "/sub",
        "a concurrent SSO login bound this account of the identity provider; sign in again",
    ),
    ("platform_tokens_pkey", "/id", "a generated id collided; retry"),
    ("signing_keys_pkey", "/kid", "a generated key id collided; retry"),
    ("users_pkey", "/id", "a generated id collided; retry"),
    ("api_tokens_pkey", "/id", "a generated id collided; retry"),
    ("refresh_tokens_pkey", "/id", "a generated id collided; retry"),
    ("audit_events_pkey", "/id", "a generated id collided; retry"),
    ("failover_events_pkey", "/failover_events", "a generated id collided; retry"),
    // Samples insert with ON CONFLICT DO NOTHING; listed so that a future write path maps it.
    ("path_samples_pkey", "/peers", "this path already has a sample for this minute"),
    ("topologies_pkey", "/tenant_id", "the topology was created by a concurrent write; retry"),
    ("sites_pkey", "/id", "a generated id collided; retry"),
    ("links_pkey", "/id", "a generated id collided; retry"),
    ("peerings_pkey", "/id", "a generated id collided; retry"),
    ("qos_classes_pkey", "/id", "a generated id collided; retry"),
    ("policies_pkey", "/id", "a generated id collided; retry"),
    ("applications_tenant_id_name_key", "/name", "an application with this name already exists"),
    ("applications_pkey", "/id", "a generated id collided; retry"),
    ("site_configs_pkey", "/site_id", "a concurrent write recorded this document; retry"),
    ("enrollment_tokens_pkey", "/id", "a generated id collided; retry"),
    ("agents_pkey", "/id", "a generated id collided; retry"),
    ("site_prefixes_pkey", "/lan_prefixes", "a LAN prefix is listed twice"),
    // Written with an upsert under the tenant's lock; listed so that a future write path maps it.
    ("site_bgp_pkey", "/site_id", "the BGP settings were created by a concurrent write; retry"),
    ("bgp_learned_routes_pkey", "/routes", "a generated id collided; retry"),
    // Reports are checked for duplicates and written with an upsert; listed for a future path.
    ("bgp_learned_routes_site_id_prefix_neighbor_key", "/routes", "a route is reported twice"),
];

/// A write that broke a unique constraint, said in terms of the request's fields.
#[derive(Debug)]
pub struct UniqueViolation {
    pub pointer: &'static str,
    pub detail: &'static str,
}

impl UniqueViolation {
    /// The violation `err` reports, when it is one of a known constraint.
    pub fn of(err: &sqlx::Error) -> Option<UniqueViolation> {
        let db_err = err.as_database_error()?;
        if !db_err.is_unique_violation() {
            return None;
        }
        let constraint = db_err.constraint()?;
        UNIQUE_CONSTRAINTS
            .iter()
            .find(|(name, _, _)| *name == constraint)
            .map(|&(_, pointer, detail)| UniqueViolation { pointer, detail })
    }
}

/// A read-only transaction for one tenant that sees one snapshot throughout, for reads that
/// take several queries (loading the whole network).
pub async fn tenant_snapshot_tx(pool: &PgPool, tenant_id: Uuid) -> Result<Tx, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
    sqlx::query("SELECT set_config('app.tenant_id', $1, true)").bind(tenant_id.to_string()).execute(&mut *tx).await?;
    Ok(tx)
}
