//! The system state a document changes besides sockets: the TUN's overlay address and the
//! routes of the peers' allowed IPs through it. Changed with `ip` (iproute2), one call per
//! address or route.
//!
//! A document is applied completely or not at all: [`System::prepare`] adds what the new document
//! needs next to what the old one has (so no moment is without a route), and undoes its own
//! additions if one fails; [`System::finish`] removes what only the old one needed once the node
//! forwards by the new one.

use anyhow::{bail, Context};

use crate::dataplane::node::routes::Prefix;
use crate::dataplane::node::Plan;

pub struct System {
    tun: String,
    address: Option<String>,
}

/// What [`System::prepare`] added, for [`System::finish`] to complete.
#[derive(Debug)]
pub struct Prepared {
    added_routes: Vec<Prefix>,
    /// The address set, when it changed, and the one it replaces.
    new_address: Option<String>,
    old_address: Option<String>,
    remove_routes: Vec<Prefix>,
}

impl System {
    pub fn new(tun: &str) -> System {
        System { tun: tun.to_owned(), address: None }
    }

    /// Sets the TUN's MTU and brings it up.
    pub fn bring_up(&self, mtu: u16) -> anyhow::Result<()> {
        ip(&["link", "set", "dev", &self.tun, "mtu", &mtu.to_string(), "up"])
    }

    /// Adds the overlay address and the routes `plan` adds; on failure removes what it added and
    /// leaves the system as it was.
    pub fn prepare(&mut self, address: &str, plan: &Plan) -> anyhow::Result<Prepared> {
        let new_address = self.address.as_deref() != Some(address);
        if new_address {
            ip(&["addr", "replace", address, "dev", &self.tun])?;
        }
        let mut added = Vec::new();
        for route in &plan.add_routes {
            if let Err(e) = ip(&["route", "replace", &route.to_string(), "dev", &self.tun]) {
                for r in added.iter().chain(std::iter::once(route)) {
                    self.remove_route(r);
                }
                if new_address {
                    if let Err(e) = ip(&["addr", "del", address, "dev", &self.tun]) {
                        tracing::warn!(error = %e, "undoing the new overlay address");
                    }
                }
                return Err(e);
            }
            added.push(*route);
        }
        let old_address = if new_address { self.address.replace(address.to_owned()) } else { None };
        Ok(Prepared {
            added_routes: added,
            new_address: new_address.then(|| address.to_owned()),
            old_address,
            remove_routes: plan.remove_routes.clone(),
        })
    }

    /// Takes back what [`System::prepare`] added, when something else of the document failed.
    pub fn undo(&mut self, prepared: Prepared) {
        for route in &prepared.added_routes {
            self.remove_route(route);
        }
        if let Some(new) = prepared.new_address {
            if let Err(e) = ip(&["addr", "del", &new, "dev", &self.tun]) {
                tracing::warn!(error = %e, "undoing the new overlay address");
            }
            self.address = prepared.old_address;
        }
    }

    /// Removes what only the previous document needed. Failures are logged: the new document
    /// is in force either way.
    pub fn finish(&mut self, prepared: Prepared) {
        for route in &prepared.remove_routes {
            self.remove_route(route);
        }
        if let Some(old) = prepared.old_address {
            if let Err(e) = ip(&["addr", "del", &old, "dev", &self.tun]) {
                tracing::warn!(error = %e, "removing the old overlay address");
            }
        }
    }

    fn remove_route(&self, route: &Prefix) {
        if let Err(e) = ip(&["route", "del", &route.to_string(), "dev", &self.tun]) {
            tracing::warn!(route = %route, error = %e, "removing a route");
        }
    }
}

/// Runs `ip` with `args`.
fn ip(args: &[&str]) -> anyhow::Result<()> {
    let out = std::process::Command::new("ip").args(args).output().context("running ip (iproute2)")?;
    if !out.status.success() {
        bail!("ip {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}
