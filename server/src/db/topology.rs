use chrono::{DateTime, Utc};
use patronus_api::{Topology, TopologyMode};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::resource::etag;

pub const DEFAULT_OVERLAY_PREFIX: &str = "100.64.0.0/16";
pub const DEFAULT_OVERLAY: ipnet::Ipv4Net = ipnet::Ipv4Net::new_assert(std::net::Ipv4Addr::new(100, 64, 0, 0), 16);
pub const DEFAULT_KEEPALIVE: u16 = 25;

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct TopologyRow {
    pub mode: String,
    pub overlay_prefix: String,
    pub persistent_keepalive: i32,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

impl TopologyRow {
    pub fn mode(&self) -> TopologyMode {
        TopologyMode::parse(&self.mode).unwrap_or(TopologyMode::FullMesh)
    }

    pub fn keepalive(&self) -> u16 {
        u16::try_from(self.persistent_keepalive).unwrap_or(DEFAULT_KEEPALIVE)
    }

    pub fn overlay(&self) -> ipnet::Ipv4Net {
        self.overlay_prefix.parse().unwrap_or(DEFAULT_OVERLAY)
    }

    pub fn etag(&self) -> String {
        etag(self.version)
    }

    pub fn to_api(&self, revision: i64) -> Topology {
        Topology {
            mode: self.mode(),
            overlay_prefix: self.overlay(),
            persistent_keepalive: self.keepalive(),
            revision,
            updated_at: self.updated_at,
            etag: self.etag(),
        }
    }
}

const SELECT: &str = "SELECT mode, overlay_prefix::text AS overlay_prefix, persistent_keepalive, version, updated_at \
    FROM topologies WHERE tenant_id = $1";

/// The tenant's topology, or the default one (full mesh) that a first write will store.
pub async fn get(ex: impl PgExecutor<'_>, tenant_id: Uuid) -> Result<TopologyRow, sqlx::Error> {
    let row: Option<TopologyRow> = sqlx::query_as(SELECT).bind(tenant_id).fetch_optional(ex).await?;
    Ok(row.unwrap_or_else(|| TopologyRow {
        mode: TopologyMode::FullMesh.as_str().to_string(),
        overlay_prefix: DEFAULT_OVERLAY_PREFIX.to_string(),
        persistent_keepalive: i32::from(DEFAULT_KEEPALIVE),
        version: 0,
        updated_at: DateTime::<Utc>::UNIX_EPOCH,
    }))
}

/// The tenant's topology, storing the default one (full mesh) on first use.
pub async fn get_or_create(conn: &mut sqlx::PgConnection, tenant_id: Uuid) -> Result<TopologyRow, sqlx::Error> {
    sqlx::query(
        "INSERT INTO topologies (tenant_id, mode, overlay_prefix, persistent_keepalive) VALUES ($1, 'full_mesh', $2::cidr, $3) \
         ON CONFLICT (tenant_id) DO NOTHING",
    )
    .bind(tenant_id)
    .bind(DEFAULT_OVERLAY_PREFIX)
    .bind(i32::from(DEFAULT_KEEPALIVE))
    .execute(&mut *conn)
    .await?;
    sqlx::query_as(SELECT).bind(tenant_id).fetch_one(&mut *conn).await
}

pub async fn update(
    ex: impl PgExecutor<'_>,
    tenant_id: Uuid,
    mode: TopologyMode,
    overlay_prefix: &str,
    keepalive: u16,
) -> Result<TopologyRow, sqlx::Error> {
    sqlx::query_as(
        "UPDATE topologies SET mode = $2, overlay_prefix = $3::cidr, persistent_keepalive = $4, version = version + 1, \
         updated_at = now() WHERE tenant_id = $1 \
         RETURNING mode, overlay_prefix::text AS overlay_prefix, persistent_keepalive, version, updated_at",
    )
    .bind(tenant_id)
    .bind(mode.as_str())
    .bind(overlay_prefix)
    .bind(i32::from(keepalive))
    .fetch_one(ex)
    .await
}
