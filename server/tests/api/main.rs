//! HTTP tests against the real router and a real PostgreSQL.

// Tests may panic on the unexpected: that is how they fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod agents;
mod api_tokens;
mod applications;
mod audit;
mod auth;
mod bgp;
mod bgp_routes;
mod common;
mod constraints;
mod conventions;
mod fleet;
mod inline_links;
mod isolation;
mod lifecycle;
mod links;
mod openapi;
mod operability;
mod path_health;
mod policies;
mod portal;
mod replicas;
mod rust_client;
mod site_config;
mod sites;
mod spec_constraints;
mod sso;
mod tenants;
mod topology;
mod users;
mod xdp_guard;
