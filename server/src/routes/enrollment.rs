//! What operators see of agents: enrollment tokens bound to a site, the site's enrolled agent
//! (which they can revoke), and the site's health as its agent reports it.

use crate::idempotency::Answer;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use patronus_api::{
    Agent, EnrollmentToken, EnrollmentTokenCreated, NewEnrollmentToken, Page, Role, SiteHealth, SiteStatus,
};
use uuid::Uuid;

use crate::audit::Change;
use crate::auth::secrets::{self, SecretKind};
use crate::db;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, PageParams, Path};
use crate::pagination::PageRequest;
use crate::pipeline::{Tenant, Touched};
use crate::resource::Kind;
use crate::routes::agent::{health_from, ReportHealth};
use crate::validate::{self, Errors};

const MIN_TTL_SECS: u64 = 60;
const MAX_TTL_SECS: u64 = 30 * 24 * 3600;
const MAX_USES: u64 = 1000;

pub(crate) async fn site_exists(conn: &mut sqlx::PgConnection, site_id: Uuid) -> ApiResult<()> {
    db::sites::get(conn, site_id).await?.map(|_| ()).ok_or(ApiError::NotFound(Kind::Site))
}

#[utoipa::path(post, path = "/v1/sites/{id}/enrollment-tokens", tag = "agents", params(("id" = Uuid, Path)),
    request_body = NewEnrollmentToken,
    responses((status = 201, description = "Created; the secret is in this answer only", body = EnrollmentTokenCreated)),
    security(("tenant_auth" = [])))]
pub async fn create_token(
    cx: Tenant,
    Path(site_id): Path<Uuid>,
    Json(body): Json<NewEnrollmentToken>,
) -> ApiResult<(StatusCode, axum::Json<EnrollmentTokenCreated>)> {
    let mut errors = Errors::new();
    let ttl = match body.ttl_seconds {
        Some(ttl) => validate::within(&mut errors, "/ttl_seconds", u64::from(ttl), MIN_TTL_SECS..=MAX_TTL_SECS),
        None => cx.app.settings.enrollment_token_ttl_secs,
    };
    let uses = validate::within(&mut errors, "/uses", u64::from(body.uses.unwrap_or(1)), 1..=MAX_USES);
    let description = validate::text(&mut errors, "/description", body.description.as_deref().unwrap_or(""), 500);
    errors.check()?;

    let mut w = cx.write(Role::Operator).await?;
    site_exists(w.conn(), site_id).await?;
    let secret = secrets::generate(SecretKind::EnrollmentToken);
    let row = db::enrollment_tokens::insert(
        w.conn(),
        &db::enrollment_tokens::NewEnrollmentTokenRow {
            tenant_id: cx.tenant_id(),
            site_id,
            description: &description,
            hash: &secret.hash,
            prefix: &secret.display_prefix,
            uses: i32::try_from(uses).unwrap_or(1),
            expires_at: Utc::now() + Duration::seconds(i64::try_from(ttl).unwrap_or(i64::MAX / 2)),
        },
    )
    .await?;
    let created = EnrollmentTokenCreated { enrollment_token: row.to_api(), token: secret.value };
    let answer =
        Answer::of(StatusCode::CREATED, &Default::default(), &serde_json::to_vec(&created).unwrap_or_default());
    w.commit_answering(Change::created(Kind::EnrollmentToken, row.id, &row.to_api()), Touched::Nothing, Some(answer))
        .await?;
    Ok((StatusCode::CREATED, axum::Json(created)))
}

#[utoipa::path(get, path = "/v1/sites/{id}/enrollment-tokens", tag = "agents", params(("id" = Uuid, Path), PageParams),
    responses((status = 200, description = "The site's enrollment tokens, live or spent (never their secrets)", body = Page<EnrollmentToken>)),
    security(("tenant_auth" = [])))]
pub async fn list_tokens(
    cx: Tenant,
    Path(site_id): Path<Uuid>,
    page: PageRequest,
) -> ApiResult<axum::Json<Page<EnrollmentToken>>> {
    let mut tx = db::tenant_tx(&cx.app.pool, cx.tenant_id()).await?;
    site_exists(&mut tx, site_id).await?;
    let rows = db::enrollment_tokens::list(&mut *tx, site_id, &page).await?;
    db::end_read(tx);
    Ok(axum::Json(page.finish(rows, |r| r.id, |r| r.to_api())))
}

#[utoipa::path(delete, path = "/v1/sites/{id}/enrollment-tokens/{token_id}", tag = "agents",
    params(("id" = Uuid, Path), ("token_id" = Uuid, Path)),
    responses((status = 204, description = "Revoked: the token can no longer enroll an agent")),
    security(("tenant_auth" = [])))]
