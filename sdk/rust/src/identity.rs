//! Single sign-on: the tenant's identity provider (OIDC) and browser sessions.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::Role;

/// One group (a value of the role claim) and the role its members get.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupRole {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([^\x00-\x1f\x7f-\x9f]{0,198}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?$"
    )]
    pub group: String,
    pub role: Role,
}

/// The tenant's identity provider as `PUT /v1/identity-provider` takes it: the whole
/// configuration, replaced at once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentityProviderSpec {
    /// The OIDC issuer; discovery is read from `<issuer_url>/.well-known/openid-configuration`.
    /// `https`, or `http` on a loopback address; no query, fragment or user info.
    #[schema(
        min_length = 1,
        max_length = 2048,
        pattern = r"^(https://[A-Za-z0-9.-]+|http://(localhost|127\.0\.0\.1|\[::1\]))(:[0-9]{1,4})?(/[A-Za-z0-9._~/-]*)?$"
    )]
    pub issuer_url: String,
    #[schema(
        min_length = 1,
        max_length = 255,
        pattern = r"^[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([^\x00-\x1f\x7f-\x9f]{0,253}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?$"
    )]
    pub client_id: String,
    /// Write-only. Required when the provider is created; omitted, the stored one is kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(min_length = 1, max_length = 1024, pattern = r"^[^\x00-\x1f\x7f-\x9f]+$")]
    pub client_secret: Option<String>,
    /// Only emails in these domains may sign in (any domain when empty).
    #[serde(default)]
    #[schema(schema_with = crate::schema::email_domains)]
    pub allowed_email_domains: Vec<String>,
    /// The ID-token claim that names the user's groups (a string or a list of strings); `groups` when
    /// omitted.
    #[serde(default = "default_role_claim")]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$"
    )]
    pub role_claim: String,
    /// Group → role; a member of several groups gets the highest of their roles.
    #[serde(default)]
    #[schema(max_items = 500)]
    pub role_mapping: Vec<GroupRole>,
    /// The role of a user in none of the mapped groups; without one, such a user is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_role: Option<Role>,
    /// Password login only for admins; everyone else signs in through SSO. Can be turned on only
    /// once an SSO login has succeeded with this issuer and client (`verified_at`).
    #[serde(default)]
    pub password_login_admins_only: bool,
}

fn default_role_claim() -> String {
    "groups".to_string()
}

/// The tenant's identity provider.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IdentityProvider {
    pub issuer_url: String,
    pub client_id: String,
    /// Whether a client secret is stored (it is never shown).
    pub client_secret_set: bool,
    pub allowed_email_domains: Vec<String>,
    pub role_claim: String,
    pub role_mapping: Vec<GroupRole>,
    pub default_role: Option<Role>,
    pub password_login_admins_only: bool,
    /// When the first SSO login with this issuer and client succeeded.
    pub verified_at: Option<DateTime<Utc>>,
    /// Where a browser starts an SSO login for this tenant.
    pub login_url: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub etag: String,
}

/// How a browser session began.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SessionMethod {
    Password,
    Sso,
}

/// The browser session of the request's cookie.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BrowserSession {
    pub tenant_id: Uuid,
    pub user_id: Uuid,
    pub email: String,
    pub role: Role,
    pub method: SessionMethod,
    /// Send it as `X-CSRF-Token` with every request that changes something.
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

/// How people of a tenant can sign in (asked before signing in, by the tenant's slug).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LoginMethods {
    /// Whether the tenant has an identity provider; `sso_login_url` starts its login.
    pub sso: bool,
    pub sso_login_url: Option<String>,
}
