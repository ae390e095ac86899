//! The times the agent could not reach the control plane, kept until a status report the server
//! accepts has carried them: a report cannot be sent during an outage, so the first one after it
//! says how long it lasted.

use std::collections::VecDeque;

use chrono::{DateTime, Utc};
use patronus_api::ControlPlaneOutage;

/// As many outages as one status report may carry; older ones are dropped first.
pub const MAX_REPORTED: usize = 10;

#[derive(Debug, Default)]
pub struct Outages {
    /// The outage under way: when its first failed poll was, and how many failed.
    current: Option<(DateTime<Utc>, u32)>,
    ended: VecDeque<ControlPlaneOutage>,
}

impl Outages {
    /// A config poll got no answer (or a server error).
    pub fn poll_failed(&mut self, now: DateTime<Utc>) {
        match &mut self.current {
            Some((_, failed)) => *failed = failed.saturating_add(1),
            None => self.current = Some((now, 1)),
        }
    }

    /// The server answered (a poll or a report); returns the outage this ends, if one was under way.
    pub fn answered(&mut self, now: DateTime<Utc>) -> Option<ControlPlaneOutage> {
        let (started_at, failed_polls) = self.current.take()?;
        let outage = ControlPlaneOutage { started_at, ended_at: now, failed_polls };
        self.ended.push_back(outage.clone());
        let excess = self.ended.len().saturating_sub(MAX_REPORTED);
        self.ended.drain(..excess);
        Some(outage)
    }

    /// The ended outages no accepted report has carried yet, oldest first.
    pub fn unreported(&self) -> Vec<ControlPlaneOutage> {
        self.ended.iter().cloned().collect()
    }

    /// A report carrying `carried` was accepted: those are forgotten (and only those, should
    /// another have ended meanwhile).
    pub fn reported(&mut self, carried: &[ControlPlaneOutage]) {
        self.ended.retain(|o| !carried.contains(o));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn an_outage_runs_from_the_first_failed_poll_to_the_first_answer() {
        let mut o = Outages::default();
        assert_eq!(o.answered(at(0)), None, "an answer without failures ends nothing");
        o.poll_failed(at(1));
        o.poll_failed(at(3));
        o.poll_failed(at(7));
        let ended = o.answered(at(9)).unwrap();
        assert_eq!(ended, ControlPlaneOutage { started_at: at(1), ended_at: at(9), failed_polls: 3 });
        assert_eq!(o.unreported(), vec![ended.clone()]);
        assert_eq!(o.answered(at(10)), None);
    }

    #[test]
    fn an_accepted_report_forgets_what_it_carried_and_nothing_newer() {
        let mut o = Outages::default();
        o.poll_failed(at(1));
        o.answered(at(2));
        let carried = o.unreported();
        o.poll_failed(at(5));
        o.answered(at(6));
        o.reported(&carried);
        let left = o.unreported();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].started_at, at(5));
    }

    #[test]
    fn only_the_newest_outages_are_kept() {
        let mut o = Outages::default();
        for i in 0..(MAX_REPORTED as i64 + 5) {
            o.poll_failed(at(10 * i));
            o.answered(at(10 * i + 1));
        }
        let kept = o.unreported();
        assert_eq!(kept.len(), MAX_REPORTED);
        assert_eq!(kept[0].started_at, at(50));
    }
}
