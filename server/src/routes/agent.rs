//! The agent's side of the API: enrollment, the config long poll and status reports. An agent
//! credential reaches only these, and only its own site.

use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use patronus_api::{AgentStatusReport, CompiledConfig, EnrollRequest, EnrollResponse, SiteHealth};
use rand::Rng;
use serde::Deserialize;
use tracing::Instrument;
use utoipa::IntoParams;

use crate::app::AppState;
use crate::audit::Change;
use crate::auth::secrets::{self, SecretKind};
use crate::auth::{AgentCaller, AgentPrincipal, Principal};
use crate::compiler;
use crate::config_sync::{commit_change, network_before, Touched};
use crate::db;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Query};
use crate::resource::Kind;
use crate::validate::{self, Errors};

/// The longest a poll may ask to wait.
const MAX_WAIT_SECS: u64 = 60;

fn check_enroll(body: &EnrollRequest) -> ApiResult<()> {
    let mut errors = Errors::new();
    if body.hostname.is_empty() || body.hostname.len() > 253 || body.hostname.chars().any(char::is_control) {
        errors.add("/hostname", "must be 1 to 253 printable characters");
    }
    if body.agent_version.is_empty()
        || body.agent_version.len() > 64
        || body.agent_version.chars().any(char::is_control)
    {
        errors.add("/agent_version", "must be 1 to 64 printable characters");
    }
    if SecretKind::of(&body.token) != Some(SecretKind::EnrollmentToken) {
        errors.add("/token", "must be an enrollment token (`ptrn_enr_...`)");
    }
    Ok(errors.check()?)
}

#[utoipa::path(post, path = "/v1/agent/enroll", tag = "agent", request_body = EnrollRequest,
    responses((status = 201, description = "Enrolled; the credential is in this answer only", body = EnrollResponse)))]
pub async fn enroll(
    State(app): State<AppState>,
    Json(body): Json<EnrollRequest>,
) -> ApiResult<(StatusCode, axum::Json<EnrollResponse>)> {
    check_enroll(&body)?;
    let unusable =
        |why: &str| ApiError::Unauthorized(format!("the enrollment token {why}; ask an operator for a new one"));
    let hash = secrets::hash_secret(&body.token);
    let mut tx = db::credential_tx(&app.pool, &hash).await?;
    let token =
        db::enrollment_tokens::by_hash(&mut *tx, &hash).await?.ok_or_else(|| unusable("is unknown or revoked"))?;
    db::enter_tenant(&mut tx, token.tenant_id).await?;
    // Enrolling changes peers' documents: serialise with the tenant's other writes.
    let _turn = app.networks.write_turn(token.tenant_id).await;
    let tenant =
        db::tenants::lock(&mut *tx, token.tenant_id).await?.ok_or_else(|| unusable("is unknown or revoked"))?;
    let before = network_before(&mut tx, &app, &tenant).await?;
    if token.expires_at <= chrono::Utc::now() {
        return Err(unusable("has expired"));
    }
    if !db::enrollment_tokens::spend(&mut *tx, token.id).await? {
        return Err(unusable("has been used up"));
    }
    let credential = secrets::generate(SecretKind::AgentCredential);
    let (agent, replaced) = db::agents::replace(
        &mut tx,
        &db::agents::NewAgentRow {
            tenant_id: token.tenant_id,
            site_id: token.site_id,
            public_key: body.public_key,
            hostname: &body.hostname,
            agent_version: &body.agent_version,
            credential_hash: &credential.hash,
        },
    )
    .await?;
    let outcome = commit_change(&mut tx, token.tenant_id, &before, Touched::Site(token.site_id))
        .instrument(tracing::info_span!("config_compile", tenant_id = %token.tenant_id))
        .await?;
    let principal =
        Principal::Agent(AgentPrincipal { agent_id: agent.id, tenant_id: agent.tenant_id, site_id: agent.site_id });
    let change = match &replaced {
        Some(old) => Change::updated(Kind::Agent, agent.id, &old.to_api(), &agent.to_api()),
        None => Change::created(Kind::Agent, agent.id, &agent.to_api()),
    };
    crate::audit::record(&mut tx, &principal, Some(agent.tenant_id), None, change).await?;
    tx.commit().await?;
    if replaced.is_some() {
        // The replaced agent's credential stops working now, on every replica.
        app.credentials.forget_tenant(agent.tenant_id).await;
    }
    outcome.publish(&app).await;
    Ok((
        StatusCode::CREATED,
        axum::Json(EnrollResponse {
            agent_id: agent.id,
            site_id: agent.site_id,
            credential: credential.value,
            status_interval_seconds: app.settings.agent_status_interval_secs,
        }),
    ))
}

