//! Compiler speed: `cargo bench -p patronus-server --bench compiler`.

use std::collections::BTreeSet;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use patronus_api::SiteRole;
use patronus_server::compiler::{self, synthetic};

fn full_mesh_1000(c: &mut Criterion) {
    let net = synthetic::full_mesh(1000);
    let all = net.all_sites();
    // What the server does on a change that touches every site: the content hash of each document.
    c.bench_function("full_mesh_1000/hash_every_site", |b| b.iter(|| black_box(compiler::site_hashes(&net, &all))));
    // What serving every agent its document once costs: build and serialise all 1,000 documents.
    let mut heavy = c.benchmark_group("full_mesh_1000_heavy");
    heavy.sample_size(10);
    heavy.bench_function("build_and_serialise_every_document", |b| {
        b.iter(|| {
            let bytes: usize = net
                .sites
                .iter()
                .map(|s| compiler::canonical_bytes(&compiler::compile_site(&net, s.id, 1).expect("site")).len())
                .sum();
            black_box(bytes)
        })
    });
    // What the server actually sends: every document assembled from the peer entries serialised
    // once per network (`PeerFragments`), as the config endpoint does.
    let hashes = compiler::site_hashes(&net, &all);
    heavy.bench_function("assemble_every_served_document", |b| {
        b.iter(|| {
            let fragments = compiler::PeerFragments::new(&net);
            let bytes: usize = net
                .sites
                .iter()
                .map(|s| compiler::compiled_bytes(&net, &fragments, s.id, 1, &hashes[&s.id]).expect("site").len())
                .sum();
            black_box(bytes)
        })
    });
    heavy.finish();
}

fn add_one_site(c: &mut Criterion) {
    let base = synthetic::full_mesh(1000);
    let before = compiler::site_hashes(&base, &base.all_sites());
    let with = |enrolled: bool| {
        let mut sites: Vec<_> = base.sites.iter().map(|s| (**s).clone()).collect();
        sites.push(synthetic::site(1001, SiteRole::Edge, enrolled));
        compiler::Network::new(patronus_api::TopologyMode::FullMesh, 25, sites, vec![], vec![], vec![])
    };
    // A site just created through the API has no agent yet: only its own document is new.
    let new_site = with(false);
    let id = synthetic::site(1001, SiteRole::Edge, false).id;
    c.bench_function("full_mesh_1000/add_unenrolled_site_and_recompute", |b| {
        b.iter(|| {
            let affected = new_site.affected_by_site(id);
            let fresh = compiler::site_hashes(&new_site, &affected);
            black_box(fresh.iter().filter(|(id, h)| before.get(*id) != Some(*h)).count())
        })
    });
    // Once its agent enrolls, every document in the mesh lists it.
    let enrolled = with(true);
    c.bench_function("full_mesh_1000/add_enrolled_site_and_recompute", |b| {
        b.iter(|| {
            let affected = enrolled.affected_by_site(id);
            let fresh = compiler::site_hashes(&enrolled, &affected);
            black_box(fresh.iter().filter(|(id, h)| before.get(*id) != Some(*h)).count())
        })
    });
}

fn hub_and_spoke_10000(c: &mut Criterion) {
    let net = synthetic::hub_and_spoke(10_000, 4);
    let all: BTreeSet<_> = net.all_sites();
    let mut group = c.benchmark_group("hub_and_spoke_10000_4_hubs");
    group.sample_size(10);
    group.bench_function("hash_every_site", |b| b.iter(|| black_box(compiler::site_hashes(&net, &all))));
    group.bench_function("build_every_document", |b| {
        b.iter_batched(
            || (),
            |_| {
                let peers: usize =
                    net.sites.iter().filter_map(|s| compiler::compile_site(&net, s.id, 1)).map(|c| c.peers.len()).sum();
                black_box(peers)
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, full_mesh_1000, add_one_site, hub_and_spoke_10000);
criterion_main!(benches);
