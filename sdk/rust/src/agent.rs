//! Enrollment tokens, agents and the agent ↔ server protocol: enrollment, status reports and the
//! site status operators read.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::wire::WgKey;

/// A request for an enrollment token bound to a site.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEnrollmentToken {
    /// Seconds until the token expires (60 .. 30 days); the server's default (24 h) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 60, maximum = 2592000)]
    pub ttl_seconds: Option<u32>,
    /// How many enrollments the token allows (1 .. 1000); 1 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 1000)]
    pub uses: Option<u32>,
    /// A note for people, e.g. which machine the token is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 500, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub description: Option<String>,
}

/// An enrollment token without its secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EnrollmentToken {
    pub id: Uuid,
    pub site_id: Uuid,
    pub description: String,
    /// The first characters of the secret.
    pub prefix: String,
    pub uses_total: u32,
    pub uses_remaining: u32,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// The answer to creating an enrollment token: the only time its secret is shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EnrollmentTokenCreated {
    #[serde(flatten)]
    pub enrollment_token: EnrollmentToken,
    /// The secret, `ptrn_enr_...`. Shown once; hand it to the machine that runs the agent.
    pub token: String,
}

/// What an agent sends to enroll.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrollRequest {
    /// The enrollment token, `ptrn_enr_...`.
    #[schema(pattern = r"^ptrn_enr_")]
    pub token: String,
    /// The agent's WireGuard public key, base64 of 32 bytes.
    #[schema(
        value_type = String,
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub public_key: WgKey,
    /// 1 to 253 bytes (in UTF-8), no control characters.
    #[schema(min_length = 1, max_length = 253, pattern = r"^[^\x00-\x1f\x7f-\x9f]+$")]
    pub hostname: String,
    /// 1 to 64 bytes (in UTF-8), no control characters.
    #[schema(min_length = 1, max_length = 64, pattern = r"^[^\x00-\x1f\x7f-\x9f]+$")]
    pub agent_version: String,
}

/// The answer to an enrollment: the agent credential, shown once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EnrollResponse {
    pub agent_id: Uuid,
    pub site_id: Uuid,
    /// The agent credential, `ptrn_agent_...`. Shown once; the agent stores it.
    pub credential: String,
    /// Seconds between status reports the server expects.
    pub status_interval_seconds: u32,
}

/// An enrolled agent as operators see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Agent {
    pub id: Uuid,
    pub site_id: Uuid,
    #[schema(value_type = String)]
    pub public_key: WgKey,
    pub hostname: String,
    pub agent_version: String,
    pub enrolled_at: DateTime<Utc>,
    pub last_seen_at: Option<DateTime<Utc>>,
}

/// What an agent reports about itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentStatusReport {
    /// Revision of the document the dataplane runs; absent before the first one is applied.
    #[serde(default)]
    pub applied_revision: Option<i64>,
    /// Content hash of that document.
    #[serde(default)]
    pub applied_hash: Option<String>,
    #[schema(max_length = 64, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub agent_version: String,
    pub uptime_seconds: u64,
    #[serde(default)]
    #[schema(max_items = 64)]
    pub links: Vec<LinkState>,
    #[serde(default)]
    #[schema(max_items = 20000)]
    pub peers: Vec<PeerState>,
    /// The last error the agent met (an invalid document, a dataplane failure), if it persists.
    #[serde(default)]
    #[schema(max_length = 2000, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub last_error: Option<String>,
    /// What each policy of the document is doing.
    #[serde(default)]
    #[schema(max_items = 1000)]
    pub policies: Vec<PolicyStatus>,
    /// Path changes since the last report the server accepted, oldest first; when more happened,
    /// the newest are kept.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub failover_events: Vec<FailoverEvent>,
    /// The XDP guard on the WAN interfaces; absent from agents without a WireGuard dataplane.
    #[serde(default)]
    pub xdp_guard: Option<XdpGuardStatus>,
    /// Times the agent could not reach the control plane since the last report the server
    /// accepted, oldest first (the newest 10 when there were more). The dataplane kept
    /// forwarding on its last-known-good document meanwhile.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub control_plane_outages: Vec<ControlPlaneOutage>,
    /// BGP on the LAN side; absent from agents that predate it.
    #[serde(default)]
    pub bgp: Option<crate::bgp::BgpStatus>,
    /// Application recognition on the site's traffic; absent from agents without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applications: Option<ApplicationsStatus>,
}

