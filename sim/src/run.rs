//! Running one policy over one trace at one capacity, under one backend,
//! and the [`Record`] that run makes (`record.rs`).

use std::time::{Duration, Instant};

use wsim_backends::{
    Audit, Backend, CacheVisitor, Code, Compiler, LookupKind, Module, Pipeline, Runs, Runtime,
};
use wsim_policies::{CachePolicy, Params, PolicyKind, PolicySpec, Request, Stats};
use wsim_traces::{CHUNK, RequestReader, Trace};

use crate::Error;
pub use crate::record::Record;

/// A policy to run: built in (native and WebAssembly), or a module the user
/// supplied (WebAssembly only), with the code each backend runs.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Its name in reports.
    pub name: String,
    /// The built-in policy, which the native backend needs.
    pub kind: Option<PolicyKind>,
    /// Its parameters (none for a module of the user's).
    pub params: Params,
    /// The compiled guests, which the core-module backends need: one per
    /// runtime, unmetered or compiled with fuel metering (for jobs with a
    /// fuel budget), as the runs need them.
    pub modules: Vec<Module>,
    /// The compiled components (built-in policies only), which the
    /// Component Model backends need: unmetered or metered.
    #[cfg(feature = "wasmtime")]
    pub components: Vec<wsim_backends::Component>,
}

impl Policy {
    /// A built-in policy with its parameters, named as `--policy` names
    /// it; its guest is compiled later, if needed.
    #[must_use]
    pub fn builtin(spec: &PolicySpec) -> Self {
        Self {
            params: spec.params.clone(),
            ..Self::named(spec.to_string(), Some(spec.kind))
        }
    }

    /// A module the user supplied, named by its file name without the
    /// extension (`.wasm` or `.wat`); its guests are compiled later.
    #[must_use]
    pub fn plugin(file_name: &str) -> Self {
        Self::named(file_stem(file_name), None)
    }

    fn named(name: String, kind: Option<PolicyKind>) -> Self {
        Self {
            name,
            kind,
            params: Params::default(),
            modules: Vec::new(),
            #[cfg(feature = "wasmtime")]
            components: Vec::new(),
        }
    }

    /// Whether a module of the policy loaded on `runtime`: a module of the
    /// user's that one runtime refused runs on the others alone.
    #[must_use]
    pub fn loaded_on(&self, runtime: Runtime) -> bool {
        self.modules
            .iter()
            .any(|module| module.runtime() == runtime)
    }

    /// Any compiled module of the policy, for checking its exports.
    pub(crate) fn any_module(&self) -> Option<&Module> {
        self.modules.first()
    }

    /// Whether the policy has what `backend` runs: a built-in policy for
    /// native, a module exporting the ABI, or a component.
    #[must_use]
    pub fn runs_under(&self, backend: Backend) -> bool {
        match backend.runs() {
            Runs::Native => self.kind.is_some(),
            Runs::Module => self
                .any_module()
                .is_some_and(|module| backend.missing_export(module).is_none()),
            Runs::Component => self.has_components(),
        }
    }

    #[cfg(feature = "wasmtime")]
    pub(crate) fn has_components(&self) -> bool {
        !self.components.is_empty()
    }

    #[cfg(not(feature = "wasmtime"))]
    #[expect(clippy::unused_self, reason = "no components without wasmtime")]
    pub(crate) const fn has_components(&self) -> bool {
        false
    }

