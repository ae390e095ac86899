//! Paths to one peer and which of them carries traffic, without any IO.
//!
//! A path is (local link, remote endpoint). Configured paths are the cross product of this site's
//! links and the peer's published endpoints; learned paths appear when an authenticated packet
//! arrives from an address we did not know (the peer roamed, or sits behind NAT).
//!
//! A path is *up* while it has proved a round trip recently: a probe reply or a handshake
//! response came back on it less than `down_after` ago. Receiving from a path proves only the
//! peer-to-us direction (a link cut by egress loss still receives), so receipt alone never makes a
//! path up. Every path is probed every `probe_interval` once a session exists; the active path is
//! the up path with the best (link priority, endpoint priority), so traffic leaves a path
//! `down_after` after its last answer and comes back within a probe interval of its recovery.
//!
//! Time is an argument everywhere, so tests drive the table with an invented clock.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

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

/// The timing that decides liveness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathTiming {
    /// How often each path is probed while a session exists.
    pub probe_interval: Duration,
    /// A path without a round trip for this long is down.
    pub down_after: Duration,
    /// A learned path that has been silent for this long is forgotten.
    pub forget_learned_after: Duration,
}

impl Default for PathTiming {
    fn default() -> Self {
        PathTiming {
            probe_interval: Duration::from_millis(500),
            down_after: Duration::from_millis(2000),
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
    /// The path that carries data changed; `None` when no path is up.
    ActiveChanged { from: Option<(LinkId, SocketAddr)>, to: Option<(LinkId, SocketAddr)> },
}

/// Probes remembered per path for loss: the last this many.
const LOSS_WINDOW: usize = 20;
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
    next_seq: u32,
    sent: VecDeque<SentProbe>,
    rtt: Option<Duration>,
    /// RFC 3550-style smoothed variation of the round-trip time, in seconds.
    jitter: f64,
    created: Instant,
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
            next_seq: 0,
            sent: VecDeque::with_capacity(LOSS_WINDOW),
            rtt: None,
            jitter: 0.0,
            created: now,
        }
    }

    fn is_up(&self, now: Instant, timing: &PathTiming) -> bool {
        self.last_answer.is_some_and(|t| now.saturating_duration_since(t) < timing.down_after)
    }

    fn rank(&self) -> (u32, u32, u8, u32) {
        match self.origin {
            Origin::Configured => (self.link_priority, self.endpoint_priority, 0, self.id.0),
            // Among learned paths the newest wins: the peer's latest source address is where it
            // is now (WireGuard's roaming), as soon as that address has answered a probe.
            Origin::Learned => (self.link_priority, self.endpoint_priority, 1, u32::MAX - self.id.0),
        }
    }

    fn loss_percent(&self, now: Instant, timing: &PathTiming) -> Option<f64> {
        // A probe still within its answer window is neither lost nor answered yet.
        let settled =
            self.sent.iter().filter(|p| p.answered || now.saturating_duration_since(p.sent_at) >= timing.down_after);
        let (mut total, mut lost) = (0u32, 0u32);
        for p in settled {
            total += 1;
            if !p.answered {
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
    /// The active path as of the last `handle_timeout` or answer, to report changes once.
    active: Option<(LinkId, SocketAddr)>,
    events: VecDeque<PathEvent>,
    /// Whether a session exists, so probes can be sent.
    probing: bool,
    /// Our links' priorities, for paths learned over links no configured path uses.
    link_priorities: Vec<(LinkId, u32)>,
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
        }
    }

    pub fn timing(&self) -> PathTiming {
        self.timing
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
        let Some(sent) = p.sent.iter_mut().find(|s| s.seq == seq && !s.answered) else {
            return;
        };
        sent.answered = true;
        let rtt = now.saturating_duration_since(sent.sent_at);
        if let Some(prev) = p.rtt {
            let d = (rtt.as_secs_f64() - prev.as_secs_f64()).abs();
            p.jitter += (d - p.jitter) / 16.0;
        }
        p.rtt = Some(rtt);
        p.last_answer = Some(now);
        self.update_active(now);
    }

    /// Advances time: paths fall down, learned paths are forgotten, the active path is chosen.
    pub fn handle_timeout(&mut self, now: Instant) {
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
        let interval = self.timing.probe_interval;
        let p = self.paths.iter_mut().find(|p| p.next_probe.is_some_and(|t| t <= now))?;
        let seq = p.next_seq;
        p.next_seq = p.next_seq.wrapping_add(1);
        p.next_probe = Some(now + interval);
        if p.sent.len() == LOSS_WINDOW {
            p.sent.pop_front();
        }
        p.sent.push_back(SentProbe { seq, sent_at: now, answered: false });
        Some(ProbeRequest { path: p.id, link: p.link, endpoint: p.endpoint, seq })
    }

    /// When `handle_timeout` or `poll_probe` next has something to do.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let down = self.timing.down_after;
        let probes = self.paths.iter().filter_map(|p| p.next_probe);
        let downs = self.paths.iter().filter_map(|p| p.last_answer.map(|t| t + down));
        probes.chain(downs).min()
    }

    pub fn poll_event(&mut self) -> Option<PathEvent> {
        self.events.pop_front()
    }

    fn best_up(&self, now: Instant) -> Option<&Path> {
        self.paths.iter().filter(|p| p.is_up(now, &self.timing)).min_by_key(|p| p.rank())
    }

    fn update_active(&mut self, now: Instant) {
        let active = self.best_up(now).map(Path::key);
        if active != self.active {
            self.events.push_back(PathEvent::ActiveChanged { from: self.active, to: active });
            self.active = active;
        }
    }

    /// The path that carries data: the best up path. When none is up, the path the peer was
    /// last heard from (WireGuard's roaming), else the best configured one, so that traffic still
    /// has somewhere to go while liveness is unknown.
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

    /// The active path: the best one that is up.
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

    pub fn report(&self, now: Instant) -> Vec<PathReport> {
        let active = self.active(now);
        let mut out: Vec<_> = self
            .paths
            .iter()
            .map(|p| PathReport {
                link: p.link,
                endpoint: p.endpoint,
                origin: p.origin,
                up: p.is_up(now, &self.timing),
                active: active == Some(p.key()),
                rtt_ms: p.rtt.map(|d| d.as_secs_f64() * 1000.0),
                loss_percent: p.loss_percent(now, &self.timing),
                jitter_ms: p.rtt.map(|_| p.jitter * 1000.0),
            })
            .collect();
        out.sort_by_key(|r| {
            let p = self.paths.iter().find(|p| p.key() == (r.link, r.endpoint));
            p.map(Path::rank)
        });
        out
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
        assert!(matches!(t.poll_event(), Some(PathEvent::ActiveChanged { from: None, to: Some(_) })));
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
    fn failover_within_down_after_and_back_within_a_probe_interval() {
        let timing = PathTiming::default();
        let start = Instant::now();
        let mut t = PathTable::new(timing);
        t.set_configured(&specs(), start);
        t.set_session(true, start);
        let mut now = run(&mut t, start, 1.0, |_, _| true);
        assert_eq!(t.active(now).unwrap().0, FIBER);

        // Our fiber is cut: probes over it go unanswered.
        let cut_at = now;
        let mut moved_at = None;
        for _ in 0..50 {
            exchange(&mut t, now, Duration::from_millis(5), |l, _| l != FIBER);
            now += Duration::from_millis(100);
            if moved_at.is_none() && t.active(now).is_some_and(|a| a.0 == LTE) {
                moved_at = Some(now);
            }
        }
        let moved = moved_at.unwrap() - cut_at;
        assert!(moved <= timing.down_after + timing.probe_interval, "{moved:?}");
        assert_eq!(t.active(now), Some((LTE, addr("192.0.2.1:51820"))));
        assert_eq!(t.send_path(now), t.active(now));
        let fiber = t.report(now).into_iter().find(|r| r.link == FIBER).unwrap();
        assert!(!fiber.up);
        assert!(fiber.loss_percent.unwrap() > 50.0);

        // Fiber is back: traffic returns within one probe interval (plus a tick).
        let back_at = now;
        let mut back = None;
        for _ in 0..20 {
            exchange(&mut t, now, Duration::from_millis(5), |_, _| true);
            now += Duration::from_millis(100);
            if back.is_none() && t.active(now).is_some_and(|a| a.0 == FIBER) {
                back = Some(now - back_at);
            }
        }
        assert!(back.unwrap() <= timing.probe_interval + Duration::from_millis(100));
        let events: Vec<_> = std::iter::from_fn(|| t.poll_event()).collect();
        assert!(events.len() >= 3, "{events:?}");
    }

    #[test]
    fn everything_down_keeps_sending_where_last_heard() {
        let start = Instant::now();
        let mut t = PathTable::new(PathTiming::default());
        t.set_configured(&specs(), start);
        t.set_session(true, start);
        let now = run(&mut t, start, 1.0, |l, e| l == LTE && e == addr("198.51.100.1:51820"));
        let now = run(&mut t, now, 5.0, |_, _| false);
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