/// The most applications a status report lists (by bytes).
pub const TOP_APPLICATIONS: usize = 20;

/// What the agent recognised in the flows the site sent into the overlay, since it started.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationsStatus {
    /// Flows whose policy changed when their application was recognised after their first packet
    /// (a TLS flow is recognised by its ClientHello, after its SYN went by the policy it had
    /// without an application); each such flow moved once.
    pub late_moves: u64,
    /// The applications with the most bytes, at most 20, the most first.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub top: Vec<ApplicationUsage>,
}

/// One application's share of the site's traffic into the overlay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationUsage {
    /// The application's name in the catalogue.
    #[schema(min_length = 1, max_length = 64, pattern = r"^[a-z0-9_-]{1,64}$")]
    pub name: String,
    /// Flows recognised as it.
    pub flows: u64,
    /// Packets and bytes of its flows from their recognition on (the packets before, a TCP
    /// flow's handshake, are not counted).
    pub packets: u64,
    pub bytes: u64,
}

/// A time the agent could not reach the control plane: from its first config poll that got no
/// answer to the first answer after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlPlaneOutage {
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    /// Config polls that failed during it (no answer, or a server error).
    pub failed_polls: u32,
}

/// The XDP guard: a program on each WAN interface that drops, before the agent sees them,
/// datagrams to the listen port that are not well-formed WireGuard messages, that name a session
/// the agent has not issued, or that are handshake initiations above a per-source rate.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct XdpGuardStatus {
    pub state: XdpGuardState,
    /// Why the guard is unavailable or not on every link, for people.
    #[serde(default)]
    #[schema(max_length = 2000, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub warning: Option<String>,
    /// Per WAN link: the interface and how the program runs there.
    #[serde(default)]
    #[schema(max_items = 64)]
    pub links: Vec<XdpGuardLink>,
    /// Since the agent started.
    #[serde(default)]
    pub counters: XdpGuardCounters,
    /// Per peer, what the guard let through for its sessions since the agent started.
    #[serde(default)]
    #[schema(max_items = 20000)]
    pub peers: Vec<XdpGuardPeer>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum XdpGuardState {
    /// Loaded, and attached where `links` says.
    Active,
    /// Turned off by the agent's option.
    #[default]
    Disabled,
    /// It could not be loaded (no privilege, no kernel support): every datagram reaches the
    /// agent, which runs on without it; `warning` says why.
    Unavailable,
}

/// How the guard runs on one WAN link's interface.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct XdpGuardLink {
    #[schema(max_length = 64, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub name: String,
    #[schema(max_length = 64, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub interface: String,
    pub mode: XdpAttachMode,
    /// Why it is not attached.
    #[serde(default)]
    #[schema(max_length = 2000, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum XdpAttachMode {
    /// In the network driver, before the kernel allocates anything for a packet.
    Native,
    /// In the kernel's generic receive path, where the driver has no XDP.
    Generic,
    /// Not attached: see `error`.
    None,
}

impl XdpAttachMode {
    pub fn as_str(self) -> &'static str {
        match self {
            XdpAttachMode::Native => "native",
            XdpAttachMode::Generic => "generic",
            XdpAttachMode::None => "none",
        }
    }
}

/// The guard's verdicts on datagrams to the listen port, in packets, and bytes of WireGuard
/// message (UDP payload).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct XdpGuardCounters {
    #[serde(default)]
    pub passed_initiations: u64,
    #[serde(default)]
    pub passed_responses: u64,
    #[serde(default)]
    pub passed_cookie_replies: u64,
    #[serde(default)]
    pub passed_data: u64,
    #[serde(default)]
    pub passed_bytes: u64,
    /// Not a WireGuard message: unknown type, reserved bytes set, or a length its type never has.
    #[serde(default)]
    pub dropped_malformed: u64,
    /// A response, cookie reply or data message for a session index the agent has not issued.
    #[serde(default)]
    pub dropped_unknown_index: u64,
    /// Handshake initiations from one source address above its rate.
    #[serde(default)]
    pub dropped_initiation_rate: u64,
    #[serde(default)]
    pub dropped_bytes: u64,
}

