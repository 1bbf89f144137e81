//! `--compare`: each curve's policy run in full at a few of the sizes, and
//! each method's error and cost against those runs.

use std::io::{self, Write};

use wsim_policies::{PolicyKind, PolicySpec};
use wsim_traces::Trace;

use super::Curve;
use super::simulations::Simulations;
use crate::execute::Failure;

/// How long each method took, for `--compare`'s report.
pub(super) struct Timing {
    pub(super) method: &'static str,
    pub(super) seconds: f64,
    pub(super) what: String,
    /// The full simulations it stands for: a curve's sizes, for each curve.
    pub(super) replaces: usize,
}

/// `--compare`'s full simulations: their curves, the time they took, and
/// one LRU simulation's time (the baseline of the LRU methods' costs).
pub(super) struct Truths {
    pub(super) curves: Vec<Curve>,
    seconds: f64,
    runs: usize,
    one_lru: Option<f64>,
}

/// Every simulated policy run in full at up to five of the sizes, one run
/// at a time (so each is timed alone).
pub(super) fn compare(
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
pub(super) fn report_errors(
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
pub(super) fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}
