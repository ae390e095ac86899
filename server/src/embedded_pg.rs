//! A private PostgreSQL for single-machine use: when no DATABASE_URL is given the server runs
//! one from the system's PostgreSQL binaries. Its data lives in `<data dir>/pgdata` and is reused
//! on the next start; it listens only on a Unix socket in `<data dir>/run` (mode 0700), so local
//! trust authentication admits nobody but this user (and root). PostgreSQL refuses to run as
//! root, so under root it runs as the `postgres` system user.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Context};
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection};

pub const OWNER: &str = "patronus";
pub const DATABASE: &str = "patronus";
const PORT: u16 = 5432;

pub struct EmbeddedPostgres {
    bin: PathBuf,
    pgdata: PathBuf,
    socket_dir: PathBuf,
    run_as: Option<(u32, u32)>,
}

impl EmbeddedPostgres {
    /// Starts the cluster (creating it on first use) and the `patronus` database.
    pub async fn start(data_dir: &Path) -> anyhow::Result<Self> {
        let bin = find_bin_dir()?;
        let run_as = if crate::config::is_root() { Some(postgres_user()?) } else { None };
        let pg = EmbeddedPostgres { bin, pgdata: data_dir.join("pgdata"), socket_dir: data_dir.join("run"), run_as };

        std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
        std::fs::create_dir_all(&pg.socket_dir)?;
        std::fs::set_permissions(&pg.socket_dir, std::fs::Permissions::from_mode(0o700))?;
        if let Some((uid, gid)) = run_as {
            std::os::unix::fs::chown(data_dir, Some(uid), Some(gid))?;
            std::os::unix::fs::chown(&pg.socket_dir, Some(uid), Some(gid))?;
        }

        if !pg.pgdata.join("PG_VERSION").exists() {
            tracing::info!(pgdata = %pg.pgdata.display(), "creating the private PostgreSQL cluster");
            pg.run(
                pg.command("initdb")
                    .args(["-U", OWNER, "-A", "trust", "-E", "UTF8", "--no-instructions", "-D"])
                    .arg(&pg.pgdata),
            )
            .context("initdb")?;
        }
        if pg.is_running() {
            tracing::info!("adopting the private PostgreSQL left running by an earlier start");
        } else {
            let options = format!("-c listen_addresses='' -k {} -p {PORT}", pg.socket_dir.display());
            pg.run(
                pg.command("pg_ctl")
                    .args(["start", "-w", "-t", "60", "-D"])
                    .arg(&pg.pgdata)
                    .arg("-l")
                    .arg(data_dir.join("postgres.log"))
                    .args(["-o", &options]),
            )
            .with_context(|| format!("starting PostgreSQL (log: {})", data_dir.join("postgres.log").display()))?;
        }
        pg.create_database().await?;
        Ok(pg)
    }

    /// Options to connect as `user` to the `patronus` database.
    pub fn connect_options(&self, user: &str) -> PgConnectOptions {
        PgConnectOptions::new().socket(&self.socket_dir).port(PORT).username(user).database(DATABASE)
    }

    async fn create_database(&self) -> anyhow::Result<()> {
        let mut conn = self.connect_options(OWNER).database("postgres").connect().await?;
        let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(DATABASE)
            .fetch_one(&mut conn)
            .await?;
        if !exists {
            sqlx::query(&format!("CREATE DATABASE {DATABASE}")).execute(&mut conn).await?;
        }
        conn.close().await?;
        Ok(())
    }

    fn is_running(&self) -> bool {
        self.command("pg_ctl")
            .arg("status")
            .arg("-D")
            .arg(&self.pgdata)
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    }

    /// Stops the cluster, letting it finish in-flight work (fast shutdown).
    pub fn stop(&self) -> anyhow::Result<()> {
        self.run(self.command("pg_ctl").args(["stop", "-w", "-m", "fast", "-D"]).arg(&self.pgdata))
    }

    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(self.bin.join(program));
        if let Some((uid, gid)) = self.run_as {
            cmd.uid(uid).gid(gid);
        }
        // A working directory the postgres user can enter.
        cmd.current_dir("/");
        cmd
    }

    fn run(&self, cmd: &mut Command) -> anyhow::Result<()> {
        let output = cmd.output().with_context(|| format!("running {:?}", cmd.get_program()))?;
        if !output.status.success() {
            bail!(
                "{:?} failed: {}{}",
                cmd.get_program(),
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(())
    }
}

/// The PostgreSQL binaries: $PATRONUS_PG_BIN, `pg_config --bindir`, or the newest
/// /usr/lib/postgresql/<version>/bin.
fn find_bin_dir() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("PATRONUS_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut candidates: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, p): &(u32, PathBuf)| p.join("initdb").exists())
        .collect();
    candidates.sort();
    if let Some((_, dir)) = candidates.pop() {
        return Ok(dir);
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").exists() {
            return Ok(dir);
        }
    }
    bail!("no PostgreSQL server binaries found (install postgresql, or set PATRONUS_PG_BIN or DATABASE_URL)")
}

/// uid and gid of the `postgres` system user, from /etc/passwd.
fn postgres_user() -> anyhow::Result<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd")?;
    passwd
        .lines()
        .find_map(|line| {
            let f: Vec<&str> = line.split(':').collect();
            (f.first() == Some(&"postgres") && f.len() > 3).then(|| Some((f[2].parse().ok()?, f[3].parse().ok()?)))?
        })
        .context("running as root needs the `postgres` system user (PostgreSQL refuses to run as root)")
}

/// Waits until the server answers, for callers that start it in the background.
pub async fn wait_ready(options: &PgConnectOptions) -> anyhow::Result<()> {
    for _ in 0..100 {
        if let Ok(conn) = options.connect().await {
            conn.close().await.ok();
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("PostgreSQL did not answer")
}
