//! [`Record`]: one row of a sweep's results, as `--json`, `--csv` and the
//! table have it, and the slowdowns that compare it with other rows.

use serde::Serialize;
use wsim_backends::{Backend, Compiler, LookupKind, Runtime};
use wsim_policies::{PolicyKind, Stats};
use wsim_traces::Trace;

use crate::run::{Job, Outcome};

/// One row of results: what `--json` and `--csv` write and the table shows.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    /// The trace's name.
    pub trace: String,
    /// The policy.
    pub policy: String,
    /// How it ran.
    pub backend: Backend,
    /// How a core-module backend found its exports; `None` for native and
    /// components.
    pub lookup: Option<LookupKind>,
    /// The runtime of a WebAssembly backend; `None` for native.
    pub runtime: Option<Runtime>,
    /// The compiler of a WebAssembly backend; `None` for native.
    pub compiler: Option<Compiler>,
    /// Fuel per call a WebAssembly guest ran with; `None`: unmetered.
    pub fuel: Option<u64>,
    /// Capacity: bytes, or objects with `ignore_size`.
    pub cache_size: u64,
    /// Whether every request counted as size 1.
    pub ignore_size: bool,
    /// Requests served.
    pub requests: u64,
    /// Requests that hit.
    pub hits: u64,
    /// `hits / requests`.
    pub hit_ratio: f64,
    /// `bytes_hit / bytes_requested`.
    pub byte_hit_ratio: f64,
    /// Sum of request sizes.
    pub bytes_requested: u128,
    /// Sum of the sizes of requests that hit.
    pub bytes_hit: u128,
    /// Objects evicted.
    pub evictions: u64,
    /// Objects cached at the end.
    pub objects: u64,
    /// Bytes cached at the end.
    pub bytes_held: u64,
    /// Requests the reader skipped for size 0.
    pub skipped_zero_size: u64,
    /// Requests served first to warm the cache up, not counted in
    /// `requests` and the rest.
    pub warmup_requests: u64,
    /// Whether the run was timed alone (a sequential sweep); `--no-timing`
    /// runs in parallel and reports no times.
    pub timed: bool,
    /// Wall time of the run in seconds, reading the trace included.
    pub seconds: Option<f64>,
    /// Seconds spent inside the cache alone.
    pub cache_seconds: Option<f64>,
    /// Requests per second over the whole run, in millions.
    pub throughput_mrps: Option<f64>,
    /// `cache_seconds` over native's at the same policy and size, measured
    /// in the same run; `None` for native or without a native run.
    pub slowdown_vs_native: Option<f64>,
    /// For a `--wasm` module's run, which has no native twin:
    /// `cache_seconds` over the built-in LRU's on the same backend, lookup,
    /// runtime, compiler and size (at the same fuel when LRU ran at it);
    /// `None` otherwise.
    pub slowdown_vs_lru: Option<f64>,
}

/// Fills `slowdown_vs_lru` for the runs of the policies named in
/// `plugins`, from the built-in LRU's runs among `records`.
pub fn compare_with_lru(records: &mut [Record], plugins: &[&str]) {
    let lru = PolicyKind::Lru.name();
    // With `--policy none` a module may call itself lru: no baseline then.
    if plugins.contains(&lru) {
        return;
    }
    let over_lru = |record: &Record| {
        records
            .iter()
            .filter(|baseline| {
                baseline.policy == lru
                    && baseline.backend == record.backend
                    && baseline.lookup == record.lookup
                    && baseline.runtime == record.runtime
                    && baseline.compiler == record.compiler
                    && baseline.cache_size == record.cache_size
                    && baseline.ignore_size == record.ignore_size
            })
            .min_by_key(|baseline| baseline.fuel != record.fuel)
            .and_then(|baseline| baseline.cache_seconds)
            .filter(|&seconds| seconds > 0.0)
            .zip(record.cache_seconds)
            .map(|(baseline, ours)| ours / baseline)
    };
    let slowdowns: Vec<Option<f64>> = records
        .iter()
        .map(|record| {
            plugins
                .contains(&record.policy.as_str())
                .then(|| over_lru(record))
                .flatten()
        })
        .collect();
    for (record, slowdown) in records.iter_mut().zip(slowdowns) {
        record.slowdown_vs_lru = slowdown;
    }
}

impl Record {
    pub(crate) fn new(
        job: &Job<'_>,
        trace: &Trace,
        outcome: &Outcome,
        timed: bool,
        native: Option<f64>,
    ) -> Self {
        let Stats {
            requests,
            hits,
            bytes_requested,
            bytes_hit,
            evictions,
            objects,
            bytes_held,
        } = outcome.stats;
        let seconds = outcome.elapsed.as_secs_f64();
        let cache_seconds = outcome.in_cache.as_secs_f64();
        #[expect(clippy::cast_precision_loss, reason = "a rate")]
        let throughput_mrps = if seconds > 0.0 {
            requests as f64 / seconds / 1e6
        } else {
            0.0
        };
        let slowdown = native
            .filter(|&native| job.backend.is_wasm() && native > 0.0)
            .map(|native| cache_seconds / native);
        Self {
            trace: trace.name().to_owned(),
            policy: job.policy.name.clone(),
            backend: job.backend,
            lookup: job.lookup,
            runtime: job.runtime,
            compiler: job.compiler,
            fuel: job.fuel,
            cache_size: job.capacity,
            ignore_size: trace.ignore_size(),
            requests,
            hits,
            hit_ratio: outcome.stats.hit_ratio(),
            byte_hit_ratio: outcome.stats.byte_hit_ratio(),
            bytes_requested,
            bytes_hit,
            evictions,
            objects,
            bytes_held,
            skipped_zero_size: outcome.skipped,
            warmup_requests: outcome.warmup,
            timed,
            seconds: timed.then_some(seconds),
            cache_seconds: timed.then_some(cache_seconds),
            throughput_mrps: timed.then_some(throughput_mrps),
            slowdown_vs_native: slowdown.filter(|_| timed),
            slowdown_vs_lru: None,
        }
    }
}
