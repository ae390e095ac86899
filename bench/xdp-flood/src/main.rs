//! Flood benchmark of the agent's XDP guard (issue 15).
//!
//! Network namespaces `<prefix>r` (the router), `<prefix>a` and `<prefix>b` (two sites, one WAN
//! link each) and `<prefix>f` (a flooder), joined by veth pairs. Each site runs the agent's real
//! WireGuard dataplane (`WireGuard::start` + `apply`, in a process of its own started with
//! `ip netns exec`). iperf3 measures TCP through the tunnel from A to B, first unflooded, then
//! while the flooder sends to B's listen port as fast as one socket can: a third junk (random
//! lengths and bytes), a third data messages with random receiver indexes, a third handshake
//! initiations. Each run does this with the guard, without it (`--no-xdp-guard`'s equivalent),
//! and as a control with the flood sent to a port nobody listens on (what the flood costs the
//! machine however well it is filtered), in alternating order, and prints one `BENCH` line per
//! measurement.
//!
//! `patronus-xdp-flood run [--seconds N] [--runs N] [--prefix px-]` as root; bench/xdp_flood.sh
//! builds and runs it. `patronus-xdp-flood cost` measures the program's cost per packet instead:
//! the time the kernel reports for `BPF_PROG_TEST_RUN` with `repeat`, per kind of frame. The
//! other subcommands are its own helpers.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::UdpSocket;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use base64::Engine;
use patronus_agent::dataplane::guard::GuardOptions;
use patronus_agent::dataplane::wireguard::{DataplaneOptions, WireGuard};
use patronus_agent::dataplane::Dataplane;
use serde_json::{json, Value};

const PORT: u16 = 51820;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let opt = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    match args.get(1).map(String::as_str) {
        Some("run") => {
            let seconds: u64 = opt("--seconds").map_or(Ok(10), |s| s.parse())?;
            let runs: u32 = opt("--runs").map_or(Ok(3), |s| s.parse())?;
            let prefix = opt("--prefix").unwrap_or_else(|| "px-".to_owned());
            run(&prefix, seconds, runs)
        }
        Some("site") => site(
            &opt("--config").context("--config")?,
            &opt("--key").context("--key")?,
            args.iter().any(|a| a == "--no-xdp-guard"),
        ),
        Some("cost") => {
            cost(opt("--repeat").map_or(Ok(1_000_000), |s| s.parse())?, opt("--rounds").map_or(Ok(5), |s| s.parse())?)
        }
        Some("flood") => flood(&opt("--target").context("--target")?, opt("--seconds").context("--seconds")?.parse()?),
        _ => bail!(
            "usage: patronus-xdp-flood run [--seconds N] [--runs N] [--prefix P] | cost [--repeat N] [--rounds N]"
        ),
    }
}

fn sh(args: &[&str]) -> Result<()> {
    let status = Command::new(args[0]).args(&args[1..]).status().with_context(|| args.join(" "))?;
    if !status.success() {
        bail!("{} failed: {status}", args.join(" "));
    }
    Ok(())
}

/// The namespaces and links; removed when dropped.
struct Bed {
    prefix: String,
}

impl Bed {
    fn ns(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    fn create(prefix: &str) -> Result<Bed> {
        let bed = Bed { prefix: prefix.to_owned() };
        bed.remove();
        for n in ["r", "a", "b", "f"] {
            sh(&["ip", "netns", "add", &bed.ns(n)])?;
            sh(&["ip", "-n", &bed.ns(n), "link", "set", "lo", "up"])?;
        }
        sh(&["ip", "netns", "exec", &bed.ns("r"), "sysctl", "-qw", "net.ipv4.ip_forward=1"])?;
        for (n, m) in [("a", 1), ("b", 2), ("f", 3)] {
            let (inner, outer) = (format!("{n}-wan"), format!("r-{n}"));
            sh(&[
                "ip",
                "link",
                "add",
                &inner,
                "netns",
                &bed.ns(n),
                "type",
                "veth",
                "peer",
                "name",
                &outer,
                "netns",
                &bed.ns("r"),
            ])?;
            sh(&["ip", "-n", &bed.ns(n), "addr", "add", &format!("10.7{m}.0.2/24"), "dev", &inner])?;
            sh(&["ip", "-n", &bed.ns("r"), "addr", "add", &format!("10.7{m}.0.1/24"), "dev", &outer])?;
            sh(&["ip", "-n", &bed.ns(n), "link", "set", &inner, "up"])?;
            sh(&["ip", "-n", &bed.ns("r"), "link", "set", &outer, "up"])?;
            sh(&["ip", "-n", &bed.ns(n), "route", "add", "default", "via", &format!("10.7{m}.0.1")])?;
        }
        Ok(bed)
    }

    fn remove(&self) {
        for n in ["r", "a", "b", "f"] {
            let _ = Command::new("ip").args(["netns", "del", &self.ns(n)]).stderr(Stdio::null()).status();
        }
    }
}

impl Drop for Bed {
    fn drop(&mut self) {
        self.remove();
    }
}

/// A site's dataplane in its namespace; stopped when dropped.
struct Site {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl Site {
    fn start(ns: &str, config: &str, key: &str, guard: bool) -> Result<Site> {
        let me = std::env::current_exe()?;
        let me = me.to_str().context("path")?;
        let mut args = vec!["netns", "exec", ns, me, "site", "--config", config, "--key", key];
        if !guard {
            args.push("--no-xdp-guard");
        }
        let mut child = Command::new("ip").args(&args).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn()?;
        let stdin = child.stdin.take();
        let mut stdout = BufReader::new(child.stdout.take().context("stdout")?);
        let mut line = String::new();
        stdout.read_line(&mut line)?;
        if line.trim() != "ready" {
            bail!("site in {ns} did not start: {line:?}");
        }
        Ok(Site { child, stdin, stdout })
    }

