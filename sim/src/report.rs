//! Results for people (a table) and for programs (JSON, CSV).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use crate::Error;
use crate::run::Record;
use crate::units::CacheSize;

/// One column of the table: its header, whether it aligns left, and how a
/// record fills it.
struct Column {
    header: &'static str,
    left: bool,
    cell: fn(&Record) -> String,
    /// Shown only when some record has something to say here.
    optional: Option<fn(&Record) -> bool>,
}

const COLUMNS: &[Column] = &[
    Column {
        header: "policy",
        left: true,
        cell: |r| r.policy.clone(),
        optional: None,
    },
    Column {
        header: "backend",
        left: true,
        cell: |r| r.backend.name().to_owned(),
        optional: None,
    },
    Column {
        header: "lookup",
        left: true,
        cell: |r| r.lookup.map_or("-", |l| l.name()).to_owned(),
        optional: None,
    },
    Column {
        header: "runtime",
        left: true,
        cell: |r| r.runtime.map_or("-", |runtime| runtime.name()).to_owned(),
        optional: Some(|r| r.runtime.is_some()),
    },
    Column {
        header: "fuel",
        left: false,
        cell: |r| match r.fuel {
            Some(fuel) => fuel.to_string(),
            // A guest without fuel runs unmetered: `off`, as `--fuel` says.
            None if r.runtime.is_some() => "off".to_owned(),
            None => "-".to_owned(),
        },
        optional: Some(|r| r.fuel.is_some()),
    },
    Column {
        header: "cache size",
        left: false,
        cell: |r| {
            CacheSize {
                capacity: r.cache_size,
                objects: r.ignore_size,
            }
            .to_string()
        },
        optional: None,
    },
    Column {
        header: "requests",
        left: false,
        cell: |r| r.requests.to_string(),
        optional: None,
    },
    Column {
        header: "hit ratio",
        left: false,
        cell: |r| format!("{:.4}", r.hit_ratio),
        optional: None,
    },
    Column {
        header: "byte hit ratio",
        left: false,
        cell: |r| format!("{:.4}", r.byte_hit_ratio),
        optional: None,
    },
    Column {
        header: "seconds",
        left: false,
        cell: |r| {
            r.seconds
                .map_or_else(|| "-".to_owned(), |s| format!("{s:.3}"))
        },
        optional: None,
    },
    Column {
        header: "M req/s",
        left: false,
        cell: |r| {
            r.throughput_mrps
                .map_or_else(|| "-".to_owned(), |m| format!("{m:.2}"))
        },
        optional: None,
    },
    Column {
        header: "x native",
        left: false,
        // A module of the user's has no native twin: its cell is marked
        // as over the built-in LRU's time.
        cell: |r| match (r.slowdown_vs_native, r.slowdown_vs_lru) {
            (Some(x), _) => format!("{x:.2}"),
            (None, Some(x)) => format!("{x:.2} lru"),
            (None, None) => "-".to_owned(),
        },
        optional: None,
    },
];

/// Writes `records` as an aligned table: text columns to the left, numbers
/// to the right. `seconds` and `M req/s` cover the whole run, reading the
/// trace included; `x native` divides the time spent inside the cache by
/// native's at the same policy and size, or for a `--wasm` module by the
/// built-in LRU's on the same backend (marked `lru`).
pub fn write_table(records: &[Record], out: &mut dyn Write) -> io::Result<()> {
    let columns: Vec<&Column> = COLUMNS
        .iter()
        .filter(|column| {
            column
                .optional
                .is_none_or(|shown| records.iter().any(shown))
        })
        .collect();
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|record| columns.iter().map(|column| (column.cell)(record)).collect())
        .collect();
    let mut widths: Vec<usize> = columns.iter().map(|column| column.header.len()).collect();
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.len());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| -> String {
        let mut line = String::new();
        for ((cell, column), &width) in cells.zip(&columns).zip(&widths) {
            if !line.is_empty() {
                line.push_str("  ");
            }
            if column.left {
                line.push_str(&format!("{cell:<width$}"));
            } else {
                line.push_str(&format!("{cell:>width$}"));
            }
        }
        line.trim_end().to_owned()
    };
    writeln!(
        out,
        "{}",
        line(&mut columns.iter().map(|column| column.header))
    )?;
    let rules: Vec<String> = widths.iter().map(|width| "-".repeat(*width)).collect();
    writeln!(out, "{}", line(&mut rules.iter().map(String::as_str)))?;
    for row in &rows {
        writeln!(out, "{}", line(&mut row.iter().map(String::as_str)))?;
    }
    Ok(())
}

