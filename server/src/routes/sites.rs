//! Sites: a location of the tenant's network with its LAN prefixes, and its compiled document.

use axum::extract::State;
use axum::http::StatusCode;
use patronus_api::{CompiledConfig, NewSite, Page, Role, Site, SiteRole, SiteUpdate};
use serde::Deserialize;
use sqlx::types::Json as SqlJson;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::app::AppState;
use crate::audit::Change;
use crate::auth::TenantCaller;
use crate::compiler;
use crate::config_sync::{self, commit_change, network_before};
use crate::db::{self, sites::SiteRow};
use crate::error::{ApiError, ApiResult};
use crate::extract::{IfMatch, Json, Path, Query, Resource};
use crate::netaddr;
use crate::pagination::PageRequest;
use crate::validate::{self, Errors};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SiteListQuery {
    /// Only the site with this name.
    pub name: Option<String>,
    pub role: Option<SiteRole>,
    /// Only sites carrying this label, as `key=value`.
    #[param(pattern = "=")]
    pub label: Option<String>,
    /// The `next_cursor` of the previous page (opaque); the first page when absent or empty.
    #[param(pattern = r"^([A-Za-z0-9_-]{21}[AQgw])?$")]
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/v1/sites", tag = "sites", params(SiteListQuery),
    responses((status = 200, description = "A page of sites", body = Page<Site>)),
    security(("tenant_auth" = [])))]
pub async fn list(
    State(app): State<AppState>,
    caller: TenantCaller,
    Query(q): Query<SiteListQuery>,
) -> ApiResult<axum::Json<Page<Site>>> {
    let page = PageRequest::new(q.cursor.as_deref(), q.limit)?;
    let label = match q.label.as_deref() {
        None => None,
        Some(l) => Some(
            l.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .ok_or_else(|| ApiError::field("/query/label", "must be key=value"))?,
        ),
    };
    let filter = db::sites::SiteFilter { name: q.name, role: q.role, label };
    let mut tx = db::tenant_tx(&app.pool, caller.tenant_id()).await?;
    let rows = db::sites::list(&mut *tx, &filter, &page).await?;
    db::end_read(tx);
    Ok(axum::Json(page.finish(rows, |r| r.id, |r| r.to_api())))
}

/// Field checks of a site's values, before the database is consulted.
fn check_fields(errors: &mut Errors, row: &mut SiteRow) -> Vec<ipnet::IpNet> {
    row.name = validate::name(errors, "/name", &row.name);
    row.description = validate::text(errors, "/description", &row.description, 1000);
    row.location = validate::text(errors, "/location", &row.location, 200);
    row.labels = SqlJson(validate::labels(errors, "/labels", &row.labels.0));
    if row.lan_prefixes.len() > 256 {
        errors.add("/lan_prefixes", "at most 256 prefixes");
    }
    let nets = netaddr::prefix_list(errors, "/lan_prefixes", &row.lan_prefixes);
    if row.listen_port == 0 {
        errors.add("/listen_port", "must be between 1 and 65535");
    }
    nets
}

/// Checks that the site's LAN prefixes collide neither with the overlay nor with another site's.
/// `given` is the list as the request gave it, so that errors point at the caller's indices.
async fn check_prefixes(
    tx: &mut db::Tx,
    site_id: Uuid,
    given: &[String],
    nets: &[ipnet::IpNet],
    overlay: ipnet::Ipv4Net,
) -> ApiResult<()> {
    let pointer_of = |prefix: &str| {
        let i =
            given.iter().position(|p| p.parse::<ipnet::IpNet>().ok().map(|n| n.to_string()).as_deref() == Some(prefix));
        format!("/lan_prefixes/{}", i.unwrap_or(0))
    };
    let mut errors = Errors::new();
    for net in nets {
        if netaddr::overlaps(net, &ipnet::IpNet::V4(overlay)) {
            errors.add(&pointer_of(&net.to_string()), format!("overlaps the tenant's overlay prefix {overlay}"));
        }
    }
    errors.check()?;
    let texts: Vec<String> = nets.iter().map(|n| n.to_string()).collect();
    if let Some((site, theirs, ours)) = db::sites::overlapping_prefix(&mut **tx, site_id, &texts).await? {
        return Err(ApiError::field(pointer_of(&ours), format!("overlaps {theirs} of site {site:?}")));
    }
    Ok(())
}

