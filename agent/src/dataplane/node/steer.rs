//! Which path carries one policy's traffic to one peer.
//!
//! Among the paths that are up and meet the policy's SLA, the best by its selection (`ordered` by
//! link preference, `lowest_latency`, `lowest_loss`, `lowest_cost`; ties by the paths' default
//! rank); when none meets it, the best up path, and the policy reports the violation.
//!
//! Hysteresis: the current path is left at once when it goes down or stops meeting the SLA (a
//! *forced* move). Otherwise traffic moves to a better path only once that path has met the SLA
//! for the policy's hold-down, and for `lowest_latency` only when it is faster by a real margin
//! (10 ms or a fifth, whichever is more). Whenever a path stops qualifying (down or out of SLA),
//! a new *epoch* starts: flows pinned to a path that no longer qualifies move to the current
//! one; a voluntary move only changes where new flows go, so healthy TCP flows are never
//! reordered.
//!
//! A path whose local link just lost another path is suspect: when a path goes down, the other
//! paths over the same local link that have not answered since (within `SIBLING_GRACE`) count as
//! down too, so a cut link moves traffic once, to another link, not first to the link's next
//! path and then away.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::path::{Health, LinkId, Rank};
use super::policy::{PolicyConfig, Selection, Sla};

pub type PathKey = (LinkId, SocketAddr);

/// A path as steering sees it.
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    pub key: PathKey,
    /// The path's default rank (lower is preferred).
    pub rank: Rank,
    pub health: Health,
    /// The cost of its local link.
    pub cost: u32,
}

/// Why a policy's path changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The first path, or the current one went down.
    Down,
    /// The current path stopped meeting the SLA.
    Sla,
    /// A better path met the SLA for the hold-down.
    Better,
}

#[derive(Debug, Clone, Default)]
pub struct PolicySteer {
    pub current: Option<PathKey>,
    /// For `duplicate`: the best path over another local link, which carries a copy.
    pub second: Option<PathKey>,
    /// Advances at each forced move.
    pub epoch: u32,
    /// No up path meets the SLA.
    pub violated: bool,
    pub switches: u64,
    /// Per path: whether it is up and meets the SLA, and since when.
    ok: Vec<(PathKey, Option<Instant>)>,
}

/// How much later than a path that went down a path over the same link must have answered to be
/// trusted.
const SIBLING_GRACE: Duration = Duration::from_millis(50);

/// Marks down the paths over a local link that lost another path, unless they answered since.
/// The caller applies it once to a peer's candidates before updating each policy.
pub fn discount_siblings(candidates: &[Candidate]) -> Vec<Candidate> {
    candidates
        .iter()
        .map(|c| {
            let suspect = candidates.iter().any(|d| {
                d.key.0 == c.key.0
                    && !d.health.up
                    && d.health
                        .last_answer
                        .is_some_and(|down| c.health.last_answer.is_none_or(|a| a <= down + SIBLING_GRACE))
            });
            let mut c = *c;
            c.health.up &= !suspect;
            c
        })
        .collect()
}

/// The latency margin `lowest_latency` needs to move voluntarily.
fn margin(rtt: Duration) -> Duration {
    (rtt / 5).max(Duration::from_millis(10))
}

fn meets(sla: &Sla, h: &Health) -> bool {
    h.up && sla.max_latency.is_none_or(|max| h.rtt.is_some_and(|r| r <= max))
        && sla.max_loss_percent.is_none_or(|max| h.loss_percent.is_none_or(|l| l <= max))
        && sla.max_jitter.is_none_or(|max| h.jitter.is_none_or(|j| j <= max))
}

/// The order of `selection` (smaller is better); the link preference breaks ties (the API says
/// so for every selection but `ordered`, where it is the order itself), then the default rank.
fn order(policy: &PolicyConfig, preference: &[LinkId], c: &Candidate) -> (u64, u64, Rank) {
    let preferred = preference.iter().position(|l| *l == c.key.0).map_or(u64::MAX, |i| i as u64);
    let primary = match policy.selection {
        Selection::Ordered => preferred,
        Selection::LowestLatency => c.health.rtt.map_or(u64::MAX, |r| r.as_micros() as u64),
        Selection::LowestLoss => c.health.loss_percent.map_or(u64::MAX, |l| (l * 1000.0) as u64),
        Selection::LowestCost => u64::from(c.cost),
        Selection::Duplicate => 0,
    };
    (primary, preferred, c.rank)
}

