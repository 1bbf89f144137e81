//! Writing traces in every format whose [`Format`](crate::Format) has a
//! writer (`wsim gen`).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use wsim_policies::Request;

use crate::{Error, RecordWriter, Summarizer, TraceFormat, WrittenRecord, next_accesses};

/// Writes `requests` to `path` in `format`, zstd-compressed when the name
/// ends in `.zst`. Request `i` gets time `i`; formats that store each
/// request's next access get it (1-based, as libCacheSim's converter writes
/// it), which needs the whole trace at once.
/// `progress` is told of every request written.
pub fn write_trace(
    requests: &[Request],
    path: &Path,
    format: TraceFormat,
    mut progress: impl FnMut(u64),
) -> Result<(), Error> {
    let writer = writer_of(format)?;
    for &request in requests {
        writer.check(request).map_err(Error::Invalid)?;
    }
    let write_error = |source| Error::Write {
        path: path.to_owned(),
        error: source,
    };
    let mut sink = Sink::create(path)?;
    let next_access = if writer.needs_next_access() {
        next_accesses(requests.iter().map(|request| request.id))
    } else {
        Vec::new()
    };
    let mut summarizer = Summarizer::default();
    for (time, &request) in requests.iter().enumerate() {
        summarizer.add(request, time as u64);
    }
    writer
        .header(&mut sink, &summarizer.finish())
        .map_err(write_error)?;
    for (time, &request) in requests.iter().enumerate() {
        let record = WrittenRecord {
            time: time as u64,
            request,
            next_access: next_access.get(time).copied().unwrap_or(-1),
        };
        writer.record(&mut sink, &record).map_err(write_error)?;
        if time % 65_536 == 65_535 {
            progress(65_536);
        }
    }
    progress(requests.len() as u64 % 65_536);
    sink.finish().map_err(write_error)
}

/// The writer of `format`, or why there is none.
pub(crate) fn writer_of(format: TraceFormat) -> Result<&'static dyn RecordWriter, Error> {
    format.entry().writer.ok_or_else(|| {
        Error::Invalid(format!(
            "wsim reads {format} traces but cannot write them; choose another format"
        ))
    })
}

/// A file, compressed or not; finishing it reports what dropping would hide.
pub(crate) enum Sink {
    Plain(BufWriter<File>),
    Zstd(zstd::Encoder<'static, BufWriter<File>>),
}

impl Sink {
    /// Creates `path`, zstd-compressing what is written when its name ends
    /// in `.zst`.
    pub(crate) fn create(path: &Path) -> Result<Self, Error> {
        let file = File::create(path).map_err(|source| Error::Open {
            path: path.to_owned(),
            error: source,
        })?;
        let compress = path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("zst"));
        if compress {
            let encoder =
                zstd::Encoder::new(BufWriter::new(file), 3).map_err(|source| Error::Write {
                    path: path.to_owned(),
                    error: source,
                })?;
            Ok(Self::Zstd(encoder))
        } else {
            Ok(Self::Plain(BufWriter::with_capacity(1 << 16, file)))
        }
    }

    /// Flushes everything, ending the zstd frame of a compressed file.
    pub(crate) fn finish(self) -> io::Result<()> {
        match self {
            Self::Plain(mut file) => file.flush(),
            Self::Zstd(encoder) => encoder.finish()?.flush(),
        }
    }
}

impl Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self {
            Self::Plain(file) => file.write(bytes),
            Self::Zstd(encoder) => encoder.write(bytes),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Self::Plain(file) => file.flush(),
            Self::Zstd(encoder) => encoder.flush(),
        }
    }
}
