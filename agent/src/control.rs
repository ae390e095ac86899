//! The control loop: long-polls the server for the site's document, validates it, stores it as
//! last-known-good, hands it to the dataplane and reports status. When the server is away the
//! agent keeps forwarding on what it has and retries with exponential backoff and jitter.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use patronus_api::client::{Client, Error as ClientError};
use patronus_api::{AgentStatusReport, CompiledConfig, FailoverEvent, SiteConfig};
use rand::Rng;
use tokio::sync::Notify;

use crate::bgp;
use crate::dataplane::Dataplane;
use crate::metrics;
use crate::outage::Outages;
use crate::state::{Enrollment, StateDir};
use crate::validate;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Why `run` stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(
        "the server no longer accepts this agent's credential (revoked, or the site enrolled another agent): \
         enroll again with a new token"
    )]
    Revoked,
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

#[derive(Debug, Clone)]
pub struct RunOptions {
    /// How long each config poll asks the server to wait.
    pub poll_wait: Duration,
    /// Backoff bounds while the server cannot be reached.
    pub min_backoff: Duration,
    pub max_backoff: Duration,
    /// Serve Prometheus metrics on this address (`crate::metrics`); `None`: no endpoint.
    pub metrics_listen: Option<std::net::SocketAddr>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            poll_wait: Duration::from_secs(30),
            min_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(60),
            metrics_listen: None,
        }
    }
}

/// What the status reports say about the control side.
struct Applied {
    revision: Option<i64>,
    hash: Option<String>,
    last_error: Option<String>,
    /// The applied document, which names what the metrics show.
    document: Option<Arc<SiteConfig>>,
}

struct Shared<D> {
    dataplane: Mutex<D>,
    applied: Mutex<Applied>,
    started: Instant,
    report_now: Notify,
    /// Path changes no accepted report has carried yet, the newest `MAX_REPORTED_EVENTS`.
    unreported: Mutex<std::collections::VecDeque<FailoverEvent>>,
    /// Path changes since the start, by reason, for the metrics.
    failovers: Mutex<BTreeMap<&'static str, u64>>,
    /// Times the control plane could not be reached, until a report has carried them.
    outages: Mutex<Outages>,
    /// The site's BGP through FRR (off when the document has no BGP settings).
    bgp: Arc<bgp::Supervisor>,
}

/// As many path changes as one status report may carry.
const MAX_REPORTED_EVENTS: usize = 100;

impl<D: Dataplane> Shared<D> {
    /// Moves the dataplane's new path changes to the unreported ones, counting them.
    fn collect_events(&self, dp: &mut D) {
        let events = dp.take_failover_events();
        if events.is_empty() {
            return;
        }
        let mut counts = self.failovers.lock().unwrap_or_else(|e| e.into_inner());
        for e in &events {
            *counts.entry(e.reason.as_str()).or_default() += 1;
        }
        drop(counts);
        let mut unreported = self.unreported.lock().unwrap_or_else(|e| e.into_inner());
        unreported.extend(events);
        let excess = unreported.len().saturating_sub(MAX_REPORTED_EVENTS);
        unreported.drain(..excess);
    }

    fn report(&self) -> AgentStatusReport {
        let (links, peers, policies, xdp_guard, problem, applications) = {
            let mut dp = self.dataplane.lock().unwrap_or_else(|e| e.into_inner());
            self.collect_events(&mut dp);
            (dp.links(), dp.peers(), dp.policies(), dp.xdp_guard(), dp.problem(), dp.applications())
        };
        let failover_events: Vec<FailoverEvent> =
            self.unreported.lock().unwrap_or_else(|e| e.into_inner()).iter().cloned().collect();
        let applied = self.applied.lock().unwrap_or_else(|e| e.into_inner());
        AgentStatusReport {
            applied_revision: applied.revision,
            applied_hash: applied.hash.clone(),
            agent_version: VERSION.to_string(),
            uptime_seconds: self.started.elapsed().as_secs(),
            links,
            peers,
            // A rejected document says so first; otherwise what the dataplane could not do.
            last_error: applied.last_error.clone().or(problem),
            policies,
            failover_events,
            xdp_guard,
            control_plane_outages: self.outages.lock().unwrap_or_else(|e| e.into_inner()).unreported(),
            applications,
            bgp: Some(self.bgp.status()),
        }
    }

