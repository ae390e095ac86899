use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use patronus_api::{Site, SiteRole};
use sqlx::types::Json;
use sqlx::{PgExecutor, QueryBuilder};
use uuid::Uuid;

use crate::db::links::LinkRow;
use crate::pagination::PageRequest;
use crate::resource::etag;

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SiteRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    pub description: String,
    pub location: String,
    pub labels: Json<BTreeMap<String, String>>,
    pub role: String,
    #[sqlx(try_from = "Vec<String>")]
    pub lan_prefixes: Prefixes,
    pub listen_port: i32,
    pub overlay_offset: i32,
    pub overlay_address: String,
    /// The site's links, by name.
    pub links: Json<Vec<LinkRow>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A site's LAN prefixes as the row holds them: a `cidr[]` read as text and parsed here, bound
/// as text and cast back to `cidr[]` (see [`Prefixes::texts`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Prefixes(pub Vec<ipnet::IpNet>);

impl TryFrom<Vec<String>> for Prefixes {
    type Error = ipnet::AddrParseError;

    fn try_from(texts: Vec<String>) -> Result<Prefixes, Self::Error> {
        texts.iter().map(|t| t.parse()).collect::<Result<_, _>>().map(Prefixes)
    }
}

impl From<Vec<ipnet::IpNet>> for Prefixes {
    fn from(nets: Vec<ipnet::IpNet>) -> Prefixes {
        Prefixes(nets)
    }
}

impl Prefixes {
    /// The text a `$n::cidr[]` parameter takes.
    pub fn texts(&self) -> Vec<String> {
        self.0.iter().map(ToString::to_string).collect()
    }
}

impl SiteRow {
    pub fn role(&self) -> SiteRole {
        SiteRole::parse(&self.role).unwrap_or(SiteRole::Edge)
    }

    pub fn etag(&self) -> String {
        etag(self.version)
    }

    pub fn to_api(&self) -> Site {
        Site {
            id: self.id,
            name: self.name.clone(),
            description: self.description.clone(),
            location: self.location.clone(),
            labels: self.labels.0.clone(),
            role: self.role(),
            lan_prefixes: self.lan_prefixes.0.clone(),
            listen_port: u16::try_from(self.listen_port).unwrap_or_default(),
            overlay_address: self.overlay_address.clone(),
            links: self.links.0.iter().map(LinkRow::to_api).collect(),
            created_at: self.created_at,
            updated_at: self.updated_at,
            etag: self.etag(),
        }
    }
}

pub const COLUMNS: &str =
    "id, tenant_id, name, description, location, labels, role, lan_prefixes::text[] AS lan_prefixes, \
    listen_port, overlay_offset, host(overlay_address) AS overlay_address, \
    (SELECT COALESCE(jsonb_agg(to_jsonb(l) ORDER BY l.name), '[]') FROM links l WHERE l.site_id = sites.id) AS links, \
    version, created_at, updated_at";

pub async fn insert(ex: impl PgExecutor<'_>, row: &SiteRow) -> Result<SiteRow, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO sites (id, tenant_id, name, description, location, labels, role, lan_prefixes, listen_port, \
         overlay_offset, overlay_address) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::cidr[], $9, $10, $11::inet) RETURNING {COLUMNS}"
    ))
    .bind(row.id)
    .bind(row.tenant_id)
    .bind(&row.name)
    .bind(&row.description)
    .bind(&row.location)
    .bind(&row.labels)
    .bind(&row.role)
    .bind(row.lan_prefixes.texts())
    .bind(row.listen_port)
    .bind(row.overlay_offset)
    .bind(&row.overlay_address)
    .fetch_one(ex)
    .await
}

pub async fn get(ex: impl PgExecutor<'_>, id: Uuid) -> Result<Option<SiteRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM sites WHERE id = $1")).bind(id).fetch_optional(ex).await
}

pub async fn lock(ex: impl PgExecutor<'_>, id: Uuid) -> Result<Option<SiteRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM sites WHERE id = $1 FOR UPDATE")).bind(id).fetch_optional(ex).await
}

/// The lowest host number past the highest in use, or, when the prefix is full at the top, the
/// lowest free one; `None` when every host number of the prefix is taken. The common case is one
/// backward index scan; the gap search (one ordered pass, never a self-join) runs only when the
/// top is taken.
pub async fn free_overlay_offset(ex: &mut sqlx::PgConnection, capacity: u32) -> Result<Option<i32>, sqlx::Error> {
    let capacity = i64::from(capacity);
    let highest: i64 =
        sqlx::query_scalar("SELECT COALESCE(max(overlay_offset), 0)::bigint FROM sites").fetch_one(&mut *ex).await?;
    if highest < capacity {
        return Ok(i32::try_from(highest + 1).ok());
    }
    sqlx::query_scalar(
        "SELECT candidate FROM ( \
           SELECT 1::bigint AS candidate WHERE NOT EXISTS (SELECT 1 FROM sites WHERE overlay_offset = 1) \
           UNION ALL \
           SELECT o + 1 FROM (SELECT overlay_offset::bigint AS o, lead(overlay_offset) OVER (ORDER BY overlay_offset) AS n \
                              FROM sites) g WHERE n IS DISTINCT FROM o + 1 \
         ) c WHERE candidate BETWEEN 1 AND $1 ORDER BY candidate LIMIT 1",
    )
    .bind(capacity)
    .fetch_optional(&mut *ex)
    .await
    .map(|v: Option<i64>| v.and_then(|v| i32::try_from(v).ok()))
}

