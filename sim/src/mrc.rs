//! `wsim mrc`: miss-ratio curves by exact LRU stack distances, SHARDS, or
//! miniature simulation (Waldspurger et al., ATC '17: each policy simulated
//! on a spatial sample of the objects at sizes scaled by the sampling rate,
//! the sizes in parallel, on any backend `run` has), with `--compare`
//! against full simulations.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use serde::Serialize;
use wsim_backends::Backend;
use wsim_policies::{PolicyKind, PolicySpec};
use wsim_traces::Trace;
use wsim_traces::mrc::{CurvePoint, ShardsMode};
use wsim_traces::sample::SpatialSampler;

use crate::args::MrcArgs;
use crate::execute::{Failure, report_failures, run_jobs};
use crate::plan::{Selection, jobs};
use crate::plot::{Line, LineChart, Panel, line_chart};
use crate::progress::Progress;
use crate::run::{Policy, Record};
use crate::units::CacheSize;

/// One row of `--json` and `--csv`.
#[derive(Debug, Clone, Serialize)]
pub struct MrcRecord {
    /// exact, shards, minisim or simulation (`--compare`'s full runs).
    pub method: String,
    /// The policy the curve is of.
    pub policy: String,
    /// Where it ran: native, or a WebAssembly backend and runtime.
    pub backend: String,
    /// Bytes, or objects with `--ignore-size`.
    pub cache_size: u64,
    /// Misses over requests.
    pub miss_ratio: f64,
    /// Bytes missed over bytes requested.
    pub byte_miss_ratio: f64,
    /// The share of objects sampled: 1 for exact and full simulations.
    pub sample_rate: f64,
}

/// A method's curve of one policy on one backend.
struct Curve {
    method: &'static str,
    policy: String,
    backend: String,
    rate: f64,
    points: Vec<CurvePoint>,
}

impl Curve {
    fn label(&self) -> String {
        if self.backend == Backend::Native.name() {
            format!("{} {}", self.method, self.policy)
        } else {
            format!("{} {} ({})", self.method, self.policy, self.backend)
        }
    }
}

/// How long each method took, for `--compare`'s report.
struct Timing {
    method: &'static str,
    seconds: f64,
    what: String,
    /// The full simulations it stands for: a curve's sizes, for each curve.
    replaces: usize,
}

/// `wsim mrc`: every curve asked for, then the table, files and figure of
/// those made, even when a later one failed.
pub fn command(args: &MrcArgs, trace: Trace, sizes: &[u64]) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    let mut curves: Vec<Curve> = Vec::new();
    let mut failures: Vec<Failure> = Vec::new();
    let made = make_curves(args, &trace, sizes, &mut curves, &mut failures, &mut out);
    write_table(&curves, trace.ignore_size(), &mut out)?;
    let records = records(&curves);
    let json = args
        .json
        .as_deref()
        .map(|path| crate::report::write_json_file(&records, path));
    let csv = args.csv.as_deref().map(|path| write_csv(&records, path));
    let drawn = args
        .plot
        .as_deref()
        .filter(|_| !curves.is_empty())
        .map(|dir| draw(&curves, trace.name(), trace.ignore_size(), dir))
        .transpose();
    if let Ok(Some(path)) = &drawn {
        writeln!(out, "figure: {}", path.display())?;
    }
    made?;
    json.transpose()?;
    csv.transpose()?;
    drawn?;
    report_failures(failures)
}

