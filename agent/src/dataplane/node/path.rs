//! Paths to one peer, how each is doing, and which of them carries traffic, without any IO.
//!
//! A path is (local link, remote endpoint). Configured paths are the cross product of this site's
//! links and the peer's published endpoints; learned paths appear when an authenticated packet
//! arrives from an address we did not know (the peer roamed, or sits behind NAT).
//!
//! Every path is probed once a session exists: probes carry a sequence number, and their replies
//! give the path's round-trip time (smoothed), jitter (RFC 3550 style) and loss over the last
//! second and the last ten. Probing adapts to traffic: every `active_probe_interval` (20 ms) while
//! the peer carried traffic in the last `active_for` (5 s), every `idle_probe_interval` (1 s)
//! otherwise. At 20 ms a probe and its reply cost about 100 bytes each way, 40 kbit/s per path
//! in each direction; at 1 s, 0.8 kbit/s: a hub with 1,000 idle peers of 4 paths each sends
//! about 3.2 Mbit/s of probes.
//!
//! A path is *up* while it has proved a round trip recently: it goes down when
//! `missed_probes` intervals and twice its smoothed RTT pass without an answer, and never sooner
//! than `min_down_after` (150 ms): soon enough that a cut under traffic is found in about 150 ms,
//! late enough that a path whose delay grows by 100 ms at once stays up. Receiving from a path
//! proves only the peer-to-us direction, so receipt alone never makes a path up. The default path
//! (for traffic no policy steers) is the up path with the best (link priority, endpoint priority);
//! policies choose among the same paths by their own rules (`steer`).
//!
//! Time is an argument everywhere, so tests drive the table with an invented clock.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::steer::Reason;

/// A local WAN link, by a number that stays the same for as long as the link's name does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LinkId(pub u16);

/// Identifies a path inside one peer's table; echoed by probe replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PathId(pub u32);

/// How a path came to be known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// From the site configuration: one of our links times one of the peer's endpoints.
    Configured,
    /// From the source address of an authenticated packet.
    Learned,
}

/// One configured path: which link and endpoint, and how much we prefer it (lower is better).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathSpec {
    pub link: LinkId,
    pub link_priority: u32,
    pub endpoint: SocketAddr,
    pub endpoint_priority: u32,
}

/// The timing that decides probing and liveness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathTiming {
    /// How often each path of a peer that carried traffic recently is probed.
    pub active_probe_interval: Duration,
    /// How often each path of an idle peer is probed.
    pub idle_probe_interval: Duration,
    /// How long after its last packet a peer counts as carrying traffic.
    pub active_for: Duration,
    /// A path is down after this many probe intervals (plus twice its RTT) without an answer...
    pub missed_probes: u32,
    /// ...and never sooner than this.
    pub min_down_after: Duration,
    /// A learned path that has been silent for this long is forgotten.
    pub forget_learned_after: Duration,
}

impl Default for PathTiming {
    fn default() -> Self {
        PathTiming {
            active_probe_interval: Duration::from_millis(20),
            idle_probe_interval: Duration::from_secs(1),
            active_for: Duration::from_secs(5),
            missed_probes: 5,
            min_down_after: Duration::from_millis(150),
            forget_learned_after: Duration::from_secs(60),
        }
    }
}

/// What the table asks its owner to send: a probe request on a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProbeRequest {
    pub path: PathId,
    pub link: LinkId,
    pub endpoint: SocketAddr,
    pub seq: u32,
}

/// Something that happened, for logs and counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathEvent {
    /// The default path changed; `None` when no path is up.
    ActiveChanged { from: Option<(LinkId, SocketAddr)>, to: Option<(LinkId, SocketAddr)>, reason: Reason },
}

/// Probes are remembered for this long, for the loss over the long window.
const LONG_WINDOW: Duration = Duration::from_secs(10);
/// The window SLA decisions use.
pub const SHORT_WINDOW: Duration = Duration::from_secs(1);
/// At most this many probes remembered per path (10 s at 20 ms is 500).
const MAX_SENT: usize = 600;
/// At most this many learned paths per peer; the stalest goes first.
const MAX_LEARNED: usize = 8;

