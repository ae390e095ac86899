//! Userspace WireGuard over boringtun: the threads, sockets and system calls around one
//! [`Node`], which holds all protocol state (`crate::dataplane::node`).
//!
//! - one thread reads a batch of packets from the TUN, hands them to the node, then sends the
//!   datagrams it produced, each link's with one `sendmmsg` (with UDP GSO);
//! - one thread per link receives with `recvmmsg` (with UDP GRO), hands the datagrams to the node
//!   and writes the packets it produced to the TUN (coalesced for TUN GRO);
//! - one timer thread runs the node's timers when [`Node::poll_timeout`] says.
//!
//! Each thread holds the node only while it hands inputs over; it takes the outputs along
//! ([`Node::take_outputs`]) and sends them without it.
//!
//! `apply` changes only what differs and changes everything or nothing: the document is parsed
//! first (`config`), new links are bound and new routes added next to the old ones (`system`,
//! through rtnetlink: `netlink`), then the node switches, then what only the old document needed
//! goes.

mod config;
mod netlink;
#[cfg(test)]
mod netns_apps_tests;
#[cfg(test)]
mod netns_tests;
pub mod offload;
pub mod shaping;
mod sys;
mod system;
mod xdp;

use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::net::{Ipv4Addr, SocketAddr};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::Context;
use parking_lot::{Mutex, RwLock};
use patronus_api::{
    ApplicationUsage, ApplicationsStatus, FailoverEvent, LinkState, PeerState, PolicyStatus, SiteConfig,
    XdpGuardStatus, TOP_APPLICATIONS,
};

#[cfg(test)]
pub use self::config::netns_free_config;
pub use self::config::node_config;
use self::shaping::{Shaper, ShapingOptions};
use self::system::System;
use self::xdp::GuardShell;
use super::guard::GuardOptions;
use super::node::path::{LinkId, PathTiming};
use super::node::{Drops, Event, Node, Outputs, TICK};
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
    /// Run the XDP guard on the links' interfaces with these limits; `None`: turned off.
    pub xdp_guard: Option<GuardOptions>,
    /// Traffic shaping per QoS class on the links' interfaces (`shaping`).
    pub shaping: ShapingOptions,
    /// Application recognition (`crate::apps`) on the packets from the TUN.
    pub app_recognition: bool,
}

impl Default for DataplaneOptions {
    fn default() -> Self {
        DataplaneOptions {
            tun_name: "patronus0".to_owned(),
            mtu: 1420,
            path_timing: PathTiming::default(),
            udp_offloads: true,
            tun_offloads: true,
            xdp_guard: Some(GuardOptions::default()),
            shaping: ShapingOptions::default(),
            app_recognition: true,
        }
    }
}

/// Datagrams (or GRO trains) per `recvmmsg`, and packets read from the TUN per batch.
const BATCH: usize = 32;
/// Large enough for a GRO train or any packet a TUN hands over.
const RX_BUF: usize = 65536;

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
    /// Most bytes in one GSO train: a train leaves the shaper as one burst, so on a shaped link
    /// it is kept to about a millisecond at the shaped rate (else a 64 KB train at 20 Mbit/s
    /// would sit 26 ms in the next queue, ahead of every other class's datagrams).
    train_bytes: AtomicUsize,
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

struct Shared {
    node: Mutex<Node>,
    tun: File,
    tun_name: String,
    /// Sorted by id.
    links: RwLock<Vec<Arc<Link>>>,
    stop: AtomicBool,
    /// Datagrams the kernel refused to send, and TUN writes that failed.
    send_failed: AtomicU64,
    /// Packets from the TUN whose offload header made no sense.
    bad_tun_packets: AtomicU64,
    offloads: bool,
    /// The TUN carries virtio-net headers (TSO in, GRO out).
    vnet: bool,
    /// Path changes not yet taken by a status report, the newest `MAX_FAILOVER_EVENTS`.
    failovers: Mutex<VecDeque<FailoverEvent>>,
}

/// As many path changes as one status report carries.
const MAX_FAILOVER_EVENTS: usize = 100;

