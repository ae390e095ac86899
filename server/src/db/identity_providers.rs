use chrono::{DateTime, Utc};
use patronus_api::{GroupRole, IdentityProvider, Role};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::resource::etag;

#[derive(Clone, sqlx::FromRow)]
pub struct IdentityProviderRow {
    pub tenant_id: Uuid,
    pub issuer_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub allowed_email_domains: Vec<String>,
    pub role_claim: String,
    pub role_mapping: sqlx::types::Json<Vec<GroupRole>>,
    pub default_role: Option<String>,
    pub password_login_admins_only: bool,
    pub verified_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

// The client secret stays out of every `Debug` print.
impl std::fmt::Debug for IdentityProviderRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityProviderRow")
            .field("tenant_id", &self.tenant_id)
            .field("issuer_url", &self.issuer_url)
            .field("client_id", &self.client_id)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

impl IdentityProviderRow {
    pub fn etag(&self) -> String {
        etag(self.version)
    }

    pub fn default_role(&self) -> Option<Role> {
        self.default_role.as_deref().and_then(Role::parse)
    }

    pub fn to_api(&self, login_url: String) -> IdentityProvider {
        IdentityProvider {
            issuer_url: self.issuer_url.clone(),
            client_id: self.client_id.clone(),
            client_secret_set: !self.client_secret.is_empty(),
            allowed_email_domains: self.allowed_email_domains.clone(),
            role_claim: self.role_claim.clone(),
            role_mapping: self.role_mapping.0.clone(),
            default_role: self.default_role(),
            password_login_admins_only: self.password_login_admins_only,
            verified_at: self.verified_at,
            login_url,
            created_at: self.created_at,
            updated_at: self.updated_at,
            etag: self.etag(),
        }
    }
}

const COLUMNS: &str =
    "tenant_id, issuer_url, client_id, client_secret, allowed_email_domains, role_claim, role_mapping, \
    default_role, password_login_admins_only, verified_at, version, created_at, updated_at";

pub async fn get(ex: impl PgExecutor<'_>) -> Result<Option<IdentityProviderRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM identity_providers")).fetch_optional(ex).await
}

pub async fn lock(ex: impl PgExecutor<'_>) -> Result<Option<IdentityProviderRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM identity_providers FOR UPDATE")).fetch_optional(ex).await
}

/// Inserts or replaces the tenant's provider; `version` moves on a replace.
pub async fn upsert(ex: impl PgExecutor<'_>, row: &IdentityProviderRow) -> Result<IdentityProviderRow, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO identity_providers (tenant_id, issuer_url, client_id, client_secret, allowed_email_domains, \
         role_claim, role_mapping, default_role, password_login_admins_only, verified_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (tenant_id) DO UPDATE SET issuer_url = $2, client_id = $3, client_secret = $4, \
         allowed_email_domains = $5, role_claim = $6, role_mapping = $7, default_role = $8, \
         password_login_admins_only = $9, verified_at = $10, version = identity_providers.version + 1, \
         updated_at = now() RETURNING {COLUMNS}"
    ))
    .bind(row.tenant_id)
    .bind(&row.issuer_url)
    .bind(&row.client_id)
    .bind(&row.client_secret)
    .bind(&row.allowed_email_domains)
    .bind(&row.role_claim)
    .bind(&row.role_mapping)
    .bind(&row.default_role)
    .bind(row.password_login_admins_only)
    .bind(row.verified_at)
    .fetch_one(ex)
    .await
}

pub async fn delete(ex: impl PgExecutor<'_>) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM identity_providers").execute(ex).await?;
    Ok(())
}

/// Records the first SSO login that succeeded with the provider as it is configured now.
pub async fn mark_verified(ex: impl PgExecutor<'_>, version: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE identity_providers SET verified_at = now() WHERE verified_at IS NULL AND version = $1")
        .bind(version)
        .execute(ex)
        .await?;
    Ok(())
}
