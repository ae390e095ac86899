use std::collections::BTreeMap;

use sqlx::PgExecutor;
use uuid::Uuid;

/// Stored hashes of the given sites.
pub async fn hashes(ex: impl PgExecutor<'_>, ids: &[Uuid]) -> Result<BTreeMap<Uuid, String>, sqlx::Error> {
    let rows: Vec<(Uuid, String)> = sqlx::query_as("SELECT site_id, hash FROM site_configs WHERE site_id = ANY($1)")
        .bind(ids)
        .fetch_all(ex)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Records new hashes at `revision`, for sites whose document changed.
pub async fn upsert(
    ex: impl PgExecutor<'_>,
    tenant_id: Uuid,
    revision: i64,
    changed: &[(Uuid, String)],
) -> Result<(), sqlx::Error> {
    let (ids, hashes): (Vec<Uuid>, Vec<String>) = changed.iter().cloned().unzip();
    sqlx::query(
        "INSERT INTO site_configs (site_id, tenant_id, hash, revision) SELECT id, $1, hash, $2 FROM unnest($3::uuid[], $4::text[]) AS t(id, hash) \
         ON CONFLICT (site_id) DO UPDATE SET hash = EXCLUDED.hash, revision = EXCLUDED.revision, updated_at = now()",
    )
    .bind(tenant_id)
    .bind(revision)
    .bind(&ids)
    .bind(&hashes)
    .execute(ex)
    .await?;
    Ok(())
}

/// The stored (hash, revision) of one site.
pub async fn get(ex: impl PgExecutor<'_>, site_id: Uuid) -> Result<Option<(String, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT hash, revision FROM site_configs WHERE site_id = $1").bind(site_id).fetch_optional(ex).await
}

/// The tenant's revision and the site's stored (hash, revision), read in one statement so that
/// both come from the same snapshot. `None` when the tenant is gone; the site's part is `None`
/// when it has no document.
pub async fn get_at_tenant_revision(
    ex: impl PgExecutor<'_>,
    tenant_id: Uuid,
    site_id: Uuid,
) -> Result<Option<(i64, Option<(String, i64)>)>, sqlx::Error> {
    let row: Option<(i64, Option<String>, Option<i64>)> = sqlx::query_as(
        "SELECT t.revision, c.hash, c.revision FROM tenants t \
         LEFT JOIN site_configs c ON c.site_id = $2 WHERE t.id = $1",
    )
    .bind(tenant_id)
    .bind(site_id)
    .fetch_optional(ex)
    .await?;
    Ok(row.map(|(revision, hash, doc_revision)| (revision, hash.zip(doc_revision))))
}
