//! Policies: which traffic (match) gets which treatment (QoS class, path selection, SLA), in a
//! tenant-wide priority order.

use axum::extract::State;
use axum::http::StatusCode;
use patronus_api::{NewPolicy, Page, PathSelection, Policy, PolicyAction, PolicyMatch, PolicyUpdate, Protocol, Role};
use serde::Deserialize;
use sqlx::types::Json as SqlJson;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::app::AppState;
use crate::audit::Change;
use crate::auth::TenantCaller;
use crate::config_sync::{commit_change, network_before, Touched};
use crate::db::{self, policies::PolicyRow};
use crate::error::{ApiError, ApiResult};
use crate::extract::{IfMatch, Json, Path, Query, Resource};
use crate::netaddr;
use crate::pagination::PageRequest;
use crate::validate::{self, Errors};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PolicyListQuery {
    pub name: Option<String>,
    /// The `next_cursor` of the previous page (opaque); the first page when absent or empty.
    #[param(pattern = r"^([A-Za-z0-9_-]{21}[AQgw])?$")]
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/v1/policies", tag = "policies", params(PolicyListQuery),
    responses((status = 200, description = "A page of policies, in creation order", body = Page<Policy>)),
    security(("tenant_auth" = [])))]
pub async fn list(
    State(app): State<AppState>,
    caller: TenantCaller,
    Query(q): Query<PolicyListQuery>,
) -> ApiResult<axum::Json<Page<Policy>>> {
    let page = PageRequest::new(q.cursor.as_deref(), q.limit)?;
    let mut tx = db::tenant_tx(&app.pool, caller.tenant_id()).await?;
    let rows = db::policies::list(&mut *tx, &db::policies::PolicyFilter { name: q.name }, &page).await?;
    tx.commit().await?;
    Ok(axum::Json(page.finish(rows, |r| r.id, |r| r.to_api())))
}

fn check_match(errors: &mut Errors, m: &mut PolicyMatch) {
    for (field, list) in
        [("source_prefixes", &mut m.source_prefixes), ("destination_prefixes", &mut m.destination_prefixes)]
    {
        let pointer = format!("/match/{field}");
        let nets: Vec<String> = list
            .iter()
            .enumerate()
            .filter_map(|(i, p)| netaddr::prefix(errors, &format!("{pointer}/{i}"), p).map(|n| n.to_string()))
            .collect();
        if nets.len() == list.len() {
            *list = nets;
        }
    }
    if !m.destination_ports.is_empty() && !matches!(m.protocol, Protocol::Tcp | Protocol::Udp) {
        errors.add("/match/destination_ports", "ports need protocol tcp or udp");
    }
    m.destination_ports = m
        .destination_ports
        .iter()
        .enumerate()
        .map(|(i, p)| netaddr::port_range(errors, &format!("/match/destination_ports/{i}"), p))
        .collect();
    if let Some(dscp) = m.dscp {
        validate::within(errors, "/match/dscp", u64::from(dscp), 0..=63);
    }
    if let Some(app) = &m.application {
        let ok = !app.is_empty()
            && app.len() <= 64
            && app.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !ok {
            errors.add("/match/application", "must be 1 to 64 characters of a-z, 0-9, '-' and '_'");
        }
    }
}

fn check_action(errors: &mut Errors, a: &PolicyAction) {
    if a.path_selection == PathSelection::Ordered && a.link_preference.is_empty() {
        errors.add("/action/link_preference", "ordered path selection needs at least one link name");
    }
    if let Some(sla) = &a.sla {
        if let Some(v) = sla.max_latency_ms {
            validate::within(errors, "/action/sla/max_latency_ms", u64::from(v), 1..=60_000);
        }
        if let Some(v) = sla.max_jitter_ms {
            validate::within(errors, "/action/sla/max_jitter_ms", u64::from(v), 1..=60_000);
        }
        if let Some(v) = sla.max_loss_percent {
            if !(0.0..=100.0).contains(&v) {
                errors.add("/action/sla/max_loss_percent", "must be between 0 and 100");
            }
        }
    }
    validate::within(errors, "/action/failover_hold_down_seconds", u64::from(a.failover_hold_down_seconds), 0..=3600);
}

/// Field checks, then the names the policy refers to: its QoS class and its links.
async fn check(tx: &mut db::Tx, row: &mut PolicyRow) -> ApiResult<()> {
    let mut errors = Errors::new();
    row.name = validate::name(&mut errors, "/name", &row.name);
    validate::within(&mut errors, "/priority", row.priority as u64, 0..=1_000_000);
    check_match(&mut errors, &mut row.matches.0);
    check_action(&mut errors, &row.action.0);
    row.site_selector = SqlJson(validate::labels(&mut errors, "/site_selector", &row.site_selector.0));
    errors.check()?;

    let mut errors = Errors::new();
    row.qos_class_id = None;
    row.qos_class_name = None;
    if let Some(name) = row.action.0.qos_class.clone() {
        match db::qos_classes::by_name(&mut **tx, &name).await? {
            Some(class) => {
                row.qos_class_id = Some(class.id);
                row.qos_class_name = Some(class.name);
            }
            None => errors.add("/action/qos_class", format!("no QoS class named {name:?}")),
        }
    }
    for (i, link) in row.action.0.link_preference.iter().enumerate() {
        if !db::links::name_exists(&mut **tx, link).await? {
            errors.add(&format!("/action/link_preference/{i}"), format!("no site has a link named {link:?}"));
        }
    }
    errors.check()
}

