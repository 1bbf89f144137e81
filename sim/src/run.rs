//! Running one policy over one trace at one capacity, under one backend.

use std::time::{Duration, Instant};

use serde::Serialize;
use wsim_backends::Native;
use wsim_policies::{CachePolicy, EvictionPolicy, PolicyKind, PolicyVisitor, Stats};

use crate::Error;
use wsim_traces::{CHUNK, RequestReader, Trace};

/// How a policy runs: natively, or inside a WebAssembly guest behind an ABI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Backend {
    /// Ordinary Rust code, a direct call per request: the baseline.
    Native,
    /// The request as two wasm arguments.
    Pair,
    /// The request bincode-encoded into a buffer the guest allocates per call.
    Bincode,
    /// The request as a C struct copied into a static guest buffer.
    Bytemuck,
    /// Thousands of requests per call through the static buffer.
    Batch,
    /// The Component Model (wasmtime): `access(req: request) -> bool` per
    /// request, through the canonical ABI.
    Component,
    /// The Component Model (wasmtime): `access-batch(list<request>)` per
    /// chunk.
    ComponentBatch,
}

impl Backend {
    /// Every backend, in report order.
    pub const ALL: [Self; 7] = [
        Self::Native,
        Self::Pair,
        Self::Bincode,
        Self::Bytemuck,
        Self::Batch,
        Self::Component,
        Self::ComponentBatch,
    ];

    /// The backend's name in reports.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Native => "native",
            Self::Pair => "pair",
            Self::Bincode => "bincode",
            Self::Bytemuck => "bytemuck",
            Self::Batch => "batch",
            Self::Component => "component",
            Self::ComponentBatch => "component-batch",
        }
    }

    /// The ABI of a WebAssembly backend.
    #[cfg(feature = "wasm")]
    #[must_use]
    pub const fn abi(self) -> Option<wsim_backends::AbiKind> {
        use wsim_backends::AbiKind;
        match self {
            Self::Native => None,
            Self::Pair => Some(AbiKind::Pair),
            Self::Bincode => Some(AbiKind::Bincode),
            Self::Bytemuck => Some(AbiKind::Bytemuck),
            Self::Batch => Some(AbiKind::Batch),
            Self::Component | Self::ComponentBatch => None,
        }
    }

    /// Whether the backend runs a WebAssembly guest.
    #[must_use]
    pub const fn is_wasm(self) -> bool {
        !matches!(self, Self::Native)
    }

    /// Whether the backend runs a component (Component Model, wasmtime
    /// only); the others run core modules.
    #[must_use]
    pub const fn is_component(self) -> bool {
        matches!(self, Self::Component | Self::ComponentBatch)
    }
}

/// The WebAssembly runtime a guest runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Runtime {
    /// wasmer (Cranelift or Singlepass): the paper's runtime.
    Wasmer,
    /// wasmtime (Cranelift); it alone runs components.
    Wasmtime,
}

impl Runtime {
    /// Every runtime, in report order.
    pub const ALL: [Self; 2] = [Self::Wasmer, Self::Wasmtime];

    /// The runtime's name in reports.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Wasmer => "wasmer",
            Self::Wasmtime => "wasmtime",
        }
    }

    /// Whether this build of wsim includes it.
    #[must_use]
    pub const fn is_built(self) -> bool {
        match self {
            Self::Wasmer => cfg!(feature = "wasmer"),
            Self::Wasmtime => cfg!(feature = "wasmtime"),
        }
    }

    /// The engine's name for it.
    #[cfg(feature = "wasm")]
    #[must_use]
    pub const fn engine(self) -> wsim_backends::Runtime {
        match self {
            Self::Wasmer => wsim_backends::Runtime::Wasmer,
            Self::Wasmtime => wsim_backends::Runtime::Wasmtime,
        }
    }
}

/// How a WebAssembly backend finds its exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Lookup {
    /// Resolved once at load; the handle kept beside the instance.
    Cached,
    /// Looked up by name on every call.
    Uncached,
}

