//! Minisim's runs and `--compare`'s full ones: the policies and modules
//! chosen, run through `wsim run`'s own jobs ([`crate::plan::jobs`],
//! [`crate::execute::run_jobs`]) on a spatial sample at scaled sizes or on the
//! whole trace, and their records turned into curves.

use std::io::Write;

use wsim_backends::Backend;
use wsim_policies::{PolicyKind, PolicySpec};
use wsim_traces::Trace;
use wsim_traces::mrc::CurvePoint;
use wsim_traces::sample::SpatialSampler;

use super::Curve;
use crate::args::MrcArgs;
use crate::execute::{Failure, run_jobs};
use crate::plan::{Selection, jobs};
use crate::progress::Progress;
use crate::run::{Policy, Record};

/// The policies simulated (minisim's, loaded once) and where they run.
pub(super) struct Simulations {
    selection: Selection,
    policies: Vec<Policy>,
}

impl Simulations {
    /// `--policy` and `--wasm` loaded when minisim runs; otherwise (for
    /// `--compare` alone) no policy yet. A module that fails to load joins
    /// `failures` while the rest run.
    pub(super) fn new(
        args: &MrcArgs,
        minisim: bool,
        out: &mut dyn Write,
        failures: &mut Vec<Failure>,
    ) -> anyhow::Result<Self> {
        let mut selection = Selection::new(&args.guests, true);
        if !selection.backends_asked
            && !args.guests.modules.is_empty()
            && args.guests.runtime.runtimes.is_empty()
        {
            // One sandbox is enough to draw a module's curve (`jobs` picks
            // its ABI): one runtime.
            selection.runtimes.truncate(1);
        }
        if let Some(note) = selection.deadline_note() {
            writeln!(out, "{note}")?;
        }
        let mut policies = Vec::new();
        if minisim {
            policies = selection.policies.iter().map(Policy::builtin).collect();
            if selection.policies_by_default {
                let names: Vec<String> =
                    selection.policies.iter().map(ToString::to_string).collect();
                writeln!(
                    out,
                    "minisim policies: {} (--policy picks others)",
                    names.join(", ")
                )?;
            }
            // With --backend, the built-in policies' guests are compiled
            // too; by default they run natively and only the modules load
            // (onto their fastest ABI, which `run` picks).
            let load = if selection.backends_asked {
                selection.wasm_backends().next().is_some()
            } else {
                !args.guests.modules.is_empty()
            };
            if load {
                let mut loaded = if selection.backends_asked {
                    std::mem::take(&mut policies)
                } else {
                    Vec::new()
                };
                failures.extend(crate::cli::load_guests(
                    &args.guests,
                    &selection,
                    &mut loaded,
                    out,
                )?);
                policies.extend(loaded);
            }
        }
        Ok(Self {
            selection,
            policies,
        })
    }

    /// LRU run natively too, the truth of the exact and SHARDS curves.
    pub(super) fn add_lru(&mut self) {
        let lru = PolicySpec::of(PolicyKind::Lru).to_string();
        if !self.policies.iter().any(|policy| policy.name == lru) {
            self.policies
                .push(Policy::builtin(&PolicySpec::of(PolicyKind::Lru)));
        }
    }

    /// Every policy on every backend chosen at `sizes`: on the spatial
    /// sample of `sample` at sizes scaled by its rate (minisim), or on the
    /// whole trace, one run at a time (`--compare`'s simulations).
    pub(super) fn run(
        &self,
        method: &'static str,
        trace: &Trace,
        sample: Option<(SpatialSampler, Option<Totals>)>,
        sizes: &[u64],
        failures: &mut Vec<Failure>,
    ) -> anyhow::Result<(Vec<Curve>, Vec<Record>)> {
        let rate = sample.map_or(1.0, |(sampler, _)| sampler.ratio());
        let scale = |size: u64| -> u64 {
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss,
                reason = "a size scaled by a rate of at most 1"
            )]
            let scaled = (size as f64 * rate).round() as u64;
            scaled.max(1)
        };
        let mut trace = match sample {
            Some((sampler, _)) => trace.clone().with_replay(wsim_traces::Replay {
                sample: Some(sampler),
                ..trace.replay()
            }),
            None => trace.clone(),
        };
        if self.selection.next_access {
            let progress = Progress::new(trace.len_hint(), "finding each request's next access");
            trace = trace.with_next_access(|requests| progress.advance(requests))?;
            progress.finish();
        }
        let mut scaled: Vec<u64> = sizes.iter().map(|&size| scale(size)).collect();
        scaled.sort_unstable();
        scaled.dedup();
        let mut jobs = jobs(&self.selection, &self.policies, &scaled);
        if !self.selection.backends_asked {
            // A module of the user's under the fastest ABI it exports alone.
            jobs.retain(|job| {
                job.policy.kind.is_some()
                    || PREFERRED
                        .iter()
                        .find(|&&backend| job.policy.runs_under(backend))
                        == Some(&job.backend)
            });
        }
        let (records, failed) = run_jobs(&jobs, &trace, None, sample.is_some());
        failures.extend(failed);
        // Each record's backend in words once; then one curve per policy
        // and backend, its points in the order of `sizes`.
        let backends: Vec<String> = records.iter().map(backend_of).collect();
        let expected = sample
            .and_then(|(_, totals)| totals)
            .map(|totals| (rate, totals));
        let mut curves: Vec<Curve> = Vec::new();
        for (record, backend) in records.iter().zip(&backends) {
            if curves
                .iter()
                .any(|curve| curve.policy == record.policy && curve.backend == *backend)
            {
                continue;
            }
            let points = sizes
                .iter()
                .filter_map(|&size| {
                    records
                        .iter()
                        .zip(&backends)
                        .find(|(other, other_backend)| {
                            other.policy == record.policy
                                && *other_backend == backend
                                && other.cache_size == scale(size)
                        })
                        .map(|(other, _)| point(size, other, expected))
                })
                .collect();
            curves.push(Curve {
                method,
                policy: record.policy.clone(),
                backend: backend.clone(),
                rate,
                points,
            });
        }
        Ok((curves, records))
    }
}

