//! `wsim mrc`: miss-ratio curves by exact LRU stack distances, SHARDS, or
//! miniature simulation (Waldspurger et al., ATC '17: each policy simulated
//! on a spatial sample of the objects at sizes scaled by the sampling rate,
//! the sizes in parallel), with `--compare` against full simulations.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use rayon::prelude::*;
use serde::Serialize;
use wsim_policies::{Cache, EvictionPolicy, PolicySpec, PolicyVisitor, Request};
use wsim_traces::mrc::{CurvePoint, ShardsMode};
use wsim_traces::sample::SpatialSampler;
use wsim_traces::{CHUNK, Replay, RequestReader, Trace};

use crate::args::MrcArgs;
use crate::plot::{Line, LineChart, Panel, line_chart};
use crate::progress::Progress;

/// One row of `--json` and `--csv`.
#[derive(Debug, Clone, Serialize)]
pub struct MrcRecord {
    /// exact, shards, minisim or simulation (`--compare`'s full runs).
    pub method: String,
    /// The policy the curve is of.
    pub policy: String,
    /// Bytes, or objects with `--ignore-size`.
    pub cache_size: u64,
    /// Misses over requests.
    pub miss_ratio: f64,
    /// Bytes missed over bytes requested.
    pub byte_miss_ratio: f64,
    /// The share of objects sampled: 1 for exact and full simulations.
    pub sample_rate: f64,
}

/// A method and what it measured, with its time.
struct Curve {
    method: String,
    policy: String,
    rate: f64,
    points: Vec<CurvePoint>,
    seconds: f64,
}

/// `wsim mrc`.
pub fn command(args: &MrcArgs, trace: Trace, sizes: &[u64]) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    let mut curves: Vec<Curve> = Vec::new();
    for method in &args.methods {
        let start = Instant::now();
        let progress = Progress::new(trace.len_hint(), method);
        let advance = |requests| progress.advance(requests);
        match method.as_str() {
            "exact" => {
                let distances = wsim_traces::mrc::exact(&trace, advance)?;
                curves.push(Curve {
                    method: "exact".to_owned(),
                    policy: "lru".to_owned(),
                    rate: 1.0,
                    points: distances.curve(sizes),
                    seconds: start.elapsed().as_secs_f64(),
                });
            }
            "shards" => {
                let mode = match args.max_objects {
                    Some(limit) => ShardsMode::FixedSize(limit),
                    None => ShardsMode::FixedRate(args.rate.unwrap_or(0.01)),
                };
                let (distances, rate) = wsim_traces::mrc::shards(&trace, mode, advance)?;
                curves.push(Curve {
                    method: "shards".to_owned(),
                    policy: "lru".to_owned(),
                    rate,
                    points: distances.curve(sizes),
                    seconds: start.elapsed().as_secs_f64(),
                });
            }
            _ => {
                progress.finish();
                let rate = args.rate.unwrap_or(0.05);
                for policy in &args.policies {
                    let start = Instant::now();
                    let points = minisim(&trace, policy, rate, sizes)?;
                    curves.push(Curve {
                        method: "minisim".to_owned(),
                        policy: policy.to_string(),
                        rate: SpatialSampler::new(rate)
                            .map_err(anyhow::Error::msg)?
                            .ratio(),
                        points,
                        seconds: start.elapsed().as_secs_f64(),
                    });
                }
                continue;
            }
        }
        progress.finish();
    }
    if args.compare {
        compare(args, &trace, sizes, &mut curves, &mut out)?;
    }
    write_table(&curves, &mut out)?;
    let records = records(&curves);
    if let Some(path) = &args.json {
        crate::report::write_json_file(&records, path)?;
    }
    if let Some(path) = &args.csv {
        write_csv(&records, path)?;
    }
    if let Some(dir) = &args.plot {
        let path = draw(&curves, trace.name(), trace.ignore_size(), dir)?;
        writeln!(out, "figure: {}", path.display())?;
    }
    Ok(())
}

