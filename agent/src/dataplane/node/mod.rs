//! The dataplane's protocol state, without IO (in the manner of Firezone's snownet).
//!
//! A [`Node`] owns everything a site's dataplane knows: its peers by public key and by session
//! index, the handshake rate limiters, session index allocation, the allowed-IPs table, each
//! peer's paths, and counters. It never reads a socket, a clock or a file:
//! - inputs: [`Node::handle_tun_packet`], [`Node::handle_datagram`], [`Node::handle_timeout`],
//!   each with the current time, and [`Node::plan`] / [`Node::apply`] for a new configuration;
//! - outputs: [`Node::poll_transmit`] (datagrams to send on a link, each with the TOS of its
//!   outer header: see `peer`), [`Node::poll_tun_write`] (packets for the TUN),
//!   [`Node::poll_timeout`] (when to call `handle_timeout` next) and [`Node::poll_event`] (what
//!   changed, for logs).
//!
//! The threads, sockets and system calls live in `wireguard`, a thin shell around one `Node`; the
//! tests in `sim` join several nodes in memory with an invented clock.

#[cfg(test)]
pub(crate) mod apps_tests;
pub mod flow;
#[cfg(test)]
mod fuzz_tests;
pub mod path;
pub mod peer;
pub mod policy;
pub mod probe;
pub mod routes;
#[cfg(test)]
mod sim;
pub mod steer;
pub mod wire;

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use boringtun::noise::handshake::parse_handshake_anon;
use boringtun::noise::rate_limiter::RateLimiter;
use boringtun::noise::{Packet, TunnResult};
use boringtun::x25519::{PublicKey, StaticSecret};
use chrono::{DateTime, Utc};
use patronus_api::applications::Application;
use patronus_api::{FailoverEvent, FailoverReason, PathState, PeerState, PolicyPeerStatus, PolicyStatus};
use uuid::Uuid;

use self::flow::{AppState, FlowTable, APP_FIRST, APP_PENDING, APP_UNKNOWN};
use self::path::{LinkId, PathEvent, PathSpec, PathTiming};
use self::peer::{Outbox, PeerCore, Via};
use self::policy::{AppMatch, FlowApp, PolicyConfig};
use self::routes::{Prefix, RouteTable};
use self::steer::{discount_siblings, Candidate, PathKey, PolicySteer, Reason};
use self::wire::Dispatch;
use crate::apps::{flow::Limits, AppId, Catalogue, Classifier, Verdict};

/// Handshake initiations per second across all peers before cookies are demanded.
const HANDSHAKE_RATE_LIMIT: u64 = 100;
/// Handshake messages per second across the sessions themselves (boringtun checks every
/// initiation and response it is given). Only initiations that passed the anonymous check and
/// matched a peer get this far, so this limit is met only by real peers handshaking at once.
const SESSION_HANDSHAKE_RATE_LIMIT: u64 = 100;
/// How often every peer's timers run: boringtun's (rekeying, retries), probes, path liveness.
pub const TICK: Duration = Duration::from_millis(50);
/// Events kept for [`Node::poll_event`]; older ones are dropped first.
const MAX_EVENTS: usize = 1024;
/// Large enough for any packet a TUN hands over, after segmentation.
const MAX_PACKET: usize = 65536;

/// A site configuration as the node needs it: parsed, names resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeConfig {
    /// The site's IPv4 overlay address: the source of its probes.
    pub overlay: Ipv4Addr,
    /// This site's links by name, with their priority (lower is preferred).
    pub links: Vec<LinkConfig>,
    pub peers: Vec<PeerConfig>,
    /// In the order they are tried (by priority).
    pub policies: Vec<PolicyConfig>,
    /// The DSCP path probes carry: that of the highest-priority QoS class a policy puts traffic
    /// in, 0 when none does. A path is one measurement for every class, so it is measured on the
    /// treatment of the class whose SLA matters most (real-time traffic, typically); a
    /// lower class queued behind it in a congested underlay may see worse than it shows. (Cisco's
    /// BFD probes, for comparison, are CS6.)
    pub probe_dscp: u8,
    /// The tenant's own applications, recognised beside the built-in catalogue.
    pub applications: Vec<Application>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LinkConfig {
    pub name: String,
    pub priority: u32,
    pub cost: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PeerConfig {
    pub site_id: Uuid,
    pub key: [u8; 32],
    pub allowed: Vec<Prefix>,
    /// The peer's endpoints with their priority (lower is preferred).
    pub endpoints: Vec<(SocketAddr, u32)>,
}

/// What the system around the node must change for a configuration: the routes to the TUN.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub add_routes: Vec<Prefix>,
    pub remove_routes: Vec<Prefix>,
}

/// Where a packet from the TUN goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// The peer its destination routes to (an index into the node's peers).
    pub peer: usize,
    /// The path its policy chose; `None`: the peer's default path.
    pub path: Option<PathKey>,
    /// A second path that carries a copy (a `duplicate` policy).
    pub copy: Option<PathKey>,
    /// The outer TOS byte: the DSCP of the policy's QoS class << 2; 0 without either.
    pub tos: u8,
}