    /// What `job`'s backend runs of this policy.
    fn code(&self, job: &Job<'_>) -> Result<Code, Error> {
        let missing = |what: &str| {
            Error::Invalid(format!(
                "{}: no {what} loaded for the {} backend",
                self.name, job.backend
            ))
        };
        match job.backend.runs() {
            Runs::Native => self.kind.map(Code::Policy).ok_or_else(|| {
                Error::Invalid(format!(
                    "{} is a WebAssembly module: it has no native backend",
                    self.name
                ))
            }),
            #[cfg(feature = "wasm")]
            Runs::Module => {
                let module = self
                    .modules
                    .iter()
                    .find(|module| {
                        Some(module.runtime()) == job.runtime
                            && module.is_metered() == job.fuel.is_some()
                    })
                    .ok_or_else(|| missing("WebAssembly module"))?;
                let module = match job.fuel {
                    None => module.clone(),
                    Some(budget) => module.with_fuel(budget)?,
                };
                Ok(Code::Module(
                    module,
                    job.lookup.unwrap_or(LookupKind::Cached),
                ))
            }
            #[cfg(feature = "wasmtime")]
            Runs::Component => {
                let component = self
                    .components
                    .iter()
                    .find(|component| component.is_metered() == job.fuel.is_some())
                    .ok_or_else(|| missing("component"))?;
                Ok(Code::Component(match job.fuel {
                    None => component.clone(),
                    Some(budget) => component.with_fuel(budget)?,
                }))
            }
            #[allow(unreachable_patterns, reason = "reached in builds without WebAssembly")]
            _ => Err(missing("guest")),
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
    pub lookup: Option<LookupKind>,
    /// The runtime of a WebAssembly backend; `None` for native.
    pub runtime: Option<Runtime>,
    /// The compiler on that runtime; `None` for native.
    pub compiler: Option<Compiler>,
    /// Fuel per call into a WebAssembly guest; `None`: unmetered.
    pub fuel: Option<u64>,
    /// The capacity: bytes, or objects when sizes are ignored.
    pub capacity: u64,
    /// Whether every answer is audited.
    pub auditing: Auditing,
}

/// Whether a run's answers are audited ([`wsim_backends::Audit`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auditing {
    /// Not at all.
    Off,
    /// Fully when the cache reports its evictions, else by the checks that
    /// need no reports.
    AsReported,
    /// Fully; a cache that does not report is refused.
    Required,
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

    fn cache(error: impl Into<Error>) -> Self {
        Self::Cache(error.into())
    }
}

/// What one run measured.
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    /// The cache's counters at the end.
    pub stats: Stats,
    /// Requests skipped by the reader for size 0.
    pub skipped: u64,
    /// Requests served to warm the cache up, not in `stats`.
    pub warmup: u64,
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
/// requests, hits or bytes. The trace's warm-up requests are served first
/// and then taken out of the counts: the cache's stats right after them are
/// subtracted from its stats at the end. With an `audit`, every answer is
/// checked against the cache contract, on a thread of its own a chunk
/// behind the cache ([`Pipeline`]), and the final stats against the audit's
/// account.
pub fn simulate<C>(
    cache: &mut C,
    trace: &Trace,
    progress: &mut dyn FnMut(u64),
    audit: Option<Audit>,
) -> Result<Outcome, JobError>
where
    C: CachePolicy,
    wsim_backends::Error: From<C::Error>,
{
    let cache_error = |error: C::Error| JobError::cache(wsim_backends::Error::from(error));
    let mut audit = audit
        .map(Pipeline::new)
        .transpose()
        .map_err(JobError::cache)?;
    let start = Instant::now();
    let mut reader = trace
        .reader()
        .map_err(|error| JobError::Trace(error.into()))?;
    let mut chunk = Vec::with_capacity(CHUNK);
    let mut hits = Vec::with_capacity(CHUNK);
    let (mut answers, mut evictions) = (Vec::new(), Vec::new());
    let mut in_cache = Duration::ZERO;
    let mut seen = Stats::default();
    let mut warmup_left = trace.replay().warmup;
    let mut warmed = None;
    loop {
        reader
            .fill(&mut chunk)
            .map_err(|error| JobError::Trace(error.into()))?;
        if chunk.is_empty() {
            break;
        }
        // The chunk in two parts where the warm-up ends inside it.
        let warm = usize::try_from(warmup_left).map_or(chunk.len(), |left| left.min(chunk.len()));
        for (part, warming) in [(&chunk[..warm], true), (&chunk[warm..], false)] {
            if part.is_empty() {
                continue;
            }
            let served = Instant::now();
            let answered = if audit.is_some() {
                cache
                    .access_reported(part, &mut answers, &mut evictions)
                    .map(|()| {
                        hits.clear();
                        hits.extend(answers.iter().map(|answer| answer.is_hit()));
                    })
            } else {
                cache.access_batch(part, &mut hits)
            };
            answered.map_err(|error| {
                // How far the run got: the requests answered before this
                // chunk (a deadline or a trap names the call, this the place).
                match cache_error(error) {
                    JobError::Cache(error) => JobError::Cache(Error::Stopped {
                        error: Box::new(error),
                        served: seen.requests,
                    }),
                    other => other,
                }
            })?;
            if let Some(audit) = &mut audit {
                audit
                    .check(part, &mut answers, &mut evictions)
                    .map_err(JobError::cache)?;
            }
            in_cache += served.elapsed();
            if hits.len() != part.len() {
                return Err(JobError::Cache(Error::Module(format!(
                    "the cache answered {} of {} requests",
                    hits.len(),
                    part.len()
                ))));
            }
            tally(&mut seen, part, &hits);
            if warming {
                warmup_left -= part.len() as u64;
                if warmup_left == 0 {
                    warmed = Some(cache.stats().map_err(cache_error)?);
                }
            }
        }
        progress(chunk.len() as u64);
    }
    let elapsed = start.elapsed();
    // The audit's last chunks first: a violation there names its request.
    let audit = audit
        .map(Pipeline::finish)
        .transpose()
        .map_err(JobError::cache)?;
    let stats = cache.stats().map_err(cache_error)?;
    check_stats(&stats, &seen)?;
    if let Some(audit) = audit {
        audit.check_stats(&stats).map_err(JobError::cache)?;
    }
    let warmup = trace.replay().warmup;
    if warmup > 0 && warmed.is_none_or(|warmed| warmed.requests == stats.requests) {
        return Err(JobError::Trace(Error::Invalid(format!(
            "--warmup {warmup} leaves no request to count: the trace replays {}",
            stats.requests
        ))));
    }
    if cfg!(debug_assertions) {
        cache.check_invariants().map_err(JobError::cache)?;
    }
    Ok(Outcome {
        stats: warmed.map_or(stats, |warmed| after_warmup(stats, warmed)),
        warmup: warmed.map_or(0, |warmed| warmed.requests),
        skipped: reader.skipped(),
        elapsed,
        in_cache,
    })
}

/// Refuses stats that disagree with what the host sent and was answered.
fn check_stats(reported: &Stats, counted: &Stats) -> Result<(), JobError> {
    let reported = (
        reported.requests,
        reported.hits,
        reported.bytes_requested,
        reported.bytes_hit,
    );
    let counted = (
        counted.requests,
        counted.hits,
        counted.bytes_requested,
        counted.bytes_hit,
    );
    if reported != counted {
        return Err(JobError::Cache(Error::Module(format!(
            "the cache's stats disagree with its answers: it reports (requests, hits, bytes \
             requested, bytes hit) = {reported:?}, the host counted {counted:?}"
        ))));
    }
    Ok(())
}

/// The counts of the requests after the warm-up: `end` less `warmed`
/// (what the cache holds stays as it is at the end).
fn after_warmup(end: Stats, warmed: Stats) -> Stats {
    Stats {
        requests: end.requests - warmed.requests,
        hits: end.hits - warmed.hits,
        bytes_requested: end.bytes_requested - warmed.bytes_requested,
        bytes_hit: end.bytes_hit - warmed.bytes_hit,
        evictions: end.evictions.saturating_sub(warmed.evictions),
        ..end
    }
}

/// Adds what a chunk asked and what the cache answered to `seen`.
fn tally(seen: &mut Stats, requests: &[Request], hits: &[bool]) {
    seen.requests += requests.len() as u64;
    for (request, &hit) in requests.iter().zip(hits) {
        seen.bytes_requested += u128::from(request.size);
        if hit {
            seen.hits += 1;
            seen.bytes_hit += u128::from(request.size);
        }
    }
}

/// [`simulate`] as a visitor, for [`Backend::open`].
struct Simulate<'a> {
    trace: &'a Trace,
    progress: &'a mut dyn FnMut(u64),
    job: &'a Job<'a>,
}

