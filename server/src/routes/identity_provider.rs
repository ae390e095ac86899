//! The tenant's identity provider for single sign-on: one per tenant, so a singleton resource
//! (`/v1/identity-provider`, like `/v1/topology`): the SSO login URL needs only the tenant's slug,
//! and there is never a question of which provider a login means. Read, replaced with PUT and
//! deleted by admins only. The client secret is write-only.

use axum::http::HeaderMap;
use patronus_api::{IdentityProvider, IdentityProviderSpec, Role};
use sqlx::types::Json as SqlJson;

use crate::audit::Change;
use crate::db::{self, identity_providers::IdentityProviderRow};
use crate::error::{ApiError, ApiResult};
use crate::extract::{IfMatch, Json, Resource};
use crate::oidc;
use crate::pipeline::{Tenant, Touched};
use crate::resource::Kind;
use crate::validate::Errors;

const PATH: &str = "/v1/identity-provider";

async fn login_url(conn: &mut sqlx::PgConnection, cx: &Tenant, headers: &HeaderMap) -> ApiResult<String> {
    let tenant = db::tenants::get(conn, cx.tenant_id()).await?.ok_or(ApiError::NotFound(Kind::Tenant))?;
    Ok(oidc::login_url(&cx.app.settings.public_url(headers), &tenant.slug))
}

#[utoipa::path(get, path = "/v1/identity-provider", tag = "identity-provider",
    responses((status = 200, description = "The tenant's identity provider (admins only)", body = IdentityProvider,
        headers(("ETag" = String))),
        (status = 404, description = "The tenant has no identity provider", body = patronus_api::Problem, content_type = "application/problem+json")),
    security(("tenant_auth" = [])))]
pub async fn get(cx: Tenant, headers: HeaderMap) -> ApiResult<Resource<IdentityProvider>> {
    cx.caller.require(Role::Admin)?;
    let mut tx = db::tenant_tx(&cx.app.pool, cx.tenant_id()).await?;
    let row = db::identity_providers::get(&mut *tx).await?.ok_or(ApiError::NotFound(Kind::IdentityProvider))?;
    let url = login_url(&mut tx, &cx, &headers).await?;
    db::end_read(tx);
    Ok(Resource::ok(row.etag(), row.to_api(url)))
}

fn no_controls(s: &str) -> bool {
    !s.chars().any(char::is_control)
}

/// An issuer: `https`, or `http` on a loopback address (a provider on the same machine).
fn issuer_url(errors: &mut Errors, value: &str) {
    let pointer = "/issuer_url";
    let Ok(url) = reqwest::Url::parse(value) else {
        errors.add(pointer, "must be a URL such as https://login.example.com/realms/acme");
        return;
    };
    let host = url.host_str().unwrap_or("").trim_start_matches('[').trim_end_matches(']');
    let loopback = host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
        errors.add(pointer, "must be an https:// URL (http:// only on a loopback address)");
    } else if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        errors.add(pointer, "must not have a query, a fragment or user info");
    } else if value.len() > 2048 {
        errors.add(pointer, "must be at most 2048 characters");
    }
}

fn bounded(errors: &mut Errors, pointer: &str, value: &str, max: usize) {
    if value.trim().is_empty() {
        errors.add(pointer, "must not be empty");
    } else if value.chars().count() > max {
        errors.add(pointer, format!("must be at most {max} characters"));
    } else if !no_controls(value) || value.trim() != value {
        errors.add(pointer, "must not contain control characters or start or end with white space");
    }
}

/// Checks a spec; returns the email domains lowercased.
fn check(body: &IdentityProviderSpec) -> Result<Vec<String>, ApiError> {
    let mut errors = Errors::new();
    issuer_url(&mut errors, &body.issuer_url);
    bounded(&mut errors, "/client_id", &body.client_id, 255);
    if let Some(secret) = &body.client_secret {
        if secret.is_empty() || secret.chars().count() > 1024 || !no_controls(secret) {
            errors.add("/client_secret", "must be 1 to 1024 characters without control characters");
        }
    }
    if body.allowed_email_domains.len() > 100 {
        errors.add("/allowed_email_domains", "must list at most 100 domains");
    }
    let mut domains = Vec::new();
    for (i, d) in body.allowed_email_domains.iter().enumerate() {
        let d = d.trim().to_lowercase();
        let ok = !d.is_empty()
            && d.len() <= 253
            && d.contains('.')
            && d.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
            && !d.starts_with(['.', '-'])
            && !d.ends_with(['.', '-']);
        if !ok {
            errors.add(&format!("/allowed_email_domains/{i}"), "must be a domain such as example.com");
        } else if !domains.contains(&d) {
            domains.push(d);
        }
    }
    bounded(&mut errors, "/role_claim", &body.role_claim, 100);
    if body.role_claim.chars().any(char::is_whitespace) {
        errors.add("/role_claim", "must not contain white space");
    }
    if body.role_mapping.len() > 500 {
        errors.add("/role_mapping", "must map at most 500 groups");
    }
    for (i, m) in body.role_mapping.iter().enumerate() {
        bounded(&mut errors, &format!("/role_mapping/{i}/group"), &m.group, 200);
        if body.role_mapping[..i].iter().any(|o| o.group == m.group) {
            errors.add(&format!("/role_mapping/{i}/group"), "is mapped twice");
        }
    }
    errors.check()?;
    Ok(domains)
}

