//! Running one policy over one trace at one capacity, and sweeps of those.

use std::time::{Duration, Instant};

use serde::Serialize;
use wsim_backends::Native;
use wsim_policies::{CachePolicy, EvictionPolicy, PolicyKind, PolicyVisitor, Stats};

use crate::Error;
use crate::trace::{CHUNK, RequestReader, Trace};

/// How a policy is run: natively, or (with issue 3) inside a WebAssembly
/// guest behind one of the ABIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// Ordinary Rust code, a direct call per request: the baseline.
    Native,
}

impl Backend {
    /// The backend's name in reports.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Native => "native",
        }
    }
}

/// One configuration to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Job {
    /// The policy.
    pub policy: PolicyKind,
    /// How it runs.
    pub backend: Backend,
    /// The capacity: bytes, or objects when sizes are ignored.
    pub capacity: u64,
}

/// Why a job failed: the trace (every job would fail alike) or the cache.
#[derive(Debug)]
pub enum JobError {
    /// Reading the trace failed.
    Trace(Error),
    /// The cache failed or broke its invariants.
    Cache(Error),
}

impl JobError {
    /// The error, whichever side it came from.
    #[must_use]
    pub fn into_inner(self) -> Error {
        match self {
            Self::Trace(error) | Self::Cache(error) => error,
        }
    }
}

/// What one run measured.
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    /// The cache's counters at the end.
    pub stats: Stats,
    /// Requests skipped by the reader for size 0.
    pub skipped: u64,
    /// Wall time of the whole run, reading the trace included.
    pub elapsed: Duration,
    /// Time spent inside the cache alone.
    pub in_cache: Duration,
}

/// Replays `trace` through `cache`, chunk by chunk, timing the run and the
/// cache. `progress` hears of every chunk served.
pub fn simulate<C>(
    cache: &mut C,
    trace: &Trace,
    progress: &mut dyn FnMut(u64),
) -> Result<Outcome, JobError>
where
    C: CachePolicy,
    Error: From<C::Error>,
{
    let start = Instant::now();
    let mut reader = trace.reader().map_err(JobError::Trace)?;
    let mut chunk = Vec::with_capacity(CHUNK);
    let mut hits = Vec::with_capacity(CHUNK);
    let mut in_cache = Duration::ZERO;
    loop {
        reader.fill(&mut chunk).map_err(JobError::Trace)?;
        if chunk.is_empty() {
            break;
        }
        let served = Instant::now();
        cache
            .access_batch(&chunk, &mut hits)
            .map_err(|error| JobError::Cache(error.into()))?;
        in_cache += served.elapsed();
        progress(chunk.len() as u64);
    }
    let elapsed = start.elapsed();
    let stats = cache
        .stats()
        .map_err(|error| JobError::Cache(error.into()))?;
    Ok(Outcome {
        stats,
        skipped: reader.skipped(),
        elapsed,
        in_cache,
    })
}

/// Runs one job.
pub fn run_job(job: Job, trace: &Trace, progress: &mut dyn FnMut(u64)) -> Result<Record, JobError> {
    let outcome = match job.backend {
        Backend::Native => job.policy.visit(RunNative {
            trace,
            capacity: job.capacity,
            progress,
        })?,
    };
    Ok(Record::new(job, trace, &outcome))
}

struct RunNative<'a> {
    trace: &'a Trace,
    capacity: u64,
    progress: &'a mut dyn FnMut(u64),
}

impl PolicyVisitor for RunNative<'_> {
    type Output = Result<Outcome, JobError>;

    fn visit<P: EvictionPolicy + 'static>(self) -> Self::Output {
        let mut cache = Native::<P>::new(self.capacity);
        let outcome = simulate(&mut cache, self.trace, self.progress)?;
        if cfg!(debug_assertions) {
            cache
                .cache()
                .check_invariants()
                .map_err(|error| JobError::Cache(error.into()))?;
        }
        Ok(outcome)
    }
}

/// One row of results: what `--json` and `--csv` write and the table shows.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    /// The trace's name.
    pub trace: String,
    /// The policy.
    pub policy: PolicyKind,
    /// How it ran.
    pub backend: Backend,
    /// How a WebAssembly backend found its exports; `None` for native.
    pub lookup: Option<String>,
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
    /// Wall time of the run in seconds, reading the trace included.
    pub seconds: f64,
    /// Seconds spent inside the cache alone.
    pub cache_seconds: f64,
    /// Requests per second over the whole run, in millions.
    pub throughput_mrps: f64,
}

impl Record {
    fn new(job: Job, trace: &Trace, outcome: &Outcome) -> Self {
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
        #[expect(clippy::cast_precision_loss, reason = "a rate")]
        let throughput_mrps = if seconds > 0.0 {
            requests as f64 / seconds / 1e6
        } else {
            0.0
        };
        Self {
            trace: trace.name().to_owned(),
            policy: job.policy,
            backend: job.backend,
            lookup: None,
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
            seconds,
            cache_seconds: outcome.in_cache.as_secs_f64(),
            throughput_mrps,
        }
    }
}
