//! Results for people (a table) and for programs (JSON, CSV).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use crate::Error;
use crate::run::Record;
use crate::units::CacheSize;

/// Writes `records` as an aligned table.
pub fn write_table(records: &[Record], out: &mut dyn Write) -> io::Result<()> {
    let header = [
        "policy",
        "backend",
        "cache size",
        "requests",
        "hit ratio",
        "byte hit ratio",
        "throughput (M req/s)",
    ];
    let rows: Vec<[String; 7]> = records
        .iter()
        .map(|record| {
            [
                record.policy.to_string(),
                record.backend.name().to_owned(),
                CacheSize {
                    capacity: record.cache_size,
                    objects: record.ignore_size,
                }
                .to_string(),
                record.requests.to_string(),
                format!("{:.4}", record.hit_ratio),
                format!("{:.4}", record.byte_hit_ratio),
                format!("{:.2}", record.throughput_mrps),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.len());
        }
    }
    // Text columns align left, numbers right.
    let left = [true, true, false, false, false, false, false];
    let line = |cells: &[&str]| -> String {
        let mut line = String::new();
        for (index, cell) in cells.iter().enumerate() {
            if index > 0 {
                line.push_str("  ");
            }
            let width = widths[index];
            if left[index] {
                line.push_str(&format!("{cell:<width$}"));
            } else {
                line.push_str(&format!("{cell:>width$}"));
            }
        }
        line.trim_end().to_owned()
    };
    writeln!(out, "{}", line(&header))?;
    let rule: Vec<String> = widths.iter().map(|width| "-".repeat(*width)).collect();
    writeln!(
        out,
        "{}",
        line(&rule.iter().map(String::as_str).collect::<Vec<_>>())
    )?;
    for row in &rows {
        writeln!(out, "{}", line(&row.each_ref().map(String::as_str)))?;
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
            source,
        })
}

/// Writes `records` to `path` as CSV with a header; a native run's `lookup`
/// is empty.
pub fn write_csv(records: &[Record], path: &Path) -> Result<(), Error> {
    let file = create(path)?;
    let mut out = csv::Writer::from_writer(BufWriter::new(file));
    let write_error = |error: csv::Error| Error::Write {
        path: path.to_owned(),
        source: io::Error::other(error),
    };
    for record in records {
        out.serialize(record).map_err(write_error)?;
    }
    out.flush().map_err(|source| Error::Write {
        path: path.to_owned(),
        source,
    })
}

fn create(path: &Path) -> Result<File, Error> {
    File::create(path).map_err(|source| Error::Open {
        path: path.to_owned(),
        source,
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
