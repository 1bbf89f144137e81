//! [`Trace`]: a trace file or requests in memory, replayed from the start
//! as often as a sweep needs; and [`TraceFile`], a file whose format and
//! compression are known.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustc_hash::FxHashSet;
use wsim_policies::Request;

use crate::{
    ByteStream, CHUNK, Error, Origin, ReadOptions, Replay, RequestReader, TraceFormat, TraceReader,
};

/// The first four bytes of every zstd frame.
pub const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// A trace file, checked to exist, its format and compression known.
#[derive(Debug, Clone)]
pub struct TraceFile {
    path: PathBuf,
    format: TraceFormat,
    compressed: bool,
    options: ReadOptions,
    guessed: Option<&'static str>,
}

impl TraceFile {
    /// Opens `path` to learn its compression and, when `format` is `None`,
    /// its format ([`detect`](crate::detect)): an lcs header by its magic
    /// number, else the format the file name implies, else what the first
    /// bytes look like.
    pub fn new(
        path: &Path,
        format: Option<TraceFormat>,
        options: impl Into<ReadOptions>,
    ) -> Result<Self, Error> {
        let open_error = |source| Error::Open {
            path: path.to_owned(),
            error: source,
        };
        let mut file = File::open(path).map_err(open_error)?;
        let metadata = file.metadata().map_err(open_error)?;
        if metadata.is_dir() {
            return Err(Error::Invalid(format!(
                "{}: is a directory, not a trace",
                path.display()
            )));
        }
        let mut magic = [0; 4];
        let compressed = matches!(file.read_exact(&mut magic), Ok(()) if magic == ZSTD_MAGIC);
        let mut trace = Self {
            path: path.to_owned(),
            format: format.unwrap_or(TraceFormat::OracleGeneral),
            compressed,
            options: options.into(),
            guessed: None,
        };
        if format.is_none() {
            let start = trace.start(crate::detect::SNIFFED)?;
            let length = (!compressed).then_some(metadata.len());
            let (format, guessed) =
                crate::detect::detect(path, &start, length).ok_or_else(|| {
                    Error::UnknownFormat {
                        path: path.to_owned(),
                    }
                })?;
            trace.format = format;
            trace.guessed = guessed;
        }
        Ok(trace)
    }

    /// How the format was guessed from the file's bytes, when it was (not
    /// given, and not from the file name).
    #[must_use]
    pub const fn guessed(&self) -> Option<&'static str> {
        self.guessed
    }

    /// Up to `len` bytes from the start of the (decompressed) trace.
    fn start(&self, len: usize) -> Result<Vec<u8>, Error> {
        let origin = Origin {
            path: self.path.clone(),
            compressed: self.compressed,
        };
        let mut start = vec![0; len];
        let read = crate::records::read_full(&mut self.stream()?, &mut start, &origin, 0)?;
        start.truncate(read);
        Ok(start)
    }

    /// The file's path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file's format.
    #[must_use]
    pub const fn format(&self) -> TraceFormat {
        self.format
    }

    /// Whether the file is zstd-compressed.
    #[must_use]
    pub const fn compressed(&self) -> bool {
        self.compressed
    }

    fn stream(&self) -> Result<ByteStream, Error> {
        let open_error = |source| Error::Open {
            path: self.path.clone(),
            error: source,
        };
        let file = File::open(&self.path).map_err(open_error)?;
        if self.compressed {
            let decoder = zstd::Decoder::with_buffer(BufReader::with_capacity(1 << 16, file))
                .map_err(open_error)?;
            Ok(Box::new(decoder))
        } else {
            Ok(Box::new(file))
        }
    }

    fn reader(&self, ignore_size: bool) -> Result<Box<dyn RequestReader>, Error> {
        let origin = Origin {
            path: self.path.clone(),
            compressed: self.compressed,
        };
        let options = ReadOptions {
            ignore_size,
            ..self.options.clone()
        };
        self.format.reader(self.stream()?, origin, &options)
    }
}

/// Where a trace's requests come from.
#[derive(Debug, Clone)]
enum Source {
    File(Box<TraceFile>),
    /// The requests, size-0 ones already dropped, and how many those were.
    Memory(Arc<[Request]>, u64),
}

/// A trace to simulate: a file read afresh for every run, or requests held
/// in memory (the synthetic default).
#[derive(Debug, Clone)]
pub struct Trace {
    name: String,
    description: String,
    source: Source,
    ignore_size: bool,
    /// Each request's next access, computed by [`Trace::with_next_access`]
    /// for a file whose format does not carry it.
    next_access: Option<Arc<[i64]>>,
    /// Which requests of the source a replay takes.
    replay: Replay,
}

impl Trace {
    /// A trace read from `file`.
    #[must_use]
    pub fn from_file(file: TraceFile, ignore_size: bool) -> Self {
        let name = file.path.file_name().map_or_else(
            || file.path.display().to_string(),
            |name| name.to_string_lossy().into_owned(),
        );
        let description = format!(
            "{} ({}{})",
            file.path.display(),
            file.format.name(),
            if file.compressed { ", zstd" } else { "" }
        );
        Self {
            name,
            description,
            source: Source::File(Box::new(file)),
            ignore_size,
            next_access: None,
            replay: Replay::default(),
        }
    }

