//! HTTP handlers, one module per resource. Handlers parse, check roles, call `db`, record the
//! audit event in the same transaction and answer; they hold no SQL.

pub mod agent;
pub mod api_tokens;
pub mod applications;
pub mod audit_events;
pub mod auth;
pub mod bgp;
pub mod bgp_routes;
pub mod enrollment;
pub mod fleet;
pub mod health;
pub mod identity_provider;
pub mod links;
pub mod oidc;
pub mod path_health;
pub mod peerings;
pub mod platform;
pub mod policies;
pub mod qos_classes;
pub mod sites;
pub mod tenants;
pub mod topology;
pub mod users;

/// The `security` requirement names used in the OpenAPI document.
pub const TENANT_AUTH: &str = "tenant_auth";
pub const PLATFORM_AUTH: &str = "platform_auth";
pub const AGENT_AUTH: &str = "agent_auth";
