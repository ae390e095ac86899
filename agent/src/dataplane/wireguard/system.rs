//! The system state a document changes besides sockets: the TUN's overlay address and the
//! routes of the peers' allowed IPs through it, changed through rtnetlink (`netlink`), all of a
//! document's routes in one batch.
//!
//! A document is applied completely or not at all: [`System::prepare`] adds what the new document
//! needs next to what the old one has (so no moment is without a route), and takes back every one
//! of its own additions if any fails; [`System::finish`] removes what only the old one needed
//! once the node forwards by the new one.

use std::io;
use std::net::IpAddr;

use anyhow::{anyhow, Context};

use super::netlink::{self, Netlink, Request};
use crate::dataplane::node::routes::Prefix;
use crate::dataplane::node::Plan;
use patronus_api::IpNet;

/// An interface address with its prefix length, e.g. `100.64.0.7/16`.
type Address = (IpAddr, u8);

pub struct System {
    tun: String,
    index: u32,
    netlink: Netlink,
    address: Option<Address>,
}

impl std::fmt::Debug for System {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("System").field("tun", &self.tun).field("index", &self.index).finish_non_exhaustive()
    }
}

/// What [`System::prepare`] added, for [`System::finish`] to complete.
#[derive(Debug)]
pub struct Prepared {
    added_routes: Vec<Prefix>,
    /// The address set, when it changed, and the one it replaces.
    new_address: Option<Address>,
    old_address: Option<Address>,
    remove_routes: Vec<Prefix>,
}

impl System {
    /// Opens a route socket in the calling thread's network namespace for the TUN `tun`.
    pub fn new(tun: &str) -> anyhow::Result<System> {
        let mut netlink = Netlink::open().context("opening a route netlink socket")?;
        let index = netlink::link_index(&mut netlink, tun).with_context(|| format!("looking up {tun}"))?;
        Ok(System { tun: tun.to_owned(), index, netlink, address: None })
    }

    /// Sets the TUN's MTU and brings it up. An old overlay address that is the primary address of
    /// its subnet takes a new one in the same subnet with it when it goes, unless secondaries are
    /// promoted: they are, on the TUN.
    pub fn bring_up(&mut self, mtu: u16) -> anyhow::Result<()> {
        let promote = format!("/proc/sys/net/ipv4/conf/{}/promote_secondaries", self.tun);
        if let Err(e) = std::fs::write(&promote, "1") {
            tracing::warn!(error = %e, path = %promote, "secondary addresses are not promoted");
        }
        let (request, _) = netlink::set_up(self.index, u32::from(mtu));
        self.netlink.request(request, 0).with_context(|| format!("setting {} up with MTU {mtu}", self.tun))?;
        Ok(())
    }

    /// Adds the overlay address and the routes `plan` adds; on failure removes what it added and
    /// leaves the system as it was.
    pub fn prepare(&mut self, address: IpNet, plan: &Plan) -> anyhow::Result<Prepared> {
        let address = (address.addr(), address.prefix_len());
        let new_address = self.address != Some(address);
        if new_address {
            let (request, flags) = netlink::add_address(self.index, address.0, address.1);
            self.netlink
                .request(request, flags)
                .with_context(|| format!("adding {}/{} to {}", address.0, address.1, self.tun))?;
        }
        let requests: Vec<Request> = plan.add_routes.iter().map(|r| netlink::add_route(self.index, r)).collect();
        let failure = match self.netlink.batch(requests) {
            Ok(outcomes) => {
                let failed: Vec<(Prefix, io::Error)> = plan
                    .add_routes
                    .iter()
                    .zip(outcomes)
                    .filter_map(|(route, outcome)| outcome.err().map(|e| (*route, e)))
                    .collect();
                match failed.first() {
                    None => None,
                    Some((route, e)) => {
                        let added: Vec<Prefix> =
                            plan.add_routes.iter().filter(|r| !failed.iter().any(|f| f.0 == **r)).copied().collect();
                        Some((
                            added,
                            anyhow!(
                                "route {route} through {}: {e} ({} of {} new routes failed)",
                                self.tun,
                                failed.len(),
                                plan.add_routes.len()
                            ),
                        ))
                    }
                }
            }
            // Which of them went in is unknown: take them all back.
            Err(e) => Some((plan.add_routes.clone(), anyhow!("adding routes through {}: {e}", self.tun))),
        };
        let prepared = Prepared {
            added_routes: plan.add_routes.clone(),
            new_address: new_address.then_some(address),
            old_address: if new_address { self.address.replace(address) } else { None },
            remove_routes: plan.remove_routes.clone(),
        };
        if let Some((added, error)) = failure {
            self.undo(Prepared { added_routes: added, ..prepared });
            return Err(error.context("the document was not applied; the previous one stays"));
        }
        Ok(prepared)
    }

    /// Takes back what [`System::prepare`] added, when something else of the document failed.
    pub fn undo(&mut self, prepared: Prepared) {
        self.remove_routes(&prepared.added_routes, "undoing a new route");
        if let Some(new) = prepared.new_address {
            self.remove_address(new, "undoing the new overlay address");
            self.address = prepared.old_address;
        }
    }

    /// Removes what only the previous document needed. Failures are logged: the new document
    /// is in force either way.
    pub fn finish(&mut self, prepared: Prepared) {
        self.remove_routes(&prepared.remove_routes, "removing a route");
        if let Some(old) = prepared.old_address {
            self.remove_address(old, "removing the old overlay address");
        }
    }

    fn remove_routes(&mut self, routes: &[Prefix], what: &str) {
        let requests: Vec<Request> = routes.iter().map(|r| netlink::del_route(self.index, r)).collect();
        match self.netlink.batch(requests) {
            Ok(outcomes) => {
                for (route, outcome) in routes.iter().zip(outcomes) {
                    if let Err(e) = outcome {
                        tracing::warn!(route = %route, error = %e, "{what}");
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, routes = routes.len(), "{what}"),
        }
    }

    fn remove_address(&mut self, (ip, len): Address, what: &str) {
        let (request, flags) = netlink::del_address(self.index, ip, len);
        if let Err(e) = self.netlink.request(request, flags) {
            tracing::warn!(address = %format!("{ip}/{len}"), error = %e, "{what}");
        }
    }
}
