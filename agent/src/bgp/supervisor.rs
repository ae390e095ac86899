//! Runs the site's BGP beside the dataplane: applies the document's settings to the agent's FRR
//! when they change, reads sessions and routes every second, keeps the status's BGP part, and
//! sends the server the routes the neighbours gave the site whenever that set changes.
//!
//! FRR's daemons outlive the agent (a restart keeps the sessions and the routes zebra installed);
//! the next apply finds them running and reloads only what changed.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use patronus_api::client::{Client, Error as ClientError};
use patronus_api::{BgpSessionProblem, BgpSessionStatus, BgpState, BgpStatus, LearnedRouteReport, LearnedRoutesReport};
use tokio::sync::watch;

use super::{BgpReport, BgpSettings, Frr, SessionProblem};

/// How often FRR is read while BGP runs: the learned routes reach the server within this (plus a
/// round trip), which bounds the convergence the issue asks for (under 5 s).
const READ_EVERY: Duration = Duration::from_secs(1);
/// After a failed apply (FRR missing, a refused configuration), the next try.
const RETRY_APPLY: Duration = Duration::from_secs(30);
/// After the server refused a learned-routes report, the next try of the same set.
const RETRY_REFUSED: Duration = Duration::from_secs(10);

pub struct Supervisor {
    desired: watch::Sender<Option<BgpSettings>>,
    status: Mutex<BgpStatus>,
}

impl Supervisor {
    pub fn new() -> Arc<Self> {
        Arc::new(Supervisor { desired: watch::channel(None).0, status: Mutex::new(off()) })
    }

    /// The settings of a newly accepted document (`None`: the site runs no BGP).
    pub fn want(&self, settings: Option<BgpSettings>) {
        self.desired.send_if_modified(|current| {
            let changed = *current != settings;
            *current = settings;
            changed
        });
    }

