//! The agent's FRR against two customer routers' FRR, each in its own network namespace
//! (`pg-<pid>-a`, `-c`, `-d`): sessions, BFD, the import filter, a password mismatch, the maximum
//! number of prefixes, and a reload that leaves an unchanged neighbour's session up. Needs root,
//! `ip` and FRR (Debian `frr` and `frr-pythontools`, installed here through `scripts/lib.sh`'s
//! `apt_install` when missing); skipped, with the reason printed, otherwise.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use patronus_api::{
    BgpAction, BgpPrefixList, BgpPrefixListEntry, BgpRouteMap, BgpRouteMapEntry, ConfigBgp, ConfigBgpNeighbor,
};

use super::*;

fn sh(args: &[&str]) -> bool {
    Command::new(args[0]).args(&args[1..]).status().map(|s| s.success()).unwrap_or(false)
}

fn must(args: &[&str]) {
    assert!(sh(args), "command failed: {}", args.join(" "));
}

fn is_root() -> bool {
    crate::dataplane::wireguard::is_root()
}

fn skip_reason() -> Option<String> {
    if !is_root() {
        return Some("not root".into());
    }
    if !sh(&["sh", "-c", "command -v ip >/dev/null"]) {
        return Some("`ip` is missing".into());
    }
    if Frr::installed().is_err() {
        let lib = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/lib.sh");
        println!("installing FRR (frr, frr-pythontools) through {lib}");
        let _ = sh(&["bash", "-c", &format!("set -e; source {lib}; apt_install frr frr-pythontools")]);
    }
    if let Err(e) = Frr::installed() {
        return Some(e.to_string());
    }
    None
}

/// The namespaces, FRR instances and files of one run; all removed when dropped, also when an
/// assertion fails.
struct Lab {
    ns: Vec<String>,
    frr: Vec<Frr>,
    files: Vec<PathBuf>,
}

impl Drop for Lab {
    fn drop(&mut self) {
        for f in &self.frr {
            f.stop();
        }
        for n in &self.ns {
            let _ = Command::new("ip").args(["netns", "del", n]).status();
            let _ = std::fs::remove_dir_all(format!("/var/run/frr/{n}"));
        }
        for f in &self.files {
            let _ = std::fs::remove_file(f);
        }
    }
}

const AGENT: usize = 0;
const CUSTOMER_C: usize = 1;
const CUSTOMER_D: usize = 2;

/// `a` joined to `c` over 10.201.1.0/24 and to `d` over 10.201.2.0/24 (`a` is .1).
fn lab(tag: &str) -> Lab {
    let names: Vec<String> = ["a", "c", "d"].iter().map(|s| format!("pg-{tag}-{s}")).collect();
    let mut lab = Lab { ns: names.clone(), frr: Vec::new(), files: Vec::new() };
    for n in &names {
        let _ = Command::new("ip").args(["netns", "del", n]).stderr(std::process::Stdio::null()).status();
        must(&["ip", "netns", "add", n]);
        must(&["ip", "-n", n, "link", "set", "lo", "up"]);
    }
    for (i, peer) in [(1, &names[1]), (2, &names[2])] {
        let (inner, outer) = (format!("pg{tag}a{i}"), format!("pg{tag}p{i}"));
        must(&["ip", "link", "add", &inner, "netns", &names[0], "type", "veth", "peer", "name", &outer, "netns", peer]);
        must(&["ip", "-n", &names[0], "addr", "add", &format!("10.201.{i}.1/24"), "dev", &inner]);
        must(&["ip", "-n", peer, "addr", "add", &format!("10.201.{i}.2/24"), "dev", &outer]);
        must(&["ip", "-n", &names[0], "link", "set", &inner, "up"]);
        must(&["ip", "-n", peer, "link", "set", &outer, "up"]);
    }
    for n in &names {
        let conf = PathBuf::from(format!("/tmp/{n}.conf"));
        lab.files.push(conf.clone());
        lab.files.push(conf.with_extension("conf.new"));
        lab.frr.push(Frr::new(n, Some(n), &conf));
    }
    lab
}

fn net(s: &str) -> patronus_api::IpNet {
    s.parse().unwrap()
}