#[derive(Debug, Clone)]
struct SentProbe {
    seq: u32,
    sent_at: Instant,
    answered: bool,
}

#[derive(Debug, Clone)]
pub struct Path {
    pub id: PathId,
    pub link: LinkId,
    pub endpoint: SocketAddr,
    pub link_priority: u32,
    pub endpoint_priority: u32,
    pub origin: Origin,
    /// Last proof of a round trip.
    last_answer: Option<Instant>,
    /// Last authenticated packet received on the path.
    last_rx: Option<Instant>,
    next_probe: Option<Instant>,
    /// When probing changed speed while the path was up: its silence counts from here at the
    /// latest, so that a path up under slow probing is not down the moment probing speeds up.
    grace_from: Option<Instant>,
    next_seq: u32,
    sent: VecDeque<SentProbe>,
    /// Smoothed round-trip time (RFC 6298's 1/8 gain).
    srtt: Option<Duration>,
    last_rtt: Option<Duration>,
    /// RFC 3550-style smoothed variation of the round-trip time, in seconds.
    jitter: f64,
    created: Instant,
}

/// A path's default preference: link priority, endpoint priority, configured before learned, and
/// a tie-breaker. Lower is preferred.
pub type Rank = (u32, u32, u8, u32);

/// How a path is doing, as policies and the status report see it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Health {
    pub up: bool,
    pub rtt: Option<Duration>,
    /// Loss over the last second, in percent; `None` before a probe settled.
    pub loss_percent: Option<f64>,
    pub jitter: Option<Duration>,
    pub last_answer: Option<Instant>,
}

/// What a status report shows of a path.
#[derive(Debug, Clone, PartialEq)]
pub struct PathReport {
    pub link: LinkId,
    pub endpoint: SocketAddr,
    pub origin: Origin,
    pub up: bool,
    pub active: bool,
    pub rtt_ms: Option<f64>,
    /// Over the last ten seconds.
    pub loss_percent: Option<f64>,
    pub jitter_ms: Option<f64>,
}

impl Path {
    fn new(id: PathId, spec: &PathSpec, origin: Origin, now: Instant) -> Self {
        Path {
            id,
            link: spec.link,
            endpoint: spec.endpoint,
            link_priority: spec.link_priority,
            endpoint_priority: spec.endpoint_priority,
            origin,
            last_answer: None,
            last_rx: None,
            next_probe: None,
            grace_from: None,
            next_seq: 0,
            sent: VecDeque::new(),
            srtt: None,
            last_rtt: None,
            jitter: 0.0,
            created: now,
        }
    }

    fn rank(&self) -> Rank {
        match self.origin {
            Origin::Configured => (self.link_priority, self.endpoint_priority, 0, self.id.0),
            // Among learned paths the newest wins: the peer's latest source address is where it
            // is now (WireGuard's roaming), as soon as that address has answered a probe.
            Origin::Learned => (self.link_priority, self.endpoint_priority, 1, u32::MAX - self.id.0),
        }
    }

    /// Loss over the probes sent in the last `window` that have either been answered or waited
    /// longer than `lost_after`.
    fn loss_percent(&self, now: Instant, window: Duration, lost_after: Duration) -> Option<f64> {
        let (mut total, mut lost) = (0u32, 0u32);
        for p in self.sent.iter().rev() {
            let age = now.saturating_duration_since(p.sent_at);
            if age > window + lost_after {
                break;
            }
            if p.answered {
                total += 1;
            } else if age >= lost_after {
                total += 1;
                lost += 1;
            }
        }
        (total > 0).then(|| f64::from(lost) * 100.0 / f64::from(total))
    }

    fn key(&self) -> (LinkId, SocketAddr) {
        (self.link, self.endpoint)
    }
}