#[utoipa::path(post, path = "/v1/sites", tag = "sites", request_body = NewSite,
    responses((status = 201, description = "Created, with its overlay address allocated", body = Site,
        headers(("ETag" = String), ("Location" = String)))),
    security(("tenant_auth" = [])))]
pub async fn create(
    State(app): State<AppState>,
    caller: TenantCaller,
    Json(body): Json<NewSite>,
) -> ApiResult<Resource<Site>> {
    caller.require(Role::Operator)?;
    let tenant_id = caller.tenant_id();
    let now = chrono::Utc::now();
    let mut row = SiteRow {
        id: Uuid::now_v7(),
        tenant_id,
        name: body.name,
        description: body.description,
        location: body.location,
        labels: SqlJson(body.labels),
        role: body.role.as_str().to_string(),
        lan_prefixes: body.lan_prefixes,
        listen_port: i32::from(body.listen_port),
        overlay_offset: 0,
        overlay_address: String::new(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let mut errors = Errors::new();
    let nets = check_fields(&mut errors, &mut row);
    errors.check()?;
    let given = std::mem::replace(&mut row.lan_prefixes, nets.iter().map(|n| n.to_string()).collect());

    let (mut tx, tenant) = db::tenant_write_tx(&app.pool, tenant_id).await?.ok_or(ApiError::NotFound("tenant"))?;
    let before = network_before(&mut tx, &app, &tenant).await?;
    if db::sites::count(&mut *tx).await? >= i64::from(tenant.max_sites) {
        return Err(ApiError::QuotaExceeded { quota: "max_sites", limit: i64::from(tenant.max_sites) });
    }
    let topology = db::topology::get_or_create(&mut tx, tenant_id).await?;
    let overlay = topology.overlay();
    check_prefixes(&mut tx, row.id, &given, &nets, overlay).await?;
    let offset = db::sites::free_overlay_offset(&mut tx, netaddr::host_capacity(&overlay)).await?.ok_or_else(|| {
        ApiError::Conflict { detail: format!("the overlay prefix {overlay} has no free address left"), pointer: None }
    })?;
    row.overlay_offset = offset;
    row.overlay_address = netaddr::host_address(&overlay, offset as u32).to_string();
    let created = db::sites::insert(&mut *tx, &row).await?;
    let outcome = commit_change(&mut tx, tenant_id, &before, config_sync::site(created.id)).await?;
    caller.audit(&mut tx, Change::created("site", created.id, &created.to_api())).await?;
    tx.commit().await?;
    outcome.publish(&app).await;
    Ok(Resource::created(created.etag(), format!("/v1/sites/{}", created.id), created.to_api()))
}

#[utoipa::path(get, path = "/v1/sites/{id}", tag = "sites", params(("id" = Uuid, Path)),
    responses((status = 200, description = "The site", body = Site, headers(("ETag" = String)))),
    security(("tenant_auth" = [])))]
pub async fn get(State(app): State<AppState>, caller: TenantCaller, Path(id): Path<Uuid>) -> ApiResult<Resource<Site>> {
    let mut tx = db::tenant_tx(&app.pool, caller.tenant_id()).await?;
    let row = db::sites::get(&mut *tx, id).await?.ok_or(ApiError::NotFound("site"))?;
    db::end_read(tx);
    Ok(Resource::ok(row.etag(), row.to_api()))
}

#[utoipa::path(patch, path = "/v1/sites/{id}", tag = "sites", params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "The ETag the change is based on")),
    request_body = SiteUpdate,
    responses((status = 200, description = "Updated", body = Site, headers(("ETag" = String)))),
    security(("tenant_auth" = [])))]
