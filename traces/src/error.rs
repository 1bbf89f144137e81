//! The one error type of `wsim-traces`.

use std::io;
use std::path::PathBuf;

use crate::TraceFormat;

/// Everything that can go wrong opening, reading and writing traces.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened or created.
    #[error("{path}: {error}", path = path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        error: io::Error,
    },
    /// Reading a trace failed part-way; for a compressed trace this is
    /// usually a corrupt or truncated zstd stream.
    #[error("{path}: read failed near byte {offset}{compressed}: {error}",
        path = path.display(),
        compressed = if *.compressed { " of the decompressed stream (corrupt or truncated zstd?)" } else { "" })]
    Read {
        /// The trace.
        path: PathBuf,
        /// Bytes read successfully before the failure.
        offset: u64,
        /// Whether the file is zstd-compressed.
        compressed: bool,
        /// Why.
        error: io::Error,
    },
    /// A line of a text trace that does not parse.
    #[error("{path}:{line}: {what}", path = path.display())]
    Malformed {
        /// The trace.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// What is wrong with it.
        what: String,
    },
    /// A binary trace that ends inside a record.
    #[error("{path}: truncated record at byte {offset}: the trace ends {len} bytes into a \
             {record}-byte record", path = path.display())]
    Truncated {
        /// The trace.
        path: PathBuf,
        /// Offset of the incomplete record (in the decompressed stream).
        offset: u64,
        /// Bytes of it present.
        len: usize,
        /// The record size of the format.
        record: usize,
    },
    /// A binary record or header that no request can come from: a bad
    /// magic number, an unknown version, a negative size.
    #[error("{path}: at byte {offset}: {what}", path = path.display())]
    Record {
        /// The trace.
        path: PathBuf,
        /// Offset of the record or header field (in the decompressed
        /// stream).
        offset: u64,
        /// What is wrong with it.
        what: String,
    },
    /// A trace whose format neither `--format` nor the file name gives.
    #[error("{path}: cannot tell the trace format from the file name; pass --format \
             ({known})", path = path.display(), known = TraceFormat::names())]
    UnknownFormat {
        /// The trace.
        path: PathBuf,
    },
    /// A CSV header without a column the options name.
    #[error("{path}: {what}", path = path.display())]
    Columns {
        /// The trace.
        path: PathBuf,
        /// Which column is missing and what there is instead.
        what: String,
    },
    /// A trace with no requests to simulate.
    #[error("{name}: the trace has no requests{skipped}",
        skipped = if *.skipped > 0 { format!(" (all {} had size 0 and were skipped)", .skipped) } else { String::new() })]
    EmptyTrace {
        /// The trace's name.
        name: String,
        /// Requests skipped for size 0.
        skipped: u64,
    },
    /// Writing a trace failed.
    #[error("{path}: write failed: {error}", path = path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        error: io::Error,
    },
    /// A value that makes no sense: a synthetic trace without objects, a
    /// size a format cannot store.
    #[error("{0}")]
    Invalid(String),
}