    /// A trace of the given requests, held in memory. Size-0 requests are
    /// skipped, as every reader skips them.
    #[must_use]
    pub fn in_memory(
        name: &str,
        description: &str,
        mut requests: Vec<Request>,
        ignore_size: bool,
    ) -> Self {
        let all = requests.len();
        requests.retain(|request| request.size > 0);
        let skipped = (all - requests.len()) as u64;
        Self {
            name: name.to_owned(),
            description: description.to_owned(),
            source: Source::Memory(requests.into(), skipped),
            ignore_size,
            next_access: None,
            replay: Replay::default(),
        }
    }

    /// Whether every request this trace yields carries its next access: its
    /// format stores it (oracleGeneral, lcs) and the replay takes every
    /// request, or [`Trace::with_next_access`] computed it.
    #[must_use]
    pub fn has_next_access(&self) -> bool {
        // A stored next access counts the file's requests: under a limit or
        // a sample it would point past the end, or at a request not
        // replayed, so it is computed afresh over what is replayed.
        let whole = self.replay.num_req.is_none() && self.replay.sample.is_none();
        self.next_access.is_some()
            || match &self.source {
                Source::File(file) => whole && (file.format.entry().next_access)(&file.options),
                Source::Memory(..) => false,
            }
    }

    /// The same trace, every request carrying its next access (1-based, as
    /// oracleGeneral stores it) among the requests replayed. A format that
    /// stores it is read as it is when every request is replayed; otherwise
    /// one pass over the replayed requests computes it, holding 8 bytes per
    /// request; `progress` hears of every chunk of that pass.
    pub fn with_next_access(mut self, mut progress: impl FnMut(u64)) -> Result<Self, Error> {
        if self.has_next_access() {
            return Ok(self);
        }
        let mut reader = self.reader()?;
        let mut chunk = Vec::with_capacity(CHUNK);
        let mut ids = Vec::new();
        loop {
            reader.fill(&mut chunk)?;
            if chunk.is_empty() {
                break;
            }
            ids.extend(chunk.iter().map(|request| request.id));
            progress(chunk.len() as u64);
        }
        self.next_access = Some(wsim_policies::next_accesses(ids).into());
        Ok(self)
    }

    /// The same trace, replaying only the requests `replay` takes (its
    /// warm-up aside, which changes no request). Next accesses computed
    /// before for other requests are dropped.
    #[must_use]
    pub fn with_replay(mut self, replay: Replay) -> Self {
        let same_requests =
            replay.num_req == self.replay.num_req && replay.sample == self.replay.sample;
        if !same_requests {
            self.next_access = None;
        }
        self.replay = replay;
        self
    }

    /// Which requests a replay takes.
    #[must_use]
    pub const fn replay(&self) -> Replay {
        self.replay
    }

    /// A short name for tables and figures.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where the trace comes from, in words.
    #[must_use]
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The file the trace is read from; `None` for requests in memory.
    #[must_use]
    pub const fn file(&self) -> Option<&TraceFile> {
        match &self.source {
            Source::File(file) => Some(file),
            Source::Memory(..) => None,
        }
    }

    /// Whether every request counts as size 1.
    #[must_use]
    pub const fn ignore_size(&self) -> bool {
        self.ignore_size
    }

    /// Requests in the trace, when known without reading it.
    #[must_use]
    pub fn len_hint(&self) -> Option<u64> {
        if self.replay.sample.is_some() {
            return None;
        }
        match &self.source {
            Source::Memory(requests, _) => {
                let all = requests.len() as u64;
                Some(self.replay.num_req.map_or(all, |limit| limit.min(all)))
            }
            Source::File(_) => None,
        }
    }

    /// A fresh reader from the start of the trace.
    pub fn reader(&self) -> Result<TraceReader, Error> {
        let inner: Box<dyn RequestReader> = match &self.source {
            Source::File(file) => file.reader(self.ignore_size)?,
            Source::Memory(requests, skipped) => Box::new(MemoryReader {
                requests: Arc::clone(requests),
                next: 0,
                skipped: *skipped,
            }),
        };
        Ok(TraceReader::new(
            inner,
            self.ignore_size,
            self.next_access.clone(),
            self.replay,
        ))
    }

    /// Reads the whole trace once to measure its working set.
    pub fn working_set(&self, mut progress: impl FnMut(u64)) -> Result<WorkingSet, Error> {
        let mut reader = self.reader()?;
        let mut chunk = Vec::with_capacity(CHUNK);
        let mut seen = FxHashSet::default();
        let mut set = WorkingSet::default();
        loop {
            reader.fill(&mut chunk)?;
            if chunk.is_empty() {
                break;
            }
            for request in &chunk {
                if seen.insert(request.id) {
                    set.objects += 1;
                    set.bytes += u128::from(request.size);
                }
            }
            set.requests += chunk.len() as u64;
            progress(chunk.len() as u64);
        }
        set.skipped = reader.skipped();
        Ok(set)
    }
}

/// What [`Trace::working_set`] measures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorkingSet {
    /// Requests (size-0 requests excluded).
    pub requests: u64,
    /// Distinct objects.
    pub objects: u64,
    /// Sum of the distinct objects' sizes, each at its first request.
    pub bytes: u128,
    /// Requests skipped for size 0.
    pub skipped: u64,
}

#[derive(Debug)]
struct MemoryReader {
    requests: Arc<[Request]>,
    next: usize,
    skipped: u64,
}

impl RequestReader for MemoryReader {
    fn fill(&mut self, out: &mut Vec<Request>) -> Result<(), Error> {
        out.clear();
        let rest = self.requests.get(self.next..).unwrap_or_default();
        let take = rest.len().min(CHUNK);
        out.extend_from_slice(&rest[..take]);
        self.next += take;
        Ok(())
    }

    fn skipped(&self) -> u64 {
        self.skipped
    }
}