/// Writes, for each size, the hit ratio of every policy in `plugins` beside
/// the built-in policies': `hit ratio at 4 MiB: mru 0.3123; lru 0.4012,
/// fifo 0.3510`. Every backend of a policy gives the same hits, so its
/// first run speaks for all.
pub fn write_comparison(
    records: &[Record],
    plugins: &[&str],
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut sizes: Vec<(u64, bool)> = Vec::new();
    for record in records {
        if !sizes.contains(&(record.cache_size, record.ignore_size)) {
            sizes.push((record.cache_size, record.ignore_size));
        }
    }
    for (capacity, objects) in sizes {
        let mut ours: Vec<(&str, f64)> = Vec::new();
        let mut theirs: Vec<(&str, f64)> = Vec::new();
        for record in records
            .iter()
            .filter(|record| record.cache_size == capacity && record.ignore_size == objects)
        {
            let side = if plugins.contains(&record.policy.as_str()) {
                &mut ours
            } else {
                &mut theirs
            };
            if !side.iter().any(|&(policy, _)| policy == record.policy) {
                side.push((&record.policy, record.hit_ratio));
            }
        }
        if !ours.is_empty() && !theirs.is_empty() {
            let listed = |side: &[(&str, f64)]| -> String {
                let named: Vec<String> = side
                    .iter()
                    .map(|(policy, ratio)| format!("{policy} {ratio:.4}"))
                    .collect();
                named.join(", ")
            };
            writeln!(
                out,
                "hit ratio at {}: {}; {}",
                CacheSize { capacity, objects },
                listed(&ours),
                listed(&theirs)
            )?;
        }
    }
    Ok(())
}

/// Writes `records` to `path` as one JSON array.
pub fn write_json(records: &[Record], path: &Path) -> Result<(), Error> {
    let file = create(path)?;
    let mut out = BufWriter::new(file);
    serde_json::to_writer_pretty(&mut out, records)
        .map_err(io::Error::from)
        .and_then(|()| writeln!(out))
        .and_then(|()| out.flush())
        .map_err(|source| Error::Write {
            path: path.to_owned(),
            error: source,
        })
}

/// Writes `records` (a run's, or `wsim mrc`'s points) to `path` as CSV with
/// a header; a field that is `None` is empty (a native run's `lookup`).
pub fn write_csv<T: serde::Serialize>(records: &[T], path: &Path) -> Result<(), Error> {
    let file = create(path)?;
    let mut out = csv::Writer::from_writer(BufWriter::new(file));
    let write_error = |error: csv::Error| Error::Write {
        path: path.to_owned(),
        error: io::Error::other(error),
    };
    for record in records {
        out.serialize(record).map_err(write_error)?;
    }
    out.flush().map_err(|source| Error::Write {
        path: path.to_owned(),
        error: source,
    })
}

fn create(path: &Path) -> Result<File, Error> {
    File::create(path).map_err(|source| Error::Open {
        path: path.to_owned(),
        error: source,
    })
}

/// The process's peak resident memory in bytes, where the OS tells it.
#[must_use]
pub fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Writes any serializable value to `path` as pretty JSON, creating the
/// directory.
pub fn write_json_file(value: &impl serde::Serialize, path: &Path) -> anyhow::Result<()> {
    use anyhow::Context as _;

    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).with_context(|| format!("create {}", parent.display()))?;
    }
    let text = serde_json::to_string_pretty(value)?;
    std::fs::write(path, text + "\n").with_context(|| format!("write {}", path.display()))
}
