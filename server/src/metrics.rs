//! Prometheus metrics: request count and latency by route template and status, and what agents
//! report about their paths. No label names a tenant, site or link, so the number of series stays
//! the same however large the fleet grows.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder};

use crate::app::AppState;

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    health_transitions: IntCounterVec,
    parked_polls: prometheus::IntGauge,
    writes: IntCounterVec,
    failovers: IntCounterVec,
    reported_paths: IntCounterVec,
    path_rtt: prometheus::Histogram,
    guard_dropped: IntCounterVec,
    guard_dropped_bytes: prometheus::IntCounter,
    outages: prometheus::IntCounter,
    fanout: prometheus::Histogram,
    outage_seconds: prometheus::Counter,
    guard_passed: IntCounterVec,
    guard_links: IntCounterVec,
    shaped_bytes: IntCounterVec,
    shaped_packets: IntCounterVec,
    shaped_drops: IntCounterVec,
    reported_shaping: IntCounterVec,
}

impl Metrics {
    pub fn new() -> anyhow::Result<Self> {
        let registry = Registry::new();
        let labels = ["method", "route", "status"];
        let requests = IntCounterVec::new(Opts::new("http_requests_total", "HTTP requests answered"), &labels)?;
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "Time to answer an HTTP request").buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
            ]),
            &labels,
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        let health_transitions = IntCounterVec::new(
            Opts::new("patronus_site_health_transitions_total", "Sites whose health changed, by old and new health"),
            &["from", "to"],
        )?;
        registry.register(Box::new(health_transitions.clone()))?;
        let parked_polls =
            prometheus::IntGauge::new("patronus_agent_polls_parked", "Agent config polls waiting on this replica")?;
        registry.register(Box::new(parked_polls.clone()))?;
        let writes = IntCounterVec::new(
            Opts::new("patronus_writes_total", "Committed writes, by resource kind and verb"),
            &["kind", "verb"],
        )?;
        registry.register(Box::new(writes.clone()))?;
        let failovers = IntCounterVec::new(
            Opts::new("patronus_failover_events_total", "Path changes agents reported, by reason"),
            &["reason"],
        )?;
        registry.register(Box::new(failovers.clone()))?;
        let reported_paths = IntCounterVec::new(
            Opts::new("patronus_reported_paths_total", "Paths in agents' status reports, by state (up, down)"),
            &["state"],
        )?;
        registry.register(Box::new(reported_paths.clone()))?;
        let path_rtt = prometheus::Histogram::with_opts(
            HistogramOpts::new(
                "patronus_path_rtt_seconds",
                "Round-trip time of the up paths in agents' status reports",
            )
            .buckets(vec![0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0, 2.0]),
        )?;
        registry.register(Box::new(path_rtt.clone()))?;
        let guard_dropped = IntCounterVec::new(
            Opts::new(
                "patronus_xdp_guard_dropped_packets_total",
                "Datagrams agents' XDP guards dropped before user space, by reason \
                 (malformed, unknown_index, initiation_rate)",
            ),
            &["reason"],
        )?;
        registry.register(Box::new(guard_dropped.clone()))?;
        let guard_dropped_bytes = prometheus::IntCounter::new(
            "patronus_xdp_guard_dropped_bytes_total",
            "UDP payload bytes agents' XDP guards dropped",
        )?;
        registry.register(Box::new(guard_dropped_bytes.clone()))?;
        let outages = prometheus::IntCounter::new(
            "patronus_agent_control_plane_outages_total",
            "Times agents reported they could not reach the control plane",
        )?;
        registry.register(Box::new(outages.clone()))?;
        let outage_seconds = prometheus::Counter::new(
            "patronus_agent_control_plane_outage_seconds_total",
            "Seconds agents reported they could not reach the control plane, summed over agents",
        )?;
        registry.register(Box::new(outage_seconds.clone()))?;
        let fanout = prometheus::Histogram::with_opts(
            HistogramOpts::new(
                "patronus_config_fanout_seconds",
                "From a write's publish to a parked agent poll it woke answering with the new document \
                 (on any replica; polls that were not parked fetch theirs later and are not counted)",
            )
            .buckets(vec![0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0]),
        )?;
        registry.register(Box::new(fanout.clone()))?;
        let guard_passed = IntCounterVec::new(
            Opts::new(
                "patronus_xdp_guard_passed_packets_total",
                "WireGuard messages agents' XDP guards let through, by message type",
            ),
            &["message"],
        )?;
        registry.register(Box::new(guard_passed.clone()))?;
        let guard_links = IntCounterVec::new(
            Opts::new(
                "patronus_xdp_guard_reported_links_total",
                "WAN links in agents' status reports, by how the XDP guard runs there \
                 (native, generic, none; off when the guard is disabled or unavailable)",
            ),
            &["mode"],
        )?;
        registry.register(Box::new(guard_links.clone()))?;
        // Shaping counters summed over the fleet by direction and QoS priority (1-8, or
        // `default` for the default class): bounded labels; per link and class, the site's status.
        let shaping_labels = ["direction", "priority"];
        let shaped_bytes = IntCounterVec::new(
            Opts::new("patronus_shaped_bytes_total", "Bytes agents' tc shaping passed, by direction and QoS priority"),
            &shaping_labels,
        )?;
        registry.register(Box::new(shaped_bytes.clone()))?;
        let shaped_packets = IntCounterVec::new(
            Opts::new(
                "patronus_shaped_packets_total",
                "Packets agents' tc shaping passed, by direction and QoS priority",
            ),
            &shaping_labels,
        )?;
        registry.register(Box::new(shaped_packets.clone()))?;
        let shaped_drops = IntCounterVec::new(
            Opts::new(
                "patronus_shaped_drops_total",
                "Packets agents' tc shaping dropped (class queue full), by direction and QoS priority",
            ),
            &shaping_labels,
        )?;
        registry.register(Box::new(shaped_drops.clone()))?;
        let reported_shaping = IntCounterVec::new(
            Opts::new(
                "patronus_reported_shaping_total",
                "Shaped links in agents' status reports, by state (ok, error: the document's shaping is not installed)",
            ),
            &["state"],
        )?;
        registry.register(Box::new(reported_shaping.clone()))?;
        Ok(Metrics {
            registry,
            requests,
            latency,
            health_transitions,
            parked_polls,
            writes,
            failovers,
            reported_paths,
            path_rtt,
            guard_dropped,
            guard_dropped_bytes,
            outages,
            outage_seconds,
            fanout,
            guard_passed,
            guard_links,
            shaped_bytes,
            shaped_packets,
            shaped_drops,
            reported_shaping,
        })
    }

    pub fn write_committed(&self, kind: crate::resource::Kind, verb: &str) {
        self.writes.with_label_values(&[kind.name(), verb]).inc();
    }

    /// Counts what a status report says about paths and path changes.
    /// A woken poll answered with the document a write published `published_at_ms` (Unix ms).
    pub fn fanout(&self, published_at_ms: i64) {
        let lag_ms = chrono::Utc::now().timestamp_millis().saturating_sub(published_at_ms).max(0);
        self.fanout.observe(lag_ms as f64 / 1000.0);
    }

    pub fn path_report(&self, report: &patronus_api::AgentStatusReport) {
        for e in &report.failover_events {
            self.failovers.with_label_values(&[e.reason.as_str()]).inc();
        }
        let (mut up, mut down) = (0, 0);
        for path in report.peers.iter().flat_map(|p| &p.paths) {
            if path.up {
                up += 1;
                if let Some(rtt) = path.rtt_ms {
                    self.path_rtt.observe(rtt / 1000.0);
                }
            } else {
                down += 1;
            }
        }
        self.reported_paths.with_label_values(&["up"]).inc_by(up);
        self.reported_paths.with_label_values(&["down"]).inc_by(down);
        for o in &report.control_plane_outages {
            self.outages.inc();
            self.outage_seconds.inc_by((o.ended_at - o.started_at).num_milliseconds().max(0) as f64 / 1000.0);
        }
    }

    /// Counts what a report's XDP guard counters grew by since `before` (the previous report of
    /// the same agent run; `None` after a restart or for the first report), and its links by mode.
    pub fn xdp_guard_report(
        &self,
        guard: Option<&patronus_api::XdpGuardStatus>,
        before: Option<&patronus_api::XdpGuardCounters>,
    ) {
        let Some(guard) = guard else {
            return;
        };
        let before = before.copied().unwrap_or_default();
        for ((reason, now), (_, then)) in guard.counters.drops().into_iter().zip(before.drops()) {
            self.guard_dropped.with_label_values(&[reason]).inc_by(now.saturating_sub(then));
        }
        self.guard_dropped_bytes.inc_by(guard.counters.dropped_bytes.saturating_sub(before.dropped_bytes));
        for ((message, now), (_, then)) in guard.counters.passes().into_iter().zip(before.passes()) {
            self.guard_passed.with_label_values(&[message]).inc_by(now.saturating_sub(then));
        }
        if guard.state == patronus_api::XdpGuardState::Active {
            for link in &guard.links {
                self.guard_links.with_label_values(&[link.mode.as_str()]).inc();
            }
        } else {
            self.guard_links.with_label_values(&["off"]).inc_by(guard.links.len().max(1) as u64);
        }
    }

    /// Counts what shaping passed and dropped since the agent's previous report: each class's
    /// counters less the same class's in `previous` (all of them when the class is new or its
    /// counters started again, as after the agent restarted).
    pub fn shaping_report(&self, previous: Option<&[patronus_api::LinkState]>, links: &[patronus_api::LinkState]) {
        for link in links {
            let Some(shaping) = &link.shaping else { continue };
            let state = if shaping.error.is_some() { "error" } else { "ok" };
            self.reported_shaping.with_label_values(&[state]).inc();
            let before = previous
                .and_then(|p| p.iter().find(|l| l.name == link.name))
                .and_then(|l| l.shaping.as_ref())
                .filter(|s| s.interface == shaping.interface);
            for c in &shaping.classes {
                let old =
                    before.and_then(|b| b.classes.iter().find(|o| o.class == c.class && o.direction == c.direction));
                let delta = |now: u64, then: Option<u64>| match then {
                    Some(then) if then <= now => now - then,
                    _ => now,
                };
                let priority = c.priority.map_or_else(|| "default".to_owned(), |p| p.to_string());
                let labels = [c.direction.as_str(), priority.as_str()];
                self.shaped_bytes.with_label_values(&labels).inc_by(delta(c.bytes, old.map(|o| o.bytes)));
                self.shaped_packets.with_label_values(&labels).inc_by(delta(c.packets, old.map(|o| o.packets)));
                self.shaped_drops.with_label_values(&labels).inc_by(delta(c.drops, old.map(|o| o.drops)));
            }
        }
    }

    pub fn site_health_transition(&self, from: &str, to: &str) {
        self.health_transitions.with_label_values(&[from, to]).inc();
    }

    /// Counts a parked poll for as long as the guard lives.
    pub fn parked_poll(&self) -> ParkedPoll {
        self.parked_polls.inc();
        ParkedPoll(self.parked_polls.clone())
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    pub fn render(&self) -> String {
        let mut out = Vec::new();
        if let Err(err) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::warn!(error = %err, "encoding metrics");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

/// Middleware: counts and times every request under its route template (never the raw path,
/// which would make one series per id).
pub async fn track(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let route =
        req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()).unwrap_or_else(|| "unmatched".into());
    let method = req.method().as_str().to_string();
    // The request span (app.rs) is named by the route, never by a path with ids in it.
    if req.extensions().get::<MatchedPath>().is_some() {
        let span = tracing::Span::current();
        span.record("http.route", route.as_str());
        span.record("otel.name", format!("{method} {route}"));
    }
    let started = Instant::now();
    let response = next.run(req).await;
    tracing::Span::current().record("http.response.status_code", i64::from(response.status().as_u16()));
    let status = response.status().as_u16().to_string();
    let labels = [method.as_str(), route.as_str(), status.as_str()];
    app.metrics.requests.with_label_values(&labels).inc();
    app.metrics.latency.with_label_values(&labels).observe(started.elapsed().as_secs_f64());
    response
}

pub struct ParkedPoll(prometheus::IntGauge);

impl Drop for ParkedPoll {
    fn drop(&mut self) {
        self.0.dec();
    }
}