/// One datagram to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transmit<'a> {
    pub link: LinkId,
    pub dst: SocketAddr,
    /// The outer IP header's TOS byte (IPv4) or traffic class (IPv6): DSCP << 2, ECN bits zero.
    pub tos: u8,
    pub payload: &'a [u8],
}

/// Something that happened, for logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The path that carries a peer's default traffic changed; `None` when no path is up.
    ActiveChanged { peer: Uuid, from: Option<(LinkId, SocketAddr)>, to: Option<(LinkId, SocketAddr)>, reason: Reason },
    /// The path that carries a policy's new flows to a peer changed.
    PolicyPathChanged { peer: Uuid, policy: String, from: Option<PathKey>, to: Option<PathKey>, reason: Reason },
}

/// A session index the node issued or gave up, for whatever filters datagrams before they reach
/// it (the XDP guard): responses, cookie replies and data name one of these (their receiver index
/// without its low 8 bits, which boringtun counts sessions with), or no peer of this node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexChange {
    /// A new peer's index: datagrams for it may arrive from now on.
    Issued { index: u32, peer: Uuid },
    /// A removed peer's index: nothing for it is wanted any more.
    Retired { index: u32 },
}

/// Datagrams and packets nobody could use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Drops {
    /// Too short, unknown type, bad MAC.
    pub invalid: u64,
    /// A well-formed message for a session or key we do not know.
    pub unknown_peer: u64,
    /// Cookie replies sent because handshakes came in faster than the rate limit.
    pub cookies_sent: u64,
    /// Packets from the TUN with no peer for their destination.
    pub no_route: u64,
}

/// What a policy is doing, for the status report.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyState {
    pub name: String,
    pub counters: PolicyCounters,
    /// It names an application the agent's catalogue does not have: it matches nothing.
    pub inactive: bool,
    /// Per peer: the path of its new flows, whether its SLA is violated, how often it moved.
    pub peers: Vec<(Uuid, Option<PathKey>, bool, u64)>,
}

/// Datagrams a link carried, as the node sent and received them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkCounters {
    pub tx_bytes: u64,
    pub rx_bytes: u64,
    pub tx_packets: u64,
    pub rx_packets: u64,
}

/// The outputs of the inputs handled so far, in one buffer, until they are polled.
#[derive(Debug, Default)]
pub struct Outputs {
    bytes: Vec<u8>,
    transmits: Vec<(LinkId, SocketAddr, u8, usize, usize)>,
    next_transmit: usize,
    tun: Vec<(usize, usize)>,
    next_tun: usize,
}

impl Outputs {
    /// The next datagram to send, in the order they were produced.
    pub fn poll_transmit(&mut self) -> Option<Transmit<'_>> {
        let Some(&(link, dst, tos, start, end)) = self.transmits.get(self.next_transmit) else {
            self.reset_if_drained();
            return None;
        };
        self.next_transmit += 1;
        Some(Transmit { link, dst, tos, payload: &self.bytes[start..end] })
    }

    /// The next packet for the TUN.
    pub fn poll_tun_write(&mut self) -> Option<&[u8]> {
        let Some(&(start, end)) = self.tun.get(self.next_tun) else {
            self.reset_if_drained();
            return None;
        };
        self.next_tun += 1;
        Some(&self.bytes[start..end])
    }

    pub fn is_empty(&self) -> bool {
        self.next_transmit == self.transmits.len() && self.next_tun == self.tun.len()
    }

    /// Once both queues were polled to the end, the buffer starts over (keeping its capacity).
    fn reset_if_drained(&mut self) {
        if self.is_empty() {
            self.transmits.clear();
            self.tun.clear();
            self.next_transmit = 0;
            self.next_tun = 0;
            self.bytes.clear();
        }
    }
}

/// The outbox a peer writes into: the node's outputs, counting per link.
struct Sink<'a> {
    out: &'a mut Outputs,
    links: &'a mut HashMap<LinkId, LinkCounters>,
    /// Learns from the DNS answers among the packets for the TUN, so that a later flow to an
    /// answered address is recognised from its first packet.
    dns: Option<(&'a mut Classifier, Instant)>,
}

impl Outbox for Sink<'_> {
    fn send(&mut self, link: LinkId, dst: SocketAddr, tos: u8, datagram: &[u8]) {
        let start = self.out.bytes.len();
        self.out.bytes.extend_from_slice(datagram);
        self.out.transmits.push((link, dst, tos, start, self.out.bytes.len()));
        let c = self.links.entry(link).or_default();
        c.tx_packets += 1;
        c.tx_bytes += datagram.len() as u64;
    }

    fn to_tun(&mut self, packet: &[u8]) {
        if let (Some((classifier, now)), Some(message)) = (self.dns.as_mut(), flow::dns_answer(packet)) {
            classifier.learn_dns(*now, message);
        }
        let start = self.out.bytes.len();
        self.out.bytes.extend_from_slice(packet);
        self.out.tun.push((start, self.out.bytes.len()));
    }
}

