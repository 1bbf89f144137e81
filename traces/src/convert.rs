//! Converting a trace file to another format in bounded memory
//! (`wsim convert`).
//!
//! [`write_trace`](crate::write_trace) holds every request, and the traces
//! worth converting are often larger than RAM. [`convert`] holds none: its
//! memory is one chunk of requests, one block of ids and one hash entry per
//! distinct object (as libCacheSim's converter keeps), however many
//! requests the trace has. It streams the trace in up to three passes:
//!
//! 1. **Scan**, forward: checks every request against the writer and
//!    gathers the [`TraceSummary`] an lcs header stores; when the format
//!    stores next accesses, it also spills each request's object id
//!    (8 bytes) to a temporary file.
//! 2. **Next accesses**, backward, only for formats that store them: a
//!    request's next access is known only once a later request is seen,
//!    so the id file is read from its end, [`BLOCK`] ids at a time, with a
//!    map from each object to the index of its earliest request seen so
//!    far, which is the next access of the request before it. Each block
//!    is overwritten in place with its requests' next accesses (it is read
//!    whole first), so one file serves both passes and reads forward
//!    afterwards.
//! 3. **Write**, forward: re-reads the trace beside that file and writes
//!    the header, then every record.
//!
//! The temporary file is anonymous (it vanishes on any exit, a crash
//! included) and lives in the output's directory, not the system's
//! temporary one, which is often in memory (tmpfs): it takes 8 bytes of
//! disk per request.
//!
//! Each request keeps the clock time its reader gives
//! ([`RequestReader::times`]), else its 0-based index, as `write_trace`
//! gives it. Next accesses are computed afresh even when the input stores
//! them: its indices count the size-0 requests, which are not written.

use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

use rustc_hash::FxHashMap;
use wsim_policies::Request;

use crate::records::u64_at;
use crate::write::{Sink, writer_of};
use crate::{
    Error, RecordWriter, RequestReader, Summarizer, Trace, TraceFormat, TraceReader, TraceSummary,
    WrittenRecord,
};

/// Ids per block of the backward pass: 512 KiB of the temporary file at a
/// time. 3 under test, so that small traces cross block boundaries.
const BLOCK: usize = if cfg!(test) { 3 } else { 65_536 };

/// Bytes per id, and per next access, in the temporary file.
const SLOT: usize = 8;

/// Which pass of [`convert`] is running, for its progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Pass 1: reading the trace for its summary (and its ids).
    Scan,
    /// Pass 2: computing next accesses, from the end of the trace back.
    NextAccess,
    /// Pass 3: writing the output.
    Write,
}

impl Stage {
    /// What the pass does, in a few words, for a progress bar.
    #[must_use]
    pub const fn describe(self) -> &'static str {
        match self {
            Self::Scan => "scanning",
            Self::NextAccess => "finding next accesses",
            Self::Write => "writing",
        }
    }
}

/// What [`convert`] wrote.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Converted {
    /// The requests written, as an lcs header describes them.
    pub summary: TraceSummary,
    /// Requests of the input skipped for size 0 (not written).
    pub skipped: u64,
}

/// Writes every request `trace` yields to `out` in `format`,
/// zstd-compressed when the name ends in `.zst`, holding no request: it
/// reads the trace twice (once more, backward, through a temporary file of
/// 8 bytes per request beside `out` for formats that store next
/// accesses; see [`Stage`]), and its memory is one hash entry per distinct
/// object. Each request keeps its clock
/// time when the trace's format stores one (else its index); formats that
/// store next accesses get them (1-based, as `write_trace` writes them).
/// `progress` hears of every chunk or block each [`Stage`] gets through.
///
/// A reader's error in any pass is returned as it is. On any error the
/// output is removed (a partial oracleGeneral file would read as a valid,
/// shorter trace); the temporary file always is.
pub fn convert(
    trace: &Trace,
    out: &Path,
    format: TraceFormat,
    mut progress: impl FnMut(Stage, u64),
) -> Result<Converted, Error> {
    let writer = writer_of(format)?;
    refuse_overwriting(trace, out)?;
    let mut sink = Sink::create(out)?;
    let unfinished = Unfinished(Some(out));
    let spill = if writer.needs_next_access() {
        Some(Spill::create(out)?)
    } else {
        None
    };
    let summary = scan(trace, writer, spill.as_ref(), &mut progress)?;
    if let Some(spill) = &spill {
        spill.next_accesses(summary.requests, summary.objects, &mut progress)?;
    }
    let skipped = write(
        trace,
        writer,
        &summary,
        spill.as_ref(),
        &mut sink,
        out,
        &mut progress,
    )?;
    sink.finish().map_err(|error| Error::Write {
        path: out.to_owned(),
        error,
    })?;
    unfinished.keep();
    Ok(Converted { summary, skipped })
}