#[utoipa::path(put, path = "/v1/identity-provider", tag = "identity-provider", request_body = IdentityProviderSpec,
    params(("If-Match" = Option<String>, Header, description = "The ETag the change is based on")),
    responses(
        (status = 200, description = "Replaced", body = IdentityProvider, headers(("ETag" = String))),
        (status = 201, description = "Created", body = IdentityProvider, headers(("ETag" = String), ("Location" = String)))),
    security(("tenant_auth" = [])))]
pub async fn put(
    cx: Tenant,
    headers: HeaderMap,
    if_match: IfMatch,
    Json(body): Json<IdentityProviderSpec>,
) -> ApiResult<Resource<IdentityProvider>> {
    cx.caller.require(Role::Admin)?;
    let domains = check(&body)?;
    let mut w = cx.write(Role::Admin).await?;
    let current = db::identity_providers::lock(w.conn()).await?;
    match &current {
        Some(row) => if_match.check(&row.etag())?,
        None if if_match.0.is_some() => return Err(ApiError::PreconditionFailed),
        None => {}
    }
    let client_secret = match (&body.client_secret, &current) {
        (Some(secret), _) => secret.clone(),
        (None, Some(row)) => row.client_secret.clone(),
        (None, None) => {
            return Err(ApiError::field("/client_secret", "is required when the identity provider is created"));
        }
    };
    // A login that worked vouches only for the issuer and client it used.
    let verified_at = current
        .as_ref()
        .filter(|row| row.issuer_url == body.issuer_url && row.client_id == body.client_id)
        .and_then(|row| row.verified_at);
    if body.password_login_admins_only && verified_at.is_none() {
        return Err(ApiError::conflict(
            "/password_login_admins_only",
            "password login can be limited to admins only once an SSO login has succeeded with this issuer and \
             client (see verified_at)",
        ));
    }
    let next = IdentityProviderRow {
        tenant_id: cx.tenant_id(),
        issuer_url: body.issuer_url.clone(),
        client_id: body.client_id.clone(),
        client_secret,
        allowed_email_domains: domains,
        role_claim: body.role_claim.clone(),
        role_mapping: SqlJson(body.role_mapping.clone()),
        default_role: body.default_role.map(|r| r.as_str().to_string()),
        password_login_admins_only: body.password_login_admins_only,
        verified_at,
        version: current.as_ref().map_or(1, |r| r.version),
        created_at: current.as_ref().map_or_else(chrono::Utc::now, |r| r.created_at),
        updated_at: current.as_ref().map_or_else(chrono::Utc::now, |r| r.updated_at),
    };
    let url = login_url(w.conn(), &cx, &headers).await?;
    if let Some(row) = &current {
        if same(row, &next) {
            // Nothing changes: nothing is written and the ETag stays.
            drop(w);
            return Ok(Resource::ok(row.etag(), row.to_api(url)));
        }
    }
    let stored = db::identity_providers::upsert(w.conn(), &next).await?;
    let after = stored.to_api(url.clone());
    match &current {
        Some(before) => {
            w.commit(
                Change::updated(Kind::IdentityProvider, cx.tenant_id(), &before.to_api(url), &after),
                Touched::Nothing,
            )
            .await?;
            Ok(Resource::ok(stored.etag(), after))
        }
        None => {
            w.commit(Change::created(Kind::IdentityProvider, cx.tenant_id(), &after), Touched::Nothing).await?;
            Ok(Resource::created(stored.etag(), PATH.to_string(), after))
        }
    }
}

fn same(a: &IdentityProviderRow, b: &IdentityProviderRow) -> bool {
    a.issuer_url == b.issuer_url
        && a.client_id == b.client_id
        && a.client_secret == b.client_secret
        && a.allowed_email_domains == b.allowed_email_domains
        && a.role_claim == b.role_claim
        && a.role_mapping.0 == b.role_mapping.0
        && a.default_role == b.default_role
        && a.password_login_admins_only == b.password_login_admins_only
        && a.verified_at == b.verified_at
}

#[utoipa::path(delete, path = "/v1/identity-provider", tag = "identity-provider",
    params(("If-Match" = Option<String>, Header, description = "The ETag the deletion is based on")),
    responses((status = 204, description = "Deleted: SSO ends for the tenant, password login is open to everyone again"),
        (status = 404, description = "The tenant has no identity provider", body = patronus_api::Problem, content_type = "application/problem+json")),
    security(("tenant_auth" = [])))]
pub async fn delete(cx: Tenant, headers: HeaderMap, if_match: IfMatch) -> ApiResult<axum::http::StatusCode> {
    cx.caller.require(Role::Admin)?;
    let mut w = cx.write(Role::Admin).await?;
    let current = db::identity_providers::lock(w.conn()).await?.ok_or(ApiError::NotFound(Kind::IdentityProvider))?;
    if_match.check(&current.etag())?;
    db::identity_providers::delete(w.conn()).await?;
    let url = login_url(w.conn(), &cx, &headers).await?;
    w.commit(Change::deleted(Kind::IdentityProvider, cx.tenant_id(), &current.to_api(url)), Touched::Nothing).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