struct Peer {
    key: [u8; 32],
    site_id: Uuid,
    /// The session index on our side (24 bits): receiver indexes >> 8 of its datagrams.
    index: u32,
    core: PeerCore,
    /// Per policy (as `Node::policies`), which path its traffic to this peer takes.
    steering: Vec<PolicySteer>,
}

/// Application recognition as the node runs it: the classifier (which also learns from DNS
/// answers written to the TUN), and what recognised flows carried.
pub struct Recognition {
    classifier: Classifier,
    /// Per application (by `AppId::index`): packets and bytes of its flows once recognised.
    counters: Vec<PolicyCounters>,
    /// Flows whose policy changed when they were recognised after their first packet.
    late_moves: u64,
}

impl Recognition {
    /// Recognition with the built-in catalogue and the tenant's applications.
    fn new(tenant: &[Application]) -> Option<Box<Recognition>> {
        let catalogue = tenant_catalogue(tenant)?;
        Some(Box::new(Recognition {
            counters: vec![PolicyCounters::default(); catalogue.len()],
            classifier: Classifier::new(catalogue, Limits::default()),
            late_moves: 0,
        }))
    }

    /// The tenant's applications changed: a new catalogue, keeping what was counted for the
    /// applications that remain.
    fn set_tenant(&mut self, tenant: &[Application]) {
        let Some(catalogue) = tenant_catalogue(tenant) else { return };
        let mut counters = vec![PolicyCounters::default(); catalogue.len()];
        let map = self.classifier.set_catalogue(catalogue);
        for (old, new) in map.iter().enumerate() {
            if let (Some(new), Some(c)) = (new, self.counters.get(old)) {
                counters[new.index()] = *c;
            }
        }
        self.counters = counters;
    }

    /// The application state of a packet of `key` from the TUN, and the application it names.
    fn packet(&mut self, now: Instant, key: &flow::FlowKey, packet: &[u8]) -> AppState {
        match self.classifier.packet(now, key, flow::payload(packet)) {
            Verdict::Pending => APP_PENDING,
            Verdict::Unknown => APP_UNKNOWN,
            Verdict::Recognised(app) => app.raw().saturating_add(APP_FIRST),
        }
    }

    fn app(&self, state: AppState) -> Option<FlowApp> {
        let id = AppId::from_raw(state.checked_sub(APP_FIRST)?);
        Some(FlowApp { id, category: self.classifier.catalogue().app(id).category })
    }
}

/// The catalogue for `tenant`'s applications; what it leaves out is logged (the server refuses
/// such applications, so this takes a document from a server that does not).
fn tenant_catalogue(tenant: &[Application]) -> Option<Catalogue> {
    match Catalogue::with_tenant(tenant) {
        Ok((catalogue, skipped)) => {
            for problem in skipped {
                tracing::warn!(application = %problem, "tenant application left out of recognition");
            }
            Some(catalogue)
        }
        // The built-in catalogue's own tests rule this out.
        Err(err) => {
            tracing::error!(%err, "application catalogue");
            None
        }
    }
}

/// What recognised flows of one application carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppUsage {
    pub name: String,
    pub flows: u64,
    pub packets: u64,
    pub bytes: u64,
}

/// Packets and bytes a policy carried.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PolicyCounters {
    pub packets: u64,
    pub bytes: u64,
}

/// A site's dataplane state; see the module documentation.
pub struct Node {
    private: StaticSecret,
    public: PublicKey,
    /// Checks handshake initiations before anyone spends a Diffie-Hellman on them.
    limiter: Arc<RateLimiter>,
    /// Given to every peer's session. A second limiter, not the first one again: a session's own
    /// check would otherwise count each initiation twice and demand cookies at half the rate.
    session_limiter: Arc<RateLimiter>,
    timing: PathTiming,
    /// A link keeps its id for as long as its name exists, so paths survive a reconfiguration.
    link_ids: HashMap<String, LinkId>,
    next_link_id: u16,
    /// The configured links: id, name, priority.
    links: Vec<(LinkId, String, u32)>,
    link_costs: HashMap<LinkId, u32>,
    policies: Vec<PolicyConfig>,
    /// Per policy, its application criterion resolved against the catalogue.
    app_matches: Vec<Option<AppMatch>>,
    /// `None` when switched off (or when the catalogue did not compile, which its tests rule out).
    recognition: Option<Box<Recognition>>,
    /// The tenant's applications of the last applied configuration.
    applications: Vec<Application>,
    /// Per policy, its link preference as ids.
    preferences: Vec<Vec<LinkId>>,
    policy_counters: Vec<PolicyCounters>,
    flows: FlowTable,
    next_sweep: Option<Instant>,
    link_counters: HashMap<LinkId, LinkCounters>,
    peers: Vec<Peer>,
    by_key: HashMap<[u8; 32], usize>,
    by_index: HashMap<u32, usize>,
    routes: RouteTable<usize>,
    /// The prefixes the last applied configuration routes to the TUN.
    installed: BTreeSet<Prefix>,
    next_index: u32,
    out: Outputs,
    events: VecDeque<Event>,
    /// Session indexes issued and retired since the shell last looked.
    index_changes: VecDeque<IndexChange>,
    drops: Drops,
    next_tick: Option<Instant>,
    limiter_reset: Option<Instant>,
    buf: Vec<u8>,
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Node")
            .field("links", &self.links)
            .field("peers", &self.peers.len())
            .field("drops", &self.drops)
            .finish_non_exhaustive()
    }
}

