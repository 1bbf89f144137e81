//! `wsim micro`'s report: its table, the summary that says what the rows
//! mean, and its chart.

use std::io::{self, Write};

use anyhow::Context;
use wsim_backends::Runtime;

use super::{Loading, Row};

/// The comparisons the micro-benchmark is for, in words: wsim's engine
/// against each runtime's bare call, and the Component Model against the
/// hand-written ABIs.
pub(super) fn write_micro_summary(rows: &[Row], out: &mut dyn Write) -> io::Result<()> {
    let mean = |runtime: &str, wanted: &dyn Fn(&Row) -> bool| {
        rows.iter()
            .find(|row| row.runtime == Some(runtime) && wanted(row))
            .map(|row| row.mean_ns)
    };
    let native = rows
        .iter()
        .find(|row| row.abi == "native")
        .map_or(f64::NAN, |row| row.mean_ns);
    writeln!(out)?;
    for runtime in Runtime::ALL.map(Runtime::name) {
        let bare = mean(runtime, &|row| row.config == "bare");
        let pair = mean(runtime, &|row| {
            row.abi == "pair"
                && row.config != "bare"
                && row.cached == Some(true)
                && row.loading == Some(Loading::Preload)
                && row.srs == Some(false)
        });
        if let (Some(bare), Some(pair)) = (bare, pair) {
            writeln!(
                out,
                "{runtime}: bare call {bare:.2} ns ({:.1}x native); cached Pair through wsim's \
                 engine {pair:.2} ns, {:.3}x the bare call",
                bare / native,
                pair / bare
            )?;
        }
    }
    let Some(host) = Runtime::hosting_components().map(Runtime::name) else {
        return Ok(());
    };
    let pair = mean(host, &|row| row.test == Some(4));
    let batch = mean(host, &|row| row.abi == "batch");
    let component = mean(host, &|row| row.abi == "component");
    let list = mean(host, &|row| row.abi == "component list");
    if let (Some(pair), Some(component)) = (pair, component) {
        writeln!(
            out,
            "Component Model ({host}): a call {component:.2} ns, {:.2}x cached Pair on {host} \
             ({pair:.2} ns)",
            component / pair
        )?;
    }
    if let (Some(batch), Some(list)) = (batch, list) {
        writeln!(
            out,
            "Component Model lists ({host}): {list:.2} ns per item, {:.2}x Batch on {host} \
             ({batch:.2} ns per item)",
            list / batch
        )?;
    }
    Ok(())
}

pub(super) fn write_micro_table(rows: &[Row], out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "\n{:<4}  {:<30}  {:<8}  {:>12}  {:>12}  {:>12}  {:>9}",
        "test", "configuration", "runtime", "mean (ns)", "median (ns)", "stddev (ns)", "x native"
    )?;
    writeln!(
        out,
        "{}",
        "-".repeat(4 + 2 + 30 + 2 + 8 + 2 + 12 + 2 + 12 + 2 + 12 + 2 + 9)
    )?;
    for row in rows {
        let test = row
            .test
            .map_or_else(|| "-".to_owned(), |test| test.to_string());
        let name = row
            .config
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .trim();
        writeln!(
            out,
            "{test:<4}  {name:<30}  {:<8}  {:>12.2}  {:>12.2}  {:>12.2}  {:>9.2}",
            row.runtime.unwrap_or("-"),
            row.mean_ns,
            row.median_ns,
            row.stddev_ns,
            row.ratio_to_native
        )?;
    }
    Ok(())
}

pub(super) fn micro_chart(
    rows: &[Row],
    path: &std::path::Path,
    host: &str,
    runtimes: &str,
) -> anyhow::Result<()> {
    use crate::plot::{Bar, BarChart, Cluster, bar_chart};

    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).with_context(|| format!("create {}", parent.display()))?;
    }
    let title = format!(
        "One multiply per call, {host} host build ({runtimes}): {} reps of {} calls",
        rows.first().map_or(0, |row| row.reps),
        rows.first().map_or(0, |row| row.calls)
    );
    // One cluster per runtime, native first.
    let mut clusters: Vec<Cluster> = Vec::new();
    for row in rows {
        let label = row.runtime.unwrap_or("native");
        let bar = Bar {
            label: row.config.clone(),
            value: row.mean_ns,
            spread: row.stddev_ns,
            annotation: format!("{:.1}", row.mean_ns),
            series: row.abi.to_owned(),
        };
        match clusters.iter_mut().find(|cluster| cluster.label == label) {
            Some(cluster) => cluster.bars.push(bar),
            None => clusters.push(Cluster {
                label: label.to_owned(),
                bars: vec![bar],
            }),
        }
    }
    bar_chart(
        &BarChart {
            title: &title,
            x_label: "runtime; bars: configuration (test number of the paper's Table 1, ABI, lookup, loading, memory)",
            y_label: "time per call (ns), error bars: one standard deviation",
            clusters,
            color_of: None,
        },
        path,
    )?;
    Ok(())
}