/// A policy simulated natively on the spatial sample of `rate` at each
/// size scaled by the rate, the sizes in parallel.
fn minisim(
    trace: &Trace,
    policy: &PolicySpec,
    rate: f64,
    sizes: &[u64],
) -> anyhow::Result<Vec<CurvePoint>> {
    let sampler = SpatialSampler::new(rate).map_err(anyhow::Error::msg)?;
    let sampled = trace.clone().with_replay(Replay {
        sample: Some(sampler),
        ..trace.replay()
    });
    let sampled = if policy.kind.needs_next_access() {
        sampled.with_next_access(|_| {})?
    } else {
        sampled
    };
    sizes
        .par_iter()
        .map(|&size| {
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss,
                reason = "a size scaled by a rate below 1"
            )]
            let scaled = ((size as f64 * sampler.ratio()).round() as u64).max(1);
            let (requests, misses, bytes, missed) = policy.kind.visit(Simulate {
                trace: &sampled,
                capacity: scaled,
                params: &policy.params,
            })?;
            #[expect(clippy::cast_precision_loss, reason = "a ratio")]
            let ratio = |part: u128, whole: u128| {
                if whole == 0 {
                    0.0
                } else {
                    part as f64 / whole as f64
                }
            };
            Ok(CurvePoint {
                cache_size: size,
                miss_ratio: ratio(u128::from(misses), u128::from(requests)),
                byte_miss_ratio: ratio(missed, bytes),
            })
        })
        .collect()
}

/// One native run: (requests, misses, bytes, bytes missed).
struct Simulate<'a> {
    trace: &'a Trace,
    capacity: u64,
    params: &'a wsim_policies::Params,
}

impl PolicyVisitor for Simulate<'_> {
    type Output = anyhow::Result<(u64, u64, u128, u128)>;

    fn visit<P: EvictionPolicy + 'static>(self) -> Self::Output {
        let mut cache = Cache::<P>::with_params(self.capacity, self.params);
        let mut reader = self.trace.reader()?;
        let mut chunk: Vec<Request> = Vec::with_capacity(CHUNK);
        let (mut requests, mut misses, mut bytes, mut missed) = (0, 0, 0u128, 0u128);
        loop {
            reader.fill(&mut chunk)?;
            if chunk.is_empty() {
                return Ok((requests, misses, bytes, missed));
            }
            for &request in &chunk {
                requests += 1;
                bytes += u128::from(request.size);
                if !cache.access(request) {
                    misses += 1;
                    missed += u128::from(request.size);
                }
            }
        }
    }
}

/// Full simulations at up to five of the sizes, and each curve's mean
/// absolute error against them.
fn compare(
    args: &MrcArgs,
    trace: &Trace,
    sizes: &[u64],
    curves: &mut Vec<Curve>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let step = sizes.len().div_ceil(5).max(1);
    let chosen: Vec<u64> = sizes.iter().copied().step_by(step).collect();
    let mut policies: Vec<String> = curves.iter().map(|curve| curve.policy.clone()).collect();
    policies.sort();
    policies.dedup();
    let mut truths = Vec::new();
    for name in &policies {
        let spec: PolicySpec = name
            .parse()
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("--compare: {name}"))?;
        let start = Instant::now();
        let points = minisim(trace, &spec, 1.0, &chosen)?;
        truths.push(Curve {
            method: "simulation".to_owned(),
            policy: name.clone(),
            rate: 1.0,
            points,
            seconds: start.elapsed().as_secs_f64(),
        });
    }
    writeln!(
        out,
        "mean absolute error against full simulations at {} sizes:",
        chosen.len()
    )?;
    for curve in curves.iter() {
        let Some(truth) = truths.iter().find(|truth| truth.policy == curve.policy) else {
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
        writeln!(
            out,
            "  {} {}: {mean:.4} ({:.2} s; the simulations took {:.2} s)",
            curve.method, curve.policy, curve.seconds, truth.seconds
        )?;
    }
    let _ = args;
    curves.extend(truths);
    Ok(())
}

fn records(curves: &[Curve]) -> Vec<MrcRecord> {
    curves
        .iter()
        .flat_map(|curve| {
            curve.points.iter().map(|point| MrcRecord {
                method: curve.method.clone(),
                policy: curve.policy.clone(),
                cache_size: point.cache_size,
                miss_ratio: point.miss_ratio,
                byte_miss_ratio: point.byte_miss_ratio,
                sample_rate: curve.rate,
            })
        })
        .collect()
}

fn write_table(curves: &[Curve], out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "{:<11} {:<10} {:>16} {:>11} {:>16} {:>12}",
        "method", "policy", "cache size", "miss ratio", "byte miss ratio", "sample rate"
    )?;
    for curve in curves {
        for point in &curve.points {
            writeln!(
                out,
                "{:<11} {:<10} {:>16} {:>11.4} {:>16.4} {:>12.4}",
                curve.method,
                curve.policy,
                point.cache_size,
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
            name: format!("{} {}", curve.method, curve.policy),
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
            x_label: if ignore_size {
                "cache size (objects, log scale)"
            } else {
                "cache size (bytes, log scale)"
            },
            x_format: |size| format!("{size:.0}"),
            log_x: true,
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
