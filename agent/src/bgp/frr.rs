//! One FRR instance for the agent: starts zebra and bgpd (and bfdd when a neighbour wants BFD)
//! with the rendered `frr.conf`, applies a changed config with FRR's own `frr-reload.py`, reads
//! sessions and routes through `vtysh`, and stops the daemons it started.
//!
//! `frr-reload.py` (Debian: package `frr-pythontools`, `/usr/lib/frr/frr-reload.py`) compares the
//! new file with `show running-config` and sends only the difference through vtysh, so a
//! neighbour whose lines did not change keeps its session; a full restart or `vtysh -f` of the
//! whole file would not remove what was taken out. The instance is a FRR "pathspace" (`-N`), so
//! its sockets and pid files live in `/var/run/frr/<name>/` and several instances (one per
//! network namespace) can run on one machine. The daemons run detached (`-d`): they outlive the
//! agent, and an agent that starts again finds them by their pid files and reloads, so a restart
//! of the agent does not drop the sessions.

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use thiserror::Error;

use super::read::{self, LearnedRoute, Md5Watch, SessionState};
use super::render::{self, RenderError};
use super::settings::BgpSettings;

const BIN_DIR: &str = "/usr/lib/frr";
/// Where FRR keeps each pathspace's sockets and pid files (and the agent its `frr.conf`).
pub const RUN_DIR: &str = "/var/run/frr";

#[derive(Debug, Error)]
pub enum FrrError {
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("FRR is not installed ({0} is missing; Debian packages `frr` and `frr-pythontools`)")]
    NotInstalled(PathBuf),
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{what} failed: {detail}")]
    Command { what: String, detail: String },
    #[error("{0} did not come up within 10 s")]
    NotUp(String),
    #[error(transparent)]
    Read(#[from] read::ReadError),
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> FrrError {
    let what = what.into();
    move |source| FrrError::Io { what, source }
}

/// What [`Frr::apply`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum Applied {
    /// The daemons were not running and were started with the new file.
    Started,
    /// The running config was changed to the new file by `frr-reload.py`.
    Reloaded,
    /// The file was what already runs.
    Unchanged,
}

/// What FRR reports, for the status.
#[derive(Debug)]
pub struct BgpReport {
    pub sessions: Vec<SessionState>,
    pub learned: Vec<LearnedRoute>,
}

/// The agent's FRR instance.
#[derive(Debug)]
pub struct Frr {
    /// The pathspace (`-N`); also the directory name under `/var/run/frr`.
    name: String,
    /// The network namespace to start the daemons in (`ip netns exec`); `None`: the agent's own.
    netns: Option<String>,
    /// Where `frr.conf` is written (0640, group `frr`: it holds the neighbours' passwords). The
    /// daemons read it as the user `frr`, so its directory must let that user in: measured on
    /// 8.4, a 0600 root file in a 0700 directory (like the agent's state directory) leaves bgpd
    /// with an empty config and no error on the terminal.
    conf: PathBuf,
    md5: Md5Watch,
}

impl Frr {
    pub fn new(name: &str, netns: Option<&str>, conf: &Path) -> Self {
        Frr { name: name.into(), netns: netns.map(Into::into), conf: conf.into(), md5: Md5Watch::default() }
    }

    fn run_dir(&self) -> PathBuf {
        Path::new(RUN_DIR).join(&self.name)
    }

    /// Whether FRR and its reload tool are installed; a site without BGP never asks.
    pub fn installed() -> Result<(), FrrError> {
        for bin in ["zebra", "bgpd", "frr-reload.py"] {
            let path = Path::new(BIN_DIR).join(bin);
            if !path.exists() {
                return Err(FrrError::NotInstalled(path));
            }
        }
        if !Path::new("/usr/bin/vtysh").exists() {
            return Err(FrrError::NotInstalled("/usr/bin/vtysh".into()));
        }
        Ok(())
    }

    /// The pid of `daemon` when it runs (its pid file names a live process of that name).
    pub fn pid(&self, daemon: &str) -> Option<u32> {
        let pid: u32 = fs::read_to_string(self.run_dir().join(format!("{daemon}.pid"))).ok()?.trim().parse().ok()?;
        let comm = fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
        (comm.trim() == daemon).then_some(pid)
    }