impl Lookup {
    /// The lookup's name in reports.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Cached => "cached",
            Self::Uncached => "uncached",
        }
    }
}

/// A policy to run: built in (native and WebAssembly), or a module the user
/// supplied (WebAssembly only).
#[derive(Debug, Clone)]
pub struct Policy {
    /// Its name in reports.
    pub name: String,
    /// The built-in policy, which the native backend needs.
    pub kind: Option<PolicyKind>,
    /// The compiled guests, which the core-module backends need: one per
    /// runtime, unmetered or compiled with fuel metering (for jobs with a
    /// fuel budget), as the runs need them.
    #[cfg(feature = "wasm")]
    pub modules: Vec<wsim_backends::Module>,
    /// The compiled components (built-in policies only), which the
    /// Component Model backends need: unmetered or metered.
    #[cfg(feature = "wasmtime")]
    pub components: Vec<wsim_backends::Component>,
}

impl Policy {
    /// A built-in policy; its guest is compiled later, if needed.
    #[must_use]
    pub fn builtin(kind: PolicyKind) -> Self {
        Self {
            name: kind.name().to_owned(),
            kind: Some(kind),
            #[cfg(feature = "wasm")]
            modules: Vec::new(),
            #[cfg(feature = "wasmtime")]
            components: Vec::new(),
        }
    }

    /// A module the user supplied, named by its file name without the
    /// extension (`.wasm` or `.wat`); its guests are compiled later.
    #[cfg(feature = "wasm")]
    #[must_use]
    pub fn plugin(file_name: &str) -> Self {
        let name = std::path::Path::new(file_name).file_stem().map_or_else(
            || file_name.to_owned(),
            |stem| stem.to_string_lossy().into_owned(),
        );
        Self {
            name,
            kind: None,
            modules: Vec::new(),
            #[cfg(feature = "wasmtime")]
            components: Vec::new(),
        }
    }

    /// The guest to run on `runtime` with `fuel` per call (`None`:
    /// unmetered).
    #[cfg(feature = "wasm")]
    fn guest_for(
        &self,
        runtime: Runtime,
        fuel: Option<u64>,
    ) -> Result<wsim_backends::Module, Error> {
        let module = self
            .modules
            .iter()
            .find(|module| {
                module.runtime() == runtime.engine() && module.is_metered() == fuel.is_some()
            })
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "{}: no WebAssembly module loaded for {}",
                    self.name,
                    runtime.name()
                ))
            })?;
        match fuel {
            None => Ok(module.clone()),
            Some(budget) => Ok(module.with_fuel(budget)?),
        }
    }

    /// Whether a module of the policy loaded on `runtime`: a module of the
    /// user's that one runtime refused runs on the others alone.
    #[cfg(feature = "wasm")]
    #[must_use]
    pub fn loaded_on(&self, runtime: Runtime) -> bool {
        self.modules
            .iter()
            .any(|module| module.runtime() == runtime.engine())
    }

    /// Whether a module of the policy loaded on `runtime`: never, in a
    /// build without WebAssembly.
    #[cfg(not(feature = "wasm"))]
    #[must_use]
    pub const fn loaded_on(&self, _: Runtime) -> bool {
        false
    }

    /// The component to run with `fuel` per call (`None`: unmetered).
    #[cfg(feature = "wasmtime")]
    fn component_for(&self, fuel: Option<u64>) -> Result<wsim_backends::Component, Error> {
        let component = self
            .components
            .iter()
            .find(|component| component.is_metered() == fuel.is_some())
            .ok_or_else(|| Error::Invalid(format!("{}: no component loaded", self.name)))?;
        match fuel {
            None => Ok(component.clone()),
            Some(budget) => Ok(component.with_fuel(budget)?),
        }
    }

    /// Any compiled guest of the policy, for checking its exports.
    #[cfg(feature = "wasm")]
    pub(crate) fn any_guest(&self) -> Option<&wsim_backends::Module> {
        self.modules.first()
    }

    /// Whether the policy can run under `backend`: native needs a built-in
    /// policy, a WebAssembly backend a module exporting its ABI.
    #[must_use]
    pub fn runs_under(&self, backend: Backend) -> bool {
        self.check_exports(backend).is_ok()
    }

    /// The first export `backend` needs that the policy's module lacks;
    /// `None` when it has them all, or is not a module.
    #[cfg(feature = "wasm")]
    pub fn missing_export(&self, backend: Backend) -> Option<&'static str> {
        let abi = backend.abi()?;
        let module = self.any_guest()?;
        ["abi_version", "init", "stats"]
            .iter()
            .chain(abi.exports())
            .copied()
            .find(|export| !module.exports_function(export))
    }

    /// Checks the policy can run under `backend`, naming what is missing.
    pub fn check_exports(&self, backend: Backend) -> Result<(), Error> {
        if backend.is_component() {
            #[cfg(feature = "wasmtime")]
            if !self.components.is_empty() {
                return Ok(());
            }
            return Err(Error::Invalid(format!(
                "{}: the {} backend runs wsim's built-in policies as components on wasmtime{}",
                self.name,
                backend.name(),
                if cfg!(feature = "wasmtime") {
                    ""
                } else {
                    ", which this build of wsim leaves out"
                }
            )));
        }
        #[cfg(feature = "wasm")]
        if backend.abi().is_some() {
            let module = self.any_guest().ok_or_else(|| {
                Error::Invalid(format!("{}: no WebAssembly module loaded", self.name))
            })?;
            return match self.missing_export(backend) {
                Some(missing) => Err(Error::Invalid(format!(
                    "{}: the {} backend needs export `{missing}`, which the module lacks",
                    module.name(),
                    backend.name()
                ))),
                None => Ok(()),
            };
        }
        if backend.is_wasm() {
            return Err(Error::Invalid(format!(
                "the {} backend needs WebAssembly, which this build of wsim leaves out",
                backend.name()
            )));
        }
        match self.kind {
            Some(_) => Ok(()),
            None => Err(Error::Invalid(format!(
                "{} is a WebAssembly module: it has no native backend",
                self.name
            ))),
        }
    }
}