pub async fn update(
    State(app): State<AppState>,
    caller: TenantCaller,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    Json(body): Json<SiteUpdate>,
) -> ApiResult<Resource<Site>> {
    caller.require(Role::Operator)?;
    let tenant_id = caller.tenant_id();
    let (mut tx, tenant) = db::tenant_write_tx(&app.pool, tenant_id).await?.ok_or(ApiError::NotFound("tenant"))?;
    let before = network_before(&mut tx, &app, &tenant).await?;
    let current = db::sites::lock(&mut *tx, id).await?.ok_or(ApiError::NotFound("site"))?;
    if_match.check(&current.etag())?;
    let mut next = current.clone();
    if let Some(v) = body.name {
        next.name = v;
    }
    if let Some(v) = body.description {
        next.description = v;
    }
    if let Some(v) = body.location {
        next.location = v;
    }
    if let Some(v) = body.labels {
        next.labels = SqlJson(v);
    }
    if let Some(v) = body.role {
        next.role = v.as_str().to_string();
    }
    if let Some(v) = body.lan_prefixes {
        next.lan_prefixes = v;
    }
    if let Some(v) = body.listen_port {
        next.listen_port = i32::from(v);
    }
    let mut errors = Errors::new();
    let nets = check_fields(&mut errors, &mut next);
    errors.check()?;
    let given = std::mem::replace(&mut next.lan_prefixes, nets.iter().map(|n| n.to_string()).collect());
    if next == current {
        return Ok(Resource::ok(current.etag(), current.to_api()));
    }
    let overlay = db::topology::get_or_create(&mut tx, tenant_id).await?.overlay();
    check_prefixes(&mut tx, id, &given, &nets, overlay).await?;
    let updated = db::sites::update(&mut *tx, &next).await?;
    let outcome = commit_change(&mut tx, tenant_id, &before, config_sync::site(id)).await?;
    caller.audit(&mut tx, Change::updated("site", id, &current.to_api(), &updated.to_api())).await?;
    tx.commit().await?;
    outcome.publish(&app).await;
    Ok(Resource::ok(updated.etag(), updated.to_api()))
}

#[utoipa::path(delete, path = "/v1/sites/{id}", tag = "sites", params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "The ETag the deletion is based on")),
    responses((status = 204, description = "Deleted with its links and peerings; its overlay address is free again")),
    security(("tenant_auth" = [])))]
pub async fn delete(
    State(app): State<AppState>,
    caller: TenantCaller,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<StatusCode> {
    caller.require(Role::Operator)?;
    let tenant_id = caller.tenant_id();
    let (mut tx, tenant) = db::tenant_write_tx(&app.pool, tenant_id).await?.ok_or(ApiError::NotFound("tenant"))?;
    let before = network_before(&mut tx, &app, &tenant).await?;
    let current = db::sites::lock(&mut *tx, id).await?.ok_or(ApiError::NotFound("site"))?;
    if_match.check(&current.etag())?;
    db::sites::delete(&mut *tx, id).await?;
    let outcome = commit_change(&mut tx, tenant_id, &before, config_sync::site(id)).await?;
    caller.audit(&mut tx, Change::deleted("site", id, &current.to_api())).await?;
    tx.commit().await?;
    // The site's agent went with it.
    app.credentials.forget_tenant(tenant_id).await;
    outcome.publish(&app).await;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/v1/sites/{id}/config", tag = "sites", params(("id" = Uuid, Path)),
    responses((status = 200, description = "The site's compiled document, as its agent will receive it", body = CompiledConfig,
        headers(("ETag" = String, description = "The document's content hash, quoted")))),
    security(("tenant_auth" = [])))]
pub async fn config(
    State(app): State<AppState>,
    caller: TenantCaller,
    Path(id): Path<Uuid>,
) -> ApiResult<Resource<CompiledConfig>> {
    let tenant_id = caller.tenant_id();
    let (network, stored_hash, revision) = loop {
        let mut tx = db::tenant_tx(&app.pool, tenant_id).await?;
        db::sites::get(&mut *tx, id).await?.ok_or(ApiError::NotFound("site"))?;
        let read = db::site_configs::get_at_tenant_revision(&mut *tx, tenant_id, id).await?;
        tx.commit().await?;
        let (tenant_revision, stored) = read.ok_or(ApiError::NotFound("site"))?;
        let (stored_hash, revision) = stored.unwrap_or_default();
        let snapshot = app.networks.at_least(&app.pool, tenant_id, tenant_revision).await?;
        // A write landed between the two reads: read again so hash and document agree.
        if snapshot.revision == tenant_revision {
            break (snapshot.network.clone(), stored_hash, revision);
        }
    };
    let config = compiler::compile_site(&network, id, revision).ok_or(ApiError::NotFound("site"))?;
    let hash = compiler::content_hash(&config);
    if hash != stored_hash {
        tracing::error!(site = %id, "compiled document does not match its recorded hash");
    }
    Ok(Resource::ok(format!("\"{hash}\""), CompiledConfig { hash, revision, config }))
}
