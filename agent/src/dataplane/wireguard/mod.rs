//! Userspace WireGuard over boringtun: one TUN, one UDP socket per WAN link, one session per peer.
//!
//! The protocol logic is sans-IO ([`peer::PeerCore`], [`path::PathTable`]); this module owns the
//! IO and the threads:
//! - one thread reads the TUN, looks the destination up in the allowed-IPs table, encrypts and
//!   queues datagrams per link, then sends each link's queue with one `sendmmsg` (with UDP GSO);
//! - one thread per link receives with `recvmmsg` (with UDP GRO), decrypts and writes to the TUN;
//! - one timer thread drives handshakes, rekeying, probes and path liveness every 50 ms.
//!
//! `apply` changes only what differs: peers are keyed by public key and keep their sessions,
//! links are keyed by name and keep their sockets, routes are added and removed one by one.

#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod netns_tests;
pub mod offload;
pub mod path;
pub mod peer;
pub mod probe;
pub mod routes;
mod sys;

use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, ToSocketAddrs};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use base64::Engine;
use boringtun::noise::handshake::parse_handshake_anon;
use boringtun::noise::rate_limiter::RateLimiter;
use boringtun::noise::{Packet, TunnResult};
use boringtun::x25519::{PublicKey, StaticSecret};
use parking_lot::{Mutex, RwLock};
use patronus_api::{LinkState, PathState, PeerState, SiteConfig};
use uuid::Uuid;

use self::path::{LinkId, PathSpec, PathTiming};
use self::peer::{Outbox, PeerCore};
use self::routes::{Prefix, RouteTable};
use super::Dataplane;

/// How the dataplane is set up; everything else comes from the site configuration.
#[derive(Debug, Clone)]
pub struct DataplaneOptions {
    /// Name of the TUN device to create, e.g. `patronus0`.
    pub tun_name: String,
    /// MTU of the TUN. 1420 leaves room for WireGuard (32 bytes) over UDP (8) over IPv6 (40)
    /// on a 1500-byte underlay.
    pub mtu: u16,
    /// Probe interval and how long an unanswered path stays up.
    pub path_timing: PathTiming,
    /// Use UDP GSO and GRO where the kernel offers them.
    pub udp_offloads: bool,
    /// Use TUN offloads (`IFF_VNET_HDR`: TSO super-packets in, GRO-coalesced packets out).
    pub tun_offloads: bool,
}

impl Default for DataplaneOptions {
    fn default() -> Self {
        DataplaneOptions {
            tun_name: "patronus0".to_owned(),
            mtu: 1420,
            path_timing: PathTiming::default(),
            udp_offloads: true,
            tun_offloads: true,
        }
    }
}

/// Handshake initiations per second across all peers before cookies are demanded.
const HANDSHAKE_RATE_LIMIT: u64 = 100;
/// Handshake messages per second across the sessions themselves (boringtun checks every
/// initiation and response it is given). Only initiations that passed the anonymous check and
/// matched a peer get this far, so this limit is met only by real peers handshaking at once.
const SESSION_HANDSHAKE_RATE_LIMIT: u64 = 100;
/// Datagrams (or GRO trains) per `recvmmsg`, and packets read from the TUN per batch.
const BATCH: usize = 32;
/// Large enough for a GRO train or any packet a TUN hands over.
const RX_BUF: usize = 65536;
const TICK: Duration = Duration::from_millis(50);

#[derive(Debug, Default)]
struct Counters {
    tx_bytes: AtomicU64,
    rx_bytes: AtomicU64,
    tx_packets: AtomicU64,
    rx_packets: AtomicU64,
}

impl Counters {
    fn add(c: &AtomicU64, n: u64) {
        c.fetch_add(n, Ordering::Relaxed);
    }
}

/// Datagrams nobody could use, for the logs and tests.
#[derive(Debug, Default)]
pub struct DropCounters {
    /// Too short, unknown type, bad MAC.
    pub invalid: AtomicU64,
    /// A well-formed message for a session or key we do not know.
    pub unknown_peer: AtomicU64,
    /// Cookie replies sent because handshakes came in faster than the rate limit.
    pub cookies_sent: AtomicU64,
    /// Packets from the TUN with no peer for their destination.
    pub no_route: AtomicU64,
    /// Datagrams the kernel refused to send.
    pub send_failed: AtomicU64,
}