/// The userspace WireGuard dataplane.
pub struct WireGuard {
    shared: Arc<Shared>,
    options: DataplaneOptions,
    threads: Vec<JoinHandle<()>>,
    link_threads: HashMap<LinkId, JoinHandle<()>>,
    system: System,
    guard: GuardShell,
    applied: Option<SiteConfig>,
    /// Locked only by `apply`, status reports and `drop`, never by a packet thread.
    shaper: Mutex<Shaper>,
}

impl std::fmt::Debug for WireGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WireGuard")
            .field("tun", &self.shared.tun_name)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// Datagrams and packets nobody could use, for the logs and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DropCounts {
    /// What the node refused (see [`Drops`]); malformed TUN packets count as invalid.
    pub node: Drops,
    /// Datagrams the kernel refused to send, TUN writes that failed.
    pub send_failed: u64,
}

impl WireGuard {
    /// Creates the TUN device `options.tun_name` with `options.mtu`, brings it up and starts
    /// the worker threads. Links, peers, the overlay address and routes come with
    /// [`Dataplane::apply`]. Needs CAP_NET_ADMIN and `/dev/net/tun`.
    pub fn start(private_key: [u8; 32], options: DataplaneOptions) -> anyhow::Result<WireGuard> {
        let opened = if options.tun_offloads {
            sys::open_tun(&options.tun_name, false, true).map(|(f, n)| (f, n, true)).or_else(|e| {
                tracing::warn!(error = %e, "TUN offloads unavailable; one packet per read");
                sys::open_tun(&options.tun_name, false, false).map(|(f, n)| (f, n, false))
            })
        } else {
            sys::open_tun(&options.tun_name, false, false).map(|(f, n)| (f, n, false))
        };
        let (tun, tun_name, vnet) = opened.with_context(|| format!("creating TUN device {}", options.tun_name))?;
        let mut system = System::new(&tun_name)?;
        system.bring_up(options.mtu)?;
        let mut node = Node::new(private_key, options.path_timing, rand::random::<u32>());
        if !options.app_recognition {
            node.disable_recognition();
        }
        let shared = Arc::new(Shared {
            node: Mutex::new(node),
            tun,
            tun_name,
            links: RwLock::new(Vec::new()),
            stop: AtomicBool::new(false),
            send_failed: AtomicU64::new(0),
            bad_tun_packets: AtomicU64::new(0),
            offloads: options.udp_offloads,
            vnet,
            failovers: Mutex::new(VecDeque::new()),
        });
        let mut threads = Vec::new();
        let s = shared.clone();
        threads.push(spawn("wg-tun", move || tun_loop(&s))?);
        let s = shared.clone();
        threads.push(spawn("wg-timers", move || timer_loop(&s))?);
        let guard = GuardShell::start(options.xdp_guard);
        let shaper = Mutex::new(Shaper::new(options.shaping));
        Ok(WireGuard { shared, options, threads, link_threads: HashMap::new(), system, guard, applied: None, shaper })
    }

    /// Switches application recognition on or off while running (`DataplaneOptions::app_recognition`
    /// at start); for the benchmark that compares the two.
    pub fn set_app_recognition(&self, on: bool) {
        self.shared.node.lock().set_recognition(on);
    }

    /// The name the kernel gave the TUN device.
    pub fn tun_name(&self) -> &str {
        &self.shared.tun_name
    }