/// One configuration to run.
#[derive(Debug, Clone, Copy)]
pub struct Job<'p> {
    /// The policy.
    pub policy: &'p Policy,
    /// How it runs.
    pub backend: Backend,
    /// How a core-module backend finds its exports; `None` for native and
    /// components.
    pub lookup: Option<Lookup>,
    /// The runtime of a WebAssembly backend; `None` for native.
    pub runtime: Option<Runtime>,
    /// Fuel per call into a WebAssembly guest; `None`: unmetered.
    pub fuel: Option<u64>,
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
///
/// The host keeps its own count of what it sent and what the cache answered,
/// and refuses a cache whose `Stats` disagree: a guest cannot misreport its
/// requests, hits or bytes.
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
    let mut reader = trace
        .reader()
        .map_err(|error| JobError::Trace(error.into()))?;
    let mut chunk = Vec::with_capacity(CHUNK);
    let mut hits = Vec::with_capacity(CHUNK);
    let mut in_cache = Duration::ZERO;
    let mut seen = Stats::default();
    loop {
        reader
            .fill(&mut chunk)
            .map_err(|error| JobError::Trace(error.into()))?;
        if chunk.is_empty() {
            break;
        }
        let served = Instant::now();
        cache
            .access_batch(&chunk, &mut hits)
            .map_err(|error| JobError::Cache(error.into()))?;
        in_cache += served.elapsed();
        if hits.len() != chunk.len() {
            return Err(JobError::Cache(Error::Invalid(format!(
                "the cache answered {} of {} requests",
                hits.len(),
                chunk.len()
            ))));
        }
        tally(&mut seen, &chunk, &hits);
        progress(chunk.len() as u64);
    }
    let elapsed = start.elapsed();
    let stats = cache
        .stats()
        .map_err(|error| JobError::Cache(error.into()))?;
    let reported = (
        stats.requests,
        stats.hits,
        stats.bytes_requested,
        stats.bytes_hit,
    );
    let counted = (
        seen.requests,
        seen.hits,
        seen.bytes_requested,
        seen.bytes_hit,
    );
    if reported != counted {
        return Err(JobError::Cache(Error::Invalid(format!(
            "the cache's stats disagree with its answers: it reports (requests, hits, bytes \
             requested, bytes hit) = {reported:?}, the host counted {counted:?}"
        ))));
    }
    Ok(Outcome {
        stats,
        skipped: reader.skipped(),
        elapsed,
        in_cache,
    })
}

