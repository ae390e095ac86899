//! `patronus-agent`: enrolls a site's machine with the server, pulls the site's compiled config,
//! keeps it as last-known-good and runs the dataplane from it.

pub mod apps;
pub mod bgp;
pub mod control;
pub mod dataplane;
pub mod enroll;
pub mod metrics;
pub mod outage;
pub mod state;
pub mod validate;
