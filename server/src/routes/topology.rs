//! The tenant's topology: one per tenant, read with GET and replaced with PUT.

use axum::extract::State;
use patronus_api::{Role, Topology, TopologySpec};

use crate::app::AppState;
use crate::audit::Change;
use crate::auth::TenantCaller;
use crate::config_sync::{commit_change, network_before, Touched};
use crate::db::{
    self,
    topology::{DEFAULT_KEEPALIVE, DEFAULT_OVERLAY_PREFIX},
};
use crate::error::{ApiError, ApiResult};
use crate::extract::{IfMatch, Json, Resource};
use crate::netaddr;
use crate::validate::Errors;

async fn revision(tx: &mut db::Tx, tenant_id: uuid::Uuid) -> ApiResult<i64> {
    let tenant = db::tenants::get(&mut **tx, tenant_id).await?.ok_or(ApiError::NotFound("tenant"))?;
    Ok(tenant.revision)
}

#[utoipa::path(get, path = "/v1/topology", tag = "topology",
    responses((status = 200, description = "The tenant's topology (full mesh until set)", body = Topology, headers(("ETag" = String)))),
    security(("tenant_auth" = [])))]
pub async fn get(State(app): State<AppState>, caller: TenantCaller) -> ApiResult<Resource<Topology>> {
    let mut tx = db::tenant_tx(&app.pool, caller.tenant_id()).await?;
    let row = db::topology::get(&mut *tx, caller.tenant_id()).await?;
    let rev = revision(&mut tx, caller.tenant_id()).await?;
    tx.commit().await?;
    Ok(Resource::ok(row.etag(), row.to_api(rev)))
}

#[utoipa::path(put, path = "/v1/topology", tag = "topology", request_body = TopologySpec,
    params(("If-Match" = Option<String>, Header, description = "The ETag the change is based on")),
    responses((status = 200, description = "Replaced", body = Topology, headers(("ETag" = String)))),
    security(("tenant_auth" = [])))]
pub async fn put(
    State(app): State<AppState>,
    caller: TenantCaller,
    if_match: IfMatch,
    Json(body): Json<TopologySpec>,
) -> ApiResult<Resource<Topology>> {
    caller.require(Role::Operator)?;
    let tenant_id = caller.tenant_id();
    let mut errors = Errors::new();
    let prefix = body.overlay_prefix.clone().unwrap_or_else(|| DEFAULT_OVERLAY_PREFIX.to_string());
    let overlay = netaddr::overlay_prefix(&mut errors, "/overlay_prefix", &prefix);
    errors.check()?;
    let overlay = overlay.map(|o| o.to_string()).unwrap_or(prefix);
    let keepalive = body.persistent_keepalive.unwrap_or(DEFAULT_KEEPALIVE);

    let (mut tx, tenant) = db::tenant_write_tx(&app.pool, tenant_id).await?.ok_or(ApiError::NotFound("tenant"))?;
    let before = network_before(&mut tx, &app, &tenant).await?;
    let current = db::topology::get_or_create(&mut tx, tenant_id).await?;
    if_match.check(&current.etag())?;
    if current.mode() == body.mode && current.overlay_prefix == overlay && current.keepalive() == keepalive {
        let rev = revision(&mut tx, tenant_id).await?;
        return Ok(Resource::ok(current.etag(), current.to_api(rev)));
    }
    if current.overlay_prefix != overlay && db::sites::count(&mut *tx).await? > 0 {
        return Err(ApiError::conflict(
            "/overlay_prefix",
            "the overlay prefix can change only while the tenant has no sites",
        ));
    }
    let updated = db::topology::update(&mut *tx, tenant_id, body.mode, &overlay, keepalive).await?;
    let outcome = commit_change(&mut tx, tenant_id, &before, Touched::Tenant(|net| net.all_sites())).await?;
    let before = current.to_api(outcome.revision - 1);
    let after = updated.to_api(outcome.revision);
    caller.audit(&mut tx, Change::updated("topology", tenant_id, &before, &after)).await?;
    tx.commit().await?;
    outcome.publish(&app).await;
    Ok(Resource::ok(updated.etag(), after))
}