impl CacheVisitor for Simulate<'_> {
    type Output = Result<Outcome, JobError>;

    fn visit<C: CachePolicy>(self, mut cache: C) -> Self::Output
    where
        wsim_backends::Error: From<C::Error>,
    {
        let name = &self.job.policy.name;
        let audit = match self.job.auditing {
            Auditing::Off => None,
            Auditing::AsReported => Some(Audit::new(name, self.job.capacity, cache.reports())),
            Auditing::Required if cache.reports() => {
                Some(Audit::new(name, self.job.capacity, true))
            }
            Auditing::Required => {
                return Err(JobError::Cache(Error::Module(format!(
                    "{name}: --audit needs a cache that reports its evictions, as ABI version 3 \
                     guests do; this one does not (an older ABI, or a component)"
                ))));
            }
        };
        simulate(&mut cache, self.trace, self.progress, audit)
    }
}

/// What a module's file calls its policy when the module does not: its
/// name without the extension (`.wasm` or `.wat`).
#[must_use]
pub fn file_stem(file_name: &str) -> String {
    std::path::Path::new(file_name).file_stem().map_or_else(
        || file_name.to_owned(),
        |stem| stem.to_string_lossy().into_owned(),
    )
}

/// Runs one job. Creating the cache (instantiating a guest) is not timed:
/// the figures are per request, as the paper's "Preload". `timed` says
/// whether the job ran alone, so its times mean something; `native` is the
/// time native spent inside the cache at the same policy and size, if it
/// ran, which a WebAssembly record's slowdown divides by.
pub fn run_job(
    job: &Job<'_>,
    trace: &Trace,
    timed: bool,
    native: Option<f64>,
    progress: &mut dyn FnMut(u64),
) -> Result<Record, JobError> {
    let code = job.policy.code(job).map_err(JobError::Cache)?;
    let outcome = job
        .backend
        .open(
            &code,
            job.capacity,
            &job.policy.params,
            Simulate {
                trace,
                progress,
                job,
            },
        )
        .map_err(JobError::cache)??;
    Ok(Record::new(job, trace, &outcome, timed, native))
}
