//! # wsim-traces
//!
//! Cache traces for wsim: a streaming reader (and, where wsim can, a
//! writer) for every trace format, a seeded synthetic generator, and
//! [`Trace`], which replays a file or the requests in memory as often as a
//! sweep needs. The CLI, the fuzz targets, the benchmarks and any other
//! front end use this crate without the CLI.
//!
//! Its key choice is that no trace is ever held whole: every reader yields
//! [`Request`]s in chunks of [`CHUNK`] through one trait object, so a
//! billion-request trace streams in constant memory and the per-request
//! cost of dispatching to a reader is amortised over a chunk. Compression
//! is detected from a file's first bytes, not its name, so any format may
//! be zstd-compressed.
//!
//! [`analyze`] reads a trace once and measures what a cache would see of
//! it (objects, bytes, popularity and its Zipf fit, reuse distances), as
//! libCacheSim's trace analyzer does.
//!
//! Formats are a registry: one line in the list below per format, whose
//! file implements [`Format`]; [`TraceFormat`] and everything that
//! enumerates formats derives from it.
//!
//! # Cargo features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `clap` | no | `clap::ValueEnum` for [`TraceFormat`] |
//! | `serde` | no | `serde::Serialize` for [`Analysis`] and its parts |

#[macro_use]
mod registry;

mod analyze;
pub mod bytes;
mod convert;
pub mod detect;
mod error;
mod format;
mod lines;
pub mod mrc;
mod options;
pub mod records;
mod replay;
pub mod sample;
mod summary;
mod synthetic;
mod trace;
mod write;

use wsim_policies::Request;

pub use crate::csv::CsvReader;
pub use analyze::{
    Analysis, RankFrequency, ReuseDistances, SizePercentiles, TimeSpan, ZipfFit, analyze,
    analyze_reader,
};
pub use arc::ArcReader;
pub use convert::{Converted, Stage, convert};
pub use error::Error;
pub use format::{
    ByteStream, Format, FormatEntry, OpenReader, Origin, RecordWriter, WrittenRecord,
};
pub use ids::IdsReader;
pub use lirs::LirsReader;
pub use options::{Column, CsvOptions, ReadOptions};
pub use oracle_general::OracleGeneralReader;
pub use replay::{Replay, TraceReader};
pub use summary::{Summarizer, TraceSummary};
pub use synthetic::{SizeDistribution, Synthetic, SyntheticRequests, mix64};
pub use trace::{Trace, TraceFile, WorkingSet, ZSTD_MAGIC};
// Where a trace's next accesses come from, beside the requests they index.
pub use webcachesim::WebcachesimReader;
pub use write::write_trace;
pub use wsim_policies::next_accesses;

// The trace formats, one line each: `module::Type`, a unit struct
// implementing `Format` in `src/module.rs`. The order is the order help
// texts list them in.
formats! {
    oracle_general::OracleGeneral,
    lcs::Lcs,
    csv::Csv,
    webcachesim::Webcachesim,
    ids::Ids,
    vscsi::Vscsi,
    twr::Twr,
    twr_ns::TwrNs,
    oracle_sys_twr_ns::OracleSysTwrNs,
    binary::Binary,
    arc::Arc,
    lirs::Lirs,
}

/// Requests per chunk handed out by a reader.
pub const CHUNK: usize = 4096;

/// A stream of requests read chunk by chunk.
pub trait RequestReader: Send {
    /// Replaces the contents of `out` with the next requests, at most
    /// [`CHUNK`]; leaves it empty at the end of the trace.
    fn fill(&mut self, out: &mut Vec<Request>) -> Result<(), Error>;

    /// Requests skipped so far because their size was 0.
    fn skipped(&self) -> u64;

    /// Asks the reader to keep each request's clock time from now on, for
    /// [`times`](Self::times); replays do without (it costs a store per
    /// request).
    fn keep_times(&mut self) {}

    /// The clock time (in the trace's own unit, seconds for most formats)
    /// of each request the last [`fill`](Self::fill) returned, when the
    /// format stores one and [`keep_times`](Self::keep_times) asked for
    /// it; `None` otherwise.
    fn times(&self) -> Option<&[u64]> {
        None
    }
}