impl PolicySteer {
    /// Whether `key` is up and meets the SLA as of the last update.
    pub fn is_ok(&self, key: PathKey) -> bool {
        self.ok.iter().any(|(k, since)| *k == key && since.is_some())
    }

    /// Re-evaluates the policy over `candidates`; returns the change, if any.
    pub fn update(
        &mut self,
        policy: &PolicyConfig,
        preference: &[LinkId],
        candidates: &[Candidate],
        now: Instant,
    ) -> Option<(Option<PathKey>, Option<PathKey>, Reason)> {
        let old_ok = std::mem::take(&mut self.ok);
        for c in candidates {
            let since = meets(&policy.sla, &c.health)
                .then(|| old_ok.iter().find(|(k, _)| *k == c.key).and_then(|(_, s)| *s).unwrap_or(now));
            self.ok.push((c.key, since));
        }
        // A path that stops qualifying takes its pinned flows along: a new epoch.
        let lost_one = old_ok.iter().any(|(k, since)| since.is_some() && !self.is_ok(*k));
        if lost_one {
            self.epoch = self.epoch.wrapping_add(1);
        }
        let by_order = |c: &&Candidate| order(policy, preference, c);
        let best_meeting = candidates.iter().filter(|c| self.is_ok(c.key)).min_by_key(by_order);
        let best_up = candidates.iter().filter(|c| c.health.up).min_by_key(by_order);
        self.violated = best_meeting.is_none() && best_up.is_some();
        let current = self.current.and_then(|k| candidates.iter().find(|c| c.key == k));
        if policy.selection == Selection::Duplicate {
            return self.update_duplicate(candidates, best_meeting.or(best_up).copied(), by_order);
        }

        let (next, reason) = match current {
            None => (best_meeting.or(best_up), Reason::Down),
            Some(cur) if !cur.health.up => (best_meeting.or(best_up), Reason::Down),
            Some(cur) if !self.is_ok(cur.key) => match best_meeting {
                Some(b) => (Some(b), Reason::Sla),
                // Nothing meets the SLA: the best of what is up.
                None => (best_up, Reason::Sla),
            },
            Some(cur) => {
                let better = best_meeting.filter(|b| {
                    let held = self
                        .ok
                        .iter()
                        .find(|(k, _)| *k == b.key)
                        .and_then(|(_, s)| *s)
                        .is_some_and(|since| now.saturating_duration_since(since) >= policy.hold_down);
                    let faster_enough = policy.selection != Selection::LowestLatency
                        || match (b.health.rtt, cur.health.rtt) {
                            (Some(b), Some(c)) => b + margin(c) < c,
                            _ => false,
                        };
                    b.key != cur.key && by_order(b) < by_order(&cur) && held && faster_enough
                });
                (better.or(Some(cur)), Reason::Better)
            }
        };
        let next = next.map(|c| c.key);
        if next == self.current {
            return None;
        }
        let from = self.current;
        self.current = next;
        self.switches += 1;
        if reason != Reason::Better && !lost_one {
            self.epoch = self.epoch.wrapping_add(1);
        }
        Some((from, next, reason))
    }
}