    /// The Prometheus text of what the dataplane and the control side hold now.
    fn metrics(&self) -> String {
        let (links, peers, policies, xdp_guard, problem, applications) = {
            let mut dp = self.dataplane.lock().unwrap_or_else(|e| e.into_inner());
            self.collect_events(&mut dp);
            (dp.links(), dp.peers(), dp.policies(), dp.xdp_guard(), dp.problem(), dp.applications())
        };
        let (document, error) = {
            let applied = self.applied.lock().unwrap_or_else(|e| e.into_inner());
            (applied.document.clone(), applied.last_error.is_some() || problem.is_some())
        };
        metrics::render(&metrics::Snapshot {
            document: document.as_deref(),
            uptime_seconds: self.started.elapsed().as_secs(),
            links,
            peers,
            policies,
            xdp_guard,
            applications,
            failovers: self.failovers.lock().unwrap_or_else(|e| e.into_inner()).clone(),
            error,
            bgp: Some(self.bgp.status()),
        })
    }

    /// The server has the first `n` unreported path changes.
    fn reported(&self, report: &AgentStatusReport) {
        let mut unreported = self.unreported.lock().unwrap_or_else(|e| e.into_inner());
        let n = report.failover_events.len().min(unreported.len());
        unreported.drain(..n);
        drop(unreported);
        self.outages.lock().unwrap_or_else(|e| e.into_inner()).reported(&report.control_plane_outages);
    }

    fn poll_failed(&self) {
        self.outages.lock().unwrap_or_else(|e| e.into_inner()).poll_failed(chrono::Utc::now());
    }

    /// The server answered (a poll, or a status report, which ends a long poll's wait for it): an
    /// outage this ends is logged and reported at once.
    fn answered(&self) {
        let ended = self.outages.lock().unwrap_or_else(|e| e.into_inner()).answered(chrono::Utc::now());
        if let Some(o) = ended {
            let seconds = (o.ended_at - o.started_at).num_milliseconds() as f64 / 1000.0;
            tracing::warn!(seconds, failed_polls = o.failed_polls, "the control plane answers again after an outage");
            self.report_now.notify_one();
        }
    }

    fn set_error(&self, error: Option<String>) {
        self.applied.lock().unwrap_or_else(|e| e.into_inner()).last_error = error;
        self.report_now.notify_one();
    }

    /// Validates, stores and applies a document. `Err` leaves the last-known-good in place.
    fn accept(&self, state: &StateDir, site: uuid::Uuid, doc: &CompiledConfig, store: bool) -> Result<(), String> {
        validate::check(doc, site).map_err(|why| format!("rejected document {}: {why}", short(&doc.hash)))?;
        if store {
            state.save_last_known_good(doc).map_err(|e| format!("storing the document: {e:#}"))?;
        }
        self.dataplane
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .apply(&doc.config)
            .map_err(|e| format!("applying revision {}: {e:#}", doc.revision))?;
        self.bgp.want(bgp::BgpSettings::of(&doc.config));
        let mut applied = self.applied.lock().unwrap_or_else(|e| e.into_inner());
        applied.revision = Some(doc.revision);
        applied.hash = Some(doc.hash.clone());
        applied.document = Some(Arc::new(doc.config.clone()));
        applied.last_error = None;
        Ok(())
    }
}

fn short(hash: &str) -> &str {
    &hash[..hash.len().min(12)]
}

fn jittered(backoff: Duration) -> Duration {
    // Between half and all of the backoff, so that agents cut off together do not return together.
    let ms = backoff.as_millis() as u64;
    Duration::from_millis(rand::thread_rng().gen_range(ms / 2..=ms.max(1)))
}

