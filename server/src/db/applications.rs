//! A tenant's own applications (`/v1/applications`).

use chrono::{DateTime, Utc};
use patronus_api::applications::{ApplicationProtocol, Category};
use patronus_api::{IpNet, PortRange, TenantApplication};
use sqlx::types::Json;
use sqlx::{PgExecutor, QueryBuilder};
use uuid::Uuid;

use crate::pagination::PageRequest;
use crate::resource::etag;

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ApplicationRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    pub category: String,
    pub description: String,
    pub domains: Json<Vec<String>>,
    pub prefixes: Json<Vec<IpNet>>,
    pub protocol: String,
    pub ports: Json<Vec<PortRange>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The column's text of a protocol.
pub fn protocol_text(p: ApplicationProtocol) -> &'static str {
    match p {
        ApplicationProtocol::Any => "any",
        ApplicationProtocol::Tcp => "tcp",
        ApplicationProtocol::Udp => "udp",
    }
}

fn protocol_of(text: &str) -> ApplicationProtocol {
    match text {
        "tcp" => ApplicationProtocol::Tcp,
        "udp" => ApplicationProtocol::Udp,
        // The column's CHECK allows nothing else.
        _ => ApplicationProtocol::Any,
    }
}

impl ApplicationRow {
    pub fn etag(&self) -> String {
        etag(self.version)
    }

    /// The category; rows are written from a `Category` only.
    pub fn category(&self) -> Category {
        Category::from_name(&self.category).unwrap_or(Category::Web)
    }

    pub fn protocol(&self) -> ApplicationProtocol {
        protocol_of(&self.protocol)
    }

    pub fn to_api(&self) -> TenantApplication {
        TenantApplication {
            id: self.id,
            name: self.name.clone(),
            category: self.category(),
            description: self.description.clone(),
            domains: self.domains.0.clone(),
            prefixes: self.prefixes.0.clone(),
            protocol: self.protocol(),
            ports: self.ports.0.clone(),
            created_at: self.created_at,
            updated_at: self.updated_at,
            etag: self.etag(),
        }
    }
}

const COLUMNS: &str =
    "id, tenant_id, name, category, description, domains, prefixes, protocol, ports, version, created_at, updated_at";

pub async fn insert(ex: impl PgExecutor<'_>, row: &ApplicationRow) -> Result<ApplicationRow, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO applications (id, tenant_id, name, category, description, domains, prefixes, protocol, ports) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {COLUMNS}"
    ))
    .bind(row.id)
    .bind(row.tenant_id)
    .bind(&row.name)
    .bind(&row.category)
    .bind(&row.description)
    .bind(&row.domains)
    .bind(&row.prefixes)
    .bind(&row.protocol)
    .bind(&row.ports)
    .fetch_one(ex)
    .await
}

pub async fn get(ex: impl PgExecutor<'_>, id: Uuid) -> Result<Option<ApplicationRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM applications WHERE id = $1")).bind(id).fetch_optional(ex).await
}

pub async fn lock(ex: impl PgExecutor<'_>, id: Uuid) -> Result<Option<ApplicationRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM applications WHERE id = $1 FOR UPDATE"))
        .bind(id)
        .fetch_optional(ex)
        .await
}

/// Whether the tenant has an application named `name`.
pub async fn name_exists(ex: impl PgExecutor<'_>, name: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM applications WHERE name = $1)").bind(name).fetch_one(ex).await
}

pub async fn count(ex: impl PgExecutor<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM applications").fetch_one(ex).await
}

/// Every application of the tenant (in no particular order: the compiler sorts them).
pub async fn all(ex: impl PgExecutor<'_>) -> Result<Vec<ApplicationRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM applications")).fetch_all(ex).await
}

#[derive(Default)]
pub struct ApplicationFilter {
    pub name: Option<String>,
    pub category: Option<Category>,
}

pub async fn list(
    ex: impl PgExecutor<'_>,
    filter: &ApplicationFilter,
    page: &PageRequest,
) -> Result<Vec<ApplicationRow>, sqlx::Error> {
    let mut q = QueryBuilder::new(format!("SELECT {COLUMNS} FROM applications WHERE true"));
    if let Some(name) = &filter.name {
        q.push(" AND name = ").push_bind(name.clone());
    }
    if let Some(category) = filter.category {
        q.push(" AND category = ").push_bind(category.name());
    }
    page.push_to(&mut q);
    q.build_query_as().fetch_all(ex).await
}

pub async fn update(ex: impl PgExecutor<'_>, row: &ApplicationRow) -> Result<ApplicationRow, sqlx::Error> {
    sqlx::query_as(&format!(
        "UPDATE applications SET name = $2, category = $3, description = $4, domains = $5, prefixes = $6, \
         protocol = $7, ports = $8, version = version + 1, updated_at = now() WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(row.id)
    .bind(&row.name)
    .bind(&row.category)
    .bind(&row.description)
    .bind(&row.domains)
    .bind(&row.prefixes)
    .bind(&row.protocol)
    .bind(&row.ports)
    .fetch_one(ex)
    .await
}

pub async fn delete(ex: impl PgExecutor<'_>, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM applications WHERE id = $1").bind(id).execute(ex).await?;
    Ok(())
}

crate::stored!(
    ApplicationRow,
    crate::resource::Kind::Application,
    "/v1/applications",
    patronus_api::TenantApplication,
    ApplicationFilter
);
