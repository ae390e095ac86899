//! Memory of compiled documents, counted by a global allocator:
//! `cargo bench -p patronus-server --bench compile_memory`.

// A global allocator cannot be written without unsafe; printing the figures is this program's job.
#![allow(unsafe_code, clippy::print_stdout)]
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use patronus_server::compiler::{self, synthetic};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn main() {
    let sites = 10_000u32;
    let before_input = LIVE.load(Ordering::Relaxed);
    let net = synthetic::hub_and_spoke(sites, 4);
    let input = LIVE.load(Ordering::Relaxed) - before_input;

    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let started = Instant::now();
    let docs: Vec<_> = net.sites.iter().filter_map(|s| compiler::compile_site(&net, s.id, 1)).collect();
    let elapsed = started.elapsed();
    let retained = LIVE.load(Ordering::Relaxed) - base;
    let serialised: usize = docs.iter().map(|d| compiler::canonical_bytes(d).len()).sum();
    let spoke_bytes: usize =
        docs.iter().skip(4).map(|d| compiler::canonical_bytes(d).len()).sum::<usize>() / (docs.len() - 4);

    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let all = net.all_sites();
    let started = Instant::now();
    let hashes = compiler::site_hashes(&net, &all);
    let hash_elapsed = started.elapsed();
    let hash_peak = PEAK.load(Ordering::Relaxed) - base;

    println!("hub-and-spoke, {sites} sites, 4 hubs, every site enrolled, 2 links and 1 LAN prefix each");
    println!(
        "input network in memory:            {:.1} MiB ({:.0} bytes/site)",
        mib(input),
        input as f64 / f64::from(sites)
    );
    println!("build every document:               {:.0} ms, {} documents", elapsed.as_secs_f64() * 1e3, docs.len());
    println!(
        "  documents held in memory:         {:.1} MiB ({:.0} bytes/site)",
        mib(retained),
        retained as f64 / f64::from(sites)
    );
    println!(
        "  canonical JSON, all documents:    {:.1} MiB; a spoke's document {} bytes",
        mib(serialised),
        spoke_bytes
    );
    println!(
        "hash every document (no documents): {:.0} ms, peak extra memory {:.1} MiB ({:.0} bytes/site), {} hashes",
        hash_elapsed.as_secs_f64() * 1e3,
        mib(hash_peak),
        hash_peak as f64 / f64::from(sites),
        hashes.len()
    );
}
