//! The trace tools: `wsim convert` and `wsim analyze`, and opening a trace
//! file as every command does (its format detected and said, its replay
//! options described).

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use wsim_traces::{Analysis, Stage, Trace, TraceFile, TraceFormat};

use crate::args::{AnalyzeArgs, ConvertArgs, FormatArgs};
use crate::plot::{Line, LineChart, Panel, line_chart};
use crate::progress::Progress;
use crate::units::Bytes;

/// The trace file at `path` read as `format` says; a format guessed from
/// the file's bytes is said on stderr.
pub fn open_file(path: &Path, format: &FormatArgs, ignore_size: bool) -> anyhow::Result<Trace> {
    let file = TraceFile::new(
        path,
        format.format().map_err(anyhow::Error::msg)?,
        format.read_options(),
    )?;
    if let Some(how) = file.guessed() {
        writeln!(
            io::stderr(),
            "wsim: {}: reading it as {} (guessed from {how}; --format overrides)",
            path.display(),
            file.format()
        )?;
    }
    Ok(Trace::from_file(file, ignore_size))
}

/// Says which requests of the trace are replayed, when not all.
pub fn describe_replay(trace: &Trace, out: &mut dyn Write) -> io::Result<()> {
    let replay = trace.replay();
    if let Some(limit) = replay.num_req {
        writeln!(out, "replay: the first {limit} requests")?;
    }
    if let Some(sampler) = replay.sample {
        writeln!(
            out,
            "replay: a spatial sample of the objects, {sampler}; cache sizes are not scaled"
        )?;
    }
    Ok(())
}

/// `wsim convert`.
pub fn convert(args: &ConvertArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let format = args
        .to
        .or_else(|| TraceFormat::from_path(&args.output))
        .with_context(|| {
            format!(
                "{}: cannot tell the format to write from the name; pass --to",
                args.output.display()
            )
        })?;
    let trace = open_file(&args.input, &args.format, false)?.with_replay(args.replay.replay());
    writeln!(out, "reading {}", trace.description())?;
    describe_replay(&trace, out)?;
    let mut progress: Option<(Stage, Progress)> = None;
    let converted = wsim_traces::convert(&trace, &args.output, format, |stage, requests| {
        if progress.as_ref().is_none_or(|(shown, _)| *shown != stage) {
            if let Some((_, done)) = progress.take() {
                done.finish();
            }
            progress = Some((stage, Progress::new(None, stage.describe())));
        }
        if let Some((_, bar)) = &progress {
            bar.advance(requests);
        }
    });
    if let Some((_, bar)) = progress {
        bar.finish();
    }
    let converted = converted?;
    let summary = converted.summary;
    writeln!(
        out,
        "wrote {} ({format}): {} requests, {} objects, {} requested",
        args.output.display(),
        summary.requests,
        summary.objects,
        Bytes(u64::try_from(summary.bytes_requested).unwrap_or(u64::MAX))
    )?;
    if converted.skipped > 0 {
        writeln!(out, "skipped {} requests of size 0", converted.skipped)?;
    }
    Ok(())
}

/// `wsim analyze`.
pub fn analyze(args: &AnalyzeArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let trace =
        open_file(&args.trace, &args.format, args.ignore_size)?.with_replay(args.replay.replay());
    writeln!(out, "trace: {}", trace.description())?;
    describe_replay(&trace, out)?;
    let progress = Progress::new(trace.len_hint(), "analysing");
    let analysis = wsim_traces::analyze(&trace, |requests| progress.advance(requests));
    progress.finish();
    let analysis = analysis?;
    write_analysis(&analysis, out)?;
    let json = args.json.as_deref().map(|path| -> anyhow::Result<()> {
        let text = serde_json::to_string_pretty(&analysis)?;
        std::fs::write(path, text + "\n").with_context(|| format!("{}", path.display()))
    });
    let figures = args
        .plot
        .as_deref()
        .map(|dir| draw_analysis(&analysis, trace.name(), dir));
    if let Some(Ok(paths)) = &figures {
        let listed: Vec<String> = paths
            .iter()
            .map(|path| path.display().to_string())
            .collect();
        writeln!(out, "figures: {}", listed.join(", "))?;
    }
    json.transpose()?;
    figures.transpose()?;
    Ok(())
}