impl PolicySteer {
    /// `duplicate`: the best path (by the default rank, among those meeting the SLA if any) and
    /// the best path over another local link, to another of the peer's endpoints where one works:
    /// a copy that shared the peer's endpoint would be lost with it when the *peer's* link is cut
    /// (the replies of a ping, say). Any change is a forced move: the pair carries every packet,
    /// nothing is pinned.
    fn update_duplicate(
        &mut self,
        candidates: &[Candidate],
        first: Option<Candidate>,
        by_order: impl Fn(&&Candidate) -> (u64, u64, Rank),
    ) -> Option<(Option<PathKey>, Option<PathKey>, Reason)> {
        let other_link = |c: &&Candidate| first.is_some_and(|f| f.key.0 != c.key.0);
        let disjoint = |c: &&Candidate| first.is_some_and(|f| f.key.0 != c.key.0 && f.key.1 != c.key.1);
        // Meeting the SLA first, then merely up; within each, disjoint at both ends first.
        let ok = |c: &&Candidate| self.is_ok(c.key);
        let up = |c: &&Candidate| c.health.up;
        let best = |usable: &dyn Fn(&&Candidate) -> bool, apart: &dyn Fn(&&Candidate) -> bool| {
            candidates.iter().filter(|c| usable(c) && apart(c)).min_by_key(&by_order)
        };
        let second = best(&ok, &disjoint)
            .or_else(|| best(&ok, &other_link))
            .or_else(|| best(&up, &disjoint))
            .or_else(|| best(&up, &other_link));
        self.second = second.map(|c| c.key);
        let next = first.map(|c| c.key);
        if next == self.current {
            return None;
        }
        let from = self.current;
        self.current = next;
        self.switches += 1;
        self.epoch = self.epoch.wrapping_add(1);
        Some((from, next, Reason::Down))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const FIBER: LinkId = LinkId(0);
    const LTE: LinkId = LinkId(1);

    fn candidate(link: LinkId, rtt_ms: u64, loss: f64, up: bool) -> Candidate {
        Candidate {
            key: (link, SocketAddr::from(([192, 0, 2, 1], 51820))),
            rank: (u32::from(link.0), 0, 0, 0),
            health: Health {
                up,
                rtt: Some(Duration::from_millis(rtt_ms)),
                loss_percent: Some(loss),
                jitter: Some(Duration::from_millis(1)),
                last_answer: None,
            },
            cost: if link == FIBER { 0 } else { 10 },
        }
    }

    fn policy(selection: Selection, sla: Sla) -> PolicyConfig {
        PolicyConfig {
            selection,
            link_preference: vec!["fiber".into(), "lte".into()],
            sla,
            ..PolicyConfig::matching_all("p")
        }
    }

    #[test]
    fn latency_sla_moves_to_the_path_that_meets_it_and_returns_after_the_hold_down() {
        let p =
            policy(Selection::LowestLatency, Sla { max_latency: Some(Duration::from_millis(80)), ..Sla::default() });
        let prefs = [FIBER, LTE];
        let mut s = PolicySteer::default();
        let t0 = Instant::now();
        let change = s.update(&p, &prefs, &[candidate(FIBER, 10, 0.0, true), candidate(LTE, 40, 0.0, true)], t0);
        assert_eq!(change.map(|c| (c.1.unwrap().0, c.2)), Some((FIBER, Reason::Down)));
        // Fiber's latency goes to 110 ms: the SLA is broken, traffic moves at once.
        let t1 = t0 + Duration::from_secs(1);
        let change = s.update(&p, &prefs, &[candidate(FIBER, 110, 0.0, true), candidate(LTE, 40, 0.0, true)], t1);
        assert_eq!(change.map(|c| (c.1.unwrap().0, c.2)), Some((LTE, Reason::Sla)));
        let epoch = s.epoch;
        // Fiber recovers: not before the hold-down.
        let t2 = t1 + Duration::from_secs(1);
        assert!(s.update(&p, &prefs, &[candidate(FIBER, 10, 0.0, true), candidate(LTE, 40, 0.0, true)], t2).is_none());
        assert!(s
            .update(
                &p,
                &prefs,
                &[candidate(FIBER, 10, 0.0, true), candidate(LTE, 40, 0.0, true)],
                t2 + Duration::from_secs(9)
            )
            .is_none());
        let change = s.update(
            &p,
            &prefs,
            &[candidate(FIBER, 10, 0.0, true), candidate(LTE, 40, 0.0, true)],
            t2 + Duration::from_secs(10),
        );
        assert_eq!(change.map(|c| (c.1.unwrap().0, c.2)), Some((FIBER, Reason::Better)));
        // A voluntary move keeps flows where they are.
        assert_eq!(s.epoch, epoch);
        assert_eq!(s.switches, 3);
    }

    #[test]
    fn lowest_cost_ignores_latency_without_an_sla() {
        let p = policy(Selection::LowestCost, Sla::default());
        let mut s = PolicySteer::default();
        let now = Instant::now();
        s.update(&p, &[], &[candidate(FIBER, 10, 0.0, true), candidate(LTE, 40, 0.0, true)], now);
        assert!(s.update(&p, &[], &[candidate(FIBER, 110, 0.0, true), candidate(LTE, 40, 0.0, true)], now).is_none());
        assert_eq!(s.current.unwrap().0, FIBER);
    }

    #[test]
    fn the_link_preference_breaks_ties() {
        // Equal cost: the preferred link wins even though its default rank is worse.
        let p = PolicyConfig { link_preference: vec!["lte".into()], ..policy(Selection::LowestCost, Sla::default()) };
        let mut fiber = candidate(FIBER, 10, 0.0, true);
        let lte = candidate(LTE, 40, 0.0, true);
        fiber.cost = lte.cost;
        let mut s = PolicySteer::default();
        s.update(&p, &[LTE], &[fiber, lte], Instant::now());
        assert_eq!(s.current.unwrap().0, LTE);
    }

    #[test]
    fn lowest_latency_needs_a_real_margin() {
        let p = PolicyConfig { hold_down: Duration::ZERO, ..policy(Selection::LowestLatency, Sla::default()) };
        let mut s = PolicySteer::default();
        let now = Instant::now();
        s.update(&p, &[], &[candidate(FIBER, 30, 0.0, true), candidate(LTE, 40, 0.0, true)], now);
        assert_eq!(s.current.unwrap().0, FIBER);
        // 5 ms faster is not enough to move...
        assert!(s.update(&p, &[], &[candidate(FIBER, 30, 0.0, true), candidate(LTE, 25, 0.0, true)], now).is_none());
        // ...15 ms is.
        assert!(s.update(&p, &[], &[candidate(FIBER, 30, 0.0, true), candidate(LTE, 15, 0.0, true)], now).is_some());
    }

    #[test]
    fn duplicate_sends_the_copy_over_another_link_to_another_endpoint() {
        let p = policy(Selection::Duplicate, Sla::default());
        let their_lte = SocketAddr::from(([198, 51, 100, 1], 51820));
        let to_lte = |mut c: Candidate| {
            c.key.1 = their_lte;
            c.rank.1 = 1;
            c
        };
        let paths = |lte_to_lte_up: bool| {
            [
                candidate(FIBER, 10, 0.0, true),
                to_lte(candidate(FIBER, 25, 0.0, true)),
                candidate(LTE, 25, 0.0, true),
                to_lte(candidate(LTE, 40, 0.0, lte_to_lte_up)),
            ]
        };
        let mut s = PolicySteer::default();
        let now = Instant::now();
        s.update(&p, &[FIBER, LTE], &paths(true), now);
        let all = paths(true);
        assert_eq!(s.current, Some(all[0].key));
        // Neither our fiber nor their fiber endpoint is shared: a cut of either leaves a copy.
        assert_eq!(s.second, Some(all[3].key));
        // Without that path, another link at least.
        s.update(&p, &[FIBER, LTE], &paths(false), now);
        assert_eq!(s.second, Some(all[2].key));
    }

    #[test]
    fn loss_over_the_threshold_moves_and_nothing_meeting_reports_a_violation() {
        let p = policy(Selection::Ordered, Sla { max_loss_percent: Some(1.0), ..Sla::default() });
        let prefs = [FIBER, LTE];
        let mut s = PolicySteer::default();
        let now = Instant::now();
        s.update(&p, &prefs, &[candidate(FIBER, 10, 0.0, true), candidate(LTE, 40, 0.0, true)], now);
        assert_eq!(s.current.unwrap().0, FIBER);
        s.update(&p, &prefs, &[candidate(FIBER, 10, 4.0, true), candidate(LTE, 40, 0.0, true)], now);
        assert_eq!(s.current.unwrap().0, LTE);
        assert!(!s.violated);
        assert!(!s.is_ok(candidate(FIBER, 0, 0.0, true).key));
        s.update(&p, &prefs, &[candidate(FIBER, 10, 4.0, true), candidate(LTE, 40, 3.0, true)], now);
        assert!(s.violated);
        // The best of what is up, by the policy's order.
        assert_eq!(s.current.unwrap().0, FIBER);
        s.update(&p, &prefs, &[candidate(FIBER, 10, 4.0, false), candidate(LTE, 40, 0.0, false)], now);
        assert_eq!(s.current, None);
    }
}
