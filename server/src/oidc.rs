//! Single sign-on with OpenID Connect (the `openidconnect` crate): the discovery documents and
//! key sets of identity providers, cached per issuer, and what the server takes from an ID token
//! once the crate has verified it (signature against the JWKS, issuer, audience, expiry, nonce).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine;
use openidconnect::core::{CoreClient, CoreProviderMetadata};
use openidconnect::{ClientId, ClientSecret, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, RedirectUrl};
use patronus_api::{GroupRole, Role};
use serde_json::Value;

use crate::db::identity_providers::IdentityProviderRow;
use crate::error::ApiError;

/// How long a discovery document (and its key set) is used before it is fetched again.
const FRESH_FOR: Duration = Duration::from_secs(600);
/// A key the cached set does not have makes the server fetch the set again, at most this often
/// per issuer (a provider that rotated its keys is followed at once; a forger gains nothing).
const REFETCH_AFTER: Duration = Duration::from_secs(10);

/// The client for one provider, as `CoreClient::from_provider_metadata` gives it.
pub type OidcClient =
    CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

/// Discovery documents by issuer, with the time they were fetched.
pub struct Discovery {
    pub http: reqwest::Client,
    cache: Mutex<HashMap<String, (Instant, CoreProviderMetadata)>>,
}

impl Discovery {
    pub fn new() -> anyhow::Result<Discovery> {
        let http = reqwest::Client::builder()
            // Following redirects would let a provider's answer send the server anywhere.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()?;
        Ok(Discovery { http, cache: Mutex::new(HashMap::new()) })
    }

    fn cached(&self, issuer: &str, max_age: Duration) -> Option<CoreProviderMetadata> {
        let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.get(issuer).filter(|(at, _)| at.elapsed() < max_age).map(|(_, m)| m.clone())
    }

    /// The provider's metadata and keys; `refresh` asks for a fresh copy unless the cached one
    /// is only seconds old.
    pub async fn metadata(&self, issuer: &str, refresh: bool) -> Result<CoreProviderMetadata, ApiError> {
        let max_age = if refresh { REFETCH_AFTER } else { FRESH_FOR };
        if let Some(metadata) = self.cached(issuer, max_age) {
            return Ok(metadata);
        }
        let issuer_url = IssuerUrl::new(issuer.to_string())
            .map_err(|e| ApiError::Unavailable(format!("the identity provider's issuer URL is not valid: {e}")))?;
        let metadata = CoreProviderMetadata::discover_async(issuer_url, &self.http).await.map_err(|e| {
            tracing::warn!(issuer, error = %error_chain(&e), "OIDC discovery failed");
            ApiError::Unavailable(format!(
                "the identity provider {issuer} did not answer discovery (or its keys) usably: {}",
                error_chain(&e)
            ))
        })?;
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() > 10_000 {
            cache.retain(|_, (at, _)| at.elapsed() < FRESH_FOR);
        }
        cache.insert(issuer.to_string(), (Instant::now(), metadata.clone()));
        Ok(metadata)
    }

    /// The client for a tenant's provider, redirecting back to `<public_url>/v1/auth/oidc/callback`.
    pub async fn client(
        &self,
        idp: &IdentityProviderRow,
        public_url: &str,
        refresh: bool,
    ) -> Result<(OidcClient, CoreProviderMetadata), ApiError> {
        let metadata = self.metadata(&idp.issuer_url, refresh).await?;
        let redirect = RedirectUrl::new(callback_url(public_url))
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("the callback URL is not valid: {e}")))?;
        let client = CoreClient::from_provider_metadata(
            metadata.clone(),
            ClientId::new(idp.client_id.clone()),
            Some(ClientSecret::new(idp.client_secret.clone())),
        )
        .set_redirect_uri(redirect);
        Ok((client, metadata))
    }
}

pub fn callback_url(public_url: &str) -> String {
    format!("{public_url}/v1/auth/oidc/callback")
}

pub fn login_url(public_url: &str, tenant_slug: &str) -> String {
    format!("{public_url}/v1/auth/oidc/login?tenant={tenant_slug}")
}

/// An error with its sources, for messages that say what went wrong at the provider.
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The claims of a compact JWT's payload. Only for a token whose signature was already verified.
pub fn payload_claims(jwt: &str) -> Option<serde_json::Map<String, Value>> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// The groups a token's role claim names: a string or a list of strings.
pub fn groups(claims: &serde_json::Map<String, Value>, claim: &str) -> Vec<String> {
    match claims.get(claim) {
        Some(Value::String(one)) => vec![one.clone()],
        Some(Value::Array(many)) => many.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

/// The role of a member of `groups`: the highest that the mapping gives any of them, else the
/// default role, else none (the user may not sign in).
pub fn role_for(groups: &[String], mapping: &[GroupRole], default_role: Option<Role>) -> Option<Role> {
    mapping.iter().filter(|m| groups.contains(&m.group)).map(|m| m.role).max().or(default_role)
}

/// Whether `email` is in one of `domains` (any domain when there are none).
pub fn email_allowed(email: &str, domains: &[String]) -> bool {
    if domains.is_empty() {
        return true;
    }
    let Some((_, domain)) = email.rsplit_once('@') else {
        return false;
    };
    domains.iter().any(|d| d.eq_ignore_ascii_case(domain))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(group: &str, role: Role) -> GroupRole {
        GroupRole { group: group.into(), role }
    }

    #[test]
    fn the_highest_mapped_role_wins_then_the_default() {
        let mapping = [map("net-admins", Role::Admin), map("net-ops", Role::Operator)];
        let g = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(role_for(&g(&["net-ops", "net-admins"]), &mapping, None), Some(Role::Admin));
        assert_eq!(role_for(&g(&["net-ops"]), &mapping, Some(Role::Viewer)), Some(Role::Operator));
        assert_eq!(role_for(&g(&["sales"]), &mapping, Some(Role::Viewer)), Some(Role::Viewer));
        assert_eq!(role_for(&g(&["sales"]), &mapping, None), None);
    }

    #[test]
    fn a_role_claim_may_be_one_string_or_a_list() {
        let claims = payload_claims("x.eyJncm91cHMiOlsiYSIsImIiXSwicm9sZSI6ImMifQ.y").unwrap_or_default();
        assert_eq!(groups(&claims, "groups"), vec!["a", "b"]);
        assert_eq!(groups(&claims, "role"), vec!["c"]);
        assert!(groups(&claims, "missing").is_empty());
    }

    #[test]
    fn email_domains_are_matched_whole_and_without_case() {
        let domains = vec!["example.com".to_string()];
        assert!(email_allowed("ann@Example.COM", &domains));
        assert!(!email_allowed("ann@evil-example.com", &domains));
        assert!(!email_allowed("ann@example.com.evil", &domains));
        assert!(email_allowed("ann@anything.org", &[]));
    }
}
