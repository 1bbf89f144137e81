//! The figures of `wsim run --plot DIR`: the paper's Figure 9 (hit ratio
//! against cache size) and Figure 10 (time per policy and backend).

use std::path::{Path, PathBuf};

use crate::Error;
use plotters::style::RGBColor;

use crate::plot::{
    Bar, BarChart, Cluster, Line, LineChart, PALETTE, Panel, bar_chart, lighter, line_chart,
};
use wsim_backends::{Backend, Runtime};

use crate::run::Record;
use crate::units::{Bytes, CacheSize, ExactBytes};

/// Draws every figure the records allow into `dir`; returns their paths.
pub fn draw_run(records: &[Record], trace: &str, dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let Some(first) = records.first() else {
        return Ok(Vec::new());
    };
    let ignore_size = first.ignore_size;
    let mut drawn = Vec::new();
    let path = dir.join("figure9-hit-ratio.svg");
    hit_ratio_figure(records, trace, ignore_size, &path)?;
    drawn.push(path);
    let mut sizes: Vec<u64> = records.iter().map(|record| record.cache_size).collect();
    sizes.sort_unstable();
    sizes.dedup();
    if records
        .iter()
        .any(|record| record.timed && record.backend.is_wasm())
    {
        for size in sizes {
            let label = if ignore_size {
                format!("{size}obj")
            } else {
                ExactBytes(size).to_string()
            };
            let path = dir.join(format!("figure10-time-{label}.svg"));
            time_figure(records, trace, size, &path)?;
            drawn.push(path);
        }
    }
    Ok(drawn)
}

/// Figure 9: hit ratio (and byte hit ratio, when sizes count) against cache
/// size, one line per policy, on a log size axis. Every backend of a policy
/// has the same hits, so one record per policy and size serves.
pub fn hit_ratio_figure(
    records: &[Record],
    trace: &str,
    ignore_size: bool,
    path: &Path,
) -> Result<(), Error> {
    let mut policies: Vec<&str> = Vec::new();
    for record in records {
        if !policies.contains(&record.policy.as_str()) {
            policies.push(&record.policy);
        }
    }
    let line = |policy: &str, value: fn(&Record) -> f64| {
        let mut points: Vec<(f64, f64)> = Vec::new();
        for record in records.iter().filter(|record| record.policy == policy) {
            #[expect(clippy::cast_precision_loss, reason = "a plot coordinate")]
            let x = record.cache_size as f64;
            if !points.iter().any(|point| point.0 == x) {
                points.push((x, value(record)));
            }
        }
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        Line {
            name: policy.to_owned(),
            points,
        }
    };
    let mut panels = vec![Panel {
        title: "hit ratio".to_owned(),
        y_label: "hit ratio (hits / requests)".to_owned(),
        lines: policies
            .iter()
            .map(|policy| line(policy, |record| record.hit_ratio))
            .collect(),
    }];
    if !ignore_size {
        panels.push(Panel {
            title: "byte hit ratio".to_owned(),
            y_label: "byte hit ratio (bytes hit / bytes requested)".to_owned(),
            lines: policies
                .iter()
                .map(|policy| line(policy, |record| record.byte_hit_ratio))
                .collect(),
        });
    }
    let highest = records
        .iter()
        .map(|record| record.hit_ratio.max(record.byte_hit_ratio))
        .fold(0.0, f64::max);
    let title = format!("Hit ratio against cache size: {trace}");
    line_chart(
        &LineChart {
            title: &title,
            x_label: crate::figures::size_axis(ignore_size),
            x_format: if ignore_size {
                format_objects
            } else {
                format_bytes
            },
            log_x: true,
            legend_at: plotters::prelude::SeriesLabelPosition::UpperLeft,
            y_range: (0.0, (highest * 1.15).clamp(0.05, 1.0)),
            panels,
        },
        path,
    )
}

#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "a tick label"
)]
pub(crate) fn format_bytes(bytes: f64) -> String {
    Bytes(bytes.round() as u64).to_string()
}

#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "a tick label"
)]
pub(crate) fn format_objects(objects: f64) -> String {
    (objects.round() as u64).to_string()
}

