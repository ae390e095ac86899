use chrono::{DateTime, Utc};
use patronus_api::{Endpoint, Link, LinkKind, SiteLink};
use sqlx::{PgExecutor, QueryBuilder};
use uuid::Uuid;

use crate::pagination::PageRequest;
use crate::resource::etag;

/// Also read from JSON: a site's row carries its links as `to_jsonb` of theirs.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Deserialize)]
pub struct LinkRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub site_id: Uuid,
    pub name: String,
    pub interface: String,
    pub kind: String,
    pub endpoint: Option<String>,
    pub bandwidth_up_mbps: i64,
    pub bandwidth_down_mbps: i64,
    pub cost: i64,
    pub priority: i64,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn u32_of(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

impl LinkRow {
    /// A new link of `site_id`, as a request describes it.
    pub fn new(tenant_id: Uuid, site_id: Uuid, spec: SiteLink) -> LinkRow {
        let now = Utc::now();
        LinkRow {
            id: Uuid::now_v7(),
            tenant_id,
            site_id,
            name: spec.name,
            interface: spec.interface,
            kind: spec.kind.as_str().to_string(),
            endpoint: spec.endpoint.map(|e| e.to_string()),
            bandwidth_up_mbps: i64::from(spec.bandwidth_up_mbps),
            bandwidth_down_mbps: i64::from(spec.bandwidth_down_mbps),
            cost: i64::from(spec.cost),
            priority: i64::from(spec.priority),
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    /// Whether two rows describe the same link (the values a request can set).
    fn same_spec(&self, other: &LinkRow) -> bool {
        (&self.interface, &self.kind, &self.endpoint, self.bandwidth_up_mbps, self.bandwidth_down_mbps)
            == (&other.interface, &other.kind, &other.endpoint, other.bandwidth_up_mbps, other.bandwidth_down_mbps)
            && (self.cost, self.priority) == (other.cost, other.priority)
    }
    /// The endpoint, parsed. It was written from an `Endpoint`, so it parses; text that does not
    /// (put into the database by hand) is logged and taken as no endpoint.
    pub fn endpoint(&self) -> Option<Endpoint> {
        let text = self.endpoint.as_deref()?;
        text.parse()
            .map_err(|err| tracing::error!(link = %self.id, endpoint = text, "stored endpoint does not parse: {err}"))
            .ok()
    }

    pub fn kind(&self) -> LinkKind {
        LinkKind::parse(&self.kind).unwrap_or(LinkKind::Other)
    }

    pub fn etag(&self) -> String {
        etag(self.version)
    }

    pub fn to_api(&self) -> Link {
        Link {
            id: self.id,
            site_id: self.site_id,
            name: self.name.clone(),
            interface: self.interface.clone(),
            kind: self.kind(),
            endpoint: self.endpoint(),
            bandwidth_up_mbps: u32_of(self.bandwidth_up_mbps),
            bandwidth_down_mbps: u32_of(self.bandwidth_down_mbps),
            cost: u32_of(self.cost),
            priority: u32_of(self.priority),
            created_at: self.created_at,
            updated_at: self.updated_at,
            etag: self.etag(),
        }
    }

    pub fn to_config(&self) -> patronus_api::ConfigLink {
        patronus_api::ConfigLink {
            name: self.name.clone(),
            interface: self.interface.clone(),
            kind: self.kind(),
            endpoint: self.endpoint(),
            bandwidth_up_mbps: u32_of(self.bandwidth_up_mbps),
            bandwidth_down_mbps: u32_of(self.bandwidth_down_mbps),
            cost: u32_of(self.cost),
            priority: u32_of(self.priority),
        }
    }
}

pub const COLUMNS: &str =
    "id, tenant_id, site_id, name, interface, kind, endpoint, bandwidth_up_mbps, bandwidth_down_mbps, \
    cost, priority, version, created_at, updated_at";

pub async fn insert(ex: impl PgExecutor<'_>, row: &LinkRow) -> Result<LinkRow, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO links (id, tenant_id, site_id, name, interface, kind, endpoint, bandwidth_up_mbps, bandwidth_down_mbps, \
         cost, priority) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING {COLUMNS}"
    ))
    .bind(row.id)
    .bind(row.tenant_id)
    .bind(row.site_id)
    .bind(&row.name)
    .bind(&row.interface)
    .bind(&row.kind)
    .bind(&row.endpoint)
    .bind(row.bandwidth_up_mbps)
    .bind(row.bandwidth_down_mbps)
    .bind(row.cost)
    .bind(row.priority)
    .fetch_one(ex)
    .await
}

pub async fn get(ex: impl PgExecutor<'_>, id: Uuid) -> Result<Option<LinkRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM links WHERE id = $1")).bind(id).fetch_optional(ex).await
}

pub async fn lock(ex: impl PgExecutor<'_>, id: Uuid) -> Result<Option<LinkRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM links WHERE id = $1 FOR UPDATE")).bind(id).fetch_optional(ex).await
}

/// What turns a site's link set into another, matched by name.
#[derive(Debug, Default, PartialEq)]
pub struct SetChange {
    pub insert: Vec<LinkRow>,
    /// Existing links with new values, under their own ids.
    pub update: Vec<LinkRow>,
    pub delete: Vec<Uuid>,
}

impl SetChange {
    /// From the links a site has to the ones a request lists (names unique, already checked).
    pub fn between(current: &[LinkRow], desired: Vec<LinkRow>) -> SetChange {
        let mut change = SetChange::default();
        for link in current {
            if !desired.iter().any(|d| d.name == link.name) {
                change.delete.push(link.id);
            }
        }
        for mut link in desired {
            match current.iter().find(|c| c.name == link.name) {
                Some(existing) if existing.same_spec(&link) => {}
                Some(existing) => {
                    link.id = existing.id;
                    change.update.push(link);
                }
                None => change.insert.push(link),
            }
        }
        change
    }

    pub fn is_empty(&self) -> bool {
        self.insert.is_empty() && self.update.is_empty() && self.delete.is_empty()
    }

    /// Deletes first, so that a name freed and taken again in one request does not clash.
    pub async fn apply(&self, conn: &mut sqlx::PgConnection) -> Result<(), sqlx::Error> {
        for id in &self.delete {
            delete(&mut *conn, *id).await?;
        }
        for link in &self.update {
            update(&mut *conn, link).await?;
        }
        for link in &self.insert {
            insert(&mut *conn, link).await?;
        }
        Ok(())
    }
}

/// Whether any link of the tenant has this name (policies refer to links by name).
pub async fn name_exists(ex: impl PgExecutor<'_>, name: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM links WHERE name = $1)").bind(name).fetch_one(ex).await
}

#[derive(Default)]
pub struct LinkFilter {
    pub site_id: Option<Uuid>,
    pub name: Option<String>,
}

pub async fn list(
    ex: impl PgExecutor<'_>,
    filter: &LinkFilter,
    page: &PageRequest,
) -> Result<Vec<LinkRow>, sqlx::Error> {
    let mut q = QueryBuilder::new(format!("SELECT {COLUMNS} FROM links WHERE true"));
    if let Some(site_id) = filter.site_id {
        q.push(" AND site_id = ").push_bind(site_id);
    }
    if let Some(name) = &filter.name {
        q.push(" AND name = ").push_bind(name.clone());
    }
    page.push_to(&mut q);
    q.build_query_as().fetch_all(ex).await
}

pub async fn update(ex: impl PgExecutor<'_>, row: &LinkRow) -> Result<LinkRow, sqlx::Error> {
    sqlx::query_as(&format!(
        "UPDATE links SET name = $2, interface = $3, kind = $4, endpoint = $5, bandwidth_up_mbps = $6, \
         bandwidth_down_mbps = $7, cost = $8, priority = $9, version = version + 1, updated_at = now() \
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(row.id)
    .bind(&row.name)
    .bind(&row.interface)
    .bind(&row.kind)
    .bind(&row.endpoint)
    .bind(row.bandwidth_up_mbps)
    .bind(row.bandwidth_down_mbps)
    .bind(row.cost)
    .bind(row.priority)
    .fetch_one(ex)
    .await
}

pub async fn delete(ex: impl PgExecutor<'_>, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM links WHERE id = $1").bind(id).execute(ex).await?;
    Ok(())
}

crate::stored!(LinkRow, crate::resource::Kind::Link, "/v1/links", Link, LinkFilter);

#[cfg(test)]
mod tests {
    use super::*;

    fn link(name: &str, cost: u32) -> LinkRow {
        let spec = SiteLink {
            name: name.to_string(),
            interface: "eth1".to_string(),
            kind: LinkKind::Fiber,
            endpoint: None,
            bandwidth_up_mbps: 100,
            bandwidth_down_mbps: 100,
            cost,
            priority: 100,
        };
        LinkRow::new(Uuid::nil(), Uuid::nil(), spec)
    }

    #[test]
    fn a_set_change_keeps_what_is_equal_updates_in_place_and_deletes_the_unlisted() {
        let current = vec![link("fiber", 1), link("lte", 5), link("dsl", 2)];
        let desired = vec![link("fiber", 1), link("lte", 9), link("5g", 3)];
        let change = SetChange::between(&current, desired);
        assert_eq!(change.delete, vec![current[2].id]);
        assert_eq!(change.update.len(), 1);
        assert_eq!((change.update[0].id, change.update[0].cost), (current[1].id, 9));
        assert_eq!(change.insert.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(), ["5g"]);
        assert!(SetChange::between(&current, current.clone()).is_empty());
        assert_eq!(SetChange::between(&current, Vec::new()).delete.len(), 3);
    }
}
