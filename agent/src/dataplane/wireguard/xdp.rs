//! The XDP guard (`crate::dataplane::guard`) as the shell runs it: loaded when the dataplane
//! starts, given the listen port and attached to the links' interfaces with each document, its
//! map of session indexes kept in step with the node's, its counters read for the status report.
//! Where it cannot be loaded or attached, the dataplane runs on without it and says why.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use patronus_api::{XdpAttachMode, XdpGuardCounters, XdpGuardLink, XdpGuardPeer, XdpGuardState, XdpGuardStatus};
use uuid::Uuid;

use crate::dataplane::guard::{AttachMode, Guard, GuardError, GuardOptions};
use crate::dataplane::node::{IndexChange, Node};

enum State {
    Disabled,
    Unavailable(String),
    Loaded(Box<Guard>),
}

struct LinkAttach {
    interface: String,
    attached: Result<AttachMode, String>,
}

pub(super) struct GuardShell {
    state: State,
    options: GuardOptions,
    /// By link name.
    links: BTreeMap<String, LinkAttach>,
}

impl GuardShell {
    /// Loads the guard unless `options` is `None` (turned off).
    pub fn start(options: Option<GuardOptions>) -> GuardShell {
        let state = match options {
            None => {
                tracing::info!("XDP guard turned off: every datagram to the listen port reaches the agent");
                State::Disabled
            }
            Some(_) => match Guard::load() {
                Ok(guard) => {
                    tracing::info!("XDP guard loaded; it attaches to each WAN link's interface");
                    State::Loaded(Box::new(guard))
                }
                Err(e) => {
                    let why = explain(&e);
                    tracing::warn!(
                        reason = %why,
                        "XDP guard unavailable: the agent runs on without it, and every datagram to the listen \
                         port, flood or junk, is handled in user space"
                    );
                    State::Unavailable(why)
                }
            },
        };
        GuardShell { state, options: options.unwrap_or_default(), links: BTreeMap::new() }
    }

    /// Gives the guard the listen port and runs it on the interfaces of `links` (name,
    /// interface), and on no other.
    pub fn configure(&mut self, port: u16, links: &[(String, String)]) {
        let State::Loaded(guard) = &mut self.state else {
            return;
        };
        if let Err(e) = guard.configure(port, self.options) {
            tracing::warn!(error = %e, "configuring the XDP guard");
        }
        let wanted: BTreeSet<&str> = links.iter().map(|(_, interface)| interface.as_str()).collect();
        let gone: Vec<String> =
            guard.attached().map(|(i, _)| i.to_owned()).filter(|i| !wanted.contains(i.as_str())).collect();
        for interface in gone {
            if let Err(e) = guard.detach(&interface) {
                tracing::warn!(%interface, error = %e, "detaching the XDP guard");
            }
        }
        self.links.clear();
        for (name, interface) in links {
            let attached = attach(guard, name, interface);
            self.links.insert(name.clone(), LinkAttach { interface: interface.clone(), attached });
        }
    }

    /// Mirrors the session indexes the node issued and retired since the last call. Called with
    /// the node held, right after it applied a document, so that nothing for a new index can
    /// arrive before the guard lets it through.
    pub fn sync_indexes(&mut self, node: &mut Node) {
        while let Some(change) = node.poll_index_change() {
            let State::Loaded(guard) = &mut self.state else {
                continue;
            };
            let result = match change {
                IndexChange::Issued { index, .. } => guard.issue(index),
                IndexChange::Retired { index } => guard.retire(index),
            };
            if let Err(e) = result {
                tracing::warn!(?change, error = %e, "updating the XDP guard's sessions");
            }
        }
    }