    /// Stops the dataplane; what it said of its XDP guard and its drops.
    fn stop(mut self) -> Result<Value> {
        drop(self.stdin.take());
        let mut out = String::new();
        self.stdout.read_to_string(&mut out)?;
        let _ = self.child.wait();
        Ok(serde_json::from_str(out.trim()).unwrap_or(Value::Null))
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn site_config(n: u8, name: &str, peer: u8, peer_key: &str) -> Value {
    json!({
        "schema_version": 1, "revision": 1,
        "site_id": uuid::Uuid::from_u128(u128::from(n)), "site_name": name, "role": "edge",
        "overlay_address": format!("100.64.0.{n}/16"), "listen_port": PORT, "lan_prefixes": [],
        "links": [{"name": "wan", "interface": format!("{name}-wan"), "kind": "fiber",
                   "endpoint": format!("10.7{n}.0.2:{PORT}"), "bandwidth_up_mbps": 1000,
                   "bandwidth_down_mbps": 1000, "cost": 0, "priority": 10}],
        "peers": [{"site_id": uuid::Uuid::from_u128(u128::from(peer)), "site_name": "peer",
                   "public_key": peer_key, "allowed_ips": [format!("100.64.0.{peer}/32")],
                   "endpoints": [{"link": "wan", "address": format!("10.7{peer}.0.2:{PORT}"), "priority": 10, "cost": 0}],
                   "persistent_keepalive": 25}],
        "qos_classes": [], "policies": []
    })
}

fn key() -> ([u8; 32], String) {
    let secret = x25519_dalek::StaticSecret::random_from_rng(rand::rngs::OsRng);
    let public = x25519_dalek::PublicKey::from(&secret);
    (secret.to_bytes(), base64::engine::general_purpose::STANDARD.encode(public.as_bytes()))
}

/// TCP from `ns` to B's overlay address for `seconds`: bits per second received. Tried up to three
/// times: the server may still be closing the previous test.
fn iperf(ns: &str, seconds: u64) -> Result<f64> {
    let mut last = String::new();
    for _ in 0..3 {
        let out = Command::new("ip")
            .args(["netns", "exec", ns, "iperf3", "-c", "100.64.0.2", "-t", &seconds.to_string(), "-J"])
            .output()?;
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        if let Some(bps) = v["end"]["sum_received"]["bits_per_second"].as_f64() {
            return Ok(bps);
        }
        last = v["error"].as_str().map_or_else(|| String::from_utf8_lossy(&out.stderr).into_owned(), str::to_owned);
        eprintln!("iperf3 failed ({last}); again");
        std::thread::sleep(Duration::from_secs(1));
    }
    bail!("iperf3: {last}")
}

fn wait_for_tunnel(ns: &str) -> Result<()> {
    for _ in 0..50 {
        let ok = Command::new("ip")
            .args(["netns", "exec", ns, "ping", "-c", "1", "-W", "1", "100.64.0.2"])
            .stdout(Stdio::null())
            .status()?
            .success();
        if ok {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    bail!("the tunnel did not come up")
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

fn run(prefix: &str, seconds: u64, runs: u32) -> Result<()> {
    let bed = Bed::create(prefix)?;
    let dir = std::env::temp_dir().join(format!("{prefix}xdp-flood-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let ((ka, pa), (kb, pb)) = (key(), key());
    let hex = |k: [u8; 32]| k.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let files = [("a", 1u8, 2u8, &pb, ka), ("b", 2, 1, &pa, kb)].map(|(name, n, peer, peer_key, k)| {
        let path = dir.join(format!("{name}.json"));
        std::fs::write(&path, site_config(n, name, peer, peer_key).to_string()).map(|()| (path, hex(k)))
    });
    let [a, b] = files;
    let (a, b) = (a?, b?);
    let mut iperf_server = Command::new("ip")
        .args(["netns", "exec", &bed.ns("b"), "iperf3", "-s"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let result = (|| -> Result<()> {
        for run in 1..=runs {
            // Alternate the order, so a drift in the machine's load favours no mode. The control
            // floods a port nobody listens on (the kernel drops it after the UDP socket lookup):
            // what the flood costs the machine whatever filters it, the best any guard can do.
            let mut modes = [("on", true, PORT), ("off", false, PORT), ("closed-port", true, PORT + 1)];
            if run % 2 == 0 {
                modes.reverse();
            }
            for (label, guard, flood_port) in modes {
                let site_a = Site::start(&bed.ns("a"), a.0.to_str().context("path")?, &a.1, guard)?;
                let site_b = Site::start(&bed.ns("b"), b.0.to_str().context("path")?, &b.1, guard)?;
                wait_for_tunnel(&bed.ns("a"))?;
                let load = loadavg();
                let clean = iperf(&bed.ns("a"), seconds)?;
                let me = std::env::current_exe()?;
                let mut flooder = Command::new("ip")
                    .args(["netns", "exec", &bed.ns("f")])
                    .arg(&me)
                    .args([
                        "flood",
                        "--target",
                        &format!("10.72.0.2:{flood_port}"),
                        "--seconds",
                        &(seconds + 2).to_string(),
                    ])
                    .stdout(Stdio::piped())
                    .spawn()?;
                std::thread::sleep(Duration::from_secs(1));
                let flooded = iperf(&bed.ns("a"), seconds);
                let mut sent = String::new();
                if let Some(mut out) = flooder.stdout.take() {
                    out.read_to_string(&mut sent)?;
                }
                let _ = flooder.wait();
                let flooded = flooded?;
                drop(site_a);
                let status = site_b.stop()?;
                let c = &status["xdp_guard"]["counters"];
                let mode = status["xdp_guard"]["links"][0]["mode"].as_str().unwrap_or("off").to_owned();
                println!(
                    "BENCH run={run} mode={label} guard={} xdp_mode={mode} unflooded_mbps={:.0} flooded_mbps={:.0} kept={:.0}% \
                     flood_pps={} guard_dropped_malformed={} guard_dropped_unknown_index={} \
                     guard_dropped_initiation_rate={} node_refused={} loadavg=\"{load}\"",
                    if guard { "on" } else { "off" },
                    clean / 1e6,
                    flooded / 1e6,
                    100.0 * flooded / clean,
                    sent.trim(),
                    c["dropped_malformed"],
                    c["dropped_unknown_index"],
                    c["dropped_initiation_rate"],
                    status["node_refused"],
                );
                std::io::stdout().flush()?;
            }
        }
        Ok(())
    })();
    let _ = iperf_server.kill();
    let _ = iperf_server.wait();
    let _ = std::fs::remove_dir_all(&dir);
    drop(bed);
    result
}

/// One site's dataplane: prints `ready` once its document is applied, then on end of input its
/// XDP guard status and the datagrams its node refused, as JSON.
fn site(config: &str, key: &str, no_guard: bool) -> Result<()> {
    let config: patronus_api::SiteConfig = serde_json::from_str(&std::fs::read_to_string(config)?)?;
    let mut k = [0u8; 32];
    for (i, b) in k.iter_mut().enumerate() {
        *b = u8::from_str_radix(key.get(2 * i..2 * i + 2).context("key")?, 16)?;
    }
    let options = DataplaneOptions {
        tun_name: "px0".into(),
        xdp_guard: (!no_guard).then(GuardOptions::default),
        ..DataplaneOptions::default()
    };
    let mut wg = WireGuard::start(k, options)?;
    wg.apply(&config)?;
    println!("ready");
    std::io::stdout().flush()?;
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    let drops = wg.drops().node;
    let status = json!({
        "xdp_guard": wg.xdp_guard(),
        "node_refused": drops.invalid + drops.unknown_peer + drops.cookies_sent,
    });
    println!("{status}");
    Ok(())
}

/// Sends to `target` as fast as one socket can for `seconds`: junk, data messages with random
/// receiver indexes, handshake initiations, in turn. Prints datagrams sent per second.
fn flood(target: &str, seconds: u64) -> Result<()> {
    let socket = UdpSocket::bind("0.0.0.0:0")?;
    socket.connect(target)?;
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut buf = [0u8; 1500];
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut sent = 0u64;
    while Instant::now() < deadline {
        for i in 0..3000u32 {
            let r = next();
            let len = match i % 3 {
                0 => {
                    let len = 1 + (r % 200) as usize;
                    for chunk in buf[..len].chunks_mut(8) {
                        let bytes = next().to_le_bytes();
                        chunk.copy_from_slice(&bytes[..chunk.len()]);
                    }
                    len
                }
                1 => {
                    buf[..4].copy_from_slice(&[4, 0, 0, 0]);
                    buf[4..8].copy_from_slice(&(r as u32).to_le_bytes());
                    buf[8..16].copy_from_slice(&u64::from(i).to_le_bytes());
                    128
                }
                _ => {
                    buf[..4].copy_from_slice(&[1, 0, 0, 0]);
                    buf[4..12].copy_from_slice(&r.to_le_bytes());
                    148
                }
            };
            if socket.send(&buf[..len]).is_ok() {
                sent += 1;
            }
        }
    }
    println!("{:.0}", sent as f64 / started.elapsed().as_secs_f64());
    Ok(())
}

/// An Ethernet frame with an IPv4 UDP datagram to `port` carrying `payload`.
fn frame(port: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00, 0x45, 0];
    let udp_len = (8 + payload.len()) as u16;
    f.extend_from_slice(&(20 + udp_len).to_be_bytes());
    f.extend_from_slice(&[0, 1, 0x40, 0, 64, 17, 0, 0, 192, 0, 2, 1, 10, 0, 0, 2]);
    f.extend_from_slice(&40000u16.to_be_bytes());
    f.extend_from_slice(&port.to_be_bytes());
    f.extend_from_slice(&udp_len.to_be_bytes());
    f.extend_from_slice(&[0, 0]);
    f.extend_from_slice(payload);
    f
}

/// The guard's cost per packet by kind of frame, as `BPF_PROG_TEST_RUN` measures it: `rounds`
/// runs of `repeat` repetitions each; prints each round's nanoseconds per packet.
fn cost(repeat: u32, rounds: u32) -> Result<()> {
    use patronus_agent::dataplane::guard::{Guard, XDP_DROP, XDP_PASS};
    let mut guard = Guard::load()?;
    guard.configure(PORT, GuardOptions::default())?;
    let session = 0x00ab_cdefu32;
    guard.issue(session)?;
    let data = |len: usize, receiver: u32| {
        let mut m = vec![0x5au8; len];
        m[..4].copy_from_slice(&[4, 0, 0, 0]);
        m[4..8].copy_from_slice(&receiver.to_le_bytes());
        m
    };
    let mut initiation = vec![0x5au8; 148];
    initiation[..4].copy_from_slice(&[1, 0, 0, 0]);
    let cases = [
        ("udp to another port (not inspected)", frame(53, &[0u8; 64]), XDP_PASS),
        ("data 1452 B, issued index (pass)", frame(PORT, &data(1452, session << 8)), XDP_PASS),
        ("data 128 B, unknown index (drop)", frame(PORT, &data(128, 0x0012_3456 << 8)), XDP_DROP),
        ("junk 100 B (drop, malformed)", frame(PORT, &[0xffu8; 100]), XDP_DROP),
        // After the burst, every one is over the rate: the bucket lookup and update each time.
        ("initiation over the rate (drop)", frame(PORT, &initiation), XDP_DROP),
    ];
    println!(
        "COST repeat={repeat} rounds={rounds} cpus={}",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    for (what, f, expected) in &cases {
        let mut ns = Vec::new();
        for _ in 0..rounds {
            let (verdict, per_run) = guard.test_run(f, repeat)?;
            if verdict != *expected {
                bail!("{what}: verdict {verdict}, expected {expected}");
            }
            ns.push(per_run.as_nanos() as u64);
        }
        let (min, max) = (ns.iter().min().copied().unwrap_or(0), ns.iter().max().copied().unwrap_or(0));
        let mut sorted = ns.clone();
        sorted.sort_unstable();
        let median = sorted.get(sorted.len() / 2).copied().unwrap_or(0);
        println!("COST {what}: ns/packet per round {ns:?}, median {median}, min {min}, max {max}");
    }
    Ok(())
}
