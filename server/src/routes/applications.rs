//! A tenant's own applications: names, domains, prefixes and ports that policies can match by
//! name (`match.application`) beside the built-in catalogue, compiled into every site's document.

use axum::http::StatusCode;
use patronus_api::applications::{self, ApplicationProtocol, Category};
use patronus_api::{NewTenantApplication, Page, PortRange, TenantApplication, TenantApplicationUpdate};
use serde::Deserialize;
use sqlx::types::Json as SqlJson;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::db::{self, applications::ApplicationRow};
use crate::error::{ApiError, ApiResult};
use crate::extract::{IfMatch, Json, PageParams, Path, Query, Resource};
use crate::merge;
use crate::netaddr;
use crate::pagination::PageRequest;
use crate::pipeline::{Tenant, Touched};
use crate::validate::{self, Errors};

/// Applications a tenant may define.
pub const MAX_APPLICATIONS: i64 = 256;
const MAX_DOMAINS: usize = 64;
const MAX_PREFIXES: usize = 64;
const MAX_PORTS: usize = 32;
const MAX_DESCRIPTION: usize = 256;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApplicationListQuery {
    /// Only the application with this name.
    pub name: Option<String>,
    /// Only applications of this category.
    pub category: Option<Category>,
}

#[utoipa::path(get, path = "/v1/applications", tag = "applications", params(ApplicationListQuery, PageParams),
    responses((status = 200, description = "A page of the tenant's own applications (the built-in catalogue is not listed)",
        body = Page<TenantApplication>)),
    security(("tenant_auth" = [])))]
pub async fn list(
    cx: Tenant,
    Query(q): Query<ApplicationListQuery>,
    page: PageRequest,
) -> ApiResult<axum::Json<Page<TenantApplication>>> {
    // No stored name holds a NUL (PostgreSQL takes none in text): such a filter matches nothing.
    if q.name.as_deref().is_some_and(|n| n.contains('\0')) {
        return Ok(axum::Json(Page { items: vec![], next_cursor: None }));
    }
    cx.page::<ApplicationRow>(db::applications::ApplicationFilter { name: q.name, category: q.category }, page).await
}

/// Field checks of an application's values, before the database is consulted; normalises the
/// prefixes (sorted).
fn check_fields(errors: &mut Errors, row: &mut ApplicationRow) {
    if !applications::valid_application_name(&row.name) {
        errors.add("/name", "must be 1 to 64 characters of a-z, 0-9, '-' and '_'");
    } else if Category::from_name(&row.name).is_some() {
        errors.add("/name", format!("{:?} is the name of a category of applications; choose another name", row.name));
    } else if applications::builtin_names().contains(&row.name) {
        errors.add("/name", format!("{:?} is a built-in application; choose another name", row.name));
    }
    row.description = validate::text(errors, "/description", &row.description, MAX_DESCRIPTION);

    let domains = &row.domains.0;
    if domains.len() > MAX_DOMAINS {
        errors.add("/domains", format!("at most {MAX_DOMAINS} domains"));
    }
    for (i, d) in domains.iter().enumerate() {
        if !applications::valid_domain_pattern(d) {
            errors.add(
                &format!("/domains/{i}"),
                "must be a domain name (lowercase labels of a-z, 0-9 and '-', at least two) or *. and one",
            );
        } else if let Some(j) = domains[..i].iter().position(|o| o == d) {
            errors.add(&format!("/domains/{i}"), format!("is listed twice (item {j})"));
        }
    }

    if row.prefixes.0.len() > MAX_PREFIXES {
        errors.add("/prefixes", format!("at most {MAX_PREFIXES} prefixes"));
    } else {
        row.prefixes = SqlJson(netaddr::prefix_list(errors, "/prefixes", &row.prefixes.0));
    }

    let ports = &row.ports.0;
    if ports.len() > MAX_PORTS {
        errors.add("/ports", format!("at most {MAX_PORTS} ports or ranges"));
    }
    for (i, p) in ports.iter().enumerate() {
        let overlaps = |o: &PortRange| o.first() <= p.last() && p.first() <= o.last();
        if let Some(j) = ports[..i].iter().position(overlaps) {
            errors.add(&format!("/ports/{i}"), format!("overlaps {} (item {j})", ports[j]));
        }
    }
    if ports.is_empty() && row.protocol() != ApplicationProtocol::Any {
        errors.add("/protocol", "applies to ports: tcp or udp needs at least one port (or use any)");
    }
    if domains.is_empty() && row.prefixes.0.is_empty() && ports.is_empty() {
        errors.add("/domains", "an application needs at least one domain, prefix or port");
    }
}