fn addr(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn neighbor(address: &str, remote_asn: u32, password: Option<&str>) -> ConfigBgpNeighbor {
    ConfigBgpNeighbor {
        address: addr(address),
        remote_asn,
        description: format!("test peer AS{remote_asn}"),
        password: password.map(Into::into),
        keepalive: 3,
        hold_time: 9,
        bfd: false,
        route_map_in: None,
        route_map_out: None,
    }
}

fn plain(local_asn: u32, router_id: &str, neighbors: Vec<ConfigBgpNeighbor>, networks: &[&str]) -> BgpSettings {
    BgpSettings {
        bgp: ConfigBgp {
            local_asn,
            router_id: router_id.parse().unwrap(),
            neighbors,
            networks: networks.iter().map(|n| net(n)).collect(),
            prefix_lists: vec![],
            route_maps: vec![],
            overlay_import: true,
            max_learned_prefixes: 1000,
        },
        overlay_prefixes: vec![],
        overlay_network: None,
    }
}

/// Site A: imports 10.50.0.0/16 and 10.60.0.0/16 up to /24 only (local preference 200), at most
/// 3 prefixes a neighbour, and advertises its network 10.1.0.0/24 and another site's 10.2.0.0/24.
fn agent_settings(password_c: &str, keepalive_c: u16, hold_c: u16) -> BgpSettings {
    let mut c = neighbor("10.201.1.2", 65050, Some(password_c));
    (c.keepalive, c.hold_time) = (keepalive_c, hold_c);
    let mut d = neighbor("10.201.2.2", 65060, None);
    d.bfd = true;
    for n in [&mut c, &mut d] {
        n.route_map_in = Some("from-customers".into());
    }
    let mut s = plain(65001, "10.201.1.1", vec![c, d], &["10.1.0.0/24"]);
    s.overlay_prefixes = vec![net("10.2.0.0/24")];
    let permit = |p: &str| BgpPrefixListEntry { action: BgpAction::Permit, prefix: net(p), ge: None, le: Some(24) };
    s.bgp.prefix_lists = vec![BgpPrefixList {
        name: "customers".into(),
        entries: vec![permit("10.50.0.0/16"), permit("10.60.0.0/16"), {
            let mut e = permit("10.2.0.0/16");
            e.le = Some(25);
            e
        }],
    }];
    s.bgp.route_maps = vec![BgpRouteMap {
        name: "from-customers".into(),
        entries: vec![BgpRouteMapEntry {
            action: BgpAction::Permit,
            match_prefix_list: Some("customers".into()),
            match_communities: vec![],
            set_local_preference: Some(200),
            set_med: None,
            set_communities: vec![],
        }],
    }];
    s.bgp.max_learned_prefixes = 3;
    s
}

fn customer_c(networks: &[&str]) -> BgpSettings {
    plain(65050, "10.201.1.2", vec![neighbor("10.201.1.1", 65001, Some("s3cret"))], networks)
}

fn wait_for<T>(what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out after {timeout:?} waiting for {what}");
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn session(report: &BgpReport, neighbor: &str) -> SessionState {
    report.sessions.iter().find(|s| s.neighbor == addr(neighbor)).cloned().unwrap()
}

// `cargo test --workspace` as root would install FRR and add ~45 s: scripts/test runs it apart,
// with `cargo test -p patronus-agent --lib bgp::netns -- --ignored --nocapture`.
#[test]
#[ignore = "needs root and FRR (installs it) and ~45 s; scripts/test runs it with --ignored"]
fn frr_sessions_filters_password_mismatch_maximum_prefix_and_reload() {
    if let Some(why) = skip_reason() {
        println!("skipped: the BGP namespace test needs root, ip and FRR ({why})");
        return;
    }
    let tag = format!("{}", std::process::id() % 100_000);
    let mut lab = lab(&tag);

    // Arrange: C advertises 10.50.0.0/24 (and 10.99.99.0/24, which A's import filter refuses),
    // D advertises 10.60.0.0/24.
    assert_eq!(lab.frr[CUSTOMER_C].apply(&customer_c(&["10.50.0.0/24", "10.99.99.0/24"])).unwrap(), Applied::Started);
    let mut a_at_d = neighbor("10.201.2.1", 65001, None);
    a_at_d.bfd = true;
    let d = plain(65060, "10.201.2.2", vec![a_at_d.clone()], &["10.60.0.0/24"]);
    assert_eq!(lab.frr[CUSTOMER_D].apply(&d).unwrap(), Applied::Started);
    assert_eq!(lab.frr[AGENT].apply(&agent_settings("s3cret", 3, 9)).unwrap(), Applied::Started);

    // Both sessions come up; only what the import filter permits is learned, with its local
    // preference; C receives A's networks.
    let report = wait_for("both sessions up and 10.50.0.0/24 learned", Duration::from_secs(60), || {
        let r = lab.frr[AGENT].read().ok()?;
        let up = r.sessions.len() == 2 && r.sessions.iter().all(SessionState::established);
        (up && r.learned.len() == 2).then_some(r)
    });
    let learned: Vec<(String, IpAddr, Option<u32>)> =
        report.learned.iter().map(|r| (r.prefix.to_string(), r.neighbor, r.local_preference)).collect();
    assert_eq!(
        learned,
        vec![
            ("10.50.0.0/24".to_string(), addr("10.201.1.2"), Some(200)),
            ("10.60.0.0/24".to_string(), addr("10.201.2.2"), Some(200))
        ]
    );
    assert!(report.sessions.iter().all(|s| s.problem.is_none()), "{:?}", report.sessions);
    let at_c = wait_for("C learns A's networks", Duration::from_secs(20), || {
        let r = lab.frr[CUSTOMER_C].read().ok()?;
        let prefixes: Vec<String> = r.learned.iter().map(|r| r.prefix.to_string()).collect();
        prefixes.contains(&"10.2.0.0/24".to_string()).then_some(prefixes)
    });
    assert!(at_c.contains(&"10.1.0.0/24".to_string()), "{at_c:?}");
    assert!(!at_c.contains(&"10.60.0.0/24".to_string()), "A passed D's route on to C: {at_c:?}");
    assert_eq!(lab.frr[AGENT].apply(&agent_settings("s3cret", 3, 9)).unwrap(), Applied::Unchanged);
    // BFD with D: bfdd was started with the others, and the BFD session comes up.
    assert!(lab.frr[AGENT].pid("bfdd").is_some());
    wait_for("the BFD session with D up", Duration::from_secs(30), || {
        let peers: serde_json::Value = serde_json::from_str(&lab.frr[AGENT].vtysh("show bfd peers json").ok()?).ok()?;
        let up = peers.as_array()?.iter().any(|p| p["peer"] == "10.201.2.2" && p["status"] == "up");
        up.then_some(())
    });

    // A reload that changes only C's timers leaves D's session up: same connection count, its
    // uptime keeps growing.
    let d_before = session(&report, "10.201.2.2");
    let since = Instant::now();
    let changed = agent_settings("s3cret", 4, 12);
    assert_eq!(lab.frr[AGENT].apply(&changed).unwrap(), Applied::Reloaded);
    let running = lab.frr[AGENT].vtysh("show running-config").unwrap();
    assert!(running.contains("neighbor 10.201.1.2 timers 4 12"), "{running}");
    std::thread::sleep(Duration::from_secs(5));
    let d_after = session(&lab.frr[AGENT].read().unwrap(), "10.201.2.2");
    assert!(d_after.established(), "{d_after:?}");
    assert_eq!(d_after.connections_established, d_before.connections_established, "{d_after:?}");
    let grown = d_after.uptime.unwrap().saturating_sub(d_before.uptime.unwrap());
    assert!(grown + Duration::from_secs(2) >= since.elapsed(), "D's uptime was reset: {d_before:?} then {d_after:?}");

    // A password that differs from C's: the session stays down and the reader says why; D is
    // untouched.
    lab.frr[AGENT].apply(&agent_settings("wrong", 3, 9)).unwrap();
    let c = wait_for("a password mismatch reported for C", Duration::from_secs(60), || {
        let s = session(&lab.frr[AGENT].read().ok()?, "10.201.1.2");
        (s.problem == Some(SessionProblem::PasswordMismatch)).then_some(s)
    });
    assert!(!c.established());
    println!("C with a wrong password: state {}, problem: {}", c.state, c.problem.as_ref().unwrap());
    let d_now = session(&lab.frr[AGENT].read().unwrap(), "10.201.2.2");
    assert!(d_now.established() && d_now.connections_established == d_before.connections_established, "{d_now:?}");

    // The right password again: up again.
    lab.frr[AGENT].apply(&agent_settings("s3cret", 3, 9)).unwrap();
    wait_for("C up again with the right password", Duration::from_secs(60), || {
        let s = session(&lab.frr[AGENT].read().ok()?, "10.201.1.2");
        (s.established() && s.problem.is_none()).then_some(())
    });

    // C sends 4 prefixes, one over the maximum of 3: FRR 8.4 checks before it counts the new
    // prefix, so it keeps all 4 and the session up; the reader reports it over the maximum.
    let four = ["10.50.0.0/24", "10.50.1.0/24", "10.50.2.0/24", "10.50.3.0/24"];
    assert_eq!(lab.frr[CUSTOMER_C].apply(&customer_c(&four)).unwrap(), Applied::Reloaded);
    wait_for("C's 4 prefixes reported over the maximum", Duration::from_secs(30), || {
        let s = session(&lab.frr[AGENT].read().ok()?, "10.201.1.2");
        (s.problem == Some(SessionProblem::OverMaximum { accepted: 4, max: 3 })).then_some(())
    });

    // C sends 5: FRR closes the session and keeps it down, nothing of C's is kept, and the
    // reader says so.
    let many = ["10.50.0.0/24", "10.50.1.0/24", "10.50.2.0/24", "10.50.3.0/24", "10.50.4.0/24"];
    assert_eq!(lab.frr[CUSTOMER_C].apply(&customer_c(&many)).unwrap(), Applied::Reloaded);
    let (c, report) = wait_for("the maximum-prefix teardown reported for C", Duration::from_secs(60), || {
        let r = lab.frr[AGENT].read().ok()?;
        let s = session(&r, "10.201.1.2");
        matches!(s.problem, Some(SessionProblem::MaxPrefixExceeded { .. })).then_some((s, r))
    });
    assert_eq!(c.problem, Some(SessionProblem::MaxPrefixExceeded { max: Some(3) }));
    assert_eq!(c.prefixes_accepted, 0);
    assert!(report.learned.iter().all(|r| r.neighbor != addr("10.201.1.2")), "{:?}", report.learned);
    println!("C over the maximum: state {}, problem: {}", c.state, c.problem.as_ref().unwrap());
    std::thread::sleep(Duration::from_secs(12));
    let c_later = session(&lab.frr[AGENT].read().unwrap(), "10.201.1.2");
    assert!(!c_later.established(), "stays down: {c_later:?}");
    assert!(session(&lab.frr[AGENT].read().unwrap(), "10.201.2.2").established());

    // D also announces a piece of 10.2.0.0/24, which A reaches over the overlay: A learns it (and
    // would report it, for the server to refuse), but zebra does not install it, while D's
    // 10.60.0.0/24 is in the kernel.
    let mut d = plain(65060, "10.201.2.2", vec![a_at_d.clone()], &["10.60.0.0/24", "10.2.0.128/25"]);
    d.bgp.neighbors[0].bfd = true;
    assert_eq!(lab.frr[CUSTOMER_D].apply(&d).unwrap(), Applied::Reloaded);
    wait_for("A to learn 10.2.0.128/25 from D", Duration::from_secs(30), || {
        let r = lab.frr[AGENT].read().ok()?;
        r.learned.iter().any(|r| r.prefix == net("10.2.0.128/25")).then_some(())
    });
    let kernel = |prefix: &str| {
        let out = Command::new("ip").args(["-n", &lab.ns[AGENT], "-4", "route", "show", prefix]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let installed = wait_for("D's 10.60.0.0/24 in A's kernel", Duration::from_secs(10), || {
        let r = kernel("10.60.0.0/24");
        (!r.is_empty()).then_some(r)
    });
    assert!(installed.contains("via 10.201.2.2"), "{installed}");
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(kernel("10.2.0.128/25"), "", "zebra installed a route inside what the overlay reaches");
    lab.frr.iter().for_each(Frr::stop);
}
