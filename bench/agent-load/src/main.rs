//! Enrolls N simulated agents against one or more running servers (real HTTP, real enrollment
//! tokens, real long polls), parks them all, then makes one API write that changes every
//! agent's document and measures how long each agent takes to hold the new hash. Also samples
//! the servers' resident memory and CPU while the agents are parked.
//!
//! Agents are split round-robin across `--server` URLs; the write goes to the first one, so with
//! two replicas and Redis half the agents learn of it through the other replica.
//!
//! With `--learned-routes N`, the write is instead the first site's agent reporting N prefixes
//! learned over BGP (`PUT /v1/agent/bgp/routes`), which every other site's document takes as that
//! site's allowed IPs; the first site's own document does not change, so its agent is not parked.
#![allow(clippy::print_stdout)] // a command-line benchmark: its results go to stdout

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use base64::Engine;
use clap::Parser;
use futures::stream::{self, StreamExt};
use rand::RngCore;
use serde_json::{json, Value};
use tokio::sync::watch;

#[derive(Parser)]
struct Args {
    /// Server base URLs; agents are spread over them, the write goes to the first.
    #[arg(long, value_delimiter = ',', required = true)]
    server: Vec<String>,
    /// Process ids of the servers, for memory and CPU samples.
    #[arg(long, value_delimiter = ',')]
    pid: Vec<u32>,
    /// A tenant admin API token.
    #[arg(long, env = "PATRONUS_TOKEN")]
    token: String,
    #[arg(long, default_value_t = 1000)]
    agents: usize,
    /// `full_mesh` or `hub_and_spoke`.
    #[arg(long, default_value = "full_mesh")]
    topology: String,
    #[arg(long, default_value_t = 4)]
    hubs: usize,
    /// Requests in flight while setting up.
    #[arg(long, default_value_t = 16)]
    setup_concurrency: usize,
    /// After enrolling: this many sequential site creates and as many link updates, timed one by
    /// one (the write cost at this tenant size).
    #[arg(long, default_value_t = 0)]
    write_samples: usize,
    /// Skip parking the agents and the fan-out measurement.
    #[arg(long)]
    no_fanout: bool,
    /// Instead of measuring a fan-out: keep every agent long-polling with its credential until
    /// the process is killed, and print one status line a second (see `hold`). SIGUSR1 sets
    /// the mark that `since_mark` counts from. The restore drill (tests/restore/run) uses it.
    #[arg(long, conflicts_with_all = ["no_fanout", "write_samples"])]
    hold: bool,
    /// The write is the first site's agent reporting this many learned BGP prefixes.
    #[arg(long, default_value_t = 0, conflicts_with = "hold")]
    learned_routes: usize,
}

#[derive(Clone)]
struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value> {
        let mut req = self.http.request(method.clone(), format!("{}{path}", self.base)).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await?;
        let status = resp.status();
        let text = resp.text().await?;
        if !status.is_success() {
            bail!("{method} {path}: {status} {text}");
        }
        Ok(if text.is_empty() { Value::Null } else { serde_json::from_str(&text)? })
    }
}

