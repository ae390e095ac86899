//! The tenant's topology: one per tenant, read with GET and replaced with PUT.

use patronus_api::{Topology, TopologySpec};

use crate::audit::Change;
use crate::db::{
    self,
    topology::{DEFAULT_KEEPALIVE, DEFAULT_OVERLAY},
};
use crate::error::{ApiError, ApiResult};
use crate::extract::{IfMatch, Json, Resource};
use crate::netaddr;
use crate::pipeline::{Tenant, Touched};
use crate::resource::Kind;
use crate::validate::Errors;

async fn revision(conn: &mut sqlx::PgConnection, tenant_id: uuid::Uuid) -> ApiResult<i64> {
    let tenant = db::tenants::get(conn, tenant_id).await?.ok_or(ApiError::NotFound(Kind::Tenant))?;
    Ok(tenant.revision)
}

#[utoipa::path(get, path = "/v1/topology", tag = "topology",
    responses((status = 200, description = "The tenant's topology (full mesh until set)", body = Topology, headers(("ETag" = String)))),
    security(("tenant_auth" = [])))]
pub async fn get(cx: Tenant) -> ApiResult<Resource<Topology>> {
    let mut tx = db::tenant_tx(&cx.app.pool, cx.tenant_id()).await?;
    let row = db::topology::get(&mut *tx, cx.tenant_id()).await?;
    let rev = revision(&mut tx, cx.tenant_id()).await?;
    db::end_read(tx);
    Ok(Resource::ok(row.etag(), row.to_api(rev)))
}

#[utoipa::path(put, path = "/v1/topology", tag = "topology", request_body = TopologySpec,
    params(("If-Match" = Option<String>, Header, description = "The ETag the change is based on")),
    responses((status = 200, description = "Replaced", body = Topology, headers(("ETag" = String)))),
    security(("tenant_auth" = [])))]
pub async fn put(cx: Tenant, if_match: IfMatch, Json(body): Json<TopologySpec>) -> ApiResult<Resource<Topology>> {
    let tenant_id = cx.tenant_id();
    let mut errors = Errors::new();
    let given = body.overlay_prefix.unwrap_or(DEFAULT_OVERLAY);
    let overlay = netaddr::overlay_prefix(&mut errors, "/overlay_prefix", given);
    errors.check()?;
    let overlay = overlay.unwrap_or(given).to_string();
    let keepalive = body.persistent_keepalive.unwrap_or(DEFAULT_KEEPALIVE);

    let mut w = cx.network_write().await?;
    let current = db::topology::get_or_create(w.conn(), tenant_id).await?;
    if_match.check(&current.etag())?;
    if current.mode() == body.mode && current.overlay_prefix == overlay && current.keepalive() == keepalive {
        let rev = w.tenant_row()?.revision;
        return Ok(Resource::ok(current.etag(), current.to_api(rev)));
    }
    if current.overlay_prefix != overlay && !w.network_before()?.sites.is_empty() {
        return Err(ApiError::conflict(
            "/overlay_prefix",
            "the overlay prefix can change only while the tenant has no sites",
        ));
    }
    let updated = db::topology::update(w.conn(), tenant_id, body.mode, &overlay, keepalive).await?;
    // The revision is the one this write will produce: the tenant's, locked, plus one.
    let revision = w.tenant_row()?.revision + 1;
    let before = current.to_api(revision - 1);
    let after = updated.to_api(revision);
    w.commit(Change::updated(Kind::Topology, tenant_id, &before, &after), Touched::AllSites).await?;
    Ok(Resource::ok(updated.etag(), after))
}