/// Documents listing at most this many peers are assembled on the async worker itself.
const SMALL_DOCUMENT_PEERS: usize = 64;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConfigQuery {
    /// Seconds to wait for a document other than the one in `If-None-Match` (0 to 60; the
    /// server's default, about 30, when absent).
    #[param(minimum = 0, maximum = 60)]
    pub wait: Option<u64>,
}

/// The hash an `If-None-Match` header names, without quotes or weakness marker.
fn held_hash(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::IF_NONE_MATCH)?.to_str().ok()?.trim();
    let value = value.strip_prefix("W/").unwrap_or(value);
    Some(value.trim_matches('"').to_string())
}

#[utoipa::path(get, path = "/v1/agent/config", tag = "agent", params(ConfigQuery,
        ("If-None-Match" = Option<String>, Header, description = "The hash of the document the agent holds")),
    responses(
        (status = 200, description = "The site's current document", body = CompiledConfig,
            headers(("ETag" = String, description = "The document's content hash, quoted"))),
        (status = 304, description = "The document is still the one the agent holds"),
        (status = 404, description = "The agent's site was deleted meanwhile", body = patronus_api::Problem,
            content_type = "application/problem+json")),
    security(("agent_auth" = [])))]
pub async fn config(
    State(app): State<AppState>,
    caller: AgentCaller,
    Query(q): Query<ConfigQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let AgentPrincipal { tenant_id, site_id, .. } = caller.agent;
    let held = held_hash(&headers);
    let wait = match q.wait {
        Some(secs) if secs > MAX_WAIT_SECS => return Err(ApiError::field("/query/wait", "must be 0 to 60 seconds")),
        Some(secs) => Duration::from_secs(secs),
        // Spread the re-polls of agents parked at the same moment.
        None => Duration::from_millis(app.settings.long_poll_secs * 1000 + rand::thread_rng().gen_range(0..3000)),
    };
    let deadline = tokio::time::Instant::now() + wait;
    let watch = app.config_watch.watch(site_id);
    let mut woken = false;
    // Lives until the poll answers, so its span covers the document's assembly.
    let mut wake_span: Option<tracing::Span> = None;
    loop {
        // Armed before the hash is read, so a change committed in between still wakes us.
        let notified = watch.site_watch.notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();

        // Woken by a write: the hash it recorded, without a database read. Otherwise (or when the
        // announcement is what the agent holds already) the hash the database has now.
        let announced =
            if woken { watch.site_watch.latest().filter(|r| held.as_deref() != Some(r.hash.as_str())) } else { None };
        // `woken_by`: when the write that woke this poll published, for the fan-out lag metric.
        let (revision, hash, doc_revision, woken_by) = match announced {
            Some(recorded) => {
                // In the write's trace: this poll, woken by it, until it answers.
                if let Some(write) = recorded.trace.as_deref().and_then(crate::telemetry::parse_traceparent) {
                    let request_id = headers.get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
                    let span = tracing::info_span!(
                        "config_wake",
                        site_id = %site_id,
                        revision = recorded.revision,
                        request_id = %request_id
                    );
                    crate::telemetry::follow(&span, &write);
                    wake_span = Some(span);
                }
                (recorded.revision, recorded.hash, recorded.revision, recorded.published_at_ms)
            }
            None => {
                let mut tx = db::tenant_tx(&app.pool, tenant_id).await?;
                let read = db::site_configs::get_at_tenant_revision(&mut *tx, tenant_id, site_id).await?;
                db::end_read(tx);
                let (revision, stored) = read.ok_or(ApiError::NotFound(Kind::Site))?;
                let Some((hash, doc_revision)) = stored else {
                    return Err(ApiError::NotFound(Kind::Site));
                };
                (revision, hash, doc_revision, None)
            }
        };
        woken = false;
        if held.as_deref() != Some(hash.as_str()) {
            let snapshot = app
                .networks
                .at_least(&app.pool, tenant_id, revision)
                .instrument(wake_span.clone().unwrap_or_else(tracing::Span::none))
                .await?;
            if snapshot.revision != revision {
                continue; // The network moved on while we read; read the hash from the database.
            }
            let etag = format!("\"{hash}\"");
            let peers = snapshot.network.peers_of_count(site_id);
            let assemble =
                move || compiler::compiled_bytes(&snapshot.network, snapshot.fragments(), site_id, doc_revision, &hash);
            // Assembling a large document is CPU work: keep it off the async workers so that
            // parked polls and database I/O keep moving when thousands fetch at once. A small one
            // (a spoke's) costs less than the hand-off to another thread. The hash is the
            // recorded one: the snapshot is the network at the revision it was recorded for.
            let body = if peers > SMALL_DOCUMENT_PEERS {
                tokio::task::spawn_blocking(assemble)
                    .await
                    .map_err(|e| ApiError::Internal(anyhow::anyhow!("compiling: {e}")))?
            } else {
                assemble()
            }
            .ok_or(ApiError::NotFound(Kind::Site))?;
            let mut response =
                ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response();
            if let Ok(v) = HeaderValue::from_str(&etag) {
                response.headers_mut().insert(header::ETAG, v);
            }
            if let Some(published_at_ms) = woken_by {
                app.metrics.fanout(published_at_ms);
            }
            return Ok(response);
        }
        // Parked: no connection held, only this future.
        let _parked = app.metrics.parked_poll();
        if app.config_watch.is_closed()
            || tokio::time::timeout_at(deadline, notified).await.is_err()
            || app.config_watch.is_closed()
        {
            let mut response = StatusCode::NOT_MODIFIED.into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("\"{hash}\"")) {
                response.headers_mut().insert(header::ETAG, v);
            }
            return Ok(response);
        }
        woken = true;
    }
}