    /// A site's BGP as the document will give it: `None` (the site runs no BGP) stops the daemons
    /// this instance started, if any, and needs no FRR installed; the status then says BGP is
    /// off. `Some` is [`Frr::apply`].
    pub fn apply_or_stop(&mut self, settings: Option<&BgpSettings>) -> Result<Option<Applied>, FrrError> {
        match settings {
            None => {
                self.stop();
                Ok(None)
            }
            Some(s) => self.apply(s).map(Some),
        }
    }

    /// Renders `settings`, writes the file, and makes FRR run it: starts the daemons that are not
    /// running, otherwise reloads. Sessions whose lines did not change stay up.
    pub fn apply(&mut self, settings: &BgpSettings) -> Result<Applied, FrrError> {
        let text = render::render(settings)?;
        Self::installed()?;
        self.prepare_run_dir()?;
        self.write_conf(&text)?;
        let mut daemons = vec!["zebra", "bgpd"];
        if settings.bgp.neighbors.iter().any(|n| n.bfd) {
            daemons.insert(1, "bfdd");
        }
        let missing: Vec<&str> = daemons.iter().copied().filter(|d| self.pid(d).is_none()).collect();
        if missing.contains(&"zebra") || missing.contains(&"bgpd") {
            // A half-started instance is stopped and started whole, so every daemon reads this file.
            self.stop();
            for d in &daemons {
                self.start(d)?;
            }
            self.wait_up()?;
            return Ok(Applied::Started);
        }
        for d in missing {
            self.start(d)?;
        }
        self.reload()
    }

    fn prepare_run_dir(&self) -> Result<(), FrrError> {
        let dir = self.run_dir();
        fs::create_dir_all(&dir).map_err(io(format!("creating {}", dir.display())))?;
        // The daemons drop to the user `frr` and write their sockets and pid files here.
        let dir_text = dir.display().to_string();
        self.command("chown", Command::new("chown").args(["frr:frr", &dir_text]))?;
        Ok(())
    }

