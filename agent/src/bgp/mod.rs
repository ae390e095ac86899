//! BGP through FRRouting (issue 18), the agent's side.
//!
//! - `settings.rs`: [`BgpSettings`], the document's BGP section plus the other sites' prefixes the
//!   site reaches over the overlay.
//! - `render.rs`: settings to one `frr.conf` for zebra and bgpd, pure, unit-tested on the text;
//!   its header explains the choices.
//! - `frr.rs`: [`Frr`] starts zebra/bgpd (bfdd when a neighbour wants BFD) in the agent's network
//!   namespace under its own FRR pathspace, applies a changed file with `frr-reload.py` (only the
//!   difference, so unchanged sessions stay up), reads sessions and routes through vtysh, and
//!   stops only the daemons its pid files name.
//! - `read.rs`: FRR 8.4's JSON to [`SessionState`]s (state, uptime, prefixes accepted, the
//!   maximum, why a session is down) and [`LearnedRoute`]s, unit-tested on captured JSON.
//! - `supervisor.rs`: the task beside the control loop that applies, reads, reports and sends the
//!   learned routes to the server.
//! - `netns_tests.rs`: the agent's FRR and two customer routers' FRR in `pg-*` namespaces (root
//!   and FRR needed; `#[ignore]`d so that `cargo test` neither installs FRR nor waits for it;
//!   scripts/test runs it with `--ignored`). tests/e2e/bgp.py is the end-to-end acceptance.

pub mod frr;
pub mod read;
pub mod render;
pub mod settings;
pub mod supervisor;

#[cfg(test)]
mod netns_tests;

pub use frr::{Applied, BgpReport, Frr, FrrError};
pub use read::{LearnedRoute, SessionProblem, SessionState};
pub use render::{render, RenderError};
pub use settings::BgpSettings;
pub use supervisor::Supervisor;