/// Each method's curves into `curves`, and `--compare`'s report; a run
/// that fails (a plugin's) joins `failures` while the rest go on.
fn make_curves(
    args: &MrcArgs,
    trace: &Trace,
    sizes: &[u64],
    curves: &mut Vec<Curve>,
    failures: &mut Vec<Failure>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut timings: Vec<Timing> = Vec::new();
    let mut lru_curves = false;
    for method in &crate::choice::distinct(args.methods.iter().cloned()) {
        let start = Instant::now();
        let progress = Progress::new(trace.len_hint(), method);
        let advance = |requests| progress.advance(requests);
        let (distances, rate) = match method.as_str() {
            "exact" => (wsim_traces::mrc::exact(trace, sizes, advance)?, 1.0),
            "shards" => {
                let mode = match args.max_objects {
                    Some(limit) => ShardsMode::FixedSize(limit),
                    None => ShardsMode::FixedRate(args.rate.unwrap_or(0.01)),
                };
                wsim_traces::mrc::shards(trace, mode, sizes, !args.no_adjust, advance)?
            }
            _ => continue,
        };
        progress.finish();
        let method = if method == "exact" { "exact" } else { "shards" };
        if method == "shards" {
            describe_sample(&distances, rate, sizes, out)?;
        }
        let inexact = distances.inexact_at();
        if method == "exact" && !inexact.is_empty() {
            let why = if distances.resized > 0 {
                format!(
                    "{} requests found their object at another size (the stack takes the new \
                     size, an LRU cache hitting keeps the stored one)",
                    distances.resized
                )
            } else {
                format!(
                    "the largest object ({} bytes) exceeds them (LRU never admits it, the stack \
                     counts its room)",
                    distances.largest
                )
            };
            writeln!(
                out,
                "note: the exact curve may differ from LRU simulations at {} of the sizes: {why}; \
                 --ignore-size makes it exact",
                inexact.len()
            )?;
        }
        lru_curves = true;
        curves.push(Curve {
            method,
            policy: PolicySpec::of(PolicyKind::Lru).to_string(),
            backend: Backend::Native.name().to_owned(),
            rate,
            points: distances.curve(),
        });
        timings.push(Timing {
            method,
            seconds: start.elapsed().as_secs_f64(),
            what: "one pass".to_owned(),
            replaces: sizes.len(),
        });
    }
    let minisim = args.methods.iter().any(|method| method == "minisim");
    if minisim || args.compare {
        let mut simulations = Simulations::new(args, minisim, out, failures)?;
        if minisim {
            let asked = args.rate.unwrap_or(0.05);
            let rate = SpatialSampler::new(asked).map_err(anyhow::Error::msg)?;
            if (rate.ratio() - asked).abs() > 1e-12 {
                writeln!(
                    out,
                    "minisim: rate {asked} keeps one object in {:.0}, as --sample-ratio does: \
                     rate {:.4}",
                    1.0 / rate.ratio(),
                    rate.ratio()
                )?;
            }
            let start = Instant::now();
            let totals = if args.no_adjust {
                None
            } else {
                Some(totals(trace)?)
            };
            let (made, _) =
                simulations.run("minisim", trace, Some((rate, totals)), sizes, failures)?;
            timings.push(Timing {
                method: "minisim",
                seconds: start.elapsed().as_secs_f64(),
                what: format!(
                    "{} of {} sizes, {} runs at a time",
                    plural(made.len(), "curve"),
                    sizes.len(),
                    rayon::current_num_threads()
                ),
                replaces: made.len() * sizes.len(),
            });
            curves.extend(made);
        }
        if args.compare {
            if lru_curves {
                simulations.add_lru();
            }
            let truths = compare(&simulations, trace, sizes, failures)?;
            report_errors(curves, &truths, &timings, out)?;
            curves.extend(truths.curves);
        }
    }
    Ok(())
}

/// The policies simulated (minisim's, loaded once) and where they run.
struct Simulations {
    selection: Selection,
    policies: Vec<Policy>,
}

impl Simulations {
    /// `--policy` and `--wasm` loaded when minisim runs; otherwise (for
    /// `--compare` alone) no policy yet. A module that fails to load joins
    /// `failures` while the rest run.
    fn new(
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
            if selection.backends_asked {
                if selection.wasm_backends().next().is_some() {
                    failures.extend(crate::cli::load_guests(
                        &args.guests,
                        &selection,
                        &mut policies,
                        out,
                    )?);
                }
            } else if !args.guests.modules.is_empty() {
                // The modules on batch; the built-in policies natively, as
                // nobody asked for them in a sandbox.
                let mut modules = Vec::new();
                failures.extend(crate::cli::load_guests(
                    &args.guests,
                    &selection,
                    &mut modules,
                    out,
                )?);
                policies.extend(modules);
            }
        }
        Ok(Self {
            selection,
            policies,
        })
    }

    /// LRU run natively too, the truth of the exact and SHARDS curves.
    fn add_lru(&mut self) {
        let lru = PolicySpec::of(PolicyKind::Lru).to_string();
        if !self.policies.iter().any(|policy| policy.name == lru) {
            self.policies
                .push(Policy::builtin(&PolicySpec::of(PolicyKind::Lru)));
        }
    }

    /// Every policy on every backend chosen at `sizes`: on the spatial
    /// sample of `sample` at sizes scaled by its rate (minisim), or on the
    /// whole trace, one run at a time (`--compare`'s simulations).
    fn run(
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
        let mut curves: Vec<Curve> = Vec::new();
        for record in &records {
            let backend = backend_of(record);
            if curves
                .iter()
                .any(|curve| curve.policy == record.policy && curve.backend == backend)
            {
                continue;
            }
            let points = sizes
                .iter()
                .filter_map(|&size| {
                    records
                        .iter()
                        .find(|other| {
                            other.policy == record.policy
                                && backend_of(other) == backend
                                && other.cache_size == scale(size)
                        })
                        .map(|other| {
                            let expected = sample.and_then(|(_, totals)| totals);
                            point(size, other, expected.map(|totals| (rate, totals)))
                        })
                })
                .collect();
            curves.push(Curve {
                method,
                policy: record.policy.clone(),
                backend,
                rate,
                points,
            });
        }
        Ok((curves, records))
    }
}

