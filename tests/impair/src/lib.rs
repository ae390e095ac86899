//! A delay line for packets: each packet is held for a delay plus a uniformly distributed
//! jitter, then released. The kernel on the test machines has no `netem`; `patronus-impair`
//! puts this line behind an NFQUEUE (delayed verdicts) so the end-to-end tests can impose delay
//! and jitter on a link from the router namespace.
//!
//! Without `in_order`, a packet whose jitter is smaller than its predecessor's leaves first, as
//! with netem's jitter; with it, a packet never leaves before the one queued before it (its
//! delay grows instead), which is how a real access link with varying latency behaves.
//!
//! Time and randomness are arguments, so the behaviour is tested without a clock or a network.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::time::{Duration, Instant};

use rand::Rng;

/// What the line does to every packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Impairment {
    pub delay: Duration,
    /// Each packet's delay is `delay` plus a uniform draw from `[-jitter, +jitter]`, never below
    /// zero.
    pub jitter: Duration,
    pub in_order: bool,
}

struct Held<T> {
    due: Instant,
    /// Arrival order: ties on `due` leave in arrival order.
    seq: u64,
    item: T,
}

impl<T> PartialEq for Held<T> {
    fn eq(&self, other: &Self) -> bool {
        (self.due, self.seq) == (other.due, other.seq)
    }
}

impl<T> Eq for Held<T> {}

impl<T> PartialOrd for Held<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> Ord for Held<T> {
    /// Reversed, so that `BinaryHeap` (a max-heap) yields the earliest due first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.due, other.seq).cmp(&(self.due, self.seq))
    }
}

/// Packets being held, by when they are due.
pub struct DelayLine<T> {
    impairment: Impairment,
    held: BinaryHeap<Held<T>>,
    next_seq: u64,
    /// The latest due time handed out, for `in_order`.
    last_due: Option<Instant>,
}

impl<T> DelayLine<T> {
    pub fn new(impairment: Impairment) -> Self {
        DelayLine { impairment, held: BinaryHeap::new(), next_seq: 0, last_due: None }
    }

    /// Holds `item`, which arrived at `now`; returns when it is due.
    pub fn push(&mut self, now: Instant, item: T, rng: &mut impl Rng) -> Instant {
        let Impairment { delay, jitter, in_order } = self.impairment;
        let delay = if jitter.is_zero() {
            delay
        } else {
            let j = rng.gen_range(-jitter.as_secs_f64()..=jitter.as_secs_f64());
            Duration::from_secs_f64((delay.as_secs_f64() + j).max(0.0))
        };
        let mut due = now + delay;
        if in_order {
            due = self.last_due.map_or(due, |last| due.max(last));
        }
        self.last_due = Some(self.last_due.map_or(due, |last| last.max(due)));
        self.held.push(Held { due, seq: self.next_seq, item });
        self.next_seq += 1;
        due
    }

    /// When the next packet is due.
    pub fn next_due(&self) -> Option<Instant> {
        self.held.peek().map(|h| h.due)
    }

    /// The next packet due at or before `now`.
    pub fn pop_due(&mut self, now: Instant) -> Option<T> {
        if self.held.peek()?.due > now {
            return None;
        }
        self.held.pop().map(|h| h.item)
    }

    /// Every packet still held, earliest due first (for a shutdown that releases them all).
    pub fn drain(&mut self) -> Vec<T> {
        let mut out = Vec::with_capacity(self.held.len());
        while let Some(h) = self.held.pop() {
            out.push(h.item);
        }
        out
    }

    pub fn len(&self) -> usize {
        self.held.len()
    }