struct Link {
    id: LinkId,
    name: String,
    interface: String,
    port: u16,
    socket: OnceLock<socket2::Socket>,
    stop: AtomicBool,
    oper_up: AtomicBool,
    gso: AtomicBool,
    /// The socket is dual-stack IPv6: IPv4 destinations are written as mapped addresses.
    v6: AtomicBool,
    counters: Counters,
}

impl Link {
    fn fd(&self) -> Option<RawFd> {
        self.socket.get().map(|s| s.as_raw_fd())
    }

    /// Binds the link's socket to its interface and the listen port, dual-stack where the
    /// kernel allows it.
    fn bind(&self, offloads: bool) -> anyhow::Result<()> {
        use socket2::{Domain, Protocol, SockAddr, Socket, Type};
        let make = |domain: Domain, addr: SocketAddr| -> std::io::Result<Socket> {
            let s = Socket::new(domain, Type::DGRAM.nonblocking().cloexec(), Some(Protocol::UDP))?;
            if domain == Domain::IPV6 {
                s.set_only_v6(false)?;
            }
            s.bind_device(Some(self.interface.as_bytes()))?;
            // Bursts of a fast sender must not overflow the queue between two recvmmsg calls.
            let _ = s.set_recv_buffer_size(8 << 20);
            let _ = s.set_send_buffer_size(8 << 20);
            s.bind(&SockAddr::from(addr))?;
            Ok(s)
        };
        let v6 = SocketAddr::from((std::net::Ipv6Addr::UNSPECIFIED, self.port));
        let v4 = SocketAddr::from((Ipv4Addr::UNSPECIFIED, self.port));
        let socket = make(Domain::IPV6, v6)
            .or_else(|_| make(Domain::IPV4, v4))
            .with_context(|| format!("binding UDP port {} on {}", self.port, self.interface))?;
        // Without CAP_NET_ADMIN the sizes set above (capped by the sysctls) stay.
        sys::force_buffer_sizes(socket.as_raw_fd(), 8 << 20);
        if offloads {
            sys::set_udp_gro(socket.as_raw_fd());
        }
        self.gso.store(offloads, Ordering::Relaxed);
        let v6 = socket.local_addr().ok().and_then(|a| a.as_socket()).is_some_and(|a| a.is_ipv6());
        self.v6.store(v6, Ordering::Relaxed);
        let _ = self.socket.set(socket);
        Ok(())
    }

    fn refresh_oper_state(&self) {
        let up = self.fd().and_then(|fd| sys::interface_running(fd, &self.interface)).unwrap_or(false);
        self.oper_up.store(up, Ordering::Relaxed);
    }
}

struct PeerSlot {
    site_id: Uuid,
    /// The session index on our side (24 bits): receiver indexes >> 8 of its datagrams.
    index: u32,
    core: Mutex<PeerCore>,
}

#[derive(Default)]
struct State {
    /// Sorted by id.
    links: Vec<Arc<Link>>,
    by_key: HashMap<[u8; 32], Arc<PeerSlot>>,
    by_index: HashMap<u32, Arc<PeerSlot>>,
    routes: RouteTable<Arc<PeerSlot>>,
}

struct Shared {
    private: StaticSecret,
    public: PublicKey,
    /// Checks handshake initiations before anyone spends a Diffie-Hellman on them.
    limiter: Arc<RateLimiter>,
    /// Given to every peer's session. A second limiter, not the first one again: a session's own
    /// check would otherwise count each initiation twice and demand cookies at half the rate.
    session_limiter: Arc<RateLimiter>,
    tun: File,
    tun_name: String,
    state: RwLock<State>,
    stop: AtomicBool,
    drops: DropCounters,
    offloads: bool,
    /// The TUN carries virtio-net headers (TSO in, GRO out).
    vnet: bool,
}

/// The userspace WireGuard dataplane.
pub struct WireGuard {
    shared: Arc<Shared>,
    options: DataplaneOptions,
    threads: Vec<JoinHandle<()>>,
    link_threads: HashMap<LinkId, JoinHandle<()>>,
    /// A link keeps its id for as long as its name exists, so paths survive a rebind.
    link_ids: HashMap<String, LinkId>,
    next_link_id: u16,
    next_index: u32,
    routes: BTreeSet<Prefix>,
    address: Option<String>,
    applied: Option<SiteConfig>,
}

