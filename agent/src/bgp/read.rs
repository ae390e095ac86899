//! Reads what FRR knows into typed values: session states (`show bgp summary json` and
//! `show bgp neighbors json`) and learned routes (`show bgp ipv4|ipv6 unicast json`). Pure: JSON
//! text in, values out; `frr.rs` runs the commands. Field names are FRR 8.4's (Debian 12), checked
//! against the captures in `testdata/`.
//!
//! A password mismatch is invisible to bgpd: the kernel drops every segment whose TCP MD5
//! signature does not verify, so the session just never gets past `Connect`/`Active` and FRR
//! records no reason. The kernel counts those drops per network namespace (`TcpExt:
//! TCPMD5Failure`, `TCPMD5NotFound`, `TCPMD5Unexpected` in `/proc/net/netstat`); [`Md5Watch`]
//! notices them rise, and a neighbour with a password that is down while they rise is reported as
//! a likely password mismatch. The counters are per namespace, not per neighbour: with two
//! neighbours down, both are named.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use patronus_api::IpNet;
use serde_json::Value;
use thiserror::Error;

#[derive(Debug, Error)]
#[error("FRR's JSON for `{command}` did not parse: {source}")]
pub struct ReadError {
    pub command: &'static str,
    #[source]
    pub source: serde_json::Error,
}

/// One neighbour's session as FRR sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionState {
    pub neighbor: IpAddr,
    /// FRR's FSM state: `Idle`, `Connect`, `Active`, `OpenSent`, `OpenConfirm`, `Established`.
    pub state: String,
    /// Time since the session came up (while it is up).
    pub uptime: Option<Duration>,
    /// When the session last came up (Unix seconds; stays the same while it stays up).
    pub established_at: Option<u64>,
    /// How often the session came up and went down since bgpd started.
    pub connections_established: u64,
    pub connections_dropped: u64,
    /// Prefixes received and accepted, over all address families (FRR's `pfxRcd`, what the import
    /// route-map let in).
    pub prefixes_accepted: u64,
    pub max_prefixes: Option<u64>,
    pub password_set: bool,
    /// The last NOTIFICATION's reason, as FRR words it (may be from an earlier session).
    pub last_notification: Option<String>,
    pub last_reset: Option<String>,
    /// Why the session is not as it should be, for the status report.
    pub problem: Option<SessionProblem>,
}

impl SessionState {
    pub fn established(&self) -> bool {
        self.state == "Established"
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionProblem {
    /// The neighbour sent more than `max_prefixes`: FRR tore the session down and keeps it down.
    MaxPrefixExceeded { max: Option<u64> },
    /// Up, but holding more than the maximum (FRR 8.4 accepts one over before it acts).
    OverMaximum { accepted: u64, max: u64 },
    /// Down while the namespace's kernel dropped segments with a bad or missing TCP MD5
    /// signature: most likely the passwords differ.
    PasswordMismatch,
    /// Down for another reason; the state and FRR's last reset reason.
    NotEstablished { state: String, reason: Option<String> },
}

impl fmt::Display for SessionProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionProblem::MaxPrefixExceeded { max: Some(max) } => write!(
                f,
                "the neighbour sent more than the maximum of {max} prefixes; the session was closed and stays down until it is cleared"
            ),
            SessionProblem::MaxPrefixExceeded { max: None } => write!(
                f,
                "the neighbour sent more than the maximum number of prefixes; the session was closed and stays down until it is cleared"
            ),
            SessionProblem::OverMaximum { accepted, max } => {
                write!(f, "{accepted} prefixes accepted, more than the maximum of {max}")
            }
            SessionProblem::PasswordMismatch => write!(
                f,
                "TCP MD5 signatures do not verify (the kernel drops the neighbour's segments): the passwords most likely differ"
            ),
            SessionProblem::NotEstablished { state, reason: Some(r) } => write!(f, "session {state} (last reset: {r})"),
            SessionProblem::NotEstablished { state, reason: None } => write!(f, "session {state}"),
        }
    }
}

/// A route learned from a neighbour: the best path of a prefix the import filter let in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LearnedRoute {
    pub prefix: IpNet,
    pub neighbor: IpAddr,
    pub next_hop: Option<IpAddr>,
    pub as_path: String,
    pub local_preference: Option<u32>,
    pub med: Option<u32>,
}