/// What a status report says about a site's health, without the rest of the report.
#[derive(Debug, Clone, Copy)]
pub struct ReportHealth<'a> {
    pub last_error: Option<&'a str>,
    pub applied_hash: Option<&'a str>,
    pub applied_revision: Option<i64>,
    pub bgp: Option<&'a patronus_api::BgpStatus>,
}

/// A site's health from its agent's report and the hash of its current document.
pub fn health_of(report: &AgentStatusReport, desired_hash: Option<&str>) -> (SiteHealth, Option<String>) {
    health_from(
        ReportHealth {
            last_error: report.last_error.as_deref(),
            applied_hash: report.applied_hash.as_deref(),
            applied_revision: report.applied_revision,
            bgp: report.bgp.as_ref(),
        },
        desired_hash,
    )
}

/// [`health_of`] on the parts of the report that decide it.
pub fn health_from(report: ReportHealth<'_>, desired_hash: Option<&str>) -> (SiteHealth, Option<String>) {
    if let Some(err) = report.last_error {
        return (SiteHealth::Degraded, Some(format!("the agent reports an error: {err}")));
    }
    match (report.applied_hash, desired_hash) {
        (None, Some(_)) => (SiteHealth::Degraded, Some("the agent has not applied a document yet".into())),
        (Some(applied), Some(desired)) if applied != desired => (
            SiteHealth::Degraded,
            Some(format!(
                "the agent runs revision {} of the document, not the current one",
                report.applied_revision.map_or_else(|| "?".to_string(), |r| r.to_string())
            )),
        ),
        _ => match bgp_problem(report.bgp) {
            Some(reason) => (SiteHealth::Degraded, Some(reason)),
            None => (SiteHealth::Online, None),
        },
    }
}