impl XdpGuardCounters {
    /// Each drop counter with its reason, as metrics label them.
    pub fn drops(&self) -> [(&'static str, u64); 3] {
        [
            ("malformed", self.dropped_malformed),
            ("unknown_index", self.dropped_unknown_index),
            ("initiation_rate", self.dropped_initiation_rate),
        ]
    }

    /// Each pass counter with its message type, as metrics label them.
    pub fn passes(&self) -> [(&'static str, u64); 4] {
        [
            ("initiation", self.passed_initiations),
            ("response", self.passed_responses),
            ("cookie_reply", self.passed_cookie_replies),
            ("data", self.passed_data),
        ]
    }
}

/// What the guard let through for one peer's sessions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct XdpGuardPeer {
    pub site_id: Uuid,
    pub packets: u64,
    pub bytes: u64,
}

/// One policy of the running document, as the agent applies it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyStatus {
    #[schema(max_length = 100, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub name: String,
    /// The policy names an application the agent cannot recognise (its recognition is off, or its
    /// catalogue lacks the name): it matches no traffic.
    #[serde(default)]
    pub inactive: bool,
    /// Packets from the LAN the policy matched, and their bytes.
    #[serde(default)]
    pub packets: u64,
    #[serde(default)]
    pub bytes: u64,
    /// Per peer: where the policy's traffic goes.
    #[serde(default)]
    #[schema(max_items = 20000)]
    pub peers: Vec<PolicyPeerStatus>,
}

/// Where one policy's traffic to one peer goes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyPeerStatus {
    pub site_id: Uuid,
    /// The local link of the path that carries the policy's new flows; absent when no path is up.
    #[serde(default)]
    #[schema(max_length = 64, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub active_link: Option<String>,
    /// For `duplicate`: the local link of the path that carries the copies.
    #[serde(default)]
    #[schema(max_length = 64, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub duplicate_link: Option<String>,
    /// No path that is up meets the policy's SLA; traffic uses the best one that is up.
    #[serde(default)]
    pub sla_violated: bool,
    /// How often the policy's traffic to this peer moved to another path.
    #[serde(default)]
    pub switches: u64,
}

/// Traffic to a peer moved from one path to another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FailoverEvent {
    pub at: DateTime<Utc>,
    pub peer_site_id: Uuid,
    /// The policy whose traffic moved; absent for traffic that matches no policy.
    #[serde(default)]
    #[schema(max_length = 100, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub policy: Option<String>,
    /// The local link of the path traffic left; absent when no path was up.
    #[serde(default)]
    #[schema(max_length = 64, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub from_link: Option<String>,
    /// The local link of the path traffic took; absent when no path is up.
    #[serde(default)]
    #[schema(max_length = 64, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub to_link: Option<String>,
    /// The peer's `host:port` of the path traffic left (a link has a path to each of the peer's
    /// endpoints).
    #[serde(default)]
    #[schema(max_length = 300, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub from_endpoint: Option<String>,
    /// The peer's `host:port` of the path traffic took.
    #[serde(default)]
    #[schema(max_length = 300, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub to_endpoint: Option<String>,
    pub reason: FailoverReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FailoverReason {
    /// The first path came up, or the path in use went down.
    PathDown,
    /// The path in use stopped meeting the policy's SLA.
    Sla,
    /// A better path met the SLA for the policy's hold-down.
    Better,
}

impl FailoverReason {
    pub fn as_str(self) -> &'static str {
        match self {
            FailoverReason::PathDown => "path_down",
            FailoverReason::Sla => "sla",
            FailoverReason::Better => "better",
        }
    }
}

/// A path's health now, from the site's latest status report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PathHealth {
    pub peer_site_id: Uuid,
    pub link: String,
    /// The remote `host:port`.
    pub endpoint: String,
    pub up: bool,
    /// Traffic that matches no policy uses this path now.
    pub active: bool,
    pub rtt_ms: Option<f64>,
    pub jitter_ms: Option<f64>,
    /// Probes lost over the last ten seconds (an SLA's `max_loss_percent` is checked over the last second).
    pub loss_percent: Option<f64>,
}