    /// This agent's WireGuard public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.shared.node.lock().public_key()
    }

    pub fn drops(&self) -> DropCounts {
        let mut node = self.shared.node.lock().drops();
        node.invalid += self.shared.bad_tun_packets.load(Ordering::Relaxed);
        DropCounts { node, send_failed: self.shared.send_failed.load(Ordering::Relaxed) }
    }

    /// Binds and starts the links `config` adds or moves (interface or port changed); returns
    /// the ones to stop once the node no longer uses them.
    fn start_links(&mut self, config: &SiteConfig) -> anyhow::Result<Vec<Arc<Link>>> {
        let current: Vec<Arc<Link>> = self.shared.links.read().clone();
        let same = |l: &Link| {
            config.links.iter().any(|w| w.name == l.name && w.interface == l.interface && config.listen_port == l.port)
        };
        let (mut kept, gone): (Vec<Arc<Link>>, Vec<Arc<Link>>) = current.into_iter().partition(|l| same(l));
        let mut started: Vec<Arc<Link>> = Vec::new();
        for l in &config.links {
            if kept.iter().any(|k| k.name == l.name) {
                continue;
            }
            let id = self.shared.node.lock().link_id(&l.name);
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
                train_bytes: AtomicUsize::new(sys::MAX_TRAIN_BYTES),
            });
            // A link that moves keeps its id: its old socket must be closed before the new one
            // binds the same port.
            if let Some(old) = gone.iter().find(|g| g.name == l.name) {
                old.stop.store(true, Ordering::Relaxed);
                if let Some(h) = self.link_threads.remove(&old.id) {
                    let _ = h.join();
                }
            }
            if let Err(e) = link.bind(self.options.udp_offloads) {
                // The link thread retries: an interface may appear after the agent starts.
                tracing::warn!(link = %l.name, error = %format!("{e:#}"), "link not bound yet");
            }
            link.refresh_oper_state();
            let (s, lk) = (self.shared.clone(), link.clone());
            match spawn(&format!("wg-link-{}", l.name), move || link_loop(&s, &lk)) {
                Ok(h) => {
                    self.link_threads.insert(id, h);
                }
                Err(e) => {
                    for s in &started {
                        self.stop_link(s);
                    }
                    link.stop.store(true, Ordering::Relaxed);
                    return Err(e);
                }
            }
            started.push(link.clone());
            kept.push(link);
        }
        kept.sort_by_key(|l| l.id);
        *self.shared.links.write() = kept;
        Ok(gone.into_iter().filter(|g| !config.links.iter().any(|l| l.name == g.name)).collect())
    }

    fn stop_link(&mut self, link: &Link) {
        link.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.link_threads.remove(&link.id) {
            let _ = h.join();
        }
    }
}

fn spawn(name: &str, f: impl FnOnce() + Send + 'static) -> anyhow::Result<JoinHandle<()>> {
    std::thread::Builder::new().name(name.chars().take(15).collect()).spawn(f).context("spawning a dataplane thread")
}

impl Dataplane for WireGuard {
    fn apply(&mut self, config: &SiteConfig) -> anyhow::Result<()> {
        if self.applied.as_ref() == Some(config) {
            return Ok(());
        }
        let parsed = node_config(config)?;
        let plan = self.shared.node.lock().plan(&parsed);
        let prepared = self.system.prepare(config.overlay_address, &plan)?;
        let stopped = match self.start_links(config) {
            Ok(stopped) => stopped,
            Err(e) => {
                self.system.undo(prepared);
                return Err(e);
            }
        };
        let guarded: Vec<(String, String)> =
            config.links.iter().map(|l| (l.name.clone(), l.interface.clone())).collect();
        self.guard.configure(config.listen_port, &guarded);
        {
            let mut node = self.shared.node.lock();
            node.apply(&parsed, Instant::now());
            self.guard.sync_indexes(&mut node);
        }
        self.system.finish(prepared);
        for link in stopped {
            self.stop_link(&link);
        }
        self.applied = Some(config.clone());
        // Shaping never holds the document back: a link it cannot shape keeps what it had, and
        // its status says why.
        let mut shaper = self.shaper.lock();
        shaper.apply(config);
        for l in self.shared.links.read().iter() {
            let train = shaper.egress_kbps(&l.name).map_or(sys::MAX_TRAIN_BYTES, |kbps| {
                // kbit/s is bytes per 8 ms: a millisecond's worth, at least one datagram.
                usize::try_from(kbps / 8).unwrap_or(usize::MAX).min(sys::MAX_TRAIN_BYTES)
            });
            l.train_bytes.store(train, Ordering::Relaxed);
        }
        Ok(())
    }

    fn problem(&self) -> Option<String> {
        let shaper = self.shaper.lock();
        self.shared
            .links
            .read()
            .iter()
            .find_map(|l| shaper.error(&l.name).map(|e| format!("shaping link {}: {e}", l.name)))
    }

    fn links(&self) -> Vec<LinkState> {
        let links = self.shared.links.read().clone();
        let mut shaper = self.shaper.lock();
        shaper.retry();
        let shaping: Vec<_> = links.iter().map(|l| shaper.status(&l.name)).collect();
        drop(shaper);
        let node = self.shared.node.lock();
        links
            .iter()
            .zip(shaping)
            .map(|(l, shaping)| {
                let c = node.link_counters(l.id);
                LinkState {
                    shaping,
                    name: l.name.clone(),
                    up: l.socket.get().is_some() && l.oper_up.load(Ordering::Relaxed),
                    tx_bytes: c.tx_bytes,
                    rx_bytes: c.rx_bytes,
                    tx_packets: c.tx_packets,
                    rx_packets: c.rx_packets,
                }
            })
            .collect()
    }