/// Adds what a chunk asked and what the cache answered to `seen`.
fn tally(seen: &mut Stats, requests: &[wsim_policies::Request], hits: &[bool]) {
    seen.requests += requests.len() as u64;
    for (request, &hit) in requests.iter().zip(hits) {
        seen.bytes_requested += u128::from(request.size);
        if hit {
            seen.hits += 1;
            seen.bytes_hit += u128::from(request.size);
        }
    }
}

/// Runs one job. Creating the cache (instantiating a guest) is not timed:
/// the figures are per request, as the paper's "Preload". `timed` says
/// whether the job ran alone, so its times mean something.
pub fn run_job(
    job: &Job<'_>,
    trace: &Trace,
    timed: bool,
    progress: &mut dyn FnMut(u64),
) -> Result<Record, JobError> {
    let outcome = if job.backend.is_wasm() {
        wasm::run(job, trace, progress)?
    } else {
        let kind = job.policy.kind.ok_or_else(|| {
            JobError::Cache(Error::Invalid(format!(
                "{} is a WebAssembly module: it has no native backend",
                job.policy.name
            )))
        })?;
        kind.visit(RunNative {
            trace,
            capacity: job.capacity,
            progress,
        })?
    };
    Ok(Record::new(job, trace, &outcome, timed))
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

#[cfg(feature = "wasm")]
mod wasm {
    use wsim_backends::{Abi, Batch, Bincode, Bytemuck, Cached, Module, Pair, Uncached, Wasm};

    use super::{Backend, Job, JobError, Lookup, Outcome, Runtime, simulate};
    use crate::Error;
    use wsim_traces::Trace;

    pub(super) fn run(
        job: &Job<'_>,
        trace: &Trace,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Outcome, JobError> {
        let capacity = job.capacity;
        if job.backend.is_component() {
            return run_component(job, trace, progress);
        }
        let runtime = job.runtime.unwrap_or(Runtime::Wasmer);
        let module = &job
            .policy
            .guest_for(runtime, job.fuel)
            .map_err(JobError::Cache)?;
        match (job.backend, job.lookup.unwrap_or(Lookup::Cached)) {
            (Backend::Pair, Lookup::Cached) => {
                run_abi::<Pair, Cached>(module, capacity, trace, progress)
            }
            (Backend::Pair, Lookup::Uncached) => {
                run_abi::<Pair, Uncached>(module, capacity, trace, progress)
            }
            (Backend::Bincode, Lookup::Cached) => {
                run_abi::<Bincode, Cached>(module, capacity, trace, progress)
            }
            (Backend::Bincode, Lookup::Uncached) => {
                run_abi::<Bincode, Uncached>(module, capacity, trace, progress)
            }
            (Backend::Bytemuck, Lookup::Cached) => {
                run_abi::<Bytemuck, Cached>(module, capacity, trace, progress)
            }
            (Backend::Bytemuck, Lookup::Uncached) => {
                run_abi::<Bytemuck, Uncached>(module, capacity, trace, progress)
            }
            (Backend::Batch, Lookup::Cached) => {
                run_abi::<Batch, Cached>(module, capacity, trace, progress)
            }
            (Backend::Batch, Lookup::Uncached) => {
                run_abi::<Batch, Uncached>(module, capacity, trace, progress)
            }
            (Backend::Native | Backend::Component | Backend::ComponentBatch, _) => {
                Err(JobError::Cache(Error::Invalid(format!(
                    "{} is not a core-module backend",
                    job.backend.name()
                ))))
            }
        }
    }

    #[cfg(feature = "wasmtime")]
    fn run_component(
        job: &Job<'_>,
        trace: &Trace,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Outcome, JobError> {
        use wsim_backends::{Listed, PerRequest, Shape, WitComponent};

        fn run_shape<S: Shape>(
            component: &wsim_backends::Component,
            capacity: u64,
            trace: &Trace,
            progress: &mut dyn FnMut(u64),
        ) -> Result<Outcome, JobError> {
            let mut cache = WitComponent::<S>::new(component, capacity)
                .map_err(|error| JobError::Cache(error.into()))?;
            simulate(&mut cache, trace, progress)
        }

        let component = &job
            .policy
            .component_for(job.fuel)
            .map_err(JobError::Cache)?;
        if job.backend == Backend::ComponentBatch {
            run_shape::<Listed>(component, job.capacity, trace, progress)
        } else {
            run_shape::<PerRequest>(component, job.capacity, trace, progress)
        }
    }

    #[cfg(not(feature = "wasmtime"))]
    fn run_component(
        job: &Job<'_>,
        _: &Trace,
        _: &mut dyn FnMut(u64),
    ) -> Result<Outcome, JobError> {
        Err(JobError::Cache(Error::Invalid(format!(
            "the {} backend needs wasmtime, which this build of wsim leaves out; \
             rebuild with `--features wasmtime`",
            job.backend.name()
        ))))
    }

    fn run_abi<A: Abi, L: wsim_backends::Lookup>(
        module: &Module,
        capacity: u64,
        trace: &Trace,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Outcome, JobError> {
        let mut cache =
            Wasm::<A, L>::new(module, capacity).map_err(|error| JobError::Cache(error.into()))?;
        simulate(&mut cache, trace, progress)
    }
}

#[cfg(not(feature = "wasm"))]
mod wasm {
    use super::{Job, JobError, Outcome};
    use crate::Error;
    use wsim_traces::Trace;

    pub(super) fn run(
        job: &Job<'_>,
        _: &Trace,
        _: &mut dyn FnMut(u64),
    ) -> Result<Outcome, JobError> {
        Err(JobError::Cache(Error::Invalid(format!(
            "the {} backend needs WebAssembly, which this build of wsim leaves out; \
             rebuild with `--features wasmer` or `--features wasmtime`",
            job.backend.name()
        ))))
    }
}

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
    pub lookup: Option<Lookup>,
    /// The runtime of a WebAssembly backend; `None` for native.
    pub runtime: Option<Runtime>,
    /// The compiler of a WebAssembly backend; `None` for native.
    pub compiler: Option<String>,
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
}

impl Record {
    fn new(job: &Job<'_>, trace: &Trace, outcome: &Outcome, timed: bool) -> Self {
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
            policy: job.policy.name.clone(),
            backend: job.backend,
            lookup: (job.backend.is_wasm() && !job.backend.is_component())
                .then(|| job.lookup.unwrap_or(Lookup::Cached)),
            runtime: job.runtime,
            compiler: None,
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
            timed,
            seconds: timed.then_some(seconds),
            cache_seconds: timed.then_some(outcome.in_cache.as_secs_f64()),
            throughput_mrps: timed.then_some(throughput_mrps),
            slowdown_vs_native: None,
        }
    }
}

/// Fills in every WebAssembly record's slowdown against the native record
/// of the same policy and cache size.
pub fn compare_with_native(records: &mut [Record]) {
    let natives: Vec<(String, u64, f64)> = records
        .iter()
        .filter(|record| record.backend == Backend::Native)
        .filter_map(|record| {
            Some((
                record.policy.clone(),
                record.cache_size,
                record.cache_seconds?,
            ))
        })
        .collect();
    for record in records.iter_mut().filter(|record| record.backend.is_wasm()) {
        record.slowdown_vs_native = record.cache_seconds.and_then(|seconds| {
            natives
                .iter()
                .find(|(policy, size, _)| *policy == record.policy && *size == record.cache_size)
                .filter(|(_, _, native)| *native > 0.0)
                .map(|(_, _, native)| seconds / native)
        });
    }
}
