//! Sites: a location of the tenant's network with its LAN prefixes, and its compiled document.

use axum::http::StatusCode;
use std::collections::HashSet;

use patronus_api::{CompiledConfig, NewSite, Page, Site, SiteLink, SiteRole, SiteUpdate};
use serde::Deserialize;
use sqlx::types::Json as SqlJson;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::compiler;
use crate::db::links::{LinkRow, SetChange};
use crate::db::{self, sites::SiteRow};
use crate::error::{ApiError, ApiResult};
use crate::extract::{IfMatch, Json, PageParams, Path, Query, Resource};
use crate::merge;
use crate::netaddr;
use crate::pagination::PageRequest;
use crate::pipeline::{Tenant, Touched};
use crate::resource::Kind;
use crate::routes::links;
use crate::validate::{self, Errors};

/// The agent reports at most 64 links (`routes::agent`), so a site has no more.
const MAX_LINKS_PER_SITE: usize = 64;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SiteListQuery {
    /// Only the site with this name.
    pub name: Option<String>,
    pub role: Option<SiteRole>,
    /// Only sites carrying this label, as `key=value`.
    #[param(pattern = "=")]
    pub label: Option<String>,
}

#[utoipa::path(get, path = "/v1/sites", tag = "sites", params(SiteListQuery, PageParams),
    responses((status = 200, description = "A page of sites", body = Page<Site>)),
    security(("tenant_auth" = [])))]
pub async fn list(cx: Tenant, Query(q): Query<SiteListQuery>, page: PageRequest) -> ApiResult<axum::Json<Page<Site>>> {
    let label = match q.label.as_deref() {
        None => None,
        Some(l) => Some(
            l.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .ok_or_else(|| ApiError::field("/query/label", "must be key=value"))?,
        ),
    };
    // No stored name or label holds a NUL (PostgreSQL takes none in text or JSON, and would
    // refuse the query): such a filter matches nothing.
    let nul = |t: &str| t.contains('\0');
    if q.name.as_deref().is_some_and(nul) || label.as_ref().is_some_and(|(k, v)| nul(k) || nul(v)) {
        return Ok(axum::Json(Page { items: vec![], next_cursor: None }));
    }
    cx.page::<SiteRow>(db::sites::SiteFilter { name: q.name, role: q.role, label }, page).await
}

/// Field checks of a site's values, before the database is consulted.
fn check_fields(errors: &mut Errors, row: &mut SiteRow) -> Vec<ipnet::IpNet> {
    row.name = validate::name(errors, "/name", &row.name);
    row.description = validate::text(errors, "/description", &row.description, 1000);
    row.location = validate::text(errors, "/location", &row.location, 200);
    row.labels = SqlJson(validate::labels(errors, "/labels", &row.labels.0));
    if row.lan_prefixes.0.len() > 256 {
        errors.add("/lan_prefixes", "at most 256 prefixes");
    }
    let nets = netaddr::prefix_list(errors, "/lan_prefixes", &row.lan_prefixes.0);
    if row.listen_port == 0 {
        errors.add("/listen_port", "must be between 1 and 65535");
    }
    nets
}

/// The link set a site's body lists, as rows of the site, each checked under `/links/{i}`.
fn link_set(errors: &mut Errors, site: &SiteRow, given: Vec<SiteLink>) -> Vec<LinkRow> {
    if given.len() > MAX_LINKS_PER_SITE {
        errors.add("/links", format!("at most {MAX_LINKS_PER_SITE} links"));
    }
    let mut names = HashSet::new();
    let mut rows = Vec::with_capacity(given.len());
    for (i, spec) in given.into_iter().enumerate() {
        let mut row = LinkRow::new(site.tenant_id, site.id, spec);
        links::check_fields(errors, &format!("/links/{i}"), &mut row);
        if !names.insert(row.name.clone()) {
            errors.add(&format!("/links/{i}/name"), format!("another link in the list is named {:?}", row.name));
        }
        rows.push(row);
    }
    rows
}