/// Pass 1: checks each request, summarises the trace and spills the ids.
fn scan(
    trace: &Trace,
    writer: &dyn RecordWriter,
    spill: Option<&Spill<'_>>,
    progress: &mut impl FnMut(Stage, u64),
) -> Result<TraceSummary, Error> {
    let mut requests = Timed::new(trace)?;
    let mut summarizer = Summarizer::default();
    let mut ids = spill.map(|spill| (spill, BufWriter::with_capacity(1 << 16, &spill.file)));
    while requests.next_chunk()? {
        for (&request, &time) in requests.chunk.iter().zip(&requests.times) {
            writer.check(request).map_err(Error::Invalid)?;
            summarizer.add(request, time);
            if let Some((spill, ids)) = &mut ids {
                ids.write_all(&request.id.to_le_bytes())
                    .map_err(|error| spill.error(error))?;
            }
        }
        progress(Stage::Scan, requests.chunk.len() as u64);
    }
    if let Some((spill, ids)) = ids {
        ids.into_inner()
            .map_err(|error| spill.error(error.into_error()))?;
    }
    Ok(summarizer.finish())
}

/// Pass 3: writes the header and every record; returns the requests the
/// reader skipped.
fn write(
    trace: &Trace,
    writer: &dyn RecordWriter,
    summary: &TraceSummary,
    spill: Option<&Spill<'_>>,
    sink: &mut Sink,
    out: &Path,
    progress: &mut impl FnMut(Stage, u64),
) -> Result<u64, Error> {
    let write_error = |error| Error::Write {
        path: out.to_owned(),
        error,
    };
    writer.header(sink, summary).map_err(write_error)?;
    let mut next = spill
        .map(|spill| Ok::<_, Error>((spill, spill.reader()?)))
        .transpose()?;
    let mut requests = Timed::new(trace)?;
    let mut written = 0;
    while requests.next_chunk()? {
        for (&request, &time) in requests.chunk.iter().zip(&requests.times) {
            if written == summary.requests {
                return Err(changed(trace, summary.requests));
            }
            let next_access = match &mut next {
                Some((spill, next)) => {
                    let mut slot = [0; SLOT];
                    next.read_exact(&mut slot)
                        .map_err(|error| spill.error(error))?;
                    i64::from_le_bytes(slot)
                }
                None => Request::NEVER,
            };
            let record = WrittenRecord {
                time,
                request,
                next_access,
            };
            writer.record(sink, &record).map_err(write_error)?;
            written += 1;
        }
        progress(Stage::Write, requests.chunk.len() as u64);
    }
    if written != summary.requests {
        return Err(changed(trace, summary.requests));
    }
    Ok(requests.reader.skipped())
}

/// The error of a trace that read differently the second time.
fn changed(trace: &Trace, requests: u64) -> Error {
    Error::Invalid(format!(
        "{}: the trace changed while it was converted (it had {requests} requests)",
        trace.description()
    ))
}

/// Refuses to write over the trace being read, which creating the output
/// would truncate before the first pass.
fn refuse_overwriting(trace: &Trace, out: &Path) -> Result<(), Error> {
    let Some(file) = trace.file() else {
        return Ok(());
    };
    if let (Ok(input), Ok(output)) = (fs::canonicalize(file.path()), fs::canonicalize(out))
        && input == output
    {
        return Err(Error::Invalid(format!(
            "{}: the output is the trace being converted; write it elsewhere",
            out.display()
        )));
    }
    Ok(())
}

/// Removes the output when dropped before [`keep`](Self::keep).
struct Unfinished<'a>(Option<&'a Path>);

impl Unfinished<'_> {
    fn keep(mut self) {
        self.0 = None;
    }
}

impl Drop for Unfinished<'_> {
    fn drop(&mut self) {
        if let Some(path) = self.0 {
            // The error that got us here is the one to report; a file that
            // cannot be removed is left as it is.
            let _ = fs::remove_file(path);
        }
    }
}