impl Node {
    /// A node with `private_key` and no links or peers; `first_index` seeds session index
    /// allocation (random in the agent, fixed in tests).
    pub fn new(private_key: [u8; 32], timing: PathTiming, first_index: u32) -> Node {
        let private = StaticSecret::from(private_key);
        let public = PublicKey::from(&private);
        Node {
            limiter: Arc::new(RateLimiter::new(&public, HANDSHAKE_RATE_LIMIT)),
            session_limiter: Arc::new(RateLimiter::new(&public, SESSION_HANDSHAKE_RATE_LIMIT)),
            private,
            public,
            timing,
            link_ids: HashMap::new(),
            next_link_id: 0,
            links: Vec::new(),
            link_costs: HashMap::new(),
            policies: Vec::new(),
            app_matches: Vec::new(),
            recognition: Recognition::new(&[]),
            applications: Vec::new(),
            preferences: Vec::new(),
            policy_counters: Vec::new(),
            flows: FlowTable::default(),
            next_sweep: None,
            link_counters: HashMap::new(),
            peers: Vec::new(),
            by_key: HashMap::new(),
            by_index: HashMap::new(),
            routes: RouteTable::default(),
            installed: BTreeSet::new(),
            next_index: first_index & 0x00ff_ffff,
            out: Outputs::default(),
            events: VecDeque::new(),
            index_changes: VecDeque::new(),
            drops: Drops::default(),
            next_tick: None,
            limiter_reset: None,
            buf: vec![0u8; MAX_PACKET + peer::WG_OVERHEAD],
        }
    }

    pub fn public_key(&self) -> [u8; 32] {
        self.public.to_bytes()
    }

    /// The id of the link called `name`, the same for as long as the node lives.
    pub fn link_id(&mut self, name: &str) -> LinkId {
        if let Some(id) = self.link_ids.get(name) {
            return *id;
        }
        let id = LinkId(self.next_link_id);
        self.next_link_id = self.next_link_id.wrapping_add(1);
        self.link_ids.insert(name.to_owned(), id);
        id
    }

    /// What applying `config` would change outside the node. Changes nothing.
    pub fn plan(&self, config: &NodeConfig) -> Plan {
        let wanted: BTreeSet<Prefix> = config.peers.iter().flat_map(|p| p.allowed.iter().copied()).collect();
        Plan {
            add_routes: wanted.difference(&self.installed).copied().collect(),
            remove_routes: self.installed.difference(&wanted).copied().collect(),
        }
    }

