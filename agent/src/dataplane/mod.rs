//! The dataplane turns a validated `SiteConfig` into forwarding state. The control loop only
//! knows this trait; the WireGuard implementation lives in its own modules.

pub mod guard;
pub mod node;
pub mod wireguard;

use patronus_api::{ApplicationsStatus, FailoverEvent, LinkState, PeerState, PolicyStatus, SiteConfig, XdpGuardStatus};

pub trait Dataplane: Send {
    /// Makes the running dataplane match `config`, changing only what differs from the last one.
    fn apply(&mut self, config: &SiteConfig) -> anyhow::Result<()>;

    /// State and counters of each WAN link, for the status report.
    fn links(&self) -> Vec<LinkState>;

    /// State, paths and counters of each peer, for the status report.
    fn peers(&self) -> Vec<PeerState>;

    /// What each policy is doing, for the status report.
    fn policies(&self) -> Vec<PolicyStatus> {
        Vec::new()
    }

    /// A problem that persists beside an applied document (a link it cannot shape), for the
    /// status report's `last_error`.
    fn problem(&self) -> Option<String> {
        None
    }

    /// Path changes since the last call, oldest first.
    fn take_failover_events(&mut self) -> Vec<FailoverEvent> {
        Vec::new()
    }

    /// Application recognition (the top applications by bytes, and the late moves), for the
    /// status report; `None` without it.
    fn applications(&self) -> Option<ApplicationsStatus> {
        None
    }

    /// The XDP guard on the WAN interfaces, for the status report; `None` without one.
    fn xdp_guard(&mut self) -> Option<XdpGuardStatus> {
        None
    }
}

/// Keeps the document without forwarding anything: `patronus-agent run --dataplane none`, for
/// machines that only check what the server would send them.
#[derive(Debug, Default)]
pub struct ControlOnly;

impl Dataplane for ControlOnly {
    fn apply(&mut self, _config: &SiteConfig) -> anyhow::Result<()> {
        Ok(())
    }

    fn links(&self) -> Vec<LinkState> {
        Vec::new()
    }

    fn peers(&self) -> Vec<PeerState> {
        Vec::new()
    }
}