/// The whole replay's requests and bytes: what a sample's are expected to
/// be, over the rate.
#[derive(Debug, Clone, Copy)]
pub(super) struct Totals {
    requests: u64,
    bytes: u128,
}

/// One pass to count the replay's requests and bytes.
pub(super) fn totals(trace: &Trace) -> anyhow::Result<Totals> {
    use wsim_traces::RequestReader;
    let progress = Progress::new(trace.len_hint(), "counting the requests");
    let mut reader = trace.reader()?;
    let mut chunk = Vec::with_capacity(wsim_traces::CHUNK);
    let mut totals = Totals {
        requests: 0,
        bytes: 0,
    };
    loop {
        reader.fill(&mut chunk)?;
        if chunk.is_empty() {
            progress.finish();
            return Ok(totals);
        }
        totals.requests += chunk.len() as u64;
        totals.bytes += chunk
            .iter()
            .map(|request| u128::from(request.size))
            .sum::<u128>();
        progress.advance(chunk.len() as u64);
    }
}

/// A run's point at `size`. A sample's misses are divided by the requests
/// (and bytes) the whole replay has times the rate, not by the sample's
/// own: SHARDS_adj's correction, carried to miniature simulation. A
/// sample's count strays from the expected mostly by a hot object it left
/// out or took in, whose requests nearly all hit; dividing by the sample's
/// own count put ARC's curve 0.02 to 0.07 high on a 4-million-request Zipf
/// trace, and this halves that.
fn point(size: u64, record: &Record, sample: Option<(f64, Totals)>) -> CurvePoint {
    let misses = record.requests - record.hits;
    let missed = record.bytes_requested - record.bytes_hit;
    #[expect(clippy::cast_precision_loss, reason = "ratios")]
    let (requests, bytes) = match sample {
        Some((rate, totals)) => (totals.requests as f64 * rate, totals.bytes as f64 * rate),
        None => (record.requests as f64, record.bytes_requested as f64),
    };
    let ratio = |part: f64, whole: f64| {
        if whole > 0.0 {
            (part / whole).clamp(0.0, 1.0)
        } else {
            0.0
        }
    };
    #[expect(clippy::cast_precision_loss, reason = "ratios")]
    CurvePoint {
        cache_size: size,
        miss_ratio: ratio(misses as f64, requests),
        byte_miss_ratio: ratio(missed as f64, bytes),
    }
}

/// The ABIs a module of the user's runs under by default, fastest first:
/// the first it exports.
const PREFERRED: [Backend; 4] = [
    Backend::Batch,
    Backend::Bytemuck,
    Backend::Bincode,
    Backend::Pair,
];

/// Where a record's run ran, in words: `native`, `batch on wasmtime`.
fn backend_of(record: &Record) -> String {
    let mut words = record.backend.name().to_owned();
    if let Some(lookup) = record
        .lookup
        .filter(|_| record.lookup != Some(wsim_backends::LookupKind::Cached))
    {
        words.push_str(&format!(" {lookup}"));
    }
    if let Some(runtime) = record.runtime {
        words.push_str(&format!(" on {runtime}"));
    }
    if let Some(fuel) = record
        .fuel
        .filter(|&fuel| fuel != crate::plan::DEFAULT_PLUGIN_FUEL)
    {
        words.push_str(&format!(" fuel {fuel}"));
    }
    words
}