    /// Makes the node forward by `config`. Peers keep their sessions and paths (by key), links
    /// their ids and counters (by name); what the configuration no longer has is dropped.
    pub fn apply(&mut self, config: &NodeConfig, now: Instant) {
        let links: Vec<(LinkId, String, u32)> =
            config.links.iter().map(|l| (self.link_id(&l.name), l.name.clone(), l.priority)).collect();
        let removed_links: Vec<LinkId> =
            self.links.iter().map(|l| l.0).filter(|id| !links.iter().any(|l| l.0 == *id)).collect();
        self.link_counters.retain(|id, _| links.iter().any(|l| l.0 == *id));
        let priorities: Vec<(LinkId, u32)> = links.iter().map(|l| (l.0, l.2)).collect();
        self.link_costs = config.links.iter().zip(&links).map(|(c, l)| (l.0, c.cost)).collect();
        self.links = links;
        if self.policies != config.policies {
            self.policy_counters = vec![PolicyCounters::default(); config.policies.len()];
        }
        self.policies = config.policies.clone();
        if self.applications != config.applications {
            self.applications = config.applications.clone();
            if let Some(r) = self.recognition.as_deref_mut() {
                r.set_tenant(&self.applications);
            }
        }
        let catalogue = self.recognition.as_ref().map(|r| r.classifier.catalogue());
        self.app_matches = self.policies.iter().map(|p| AppMatch::resolve(catalogue, p)).collect();
        self.preferences = config
            .policies
            .iter()
            .map(|p| p.link_preference.iter().filter_map(|name| self.link_ids.get(name).copied()).collect())
            .collect();
        // Flows are classified again under the new document, and steered afresh.
        self.flows.clear();

        let mut old: HashMap<[u8; 32], Peer> = self.peers.drain(..).map(|p| (p.key, p)).collect();
        self.by_key.clear();
        self.by_index.clear();
        self.routes = RouteTable::default();
        for (i, want) in config.peers.iter().enumerate() {
            let mut peer = match old.remove(&want.key) {
                Some(peer) => peer,
                None => {
                    let index = self.next_index;
                    self.next_index = (self.next_index + 1) & 0x00ff_ffff;
                    let core = PeerCore::new(
                        self.private.clone(),
                        PublicKey::from(want.key),
                        index,
                        self.session_limiter.clone(),
                        config.overlay,
                        self.timing,
                    );
                    self.index_changes.push_back(IndexChange::Issued { index, peer: want.site_id });
                    Peer { key: want.key, site_id: want.site_id, index, core, steering: Vec::new() }
                }
            };
            peer.site_id = want.site_id;
            peer.steering = vec![PolicySteer::default(); config.policies.len()];
            let specs: Vec<PathSpec> = priorities
                .iter()
                .flat_map(|&(link, link_priority)| {
                    want.endpoints.iter().map(move |&(endpoint, endpoint_priority)| PathSpec {
                        link,
                        link_priority,
                        endpoint,
                        endpoint_priority,
                    })
                })
                .collect();
            for link in &removed_links {
                peer.core.remove_link(*link, now);
            }
            peer.core.set_overlay(config.overlay);
            peer.core.set_probe_dscp(config.probe_dscp);
            peer.core.set_allowed(want.allowed.clone());
            peer.core.set_link_priorities(&priorities, now);
            peer.core.set_paths(&specs, now);
            for prefix in &want.allowed {
                self.routes.insert(*prefix, i);
            }
            self.by_key.insert(peer.key, i);
            self.by_index.insert(peer.index, i);
            self.peers.push(peer);
            self.drain_peer_events(i);
            self.steer(i, now);
        }
        let mut retired: Vec<u32> = old.values().map(|p| p.index).collect();
        retired.sort_unstable();
        self.index_changes.extend(retired.into_iter().map(|index| IndexChange::Retired { index }));
        self.installed = config.peers.iter().flat_map(|p| p.allowed.iter().copied()).collect();
    }

    /// A packet read from the TUN: classified (once per flow), then encrypted for the peer its
    /// destination routes to, on the path its policy chose (or the default path).
    pub fn handle_tun_packet(&mut self, now: Instant, packet: &[u8]) {
        let len = (packet.len() + peer::WG_OVERHEAD).max(peer::MIN_BUF);
        if len > self.buf.len() {
            self.drops.invalid += 1;
            return;
        }
        let Some(route) = self.decide(now, packet) else {
            return;
        };
        let Node { peers, out, link_counters, buf, .. } = self;
        let mut sink = Sink { out, links: link_counters, dns: None };
        let via = Via { path: route.path, copy: route.copy, tos: route.tos };
        peers[route.peer].core.encapsulate_via(packet, via, now, &mut buf[..len], &mut sink);
    }

    /// Switches application recognition off (it is on from the start): application policies then
    /// match nothing, and the status has no applications. For comparing costs.
    pub fn disable_recognition(&mut self) {
        self.set_recognition(false);
    }

    /// Switches application recognition on (afresh: what it counted is gone) or off. Flows are
    /// classified again.
    pub fn set_recognition(&mut self, on: bool) {
        if on != self.recognition.is_some() {
            self.recognition = if on { Recognition::new(&self.applications) } else { None };
        }
        let catalogue = self.recognition.as_ref().map(|r| r.classifier.catalogue());
        self.app_matches = self.policies.iter().map(|p| AppMatch::resolve(catalogue, p)).collect();
        self.flows.clear();
    }

    /// Where a packet from the TUN goes; `None` without a route. Public for the steering
    /// benchmark: this is the per-packet cost before encryption.
    pub fn decide(&mut self, now: Instant, packet: &[u8]) -> Option<Route> {
        let Some(&peer) = routes::destination(packet).and_then(|d| self.routes.lookup(d)) else {
            self.drops.no_route += 1;
            return None;
        };
        let route = Route { peer, path: None, copy: None, tos: 0 };
        Some(if self.policies.is_empty() && self.recognition.is_none() {
            route
        } else {
            self.steer_packet(route, packet, now)
        })
    }