    /// What the status report says of the guard; links not attached yet are tried again first
    /// (an interface may appear after the agent starts).
    pub fn status(&mut self, sessions: &[(u32, Uuid)]) -> XdpGuardStatus {
        let guard = match &mut self.state {
            State::Disabled => return XdpGuardStatus { state: XdpGuardState::Disabled, ..XdpGuardStatus::default() },
            State::Unavailable(why) => {
                return XdpGuardStatus {
                    state: XdpGuardState::Unavailable,
                    warning: Some(format!(
                        "the XDP guard is not running, so nothing is filtered before the agent: {why}"
                    )),
                    ..XdpGuardStatus::default()
                }
            }
            State::Loaded(guard) => guard,
        };
        for (name, link) in self.links.iter_mut() {
            if link.attached.is_err() {
                link.attached = attach(guard, name, &link.interface);
            }
        }
        let links: Vec<XdpGuardLink> = self
            .links
            .iter()
            .map(|(name, l)| XdpGuardLink {
                name: name.clone(),
                interface: l.interface.clone(),
                mode: match l.attached {
                    Ok(AttachMode::Native) => XdpAttachMode::Native,
                    Ok(AttachMode::Generic) => XdpAttachMode::Generic,
                    Err(_) => XdpAttachMode::None,
                },
                error: l.attached.as_ref().err().cloned(),
            })
            .collect();
        let unattached: Vec<&str> =
            links.iter().filter(|l| l.mode == XdpAttachMode::None).map(|l| l.name.as_str()).collect();
        let mut warnings = Vec::new();
        if !unattached.is_empty() {
            warnings
                .push(format!("not attached on link(s) {}: their datagrams are not filtered", unattached.join(", ")));
        }
        let counters = match guard.counters() {
            Ok(c) => XdpGuardCounters {
                passed_initiations: c.passed_initiations.0,
                passed_responses: c.passed_responses.0,
                passed_cookie_replies: c.passed_cookie_replies.0,
                passed_data: c.passed_data.0,
                passed_bytes: c.passed_initiations.1
                    + c.passed_responses.1
                    + c.passed_cookie_replies.1
                    + c.passed_data.1,
                dropped_malformed: c.dropped_malformed.0,
                dropped_unknown_index: c.dropped_unknown_index.0,
                dropped_initiation_rate: c.dropped_initiation_rate.0,
                dropped_bytes: c.dropped_malformed.1 + c.dropped_unknown_index.1 + c.dropped_initiation_rate.1,
            },
            Err(e) => {
                warnings.push(format!("reading its counters: {e}"));
                XdpGuardCounters::default()
            }
        };
        let peer_of: HashMap<u32, Uuid> = sessions.iter().copied().collect();
        let mut peers: Vec<XdpGuardPeer> = match guard.session_counters() {
            Ok(per_index) => per_index
                .into_iter()
                .filter_map(|(index, (packets, bytes))| {
                    peer_of.get(&index).map(|site_id| XdpGuardPeer { site_id: *site_id, packets, bytes })
                })
                .collect(),
            Err(e) => {
                warnings.push(format!("reading its per-peer counters: {e}"));
                Vec::new()
            }
        };
        peers.sort_by_key(|p| p.site_id);
        XdpGuardStatus {
            state: XdpGuardState::Active,
            warning: (!warnings.is_empty()).then(|| warnings.join("; ")),
            links,
            counters,
            peers,
        }
    }
}

fn attach(guard: &mut Guard, link: &str, interface: &str) -> Result<AttachMode, String> {
    match guard.attach(interface) {
        Ok(mode) => {
            tracing::info!(%link, %interface, ?mode, "XDP guard attached");
            Ok(mode)
        }
        Err(e) => {
            let why = format!("attaching to {interface}: {}", chain(&e));
            tracing::warn!(%link, error = %why, "XDP guard not attached; this link's datagrams are not filtered");
            Err(why)
        }
    }
}

/// The error with its causes, and what to do about the usual one.
fn explain(e: &GuardError) -> String {
    let mut why = chain(e);
    if !super::is_root() {
        why.push_str(" (the agent is not root: loading the XDP guard needs CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON, without which the verifier refuses its pointer arithmetic)");
    }
    why
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let c = cause.to_string();
        if !s.contains(&c) {
            s.push_str(": ");
            s.push_str(&c);
        }
        source = cause.source();
    }
    s
}

#[cfg(test)]
mod tests {
    #![allow(clippy::print_stdout)]
    use super::*;

    #[test]
    fn turned_off_the_guard_reports_disabled_and_attaches_nothing() {
        let mut shell = GuardShell::start(None);
        shell.configure(51820, &[("wan".into(), "lo".into())]);
        let status = shell.status(&[]);
        assert_eq!(status.state, XdpGuardState::Disabled);
        assert!(status.links.is_empty() && status.warning.is_none(), "{status:?}");
    }

    #[test]
    fn a_link_whose_interface_does_not_exist_is_reported_unattached_and_the_rest_goes_on() {
        if !super::super::is_root() {
            println!("skipped: loading an XDP program needs root");
            return;
        }
        let mut shell = GuardShell::start(Some(GuardOptions::default()));
        shell.configure(51820, &[("lte".into(), "pxg-missing0".into())]);
        let status = shell.status(&[]);
        assert_eq!(status.state, XdpGuardState::Active, "{status:?}");
        assert_eq!(status.links.len(), 1);
        assert_eq!(status.links[0].mode, XdpAttachMode::None);
        assert!(status.links[0].error.as_deref().is_some_and(|e| e.contains("pxg-missing0")), "{status:?}");
        assert!(status.warning.as_deref().is_some_and(|w| w.contains("not attached on link(s) lte")), "{status:?}");
    }
}