    fn peers(&self) -> Vec<PeerState> {
        self.shared.node.lock().peer_states(Instant::now())
    }

    fn policies(&self) -> Vec<PolicyStatus> {
        self.shared.node.lock().policy_statuses()
    }

    fn applications(&self) -> Option<ApplicationsStatus> {
        let node = self.shared.node.lock();
        let late_moves = node.late_moves()?;
        let top = node
            .top_applications(TOP_APPLICATIONS)
            .into_iter()
            .map(|a| ApplicationUsage { name: a.name, flows: a.flows, packets: a.packets, bytes: a.bytes })
            .collect();
        Some(ApplicationsStatus { late_moves, top })
    }

    fn take_failover_events(&mut self) -> Vec<FailoverEvent> {
        self.shared.failovers.lock().drain(..).collect()
    }

    fn xdp_guard(&mut self) -> Option<XdpGuardStatus> {
        // The guard's maps are read without the node held: the node only lends its index list.
        let sessions: Vec<(u32, uuid::Uuid)> = self.shared.node.lock().session_indexes().collect();
        Some(self.guard.status(&sessions))
    }
}

/// Whether the agent runs as root.
pub(crate) fn is_root() -> bool {
    sys::is_root()
}

impl Drop for WireGuard {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        for l in self.shared.links.read().iter() {
            l.stop.store(true, Ordering::Relaxed);
        }
        for (_, h) in self.link_threads.drain() {
            let _ = h.join();
        }
        for h in self.threads.drain(..) {
            let _ = h.join();
        }
        self.shaper.lock().remove_all();
    }
}

/// Sends what the node produced: datagrams in per-link batches, packets to the TUN (coalesced
/// when the TUN takes GRO trains). One per thread, so its buffers are reused.
struct Io {
    batches: Vec<sys::SendBatch>,
    gro: Option<offload::Coalescer>,
}

impl Io {
    fn new(shared: &Shared) -> Io {
        Io { batches: Vec::new(), gro: shared.vnet.then(offload::Coalescer::new) }
    }

    fn send(&mut self, shared: &Shared, out: &mut Outputs) {
        let links = shared.links.read();
        while self.batches.len() < links.len() {
            self.batches.push(sys::SendBatch::new(BATCH * 2, false));
        }
        for (b, l) in self.batches.iter_mut().zip(links.iter()) {
            b.set_gso(l.gso.load(Ordering::Relaxed));
            b.set_max_train(l.train_bytes.load(Ordering::Relaxed));
        }
        while let Some(t) = out.poll_transmit() {
            let Some(i) = links.iter().position(|l| l.id == t.link) else {
                continue;
            };
            let dst = match t.dst {
                SocketAddr::V4(a) if links[i].v6.load(Ordering::Relaxed) => {
                    SocketAddr::from((a.ip().to_ipv6_mapped(), a.port()))
                }
                other => other,
            };
            self.batches[i].push(dst, t.tos, t.payload);
            if self.batches[i].is_full() {
                flush(shared, &links[i], &mut self.batches[i]);
            }
        }
        for (b, l) in self.batches.iter_mut().zip(links.iter()) {
            flush(shared, l, b);
            // GSO may have been found unusable on this device.
            if !b.gso() {
                l.gso.store(false, Ordering::Relaxed);
            }
        }
        let fd = shared.tun.as_raw_fd();
        let mut write = |p: &[u8]| write_tun(shared, fd, p);
        while let Some(packet) = out.poll_tun_write() {
            match self.gro.as_mut() {
                Some(gro) => gro.push(packet, &mut write),
                None => write(packet),
            }
        }
        if let Some(gro) = self.gro.as_mut() {
            gro.flush(&mut write);
        }
    }
}

fn flush(shared: &Shared, link: &Link, batch: &mut sys::SendBatch) {
    if batch.is_empty() {
        return;
    }
    match link.fd() {
        Some(fd) => {
            let refused = batch.flush(fd);
            if refused > 0 {
                shared.send_failed.fetch_add(refused as u64, Ordering::Relaxed);
            }
        }
        // Not bound: nothing can leave by this link.
        None => batch.clear(),
    }
}

