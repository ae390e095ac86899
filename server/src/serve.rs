//! Process lifecycle: database (external or private), migrations, state, listening, and a
//! graceful shutdown that finishes in-flight requests before stopping the private PostgreSQL.

use std::io::Write;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgPool};

use crate::app::{self, AppState, Settings};
use crate::auth::credential_cache::CredentialCache;
use crate::auth::jwt::KeyRing;
use crate::config::{Cli, Command, ServeArgs};
use crate::config_watch::ConfigWatch;
use crate::embedded_pg::{self, EmbeddedPostgres};
use crate::metrics::Metrics;
use crate::network_cache::NetworkCache;
use crate::ratelimit::{Policy, RateLimiter};

pub const APP_ROLE: &str = "patronus_app";

pub struct Database {
    pub pool: PgPool,
    embedded: Option<EmbeddedPostgres>,
}

impl Database {
    /// Connects (starting the private PostgreSQL when no URL is given) and migrates as the owner.
    pub async fn open(args: &ServeArgs) -> anyhow::Result<Database> {
        let (owner, app, embedded) = match &args.database_url {
            Some(url) => {
                let owner = PgConnectOptions::from_str(url).context("DATABASE_URL")?;
                let app = match &args.database_app_url {
                    Some(url) => PgConnectOptions::from_str(url).context("DATABASE_APP_URL")?,
                    None => owner.clone().username(APP_ROLE),
                };
                (owner, app, None)
            }
            None => {
                let data_dir = args.data_dir();
                let pg = EmbeddedPostgres::start(&data_dir).await?;
                tracing::info!(data_dir = %data_dir.display(), "private PostgreSQL running");
                (pg.connect_options(embedded_pg::OWNER), pg.connect_options(APP_ROLE), Some(pg))
            }
        };
        let mut conn = owner.connect().await.context("connecting as the owner role")?;
        crate::MIGRATOR.run(&mut conn).await.context("running migrations")?;
        conn.close().await.ok();
        let pool = PgPoolOptions::new()
            .max_connections(args.db_max_connections)
            .acquire_timeout(Duration::from_secs(5))
            // No ping before each acquire: it is a round trip on every request, and a connection
            // that died shows up as an error of the statement that uses it instead.
            .test_before_acquire(false)
            .connect_with(app)
            .await
            .context("connecting as patronus_app")?;
        Ok(Database { pool, embedded })
    }

    pub async fn close(self) {
        self.pool.close().await;
        if let Some(pg) = self.embedded {
            if let Err(err) = pg.stop() {
                tracing::warn!(error = %err, "stopping the private PostgreSQL");
            }
        }
    }
}

pub async fn state(args: &ServeArgs, pool: PgPool) -> anyhow::Result<AppState> {
    let keys = KeyRing::new(args.access_token_ttl);
    keys.load(&pool).await?;
    let policy = Policy { per_second: args.rate_limit_per_second, burst: args.rate_limit_burst };
    let limiter = match &args.redis_url {
        Some(url) => RateLimiter::redis(policy, url).await.context("connecting to REDIS_URL")?,
        None => RateLimiter::local(policy),
    };
    let config_watch = match &args.redis_url {
        Some(url) => ConfigWatch::with_redis(url).await.context("connecting to REDIS_URL")?,
        None => Arc::new(ConfigWatch::default()),
    };
    let credentials = match &args.redis_url {
        Some(url) => CredentialCache::with_redis(url).await.context("connecting to REDIS_URL")?,
        None => Arc::new(CredentialCache::default()),
    };
    Ok(AppState {
        pool,
        keys: Arc::new(keys),
        limiter: Arc::new(limiter),
        metrics: Arc::new(Metrics::new()?),
        settings: Arc::new(Settings {
            refresh_ttl_secs: args.refresh_token_ttl,
            enrollment_token_ttl_secs: args.enrollment_token_ttl,
            agent_status_interval_secs: args.agent_status_interval,
            long_poll_secs: args.long_poll_timeout,
            idempotency_lease_secs: args.idempotency_lease,
            public_url: public_url(args)?,
            listen_url: format!("http://{}", args.listen),
            session_ttl_secs: args.session_ttl,
        }),
        config_watch,
        networks: Arc::new(NetworkCache::default()),
        token_uses: Arc::default(),
        credentials,
        oidc: Arc::new(crate::oidc::Discovery::new()?),
        portal: match &args.web_dir {
            Some(dir) => Some(Arc::new(
                crate::portal::Portal::load(dir)
                    .with_context(|| format!("loading the portal from {}", dir.display()))?,
            )),
            None => None,
        },
    })
}

/// What the operator must see on the terminal, not in the logs: the URL, and a new secret once.
fn announce(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

pub async fn main(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Some(Command::Openapi) => {
            announce(&app::openapi().to_pretty_json()?);
            Ok(())
        }
        Some(Command::CreatePlatformToken { name }) => {
            let _telemetry = crate::telemetry::init()?;
            let db = Database::open(&cli.serve).await?;
            let token = crate::bootstrap::create_platform_token(&db.pool, &name).await;
            db.close().await;
            announce(&format!("Platform-admin token {name:?} (shown once, store it now): {}", token?));
            Ok(())
        }
        Some(Command::Serve) | None => serve(cli.serve).await,
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let _telemetry = crate::telemetry::init()?;
    let db = Database::open(&args).await?;
    let result = serve_with(&args, db.pool.clone()).await;
    db.close().await;
    result
}

async fn serve_with(args: &ServeArgs, pool: PgPool) -> anyhow::Result<()> {
    let state = state(args, pool.clone()).await?;
    let listener =
        tokio::net::TcpListener::bind(args.listen).await.with_context(|| format!("binding {}", args.listen))?;
    let url = format!("http://{}", listener.local_addr()?);
    announce(&format!("Patronus control plane listening on {url} (OpenAPI: {url}/v1/openapi.json)"));
    if let Some(token) = crate::bootstrap::first_platform_token(&pool).await? {
        announce(&format!("Platform-admin token (shown once, store it now): {token}"));
    }
    tracing::info!(%url, "listening");
    let maintenance = tokio::spawn(crate::maintenance::run(state.clone()));
    let watch = state.config_watch.clone();
    let router = app::router(state);
    axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            // Parked polls answer now instead of holding the shutdown for their whole wait.
            watch.close();
        })
        .await?;
    maintenance.abort();
    tracing::info!("stopped accepting requests; in-flight requests finished");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

/// `--public-url` checked (an http(s) URL, perhaps with a path).
fn public_url(args: &ServeArgs) -> anyhow::Result<Option<String>> {
    let Some(url) = &args.public_url else {
        return Ok(None);
    };
    let parsed = reqwest::Url::parse(url).with_context(|| format!("--public-url {url} is not a URL"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        anyhow::bail!("--public-url {url} must be an http:// or https:// URL");
    }
    Ok(Some(url.trim_end_matches('/').to_string()))
}