    pub fn is_empty(&self) -> bool {
        self.held.is_empty()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// Feeds one packet every `spacing` for `count` packets; returns (arrival index, delay) in
    /// the order the packets leave.
    fn run(impairment: Impairment, count: u64, spacing: Duration) -> Vec<(u64, Duration)> {
        let mut line = DelayLine::new(impairment);
        let mut rng = StdRng::seed_from_u64(7);
        let start = Instant::now();
        let mut out = Vec::new();
        let mut now = start;
        let mut sent = 0;
        // Step time in 100 µs increments, releasing what is due at each step.
        while sent < count || !line.is_empty() {
            if sent < count && now >= start + spacing * sent as u32 {
                line.push(now, (sent, now), &mut rng);
                sent += 1;
            }
            while let Some((i, at)) = line.pop_due(now) {
                out.push((i, now - at));
            }
            now += Duration::from_micros(100);
        }
        out
    }

    #[test]
    fn a_fixed_delay_holds_every_packet_that_long_in_order() {
        let out = run(Impairment { delay: ms(40), jitter: Duration::ZERO, in_order: false }, 100, ms(1));
        assert_eq!(out.len(), 100);
        for (k, (i, d)) in out.iter().enumerate() {
            assert_eq!(*i, k as u64);
            assert!(*d >= ms(40) && *d < ms(40) + Duration::from_micros(200), "{d:?}");
        }
    }

    #[test]
    fn jitter_spreads_delays_uniformly_around_the_delay_and_reorders() {
        let out = run(Impairment { delay: ms(40), jitter: ms(10), in_order: false }, 2000, ms(1));
        let delays: Vec<f64> = out.iter().map(|(_, d)| d.as_secs_f64() * 1000.0).collect();
        let n = delays.len() as f64;
        let mean = delays.iter().sum::<f64>() / n;
        let sd = (delays.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / n).sqrt();
        let (min, max) = delays.iter().fold((f64::MAX, f64::MIN), |(lo, hi), d| (lo.min(*d), hi.max(*d)));
        assert!((mean - 40.0).abs() < 0.5, "mean {mean}");
        // A uniform draw over 20 ms has a standard deviation of 20 / sqrt(12) = 5.77 ms.
        assert!((sd - 5.77).abs() < 0.4, "sd {sd}");
        assert!((30.0..31.0).contains(&min) && max <= 50.2 && max > 49.0, "{min}..{max}");
        assert!(out.windows(2).any(|w| w[1].0 < w[0].0), "nothing was reordered");
    }

    #[test]
    fn in_order_jitter_never_reorders_and_only_lengthens_delays() {
        let out = run(Impairment { delay: ms(40), jitter: ms(10), in_order: true }, 2000, ms(1));
        assert!(out.windows(2).all(|w| w[1].0 > w[0].0));
        assert!(out.iter().all(|(_, d)| *d >= ms(30)));
        // Packets spaced wider than the jitter range are not held back by their predecessors.
        let sparse = run(Impairment { delay: ms(40), jitter: ms(10), in_order: true }, 200, ms(25));
        let spread = sparse.iter().map(|(_, d)| *d).max().unwrap() - sparse.iter().map(|(_, d)| *d).min().unwrap();
        assert!(spread > ms(15), "{spread:?}");
    }

    #[test]
    fn jitter_larger_than_the_delay_never_goes_below_zero() {
        let out = run(Impairment { delay: ms(2), jitter: ms(10), in_order: false }, 500, ms(1));
        assert_eq!(out.len(), 500);
        assert!(out.iter().all(|(_, d)| *d <= ms(12) + Duration::from_micros(200)));
    }

    #[test]
    fn drain_hands_back_everything_earliest_first() {
        let mut line = DelayLine::new(Impairment { delay: ms(100), jitter: ms(50), in_order: false });
        let mut rng = StdRng::seed_from_u64(1);
        let now = Instant::now();
        let dues: Vec<Instant> = (0..50).map(|i| line.push(now, i, &mut rng)).collect();
        assert_eq!(line.pop_due(now), None);
        let order = line.drain();
        assert_eq!(order.len(), 50);
        assert!(order.windows(2).all(|w| dues[w[0]] <= dues[w[1]]));
        assert!(line.is_empty() && line.next_due().is_none());
    }
}