/// What is wrong with the site's BGP, for the site's health: FRR not running the settings, or a
/// session with a problem (the first by neighbour address).
fn bgp_problem(bgp: Option<&patronus_api::BgpStatus>) -> Option<String> {
    use patronus_api::{BgpSessionProblem, BgpState};
    let bgp = bgp?;
    if bgp.state == BgpState::Error {
        return Some(format!("BGP is not running: {}", bgp.error.as_deref().unwrap_or("the agent gave no reason")));
    }
    let session = bgp.sessions.iter().filter(|s| s.problem.is_some()).min_by_key(|s| s.neighbor)?;
    let problem = match session.problem? {
        BgpSessionProblem::MaxPrefixExceeded => "sent more prefixes than max_learned_prefixes; session closed",
        BgpSessionProblem::PasswordMismatch => "TCP MD5 signatures do not verify (password mismatch)",
        BgpSessionProblem::NotEstablished => "session not established",
    };
    let detail = session.detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default();
    Some(format!("BGP neighbour {}: {problem}{detail}", session.neighbor))
}

#[utoipa::path(post, path = "/v1/agent/status", tag = "agent", request_body = AgentStatusReport,
    responses((status = 204, description = "Recorded")),
    security(("agent_auth" = [])))]
pub async fn status(
    State(app): State<AppState>,
    caller: AgentCaller,
    Json(report): Json<AgentStatusReport>,
) -> ApiResult<StatusCode> {
    let mut errors = Errors::new();
    validate::text(&mut errors, "/agent_version", &report.agent_version, 64);
    if let Some(err) = &report.last_error {
        validate::text(&mut errors, "/last_error", err, 2000);
    }
    if report.links.len() > 64 {
        errors.add("/links", "at most 64 links");
    }
    for (i, link) in report.links.iter().enumerate() {
        let Some(shaping) = &link.shaping else { continue };
        validate::text(&mut errors, &format!("/links/{i}/shaping/interface"), &shaping.interface, 15);
        for (field, value, max) in [("leaf", &shaping.leaf, 16), ("error", &shaping.error, 2000)] {
            if let Some(v) = value {
                validate::text(&mut errors, &format!("/links/{i}/shaping/{field}"), v, max);
            }
        }
        if shaping.classes.len() > 1000 {
            errors.add(&format!("/links/{i}/shaping/classes"), "at most 1000 classes");
        }
        for (j, c) in shaping.classes.iter().enumerate() {
            if let Some(name) = &c.class {
                validate::text(&mut errors, &format!("/links/{i}/shaping/classes/{j}/class"), name, 100);
            }
            if c.priority.is_some_and(|p| !(1..=8).contains(&p)) {
                errors.add(&format!("/links/{i}/shaping/classes/{j}/priority"), "must be 1 to 8");
            }
        }
    }
    if report.peers.len() > 20_000 {
        errors.add("/peers", "at most 20000 peers");
    }
    if report.policies.len() > 1000 {
        errors.add("/policies", "at most 1000 policies");
    }
    for (i, p) in report.policies.iter().enumerate() {
        validate::text(&mut errors, &format!("/policies/{i}/name"), &p.name, 100);
        if p.peers.len() > 20_000 {
            errors.add(&format!("/policies/{i}/peers"), "at most 20000 peers");
        }
        for (j, peer) in p.peers.iter().enumerate() {
            for (field, value) in [("active_link", &peer.active_link), ("duplicate_link", &peer.duplicate_link)] {
                if let Some(v) = value {
                    validate::text(&mut errors, &format!("/policies/{i}/peers/{j}/{field}"), v, 64);
                }
            }
        }
    }
    // PostgreSQL's jsonb cannot hold a NUL anywhere in the report.
    if serde_json::to_string(&report).is_ok_and(|s| s.contains("\\u0000")) {
        errors.add("", "must not contain NUL characters");
    }
    if report.failover_events.len() > 100 {
        errors.add("/failover_events", "at most 100 events");
    }
    for (i, e) in report.failover_events.iter().enumerate() {
        let names = [
            ("policy", &e.policy, 100),
            ("from_link", &e.from_link, 64),
            ("to_link", &e.to_link, 64),
            ("from_endpoint", &e.from_endpoint, 300),
            ("to_endpoint", &e.to_endpoint, 300),
        ];
        for (field, value, max) in names {
            if let Some(v) = value {
                validate::text(&mut errors, &format!("/failover_events/{i}/{field}"), v, max);
            }
        }
    }
    if report.control_plane_outages.len() > 10 {
        errors.add("/control_plane_outages", "at most 10 outages");
    }
    for (i, o) in report.control_plane_outages.iter().enumerate() {
        if o.ended_at < o.started_at {
            errors.add(&format!("/control_plane_outages/{i}/ended_at"), "must not be before started_at");
        }
    }
    if let Some(apps) = &report.applications {
        if apps.top.len() > patronus_api::TOP_APPLICATIONS {
            errors.add("/applications/top", format!("at most {} applications", patronus_api::TOP_APPLICATIONS));
        }
        for (i, a) in apps.top.iter().enumerate() {
            if !patronus_api::applications::valid_application_name(&a.name) {
                errors
                    .add(&format!("/applications/top/{i}/name"), "must be 1 to 64 characters of a-z, 0-9, '-' and '_'");
            }
        }
    }
    if let Some(guard) = &report.xdp_guard {
        if let Some(w) = &guard.warning {
            validate::text(&mut errors, "/xdp_guard/warning", w, 2000);
        }
        if guard.links.len() > 64 {
            errors.add("/xdp_guard/links", "at most 64 links");
        }
        for (i, l) in guard.links.iter().enumerate() {
            validate::text(&mut errors, &format!("/xdp_guard/links/{i}/name"), &l.name, 64);
            validate::text(&mut errors, &format!("/xdp_guard/links/{i}/interface"), &l.interface, 64);
            if let Some(e) = &l.error {
                validate::text(&mut errors, &format!("/xdp_guard/links/{i}/error"), e, 2000);
            }
        }
        if guard.peers.len() > 20_000 {
            errors.add("/xdp_guard/peers", "at most 20000 peers");
        }
    }
    if let Some(bgp) = &report.bgp {
        if let Some(e) = &bgp.error {
            validate::text(&mut errors, "/bgp/error", e, 2000);
        }
        if bgp.sessions.len() > 64 {
            errors.add("/bgp/sessions", "at most 64 sessions");
        }
        for (i, s) in bgp.sessions.iter().enumerate() {
            if s.state.is_empty() || s.state.len() > 32 || !s.state.bytes().all(|b| b.is_ascii_alphanumeric()) {
                errors.add(&format!("/bgp/sessions/{i}/state"), "must be FRR's word for the state, e.g. Established");
            }
            if let Some(d) = &s.detail {
                validate::text(&mut errors, &format!("/bgp/sessions/{i}/detail"), d, 2000);
            }
        }
    }
    errors.check()?;
    let agent = caller.agent;
    let mut tx = db::tenant_tx(&app.pool, agent.tenant_id).await?;
    let desired = db::site_configs::get(&mut *tx, agent.site_id).await?;
    let (health, _) = health_of(&report, desired.as_ref().map(|(h, _)| h.as_str()));
    let previous = db::agents::record_status(&mut *tx, agent.agent_id, &report, health.as_str())
        .await?
        .ok_or_else(|| ApiError::Unauthorized("the agent credential was revoked".into()))?;
    if db::path_health::claim_sample(&mut *tx, agent.agent_id).await? {
        db::path_health::insert_samples(&mut *tx, agent.tenant_id, agent.site_id, &report.peers).await?;
    }
    db::path_health::insert_events(&mut *tx, agent.tenant_id, agent.site_id, &report.failover_events).await?;
    tx.commit().await?;
    if previous.health != health.as_str() {
        app.metrics.site_health_transition(&previous.health, health.as_str());
    }
    app.metrics.path_report(&report);
    // Counters restart with the agent: a report with a shorter uptime counts from zero.
    let restarted = previous.uptime_seconds.is_none_or(|u| u.0 > report.uptime_seconds);
    let before = if restarted { None } else { previous.xdp_guard.map(|c| c.0) };
    app.metrics.xdp_guard_report(report.xdp_guard.as_ref(), before.as_ref());
    app.metrics.shaping_report(previous.links().as_deref(), &report.links);
    Ok(StatusCode::NO_CONTENT)
}