/// Every path to one peer.
#[derive(Debug)]
pub struct PathTable {
    timing: PathTiming,
    paths: Vec<Path>,
    next_id: u32,
    /// The default path as of the last change, to report changes once.
    active: Option<(LinkId, SocketAddr)>,
    events: VecDeque<PathEvent>,
    /// Whether a session exists, so probes can be sent.
    probing: bool,
    /// Our links' priorities, for paths learned over links no configured path uses.
    link_priorities: Vec<(LinkId, u32)>,
    /// When the peer last carried traffic, and whether probing is fast because of it.
    last_traffic: Option<Instant>,
    fast: bool,
    /// The last `handle_timeout`: deadlines before it have been dealt with.
    checked: Option<Instant>,
}

impl PathTable {
    pub fn new(timing: PathTiming) -> Self {
        PathTable {
            timing,
            paths: Vec::new(),
            next_id: 1,
            active: None,
            events: VecDeque::new(),
            probing: false,
            link_priorities: Vec::new(),
            last_traffic: None,
            fast: false,
            checked: None,
        }
    }

    pub fn timing(&self) -> PathTiming {
        self.timing
    }

    /// The probe interval in force.
    pub fn probe_interval(&self) -> Duration {
        if self.fast {
            self.timing.active_probe_interval
        } else {
            self.timing.idle_probe_interval
        }
    }

    /// How long a path may go without an answer before it is down.
    fn down_after(&self, p: &Path) -> Duration {
        let rtt = p.srtt.unwrap_or_default();
        (self.probe_interval() * self.timing.missed_probes + rtt * 2).max(self.timing.min_down_after)
    }

    /// When the path goes down if nothing answers before.
    fn down_at(&self, p: &Path) -> Option<Instant> {
        let since = p.last_answer?.max(p.grace_from.unwrap_or(p.created));
        Some(since + self.down_after(p))
    }

    fn is_up(&self, p: &Path, now: Instant) -> bool {
        self.down_at(p).is_some_and(|at| now < at)
    }

    /// Replaces the configured paths. Paths present before and after keep their liveness and
    /// statistics; learned paths stay.
    pub fn set_configured(&mut self, specs: &[PathSpec], now: Instant) {
        self.paths.retain(|p| {
            p.origin == Origin::Learned || specs.iter().any(|s| s.link == p.link && s.endpoint == p.endpoint)
        });
        for spec in specs {
            match self.paths.iter_mut().find(|p| p.link == spec.link && p.endpoint == spec.endpoint) {
                Some(path) => {
                    // A learned path that the configuration now names becomes configured.
                    path.origin = Origin::Configured;
                    path.link_priority = spec.link_priority;
                    path.endpoint_priority = spec.endpoint_priority;
                }
                None => {
                    let id = self.alloc_id();
                    let mut path = Path::new(id, spec, Origin::Configured, now);
                    if self.probing {
                        path.next_probe = Some(now);
                    }
                    self.paths.push(path);
                }
            }
        }
        self.update_active(now);
    }

    /// Forgets the paths over a link that no longer exists.
    pub fn remove_link(&mut self, link: LinkId, now: Instant) {
        self.paths.retain(|p| p.link != link);
        self.update_active(now);
    }

    /// Sets the priorities of our links, on every path over them and for paths learned later.
    pub fn set_link_priorities(&mut self, priorities: &[(LinkId, u32)], now: Instant) {
        self.link_priorities = priorities.to_vec();
        for p in &mut self.paths {
            if let Some((_, prio)) = priorities.iter().find(|(l, _)| *l == p.link) {
                p.link_priority = *prio;
            }
        }
        self.update_active(now);
    }

    fn alloc_id(&mut self) -> PathId {
        let id = PathId(self.next_id);
        self.next_id = self.next_id.wrapping_add(1).max(1);
        id
    }

    /// Starts or stops probing: probes need a session to travel in.
    pub fn set_session(&mut self, established: bool, now: Instant) {
        if established && !self.probing {
            for p in &mut self.paths {
                p.next_probe = Some(now);
            }
        }
        if !established {
            for p in &mut self.paths {
                p.next_probe = None;
            }
        }
        self.probing = established;
    }

    /// The peer carried a packet (either way): its paths are probed fast for a while.
    pub fn note_traffic(&mut self, now: Instant) {
        self.last_traffic = Some(now);
        if !self.fast {
            self.set_speed(true, now);
        }
    }

