//! What the sandbox costs, in one process, with criterion's statistics:
//! each policy natively and under Batch and cached Pair on each runtime,
//! over the default trace at 64 MiB (issue 20's first size). Separate
//! `wsim run` processes vary by ±20% on a 2-core VM without performance
//! counters; timing every configuration here, many samples each, is how a
//! change to the guests or the ABIs is judged.
//!
//! `cargo bench -p wsim --bench sandbox`; `WSIM_BENCH_POLICIES=lru,arc`
//! picks the policies (default: fifo, lru, s3fifo, arc, lirs).

#![allow(clippy::unwrap_used, reason = "a benchmark fails by panicking")]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use wsim_backends::{
    Backend, CacheVisitor, Code, Engine, Error, Limits, LookupKind, Runtime, guests,
};
use wsim_policies::{CachePolicy, Params, PolicyKind, Request};
use wsim_traces::Synthetic;

/// Replays every request in Batch-sized chunks; the hits.
struct ReplayAll<'a> {
    requests: &'a [Request],
}

impl CacheVisitor for ReplayAll<'_> {
    type Output = u64;

    fn visit<C: CachePolicy>(self, mut cache: C) -> u64
    where
        Error: From<C::Error>,
    {
        let mut hits = Vec::with_capacity(4096);
        let mut total = 0;
        for chunk in self.requests.chunks(4096) {
            cache
                .access_batch(black_box(chunk), &mut hits)
                .map_err(Error::from)
                .unwrap();
            total += hits.iter().filter(|&&hit| hit).count() as u64;
        }
        total
    }
}

fn sandbox(c: &mut Criterion) {
    let requests: Vec<Request> = Synthetic::DEFAULT.generate().unwrap().collect();
    let capacity = 64 << 20;
    let policies: Vec<PolicyKind> = std::env::var("WSIM_BENCH_POLICIES")
        .unwrap_or_else(|_| "fifo,lru,s3fifo,arc,lirs".to_owned())
        .split(',')
        .map(|name| name.parse().unwrap())
        .collect();
    let mut group = c.benchmark_group("sandbox/default-trace-64MiB");
    group.throughput(Throughput::Elements(requests.len() as u64));
    group.sample_size(20);
    for policy in policies {
        let mut ways = vec![(Backend::Native, Code::Policy(policy), "native".to_owned())];
        for runtime in Runtime::built() {
            let engine =
                Engine::with_runtime(runtime, runtime.compilers()[0], Limits::default()).unwrap();
            let module = engine
                .compile(&guests::module_name(policy), guests::module_bytes(policy))
                .unwrap();
            for backend in [Backend::Batch, Backend::Pair] {
                let code = Code::Module(module.clone(), LookupKind::Cached);
                ways.push((backend, code, format!("{backend}-{runtime}")));
            }
        }
        for (backend, code, label) in &ways {
            group.bench_function(format!("{}/{label}", policy.name()), |bench| {
                bench.iter(|| {
                    backend
                        .open(
                            code,
                            capacity,
                            &Params::default(),
                            ReplayAll {
                                requests: &requests,
                            },
                        )
                        .unwrap()
                });
            });
        }
    }
    group.finish();
}

criterion_group!(benches, sandbox);
criterion_main!(benches);