/// Checks that the site's LAN prefixes collide neither with the overlay nor with another site's.
/// `given` is the list as the request gave it, so that errors point at the caller's indices.
async fn check_prefixes(
    conn: &mut sqlx::PgConnection,
    site_id: Uuid,
    given: &[ipnet::IpNet],
    nets: &[ipnet::IpNet],
    overlay: ipnet::Ipv4Net,
) -> ApiResult<()> {
    let pointer_of = |prefix: Option<ipnet::IpNet>| {
        let i = given.iter().position(|p| Some(*p) == prefix);
        format!("/lan_prefixes/{}", i.unwrap_or(0))
    };
    let mut errors = Errors::new();
    for net in nets {
        if netaddr::overlaps(net, &ipnet::IpNet::V4(overlay)) {
            errors.add(&pointer_of(Some(*net)), format!("overlaps the tenant's overlay prefix {overlay}"));
        }
    }
    errors.check()?;
    if let Some((site, theirs, ours)) = db::sites::overlapping_prefix(&mut *conn, site_id, nets).await? {
        return Err(ApiError::field(pointer_of(ours.parse().ok()), format!("overlaps {theirs} of site {site:?}")));
    }
    if let Some((site, theirs, ours)) = db::bgp::overlapping_network(&mut *conn, site_id, nets).await? {
        return Err(ApiError::field(
            pointer_of(ours.parse().ok()),
            format!("overlaps {theirs}, advertised over BGP by site {site:?}"),
        ));
    }
    // The site's own BGP neighbours must stay inside its LAN prefixes.
    if let Some(bgp) = db::bgp::get(&mut *conn, site_id).await? {
        if let Some(n) = bgp.neighbors.0.iter().find(|n| !nets.iter().any(|p| p.contains(&n.address))) {
            return Err(ApiError::field(
                "/lan_prefixes",
                format!("the site's BGP neighbour {} would be outside its LAN prefixes", n.address),
            ));
        }
    }
    Ok(())
}

#[utoipa::path(post, path = "/v1/sites", tag = "sites", request_body = NewSite,
    responses((status = 201, description = "Created, with its overlay address allocated", body = Site,
        headers(("ETag" = String), ("Location" = String)))),
    security(("tenant_auth" = [])))]
pub async fn create(cx: Tenant, Json(body): Json<NewSite>) -> ApiResult<Resource<Site>> {
    let tenant_id = cx.tenant_id();
    let now = chrono::Utc::now();
    let mut row = SiteRow {
        id: Uuid::now_v7(),
        tenant_id,
        name: body.name,
        description: body.description,
        location: body.location,
        labels: SqlJson(body.labels),
        role: body.role.as_str().to_string(),
        lan_prefixes: body.lan_prefixes.into(),
        listen_port: i32::from(body.listen_port),
        overlay_offset: 0,
        overlay_address: String::new(),
        links: SqlJson(Vec::new()),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let mut errors = Errors::new();
    let nets = check_fields(&mut errors, &mut row);
    let links = body.links.map(|given| link_set(&mut errors, &row, given)).unwrap_or_default();
    errors.check()?;
    let given = std::mem::replace(&mut row.lan_prefixes.0, nets.clone());

    let mut w = cx.network_write().await?;
    let max_sites = w.tenant_row()?.max_sites;
    // The network at the locked revision has every site: no count over the table.
    if w.network_before()?.sites.len() >= usize::try_from(max_sites).unwrap_or(0) {
        return Err(ApiError::QuotaExceeded { quota: "max_sites", limit: i64::from(max_sites) });
    }
    let overlay = db::topology::get_or_create(w.conn(), tenant_id).await?.overlay();
    check_prefixes(w.conn(), row.id, &given, &nets, overlay).await?;
    let offset =
        db::sites::free_overlay_offset(w.conn(), netaddr::host_capacity(&overlay)).await?.ok_or_else(|| {
            ApiError::Conflict {
                detail: format!("the overlay prefix {overlay} has no free address left"),
                pointer: None,
            }
        })?;
    row.overlay_offset = offset;
    row.overlay_address = netaddr::host_address(&overlay, offset as u32).to_string();
    let mut created = db::sites::insert(w.conn(), &row).await?;
    if !links.is_empty() {
        SetChange::between(&[], links).apply(w.conn()).await?;
        created = db::sites::get(w.conn(), created.id).await?.ok_or(ApiError::NotFound(Kind::Site))?;
    }
    w.created(&created, Touched::Site(created.id)).await
}

#[utoipa::path(get, path = "/v1/sites/{id}", tag = "sites", params(("id" = Uuid, Path)),
    responses((status = 200, description = "The site", body = Site, headers(("ETag" = String)))),
    security(("tenant_auth" = [])))]
pub async fn get(cx: Tenant, Path(id): Path<Uuid>) -> ApiResult<Resource<Site>> {
    cx.one::<SiteRow>(id).await
}

