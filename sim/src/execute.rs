//! Running a sweep's jobs: one at a time and timed, or all at once on every
//! core and untimed; and the failures a sweep reports.

use std::io::{self, Write};

use wsim_traces::Trace;

use crate::progress::Progress;
use crate::run::{Job, JobError, Record, run_job};
use crate::units::CacheSize;

/// A job that failed, and why.
#[derive(Debug)]
pub struct Failure {
    /// The job in words.
    job: String,
    /// Its policy.
    policy: String,
    error: crate::Error,
    /// Runs of the same policy not attempted after this failure.
    skipped: usize,
}

impl Failure {
    /// `job` of `policy` failed with `error`.
    #[must_use]
    pub fn new(policy: &str, job: String, error: crate::Error) -> Self {
        Self {
            job,
            policy: policy.to_owned(),
            error,
            skipped: 0,
        }
    }
}

/// Runs `jobs`: one at a time, timed, or (`parallel`) across every core,
/// untimed. A trace error stops everything (every job would hit it); a
/// cache error fails its job and the rest go on. `known_requests` is the
/// trace's length when a pass over it measured it, for the progress bar.
#[must_use]
pub fn run_jobs(
    jobs: &[Job<'_>],
    trace: &Trace,
    known_requests: Option<u64>,
    parallel: bool,
) -> (Vec<Record>, Vec<Failure>) {
    let per_job = known_requests.or_else(|| trace.len_hint());
    if parallel {
        return run_jobs_in_parallel(jobs, trace, per_job);
    }
    let progress = Progress::new(
        per_job.map(|requests| requests * jobs.len() as u64),
        "simulating",
    );
    let mut records: Vec<Record> = Vec::with_capacity(jobs.len());
    let mut failures: Vec<Failure> = Vec::new();
    for (index, job) in jobs.iter().enumerate() {
        // A policy whose guest failed once is not run again: its failure
        // is deterministic, and a guest that loops would spend its fuel
        // on every run left.
        if let Some(failure) = failures
            .iter_mut()
            .find(|failure| failure.policy == job.policy.name)
        {
            failure.skipped += 1;
            progress.advance(per_job.unwrap_or(0));
            continue;
        }
        let what = describe_job(job, trace);
        progress.set_message(format!("[{}/{}] {what}", index + 1, jobs.len()));
        // Native runs before the WebAssembly backends of its policy and
        // size (jobs are in that order), so its time is there to divide by.
        let native = records
            .iter()
            .find(|record| {
                !record.backend.is_wasm()
                    && record.policy == job.policy.name
                    && record.cache_size == job.capacity
            })
            .and_then(|record| record.cache_seconds);
        match run_job(job, trace, true, native, &mut |requests| {
            progress.advance(requests);
        }) {
            Ok(record) => {
                if per_job.is_none() && index == 0 {
                    progress.set_total(record.requests * jobs.len() as u64);
                }
                if record.requests == 0 {
                    failures.push(Failure::new(
                        &job.policy.name,
                        what,
                        empty_trace(trace, record.skipped_zero_size),
                    ));
                    break;
                }
                records.push(record);
            }
            Err(JobError::Trace(error)) => {
                failures.push(Failure::new(&job.policy.name, what, error));
                break;
            }
            Err(JobError::Cache(error)) => {
                failures.push(Failure::new(&job.policy.name, what, error));
            }
        }
    }
    progress.finish();
    (records, failures)
}

/// The error for a trace that had nothing to simulate.
fn empty_trace(trace: &Trace, skipped: u64) -> crate::Error {
    wsim_traces::Error::EmptyTrace {
        name: trace.name().to_owned(),
        skipped,
    }
    .into()
}

/// Runs `jobs` on rayon's pool, one job per core at a time, in the order
/// given; times mean nothing then, so none are reported.
fn run_jobs_in_parallel(
    jobs: &[Job<'_>],
    trace: &Trace,
    per_job: Option<u64>,
) -> (Vec<Record>, Vec<Failure>) {
    use rayon::prelude::*;

    let message = format!(
        "{} runs, {} at a time",
        jobs.len(),
        rayon::current_num_threads()
    );
    let progress = Progress::new(
        per_job.map(|requests| requests * jobs.len() as u64),
        &message,
    );
    let results: Vec<(&Job<'_>, String, Result<Record, JobError>)> = jobs
        .par_iter()
        .map(|job| {
            let result = run_job(job, trace, false, None, &mut |requests| {
                progress.advance(requests);
            });
            (job, describe_job(job, trace), result)
        })
        .collect();
    progress.finish();
    let mut records = Vec::with_capacity(results.len());
    let mut failures: Vec<Failure> = Vec::new();
    let mut trace_failed = false;
    for (job, what, result) in results {
        let trace_error = match result {
            Ok(record) if record.requests == 0 => {
                Some(empty_trace(trace, record.skipped_zero_size))
            }
            Ok(record) => {
                records.push(record);
                None
            }
            Err(JobError::Trace(error)) => Some(error),
            Err(JobError::Cache(error)) => {
                // One failure per policy, as in a sequential run.
                match failures
                    .iter_mut()
                    .find(|failure| failure.policy == job.policy.name)
                {
                    Some(failure) => failure.skipped += 1,
                    None => failures.push(Failure::new(&job.policy.name, what.clone(), error)),
                }
                None
            }
        };
        // Every job reads the same trace: report its error once.
        if let Some(error) = trace_error.filter(|_| !trace_failed) {
            trace_failed = true;
            failures.push(Failure::new(&job.policy.name, what, error));
        }
    }
    (records, failures)
}

/// A job in words: `lru pair uncached on wasmer 16 MiB`.
fn describe_job(job: &Job<'_>, trace: &Trace) -> String {
    let size = CacheSize {
        capacity: job.capacity,
        objects: trace.ignore_size(),
    };
    let fuel = job
        .fuel
        .map_or_else(String::new, |fuel| format!(" fuel {fuel}"));
    let runtime = job
        .runtime
        .map_or_else(String::new, |runtime| format!(" on {runtime}"));
    let lookup = job
        .lookup
        .map_or_else(String::new, |lookup| format!(" {lookup}"));
    format!(
        "{} {}{lookup}{runtime}{fuel} {size}",
        job.policy.name, job.backend
    )
}

/// Runs that failed: the first failure's words, with how many more there
/// were, and the kind of the first.
#[derive(Debug, thiserror::Error)]
#[error("{}", summary(.messages))]
pub struct RunsFailed {
    /// Each failure in words, the first first.
    pub messages: Vec<String>,
    /// The first failure's kind.
    pub kind: crate::ErrorKind,
}

fn summary(messages: &[String]) -> String {
    match messages {
        [] => String::new(),
        [only] => only.clone(),
        [first, others @ ..] => format!("{first} (and {} more failures above)", others.len()),
    }
}

/// Reports every failure: the first as the run's error, the others on
/// stderr before it.
pub fn report_failures(failures: Vec<Failure>) -> anyhow::Result<()> {
    let describe = |failure: &Failure| {
        let skipped = match failure.skipped {
            0 => String::new(),
            1 => " (its 1 other run was skipped)".to_owned(),
            n => format!(" (its {n} other runs were skipped)"),
        };
        format!("{} failed: {}{skipped}", failure.job, failure.error)
    };
    let Some(first) = failures.first() else {
        return Ok(());
    };
    let messages: Vec<String> = failures.iter().map(describe).collect();
    for message in &messages[1..] {
        let _ = writeln!(io::stderr(), "wsim: {message}");
    }
    Err(RunsFailed {
        messages,
        kind: crate::ErrorKind::of_error(&first.error),
    }
    .into())
}