/// The first LAN prefix of another site that overlaps one of `prefixes`: (site name, its prefix,
/// ours). Two prefixes overlap when one contains the other: theirs contains ours when it is one
/// of our supernets (equality), ours contains theirs when theirs lies between our first address
/// and our last as a host route (a range); both are btree index scans of `site_prefixes`.
pub async fn overlapping_prefix(
    ex: impl PgExecutor<'_>,
    except_site: Uuid,
    prefixes: &[ipnet::IpNet],
) -> Result<Option<(String, String, String)>, sqlx::Error> {
    let supernets: Vec<String> =
        prefixes.iter().flat_map(|p| (0..=p.prefix_len()).filter_map(move |len| supernet(p, len))).collect();
    let (lows, highs): (Vec<String>, Vec<String>) =
        prefixes.iter().map(|p| (p.to_string(), ipnet::IpNet::from(p.broadcast()).to_string())).unzip();
    let found: Option<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT (SELECT name FROM sites WHERE id = o.site_id) AS site, o.theirs, o.ours FROM ( \
           SELECT sp.site_id, sp.prefix::text AS theirs, NULL::text AS ours FROM site_prefixes sp \
            WHERE sp.prefix = ANY($2::cidr[]) AND sp.site_id <> $1 \
           UNION ALL \
           SELECT sp.site_id, sp.prefix::text, r.low::text FROM unnest($3::cidr[], $4::cidr[]) AS r(low, high), \
            LATERAL (SELECT * FROM site_prefixes sp WHERE sp.prefix >= r.low AND sp.prefix <= r.high \
                     AND sp.site_id <> $1 OFFSET 0) sp \
         ) o ORDER BY 1 LIMIT 1",
    )
    .bind(except_site)
    .bind(&supernets)
    .bind(&lows)
    .bind(&highs)
    .fetch_optional(ex)
    .await?;
    Ok(found.map(|(site, theirs, ours)| {
        // Found as a supernet: ours is the first of ours it contains.
        let ours = ours.unwrap_or_else(|| {
            let net = theirs.parse::<ipnet::IpNet>().ok();
            prefixes.iter().find(|p| net.is_some_and(|n| n.contains(*p))).map(|p| p.to_string()).unwrap_or_default()
        });
        (site, theirs, ours)
    }))
}

/// The prefix that contains `p` at length `len`, as text.
fn supernet(p: &ipnet::IpNet, len: u8) -> Option<String> {
    ipnet::IpNet::new(p.network(), len).ok().map(|n| n.trunc().to_string())
}

#[derive(Default)]
pub struct SiteFilter {
    pub name: Option<String>,
    pub role: Option<SiteRole>,
    /// (key, value) that the site's labels must contain.
    pub label: Option<(String, String)>,
}

pub async fn list(
    ex: impl PgExecutor<'_>,
    filter: &SiteFilter,
    page: &PageRequest,
) -> Result<Vec<SiteRow>, sqlx::Error> {
    let mut q = QueryBuilder::new(format!("SELECT {COLUMNS} FROM sites WHERE true"));
    if let Some(name) = &filter.name {
        q.push(" AND name = ").push_bind(name.clone());
    }
    if let Some(role) = filter.role {
        q.push(" AND role = ").push_bind(role.as_str());
    }
    if let Some((k, v)) = &filter.label {
        q.push(" AND labels @> ").push_bind(Json(BTreeMap::from([(k.clone(), v.clone())])));
    }
    page.push_to(&mut q);
    q.build_query_as().fetch_all(ex).await
}

pub async fn update(ex: impl PgExecutor<'_>, row: &SiteRow) -> Result<SiteRow, sqlx::Error> {
    sqlx::query_as(&format!(
        "UPDATE sites SET name = $2, description = $3, location = $4, labels = $5, role = $6, lan_prefixes = $7::cidr[], \
         listen_port = $8, version = version + 1, updated_at = now() WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(row.id)
    .bind(&row.name)
    .bind(&row.description)
    .bind(&row.location)
    .bind(&row.labels)
    .bind(&row.role)
    .bind(row.lan_prefixes.texts())
    .bind(row.listen_port)
    .fetch_one(ex)
    .await
}

pub async fn delete(ex: impl PgExecutor<'_>, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sites WHERE id = $1").bind(id).execute(ex).await?;
    Ok(())
}

crate::stored!(SiteRow, crate::resource::Kind::Site, "/v1/sites", Site, SiteFilter);