/// Resident memory (KiB) and CPU seconds used so far, from /proc.
fn sample(pid: u32) -> Option<(u64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss = status.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()?;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some((rss, ticks / 100.0))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Times sequential writes one by one: new sites (with a link, unenrolled) and cost changes of
/// enrolled sites' links, whose peers' documents change with them.
async fn write_cost(admin: &Api, args: &Args, sites: &[(String, String)]) -> Result<()> {
    let cpu = |pid: Option<&u32>| pid.and_then(|&p| sample(p)).map_or(0.0, |s| s.1);
    let report = |what: &str, mut times: Vec<Duration>, cpu_s: f64| {
        times.sort();
        println!(
            "{what} in a {}-site {} tenant, {} sequential: p50 {} p90 {} p99 {} max {}; server CPU {:.2} ms per write",
            args.agents,
            args.topology,
            times.len(),
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.9)),
            ms(percentile(&times, 0.99)),
            ms(*times.last().unwrap_or(&Duration::ZERO)),
            cpu_s * 1000.0 / times.len().max(1) as f64
        );
    };
    let base = args.agents;
    let cpu0 = cpu(args.pid.first());
    let mut times = Vec::with_capacity(args.write_samples);
    for i in 0..args.write_samples {
        let n = base + i;
        let body = json!({"name": format!("load-{n}"), "lan_prefixes": [format!("10.{}.{}.0/24", n / 256 % 256, n % 256)],
            "links": [{"name": "fiber", "interface": "eth0", "endpoint": format!("198.19.{}.{}:51820", n / 256 % 256, n % 256),
                "bandwidth_up_mbps": 100, "bandwidth_down_mbps": 100}]});
        let at = Instant::now();
        admin.call(reqwest::Method::POST, "/v1/sites", Some(body)).await?;
        times.push(at.elapsed());
    }
    report("site create", times, cpu(args.pid.first()) - cpu0);
    let cpu0 = cpu(args.pid.first());
    let mut times = Vec::with_capacity(args.write_samples);
    for i in 0..args.write_samples {
        // Spokes (past the hubs), spread over the tenant.
        let (_, link) = &sites[(args.hubs + i * 7919) % sites.len().max(1)];
        let at = Instant::now();
        admin.call(reqwest::Method::PATCH, &format!("/v1/links/{link}"), Some(json!({"cost": i + 1}))).await?;
        times.push(at.elapsed());
    }
    report("link update (enrolled site)", times, cpu(args.pid.first()) - cpu0);
    Ok(())
}

