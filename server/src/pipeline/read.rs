//! Reads of one resource or one page of them, inside the caller's tenant.

use patronus_api::Page;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::TenantCaller;
use crate::db;
use crate::error::{ApiError, ApiResult};
use crate::extract::Resource;
use crate::pagination::PageRequest;
use crate::resource::{Listed, Stored};

/// One resource by id, with its ETag; 404 when the caller's tenant has none.
pub async fn one<R: Stored>(app: &AppState, caller: &TenantCaller, id: Uuid) -> ApiResult<Resource<R::Api>> {
    let mut tx = db::tenant_tx(&app.pool, caller.tenant_id()).await?;
    let row = R::get(&mut tx, id).await?.ok_or(ApiError::NotFound(R::KIND))?;
    db::end_read(tx);
    Ok(Resource::ok(row.etag(), row.to_api()))
}

/// One page of resources that pass `filter`.
pub async fn page<R: Listed>(
    app: &AppState,
    caller: &TenantCaller,
    filter: R::Filter,
    page: PageRequest,
) -> ApiResult<axum::Json<Page<R::Api>>> {
    let mut tx = db::tenant_tx(&app.pool, caller.tenant_id()).await?;
    let rows = R::list(&mut tx, &filter, &page).await?;
    db::end_read(tx);
    Ok(axum::Json(page.finish(rows, Stored::id, Stored::to_api)))
}