/// The paths of a site, as its agent last reported them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SitePaths {
    pub site_id: Uuid,
    /// When the report was received; absent when the agent never reported.
    pub reported_at: Option<DateTime<Utc>>,
    pub paths: Vec<PathHealth>,
}

/// One interval of a path's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PathPoint {
    /// Start of the interval.
    pub at: DateTime<Utc>,
    /// Mean of the samples in the interval; absent when no sample had a value.
    pub rtt_ms: Option<f64>,
    pub jitter_ms: Option<f64>,
    pub loss_percent: Option<f64>,
    /// Share of the samples in which the path was up, 0 to 1.
    pub up_ratio: f64,
    /// Samples in the interval (one a minute while the agent reports).
    pub samples: u32,
}

/// The history of one path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PathSeries {
    pub peer_site_id: Uuid,
    pub link: String,
    /// Intervals with at least one sample, oldest first.
    pub points: Vec<PathPoint>,
}

/// A site's path history between two times.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PathHistory {
    pub site_id: Uuid,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub step_seconds: u32,
    pub series: Vec<PathSeries>,
}

/// A path change an agent reported, as the server keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FailoverEventRecord {
    pub id: Uuid,
    pub site_id: Uuid,
    pub peer_site_id: Uuid,
    pub policy: Option<String>,
    pub from_link: Option<String>,
    pub to_link: Option<String>,
    pub from_endpoint: Option<String>,
    pub to_endpoint: Option<String>,
    pub reason: FailoverReason,
    /// When the agent saw it.
    pub at: DateTime<Utc>,
}

/// One WAN link of the reporting site.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkState {
    pub name: String,
    pub up: bool,
    #[serde(default)]
    pub tx_bytes: u64,
    #[serde(default)]
    pub rx_bytes: u64,
    #[serde(default)]
    pub tx_packets: u64,
    #[serde(default)]
    pub rx_packets: u64,
    /// What the agent's traffic shaping (tc) does on the link's interface; absent when the agent
    /// does not shape (shaping turned off on the agent, or a dataplane without it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shaping: Option<LinkShaping>,
}

/// The traffic shaping (tc) on one WAN link's interface: an HTB hierarchy shaped a little below
/// the link's bandwidth, one class per QoS class and a default class for the rest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkShaping {
    /// The interface the installed hierarchy is on.
    #[schema(max_length = 15, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub interface: String,
    /// The rate the link's sending direction is shaped to, in kbit/s; absent when nothing is
    /// installed (see `error`).
    #[serde(default)]
    pub egress_kbps: Option<u64>,
    /// The rate the receiving direction is shaped to (through an IFB device), in kbit/s; absent
    /// when the agent does not shape what it receives (its default).
    #[serde(default)]
    pub ingress_kbps: Option<u64>,
    /// The queue in each class: `fq_codel` where the kernel has it, otherwise a short `pfifo`.
    #[serde(default)]
    #[schema(max_length = 16, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub leaf: Option<String>,
    /// Why the document's shaping for this link is not what is installed (a bandwidth of 0, QoS
    /// guarantees the link cannot carry, an interface that does not exist, tc refusing it);
    /// the shaping installed before stays until the cause is fixed.
    #[serde(default)]
    #[schema(max_length = 2000, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub error: Option<String>,
    /// Counters of each class of the installed hierarchy.
    #[serde(default)]
    #[schema(max_items = 1000)]
    pub classes: Vec<ShapingClass>,
}

/// Which way a shaped class's traffic goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ShapingDirection {
    /// Datagrams the link sends.
    #[default]
    Egress,
    /// Datagrams the link receives.
    Ingress,
}

impl ShapingDirection {
    pub fn as_str(self) -> &'static str {
        match self {
            ShapingDirection::Egress => "egress",
            ShapingDirection::Ingress => "ingress",
        }
    }
}

/// One class of a link's shaping and its counters since it was installed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShapingClass {
    /// The QoS class; absent for the default class (traffic of no QoS class).
    #[serde(default)]
    #[schema(max_length = 100, pattern = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$")]
    pub class: Option<String>,
    /// The QoS class's priority (1 first); absent for the default class, which comes last.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 8)]
    pub priority: Option<u8>,
    #[serde(default)]
    pub direction: ShapingDirection,
    /// Guaranteed and maximum rate, kbit/s.
    #[serde(default)]
    pub rate_kbps: u64,
    #[serde(default)]
    pub ceil_kbps: u64,
    #[serde(default)]
    pub bytes: u64,
    #[serde(default)]
    pub packets: u64,
    /// Packets dropped because the class's queue was full.
    #[serde(default)]
    pub drops: u64,
    /// What waits in the class's queue now.
    #[serde(default)]
    pub backlog_bytes: u64,
    #[serde(default)]
    pub backlog_packets: u64,
}