#[utoipa::path(patch, path = "/v1/sites/{id}", tag = "sites", params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "The ETag the change is based on")),
    request_body = SiteUpdate,
    responses((status = 200, description = "Updated", body = Site, headers(("ETag" = String)))),
    security(("tenant_auth" = [])))]
pub async fn update(
    cx: Tenant,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    Json(body): Json<SiteUpdate>,
) -> ApiResult<Resource<Site>> {
    let mut w = cx.network_write().await?;
    let current: SiteRow = w.current(id, &if_match).await?;
    let mut next = current.clone();
    merge!(body => next: name, description, location, labels, lan_prefixes, listen_port);
    if let Some(v) = body.role {
        next.role = v.as_str().to_string();
    }
    let mut errors = Errors::new();
    let nets = check_fields(&mut errors, &mut next);
    let links = body.links.map(|given| SetChange::between(&current.links, link_set(&mut errors, &current, given)));
    errors.check()?;
    let given = std::mem::replace(&mut next.lan_prefixes.0, nets.clone());
    let links = links.unwrap_or_default();
    if next == current && links.is_empty() {
        return Ok(w.unchanged(&current));
    }
    if next != current {
        let overlay = db::topology::get_or_create(w.conn(), cx.tenant_id()).await?.overlay();
        check_prefixes(w.conn(), id, &given, &nets, overlay).await?;
    }
    // Links first, so that the site's row read back (by its UPDATE, or else by a read) shows them.
    links.apply(w.conn()).await?;
    let updated = if next != current {
        db::sites::update(w.conn(), &next).await?
    } else {
        db::sites::get(w.conn(), id).await?.ok_or(ApiError::NotFound(Kind::Site))?
    };
    w.updated(&current, &updated, Touched::Site(id)).await
}

#[utoipa::path(delete, path = "/v1/sites/{id}", tag = "sites", params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "The ETag the deletion is based on")),
    responses((status = 204, description = "Deleted with its links and peerings; its overlay address is free again")),
    security(("tenant_auth" = [])))]
pub async fn delete(cx: Tenant, Path(id): Path<Uuid>, if_match: IfMatch) -> ApiResult<StatusCode> {
    let mut w = cx.network_write().await?;
    let current: SiteRow = w.current(id, &if_match).await?;
    db::sites::delete(w.conn(), id).await?;
    // The site's agent went with it.
    w.forget_credentials();
    w.deleted(&current, Touched::Site(id)).await
}

#[utoipa::path(get, path = "/v1/sites/{id}/config", tag = "sites", params(("id" = Uuid, Path)),
    responses((status = 200, description = "The site's compiled document, as its agent will receive it but for BGP neighbours' passwords (shown as \"[REDACTED]\")", body = CompiledConfig,
        headers(("ETag" = String, description = "The document's content hash, quoted")))),
    security(("tenant_auth" = [])))]
pub async fn config(cx: Tenant, Path(id): Path<Uuid>) -> ApiResult<Resource<CompiledConfig>> {
    let tenant_id = cx.tenant_id();
    let (network, stored_hash, revision) = loop {
        let mut tx = db::tenant_tx(&cx.app.pool, tenant_id).await?;
        db::sites::get(&mut *tx, id).await?.ok_or(ApiError::NotFound(Kind::Site))?;
        let recorded = db::site_configs::get_at_tenant_revision(&mut *tx, tenant_id, id).await?;
        db::end_read(tx);
        let (tenant_revision, stored) = recorded.ok_or(ApiError::NotFound(Kind::Site))?;
        let (stored_hash, revision) = stored.unwrap_or_default();
        let snapshot = cx.app.networks.at_least(&cx.app.pool, tenant_id, tenant_revision).await?;
        // A write landed between the two reads: read again so hash and document agree.
        if snapshot.revision == tenant_revision {
            break (snapshot.network.clone(), stored_hash, revision);
        }
    };
    let mut config = compiler::compile_site(&network, id, revision).ok_or(ApiError::NotFound(Kind::Site))?;
    let hash = compiler::content_hash(&config);
    if hash != stored_hash {
        tracing::error!(site = %id, "compiled document does not match its recorded hash");
    }
    // Only the site's agent gets the BGP passwords; the hash is the agent's document's.
    for neighbor in config.bgp.iter_mut().flat_map(|b| b.neighbors.iter_mut()) {
        if neighbor.password.is_some() {
            neighbor.password = Some(crate::audit::REDACTED.to_string());
        }
    }
    Ok(Resource::ok(format!("\"{hash}\""), CompiledConfig { hash, revision, config }))
}
