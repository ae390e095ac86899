//! A site's BGP settings (`site_bgp`, migration 0009): one row per site at most.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

use chrono::{DateTime, Utc};
use patronus_api::{BgpNeighbor, BgpPrefixList, BgpRouteMap, ConfigBgp, ConfigBgpNeighbor, SiteBgp};
use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::db::sites::Prefixes;
use crate::resource::{etag, Kind, Stored};

/// A neighbour as stored: with its password, which only the site's compiled document carries.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredNeighbor {
    pub address: IpAddr,
    pub remote_asn: u32,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    pub keepalive: u16,
    pub hold_time: u16,
    pub bfd: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_map_in: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_map_out: Option<String>,
}

impl fmt::Debug for StoredNeighbor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredNeighbor")
            .field("address", &self.address)
            .field("remote_asn", &self.remote_asn)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

impl StoredNeighbor {
    pub fn to_api(&self) -> BgpNeighbor {
        BgpNeighbor {
            address: self.address,
            remote_asn: self.remote_asn,
            description: self.description.clone(),
            password_set: self.password.is_some(),
            keepalive: self.keepalive,
            hold_time: self.hold_time,
            bfd: self.bfd,
            route_map_in: self.route_map_in.clone(),
            route_map_out: self.route_map_out.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct BgpRow {
    pub site_id: Uuid,
    pub tenant_id: Uuid,
    pub local_asn: i64,
    pub router_id: String,
    #[sqlx(try_from = "Vec<String>")]
    pub networks: Prefixes,
    pub neighbors: Json<Vec<StoredNeighbor>>,
    pub prefix_lists: Json<Vec<BgpPrefixList>>,
    pub route_maps: Json<Vec<BgpRouteMap>>,
    pub overlay_import: bool,
    pub max_learned_prefixes: i32,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl BgpRow {
    pub fn local_asn(&self) -> u32 {
        u32::try_from(self.local_asn).unwrap_or_default()
    }

    pub fn router_id(&self) -> Ipv4Addr {
        self.router_id.parse().unwrap_or(Ipv4Addr::UNSPECIFIED)
    }

    pub fn max_learned_prefixes(&self) -> u32 {
        u32::try_from(self.max_learned_prefixes).unwrap_or_default()
    }

    /// Whether two rows hold the same settings (what a PUT can set).
    pub fn same_settings(&self, other: &BgpRow) -> bool {
        (self.local_asn, &self.router_id, &self.networks, &self.neighbors, &self.prefix_lists, &self.route_maps)
            == (
                other.local_asn,
                &other.router_id,
                &other.networks,
                &other.neighbors,
                &other.prefix_lists,
                &other.route_maps,
            )
            && (self.overlay_import, self.max_learned_prefixes) == (other.overlay_import, other.max_learned_prefixes)
    }

    /// What the site's document carries (the compiler sorts it).
    pub fn to_config(&self) -> ConfigBgp {
        ConfigBgp {
            local_asn: self.local_asn(),
            router_id: self.router_id(),
            neighbors: self
                .neighbors
                .0
                .iter()
                .map(|n| ConfigBgpNeighbor {
                    address: n.address,
                    remote_asn: n.remote_asn,
                    description: n.description.clone(),
                    password: n.password.clone(),
                    keepalive: n.keepalive,
                    hold_time: n.hold_time,
                    bfd: n.bfd,
                    route_map_in: n.route_map_in.clone(),
                    route_map_out: n.route_map_out.clone(),
                })
                .collect(),
            networks: self.networks.0.clone(),
            prefix_lists: self.prefix_lists.0.clone(),
            route_maps: self.route_maps.0.clone(),
            overlay_import: self.overlay_import,
            max_learned_prefixes: self.max_learned_prefixes(),
        }
    }

    pub fn to_api(&self) -> SiteBgp {
        SiteBgp {
            site_id: self.site_id,
            local_asn: self.local_asn(),
            router_id: self.router_id(),
            neighbors: self.neighbors.0.iter().map(StoredNeighbor::to_api).collect(),
            networks: self.networks.0.clone(),
            prefix_lists: self.prefix_lists.0.clone(),
            route_maps: self.route_maps.0.clone(),
            overlay_import: self.overlay_import,
            max_learned_prefixes: self.max_learned_prefixes(),
            created_at: self.created_at,
            updated_at: self.updated_at,
            etag: etag(self.version),
        }
    }
}

const COLUMNS: &str = "site_id, tenant_id, local_asn, host(router_id) AS router_id, networks::text[] AS networks, \
    neighbors, prefix_lists, route_maps, overlay_import, max_learned_prefixes, version, created_at, updated_at";

pub async fn get(ex: impl PgExecutor<'_>, site_id: Uuid) -> Result<Option<BgpRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM site_bgp WHERE site_id = $1")).bind(site_id).fetch_optional(ex).await
}

pub async fn lock(ex: impl PgExecutor<'_>, site_id: Uuid) -> Result<Option<BgpRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM site_bgp WHERE site_id = $1 FOR UPDATE"))
        .bind(site_id)
        .fetch_optional(ex)
        .await
}

/// The settings of every site of the tenant that has some (for the compiler's loader).
pub async fn all(ex: impl PgExecutor<'_>) -> Result<Vec<BgpRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM site_bgp ORDER BY site_id")).fetch_all(ex).await
}

/// Inserts the row, or replaces the settings of the one there (moving its version).
pub async fn upsert(ex: impl PgExecutor<'_>, row: &BgpRow) -> Result<BgpRow, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO site_bgp (site_id, tenant_id, local_asn, router_id, networks, neighbors, prefix_lists, route_maps, \
         overlay_import, max_learned_prefixes) VALUES ($1, $2, $3, $4::inet, $5::cidr[], $6, $7, $8, $9, $10) \
         ON CONFLICT (site_id) DO UPDATE SET local_asn = EXCLUDED.local_asn, router_id = EXCLUDED.router_id, \
         networks = EXCLUDED.networks, neighbors = EXCLUDED.neighbors, prefix_lists = EXCLUDED.prefix_lists, \
         route_maps = EXCLUDED.route_maps, overlay_import = EXCLUDED.overlay_import, \
         max_learned_prefixes = EXCLUDED.max_learned_prefixes, version = site_bgp.version + 1, updated_at = now() \
         RETURNING {COLUMNS}"
    ))
    .bind(row.site_id)
    .bind(row.tenant_id)
    .bind(row.local_asn)
    .bind(&row.router_id)
    .bind(row.networks.texts())
    .bind(&row.neighbors)
    .bind(&row.prefix_lists)
    .bind(&row.route_maps)
    .bind(row.overlay_import)
    .bind(row.max_learned_prefixes)
    .fetch_one(ex)
    .await
}

pub async fn delete(ex: impl PgExecutor<'_>, site_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM site_bgp WHERE site_id = $1").bind(site_id).execute(ex).await?;
    Ok(())
}

/// The first advertised network of another site than `except_site` that overlaps one of
/// `prefixes`: (that site's name, its network, ours). The tenant's BGP rows are few (one per
/// site at most), so this scans them under row-level security rather than using an index.
pub async fn overlapping_network(
    ex: impl PgExecutor<'_>,
    except_site: Uuid,
    prefixes: &[ipnet::IpNet],
) -> Result<Option<(String, String, String)>, sqlx::Error> {
    let ours: Vec<String> = prefixes.iter().map(ToString::to_string).collect();
    sqlx::query_as(
        "SELECT s.name, n::text, o::text FROM site_bgp b JOIN sites s ON s.id = b.site_id, \
           unnest(b.networks) AS n, unnest($2::cidr[]) AS o \
         WHERE b.site_id <> $1 AND n && o ORDER BY s.name, n LIMIT 1",
    )
    .bind(except_site)
    .bind(&ours)
    .fetch_optional(ex)
    .await
}

impl Stored for BgpRow {
    const KIND: Kind = Kind::SiteBgp;
    const COLLECTION: &'static str = "/v1/sites";
    type Api = SiteBgp;

    fn id(&self) -> Uuid {
        self.site_id
    }

    fn version(&self) -> i64 {
        self.version
    }

    fn to_api(&self) -> SiteBgp {
        BgpRow::to_api(self)
    }

    async fn get(conn: &mut sqlx::PgConnection, id: Uuid) -> Result<Option<Self>, sqlx::Error> {
        get(conn, id).await
    }

    async fn lock(conn: &mut sqlx::PgConnection, id: Uuid) -> Result<Option<Self>, sqlx::Error> {
        lock(conn, id).await
    }
}
