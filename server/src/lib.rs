//! `patronus-server`: the Patronus SD-WAN control plane.

pub mod app;
pub mod audit;
pub mod auth;
pub mod bootstrap;
pub mod compiler;
pub mod conditional;
pub mod config;
pub mod config_sync;
pub mod config_watch;
pub mod db;
pub mod embedded_pg;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod maintenance;
pub mod metrics;
pub mod netaddr;
pub mod network_cache;
pub mod oidc;
pub mod openapi;
pub mod overlay_import;
pub mod pagination;
pub mod pipeline;
pub mod portal;
pub mod pubsub;
pub mod ratelimit;
pub mod resource;
pub mod routes;
pub mod serve;
pub mod telemetry;
pub mod validate;

/// The embedded migrations (the `migrations/` folder at the repository root).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");