    /// Where a packet to `route.peer` goes by its flow's policy, and its mark; `route` as it is
    /// (the default path, unmarked) without a policy. The inner packet's own DSCP is never copied
    /// out: it is the site's policy that asks the underlay for a treatment, not whoever sent the
    /// packet (WireGuard does not copy it either, so as not to tell the underlay more about the
    /// inner traffic than the policy does).
    ///
    /// With recognition on, a flow's packets feed the classifier until it decides; a flow still
    /// pending takes the policy it would without application policies, and when its application
    /// is recognised and that gives it another policy, it moves (once: the verdict is final).
    fn steer_packet(&mut self, route: Route, packet: &[u8], now: Instant) -> Route {
        let Some((key, dscp)) = flow::parse(packet) else {
            return route;
        };
        let i = route.peer;
        let Node { policies, app_matches, recognition, flows, peers, .. } = self;
        let steering = &peers[i].steering;
        let classify = |app: Option<FlowApp>| policy::classify(policies, app_matches, &key, dscp, app);
        let mut fresh = false;
        let entry = flows.entry(key, now, || {
            fresh = true;
            let state = recognition.as_mut().map_or(APP_UNKNOWN, |r| r.packet(now, &key, packet));
            (classify(recognition.as_ref().and_then(|r| r.app(state))), state)
        });
        let (policy, path) = match entry {
            Some(mut entry) => {
                if let Some(r) = recognition.as_deref_mut() {
                    if !fresh && entry.flow.app == APP_PENDING {
                        let state = r.packet(now, &key, packet);
                        entry.flow.app = state;
                        if let Some(app) = r.app(state) {
                            let policy = classify(Some(app));
                            if policy != entry.flow.policy {
                                entry.flow.policy = policy;
                                entry.pin(None);
                                r.late_moves += 1;
                            }
                        }
                    }
                    if let Some(c) =
                        entry.flow.app.checked_sub(APP_FIRST).and_then(|a| r.counters.get_mut(usize::from(a)))
                    {
                        c.packets += 1;
                        c.bytes += packet.len() as u64;
                    }
                }
                let Some(policy) = entry.flow.policy.map(usize::from) else {
                    return route;
                };
                let steer = &steering[policy];
                let mut path = entry.pinned();
                // Pinned flows stay where they are until their path stops qualifying.
                if entry.flow.epoch != steer.epoch || path.is_none() {
                    if !path.is_some_and(|p| steer.is_ok(p)) {
                        path = steer.current;
                        entry.pin(path);
                    }
                    entry.flow.epoch = steer.epoch;
                }
                (policy, path)
            }
            None => {
                // Not remembered (the table is full): classified per packet.
                let app = recognition.as_mut().and_then(|r| {
                    let state = r.packet(now, &key, packet);
                    let app = r.app(state)?;
                    let c = &mut r.counters[app.id.index()];
                    c.packets += 1;
                    c.bytes += packet.len() as u64;
                    Some(app)
                });
                let Some(policy) = classify(app).map(usize::from) else {
                    return route;
                };
                (policy, steering[policy].current)
            }
        };
        let c = &mut self.policy_counters[policy];
        c.packets += 1;
        c.bytes += packet.len() as u64;
        // A duplicating policy sends every packet on its two best paths; there is nothing to pin.
        let steer = &steering[policy];
        let tos = self.policies[policy].outer_dscp << 2;
        match steer.second {
            Some(second) => Route { path: steer.current, copy: Some(second), tos, ..route },
            None => Route { path, tos, ..route },
        }
    }

    /// Re-evaluates every policy's path to peer `i`.
    fn steer(&mut self, i: usize, now: Instant) {
        if self.policies.is_empty() {
            return;
        }
        let peer = &mut self.peers[i];
        let health: Vec<Candidate> = peer
            .core
            .paths()
            .health(now)
            .map(|(key, rank, health)| Candidate {
                key,
                rank,
                health,
                cost: self.link_costs.get(&key.0).copied().unwrap_or(0),
            })
            .collect();
        let candidates = discount_siblings(&health);
        for (p, steer) in peer.steering.iter_mut().enumerate() {
            if let Some((from, to, reason)) = steer.update(&self.policies[p], &self.preferences[p], &candidates, now) {
                if self.events.len() >= MAX_EVENTS {
                    self.events.pop_front();
                }
                self.events.push_back(Event::PolicyPathChanged {
                    peer: peer.site_id,
                    policy: self.policies[p].name.clone(),
                    from,
                    to,
                    reason,
                });
            }
        }
    }

