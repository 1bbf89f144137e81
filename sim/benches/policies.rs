//! Native throughput of every policy on the default trace, and of the
//! oracleGeneral reader: the baseline every WebAssembly figure is divided by.
//!
//! `cargo bench -p wsim --bench policies`; criterion reports time per run
//! and, from `Throughput::Elements`, requests per second.

#![allow(clippy::unwrap_used, reason = "a benchmark fails by panicking")]

use std::hint::black_box;
use std::io::Cursor;
use std::path::PathBuf;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use wsim_policies::{Cache, EvictionPolicy, PolicyKind, PolicyVisitor, Request};
use wsim_traces::oracle_general::Record;
use wsim_traces::{OracleGeneralReader, Origin, RequestReader, Synthetic};

/// One run of a policy over the whole trace, cache created inside the
/// timed loop (it is empty and cheap to create; the requests dominate).
struct Replay<'a, 'g> {
    group: &'a mut BenchmarkGroup<'g, WallTime>,
    requests: &'a [Request],
    capacity: u64,
}

impl PolicyVisitor for Replay<'_, '_> {
    type Output = ();
    fn visit<P: EvictionPolicy + 'static>(self) {
        let Self {
            group,
            requests,
            capacity,
        } = self;
        group.bench_function(P::NAME, |bench| {
            bench.iter(|| {
                let mut cache = Cache::<P>::new(capacity);
                for &request in requests {
                    black_box(cache.access(black_box(request)));
                }
                black_box(cache.stats())
            });
        });
    }
}

fn policies(c: &mut Criterion) {
    let requests: Vec<Request> = Synthetic::DEFAULT.generate().unwrap().collect();
    let mut seen = rustc_hash::FxHashSet::default();
    let unique_bytes: u64 = requests
        .iter()
        .filter(|request| seen.insert(request.id))
        .map(|request| request.size)
        .sum();
    // 1% of the working set: the middle of the default sweep.
    let capacity = unique_bytes / 100;
    let mut group = c.benchmark_group("policy/default-trace-1%");
    group.throughput(Throughput::Elements(requests.len() as u64));
    group.sample_size(20);
    for policy in PolicyKind::ALL {
        policy.visit(Replay {
            group: &mut group,
            requests: &requests,
            capacity,
        });
    }
    group.finish();
}

fn oracle_general_reader(c: &mut Criterion) {
    let bytes: Vec<u8> = Synthetic::DEFAULT
        .generate()
        .unwrap()
        .enumerate()
        .flat_map(|(time, request)| {
            Record {
                timestamp: u32::try_from(time).unwrap(),
                id: request.id,
                size: u32::try_from(request.size).unwrap(),
                next_access: -1,
            }
            .encode()
        })
        .collect();
    let mut group = c.benchmark_group("reader");
    group.throughput(Throughput::Elements((bytes.len() / 24) as u64));
    group.sample_size(20);
    group.bench_function("oracle-general", |bench| {
        let mut chunk = Vec::new();
        bench.iter(|| {
            let origin = Origin {
                path: PathBuf::new(),
                compressed: false,
            };
            let mut reader = OracleGeneralReader::new(Cursor::new(&bytes), origin);
            let mut total = 0u64;
            loop {
                reader.fill(&mut chunk).unwrap();
                if chunk.is_empty() {
                    break total;
                }
                total += chunk.iter().map(|request| request.size).sum::<u64>();
            }
        });
    });
    group.finish();
}

criterion_group!(benches, policies, oracle_general_reader);
criterion_main!(benches);