fn write_tun(shared: &Shared, fd: RawFd, packet: &[u8]) {
    if sys::write(fd, packet).is_err() {
        shared.send_failed.fetch_add(1, Ordering::Relaxed);
    }
}

/// Logs the node's events and keeps them for the next status report.
fn take_events(node: &mut Node, failovers: &Mutex<VecDeque<FailoverEvent>>) {
    while let Some(event) = node.poll_event() {
        match &event {
            Event::ActiveChanged { peer, from, to, reason } => {
                tracing::info!(%peer, from = ?from, to = ?to, reason = ?reason, "active path changed");
            }
            Event::PolicyPathChanged { peer, policy, from, to, reason } => {
                tracing::info!(%peer, %policy, from = ?from, to = ?to, reason = ?reason, "policy path changed");
            }
        }
        let mut kept = failovers.lock();
        if kept.len() >= MAX_FAILOVER_EVENTS {
            kept.pop_front();
        }
        kept.push_back(node.failover_event(&event, chrono::Utc::now()));
    }
}

fn tun_loop(shared: &Shared) {
    let fd = shared.tun.as_raw_fd();
    let mut packets: Vec<Vec<u8>> = (0..BATCH).map(|_| vec![0u8; RX_BUF + offload::VNET_HDR_LEN]).collect();
    let mut lens = [0usize; BATCH];
    let mut scratch = vec![0u8; RX_BUF];
    let mut io = Io::new(shared);
    let mut spare = Outputs::default();
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
        let mut n = 0;
        while n < BATCH {
            match sys::read_nonblocking(fd, &mut packets[n]) {
                Ok(Some(len)) => {
                    lens[n] = len;
                    n += 1;
                }
                Ok(None) => break,
                Err(e) => {
                    tracing::error!(error = %e, "reading the TUN");
                    break;
                }
            }
        }
        if n == 0 {
            continue;
        }
        let now = Instant::now();
        let mut out = {
            let mut node = shared.node.lock();
            for (packet, &len) in packets.iter_mut().zip(&lens).take(n) {
                let packet = &mut packet[..len];
                if shared.vnet {
                    if !offload::segment(packet, &mut scratch, |p| node.handle_tun_packet(now, p)) {
                        shared.bad_tun_packets.fetch_add(1, Ordering::Relaxed);
                    }
                } else {
                    node.handle_tun_packet(now, packet);
                }
            }
            node.take_outputs(std::mem::take(&mut spare))
        };
        io.send(shared, &mut out);
        spare = out;
    }
}

fn link_loop(shared: &Shared, link: &Link) {
    let mut batch = sys::RecvBatch::new(BATCH, if shared.offloads { RX_BUF } else { 2048 });
    let mut io = Io::new(shared);
    let mut spare = Outputs::default();
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
        let now = Instant::now();
        let mut out = {
            let mut node = shared.node.lock();
            let result = batch.recv(fd, |r| {
                for datagram in r.data.chunks(r.segment) {
                    node.handle_datagram(now, link.id, r.src, datagram);
                }
            });
            if let Err(e) = result {
                tracing::debug!(link = %link.name, error = %e, "receiving");
            }
            node.take_outputs(std::mem::take(&mut spare))
        };
        io.send(shared, &mut out);
        spare = out;
    }
}

fn timer_loop(shared: &Shared) {
    let mut io = Io::new(shared);
    let mut spare = Outputs::default();
    let mut next_link_check = Instant::now();
    while !shared.stop.load(Ordering::Relaxed) {
        let due = shared.node.lock().poll_timeout();
        let now = Instant::now();
        if let Some(due) = due {
            std::thread::sleep(due.saturating_duration_since(now).clamp(Duration::from_millis(1), TICK));
        }
        let now = Instant::now();
        if now >= next_link_check {
            next_link_check = now + Duration::from_secs(1);
            for l in shared.links.read().iter() {
                l.refresh_oper_state();
            }
        }
        let mut out = {
            let mut node = shared.node.lock();
            node.handle_timeout(now);
            take_events(&mut node, &shared.failovers);
            node.take_outputs(std::mem::take(&mut spare))
        };
        io.send(shared, &mut out);
        spare = out;
    }
}