/// One peer of the reporting site.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PeerState {
    pub site_id: Uuid,
    /// The local link of the path traffic uses now, if any path is up.
    #[serde(default)]
    pub active_link: Option<String>,
    /// Seconds since the last completed handshake.
    #[serde(default)]
    pub handshake_age_seconds: Option<u64>,
    #[serde(default)]
    pub paths: Vec<PathState>,
    #[serde(default)]
    pub tx_bytes: u64,
    #[serde(default)]
    pub rx_bytes: u64,
    #[serde(default)]
    pub tx_packets: u64,
    #[serde(default)]
    pub rx_packets: u64,
}

/// One path to a peer: a local link and a remote endpoint.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PathState {
    pub link: String,
    /// The remote `host:port`.
    pub endpoint: String,
    pub up: bool,
    /// Traffic that matches no policy takes this path now.
    #[serde(default)]
    pub active: bool,
    #[serde(default)]
    pub rtt_ms: Option<f64>,
    /// Probes lost over the last ten seconds.
    #[serde(default)]
    pub loss_percent: Option<f64>,
    #[serde(default)]
    pub jitter_ms: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SiteHealth {
    /// No agent has enrolled for the site.
    Unenrolled,
    /// Reporting, on the current document, without an error.
    Online,
    /// Reporting an error, or running an older document than the current one.
    Degraded,
    /// No status for three intervals.
    Offline,
}

impl SiteHealth {
    pub fn as_str(self) -> &'static str {
        match self {
            SiteHealth::Unenrolled => "unenrolled",
            SiteHealth::Online => "online",
            SiteHealth::Degraded => "degraded",
            SiteHealth::Offline => "offline",
        }
    }
}

/// The tenant's fleet at a glance (`GET /v1/fleet/status`): how many sites are in each health,
/// the sites that need attention, and the newest path changes, in one answer whose `ETag` changes
/// only when one of them does, for dashboards that poll with `If-None-Match`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FleetStatus {
    /// Every site of the tenant.
    pub sites: u64,
    pub health: FleetHealthCounts,
    /// The sites that are not online, worst first (offline, degraded, unenrolled), then by name;
    /// at most 100 (the counts say how many there are).
    pub attention: Vec<FleetSite>,
    /// The newest path changes agents reported (at most 20), newest first.
    pub recent_failovers: Vec<FailoverEventRecord>,
    /// The names of the sites `recent_failovers` mentions (as site or peer), by id.
    #[schema(value_type = std::collections::BTreeMap<String, String>)]
    pub site_names: BTreeMap<Uuid, String>,
}

/// How many sites are in each health.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FleetHealthCounts {
    pub online: u64,
    pub degraded: u64,
    pub offline: u64,
    pub unenrolled: u64,
}

/// A site of the fleet overview, with its health as `GET /v1/sites/{id}/status` gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FleetSite {
    pub site_id: Uuid,
    pub name: String,
    pub health: SiteHealth,
    /// Why the site is not online, for people.
    pub reason: Option<String>,
    pub last_seen_at: Option<DateTime<Utc>>,
}

/// A site's health as operators see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SiteStatus {
    pub site_id: Uuid,
    pub health: SiteHealth,
    /// Why the site is degraded or offline, for people.
    pub reason: Option<String>,
    /// The hash and revision of the site's current document.
    pub desired_hash: Option<String>,
    pub desired_revision: Option<i64>,
    pub agent: Option<Agent>,
    pub last_seen_at: Option<DateTime<Utc>>,
    /// The agent's latest report.
    pub report: Option<AgentStatusReport>,
    /// The last time the agent reported it could not reach the control plane; kept after the
    /// report that carried it, until the agent reports a newer one.
    #[serde(default)]
    pub last_control_plane_outage: Option<ControlPlaneOutage>,
}