fn unix_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// Keeps every agent long-polling like the real agent (the hash from the ETag, `If-None-Match`,
/// failures retried with backoff up to 5 s, never enrolling again) until the process is killed.
/// Prints a line a second: `hold at_ms=.. agents=.. holding=.. since_mark=.. unauthorized=..
/// failed=..`, where `holding` counts agents that hold a document, `since_mark` those that got a
/// new document (a 200) after the last SIGUSR1, `unauthorized` the 401s and `failed` the other
/// failed polls (status or transport) since the start.
async fn hold(http: &reqwest::Client, servers: &[String], credentials: Vec<String>) -> Result<()> {
    let agents = credentials.len();
    let last_document: Arc<Vec<std::sync::atomic::AtomicU64>> =
        Arc::new((0..agents).map(|_| std::sync::atomic::AtomicU64::new(0)).collect());
    let unauthorized = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    for (i, credential) in credentials.into_iter().enumerate() {
        let base = servers[i % servers.len()].clone();
        let http = http.clone();
        let last_document = last_document.clone();
        let unauthorized = unauthorized.clone();
        let failed = failed.clone();
        tokio::spawn(async move {
            let mut held: Option<String> = None;
            let mut backoff = Duration::from_millis(100);
            loop {
                let mut req = http.get(format!("{base}/v1/agent/config?wait=60")).bearer_auth(&credential);
                if let Some(h) = &held {
                    req = req.header("if-none-match", format!("\"{h}\""));
                }
                let answer = async {
                    let resp = req.send().await?;
                    let status = resp.status();
                    let etag = resp
                        .headers()
                        .get("etag")
                        .and_then(|v| v.to_str().ok())
                        .map(|s| s.trim_matches('"').to_string());
                    resp.bytes().await?;
                    Ok::<_, reqwest::Error>((status, etag))
                }
                .await;
                match answer {
                    Ok((reqwest::StatusCode::NOT_MODIFIED, _)) => backoff = Duration::from_millis(100),
                    Ok((status, Some(etag))) if status.is_success() => {
                        held = Some(etag);
                        last_document[i].store(unix_ms(), Ordering::SeqCst);
                        backoff = Duration::from_millis(100);
                    }
                    other => {
                        if matches!(other, Ok((reqwest::StatusCode::UNAUTHORIZED, _))) {
                            unauthorized.fetch_add(1, Ordering::SeqCst);
                        } else {
                            failed.fetch_add(1, Ordering::SeqCst);
                        }
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(Duration::from_secs(5));
                    }
                }
            }
        });
    }
    let mut marks = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::user_defined1())?;
    let mut mark = u64::MAX;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = marks.recv() => {
                mark = unix_ms();
                println!("mark at_ms={mark}");
            }
        }
        let times: Vec<u64> = last_document.iter().map(|t| t.load(Ordering::SeqCst)).collect();
        println!(
            "hold at_ms={} agents={agents} holding={} since_mark={} unauthorized={} failed={}",
            unix_ms(),
            times.iter().filter(|&&t| t > 0).count(),
            times.iter().filter(|&&t| t >= mark).count(),
            unauthorized.load(Ordering::SeqCst),
            failed.load(Ordering::SeqCst)
        );
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let http =
        reqwest::Client::builder().pool_max_idle_per_host(usize::MAX).timeout(Duration::from_secs(120)).build()?;
    let admin = Api { http: http.clone(), base: args.server[0].clone(), token: args.token.clone() };

    let started = Instant::now();
    admin
        .call(
            reqwest::Method::PUT,
            "/v1/topology",
            Some(json!({"mode": args.topology, "overlay_prefix": "100.64.0.0/10"})),
        )
        .await?;
    // Each site with its link in one request (the link inline in the site's body).
    let sites: Vec<(String, String)> = stream::iter(0..args.agents)
        .map(|i| {
            let admin = admin.clone();
            let role = if args.topology == "hub_and_spoke" && i < args.hubs { "hub" } else { "edge" };
            async move {
                let site = admin
                    .call(
                        reqwest::Method::POST,
                        "/v1/sites",
                        Some(json!({"name": format!("load-{i}"), "role": role,
                            "lan_prefixes": [format!("10.{}.{}.0/24", i / 256, i % 256)],
                            "links": [{"name": "fiber", "interface": "eth0",
                                "endpoint": format!("198.18.{}.{}:51820", i / 256, i % 256),
                                "bandwidth_up_mbps": 100, "bandwidth_down_mbps": 100}]})),
                    )
                    .await?;
                let id = site["id"].as_str().context("site id")?.to_string();
                let link = site["links"][0]["id"].as_str().context("link id")?.to_string();
                Ok::<_, anyhow::Error>((id, link))
            }
        })
        .buffered(args.setup_concurrency)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_>>()?;
    let site_ids: Vec<String> = sites.iter().map(|(s, _)| s.clone()).collect();
    eprintln!("created {} sites with a link each in {:.1} s", site_ids.len(), started.elapsed().as_secs_f64());

    // Baseline before any agent exists.
    let baseline: Vec<(u64, f64)> = args.pid.iter().filter_map(|&p| sample(p)).collect();

    let started = Instant::now();
    let credentials: Vec<String> = stream::iter(site_ids.iter().cloned())
        .map(|id| {
            let admin = admin.clone();
            let http = http.clone();
            async move {
                let token = admin
                    .call(reqwest::Method::POST, &format!("/v1/sites/{id}/enrollment-tokens"), Some(json!({})))
                    .await?;
                let mut key = [0u8; 32];
                rand::thread_rng().fill_bytes(&mut key);
                let enrolled: Value = http
                    .post(format!("{}/v1/agent/enroll", admin.base))
                    .json(&json!({"token": token["token"], "hostname": "load", "agent_version": "load",
                        "public_key": base64::engine::general_purpose::STANDARD.encode(key)}))
                    .send()
                    .await?
                    .error_for_status()?
                    .json()
                    .await?;
                Ok::<_, anyhow::Error>(enrolled["credential"].as_str().context("credential")?.to_string())
            }
        })
        .buffered(args.setup_concurrency)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_>>()?;
    eprintln!("enrolled {} agents in {:.1} s", credentials.len(), started.elapsed().as_secs_f64());

    if args.write_samples > 0 {
        write_cost(&admin, &args, &sites).await?;
    }
    let learned = (args.learned_routes > 0).then(|| learned_report(args.learned_routes));
    if learned.is_some() {
        // The first site runs BGP with one neighbour on its LAN (10.0.0.0/24) and imports.
        admin
            .call(
                reqwest::Method::PUT,
                &format!("/v1/sites/{}/bgp", site_ids[0]),
                Some(json!({"neighbors": [{"address": "10.0.0.2", "remote_asn": 65010}], "overlay_import": true,
                    "max_learned_prefixes": args.learned_routes})),
            )
            .await?;
    }
    let reporter = credentials.first().cloned().context("no agents")?;
    if args.no_fanout {
        return Ok(());
    }
    if args.hold {
        return hold(&http, &args.server, credentials).await;
    }

    // Each agent fetches its document, then parks on it until the hash changes.
    let parked = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let (go, _) = watch::channel(None::<Instant>);
    let mut agents = Vec::new();
    for (i, credential) in credentials.into_iter().enumerate() {
        if learned.is_some() && i == 0 {
            continue; // the reporting site: its own document does not change
        }
        let base = args.server[i % args.server.len()].clone();
        let http = http.clone();
        let parked = parked.clone();
        let errors = errors.clone();
        let mut go = go.subscribe();
        agents.push(tokio::spawn(async move {
            // Like the agent: the hash comes from the ETag, errors are retried with backoff.
            let fetch = |held: Option<String>| {
                let mut req = http.get(format!("{base}/v1/agent/config?wait=60")).bearer_auth(&credential);
                if let Some(h) = held {
                    req = req.header("if-none-match", format!("\"{h}\""));
                }
                async move {
                    let resp = req.send().await?;
                    let status = resp.status();
                    let etag = resp
                        .headers()
                        .get("etag")
                        .and_then(|v| v.to_str().ok())
                        .map(|s| s.trim_matches('"').to_string());
                    resp.bytes().await?;
                    Ok::<_, anyhow::Error>((status, etag))
                }
            };
            let mut held: Option<String> = None;
            let mut counted = false;
            let mut backoff = Duration::from_millis(100);
            loop {
                let poll = fetch(held.clone());
                if held.is_some() && !counted {
                    parked.fetch_add(1, Ordering::SeqCst);
                    counted = true;
                }
                let (status, etag) = poll.await.unwrap_or((reqwest::StatusCode::SERVICE_UNAVAILABLE, None));
                if status == reqwest::StatusCode::NOT_MODIFIED {
                    continue;
                }
                if !status.is_success() {
                    errors.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                    continue;
                }
                let etag = etag.context("no ETag")?;
                match &held {
                    None => held = Some(etag),
                    Some(h) if *h != etag => {
                        let at = Instant::now();
                        let sent = go.wait_for(Option::is_some).await?.context("write time")?;
                        return Ok::<_, anyhow::Error>(at.saturating_duration_since(sent));
                    }
                    Some(_) => {}
                }
            }
        }));
    }
    while parked.load(Ordering::SeqCst) < agents.len() {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Let the last polls reach the server and park there.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let before_idle: Vec<(u64, f64)> = args.pid.iter().filter_map(|&p| sample(p)).collect();
    tokio::time::sleep(Duration::from_secs(10)).await;
    let after_idle: Vec<(u64, f64)> = args.pid.iter().filter_map(|&p| sample(p)).collect();
    for (i, ((b, idle0), idle1)) in baseline.iter().zip(&before_idle).zip(&after_idle).enumerate() {
        let per_agent =
            (idle1.0.saturating_sub(b.0)) as f64 * 1024.0 / (agents.len() as f64 / args.server.len() as f64);
        println!(
            "server {i}: RSS {} MiB before agents, {} MiB with {} parked: {:.1} KB per parked agent; idle CPU {:.1}% over 10 s",
            b.0 / 1024,
            idle1.0 / 1024,
            agents.len() / args.server.len(),
            per_agent / 1000.0,
            (idle1.1 - idle0.1) / 10.0 * 100.0
        );
    }

    let cpu = |pid: Option<&u32>| pid.and_then(|&p| sample(p)).map_or(0.0, |s| s.1);
    let cpu0 = cpu(args.pid.first());
    let sent = Instant::now();
    go.send_replace(Some(sent));
    let reporter_api = Api { http: http.clone(), base: admin.base.clone(), token: reporter };
    match &learned {
        // The first site's agent reports its BGP table: a change of every other document.
        Some(report) => {
            let answer = reporter_api.call(reqwest::Method::PUT, "/v1/agent/bgp/routes", Some(report.clone())).await?;
            if answer["accepted"].as_u64() != Some(args.learned_routes as u64) {
                bail!("the report was not accepted whole: {answer}");
            }
        }
        // One write that changes every document: a QoS class applies to every site.
        None => {
            admin
                .call(
                    reqwest::Method::POST,
                    "/v1/qos-classes",
                    Some(json!({"name": "fanout-probe", "priority": 2, "dscp": 34, "guaranteed_percent": 10})),
                )
                .await?;
        }
    }
    let write = sent.elapsed();
    let mut latencies = Vec::with_capacity(agents.len());
    for a in agents {
        latencies.push(a.await??);
    }
    latencies.sort();
    let fanout_cpu = cpu(args.pid.first()) - cpu0;
    println!("failed polls retried (429/503/transport), whole run: {}", errors.load(Ordering::SeqCst));
    println!(
        "fan-out to {} agents over {} server(s), {}: write answered in {}; agent holds new hash p50 {} p99 {} max {}",
        latencies.len(),
        args.server.len(),
        args.topology,
        ms(write),
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.99)),
        ms(*latencies.last().context("no agents")?)
    );
    if let Some(report) = &learned {
        println!("server CPU from the report to the last agent holding its document: {:.1} ms", fanout_cpu * 1000.0);
        // What the agents got: the reporting site's peer entry in another site's document.
        let other = Api { http: http.clone(), base: admin.base.clone(), token: admin.token.clone() };
        let doc = other.call(reqwest::Method::GET, &format!("/v1/sites/{}/config", site_ids[1]), None).await?;
        let entry = doc["config"]["peers"]
            .as_array()
            .and_then(|peers| peers.iter().find(|p| p["site_id"] == site_ids[0].as_str()))
            .context("the reporting site is not a peer")?;
        let allowed = entry["allowed_ips"].as_array().map_or(0, Vec::len);
        if allowed != args.learned_routes + 2 {
            bail!("{allowed} allowed IPs for the reporting site, expected {}", args.learned_routes + 2);
        }
        println!(
            "a peer's document lists the reporting site with {allowed} allowed IPs (LAN, overlay address, learned)"
        );
        // The same table again: no change, no lock, no fan-out.
        let mut same = Vec::new();
        for _ in 0..20 {
            let at = Instant::now();
            reporter_api.call(reqwest::Method::PUT, "/v1/agent/bgp/routes", Some(report.clone())).await?;
            same.push(at.elapsed());
        }
        same.sort();
        println!("identical report (no-op), 20 sequential: p50 {} max {}", ms(percentile(&same, 0.5)), ms(same[19]));
        // Announce and withdraw the whole table, timed one by one (the agents have their
        // documents and stopped polling: this is the write and its recompile, without fan-out).
        let cpu0 = cpu(args.pid.first());
        let (mut announce, mut withdraw) = (Vec::new(), Vec::new());
        for _ in 0..LEARNED_CYCLES {
            let at = Instant::now();
            reporter_api.call(reqwest::Method::PUT, "/v1/agent/bgp/routes", Some(json!({"routes": []}))).await?;
            withdraw.push(at.elapsed());
            let at = Instant::now();
            reporter_api.call(reqwest::Method::PUT, "/v1/agent/bgp/routes", Some(report.clone())).await?;
            announce.push(at.elapsed());
        }
        let per_write = (cpu(args.pid.first()) - cpu0) * 1000.0 / (2 * LEARNED_CYCLES) as f64;
        for (what, mut times) in [("withdrawal of all", withdraw), ("announcement of all", announce)] {
            times.sort();
            println!(
                "{what} {} learned prefixes, {LEARNED_CYCLES} sequential (no agent polling): p50 {} p90 {} max {}",
                args.learned_routes,
                ms(percentile(&times, 0.5)),
                ms(percentile(&times, 0.9)),
                ms(*times.last().context("no samples")?)
            );
        }
        println!("server CPU per announcement or withdrawal: {per_write:.1} ms");
    }
    Ok(())
}

/// Announce-and-withdraw cycles timed after the fan-out.
const LEARNED_CYCLES: usize = 20;

/// A BGP table of `n` distinct /24s in 172.16.0.0/12, learned from the neighbour 10.0.0.2.
fn learned_report(n: usize) -> Value {
    let routes: Vec<Value> = (0..n)
        .map(|k| {
            json!({"prefix": format!("172.{}.{}.0/24", 16 + k / 256, k % 256), "neighbor": "10.0.0.2",
                "as_path": "65010 65020", "communities": ["65010:100"]})
        })
        .collect();
    json!({ "routes": routes })
}
