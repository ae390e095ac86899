//! Policies: which traffic (match) gets which treatment (QoS class, path selection, SLA), in a
//! tenant-wide priority order.

use axum::http::StatusCode;
use patronus_api::applications::{self, Category};
use patronus_api::{NewPolicy, Page, PathSelection, Policy, PolicyAction, PolicyMatch, PolicyUpdate, Protocol};
use serde::Deserialize;
use sqlx::types::Json as SqlJson;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::db::{self, policies::PolicyRow};
use crate::error::ApiResult;
use crate::extract::{IfMatch, Json, PageParams, Path, Query, Resource};
use crate::merge;
use crate::netaddr;
use crate::pagination::PageRequest;
use crate::pipeline::{Tenant, Touched};
use crate::validate::{self, Errors};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PolicyListQuery {
    pub name: Option<String>,
}

#[utoipa::path(get, path = "/v1/policies", tag = "policies", params(PolicyListQuery, PageParams),
    responses((status = 200, description = "A page of policies, in creation order", body = Page<Policy>)),
    security(("tenant_auth" = [])))]
pub async fn list(
    cx: Tenant,
    Query(q): Query<PolicyListQuery>,
    page: PageRequest,
) -> ApiResult<axum::Json<Page<Policy>>> {
    cx.page::<PolicyRow>(db::policies::PolicyFilter { name: q.name }, page).await
}

fn check_match(errors: &mut Errors, m: &PolicyMatch) {
    for (field, list) in [("source_prefixes", &m.source_prefixes), ("destination_prefixes", &m.destination_prefixes)] {
        for (i, p) in list.iter().enumerate() {
            netaddr::prefix(errors, &format!("/match/{field}/{i}"), *p);
        }
    }
    if !m.destination_ports.is_empty() && !matches!(m.protocol, Protocol::Tcp | Protocol::Udp) {
        errors.add("/match/destination_ports", "ports need protocol tcp or udp");
    }
    if let Some(dscp) = m.dscp {
        validate::within(errors, "/match/dscp", u64::from(dscp), 0..=63);
    }
    if let Some(app) = &m.application {
        if !applications::valid_application_name(app) {
            errors.add("/match/application", "must be 1 to 64 characters of a-z, 0-9, '-' and '_'");
        }
    }
}

/// What `match.application` names must exist: a built-in application, a category, or one of the
/// tenant's applications (looked up in the write's transaction).
async fn check_application(conn: &mut sqlx::PgConnection, errors: &mut Errors, app: &str) -> ApiResult<()> {
    if applications::policy_application(app).is_some() || db::applications::name_exists(&mut *conn, app).await? {
        return Ok(());
    }
    let categories: Vec<&str> = Category::ALL.iter().map(|c| c.name()).collect();
    errors.add(
        "/match/application",
        format!(
            "{app:?} is no built-in application, category or application of this tenant; the categories are {}; \
             the {} built-in applications (teams, zoom, youtube, ssh, ...) are listed in the README, and the \
             tenant's own in GET /v1/applications (define one with POST /v1/applications)",
            categories.join(", "),
            applications::builtin_names().len()
        ),
    );
    Ok(())
}