impl std::fmt::Debug for WireGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WireGuard")
            .field("tun", &self.shared.tun_name)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl WireGuard {
    /// Creates the TUN device `options.tun_name` with `options.mtu`, brings it up and starts
    /// the worker threads. Links, peers, the overlay address and routes come with
    /// [`Dataplane::apply`]. Needs CAP_NET_ADMIN and `/dev/net/tun`; the `ip` command sets
    /// addresses and routes.
    pub fn start(private_key: [u8; 32], options: DataplaneOptions) -> anyhow::Result<WireGuard> {
        let private = StaticSecret::from(private_key);
        let public = PublicKey::from(&private);
        let opened = if options.tun_offloads {
            sys::open_tun(&options.tun_name, false, true).map(|(f, n)| (f, n, true)).or_else(|e| {
                tracing::warn!(error = %e, "TUN offloads unavailable; one packet per read");
                sys::open_tun(&options.tun_name, false, false).map(|(f, n)| (f, n, false))
            })
        } else {
            sys::open_tun(&options.tun_name, false, false).map(|(f, n)| (f, n, false))
        };
        let (tun, tun_name, vnet) = opened.with_context(|| format!("creating TUN device {}", options.tun_name))?;
        ip(&["link", "set", "dev", &tun_name, "mtu", &options.mtu.to_string(), "up"])?;
        let shared = Arc::new(Shared {
            limiter: Arc::new(RateLimiter::new(&public, HANDSHAKE_RATE_LIMIT)),
            session_limiter: Arc::new(RateLimiter::new(&public, SESSION_HANDSHAKE_RATE_LIMIT)),
            private,
            public,
            tun,
            tun_name,
            state: RwLock::new(State::default()),
            stop: AtomicBool::new(false),
            drops: DropCounters::default(),
            offloads: options.udp_offloads,
            vnet,
        });
        let mut threads = Vec::new();
        let s = shared.clone();
        threads.push(spawn("wg-tun", move || tun_loop(&s))?);
        let s = shared.clone();
        threads.push(spawn("wg-timers", move || timer_loop(&s))?);
        Ok(WireGuard {
            shared,
            options,
            threads,
            link_threads: HashMap::new(),
            link_ids: HashMap::new(),
            next_link_id: 0,
            next_index: rand::random::<u32>() & 0x00ff_ffff,
            routes: BTreeSet::new(),
            address: None,
            applied: None,
        })
    }

    /// The name the kernel gave the TUN device.
    pub fn tun_name(&self) -> &str {
        &self.shared.tun_name
    }

    /// This agent's WireGuard public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.shared.public.to_bytes()
    }

    pub fn drops(&self) -> &DropCounters {
        &self.shared.drops
    }

    fn link_id(&mut self, name: &str) -> LinkId {
        if let Some(id) = self.link_ids.get(name) {
            return *id;
        }
        let id = LinkId(self.next_link_id);
        self.next_link_id = self.next_link_id.wrapping_add(1);
        self.link_ids.insert(name.to_owned(), id);
        id
    }

    fn apply_links(&mut self, config: &SiteConfig) -> anyhow::Result<()> {
        let mut state_links: Vec<Arc<Link>> = self.shared.state.read().links.clone();
        let wanted: HashMap<&str, &patronus_api::ConfigLink> =
            config.links.iter().map(|l| (l.name.as_str(), l)).collect();
        // Links that went away or must be rebound (interface or port changed).
        let mut stopped = Vec::new();
        state_links.retain(|l| {
            let keep =
                wanted.get(l.name.as_str()).is_some_and(|w| w.interface == l.interface && config.listen_port == l.port);
            if !keep {
                l.stop.store(true, Ordering::Relaxed);
                stopped.push(l.id);
            }
            keep
        });
        for id in stopped {
            if let Some(h) = self.link_threads.remove(&id) {
                let _ = h.join();
            }
        }
        for l in &config.links {
            if state_links.iter().any(|s| s.name == l.name) {
                continue;
            }
            let id = self.link_id(&l.name);
            let link = Arc::new(Link {
                id,
                name: l.name.clone(),
                interface: l.interface.clone(),
                port: config.listen_port,
                socket: OnceLock::new(),
                stop: AtomicBool::new(false),
                oper_up: AtomicBool::new(false),
                gso: AtomicBool::new(false),
                v6: AtomicBool::new(false),
                counters: Counters::default(),
            });
            if let Err(e) = link.bind(self.options.udp_offloads) {
                // The link thread retries: an interface may appear after the agent starts.
                tracing::warn!(link = %l.name, error = %format!("{e:#}"), "link not bound yet");
            }
            link.refresh_oper_state();
            let (s, lk) = (self.shared.clone(), link.clone());
            self.link_threads.insert(id, spawn(&format!("wg-link-{}", l.name), move || link_loop(&s, &lk))?);
            state_links.push(link);
        }
        state_links.sort_by_key(|l| l.id);
        let removed: Vec<LinkId> = {
            let mut st = self.shared.state.write();
            let removed =
                st.links.iter().filter(|l| !state_links.iter().any(|n| n.name == l.name)).map(|l| l.id).collect();
            st.links = state_links;
            removed
        };
        let now = Instant::now();
        for id in removed {
            for p in self.shared.state.read().by_key.values() {
                p.core.lock().remove_link(id, now);
            }
        }
        Ok(())
    }
}