    /// A datagram that arrived on `link` from `from`. Handshake initiations are checked against
    /// the rate limiter first, so a flood costs a MAC check, not a Diffie-Hellman.
    pub fn handle_datagram(&mut self, now: Instant, link: LinkId, from: SocketAddr, datagram: &[u8]) {
        let from = wire::canonical(from);
        let c = self.link_counters.entry(link).or_default();
        c.rx_packets += 1;
        c.rx_bytes += datagram.len() as u64;
        let found = match wire::classify(datagram) {
            Dispatch::HandshakeInit => {
                let mut cookie = [0u8; 64];
                match self.limiter.verify_packet(Some(from.ip()), datagram, &mut cookie) {
                    Ok(Packet::HandshakeInit(p)) => match parse_handshake_anon(&self.private, &self.public, &p) {
                        Ok(half) => self.by_key.get(&half.peer_static_public).copied(),
                        Err(_) => None,
                    },
                    Err(TunnResult::WriteToNetwork(reply)) => {
                        self.drops.cookies_sent += 1;
                        let mut sink = Sink { out: &mut self.out, links: &mut self.link_counters, dns: None };
                        sink.send(link, from, 0, reply);
                        return;
                    }
                    _ => {
                        self.drops.invalid += 1;
                        return;
                    }
                }
            }
            Dispatch::ByIndex(index) => self.by_index.get(&index).copied(),
            Dispatch::Invalid => {
                self.drops.invalid += 1;
                return;
            }
        };
        let Some(i) = found else {
            self.drops.unknown_peer += 1;
            return;
        };
        let Node { peers, out, link_counters, buf, recognition, .. } = self;
        let dns = recognition.as_deref_mut().map(|r| (&mut r.classifier, now));
        let mut sink = Sink { out, links: link_counters, dns };
        peers[i].core.decapsulate(link, from, datagram, now, buf, &mut sink);
        self.drain_peer_events(i);
    }