fn str_of(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn u64_of(v: &Value, key: &str) -> Option<u64> {
    v.get(key).and_then(Value::as_u64)
}

fn parse(command: &'static str, text: &str) -> Result<Value, ReadError> {
    serde_json::from_str(text).map_err(|source| ReadError { command, source })
}

/// Sessions from `show bgp summary json` and `show bgp neighbors json`; `md5_failing` is
/// [`Md5Watch::failing`].
pub fn sessions(summary: &str, neighbors: &str, md5_failing: bool) -> Result<Vec<SessionState>, ReadError> {
    let summary = parse("show bgp summary json", summary)?;
    let neighbors = parse("show bgp neighbors json", neighbors)?;
    // The summary's per-family peer entries: `pfxRcd` and `peerState` (`PfxCt` after a
    // maximum-prefix teardown).
    let mut accepted: BTreeMap<IpAddr, u64> = BTreeMap::new();
    let mut pfx_ct: BTreeMap<IpAddr, bool> = BTreeMap::new();
    if let Some(families) = summary.as_object() {
        for family in families.values() {
            let Some(peers) = family.get("peers").and_then(Value::as_object) else { continue };
            for (addr, peer) in peers {
                let Ok(addr) = addr.parse::<IpAddr>() else { continue };
                *accepted.entry(addr).or_default() += u64_of(peer, "pfxRcd").unwrap_or(0);
                let overflow = str_of(peer, "peerState").as_deref() == Some("PfxCt");
                *pfx_ct.entry(addr).or_default() |= overflow;
            }
        }
    }
    let mut out = Vec::new();
    let Some(peers) = neighbors.as_object() else { return Ok(out) };
    for (addr, n) in peers {
        let Ok(neighbor) = addr.parse::<IpAddr>() else { continue };
        let state = str_of(n, "bgpState").unwrap_or_else(|| "Unknown".into());
        let families = n.get("addressFamilyInfo").and_then(Value::as_object);
        let max_prefixes = families.and_then(|f| f.values().filter_map(|a| u64_of(a, "prefixAllowedMax")).min());
        let neighbor_accepted: u64 =
            families.map(|f| f.values().filter_map(|a| u64_of(a, "acceptedPrefixCounter")).sum()).unwrap_or(0);
        let established = state == "Established";
        let mut s = SessionState {
            neighbor,
            uptime: established.then(|| u64_of(n, "bgpTimerUpMsec").map(Duration::from_millis)).flatten(),
            established_at: established.then(|| u64_of(n, "bgpTimerUpEstablishedEpoch")).flatten(),
            connections_established: u64_of(n, "connectionsEstablished").unwrap_or(0),
            connections_dropped: u64_of(n, "connectionsDropped").unwrap_or(0),
            prefixes_accepted: accepted.get(&neighbor).copied().unwrap_or(neighbor_accepted),
            max_prefixes,
            password_set: u64_of(n, "authenticationEnabled").unwrap_or(0) != 0,
            last_notification: str_of(n, "lastNotificationReason"),
            last_reset: str_of(n, "lastResetDueTo"),
            problem: None,
            state,
        };
        let overflow = pfx_ct.get(&neighbor).copied().unwrap_or(false)
            || n.get("prefixesConfigExceedMax").and_then(Value::as_bool).unwrap_or(false);
        s.problem = if established {
            match s.max_prefixes {
                Some(max) if s.prefixes_accepted > max => {
                    Some(SessionProblem::OverMaximum { accepted: s.prefixes_accepted, max })
                }
                _ => None,
            }
        } else if overflow {
            Some(SessionProblem::MaxPrefixExceeded { max: s.max_prefixes })
        } else if s.password_set && md5_failing {
            Some(SessionProblem::PasswordMismatch)
        } else {
            Some(SessionProblem::NotEstablished { state: s.state.clone(), reason: s.last_reset.clone() })
        };
        out.push(s);
    }
    Ok(out)
}

/// Learned routes from `show bgp ipv4 unicast json` (or `ipv6`): each prefix's best path, when a
/// neighbour sent it (the site's own `network` statements have no neighbour and are left out).
pub fn learned_routes(table: &str) -> Result<Vec<LearnedRoute>, ReadError> {
    let table = parse("show bgp unicast json", table)?;
    let mut out = Vec::new();
    let Some(routes) = table.get("routes").and_then(Value::as_object) else { return Ok(out) };
    for (prefix, paths) in routes {
        let Ok(prefix) = prefix.parse::<IpNet>() else { continue };
        let Some(paths) = paths.as_array() else { continue };
        let best = paths.iter().find(|p| {
            p.get("bestpath").and_then(Value::as_bool).unwrap_or(false)
                && p.get("valid").and_then(Value::as_bool).unwrap_or(false)
        });
        let Some(best) = best else { continue };
        let Some(neighbor) = str_of(best, "peerId").and_then(|p| p.parse::<IpAddr>().ok()) else { continue };
        let next_hop = best
            .get("nexthops")
            .and_then(Value::as_array)
            .and_then(|hops| hops.iter().find_map(|h| str_of(h, "ip").and_then(|ip| ip.parse().ok())));
        out.push(LearnedRoute {
            prefix,
            neighbor,
            next_hop,
            as_path: str_of(best, "path").unwrap_or_default(),
            local_preference: u64_of(best, "locPrf").and_then(|v| u32::try_from(v).ok()),
            med: u64_of(best, "metric").and_then(|v| u32::try_from(v).ok()),
        });
    }
    out.sort_by_key(|r| r.prefix.to_string());
    Ok(out)
}

/// The namespace's count of segments dropped for a bad, missing or unexpected TCP MD5 signature,
/// from the text of `/proc/net/netstat`.
pub fn tcp_md5_drops(netstat: &str) -> Option<u64> {
    let mut lines = netstat.lines().filter(|l| l.starts_with("TcpExt:"));
    let names = lines.next()?.split_whitespace();
    let values = lines.next()?.split_whitespace();
    let mut total = None;
    for (name, value) in names.zip(values) {
        if matches!(name, "TCPMD5Failure" | "TCPMD5NotFound" | "TCPMD5Unexpected") {
            *total.get_or_insert(0) += value.parse::<u64>().ok()?;
        }
    }
    total
}

/// Remembers whether the namespace's MD5 drop count rose since every session with a password was
/// last up. The first observation is the baseline.
#[derive(Debug, Default)]
pub struct Md5Watch {
    last: Option<u64>,
    failing: bool,
}

impl Md5Watch {
    pub fn observe(&mut self, drops: Option<u64>) {
        if let (Some(last), Some(now)) = (self.last, drops) {
            if now > last {
                self.failing = true;
            }
        }
        if drops.is_some() {
            self.last = drops;
        }
    }

    /// Call with the sessions just read: once every neighbour with a password is up, the
    /// earlier drops are no longer news.
    pub fn settle(&mut self, sessions: &[SessionState]) {
        if sessions.iter().filter(|s| s.password_set).all(SessionState::established) {
            self.failing = false;
        }
    }

    pub fn failing(&self) -> bool {
        self.failing
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ESTABLISHED_SUMMARY: &str = include_str!("testdata/frr84-established-summary.json");
    const ESTABLISHED_NEIGHBORS: &str = include_str!("testdata/frr84-established-neighbors.json");
    const ESTABLISHED_ROUTES: &str = include_str!("testdata/frr84-established-routes.json");
    const OVERFLOW_SUMMARY: &str = include_str!("testdata/frr84-overflow-summary.json");
    const OVERFLOW_NEIGHBORS: &str = include_str!("testdata/frr84-overflow-neighbors.json");
    const MISMATCH_SUMMARY: &str = include_str!("testdata/frr84-mismatch-summary.json");
    const MISMATCH_NEIGHBORS: &str = include_str!("testdata/frr84-mismatch-neighbors.json");

    fn peer() -> IpAddr {
        "10.99.0.2".parse().unwrap()
    }

    #[test]
    fn an_established_session_with_its_uptime_and_prefixes() {
        let s = sessions(ESTABLISHED_SUMMARY, ESTABLISHED_NEIGHBORS, false).unwrap();
        assert_eq!(s.len(), 1);
        let s = &s[0];
        assert_eq!(s.neighbor, peer());
        assert!(s.established());
        assert_eq!(s.prefixes_accepted, 1);
        assert_eq!(s.max_prefixes, Some(3));
        assert!(s.password_set);
        assert!(s.uptime.is_some_and(|u| u >= Duration::from_secs(1)), "{:?}", s.uptime);
        assert!(s.established_at.is_some());
        assert_eq!(s.problem, None);
    }

    #[test]
    fn a_maximum_prefix_teardown_is_reported_with_the_maximum() {
        let s = &sessions(OVERFLOW_SUMMARY, OVERFLOW_NEIGHBORS, false).unwrap()[0];
        assert_eq!(s.state, "Idle");
        assert_eq!(s.prefixes_accepted, 0, "everything the neighbour sent is dropped");
        assert_eq!(s.last_notification.as_deref(), Some("Cease/Maximum Number of Prefixes Reached"));
        assert_eq!(s.problem, Some(SessionProblem::MaxPrefixExceeded { max: Some(3) }));
        assert!(s.problem.as_ref().unwrap().to_string().contains("more than the maximum of 3 prefixes"));
    }

    #[test]
    fn a_session_down_while_md5_drops_rise_is_a_password_mismatch() {
        let s = &sessions(MISMATCH_SUMMARY, MISMATCH_NEIGHBORS, true).unwrap()[0];
        assert_eq!(s.state, "Connect");
        assert_eq!(s.problem, Some(SessionProblem::PasswordMismatch));
        assert!(s.problem.as_ref().unwrap().to_string().contains("passwords most likely differ"));
        // Without MD5 drops, it is only down; the stale notification is not taken as the reason.
        let s = &sessions(MISMATCH_SUMMARY, MISMATCH_NEIGHBORS, false).unwrap()[0];
        assert!(matches!(&s.problem, Some(SessionProblem::NotEstablished { state, .. }) if state == "Connect"));
    }

    #[test]
    fn up_but_above_the_maximum_is_reported() {
        let summary = ESTABLISHED_SUMMARY.replace("\"pfxRcd\":1", "\"pfxRcd\":4");
        let s = &sessions(&summary, ESTABLISHED_NEIGHBORS, false).unwrap()[0];
        assert_eq!(s.problem, Some(SessionProblem::OverMaximum { accepted: 4, max: 3 }));
    }

    #[test]
    fn learned_routes_are_best_paths_from_neighbours() {
        let routes = learned_routes(ESTABLISHED_ROUTES).unwrap();
        assert_eq!(
            routes,
            vec![LearnedRoute {
                prefix: "10.50.0.0/24".parse().unwrap(),
                neighbor: peer(),
                next_hop: Some(peer()),
                as_path: "65050".into(),
                local_preference: None,
                med: Some(0),
            }]
        );
        let local = r#"{"routes":{"10.1.0.0/24":[{"valid":true,"bestpath":true,"peerId":"(unspec)","path":""}]}}"#;
        assert_eq!(learned_routes(local).unwrap(), vec![], "the site's own networks are not learned");
    }

    #[test]
    fn garbage_is_an_error_naming_the_command() {
        let e = sessions("not json", "{}", false).unwrap_err();
        assert!(e.to_string().contains("show bgp summary json"), "{e}");
    }

    #[test]
    fn md5_drops_from_proc_net_netstat_and_the_watch() {
        let netstat = "TcpExt: SyncookiesSent TCPMD5NotFound TCPMD5Unexpected TCPMD5Failure\n\
                       TcpExt: 0 1 2 5\nIpExt: InNoRoutes\nIpExt: 0\n";
        assert_eq!(tcp_md5_drops(netstat), Some(8));
        assert_eq!(tcp_md5_drops("IpExt: A\nIpExt: 1\n"), None);

        let mut watch = Md5Watch::default();
        watch.observe(Some(8));
        assert!(!watch.failing(), "the first count is the baseline");
        watch.observe(Some(8));
        assert!(!watch.failing());
        watch.observe(Some(9));
        assert!(watch.failing());
        let up = sessions(ESTABLISHED_SUMMARY, ESTABLISHED_NEIGHBORS, true).unwrap();
        watch.settle(&up);
        assert!(!watch.failing(), "every session with a password is up again");
    }
}