    fn set_speed(&mut self, fast: bool, now: Instant) {
        let up: Vec<bool> = self.paths.iter().map(|p| self.is_up(p, now)).collect();
        for (p, up) in self.paths.iter_mut().zip(up) {
            p.grace_from = up.then_some(now);
        }
        self.fast = fast;
        if fast && self.probing {
            let next = now + self.timing.active_probe_interval;
            for p in &mut self.paths {
                p.next_probe = Some(p.next_probe.map_or(now, |t| t.min(next)));
            }
        }
    }

    /// An authenticated packet arrived on `link` from `src`. Returns whether this taught us a new
    /// path (the peer roamed or is behind NAT).
    pub fn on_authenticated_rx(&mut self, link: LinkId, src: SocketAddr, now: Instant) -> bool {
        if let Some(path) = self.paths.iter_mut().find(|p| p.link == link && p.endpoint == src) {
            path.last_rx = Some(now);
            return false;
        }
        let known = self.link_priorities.iter().find(|(l, _)| *l == link).map(|(_, p)| *p);
        let link_priority = known
            .or_else(|| self.paths.iter().filter(|p| p.link == link).map(|p| p.link_priority).min())
            .unwrap_or(u32::MAX);
        let spec = PathSpec { link, link_priority, endpoint: src, endpoint_priority: u32::MAX };
        let id = self.alloc_id();
        let mut path = Path::new(id, &spec, Origin::Learned, now);
        path.last_rx = Some(now);
        if self.probing {
            path.next_probe = Some(now);
        }
        self.paths.push(path);
        self.evict_learned();
        self.update_active(now);
        true
    }

    fn evict_learned(&mut self) {
        while self.paths.iter().filter(|p| p.origin == Origin::Learned).count() > MAX_LEARNED {
            let stalest = self
                .paths
                .iter()
                .enumerate()
                .filter(|(_, p)| p.origin == Origin::Learned)
                .min_by_key(|(_, p)| p.last_answer.or(p.last_rx).unwrap_or(p.created))
                .map(|(i, _)| i);
            match stalest {
                Some(i) => {
                    self.paths.remove(i);
                }
                None => break,
            }
        }
    }

    /// A handshake response came back on `link` from `src`: the path works both ways.
    pub fn on_handshake_response(&mut self, link: LinkId, src: SocketAddr, now: Instant) {
        self.on_authenticated_rx(link, src, now);
        if let Some(path) = self.paths.iter_mut().find(|p| p.link == link && p.endpoint == src) {
            path.last_answer = Some(now);
        }
        self.update_active(now);
    }

    /// A probe reply arrived. Replies for unknown paths or sequence numbers are ignored.
    pub fn on_probe_reply(&mut self, path: PathId, seq: u32, now: Instant) {
        let Some(p) = self.paths.iter_mut().find(|p| p.id == path) else {
            return;
        };
        let Some(sent) = p.sent.iter_mut().rev().find(|s| s.seq == seq && !s.answered) else {
            return;
        };
        sent.answered = true;
        let rtt = now.saturating_duration_since(sent.sent_at);
        if let Some(prev) = p.last_rtt {
            let d = (rtt.as_secs_f64() - prev.as_secs_f64()).abs();
            p.jitter += (d - p.jitter) / 16.0;
        }
        p.last_rtt = Some(rtt);
        p.srtt = Some(match p.srtt {
            Some(s) => s.mul_f64(7.0 / 8.0) + rtt.mul_f64(1.0 / 8.0),
            None => rtt,
        });
        p.last_answer = Some(now);
        self.update_active(now);
    }