/// A trace read chunk by chunk, each request beside its clock time.
struct Timed {
    reader: TraceReader,
    chunk: Vec<Request>,
    times: Vec<u64>,
    /// Requests read so far.
    read: u64,
}

impl Timed {
    fn new(trace: &Trace) -> Result<Self, Error> {
        let mut reader = trace.reader()?;
        reader.keep_times();
        Ok(Self {
            reader,
            chunk: Vec::with_capacity(crate::CHUNK),
            times: Vec::with_capacity(crate::CHUNK),
            read: 0,
        })
    }

    /// Reads the next chunk and its times; `false` at the end.
    fn next_chunk(&mut self) -> Result<bool, Error> {
        self.reader.fill(&mut self.chunk)?;
        self.times.clear();
        let len = self.chunk.len();
        match self.reader.times().filter(|times| times.len() == len) {
            Some(times) => self.times.extend_from_slice(times),
            None => self.times.extend(self.read..self.read + len as u64),
        }
        self.read += len as u64;
        Ok(len > 0)
    }
}

/// The temporary file: each request's id after pass 1, its next access
/// after pass 2, 8 little-endian bytes per request.
struct Spill<'a> {
    file: File,
    /// The output, which errors name.
    out: &'a Path,
}

impl<'a> Spill<'a> {
    /// An anonymous file in `out`'s directory.
    fn create(out: &'a Path) -> Result<Self, Error> {
        let dir = out
            .parent()
            .filter(|dir| !dir.as_os_str().is_empty())
            .unwrap_or_else(|| Path::new("."));
        let file = tempfile::tempfile_in(dir).map_err(|error| Error::Open {
            path: out.to_owned(),
            error: Self::context(error),
        })?;
        Ok(Self { file, out })
    }

    fn context(error: io::Error) -> io::Error {
        io::Error::new(
            error.kind(),
            format!("the temporary file beside it: {error}"),
        )
    }

    fn error(&self, error: io::Error) -> Error {
        Error::Write {
            path: self.out.to_owned(),
            error: Self::context(error),
        }
    }

    /// Pass 2: replaces the `requests` ids with next accesses, block by
    /// block from the end; `objects` sizes the map.
    fn next_accesses(
        &self,
        requests: u64,
        objects: u64,
        progress: &mut impl FnMut(Stage, u64),
    ) -> Result<(), Error> {
        // Each object's earliest request after the block being read, as
        // the 1-based index its previous request stores.
        let mut later: FxHashMap<u64, i64> = FxHashMap::default();
        later.reserve(usize::try_from(objects).unwrap_or(0));
        #[allow(
            clippy::useless_vec,
            reason = "fires only for the tests' tiny block; 512 KiB belongs on the heap"
        )]
        let mut block = vec![0; BLOCK * SLOT];
        let mut end = requests;
        while end > 0 {
            let len = usize::try_from(end).map_or(BLOCK, |end| end.min(BLOCK));
            let start = end - len as u64;
            let bytes = &mut block[..len * SLOT];
            self.at(start)?;
            (&self.file)
                .read_exact(bytes)
                .map_err(|error| self.error(error))?;
            for (offset, slot) in bytes.chunks_exact_mut(SLOT).enumerate().rev() {
                let index = i64::try_from(start + offset as u64 + 1).unwrap_or(i64::MAX);
                let next = later.insert(u64_at(slot, 0), index);
                slot.copy_from_slice(&next.unwrap_or(Request::NEVER).to_le_bytes());
            }
            self.at(start)?;
            (&self.file)
                .write_all(bytes)
                .map_err(|error| self.error(error))?;
            progress(Stage::NextAccess, len as u64);
            end = start;
        }
        Ok(())
    }

    /// Moves to the slot of request `index`.
    fn at(&self, index: u64) -> Result<(), Error> {
        (&self.file)
            .seek(SeekFrom::Start(index * SLOT as u64))
            .map(drop)
            .map_err(|error| self.error(error))
    }

    /// A reader of the file from its start (for pass 3).
    fn reader(&self) -> Result<BufReader<&File>, Error> {
        self.at(0)?;
        Ok(BufReader::with_capacity(1 << 16, &self.file))
    }
}

#[cfg(test)]
mod tests;
