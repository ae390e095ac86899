//! The `patronus-agent` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use patronus_agent::control::{self, RunError, RunOptions};
use patronus_agent::dataplane::guard::GuardOptions;
use patronus_agent::dataplane::wireguard::shaping::ShapingOptions;
use patronus_agent::dataplane::wireguard::{DataplaneOptions, WireGuard};
use patronus_agent::dataplane::ControlOnly;
use patronus_agent::state::{StateDir, DEFAULT_STATE_DIR};

/// Exit code when the server refuses the credential: enrolling again is the only way on.
const EXIT_REVOKED: u8 = 3;

#[derive(Parser)]
#[command(name = "patronus-agent", version, about = "The Patronus site agent")]
struct Cli {
    /// Where the key pair, credential and last-known-good document live.
    #[arg(long, global = true, env = "PATRONUS_AGENT_STATE_DIR", default_value = DEFAULT_STATE_DIR)]
    state_dir: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum DataplaneKind {
    /// Userspace WireGuard (boringtun) over a TUN device, one UDP socket per WAN link.
    Wireguard,
    /// Validate and keep the document, forward nothing.
    None,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Switch {
    On,
    Off,
}

#[derive(Subcommand)]
enum Command {
    /// Generates this machine's key pair and exchanges an enrollment token for a credential.
    Enroll {
        /// The server's URL, e.g. https://patronus.example.net
        #[arg(long, env = "PATRONUS_URL")]
        server: String,
        /// The enrollment token (`ptrn_enr_...`).
        #[arg(long, env = "PATRONUS_ENROLLMENT_TOKEN", hide_env_values = true)]
        token: String,
        /// The name operators see for this machine (default: the kernel's hostname).
        #[arg(long)]
        hostname: Option<String>,
    },
    /// Pulls the site's config and runs the dataplane from it.
    Run {
        #[arg(long, value_enum, default_value = "wireguard")]
        dataplane: DataplaneKind,
        /// Name of the TUN device the WireGuard dataplane creates.
        #[arg(long, default_value = "patronus0")]
        tun_name: String,
        /// Seconds each config poll asks the server to wait.
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=60))]
        poll_wait: u64,
        /// Longest pause, in seconds, between attempts to reach the server.
        #[arg(long, default_value_t = 60)]
        max_backoff: u64,
        /// Do not run the XDP guard on the WAN interfaces (it drops malformed WireGuard,
        /// datagrams for unknown sessions and initiation floods before they reach the agent).
        #[arg(long, env = "PATRONUS_AGENT_NO_XDP_GUARD")]
        no_xdp_guard: bool,
        /// Handshake initiations per second the XDP guard lets through from one source address.
        #[arg(long, env = "PATRONUS_AGENT_XDP_INITIATION_RATE", default_value_t = GuardOptions::default().initiation_rate,
              value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        xdp_initiation_rate: u32,
        /// Handshake initiations one source address may send at once after a quiet spell.
        #[arg(long, env = "PATRONUS_AGENT_XDP_INITIATION_BURST", default_value_t = GuardOptions::default().initiation_burst,
              value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        xdp_initiation_burst: u32,
        /// Shape what each WAN link sends per QoS class (tc HTB at 95 % of the link's
        /// `bandwidth_up_mbps`). `off` leaves the interfaces' queues alone and removes the
        /// shaping an earlier run installed.
        #[arg(long, value_enum, env = "PATRONUS_AGENT_SHAPING", default_value = "on")]
        shaping: Switch,
        /// Also shape what each WAN link receives, to 95 % of its `bandwidth_down_mbps`, through
        /// an IFB device (`pqi<ifindex>`).
        #[arg(long, value_enum, env = "PATRONUS_AGENT_INGRESS_SHAPING", default_value = "off")]
        ingress_shaping: Switch,
        /// Recognise the applications of the flows the site sends into the overlay (TLS and QUIC
        /// server names, HTTP `Host`, SSH and SIP handshakes, DNS answers, the catalogue's
        /// prefixes and ports), for policies that name an application and for the status. `off`:
        /// such policies match nothing.
        #[arg(long, value_enum, env = "PATRONUS_AGENT_APP_RECOGNITION", default_value = "on")]
        app_recognition: Switch,
        /// Serve Prometheus metrics (per link, path, peer, QoS class and policy) at
        /// `http://ADDR/metrics`, e.g. `127.0.0.1:9469`. Off unless given.
        #[arg(long, env = "PATRONUS_AGENT_METRICS_LISTEN", value_name = "ADDR")]
        metrics_listen: Option<std::net::SocketAddr>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let state = match StateDir::open(&cli.state_dir) {
        Ok(s) => s,
        Err(err) => {
            eprintln!("error: {err:#}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        Command::Enroll { server, token, hostname } => {
            let hostname = hostname.unwrap_or_else(patronus_agent::enroll::hostname);
            match patronus_agent::enroll::enroll(&state, &server, &token, &hostname).await {
                Ok(e) => {
                    eprintln!(
                        "enrolled as agent {} of site {}; state in {}",
                        e.agent_id,
                        e.site_id,
                        state.path().display()
                    );
                    ExitCode::SUCCESS
                }
                Err(err) => {
                    eprintln!("error: {err:#}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Run {
            dataplane,
            tun_name,
            poll_wait,
            max_backoff,
            no_xdp_guard,
            xdp_initiation_rate,
            xdp_initiation_burst,
            shaping,
            ingress_shaping,
            app_recognition,
            metrics_listen,
        } => {
            let options = RunOptions {
                poll_wait: std::time::Duration::from_secs(poll_wait),
                max_backoff: std::time::Duration::from_secs(max_backoff.max(1)),
                metrics_listen,
                ..RunOptions::default()
            };
            let result = match dataplane {
                DataplaneKind::None => control::run(state, ControlOnly, options).await,
                DataplaneKind::Wireguard => {
                    let started = state.private_key().and_then(|key| {
                        let xdp_guard = (!no_xdp_guard).then_some(GuardOptions {
                            initiation_rate: xdp_initiation_rate,
                            initiation_burst: xdp_initiation_burst,
                        });
                        let shaping = ShapingOptions {
                            egress: shaping == Switch::On,
                            ingress: shaping == Switch::On && ingress_shaping == Switch::On,
                        };
                        WireGuard::start(
                            key,
                            DataplaneOptions {
                                tun_name,
                                xdp_guard,
                                shaping,
                                app_recognition: app_recognition == Switch::On,
                                ..DataplaneOptions::default()
                            },
                        )
                    });
                    match started {
                        Ok(dp) => control::run(state, dp, options).await,
                        Err(err) => Err(RunError::Other(err.context("starting the WireGuard dataplane"))),
                    }
                }
            };
            match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(RunError::Revoked) => {
                    eprintln!("error: {}", RunError::Revoked);
                    ExitCode::from(EXIT_REVOKED)
                }
                Err(err) => {
                    eprintln!("error: {err:#}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