    /// The BGP part of the next status report.
    pub fn status(&self) -> BgpStatus {
        self.status.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set_status(&self, status: BgpStatus, changed: &(dyn Fn() + Send + Sync)) {
        let mut current = self.status.lock().unwrap_or_else(|e| e.into_inner());
        if *current != status {
            *current = status;
            drop(current);
            changed();
        }
    }
}

fn off() -> BgpStatus {
    BgpStatus { state: BgpState::Off, error: None, sessions: vec![] }
}

/// The FRR pathspace of a site's agent: its own, so that agents of several sites (tests, a lab)
/// can share a machine. The random tail of the site's UUIDv7 (its head is a timestamp).
pub fn pathspace(site: uuid::Uuid) -> String {
    let hex = site.simple().to_string();
    format!("patronus-{}", &hex[hex.len() - 12..])
}

/// Runs until the task is aborted. `changed` asks for a status report now.
pub async fn supervise(sup: Arc<Supervisor>, client: Client, site: uuid::Uuid, changed: Arc<dyn Fn() + Send + Sync>) {
    let name = pathspace(site);
    let conf = std::path::Path::new(super::frr::RUN_DIR).join(&name).join("frr.conf");
    let frr = Arc::new(Mutex::new(Frr::new(&name, None, &conf)));
    let mut desired = sup.desired.subscribe();
    let mut applied: Option<Option<BgpSettings>> = None;
    let mut apply_failed_at: Option<Instant> = None;
    let mut sent: Option<LearnedRoutesReport> = None;
    let mut refused_at: Option<(Instant, LearnedRoutesReport)> = None;
    loop {
        let want = desired.borrow_and_update().clone();
        let retry = apply_failed_at.is_some_and(|t| t.elapsed() >= RETRY_APPLY);
        if applied.as_ref() != Some(&want) || retry {
            let status = apply(&frr, want.clone()).await;
            apply_failed_at = (status.state == BgpState::Error).then(Instant::now);
            if status.state == BgpState::Off {
                sent = None;
                refused_at = None;
            }
            sup.set_status(status, &*changed);
            applied = Some(want.clone());
        }
        if let (Some(settings), None) = (&want, apply_failed_at) {
            match read(&frr).await {
                Ok(report) => {
                    let status =
                        BgpStatus { state: BgpState::Running, error: None, sessions: sessions(settings, &report) };
                    let routes = learned(&report, &status.sessions);
                    sup.set_status(status, &*changed);
                    let due = sent.as_ref() != Some(&routes)
                        && !refused_at.as_ref().is_some_and(|(t, r)| *r == routes && t.elapsed() < RETRY_REFUSED);
                    if due {
                        match client.agent_learned_routes(&routes).await {
                            Ok(answer) => {
                                tracing::info!(
                                    routes = routes.routes.len(),
                                    accepted = answer.accepted,
                                    refused = answer.refused,
                                    not_imported = answer.not_imported,
                                    "sent the learned routes"
                                );
                                sent = Some(routes);
                                refused_at = None;
                            }
                            Err(ClientError::Api { status, problem }) if status < 500 => {
                                let detail = problem.detail.clone().unwrap_or_else(|| problem.title.clone());
                                tracing::warn!(status, detail, "the server refused the learned routes");
                                refused_at = Some((Instant::now(), routes));
                            }
                            // Away or failing: tried again at the next read.
                            Err(err) => tracing::warn!(error = %err, "sending the learned routes failed"),
                        }
                    }
                }
                Err(why) => {
                    let status = BgpStatus { state: BgpState::Error, error: Some(why), sessions: vec![] };
                    sup.set_status(status, &*changed);
                }
            }
        }
        tokio::select! {
            _ = desired.changed() => {}
            _ = tokio::time::sleep(READ_EVERY) => {}
        }
    }
}

async fn apply(frr: &Arc<Mutex<Frr>>, settings: Option<BgpSettings>) -> BgpStatus {
    let frr = frr.clone();
    let on = settings.is_some();
    let done = tokio::task::spawn_blocking(move || {
        frr.lock().unwrap_or_else(|e| e.into_inner()).apply_or_stop(settings.as_ref()).map_err(|e| e.to_string())
    })
    .await;
    match done {
        Ok(Ok(_)) if on => {
            tracing::info!("FRR runs the site's BGP settings");
            BgpStatus { state: BgpState::Running, error: None, sessions: vec![] }
        }
        Ok(Ok(_)) => off(),
        Ok(Err(why)) => {
            tracing::error!(error = %why, "the site's BGP settings could not be applied");
            BgpStatus { state: BgpState::Error, error: Some(why), sessions: vec![] }
        }
        Err(join) => BgpStatus { state: BgpState::Error, error: Some(format!("applying: {join}")), sessions: vec![] },
    }
}

async fn read(frr: &Arc<Mutex<Frr>>) -> Result<BgpReport, String> {
    let frr = frr.clone();
    tokio::task::spawn_blocking(move || frr.lock().unwrap_or_else(|e| e.into_inner()).read().map_err(|e| e.to_string()))
        .await
        .map_err(|e| format!("reading FRR: {e}"))?
}

/// One status per neighbour of the settings, sorted by address; a neighbour FRR does not list
/// (just added) is `Idle`.
fn sessions(settings: &BgpSettings, report: &BgpReport) -> Vec<BgpSessionStatus> {
    let mut out: Vec<BgpSessionStatus> = settings
        .bgp
        .neighbors
        .iter()
        .map(|n| {
            let Some(s) = report.sessions.iter().find(|s| s.neighbor == n.address) else {
                return BgpSessionStatus {
                    neighbor: n.address,
                    remote_asn: n.remote_asn,
                    state: "Idle".into(),
                    established_seconds: None,
                    prefixes_received: 0,
                    problem: Some(BgpSessionProblem::NotEstablished),
                    detail: Some("not configured in FRR yet".into()),
                };
            };
            let problem = s.problem.as_ref().map(|p| match p {
                SessionProblem::MaxPrefixExceeded { .. } | SessionProblem::OverMaximum { .. } => {
                    BgpSessionProblem::MaxPrefixExceeded
                }
                SessionProblem::PasswordMismatch => BgpSessionProblem::PasswordMismatch,
                SessionProblem::NotEstablished { .. } => BgpSessionProblem::NotEstablished,
            });
            BgpSessionStatus {
                neighbor: n.address,
                remote_asn: n.remote_asn,
                state: s.state.chars().take(32).collect(),
                established_seconds: s.established().then(|| s.uptime.map(|u| u.as_secs())).flatten(),
                prefixes_received: s.prefixes_accepted,
                problem,
                detail: s.problem.as_ref().map(|p| {
                    let text = p.to_string();
                    // FRR keeps one prefix over the maximum and the session up (measured on 8.4):
                    // the agent uses none of that neighbour's routes then.
                    if matches!(p, SessionProblem::OverMaximum { .. }) {
                        format!("{text}; none of this neighbour's routes are used")
                    } else {
                        text
                    }
                }),
            }
        })
        .collect();
    out.sort_by_key(|s| s.neighbor);
    out
}

/// The routes to send: the neighbours' best paths, except from a neighbour over its maximum (the
/// issue's "never a silent partial table").
fn learned(report: &BgpReport, sessions: &[BgpSessionStatus]) -> LearnedRoutesReport {
    let over: Vec<std::net::IpAddr> = sessions
        .iter()
        .filter(|s| s.problem == Some(BgpSessionProblem::MaxPrefixExceeded))
        .map(|s| s.neighbor)
        .collect();
    let mut routes: Vec<LearnedRouteReport> = report
        .learned
        .iter()
        .filter(|r| !over.contains(&r.neighbor) && sessions.iter().any(|s| s.neighbor == r.neighbor))
        .map(|r| LearnedRouteReport {
            prefix: r.prefix,
            neighbor: r.neighbor,
            as_path: r.as_path.clone(),
            communities: vec![],
            local_preference: r.local_preference,
            med: r.med,
        })
        .collect();
    routes.sort_by(|a, b| {
        (a.prefix.addr(), a.prefix.prefix_len(), a.neighbor).cmp(&(b.prefix.addr(), b.prefix.prefix_len(), b.neighbor))
    });
    LearnedRoutesReport { routes }
}