/// The names of the policies whose `match.application` names `name`, as a 409 when there are.
async fn refuse_if_used(conn: &mut sqlx::PgConnection, name: &str, what: &str) -> ApiResult<()> {
    let users = db::policies::names_using_application(conn, name).await?;
    if users.is_empty() {
        return Ok(());
    }
    Err(ApiError::Conflict {
        detail: format!(
            "application {name:?} is used by policy {} (match.application); {what}",
            users.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ")
        ),
        pointer: None,
    })
}

#[utoipa::path(post, path = "/v1/applications", tag = "applications", request_body = NewTenantApplication,
    responses((status = 201, description = "Created; every site's document carries it", body = TenantApplication,
            headers(("ETag" = String), ("Location" = String))),
        (status = 409, description = "The name is taken, or the tenant has 256 applications already",
            body = patronus_api::Problem, content_type = "application/problem+json")),
    security(("tenant_auth" = [])))]
pub async fn create(cx: Tenant, Json(body): Json<NewTenantApplication>) -> ApiResult<Resource<TenantApplication>> {
    let now = chrono::Utc::now();
    let mut row = ApplicationRow {
        id: Uuid::now_v7(),
        tenant_id: cx.tenant_id(),
        name: body.name,
        category: body.category.name().to_string(),
        description: body.description,
        domains: SqlJson(body.domains),
        prefixes: SqlJson(body.prefixes),
        protocol: db::applications::protocol_text(body.protocol).to_string(),
        ports: SqlJson(body.ports),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let mut errors = Errors::new();
    check_fields(&mut errors, &mut row);
    errors.check()?;
    let mut w = cx.network_write().await?;
    if db::applications::count(w.conn()).await? >= MAX_APPLICATIONS {
        return Err(ApiError::QuotaExceeded { quota: "max_applications", limit: MAX_APPLICATIONS });
    }
    let created = db::applications::insert(w.conn(), &row).await?;
    w.created(&created, Touched::Policies).await
}

#[utoipa::path(get, path = "/v1/applications/{id}", tag = "applications", params(("id" = Uuid, Path)),
    responses((status = 200, description = "The application", body = TenantApplication, headers(("ETag" = String)))),
    security(("tenant_auth" = [])))]
pub async fn get(cx: Tenant, Path(id): Path<Uuid>) -> ApiResult<Resource<TenantApplication>> {
    cx.one::<ApplicationRow>(id).await
}

#[utoipa::path(patch, path = "/v1/applications/{id}", tag = "applications", params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "The ETag the change is based on")),
    request_body = TenantApplicationUpdate,
    responses((status = 200, description = "Updated; a list given replaces the whole list", body = TenantApplication,
            headers(("ETag" = String))),
        (status = 409, description = "The new name is taken, or a policy names the application and it is renamed",
            body = patronus_api::Problem, content_type = "application/problem+json")),
    security(("tenant_auth" = [])))]
pub async fn update(
    cx: Tenant,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    Json(body): Json<TenantApplicationUpdate>,
) -> ApiResult<Resource<TenantApplication>> {
    let mut w = cx.network_write().await?;
    let current: ApplicationRow = w.current(id, &if_match).await?;
    let mut next = current.clone();
    merge!(body => next: name, description);
    if let Some(c) = body.category {
        next.category = c.name().to_string();
    }
    if let Some(p) = body.protocol {
        next.protocol = db::applications::protocol_text(p).to_string();
    }
    if let Some(d) = body.domains {
        next.domains = SqlJson(d);
    }
    if let Some(p) = body.prefixes {
        next.prefixes = SqlJson(p);
    }
    if let Some(p) = body.ports {
        next.ports = SqlJson(p);
    }
    let mut errors = Errors::new();
    check_fields(&mut errors, &mut next);
    errors.check()?;
    if next == current {
        return Ok(w.unchanged(&current));
    }
    if next.name != current.name {
        refuse_if_used(w.conn(), &current.name, "change those first or keep the name").await?;
    }
    let updated = db::applications::update(w.conn(), &next).await?;
    w.updated(&current, &updated, Touched::Policies).await
}

#[utoipa::path(delete, path = "/v1/applications/{id}", tag = "applications", params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "The ETag the deletion is based on")),
    responses((status = 204, description = "Deleted; the sites' documents no longer carry it"),
        (status = 409, description = "A policy's `match.application` names the application", body = patronus_api::Problem,
            content_type = "application/problem+json")),
    security(("tenant_auth" = [])))]
pub async fn delete(cx: Tenant, Path(id): Path<Uuid>, if_match: IfMatch) -> ApiResult<StatusCode> {
    let mut w = cx.network_write().await?;
    let current: ApplicationRow = w.current(id, &if_match).await?;
    refuse_if_used(w.conn(), &current.name, "change or delete those first").await?;
    db::applications::delete(w.conn(), id).await?;
    w.deleted(&current, Touched::Policies).await
}