/// What SHARDS' sample held, and the sizes it cannot see: below its
/// shortest (scaled) distance a sample has no hit, so the curve there is
/// all misses whatever the trace's.
fn describe_sample(
    distances: &wsim_traces::mrc::Distances,
    rate: f64,
    sizes: &[u64],
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(
        out,
        "shards: the sample held {} objects and {} requests (rate {rate:.4})",
        distances.objects, distances.measured
    )?;
    let shortest = distances.shortest.unwrap_or(u64::MAX);
    let blind = sizes.iter().filter(|&&size| size < shortest).count();
    if blind > 0 {
        writeln!(
            out,
            "note: shards' sample saw no reuse shorter than {shortest}: at the {blind} sizes below \
             it the curve is all misses; a higher --rate sees smaller caches"
        )?;
    }
    Ok(())
}

/// The whole replay's requests and bytes: what a sample's are expected to
/// be, over the rate.
#[derive(Debug, Clone, Copy)]
struct Totals {
    requests: u64,
    bytes: u128,
}

/// One pass to count the replay's requests and bytes.
fn totals(trace: &Trace) -> anyhow::Result<Totals> {
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

/// `--compare`'s full simulations: their curves, the time they took, and
/// one LRU simulation's time (the baseline of the LRU methods' costs).
struct Truths {
    curves: Vec<Curve>,
    seconds: f64,
    runs: usize,
    one_lru: Option<f64>,
}

/// Every simulated policy run in full at up to five of the sizes, one run
/// at a time (so each is timed alone).
fn compare(
    simulations: &Simulations,
    trace: &Trace,
    sizes: &[u64],
    failures: &mut Vec<Failure>,
) -> anyhow::Result<Truths> {
    let step = sizes.len().div_ceil(5).max(1);
    let chosen: Vec<u64> = sizes.iter().copied().step_by(step).collect();
    let (curves, records) = simulations.run("simulation", trace, None, &chosen, failures)?;
    let lru = PolicySpec::of(PolicyKind::Lru).to_string();
    let lru_seconds: Vec<f64> = records
        .iter()
        .filter(|record| record.policy == lru && !record.backend.is_wasm())
        .filter_map(|record| record.seconds)
        .collect();
    #[expect(clippy::cast_precision_loss, reason = "a mean")]
    let one_lru = (!lru_seconds.is_empty())
        .then(|| lru_seconds.iter().sum::<f64>() / lru_seconds.len() as f64);
    Ok(Truths {
        curves,
        seconds: records.iter().filter_map(|record| record.seconds).sum(),
        runs: records.len(),
        one_lru,
    })
}

/// Each curve's mean absolute error against the full simulations of its
/// policy on its backend, and what each method cost.
fn report_errors(
    curves: &[Curve],
    truths: &Truths,
    timings: &[Timing],
    out: &mut dyn Write,
) -> io::Result<()> {
    let sizes = truths.curves.first().map_or(0, |curve| curve.points.len());
    writeln!(
        out,
        "mean absolute error of the miss ratio against full simulations at {sizes} sizes:"
    )?;
    let width = curves
        .iter()
        .map(|curve| curve.label().len())
        .max()
        .unwrap_or(0);
    for curve in curves {
        let Some(truth) = truths
            .curves
            .iter()
            .find(|truth| truth.policy == curve.policy && truth.backend == curve.backend)
        else {
            continue;
        };
        let errors: Vec<f64> = truth
            .points
            .iter()
            .filter_map(|point| {
                curve
                    .points
                    .iter()
                    .find(|other| other.cache_size == point.cache_size)
                    .map(|other| (other.miss_ratio - point.miss_ratio).abs())
            })
            .collect();
        #[expect(clippy::cast_precision_loss, reason = "a mean")]
        let mean = errors.iter().sum::<f64>() / errors.len().max(1) as f64;
        let worst = errors.iter().copied().fold(0.0, f64::max);
        writeln!(
            out,
            "  {:<width$} {mean:.4} (worst {worst:.4})",
            curve.label()
        )?;
    }
    writeln!(out, "time:")?;
    for timing in timings {
        writeln!(
            out,
            "  {:<10} {:>8.3} s ({})",
            timing.method, timing.seconds, timing.what
        )?;
    }
    writeln!(
        out,
        "  {:<10} {:>8.3} s ({} runs, one at a time)",
        "simulation", truths.seconds, truths.runs
    )?;
    for timing in timings {
        // LRU's methods against one LRU simulation; minisim against the
        // full runs it stands for, at the full runs' mean pace.
        let (unit, what) = if timing.method == "minisim" {
            #[expect(clippy::cast_precision_loss, reason = "a mean")]
            let mean = truths.seconds / truths.runs.max(1) as f64;
            (mean, "full runs")
        } else {
            match truths.one_lru {
                Some(one) => (one, "LRU simulations"),
                None => continue,
            }
        };
        if unit > 0.0 {
            #[expect(clippy::cast_precision_loss, reason = "a ratio")]
            let faster = unit * timing.replaces as f64 / timing.seconds;
            writeln!(
                out,
                "  {} cost {:.2} {what} ({unit:.3} s each) and stands for {} of them: {faster:.1}x faster",
                timing.method,
                timing.seconds / unit,
                timing.replaces
            )?;
        }
    }
    Ok(())
}

/// `count` `noun`s, in English.
fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

fn records(curves: &[Curve]) -> Vec<MrcRecord> {
    curves
        .iter()
        .flat_map(|curve| {
            curve.points.iter().map(|point| MrcRecord {
                method: curve.method.to_owned(),
                policy: curve.policy.clone(),
                backend: curve.backend.clone(),
                cache_size: point.cache_size,
                miss_ratio: point.miss_ratio,
                byte_miss_ratio: point.byte_miss_ratio,
                sample_rate: curve.rate,
            })
        })
        .collect()
}

/// Every point, a row each; sizes in units (`--json` and `--csv` keep the
/// exact numbers).
fn write_table(curves: &[Curve], objects: bool, out: &mut dyn Write) -> io::Result<()> {
    let policy_width = curves
        .iter()
        .map(|curve| curve.policy.len())
        .chain([6])
        .max()
        .unwrap_or(6);
    let backend_width = curves
        .iter()
        .map(|curve| curve.backend.len())
        .chain([7])
        .max()
        .unwrap_or(7);
    writeln!(
        out,
        "{:<10} {:<policy_width$} {:<backend_width$} {:>16} {:>11} {:>16} {:>12}",
        "method", "policy", "backend", "cache size", "miss ratio", "byte miss ratio", "sample rate"
    )?;
    for curve in curves {
        for point in &curve.points {
            writeln!(
                out,
                "{:<10} {:<policy_width$} {:<backend_width$} {:>16} {:>11.4} {:>16.4} {:>12.4}",
                curve.method,
                curve.policy,
                curve.backend,
                CacheSize {
                    capacity: point.cache_size,
                    objects,
                }
                .to_string(),
                point.miss_ratio,
                point.byte_miss_ratio,
                curve.rate
            )?;
        }
    }
    Ok(())
}

fn write_csv(records: &[MrcRecord], path: &Path) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_path(path).with_context(|| path.display().to_string())?;
    for record in records {
        writer.serialize(record)?;
    }
    writer.flush()?;
    Ok(())
}

/// Every curve on one figure, cache size on a log axis.
fn draw(curves: &[Curve], trace: &str, ignore_size: bool, dir: &Path) -> anyhow::Result<PathBuf> {
    let path = dir.join("mrc.svg");
    let title = format!("Miss-ratio curves: {trace}");
    #[expect(clippy::cast_precision_loss, reason = "plotted")]
    let lines = curves
        .iter()
        .map(|curve| Line {
            name: curve.label(),
            points: curve
                .points
                .iter()
                .map(|point| (point.cache_size as f64, point.miss_ratio))
                .collect(),
        })
        .collect();
    line_chart(
        &LineChart {
            title: &title,
            x_label: crate::figures::size_axis(ignore_size),
            x_format: if ignore_size {
                crate::figures::format_objects
            } else {
                crate::figures::format_bytes
            },
            log_x: true,
            legend_at: plotters::prelude::SeriesLabelPosition::UpperRight,
            y_range: (0.0, 1.0),
            panels: vec![Panel {
                title: String::new(),
                y_label: "miss ratio".to_owned(),
                lines,
            }],
        },
        &path,
    )?;
    Ok(path)
}