    /// Advances time: probing slows down on a peer gone idle, paths fall down, learned paths are
    /// forgotten, the default path is chosen.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.checked = Some(now);
        if self.fast && self.last_traffic.is_none_or(|t| now.saturating_duration_since(t) >= self.timing.active_for) {
            self.set_speed(false, now);
        }
        let forget = self.timing.forget_learned_after;
        self.paths.retain(|p| {
            p.origin == Origin::Configured || {
                let last = p.last_answer.or(p.last_rx).unwrap_or(p.created);
                now.saturating_duration_since(last) < forget
            }
        });
        self.update_active(now);
    }

    /// The next probe due at `now`, if any. Call until `None`.
    pub fn poll_probe(&mut self, now: Instant) -> Option<ProbeRequest> {
        if !self.probing {
            return None;
        }
        let interval = self.probe_interval();
        let p = self.paths.iter_mut().find(|p| p.next_probe.is_some_and(|t| t <= now))?;
        let seq = p.next_seq;
        p.next_seq = p.next_seq.wrapping_add(1);
        p.next_probe = Some(now + interval);
        while p.sent.len() >= MAX_SENT
            || p.sent.front().is_some_and(|s| now.saturating_duration_since(s.sent_at) > LONG_WINDOW * 2)
        {
            p.sent.pop_front();
        }
        p.sent.push_back(SentProbe { seq, sent_at: now, answered: false });
        Some(ProbeRequest { path: p.id, link: p.link, endpoint: p.endpoint, seq })
    }

    /// When `handle_timeout` or `poll_probe` next has something to do.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let probes = self.paths.iter().filter_map(|p| p.next_probe);
        let downs = self.paths.iter().filter_map(|p| self.down_at(p)).filter(|at| self.checked.is_none_or(|c| *at > c));
        let slow_down = self.fast.then(|| self.last_traffic.map(|t| t + self.timing.active_for)).flatten();
        probes.chain(downs).chain(slow_down).min()
    }

    pub fn poll_event(&mut self) -> Option<PathEvent> {
        self.events.pop_front()
    }

    fn best_up(&self, now: Instant) -> Option<&Path> {
        self.paths.iter().filter(|p| self.is_up(p, now)).min_by_key(|p| p.rank())
    }

    fn update_active(&mut self, now: Instant) {
        let active = self.best_up(now).map(Path::key);
        if active != self.active {
            // Leaving a path that is still up means a better one came (back) up.
            let old_up = self.active.is_some_and(|k| self.paths.iter().any(|p| p.key() == k && self.is_up(p, now)));
            let reason = if old_up { Reason::Better } else { Reason::Down };
            self.events.push_back(PathEvent::ActiveChanged { from: self.active, to: active, reason });
            self.active = active;
        }
    }

    /// The path that carries data no policy steers: the best up path. When none is up, the path
    /// the peer was last heard from (WireGuard's roaming), else the best configured one, so that
    /// traffic still has somewhere to go while liveness is unknown.
    pub fn send_path(&self, now: Instant) -> Option<(LinkId, SocketAddr)> {
        if let Some(p) = self.best_up(now) {
            return Some(p.key());
        }
        let heard = self
            .paths
            .iter()
            .filter(|p| p.last_answer.or(p.last_rx).is_some())
            .max_by_key(|p| p.last_answer.max(p.last_rx));
        heard.or_else(|| self.paths.iter().min_by_key(|p| p.rank())).map(Path::key)
    }

    /// The default path: the best one that is up.
    pub fn active(&self, now: Instant) -> Option<(LinkId, SocketAddr)> {
        self.best_up(now).map(Path::key)
    }

    /// Where a handshake initiation goes: every path, so the first one that works wins.
    pub fn handshake_targets(&self) -> impl Iterator<Item = (LinkId, SocketAddr)> + '_ {
        self.paths.iter().map(Path::key)
    }

    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    /// Every path with its default rank (lower is preferred) and health over the short window.
    pub fn health(&self, now: Instant) -> impl Iterator<Item = ((LinkId, SocketAddr), Rank, Health)> + '_ {
        self.paths.iter().map(move |p| {
            let health = Health {
                up: self.is_up(p, now),
                rtt: p.srtt,
                loss_percent: p.loss_percent(now, SHORT_WINDOW, self.down_after(p)),
                jitter: p.last_rtt.map(|_| Duration::from_secs_f64(p.jitter)),
                last_answer: p.last_answer,
            };
            (p.key(), p.rank(), health)
        })
    }

    pub fn report(&self, now: Instant) -> Vec<PathReport> {
        let active = self.active(now);
        let mut paths: Vec<&Path> = self.paths.iter().collect();
        paths.sort_by_key(|p| p.rank());
        paths
            .into_iter()
            .map(|p| PathReport {
                link: p.link,
                endpoint: p.endpoint,
                origin: p.origin,
                up: self.is_up(p, now),
                active: active == Some(p.key()),
                rtt_ms: p.srtt.map(|d| d.as_secs_f64() * 1000.0),
                loss_percent: p.loss_percent(now, LONG_WINDOW, self.down_after(p)),
                jitter_ms: p.last_rtt.map(|_| p.jitter * 1000.0),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const FIBER: LinkId = LinkId(0);
    const LTE: LinkId = LinkId(1);

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    fn specs() -> Vec<PathSpec> {
        // Our fiber (priority 10) and lte (20) towards the peer's fiber (10) and lte (20).
        let mut v = Vec::new();
        for (link, lp) in [(FIBER, 10), (LTE, 20)] {
            for (ep, epp) in [("192.0.2.1:51820", 10), ("198.51.100.1:51820", 20)] {
                v.push(PathSpec { link, link_priority: lp, endpoint: addr(ep), endpoint_priority: epp });
            }
        }
        v
    }

    /// Answers every due probe whose path satisfies `works`, after `rtt`.
    fn exchange(t: &mut PathTable, now: Instant, rtt: Duration, works: impl Fn(LinkId, SocketAddr) -> bool) {
        let mut due = Vec::new();
        while let Some(p) = t.poll_probe(now) {
            due.push(p);
        }
        for p in due {
            if works(p.link, p.endpoint) {
                t.on_probe_reply(p.path, p.seq, now + rtt);
            }
        }
        t.handle_timeout(now + rtt);
    }

    /// Runs the table for `secs` seconds in 100 ms steps.
    fn run(t: &mut PathTable, start: Instant, secs: f64, works: impl Fn(LinkId, SocketAddr) -> bool) -> Instant {
        let steps = (secs * 10.0) as u32;
        let mut now = start;
        for _ in 0..steps {
            exchange(t, now, Duration::from_millis(5), &works);
            now += Duration::from_millis(100);
        }
        now
    }

    /// Runs the table for `secs` seconds in 10 ms steps with traffic: fast probing.
    fn run_busy(t: &mut PathTable, start: Instant, secs: f64, works: impl Fn(LinkId, SocketAddr) -> bool) -> Instant {
        let steps = (secs * 100.0) as u32;
        let mut now = start;
        for _ in 0..steps {
            t.note_traffic(now);
            exchange(t, now, Duration::from_millis(5), &works);
            now += Duration::from_millis(10);
        }
        now
    }

    #[test]
    fn nothing_is_up_before_a_round_trip() {
        let now = Instant::now();
        let mut t = PathTable::new(PathTiming::default());
        t.set_configured(&specs(), now);
        assert_eq!(t.active(now), None);
        // Still somewhere to send: the best configured path.
        assert_eq!(t.send_path(now), Some((FIBER, addr("192.0.2.1:51820"))));
        // No session, no probes.
        assert_eq!(t.poll_probe(now), None);
        assert_eq!(t.handshake_targets().count(), 4);
    }

    #[test]
    fn handshake_response_brings_its_path_up() {
        let now = Instant::now();
        let mut t = PathTable::new(PathTiming::default());
        t.set_configured(&specs(), now);
        t.on_handshake_response(LTE, addr("198.51.100.1:51820"), now);
        assert_eq!(t.active(now), Some((LTE, addr("198.51.100.1:51820"))));
        assert!(matches!(
            t.poll_event(),
            Some(PathEvent::ActiveChanged { from: None, to: Some(_), reason: Reason::Down })
        ));
    }

    #[test]
    fn probes_choose_best_priority_path() {
        let start = Instant::now();
        let mut t = PathTable::new(PathTiming::default());
        t.set_configured(&specs(), start);
        t.set_session(true, start);
        let now = run(&mut t, start, 1.0, |_, _| true);
        assert_eq!(t.active(now), Some((FIBER, addr("192.0.2.1:51820"))));
        let report = t.report(now);
        assert_eq!(report.len(), 4);
        assert!(report.iter().all(|r| r.up));
        assert!(report[0].active);
        assert_eq!(report[0].loss_percent, Some(0.0));
        assert!((report[0].rtt_ms.unwrap() - 5.0).abs() < 1e-6);
    }

    #[test]
    fn a_busy_peer_fails_over_within_150_ms_and_comes_back_within_a_probe() {
        let timing = PathTiming::default();
        let start = Instant::now();
        let mut t = PathTable::new(timing);
        t.set_configured(&specs(), start);
        t.set_session(true, start);
        let mut now = run_busy(&mut t, start, 1.0, |_, _| true);
        assert_eq!(t.active(now).unwrap().0, FIBER);
        assert_eq!(t.probe_interval(), timing.active_probe_interval);

        // Our fiber is cut: probes over it go unanswered.
        let cut_at = now;
        let mut moved_at = None;
        for _ in 0..100 {
            now = run_busy(&mut t, now, 0.01, |l, _| l != FIBER);
            if moved_at.is_none() && t.active(now).is_some_and(|a| a.0 == LTE) {
                moved_at = Some(now);
            }
        }
        let moved = moved_at.unwrap() - cut_at;
        assert!(moved <= timing.min_down_after + Duration::from_millis(20), "{moved:?}");
        assert!(moved >= timing.min_down_after - Duration::from_millis(20), "{moved:?}");
        assert_eq!(t.active(now), Some((LTE, addr("192.0.2.1:51820"))));
        assert_eq!(t.send_path(now), t.active(now));
        let fiber = t.report(now).into_iter().find(|r| r.link == FIBER).unwrap();
        assert!(!fiber.up);
        assert!(fiber.loss_percent.unwrap() > 5.0, "{fiber:?}");
        let (_, _, health) = t.health(now).find(|(k, _, _)| k.0 == FIBER).unwrap();
        // The window reaches back to a few answered probes before the cut.
        assert!(health.loss_percent.unwrap() > 80.0, "{health:?}");

        // Fiber is back: traffic returns at the next probe's answer.
        let back_at = now;
        let mut back = None;
        for _ in 0..20 {
            now = run_busy(&mut t, now, 0.01, |_, _| true);
            if back.is_none() && t.active(now).is_some_and(|a| a.0 == FIBER) {
                back = Some(now - back_at);
            }
        }
        assert!(back.unwrap() <= timing.active_probe_interval + Duration::from_millis(20), "{back:?}");
        let events: Vec<_> = std::iter::from_fn(|| t.poll_event()).collect();
        assert!(events.len() >= 3, "{events:?}");
    }

    #[test]
    fn a_delay_step_of_100_ms_keeps_a_busy_path_up() {
        let start = Instant::now();
        let mut t = PathTable::new(PathTiming::default());
        t.set_configured(&specs(), start);
        t.set_session(true, start);
        let mut now = run_busy(&mut t, start, 1.0, |_, _| true);
        // Every reply now takes 105 ms.
        for _ in 0..200 {
            t.note_traffic(now);
            let mut due = Vec::new();
            while let Some(p) = t.poll_probe(now) {
                due.push(p);
            }
            for p in due {
                t.on_probe_reply(p.path, p.seq, now + Duration::from_millis(105));
            }
            now += Duration::from_millis(10);
            t.handle_timeout(now);
            assert_eq!(t.active(now).map(|a| a.0), Some(FIBER), "fiber went down at {:?}", now - start);
        }
        let (_, _, health) = t.health(now).find(|(k, _, _)| k.0 == FIBER).unwrap();
        assert!(health.rtt.unwrap() > Duration::from_millis(80), "{health:?}");
    }

    #[test]
    fn an_idle_peer_is_probed_slowly() {
        let start = Instant::now();
        let timing = PathTiming::default();
        let mut t = PathTable::new(timing);
        t.set_configured(&specs(), start);
        t.set_session(true, start);
        t.note_traffic(start);
        let mut probes = 0;
        let mut now = start;
        // 5 s busy, then 10 s idle.
        while now < start + Duration::from_secs(15) {
            while t.poll_probe(now).is_some() {
                probes += 1;
            }
            now += Duration::from_millis(10);
            t.handle_timeout(now);
        }
        // Four paths: 250 probes each while busy, about 10 each while idle.
        assert!((4 * 250..=4 * 262).contains(&probes), "{probes}");
        assert_eq!(t.probe_interval(), timing.idle_probe_interval);
    }

    #[test]
    fn everything_down_keeps_sending_where_last_heard() {
        let start = Instant::now();
        let mut t = PathTable::new(PathTiming::default());
        t.set_configured(&specs(), start);
        t.set_session(true, start);
        let now = run(&mut t, start, 1.0, |l, e| l == LTE && e == addr("198.51.100.1:51820"));
        let now = run(&mut t, now, 7.0, |_, _| false);
        assert_eq!(t.active(now), None);
        assert_eq!(t.send_path(now), Some((LTE, addr("198.51.100.1:51820"))));
    }

    #[test]
    fn roaming_learns_the_new_source_and_forgets_it_later() {
        let timing = PathTiming::default();
        let start = Instant::now();
        let mut t = PathTable::new(timing);
        // The peer is behind NAT: no endpoint configured at all.
        t.set_configured(&[], start);
        t.set_session(true, start);
        let nat1 = addr("203.0.113.5:40000");
        assert!(t.on_authenticated_rx(FIBER, nat1, start));
        assert!(!t.on_authenticated_rx(FIBER, nat1, start));
        // Before any round trip, data goes where the peer was heard from.
        assert_eq!(t.send_path(start), Some((FIBER, nat1)));
        let now = run(&mut t, start, 1.0, |_, _| true);
        assert_eq!(t.active(now), Some((FIBER, nat1)));

        // The NAT mapping changes: the old address stops answering, the new one appears.
        let nat2 = addr("203.0.113.5:40001");
        assert!(t.on_authenticated_rx(FIBER, nat2, now));
        let now = run(&mut t, now, 3.0, |_, e| e == nat2);
        assert_eq!(t.active(now), Some((FIBER, nat2)));

        // The stale mapping is forgotten after a while.
        let now = run(&mut t, now, timing.forget_learned_after.as_secs_f64() + 1.0, |_, e| e == nat2);
        assert_eq!(t.report(now).len(), 1);
    }

    #[test]
    fn learned_paths_are_bounded() {
        let now = Instant::now();
        let mut t = PathTable::new(PathTiming::default());
        for port in 0..100u16 {
            let src = SocketAddr::from(([203, 0, 113, 9], 1000 + port));
            t.on_authenticated_rx(FIBER, src, now + Duration::from_millis(u64::from(port)));
        }
        assert_eq!(t.report(now).len(), MAX_LEARNED);
    }

    #[test]
    fn reconfiguring_keeps_liveness_of_paths_that_stay() {
        let start = Instant::now();
        let mut t = PathTable::new(PathTiming::default());
        t.set_configured(&specs(), start);
        t.set_session(true, start);
        let now = run(&mut t, start, 1.0, |_, _| true);
        // The peer drops its lte endpoint.
        let fewer: Vec<_> = specs().into_iter().filter(|s| s.endpoint == addr("192.0.2.1:51820")).collect();
        t.set_configured(&fewer, now);
        let report = t.report(now);
        assert_eq!(report.len(), 2);
        assert!(report.iter().all(|r| r.up));
        assert_eq!(t.active(now), Some((FIBER, addr("192.0.2.1:51820"))));
    }

    #[test]
    fn unknown_or_duplicate_replies_are_ignored() {
        let now = Instant::now();
        let mut t = PathTable::new(PathTiming::default());
        t.set_configured(&specs(), now);
        t.set_session(true, now);
        let p = t.poll_probe(now).unwrap();
        t.on_probe_reply(PathId(9999), p.seq, now);
        t.on_probe_reply(p.path, p.seq + 100, now);
        assert_eq!(t.active(now), None);
        t.on_probe_reply(p.path, p.seq, now);
        t.on_probe_reply(p.path, p.seq, now + Duration::from_secs(1));
        let r = t.report(now).into_iter().find(|r| r.up).unwrap();
        assert_eq!(r.rtt_ms, Some(0.0));
    }
}