    fn write_conf(&self, text: &str) -> Result<(), FrrError> {
        let tmp = self.conf.with_extension("conf.new");
        let what = format!("writing {}", tmp.display());
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o640)
            .open(&tmp)
            .map_err(io(what.clone()))?;
        f.write_all(text.as_bytes()).map_err(io(what.clone()))?;
        f.sync_all().map_err(io(what))?;
        fs::set_permissions(&tmp, fs::Permissions::from_mode(0o640)).map_err(io("chmod"))?;
        let tmp_text = tmp.display().to_string();
        self.command("chgrp", Command::new("chgrp").args(["frr", &tmp_text]))?;
        fs::rename(&tmp, &self.conf).map_err(io(format!("renaming to {}", self.conf.display())))
    }

    /// A command in the instance's network namespace.
    fn in_netns(&self, program: &str) -> Command {
        match &self.netns {
            Some(ns) => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", ns, program]);
                c
            }
            None => Command::new(program),
        }
    }

    fn start(&self, daemon: &str) -> Result<(), FrrError> {
        let bin = Path::new(BIN_DIR).join(daemon).display().to_string();
        let pid = self.run_dir().join(format!("{daemon}.pid")).display().to_string();
        let conf = self.conf.display().to_string();
        let mut c = self.in_netns(&bin);
        // -P 0: no TCP vty port; vtysh talks over the pathspace's Unix sockets.
        c.args(["-d", "-N", &self.name, "-f", &conf, "-P", "0", "-i", &pid]);
        self.command(&format!("starting {daemon}"), &mut c)?;
        Ok(())
    }

    /// Waits until bgpd answers through vtysh.
    fn wait_up(&self) -> Result<(), FrrError> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.vtysh("show bgp summary json").is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Err(FrrError::NotUp(format!("bgpd of FRR instance {}", self.name)))
    }

    fn reload(&self) -> Result<Applied, FrrError> {
        let reload = Path::new(BIN_DIR).join("frr-reload.py").display().to_string();
        let conf = self.conf.display().to_string();
        // At its default level the tool logs every command it sends, passwords included, to
        // /var/log/frr/frr-reload.log (measured on 8.4); warnings and errors carry no config.
        let quiet = ["--log-level", "warning"];
        let test = self.command(
            "frr-reload.py --test",
            Command::new(&reload).args(["--test", "--stdout"]).args(quiet).args(["-N", &self.name, &conf]),
        )?;
        if !reload_has_changes(&String::from_utf8_lossy(&test.stdout)) {
            return Ok(Applied::Unchanged);
        }
        self.command(
            "frr-reload.py --reload",
            Command::new(&reload).arg("--reload").args(quiet).args(["-N", &self.name, &conf]),
        )?;
        Ok(Applied::Reloaded)
    }

    fn command(&self, what: &str, c: &mut Command) -> Result<Output, FrrError> {
        let out = c.output().map_err(io(what.to_string()))?;
        if !out.status.success() {
            let detail = format!("{} {}", out.status, String::from_utf8_lossy(&out.stderr).trim());
            return Err(FrrError::Command { what: what.into(), detail });
        }
        Ok(out)
    }

    /// One vtysh command's output (vtysh's complaint about a missing per-pathspace
    /// `vtysh.conf` goes to stderr and is ignored).
    pub fn vtysh(&self, cmd: &str) -> Result<String, FrrError> {
        let out =
            self.command(&format!("vtysh -c '{cmd}'"), Command::new("vtysh").args(["-N", &self.name, "-c", cmd]))?;
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Sessions and learned routes, for the status.
    pub fn read(&mut self) -> Result<BgpReport, FrrError> {
        let netstat = self.in_netns("cat").arg("/proc/net/netstat").output().ok();
        let drops = netstat.and_then(|o| read::tcp_md5_drops(&String::from_utf8_lossy(&o.stdout)));
        self.md5.observe(drops);
        let summary = self.vtysh("show bgp summary json")?;
        let neighbors = self.vtysh("show bgp neighbors json")?;
        let sessions = read::sessions(&summary, &neighbors, self.md5.failing())?;
        self.md5.settle(&sessions);
        let mut learned = read::learned_routes(&self.vtysh("show bgp ipv4 unicast json")?)?;
        learned.extend(read::learned_routes(&self.vtysh("show bgp ipv6 unicast json")?)?);
        Ok(BgpReport { sessions, learned })
    }

    /// Stops the daemons this instance's pid files name (only those, never by name).
    pub fn stop(&self) {
        for d in ["bgpd", "bfdd", "zebra"] {
            if let Some(pid) = self.pid(d) {
                let _ = Command::new("kill").arg(pid.to_string()).status();
                let deadline = Instant::now() + Duration::from_secs(5);
                while self.pid(d).is_some() && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }
    }
}

/// Whether `frr-reload.py --test --stdout` listed any line to delete or add. Two kinds of line it
/// lists on every run of FRR 8.4 are not changes: `hostname <the machine's>` (zebra takes the
/// machine's hostname when the file names none, and the tool then wants to remove it), and
/// `ip forwarding`/`ipv6 forwarding` (on is the default, so `show running-config` never shows
/// them and the tool always wants to add them; applying them again changes nothing).
fn reload_has_changes(test_output: &str) -> bool {
    let mut in_section = false;
    for line in test_output.lines() {
        if line == "Lines To Delete" || line == "Lines To Add" {
            in_section = true;
            continue;
        }
        let noise = matches!(line, "ip forwarding" | "ipv6 forwarding")
            || line.starts_with("hostname ")
            || line.starts_with("no hostname ");
        if !in_section || line.starts_with("===") || line.trim().is_empty() || noise {
            continue;
        }
        return true;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_without_bgp_needs_no_frr() {
        let mut frr = Frr::new("pg-unit-never-started", None, Path::new("/nonexistent/frr.conf"));
        assert_eq!(frr.apply_or_stop(None).unwrap(), None);
        assert_eq!(frr.pid("bgpd"), None);
        assert!(!Path::new("/nonexistent/frr.conf").exists());
    }

    #[test]
    fn reload_test_output_with_and_without_changes() {
        let none = "\nLines To Delete\n===============\n\nLines To Add\n============\n";
        assert!(!reload_has_changes(none));
        let some = "Lines To Delete\n===============\nrouter bgp 65001\n no neighbor 10.99.0.2 timers 3 9\n\nLines To Add\n============\n";
        assert!(reload_has_changes(some));
        assert!(!reload_has_changes("2026-12-06 INFO: Called via Namespace(..)\n"));
        // What FRR 8.4 lists on every run, measured: not a change.
        let noise = "\nLines To Delete\n===============\nno hostname vm\n\nLines To Add\n============\nip forwarding\nipv6 forwarding\n";
        assert!(!reload_has_changes(noise));
    }
}