#[utoipa::path(post, path = "/v1/policies", tag = "policies", request_body = NewPolicy,
    responses((status = 201, description = "Created", body = Policy, headers(("ETag" = String), ("Location" = String)))),
    security(("tenant_auth" = [])))]
pub async fn create(
    State(app): State<AppState>,
    caller: TenantCaller,
    Json(body): Json<NewPolicy>,
) -> ApiResult<Resource<Policy>> {
    caller.require(Role::Operator)?;
    let tenant_id = caller.tenant_id();
    let now = chrono::Utc::now();
    let mut row = PolicyRow {
        id: Uuid::now_v7(),
        tenant_id,
        name: body.name,
        priority: i64::from(body.priority),
        matches: SqlJson(body.matches),
        action: SqlJson(body.action),
        qos_class_id: None,
        qos_class_name: None,
        site_selector: SqlJson(body.site_selector),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let (mut tx, tenant) = db::tenant_write_tx(&app.pool, tenant_id).await?.ok_or(ApiError::NotFound("tenant"))?;
    let before = network_before(&mut tx, &app, &tenant).await?;
    check(&mut tx, &mut row).await?;
    let created = db::policies::insert(&mut tx, &row).await?;
    let outcome = commit_change(&mut tx, tenant_id, &before, Touched::Tenant(|net| net.all_sites())).await?;
    caller.audit(&mut tx, Change::created("policy", created.id, &created.to_api())).await?;
    tx.commit().await?;
    outcome.publish(&app).await;
    Ok(Resource::created(created.etag(), format!("/v1/policies/{}", created.id), created.to_api()))
}

#[utoipa::path(get, path = "/v1/policies/{id}", tag = "policies", params(("id" = Uuid, Path)),
    responses((status = 200, description = "The policy", body = Policy, headers(("ETag" = String)))),
    security(("tenant_auth" = [])))]
pub async fn get(
    State(app): State<AppState>,
    caller: TenantCaller,
    Path(id): Path<Uuid>,
) -> ApiResult<Resource<Policy>> {
    let mut tx = db::tenant_tx(&app.pool, caller.tenant_id()).await?;
    let row = db::policies::get(&mut *tx, id).await?.ok_or(ApiError::NotFound("policy"))?;
    tx.commit().await?;
    Ok(Resource::ok(row.etag(), row.to_api()))
}

#[utoipa::path(patch, path = "/v1/policies/{id}", tag = "policies", params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "The ETag the change is based on")),
    request_body = PolicyUpdate,
    responses((status = 200, description = "Updated; `match`, `action` and `site_selector` are replaced whole", body = Policy,
        headers(("ETag" = String)))),
    security(("tenant_auth" = [])))]
pub async fn update(
    State(app): State<AppState>,
    caller: TenantCaller,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    Json(body): Json<PolicyUpdate>,
) -> ApiResult<Resource<Policy>> {
    caller.require(Role::Operator)?;
    let tenant_id = caller.tenant_id();
    let (mut tx, tenant) = db::tenant_write_tx(&app.pool, tenant_id).await?.ok_or(ApiError::NotFound("tenant"))?;
    let before = network_before(&mut tx, &app, &tenant).await?;
    let current = db::policies::lock(&mut *tx, id).await?.ok_or(ApiError::NotFound("policy"))?;
    if_match.check(&current.etag())?;
    let mut next = current.clone();
    next.action.0.qos_class = current.qos_class_name.clone();
    if let Some(v) = body.name {
        next.name = v;
    }
    if let Some(v) = body.priority {
        next.priority = i64::from(v);
    }
    if let Some(v) = body.matches {
        next.matches = SqlJson(v);
    }
    if let Some(v) = body.action {
        next.action = SqlJson(v);
    }
    if let Some(v) = body.site_selector {
        next.site_selector = SqlJson(v);
    }
    check(&mut tx, &mut next).await?;
    if next.to_api() == current.to_api() {
        return Ok(Resource::ok(current.etag(), current.to_api()));
    }
    let updated = db::policies::update(&mut tx, &next).await?;
    let outcome = commit_change(&mut tx, tenant_id, &before, Touched::Tenant(|net| net.all_sites())).await?;
    caller.audit(&mut tx, Change::updated("policy", id, &current.to_api(), &updated.to_api())).await?;
    tx.commit().await?;
    outcome.publish(&app).await;
    Ok(Resource::ok(updated.etag(), updated.to_api()))
}

#[utoipa::path(delete, path = "/v1/policies/{id}", tag = "policies", params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "The ETag the deletion is based on")),
    responses((status = 204, description = "Deleted")),
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
    let current = db::policies::lock(&mut *tx, id).await?.ok_or(ApiError::NotFound("policy"))?;
    if_match.check(&current.etag())?;
    db::policies::delete(&mut *tx, id).await?;
    let outcome = commit_change(&mut tx, tenant_id, &before, Touched::Tenant(|net| net.all_sites())).await?;
    caller.audit(&mut tx, Change::deleted("policy", id, &current.to_api())).await?;
    tx.commit().await?;
    outcome.publish(&app).await;
    Ok(StatusCode::NO_CONTENT)
}
