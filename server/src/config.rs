//! Command line and environment. Every flag has an environment variable; secrets are not flags.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "patronus-server", version, about = "Patronus SD-WAN control plane")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the API server (the default).
    Serve,
    /// Print the OpenAPI document.
    Openapi,
    /// Create another platform-admin token and print it once.
    CreatePlatformToken {
        #[arg(long)]
        name: String,
    },
}

#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "PATRONUS_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Postgres URL of the owner role (runs migrations). When unset, the server runs a private
    /// PostgreSQL under --data-dir.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// Postgres URL for the server's queries, as the role `patronus_app` that owns nothing.
    /// Defaults to DATABASE_URL with the user replaced by `patronus_app`.
    #[arg(long, env = "DATABASE_APP_URL", hide_env_values = true)]
    pub database_app_url: Option<String>,

    /// Where the private PostgreSQL keeps its data (used when DATABASE_URL is unset). Default:
    /// /var/lib/patronus when run as root, else $XDG_DATA_HOME/patronus (~/.local/share/patronus).
    #[arg(long, env = "PATRONUS_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// Redis URL: when set, rate limits are shared by all replicas through it.
    #[arg(long, env = "REDIS_URL", hide_env_values = true)]
    pub redis_url: Option<String>,

    /// Sustained requests per second allowed to each token or user.
    #[arg(long, env = "PATRONUS_RATE_LIMIT_PER_SECOND", default_value_t = 500)]
    pub rate_limit_per_second: u32,

    /// Requests each token or user may send at once after a quiet spell.
    #[arg(long, env = "PATRONUS_RATE_LIMIT_BURST", default_value_t = 1000)]
    pub rate_limit_burst: u32,

    /// Lifetime of access tokens (JWT), in seconds.
    #[arg(long, env = "PATRONUS_ACCESS_TOKEN_TTL", default_value_t = 900)]
    pub access_token_ttl: i64,

    /// Lifetime of refresh tokens, in seconds.
    #[arg(long, env = "PATRONUS_REFRESH_TOKEN_TTL", default_value_t = 30 * 24 * 3600)]
    pub refresh_token_ttl: i64,

    /// Seconds an enrollment token stays valid when its creator does not say.
    #[arg(long, env = "PATRONUS_ENROLLMENT_TOKEN_TTL", default_value_t = 24 * 3600)]
    pub enrollment_token_ttl: u64,

    /// Seconds between agent status reports; a site is offline after three missed ones.
    #[arg(long, env = "PATRONUS_AGENT_STATUS_INTERVAL", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub agent_status_interval: u32,

    /// Seconds an agent's config poll waits for a change before answering 304.
    #[arg(long, env = "PATRONUS_LONG_POLL_TIMEOUT", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=60))]
    pub long_poll_timeout: u64,

    /// Database connections of this replica.
    #[arg(long, env = "PATRONUS_DB_MAX_CONNECTIONS", default_value_t = 20)]
    pub db_max_connections: u32,

    /// Seconds after which a request's Idempotency-Key claim that has no answer yet (its server
    /// died, or it is stuck) may be taken over by a retry with the same key and body.
    #[arg(long, env = "PATRONUS_IDEMPOTENCY_LEASE", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub idempotency_lease: u64,

    /// A built web portal (`web/dist`, made by `npm run build` in `web/`) to serve at `/`, read
    /// once at start. Unset: no portal, and `/` is a 404 like any unknown path.
    #[arg(long, env = "PATRONUS_WEB_DIR")]
    pub web_dir: Option<PathBuf>,

    /// The URL at which browsers reach this server (e.g. `https://patronus.example.com`). SSO
    /// redirects back to `<public-url>/v1/auth/oidc/callback`, and session cookies are `Secure`
    /// when it is `https`. Unset: `http://` and the request's `Host`.
    #[arg(long, env = "PATRONUS_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Lifetime of a browser session in seconds (it is not extended by use).
    #[arg(long, env = "PATRONUS_SESSION_TTL", default_value_t = 12 * 3600, value_parser = clap::value_parser!(i64).range(60..=30 * 24 * 3600))]
    pub session_ttl: i64,
}

impl ServeArgs {
    pub fn data_dir(&self) -> PathBuf {
        if let Some(dir) = &self.data_dir {
            return dir.clone();
        }
        if is_root() {
            // The private PostgreSQL runs as the `postgres` user, which cannot enter /root.
            return PathBuf::from("/var/lib/patronus");
        }
        let base = std::env::var_os("XDG_DATA_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
            .unwrap_or_else(|| PathBuf::from("."));
        base.join("patronus")
    }
}

pub fn is_root() -> bool {
    std::fs::metadata("/proc/self").map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0).unwrap_or(false)
}