/// Figure 10 at one cache size: for each policy, one bar per backend and
/// lookup, the time per request inside the cache, with the slowdown against
/// native printed above.
pub fn time_figure(records: &[Record], trace: &str, size: u64, path: &Path) -> Result<(), Error> {
    let at_size: Vec<&Record> = records
        .iter()
        .filter(|record| record.cache_size == size && record.timed)
        .collect();
    let mut clusters: Vec<Cluster> = Vec::new();
    for record in &at_size {
        let Some(seconds) = record.cache_seconds else {
            continue;
        };
        #[expect(clippy::cast_precision_loss, reason = "a plot coordinate")]
        let nanoseconds = seconds * 1e9 / record.requests.max(1) as f64;
        let fuel = if record.fuel.is_some() { " +fuel" } else { "" };
        let lookup = record
            .lookup
            .map_or_else(String::new, |lookup| format!(" {}", lookup.name()));
        // The runtime is named where more than one could have run it.
        let runtime = match record.runtime {
            Some(runtime) if !record.backend.is_component() => format!(" {}", runtime.name()),
            _ => String::new(),
        };
        let series = format!("{}{lookup}{runtime}{fuel}", record.backend.name());
        let annotation = match (record.backend, record.slowdown_vs_native) {
            (Backend::Native, _) => format!("{nanoseconds:.0} ns"),
            (_, Some(slowdown)) => format!("{slowdown:.2}x"),
            (_, None) => String::new(),
        };
        let bar = Bar {
            label: String::new(),
            value: nanoseconds,
            spread: 0.0,
            annotation,
            series,
        };
        match clusters
            .iter_mut()
            .find(|cluster| cluster.label == record.policy)
        {
            Some(cluster) => cluster.bars.push(bar),
            None => clusters.push(Cluster {
                label: record.policy.clone(),
                bars: vec![bar],
            }),
        }
    }
    let objects = at_size.first().is_some_and(|record| record.ignore_size);
    let title = format!(
        "Time per request at a {} cache: {trace}",
        CacheSize {
            capacity: size,
            objects
        }
    );
    bar_chart(
        &BarChart {
            title: &title,
            x_label: "policy; bars: backend, export lookup and runtime (+fuel: metered), labelled with the slowdown against native",
            y_label: "time per request inside the cache (ns)",
            clusters,
            color_of: Some(backend_color),
        },
        path,
    )
}

/// One colour per backend, lighter for uncached lookups, darker on each
/// runtime after the first and darker still with fuel metering, so a figure reads the same
/// whichever backends ran.
fn backend_color(series: &str) -> RGBColor {
    let mut words = series.split_whitespace();
    let backend = words.next().unwrap_or("");
    let index = Backend::ALL
        .iter()
        .position(|candidate| candidate.name() == backend)
        .unwrap_or(PALETTE.len() - 1);
    let mut color = PALETTE[index % PALETTE.len()];
    let words: Vec<&str> = words.collect();
    if words.contains(&"uncached") {
        color = lighter(color, 0.55);
    }
    // Each runtime after the first a shade darker.
    if let Some(runtime) = Runtime::ALL
        .iter()
        .position(|runtime| words.contains(&runtime.name()))
    {
        #[expect(clippy::cast_precision_loss, reason = "a handful of runtimes")]
        let shade = 0.3 * runtime as f64;
        color = darker(color, shade.min(0.6));
    }
    if words.contains(&"+fuel") {
        color = darker(color, 0.4);
    }
    color
}

/// `color` moved `amount` (0 to 1) of the way to black.
fn darker(color: RGBColor, amount: f64) -> RGBColor {
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a channel between 0 and 255"
    )]
    let shade = |channel: u8| (f64::from(channel) * (1.0 - amount)).round() as u8;
    RGBColor(shade(color.0), shade(color.1), shade(color.2))
}

/// The label of a log axis of cache sizes.
pub(crate) const fn size_axis(ignore_size: bool) -> &'static str {
    if ignore_size {
        "cache size (objects, log scale)"
    } else {
        "cache size (bytes, log scale)"
    }
}