/// The analysis as a table.
fn write_analysis(analysis: &Analysis, out: &mut dyn Write) -> io::Result<()> {
    let bytes = |value: u128| Bytes(u64::try_from(value).unwrap_or(u64::MAX)).to_string();
    let mut rows: Vec<(&str, String)> = vec![
        ("requests", analysis.requests.to_string()),
        ("objects", analysis.objects.to_string()),
        ("bytes requested", bytes(analysis.bytes_requested)),
        ("working set", bytes(analysis.working_set_bytes)),
        (
            "one-hit wonders",
            format!(
                "{} ({:.2}% of objects)",
                analysis.one_hit_wonders,
                100.0 * analysis.one_hit_wonder_ratio
            ),
        ),
    ];
    for (name, sizes) in [
        ("object sizes (bytes)", &analysis.object_sizes),
        ("request sizes (bytes)", &analysis.request_sizes),
    ] {
        rows.push((
            name,
            format!(
                "min {}, p25 {}, p50 {}, p75 {}, p90 {}, p99 {}, max {}",
                sizes.min, sizes.p25, sizes.p50, sizes.p75, sizes.p90, sizes.p99, sizes.max
            ),
        ));
    }
    let top: Vec<String> = analysis
        .popularity
        .iter()
        .take(4)
        .map(|point| point.frequency.to_string())
        .collect();
    rows.push(("most requested (requests)", top.join(", ")));
    rows.push((
        "zipf alpha",
        analysis.zipf.map_or_else(
            || "- (fewer than two objects)".to_owned(),
            |fit| {
                format!(
                    "{:.4} (R² {:.4}, least squares of ln frequency on ln rank)",
                    fit.alpha, fit.r2
                )
            },
        ),
    ));
    let reuse = &analysis.reuse_distance;
    let buckets: Vec<String> = reuse
        .log2_buckets
        .iter()
        .enumerate()
        .filter(|(_, count)| **count > 0)
        .map(|(power, count)| format!("2^{power}: {count}"))
        .collect();
    rows.push((
        "reuse distance (requests)",
        format!("cold {}; {}", reuse.cold, buckets.join(", ")),
    ));
    rows.push((
        "time span",
        analysis.time_span.map_or_else(
            || "- (wsim reads no clock times from this format)".to_owned(),
            |span| {
                format!(
                    "{} to {}: {} (the trace's time unit, seconds for most formats)",
                    span.first, span.last, span.span
                )
            },
        ),
    ));
    if analysis.skipped_zero_size > 0 {
        rows.push(("skipped (size 0)", analysis.skipped_zero_size.to_string()));
    }
    let width = rows.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    for (name, value) in rows {
        writeln!(out, "{name:<width$}  {value}")?;
    }
    Ok(())
}

/// The popularity and reuse-distance figures; returns their paths.
fn draw_analysis(analysis: &Analysis, trace: &str, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    #[expect(clippy::cast_precision_loss, reason = "plotted")]
    let popularity: Vec<(f64, f64)> = analysis
        .popularity
        .iter()
        .map(|point| (point.rank as f64, point.frequency as f64))
        .collect();
    let highest = popularity.first().map_or(1.0, |point| point.1);
    let path = dir.join("popularity.svg");
    let title = format!("Popularity: {trace}");
    let mut lines = vec![Line {
        name: "requests per object".to_owned(),
        points: popularity,
    }];
    if let Some(fit) = analysis.zipf {
        let fitted = lines[0]
            .points
            .iter()
            .map(|&(rank, _)| (rank, (fit.intercept - fit.alpha * rank.ln()).exp()))
            .collect();
        lines.push(Line {
            name: format!("Zipf fit, alpha {:.3}", fit.alpha),
            points: fitted,
        });
    }
    line_chart(
        &LineChart {
            title: &title,
            x_label: "object rank (most requested first, log scale)",
            x_format: |rank| format!("{rank:.0}"),
            log_x: true,
            legend_at: plotters::prelude::SeriesLabelPosition::UpperLeft,
            y_range: (0.0, highest * 1.1),
            panels: vec![Panel {
                title: String::new(),
                y_label: "requests per object".to_owned(),
                lines,
            }],
        },
        &path,
    )?;
    let reuse_path = dir.join("reuse-distance.svg");
    let total: u64 = analysis.reuse_distance.log2_buckets.iter().sum();
    #[expect(clippy::cast_precision_loss, reason = "plotted")]
    let reuse: Vec<(f64, f64)> = analysis
        .reuse_distance
        .log2_buckets
        .iter()
        .enumerate()
        .map(|(power, &count)| ((1u64 << power) as f64, count as f64 / total.max(1) as f64))
        .collect();
    let highest = reuse.iter().map(|point| point.1).fold(0.0, f64::max);
    let title = format!("Reuse distance: {trace}");
    line_chart(
        &LineChart {
            title: &title,
            x_label: "reuse distance (requests since the object's previous request, log scale)",
            x_format: |distance| format!("{distance:.0}"),
            log_x: true,
            legend_at: plotters::prelude::SeriesLabelPosition::UpperLeft,
            y_range: (0.0, (highest * 1.1).max(0.01)),
            panels: vec![Panel {
                title: String::new(),
                y_label: "share of reuses in [d, 2d)".to_owned(),
                lines: vec![Line {
                    name: "reuses".to_owned(),
                    points: reuse,
                }],
            }],
        },
        &reuse_path,
    )?;
    Ok(vec![path, reuse_path])
}
