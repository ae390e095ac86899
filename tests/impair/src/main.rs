//! `patronus-impair`: delays the packets that netfilter queues to it, for the namespace tests.
//!
//! Send traffic to it with an nftables rule such as
//! `ip daddr 198.18.11.0/24 queue num 1` in the router namespace, then run
//! `patronus-impair --queue 1 --delay-ms 100 --jitter-ms 5` in that namespace. Each packet gets
//! its verdict (accept) once its delay has passed. Without the process, packets sent to the queue
//! are dropped (the rule has no `bypass`), so a missing tool shows as a dead link, not as a link
//! without delay. On SIGTERM or SIGINT every held packet is released at once.
//!
//! The nfq crate does not expose its socket, so the loop polls it without blocking every
//! `POLL` (0.5 ms): the delay a packet sees is the one asked for plus 0 to 0.5 ms.

use std::io::{ErrorKind, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use nfq::{Queue, Verdict};
use patronus_impair::{DelayLine, Impairment};
use rand::rngs::StdRng;
use rand::SeedableRng;

const POLL: Duration = Duration::from_micros(500);

#[derive(Parser, Debug)]
#[command(about = "Delays and jitters the packets netfilter queues to it (NFQUEUE)")]
struct Args {
    /// The NFQUEUE number the nftables rule sends packets to.
    #[arg(long)]
    queue: u16,
    /// Delay added to every packet, in milliseconds.
    #[arg(long, default_value_t = 0.0)]
    delay_ms: f64,
    /// Each packet's delay varies uniformly by up to this much either way, in milliseconds.
    #[arg(long, default_value_t = 0.0)]
    jitter_ms: f64,
    /// Never let a packet overtake an earlier one (jitter then only lengthens delays).
    #[arg(long)]
    in_order: bool,
    /// Seed for the jitter; random when absent.
    #[arg(long)]
    seed: Option<u64>,
    /// Packets the kernel queues at most; beyond that it drops them.
    #[arg(long, default_value_t = 65536)]
    max_len: u32,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    anyhow::ensure!(args.delay_ms >= 0.0 && args.jitter_ms >= 0.0, "delay and jitter must not be negative");
    let impairment = Impairment {
        delay: Duration::from_secs_f64(args.delay_ms / 1000.0),
        jitter: Duration::from_secs_f64(args.jitter_ms / 1000.0),
        in_order: args.in_order,
    };
    let mut rng = match args.seed {
        Some(seed) => StdRng::seed_from_u64(seed),
        None => StdRng::from_entropy(),
    };
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(signal, stop.clone()).context("installing a signal handler")?;
    }

    let mut queue = Queue::open().context("opening a netfilter queue socket (needs CAP_NET_ADMIN)")?;
    queue.bind(args.queue).with_context(|| format!("binding NFQUEUE {}", args.queue))?;
    // The payload is not looked at: copy only the headers, so held packets cost little memory.
    queue.set_copy_range(args.queue, 64)?;
    queue.set_queue_max_len(args.queue, args.max_len)?;
    queue.set_fail_open(args.queue, false)?;
    // Take GSO packets whole rather than have the kernel segment them for us.
    queue.set_recv_gso(args.queue, true)?;
    queue.set_nonblocking(true);
    let mut line = DelayLine::new(impairment);
    // The callers wait for this line before they send traffic.
    let _ = writeln!(
        std::io::stderr(),
        "patronus-impair: queue {} bound: delay {} ms, jitter {} ms{}",
        args.queue,
        args.delay_ms,
        args.jitter_ms,
        if args.in_order { ", in order" } else { "" }
    );

    let (mut passed, mut failed) = (0u64, 0u64);
    while !stop.load(Ordering::Relaxed) {
        loop {
            match queue.recv() {
                Ok(msg) => {
                    line.push(Instant::now(), msg, &mut rng);
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e).context("receiving from the queue"),
            }
        }
        let now = Instant::now();
        while let Some(mut msg) = line.pop_due(now) {
            msg.set_verdict(Verdict::Accept);
            // A verdict fails when the kernel gave up on the packet (its device went away).
            match queue.verdict(msg) {
                Ok(()) => passed += 1,
                Err(_) => failed += 1,
            }
        }
        let wait = line.next_due().map_or(POLL, |due| due.saturating_duration_since(Instant::now()).min(POLL));
        std::thread::sleep(wait);
    }
    for mut msg in line.drain() {
        msg.set_verdict(Verdict::Accept);
        match queue.verdict(msg) {
            Ok(()) => passed += 1,
            Err(_) => failed += 1,
        }
    }
    let _ = queue.unbind(args.queue);
    let _ = writeln!(
        std::io::stderr(),
        "patronus-impair: queue {}: {passed} packets passed, {failed} verdicts failed",
        args.queue
    );
    Ok(())
}