fn spawn(name: &str, f: impl FnOnce() + Send + 'static) -> anyhow::Result<JoinHandle<()>> {
    std::thread::Builder::new().name(name.chars().take(15).collect()).spawn(f).context("spawning a dataplane thread")
}

/// Runs `ip` with `args`; the dataplane's only dependency on the system's tools.
fn ip(args: &[&str]) -> anyhow::Result<()> {
    let out = std::process::Command::new("ip").args(args).output().context("running ip (iproute2)")?;
    if !out.status.success() {
        bail!("ip {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}

/// A peer as the configuration describes it, parsed and resolved.
struct WantedPeer {
    site_id: Uuid,
    key: [u8; 32],
    allowed: Vec<Prefix>,
    endpoints: Vec<(SocketAddr, u32)>,
}

fn parse_peers(config: &SiteConfig) -> anyhow::Result<Vec<WantedPeer>> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut out = Vec::with_capacity(config.peers.len());
    for p in &config.peers {
        let raw = b64
            .decode(p.public_key.trim())
            .with_context(|| format!("peer {}: public key is not base64", p.site_name))?;
        let key: [u8; 32] =
            raw.try_into().map_err(|_| anyhow::anyhow!("peer {}: public key is not 32 bytes", p.site_name))?;
        let allowed = p
            .allowed_ips
            .iter()
            .map(|a| a.parse::<Prefix>().with_context(|| format!("peer {}", p.site_name)))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let mut endpoints = Vec::new();
        for e in &p.endpoints {
            // A name that does not resolve now is skipped rather than failing the whole document;
            // the other endpoints still work.
            match resolve(&e.address) {
                Some(addr) => endpoints.push((addr, e.priority)),
                None => tracing::warn!(peer = %p.site_name, endpoint = %e.address, "endpoint does not resolve"),
            }
        }
        out.push(WantedPeer { site_id: p.site_id, key, allowed, endpoints });
    }
    Ok(out)
}

/// `ip:port` as it is; a name is looked up (blocking) only when the host has a letter in it.
fn resolve(address: &str) -> Option<SocketAddr> {
    if let Ok(addr) = address.parse::<SocketAddr>() {
        return Some(addr);
    }
    let (host, _) = address.rsplit_once(':')?;
    if !host.chars().any(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    address.to_socket_addrs().ok()?.next()
}

fn overlay_v4(config: &SiteConfig) -> anyhow::Result<Ipv4Addr> {
    let prefix: Prefix =
        config.overlay_address.parse().with_context(|| format!("overlay address {:?}", config.overlay_address))?;
    let addr = config.overlay_address.split('/').next().and_then(|a| a.parse::<IpAddr>().ok());
    Ok(match (prefix.addr(), addr) {
        (IpAddr::V4(_), Some(IpAddr::V4(a))) => a,
        _ => Ipv4Addr::UNSPECIFIED,
    })
}

impl Dataplane for WireGuard {
    fn apply(&mut self, config: &SiteConfig) -> anyhow::Result<()> {
        if self.applied.as_ref() == Some(config) {
            return Ok(());
        }
        // Everything that can be wrong with the document is found before anything changes.
        let overlay = overlay_v4(config)?;
        let wanted = parse_peers(config)?;

        self.apply_links(config)?;
        if self.address.as_deref() != Some(config.overlay_address.as_str()) {
            ip(&["addr", "replace", &config.overlay_address, "dev", &self.shared.tun_name])?;
            if let Some(old) = self.address.take() {
                if let Err(e) = ip(&["addr", "del", &old, "dev", &self.shared.tun_name]) {
                    tracing::warn!(error = %e, "removing the old overlay address");
                }
            }
            self.address = Some(config.overlay_address.clone());
        }

        let now = Instant::now();
        let link_prio: HashMap<LinkId, u32> =
            config.links.iter().filter_map(|l| self.link_ids.get(&l.name).map(|id| (*id, l.priority))).collect();
        let link_prio_list: Vec<(LinkId, u32)> = link_prio.iter().map(|(l, p)| (*l, *p)).collect();
        let mut by_key = HashMap::new();
        let mut by_index = HashMap::new();
        let mut table = RouteTable::default();
        let mut wanted_routes = BTreeSet::new();
        {
            let old = self.shared.state.read();
            for w in &wanted {
                let slot = match old.by_key.get(&w.key) {
                    Some(slot) => slot.clone(),
                    None => {
                        let index = self.next_index;
                        self.next_index = (self.next_index + 1) & 0x00ff_ffff;
                        let core = PeerCore::new(
                            self.shared.private.clone(),
                            PublicKey::from(w.key),
                            index,
                            self.shared.session_limiter.clone(),
                            overlay,
                            self.options.path_timing,
                        );
                        Arc::new(PeerSlot { site_id: w.site_id, index, core: Mutex::new(core) })
                    }
                };
                let specs: Vec<PathSpec> = link_prio
                    .iter()
                    .flat_map(|(link, lp)| {
                        w.endpoints.iter().map(move |(ep, epp)| PathSpec {
                            link: *link,
                            link_priority: *lp,
                            endpoint: *ep,
                            endpoint_priority: *epp,
                        })
                    })
                    .collect();
                {
                    let mut core = slot.core.lock();
                    core.set_overlay(overlay);
                    core.set_allowed(w.allowed.clone());
                    core.set_link_priorities(&link_prio_list, now);
                    core.set_paths(&specs, now);
                }
                for a in &w.allowed {
                    table.insert(*a, slot.clone());
                    wanted_routes.insert(*a);
                }
                by_key.insert(w.key, slot.clone());
                by_index.insert(slot.index, slot);
            }
        }
        {
            let mut st = self.shared.state.write();
            st.by_key = by_key;
            st.by_index = by_index;
            st.routes = table;
        }

        // Routes: add the new ones before removing the old, so no moment is without a route.
        let tun = self.shared.tun_name.clone();
        for r in wanted_routes.difference(&self.routes) {
            ip(&["route", "replace", &r.to_string(), "dev", &tun])?;
        }
        for r in self.routes.difference(&wanted_routes) {
            if let Err(e) = ip(&["route", "del", &r.to_string(), "dev", &tun]) {
                tracing::warn!(route = %r, error = %e, "removing a stale route");
            }
        }
        self.routes = wanted_routes;
        self.applied = Some(config.clone());
        Ok(())
    }

    fn links(&self) -> Vec<LinkState> {
        let st = self.shared.state.read();
        st.links
            .iter()
            .map(|l| LinkState {
                name: l.name.clone(),
                up: l.socket.get().is_some() && l.oper_up.load(Ordering::Relaxed),
                tx_bytes: l.counters.tx_bytes.load(Ordering::Relaxed),
                rx_bytes: l.counters.rx_bytes.load(Ordering::Relaxed),
                tx_packets: l.counters.tx_packets.load(Ordering::Relaxed),
                rx_packets: l.counters.rx_packets.load(Ordering::Relaxed),
            })
            .collect()
    }

    fn peers(&self) -> Vec<PeerState> {
        let st = self.shared.state.read();
        let now = Instant::now();
        let name_of = |id: LinkId| {
            st.links.iter().find(|l| l.id == id).map(|l| l.name.clone()).unwrap_or_else(|| format!("link{}", id.0))
        };
        let mut out: Vec<PeerState> = st
            .by_key
            .values()
            .map(|slot| {
                let core = slot.core.lock();
                let c = core.counters();
                let paths = core.paths().report(now);
                PeerState {
                    site_id: slot.site_id,
                    active_link: paths.iter().find(|p| p.active).map(|p| name_of(p.link)),
                    handshake_age_seconds: core.handshake_age().map(|d| d.as_secs()),
                    paths: paths
                        .iter()
                        .map(|p| PathState {
                            link: name_of(p.link),
                            endpoint: p.endpoint.to_string(),
                            up: p.up,
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
        out.sort_by_key(|p| p.site_id);
        out
    }
}

impl Drop for WireGuard {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        for l in self.shared.state.read().links.iter() {
            l.stop.store(true, Ordering::Relaxed);
        }
        for (_, h) in self.link_threads.drain() {
            let _ = h.join();
        }
        for h in self.threads.drain(..) {
            let _ = h.join();
        }
    }
}

/// Collects one thread's outputs: datagrams per link, sent in batches; packets to the TUN.
struct Io<'a> {
    links: &'a [Arc<Link>],
    batches: Vec<sys::SendBatch>,
    tun: RawFd,
    drops: &'a DropCounters,
    /// Set when the TUN carries virtio-net headers: packets for it are coalesced here.
    gro: Option<&'a mut offload::Coalescer>,
}

impl<'a> Io<'a> {
    fn new(
        links: &'a [Arc<Link>],
        tun: RawFd,
        drops: &'a DropCounters,
        batches: &mut Vec<sys::SendBatch>,
        gro: Option<&'a mut offload::Coalescer>,
    ) -> Io<'a> {
        let mut own = std::mem::take(batches);
        while own.len() < links.len() {
            own.push(sys::SendBatch::new(BATCH * 2, false));
        }
        for (b, l) in own.iter_mut().zip(links) {
            b.set_gso(l.gso.load(Ordering::Relaxed));
        }
        Io { links, batches: own, tun, drops, gro }
    }

    fn flush_link(&mut self, i: usize) {
        let link = &self.links[i];
        let batch = &mut self.batches[i];
        if batch.is_empty() {
            return;
        }
        match link.fd() {
            Some(fd) => {
                let refused = batch.flush(fd);
                if refused > 0 {
                    Counters::add(&self.drops.send_failed, refused as u64);
                }
            }
            // Not bound: nothing can leave by this link.
            None => batch.clear(),
        }
    }

    fn flush(&mut self) {
        for i in 0..self.links.len() {
            self.flush_link(i);
        }
    }

    /// Ends the batch and hands the buffers back for the next one.
    fn finish(mut self, batches: &mut Vec<sys::SendBatch>) {
        self.flush();
        if let Some(gro) = self.gro.as_deref_mut() {
            let (fd, drops) = (self.tun, self.drops);
            gro.flush(&mut |b| write_tun(fd, drops, b));
        }
        for (b, l) in self.batches.iter().zip(self.links) {
            // GSO may have been found unusable on this device.
            if !b.gso() {
                l.gso.store(false, Ordering::Relaxed);
            }
        }
        *batches = std::mem::take(&mut self.batches);
    }
}

impl Outbox for Io<'_> {
    fn send(&mut self, link: LinkId, dst: SocketAddr, datagram: &[u8]) {
        let Some(i) = self.links.iter().position(|l| l.id == link) else {
            return;
        };
        let l = &self.links[i];
        let dst = match dst {
            SocketAddr::V4(a) if l.v6.load(Ordering::Relaxed) => SocketAddr::from((a.ip().to_ipv6_mapped(), a.port())),
            other => other,
        };
        Counters::add(&l.counters.tx_packets, 1);
        Counters::add(&l.counters.tx_bytes, datagram.len() as u64);
        self.batches[i].push(dst, datagram);
        if self.batches[i].is_full() {
            self.flush_link(i);
        }
    }

    fn to_tun(&mut self, packet: &[u8]) {
        let (fd, drops) = (self.tun, self.drops);
        match self.gro.as_deref_mut() {
            Some(gro) => gro.push(packet, &mut |b| write_tun(fd, drops, b)),
            None => write_tun(fd, drops, packet),
        }
    }
}

fn write_tun(fd: RawFd, drops: &DropCounters, packet: &[u8]) {
    if sys::write(fd, packet).is_err() {
        Counters::add(&drops.send_failed, 1);
    }
}

/// Maps an IPv4-mapped IPv6 source back to IPv4, so it matches configured endpoints.
fn canonical(addr: SocketAddr) -> SocketAddr {
    match addr {
        SocketAddr::V6(a) => match a.ip().to_ipv4_mapped() {
            Some(v4) => SocketAddr::from((v4, a.port())),
            None => addr,
        },
        v4 => v4,
    }
}

fn tun_loop(shared: &Shared) {
    let fd = shared.tun.as_raw_fd();
    let mut pkt = vec![0u8; RX_BUF + offload::VNET_HDR_LEN];
    let mut scratch = vec![0u8; RX_BUF];
    let mut enc = vec![0u8; RX_BUF + peer::WG_OVERHEAD];
    let mut batches = Vec::new();
    while !shared.stop.load(Ordering::Relaxed) {
        match sys::poll_readable(fd, 100) {
            Ok(true) => {}
            Ok(false) => continue,
            Err(e) => {
                tracing::error!(error = %e, "polling the TUN");
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
        }
        let st = shared.state.read();
        let mut io = Io::new(&st.links, fd, &shared.drops, &mut batches, None);
        let now = Instant::now();
        let mut forward = |packet: &[u8]| {
            let Some(slot) = routes::destination(packet).and_then(|d| st.routes.lookup(d)) else {
                Counters::add(&shared.drops.no_route, 1);
                return;
            };
            slot.core.lock().encapsulate(packet, now, &mut enc, &mut io);
        };
        for _ in 0..BATCH {
            let n = match sys::read_nonblocking(fd, &mut pkt) {
                Ok(Some(n)) => n,
                Ok(None) => break,
                Err(e) => {
                    tracing::error!(error = %e, "reading the TUN");
                    break;
                }
            };
            if shared.vnet {
                if !offload::segment(&mut pkt[..n], &mut scratch, &mut forward) {
                    Counters::add(&shared.drops.invalid, 1);
                }
            } else {
                forward(&pkt[..n]);
            }
        }
        io.finish(&mut batches);
    }
}

fn link_loop(shared: &Shared, link: &Link) {
    let mut batch = sys::RecvBatch::new(BATCH, if shared.offloads { RX_BUF } else { 2048 });
    let mut dec = vec![0u8; RX_BUF];
    let mut out_batches = Vec::new();
    let mut gro = offload::Coalescer::new();
    while !shared.stop.load(Ordering::Relaxed) && !link.stop.load(Ordering::Relaxed) {
        let Some(fd) = link.fd() else {
            std::thread::sleep(Duration::from_secs(1));
            if let Err(e) = link.bind(shared.offloads) {
                tracing::debug!(link = %link.name, error = %format!("{e:#}"), "link still not bound");
            } else {
                tracing::info!(link = %link.name, "link bound");
            }
            continue;
        };
        match sys::poll_readable(fd, 100) {
            Ok(true) => {}
            Ok(false) => continue,
            Err(e) => {
                tracing::error!(link = %link.name, error = %e, "polling a link");
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
        }
        let st = shared.state.read();
        let gro = shared.vnet.then_some(&mut gro);
        let mut io = Io::new(&st.links, shared.tun.as_raw_fd(), &shared.drops, &mut out_batches, gro);
        let now = Instant::now();
        let result = batch.recv(fd, |r| {
            let src = canonical(r.src);
            for datagram in r.data.chunks(r.segment) {
                Counters::add(&link.counters.rx_packets, 1);
                Counters::add(&link.counters.rx_bytes, datagram.len() as u64);
                handle_datagram(shared, &st, link.id, src, datagram, now, &mut dec, &mut io);
            }
        });
        if let Err(e) = result {
            tracing::debug!(link = %link.name, error = %e, "receiving");
        }
        io.finish(&mut out_batches);
    }
}

/// Which peer a datagram is for, as far as its header tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dispatch {
    /// Only decrypting the initiator's static key tells.
    HandshakeInit,
    /// Our session index (the receiver index without its low 8 bits).
    ByIndex(u32),
    Invalid,
}

/// Reads the message type and, for responses, cookie replies and data, the receiver index;
/// checks the lengths WireGuard fixes, so nothing shorter reaches a session.
fn classify(datagram: &[u8]) -> Dispatch {
    let index_at = |at: usize| match datagram.get(at..at + 4) {
        Some(b) => Dispatch::ByIndex(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) >> 8),
        None => Dispatch::Invalid,
    };
    match (datagram.first(), datagram.len()) {
        (Some(1), 148) => Dispatch::HandshakeInit,
        (Some(2), 92) => index_at(8),
        (Some(3), 64) => index_at(4),
        (Some(4), n) if n >= 32 => index_at(4),
        _ => Dispatch::Invalid,
    }
}

/// Finds the peer a datagram belongs to and hands it over. Handshake initiations are checked
/// against the shared rate limiter first, so a flood costs a MAC check, not a Diffie-Hellman.
#[allow(clippy::too_many_arguments)]
fn handle_datagram(
    shared: &Shared,
    st: &State,
    link: LinkId,
    src: SocketAddr,
    datagram: &[u8],
    now: Instant,
    buf: &mut [u8],
    io: &mut Io<'_>,
) {
    let slot = match classify(datagram) {
        Dispatch::HandshakeInit => {
            let mut cookie = [0u8; 64];
            match shared.limiter.verify_packet(Some(src.ip()), datagram, &mut cookie) {
                Ok(Packet::HandshakeInit(p)) => match parse_handshake_anon(&shared.private, &shared.public, &p) {
                    Ok(half) => st.by_key.get(&half.peer_static_public),
                    Err(_) => {
                        Counters::add(&shared.drops.unknown_peer, 1);
                        return;
                    }
                },
                Err(TunnResult::WriteToNetwork(reply)) => {
                    Counters::add(&shared.drops.cookies_sent, 1);
                    io.send(link, src, reply);
                    return;
                }
                _ => {
                    Counters::add(&shared.drops.invalid, 1);
                    return;
                }
            }
        }
        Dispatch::ByIndex(i) => st.by_index.get(&i),
        Dispatch::Invalid => {
            Counters::add(&shared.drops.invalid, 1);
            return;
        }
    };
    let Some(slot) = slot else {
        Counters::add(&shared.drops.unknown_peer, 1);
        return;
    };
    slot.core.lock().decapsulate(link, src, datagram, now, buf, io);
}

fn timer_loop(shared: &Shared) {
    let mut buf = vec![0u8; 2048];
    let mut batches = Vec::new();
    let mut gro = offload::Coalescer::new();
    let mut last_second = Instant::now();
    while !shared.stop.load(Ordering::Relaxed) {
        std::thread::sleep(TICK);
        let now = Instant::now();
        if now.duration_since(last_second) >= Duration::from_secs(1) {
            last_second = now;
            shared.limiter.reset_count();
            shared.session_limiter.reset_count();
            for l in shared.state.read().links.iter() {
                l.refresh_oper_state();
            }
        }
        let st = shared.state.read();
        let gro = shared.vnet.then_some(&mut gro);
        let mut io = Io::new(&st.links, shared.tun.as_raw_fd(), &shared.drops, &mut batches, gro);
        for slot in st.by_key.values() {
            slot.core.lock().handle_timeout(now, &mut buf, &mut io);
        }
        io.finish(&mut batches);
    }
}

/// A small valid configuration for tests that need one without namespaces.
#[cfg(test)]
fn netns_free_config() -> SiteConfig {
    use patronus_api::network::{LinkKind, SiteRole};
    use patronus_api::{ConfigEndpoint, ConfigLink, ConfigPeer};
    SiteConfig {
        schema_version: 1,
        revision: 1,
        site_id: Uuid::from_u128(1),
        site_name: "a".into(),
        role: SiteRole::Edge,
        overlay_address: "100.64.0.1/16".into(),
        listen_port: 51820,
        lan_prefixes: vec!["10.1.0.0/16".into()],
        links: vec![ConfigLink {
            name: "fiber".into(),
            interface: "eth0".into(),
            kind: LinkKind::Fiber,
            endpoint: None,
            bandwidth_up_mbps: 1,
            bandwidth_down_mbps: 1,
            cost: 0,
            priority: 0,
        }],
        peers: vec![ConfigPeer {
            site_id: Uuid::from_u128(2),
            site_name: "b".into(),
            public_key: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".into(),
            allowed_ips: vec!["100.64.0.2/32".into()],
            endpoints: vec![ConfigEndpoint {
                link: "fiber".into(),
                address: "192.0.2.2:51820".into(),
                priority: 0,
                cost: 0,
            }],
            persistent_keepalive: 0,
        }],
        qos_classes: vec![],
        policies: vec![],
    }
}