/// Runs until the credential is refused or an unrecoverable local error happens.
pub async fn run<D: Dataplane + 'static>(state: StateDir, dataplane: D, options: RunOptions) -> Result<(), RunError> {
    let enrollment: Enrollment = state.enrollment()?;
    let client = Client::new(&enrollment.server, Some(enrollment.credential.clone())).map_err(anyhow::Error::from)?;
    let shared = Arc::new(Shared {
        dataplane: Mutex::new(dataplane),
        applied: Mutex::new(Applied { revision: None, hash: None, last_error: None, document: None }),
        started: Instant::now(),
        report_now: Notify::new(),
        unreported: Mutex::new(Default::default()),
        failovers: Mutex::new(BTreeMap::new()),
        outages: Mutex::new(Outages::default()),
        bgp: bgp::Supervisor::new(),
    });
    // Bound before anything else runs, so an address in use stops the agent at once.
    let metrics_server = match options.metrics_listen {
        Some(addr) => {
            let listener = metrics::bind(addr).await?;
            tracing::info!(address = %listener.local_addr().map_err(anyhow::Error::from)?, "serving metrics at /metrics");
            let shared = shared.clone();
            let source: Arc<dyn Fn() -> String + Send + Sync> = Arc::new(move || shared.metrics());
            Some(tokio::spawn(async move {
                if let Err(err) = metrics::serve(listener, source).await {
                    tracing::error!(error = %err, "the metrics endpoint stopped");
                }
            }))
        }
        None => None,
    };

    // Forward on the last-known-good document before the server has said anything.
    match state.last_known_good() {
        Ok(Some(doc)) => match shared.accept(&state, enrollment.site_id, &doc, false) {
            Ok(()) => {
                tracing::info!(revision = doc.revision, hash = short(&doc.hash), "running the last-known-good document")
            }
            Err(why) => {
                tracing::warn!(error = %why, "the last-known-good document cannot be applied");
                shared.set_error(Some(why));
            }
        },
        Ok(None) => {}
        Err(err) => tracing::warn!(error = %format!("{err:#}"), "ignoring the last-known-good document"),
    }

    let (revoked_tx, mut revoked_rx) = tokio::sync::watch::channel(false);
    let reporter = tokio::spawn(report_loop(
        shared.clone(),
        client.clone(),
        Duration::from_secs(u64::from(enrollment.status_interval_seconds.max(1))),
        revoked_tx,
    ));

    let bgp_task = {
        let supervisor = shared.bgp.clone();
        let shared = shared.clone();
        let changed: Arc<dyn Fn() + Send + Sync> = Arc::new(move || shared.report_now.notify_one());
        tokio::spawn(bgp::supervisor::supervise(supervisor, client.clone(), enrollment.site_id, changed))
    };

    let result = tokio::select! {
        r = poll_loop(&state, &enrollment, &client, &shared, &options) => r,
        _ = revoked_rx.wait_for(|revoked| *revoked) => Err(RunError::Revoked),
        _ = stop_signal() => {
            tracing::info!("stopping");
            Ok(())
        }
    };
    reporter.abort();
    bgp_task.abort();
    let _ = bgp_task.await;
    if let Some(server) = metrics_server {
        server.abort();
        let _ = server.await;
    }
    // The dataplane goes with the last reference, and takes down what it set up (its shaping).
    let _ = reporter.await;
    drop(shared);
    result
}

/// SIGTERM or SIGINT.
async fn stop_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

async fn poll_loop<D: Dataplane>(
    state: &StateDir,
    enrollment: &Enrollment,
    client: &Client,
    shared: &Shared<D>,
    options: &RunOptions,
) -> Result<(), RunError> {
    // The hash the agent holds: the applied one, or a rejected one so that the same bad
    // document is not fetched again and again.
    let mut held = shared.applied.lock().unwrap_or_else(|e| e.into_inner()).hash.clone();
    let mut backoff = options.min_backoff;
    loop {
        let polled = client.agent_config(held.as_deref(), options.poll_wait).await;
        match &polled {
            // No answer, or the server failing: the control plane is away. Any other answer
            // (a document, 304, a 4xx) means it is there.
            Err(ClientError::Api { status, .. }) if *status < 500 => shared.answered(),
            Err(ClientError::Api { .. }) | Err(ClientError::Transport(_)) => shared.poll_failed(),
            Err(ClientError::Decode(_)) | Err(ClientError::Config(_)) | Ok(_) => shared.answered(),
        }
        match polled {
            Ok(None) => backoff = options.min_backoff,
            Ok(Some(doc)) => {
                backoff = options.min_backoff;
                match shared.accept(state, enrollment.site_id, &doc, true) {
                    Ok(()) => {
                        tracing::info!(revision = doc.revision, hash = short(&doc.hash), "applied a new document");
                        shared.report_now.notify_one();
                    }
                    Err(why) => {
                        tracing::error!(error = %why, "keeping the last-known-good document");
                        shared.set_error(Some(why));
                    }
                }
                held = Some(doc.hash);
            }
            Err(ClientError::Api { status: 401, .. }) => return Err(RunError::Revoked),
            Err(err) => {
                if let ClientError::Decode(why) = &err {
                    // A document whose values do not parse (a key, prefix, endpoint or port range)
                    // does not deserialise: operators see it as they see a rejected one.
                    shared.set_error(Some(format!("rejected a document that does not read: {why}")));
                }
                let wait = jittered(backoff);
                tracing::warn!(error = %err, retry_in_ms = wait.as_millis() as u64, "config poll failed; still forwarding on the last-known-good document");
                tokio::time::sleep(wait).await;
                backoff = (backoff * 2).min(options.max_backoff);
            }
        }
    }
}

async fn report_loop<D: Dataplane>(
    shared: Arc<Shared<D>>,
    client: Client,
    every: Duration,
    revoked: tokio::sync::watch::Sender<bool>,
) {
    loop {
        let report = shared.report();
        match client.agent_status(&report).await {
            Ok(()) => {
                shared.reported(&report);
                // A long poll that reaches the server only answers when its wait ends; the
                // report tells sooner that the server is back.
                shared.answered();
            }
            Err(ClientError::Api { status: 401, .. }) => {
                let _ = revoked.send(true);
                return;
            }
            Err(err) => tracing::warn!(error = %err, "status report failed"),
        }
        // The next report is due after the interval, or sooner when something changed.
        let _ = tokio::time::timeout(every, shared.report_now.notified()).await;
    }
}
