//! Wire types of the Patronus API, shared by `patronus-server`, `patronus-agent` and Rust clients.
//!
//! Naming follows one pattern: `NewX` is a create body, `XUpdate` a PATCH body, `X` the resource
//! as the server returns it.

pub mod agent;
pub mod applications;
pub mod audit;
pub mod auth;
pub mod bgp;
#[cfg(feature = "client")]
pub mod client;
pub mod common;
pub mod config;
pub mod identity;
pub mod network;
pub mod schema;
pub mod tenants;
pub mod tokens;
pub mod users;
pub mod wire;

pub use agent::*;
pub use applications::{ApplicationProtocol, NewTenantApplication, TenantApplication, TenantApplicationUpdate};
pub use audit::*;
pub use auth::*;
pub use bgp::*;
pub use common::*;
pub use config::*;
pub use identity::*;
pub use network::*;
pub use tenants::*;
pub use tokens::*;
pub use users::*;
pub use wire::*;