fn check_action(errors: &mut Errors, a: &PolicyAction) {
    if a.path_selection == PathSelection::Ordered && a.link_preference.is_empty() {
        errors.add("/action/link_preference", "ordered path selection needs at least one link name");
    }
    // The names referred to must be names at all before they are looked up (PostgreSQL refuses
    // a NUL in text, for one).
    if let Some(class) = &a.qos_class {
        validate::name(errors, "/action/qos_class", class);
    }
    for (i, link) in a.link_preference.iter().enumerate() {
        validate::name(errors, &format!("/action/link_preference/{i}"), link);
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
async fn check(conn: &mut sqlx::PgConnection, row: &mut PolicyRow) -> ApiResult<()> {
    let mut errors = Errors::new();
    row.name = validate::name(&mut errors, "/name", &row.name);
    validate::within(&mut errors, "/priority", row.priority as u64, 0..=1_000_000);
    check_match(&mut errors, &row.matches.0);
    check_action(&mut errors, &row.action.0);
    row.site_selector = SqlJson(validate::labels(&mut errors, "/site_selector", &row.site_selector.0));
    errors.check()?;

    let mut errors = Errors::new();
    if let Some(app) = row.matches.0.application.clone() {
        check_application(&mut *conn, &mut errors, &app).await?;
    }
    row.qos_class_id = None;
    row.qos_class_name = None;
    if let Some(name) = row.action.0.qos_class.clone() {
        match db::qos_classes::by_name(&mut *conn, &name).await? {
            Some(class) => {
                row.qos_class_id = Some(class.id);
                row.qos_class_name = Some(class.name);
            }
            None => errors.add("/action/qos_class", format!("no QoS class named {name:?}")),
        }
    }
    for (i, link) in row.action.0.link_preference.iter().enumerate() {
        if !db::links::name_exists(&mut *conn, link).await? {
            errors.add(&format!("/action/link_preference/{i}"), format!("no site has a link named {link:?}"));
        }
    }
    Ok(errors.check()?)
}

#[utoipa::path(post, path = "/v1/policies", tag = "policies", request_body = NewPolicy,
    responses((status = 201, description = "Created", body = Policy, headers(("ETag" = String), ("Location" = String)))),
    security(("tenant_auth" = [])))]
pub async fn create(cx: Tenant, Json(body): Json<NewPolicy>) -> ApiResult<Resource<Policy>> {
    let now = chrono::Utc::now();
    let mut row = PolicyRow {
        id: Uuid::now_v7(),
        tenant_id: cx.tenant_id(),
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
    let mut w = cx.network_write().await?;
    check(w.conn(), &mut row).await?;
    let created = db::policies::insert(w.conn(), &row).await?;
    w.created(&created, Touched::Policies).await
}

#[utoipa::path(get, path = "/v1/policies/{id}", tag = "policies", params(("id" = Uuid, Path)),
    responses((status = 200, description = "The policy", body = Policy, headers(("ETag" = String)))),
    security(("tenant_auth" = [])))]
pub async fn get(cx: Tenant, Path(id): Path<Uuid>) -> ApiResult<Resource<Policy>> {
    cx.one::<PolicyRow>(id).await
}

#[utoipa::path(patch, path = "/v1/policies/{id}", tag = "policies", params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "The ETag the change is based on")),
    request_body = PolicyUpdate,
    responses((status = 200, description = "Updated; `match`, `action` and `site_selector` are replaced whole", body = Policy,
        headers(("ETag" = String)))),
    security(("tenant_auth" = [])))]
pub async fn update(
    cx: Tenant,
    Path(id): Path<Uuid>,
    if_match: IfMatch,
    Json(body): Json<PolicyUpdate>,
) -> ApiResult<Resource<Policy>> {
    let mut w = cx.network_write().await?;
    let current: PolicyRow = w.current(id, &if_match).await?;
    let mut next = current.clone();
    next.action.0.qos_class = current.qos_class_name.clone();
    merge!(body => next: name, priority, matches, action, site_selector);
    check(w.conn(), &mut next).await?;
    if next.to_api() == current.to_api() {
        return Ok(w.unchanged(&current));
    }
    let updated = db::policies::update(w.conn(), &next).await?;
    w.updated(&current, &updated, Touched::Policies).await
}

#[utoipa::path(delete, path = "/v1/policies/{id}", tag = "policies", params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "The ETag the deletion is based on")),
    responses((status = 204, description = "Deleted")),
    security(("tenant_auth" = [])))]
pub async fn delete(cx: Tenant, Path(id): Path<Uuid>, if_match: IfMatch) -> ApiResult<StatusCode> {
    let mut w = cx.network_write().await?;
    let current: PolicyRow = w.current(id, &if_match).await?;
    db::policies::delete(w.conn(), id).await?;
    w.deleted(&current, Touched::Policies).await
}
