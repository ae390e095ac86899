use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Limits on what a tenant may create.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Quotas {
    #[schema(minimum = 0)]
    pub max_users: i32,
    #[schema(minimum = 0)]
    pub max_api_tokens: i32,
    #[serde(default = "default_max_sites")]
    #[schema(minimum = 0)]
    pub max_sites: i32,
}

fn default_max_sites() -> i32 {
    1000
}

impl Default for Quotas {
    fn default() -> Self {
        Self { max_users: 100, max_api_tokens: 50, max_sites: default_max_sites() }
    }
}

/// Partial quota change: absent fields keep their value.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuotasUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_users: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_api_tokens: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_sites: Option<i32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTenant {
    pub name: String,
    /// Lowercase letters, digits and dashes; used at login. Unique across the platform.
    pub slug: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quotas: Option<Quotas>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quotas: Option<QuotasUpdate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Tenant {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub quotas: Quotas,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The resource's current entity tag, the same value as the `ETag` header.
    pub etag: String,
}