pub async fn revoke_token(cx: Tenant, Path((site_id, token_id)): Path<(Uuid, Uuid)>) -> ApiResult<StatusCode> {
    let mut w = cx.write(Role::Operator).await?;
    let row = db::enrollment_tokens::get(w.conn(), site_id, token_id)
        .await?
        .ok_or(ApiError::NotFound(Kind::EnrollmentToken))?;
    db::enrollment_tokens::delete(w.conn(), token_id).await?;
    w.commit(Change::deleted(Kind::EnrollmentToken, token_id, &row.to_api()), Touched::Nothing).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/v1/sites/{id}/agent", tag = "agents", params(("id" = Uuid, Path)),
    responses((status = 200, description = "The agent enrolled for the site", body = Agent)),
    security(("tenant_auth" = [])))]
pub async fn get_agent(cx: Tenant, Path(site_id): Path<Uuid>) -> ApiResult<axum::Json<Agent>> {
    let mut tx = db::tenant_tx(&cx.app.pool, cx.tenant_id()).await?;
    site_exists(&mut tx, site_id).await?;
    let row = db::agents::by_site(&mut *tx, site_id).await?.ok_or(ApiError::NotFound(Kind::Agent))?;
    db::end_read(tx);
    Ok(axum::Json(row.to_api()))
}

#[utoipa::path(delete, path = "/v1/sites/{id}/agent", tag = "agents", params(("id" = Uuid, Path)),
    responses((status = 204, description = "Revoked: the agent's credential stops working and its key leaves its peers' documents")),
    security(("tenant_auth" = [])))]
pub async fn revoke_agent(cx: Tenant, Path(site_id): Path<Uuid>) -> ApiResult<StatusCode> {
    let mut w = cx.network_write().await?;
    site_exists(w.conn(), site_id).await?;
    let row = db::agents::by_site(w.conn(), site_id).await?.ok_or(ApiError::NotFound(Kind::Agent))?;
    db::agents::delete(w.conn(), row.id).await?;
    w.forget_credentials();
    w.commit(Change::deleted(Kind::Agent, row.id, &row.to_api()), Touched::Site(site_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A site's health: unenrolled without an agent; offline when its agent never reported or has
/// been silent longer than `silent`; else what its latest report says against the current
/// document. `agent` is the agent's last report time and report, when one has enrolled.
pub fn site_health(
    agent: Option<(Option<DateTime<Utc>>, Option<ReportHealth<'_>>)>,
    desired_hash: Option<&str>,
    now: DateTime<Utc>,
    silent: Duration,
) -> (SiteHealth, Option<String>) {
    match agent {
        None => (SiteHealth::Unenrolled, Some("no agent has enrolled for this site".to_string())),
        Some((last_seen_at, report)) => match (last_seen_at, report) {
            (Some(seen), Some(report)) if now - seen <= silent => health_from(report, desired_hash),
            (Some(seen), _) => (
                SiteHealth::Offline,
                Some(format!("no status report since {}", seen.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))),
            ),
            (None, _) => (SiteHealth::Offline, Some("the agent has not reported yet".to_string())),
        },
    }
}

#[utoipa::path(get, path = "/v1/sites/{id}/status", tag = "agents",
    params(("id" = Uuid, Path),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of a status read earlier")),
    responses((status = 200, description = "The site's health and its agent's latest report; the ETag changes only \
            when the answer does", body = SiteStatus),
        (status = 304, description = "The status is still the one `If-None-Match` names")),
    security(("tenant_auth" = [])))]
pub async fn site_status(cx: Tenant, Path(site_id): Path<Uuid>, headers: HeaderMap) -> ApiResult<Response> {
    let mut tx = db::tenant_tx(&cx.app.pool, cx.tenant_id()).await?;
    site_exists(&mut tx, site_id).await?;
    let agent = db::agents::by_site(&mut *tx, site_id).await?;
    let last_control_plane_outage = db::agents::last_outage(&mut *tx, site_id).await?;
    let desired = db::site_configs::get(&mut *tx, site_id).await?;
    db::end_read(tx);
    let (health, reason) = site_health(
        agent.as_ref().map(|a| {
            let report = a.report.as_ref().map(|r| &r.0);
            (
                a.last_seen_at,
                report.map(|r| ReportHealth {
                    last_error: r.last_error.as_deref(),
                    applied_hash: r.applied_hash.as_deref(),
                    applied_revision: r.applied_revision,
                    bgp: r.bgp.as_ref(),
                }),
            )
        }),
        desired.as_ref().map(|(h, _)| h.as_str()),
        Utc::now(),
        cx.app.settings.offline_after(),
    );
    crate::conditional::json(
        &headers,
        &SiteStatus {
            site_id,
            health,
            reason,
            desired_hash: desired.as_ref().map(|(h, _)| h.clone()),
            desired_revision: desired.map(|(_, r)| r),
            last_seen_at: agent.as_ref().and_then(|a| a.last_seen_at),
            report: agent.as_ref().and_then(|a| a.report.as_ref().map(|r| r.0.clone())),
            last_control_plane_outage,
            agent: agent.map(|a| a.to_api()),
        },
    )
}
