//! `wsim mrc`: miss-ratio curves by exact LRU stack distances, SHARDS, or
//! miniature simulation (Waldspurger et al., ATC '17: each policy simulated
//! on a spatial sample of the objects at sizes scaled by the sampling rate,
//! the sizes in parallel, on any backend `run` has), with `--compare`
//! against full simulations.
//!
//! This file makes the curves and writes them out; `simulations` runs
//! minisim's and `--compare`'s simulations, `compare` reports the errors
//! and costs.

mod compare;
mod simulations;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;
use wsim_backends::Backend;
use wsim_policies::{PolicyKind, PolicySpec};
use wsim_traces::Trace;
use wsim_traces::mrc::{CurvePoint, ShardsMode};
use wsim_traces::sample::SpatialSampler;

use crate::args::MrcArgs;
use crate::execute::{Failure, report_failures};
use crate::plot::{Line, LineChart, Panel, line_chart};
use crate::progress::Progress;
use crate::units::CacheSize;
use compare::{Timing, compare, plural, report_errors};
use simulations::{Simulations, totals};

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

/// `wsim mrc`: every curve asked for, then the table, files and figure of
/// those made, even when a later one failed.
pub fn command(
    args: &MrcArgs,
    trace: Trace,
    sizes: &[u64],
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut curves: Vec<Curve> = Vec::new();
    let mut failures: Vec<Failure> = Vec::new();
    let made = make_curves(args, &trace, sizes, &mut curves, &mut failures, out);
    write_table(&curves, trace.ignore_size(), out)?;
    let records = records(&curves);
    let json = args
        .json
        .as_deref()
        .map(|path| crate::report::write_json_file(&records, path));
    let csv = args
        .csv
        .as_deref()
        .map(|path| crate::report::write_csv(&records, path));
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
    // LRU's one-pass methods, each once, in the order asked.
    let passes = crate::choice::distinct(
        args.methods
            .iter()
            .filter_map(|method| ["exact", "shards"].into_iter().find(|pass| pass == method)),
    );
    for method in passes {
        let start = Instant::now();
        let progress = Progress::new(trace.len_hint(), method);
        let advance = |requests| progress.advance(requests);
        let (distances, rate) = if method == "exact" {
            (wsim_traces::mrc::exact(trace, sizes, advance)?, 1.0)
        } else {
            let mode = match args.max_objects {
                Some(limit) => ShardsMode::FixedSize(limit),
                None => ShardsMode::FixedRate(args.rate.unwrap_or(0.01)),
            };
            wsim_traces::mrc::shards(trace, mode, sizes, !args.no_adjust, advance)?
        };
        progress.finish();
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
    // Each column as wide as its widest entry or its heading.
    let width = |column: fn(&Curve) -> &str, heading: &str| {
        curves
            .iter()
            .map(|curve| column(curve).len())
            .fold(heading.len(), usize::max)
    };
    let policy_width = width(|curve| &curve.policy, "policy");
    let backend_width = width(|curve| &curve.backend, "backend");
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