    /// Runs the timers that are due: every [`TICK`], each peer's (handshakes, rekeying, probes,
    /// path liveness), and in between a peer's whose probes or path deadlines are due; every
    /// second, the rate limiters' counts start over.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.limiter_reset.is_none_or(|at| now >= at) {
            self.limiter.reset_count();
            self.session_limiter.reset_count();
            self.limiter_reset = Some(now + Duration::from_secs(1));
        }
        let tick = self.next_tick.is_none_or(|at| now >= at);
        if tick {
            self.next_tick = Some(now + TICK);
        }
        if self.next_sweep.is_none_or(|at| now >= at) {
            self.flows.sweep(now);
            self.next_sweep = Some(now + Duration::from_secs(1));
        }
        for i in 0..self.peers.len() {
            if !tick && self.peers[i].core.poll_timeout().is_none_or(|at| now < at) {
                continue;
            }
            let Node { peers, out, link_counters, buf, .. } = self;
            let mut sink = Sink { out, links: link_counters, dns: None };
            peers[i].core.handle_timeout(now, &mut buf[..2048], &mut sink);
            self.drain_peer_events(i);
            self.steer(i, now);
        }
    }

    /// When [`Node::handle_timeout`] wants to run next (`None`: as soon as possible).
    pub fn poll_timeout(&self) -> Option<Instant> {
        let (Some(tick), Some(reset)) = (self.next_tick, self.limiter_reset) else {
            return None;
        };
        let peers = self.peers.iter().filter_map(|p| p.core.poll_timeout()).min();
        Some(peers.map_or(tick, |p| p.min(tick)).min(reset))
    }

    pub fn poll_transmit(&mut self) -> Option<Transmit<'_>> {
        self.out.poll_transmit()
    }

    pub fn poll_tun_write(&mut self) -> Option<&[u8]> {
        self.out.poll_tun_write()
    }

    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// The next session index issued or retired, in the order it happened. Only
    /// [`Node::apply`] issues and retires them; the shell takes them right after it.
    pub fn poll_index_change(&mut self) -> Option<IndexChange> {
        self.index_changes.pop_front()
    }

    /// Every session index in use now, with its peer.
    pub fn session_indexes(&self) -> impl Iterator<Item = (u32, Uuid)> + '_ {
        self.peers.iter().map(|p| (p.index, p.site_id))
    }

    /// Hands the outputs produced so far to the caller, who polls them without holding the
    /// node (the threaded shell does, so that sending never waits for a lock); `spare` is an
    /// empty `Outputs` whose buffer the node reuses.
    pub fn take_outputs(&mut self, spare: Outputs) -> Outputs {
        std::mem::replace(&mut self.out, spare)
    }

    pub fn drops(&self) -> Drops {
        self.drops
    }

    /// Per policy: its name, what it carried, whether it can match anything yet, and per peer
    /// the path its new flows take and whether no path meets its SLA.
    pub fn policy_states(&self) -> Vec<PolicyState> {
        self.policies
            .iter()
            .enumerate()
            .map(|(p, policy)| PolicyState {
                name: policy.name.clone(),
                counters: self.policy_counters[p],
                inactive: self.app_matches[p] == Some(AppMatch::Missing),
                peers: self
                    .peers
                    .iter()
                    .map(|peer| {
                        let s = &peer.steering[p];
                        (peer.site_id, s.current, s.violated, s.switches)
                    })
                    .collect(),
            })
            .collect()
    }

    /// Per application recognised so far, its flows, packets and bytes (those of its packets
    /// after it was recognised), the most bytes first; at most `limit` of them. Empty with
    /// recognition off.
    pub fn top_applications(&self, limit: usize) -> Vec<AppUsage> {
        let Some(r) = self.recognition.as_deref() else {
            return Vec::new();
        };
        let catalogue = r.classifier.catalogue();
        let mut apps: Vec<AppUsage> = (0..catalogue.len())
            .filter_map(|i| {
                let id = AppId::from_raw(u16::try_from(i).ok()?);
                let flows = r.classifier.app_flows(id);
                let c = r.counters[i];
                (flows > 0 || c.packets > 0).then(|| AppUsage {
                    name: catalogue.name(id).to_owned(),
                    flows,
                    packets: c.packets,
                    bytes: c.bytes,
                })
            })
            .collect();
        apps.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(b.flows.cmp(&a.flows)).then(a.name.cmp(&b.name)));
        apps.truncate(limit);
        apps
    }

    /// Flows whose policy changed when they were recognised after their first packet; `None`
    /// with recognition off.
    pub fn late_moves(&self) -> Option<u64> {
        self.recognition.as_deref().map(|r| r.late_moves)
    }

    /// Flows remembered now.
    pub fn flow_count(&self) -> usize {
        self.flows.len()
    }

    pub fn link_counters(&self, link: LinkId) -> LinkCounters {
        self.link_counters.get(&link).copied().unwrap_or_default()
    }

    /// The configured name of a link (a link removed since has a made-up one).
    pub fn link_name(&self, id: LinkId) -> String {
        self.links.iter().find(|l| l.0 == id).map(|l| l.1.clone()).unwrap_or_else(|| format!("link{}", id.0))
    }

    /// Per policy, what the status report says of it: counters, and per peer the links its
    /// traffic takes and its SLA state.
    pub fn policy_statuses(&self) -> Vec<PolicyStatus> {
        self.policies
            .iter()
            .enumerate()
            .map(|(p, policy)| PolicyStatus {
                name: policy.name.clone(),
                inactive: self.app_matches[p] == Some(AppMatch::Missing),
                packets: self.policy_counters[p].packets,
                bytes: self.policy_counters[p].bytes,
                peers: self
                    .peers
                    .iter()
                    .map(|peer| {
                        let s = &peer.steering[p];
                        PolicyPeerStatus {
                            site_id: peer.site_id,
                            active_link: s.current.map(|k| self.link_name(k.0)),
                            duplicate_link: s.second.map(|k| self.link_name(k.0)),
                            sla_violated: s.violated,
                            switches: s.switches,
                        }
                    })
                    .collect(),
            })
            .collect()
    }

    /// `event` as the status report carries it, seen at `at`.
    pub fn failover_event(&self, event: &Event, at: DateTime<Utc>) -> FailoverEvent {
        let (peer, policy, from, to, reason) = match event {
            Event::ActiveChanged { peer, from, to, reason } => (peer, None, from, to, reason),
            Event::PolicyPathChanged { peer, policy, from, to, reason } => (peer, Some(policy), from, to, reason),
        };
        FailoverEvent {
            at,
            peer_site_id: *peer,
            policy: policy.cloned(),
            from_link: from.map(|k| self.link_name(k.0)),
            to_link: to.map(|k| self.link_name(k.0)),
            from_endpoint: from.map(|k| k.1.to_string()),
            to_endpoint: to.map(|k| k.1.to_string()),
            reason: match reason {
                Reason::Down => FailoverReason::PathDown,
                Reason::Sla => FailoverReason::Sla,
                Reason::Better => FailoverReason::Better,
            },
        }
    }

    /// Each peer's paths and counters, for the status report, sorted by site id.
    pub fn peer_states(&self, now: Instant) -> Vec<PeerState> {
        let mut states: Vec<PeerState> = self
            .peers
            .iter()
            .map(|peer| {
                let c = peer.core.counters();
                let paths = peer.core.paths().report(now);
                PeerState {
                    site_id: peer.site_id,
                    active_link: paths.iter().find(|p| p.active).map(|p| self.link_name(p.link)),
                    handshake_age_seconds: peer.core.handshake_age().map(|d| d.as_secs()),
                    paths: paths
                        .iter()
                        .map(|p| PathState {
                            link: self.link_name(p.link),
                            endpoint: p.endpoint.to_string(),
                            up: p.up,
                            active: p.active,
                            rtt_ms: p.rtt_ms,
                            loss_percent: p.loss_percent,
                            jitter_ms: p.jitter_ms,
                        })
                        .collect(),
                    tx_bytes: c.tx_bytes,
                    rx_bytes: c.rx_bytes,
                    tx_packets: c.tx_packets,
                    rx_packets: c.rx_packets,
                }
            })
            .collect();
        states.sort_by_key(|p| p.site_id);
        states
    }

    fn drain_peer_events(&mut self, i: usize) {
        let peer = &mut self.peers[i];
        while let Some(event) = peer.core.poll_event() {
            match event {
                PathEvent::ActiveChanged { from, to, reason } => {
                    if self.events.len() >= MAX_EVENTS {
                        self.events.pop_front();
                    }
                    self.events.push_back(Event::ActiveChanged { peer: peer.site_id, from, to, reason });
                }
            }
        }
    }
}
