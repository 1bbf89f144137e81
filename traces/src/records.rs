//! What every fixed-record binary format shares: a stream of records of
//! one length, read a chunk at a time and decoded one by one.
//!
//! A format says how long its records are and how to decode one
//! ([`Records`]); [`RecordReader`] does the rest: it fills a buffer of
//! [`CHUNK`] records from the stream, reports a record cut short by the end
//! of the trace with its byte offset, counts the requests a format skips
//! and keeps each request's clock time. Being generic over the format, each
//! format's decoding is inlined into its own copy of the loop.

use std::io::{ErrorKind, Read};

use wsim_policies::Request;

use crate::{CHUNK, Error, Origin, RequestReader};

/// How one fixed-record binary format decodes its records.
pub trait Records: Send {
    /// Bytes per record.
    fn record_len(&self) -> usize;

    /// Decodes one record of exactly [`record_len`](Self::record_len) bytes.
    fn decode(&self, record: &[u8]) -> Decoded;
}

/// What one record holds for a simulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoded {
    /// A request, and its clock time as the format stores it.
    Request(Request, u64),
    /// A request the format's rules skip (libCacheSim's size-0 rules).
    Skip,
    /// A record no request can come from, and why (a negative size).
    Invalid(&'static str),
}

/// The `N` bytes at `at` of a record. Every offset a format reads lies
/// inside its record by construction, so a miss is a bug in that format.
#[inline]
#[must_use]
pub fn bytes<const N: usize>(record: &[u8], at: usize) -> [u8; N] {
    let mut out = [0; N];
    if let Some(field) = record.get(at..at + N) {
        out.copy_from_slice(field);
    } else {
        debug_assert!(
            false,
            "field {at}..{} outside a {}-byte record",
            at + N,
            record.len()
        );
    }
    out
}

/// The little-endian `u16` at `at`.
#[inline]
#[must_use]
pub fn u16_at(record: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(bytes(record, at))
}

/// The little-endian `u32` at `at`.
#[inline]
#[must_use]
pub fn u32_at(record: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes(record, at))
}

/// The little-endian `u64` at `at`.
#[inline]
#[must_use]
pub fn u64_at(record: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes(record, at))
}

/// The little-endian `i64` at `at`.
#[inline]
#[must_use]
pub fn i64_at(record: &[u8], at: usize) -> i64 {
    i64::from_le_bytes(bytes(record, at))
}

/// A next access as libCacheSim's readers take it: -1 and `i64::MAX` both
/// mean never.
#[inline]
#[must_use]
pub const fn next_access(stored: i64) -> i64 {
    if stored == i64::MAX {
        Request::NEVER
    } else {
        stored
    }
}

/// Streams the requests of a fixed-record binary format.
#[derive(Debug)]
pub struct RecordReader<R, F> {
    source: R,
    origin: Origin,
    format: F,
    buffer: Vec<u8>,
    /// Bytes of the stream consumed so far, a header included.
    offset: u64,
    skipped: u64,
    done: bool,
    /// The clock time of each request of the last chunk, when kept.
    times: Vec<u64>,
    keep_times: bool,
}

impl<R: Read, F: Records> RecordReader<R, F> {
    /// Reads the records of `format` from `source`, whose first `offset`
    /// bytes (a header) were already consumed; errors name `origin`.
    pub fn with_format(source: R, origin: Origin, format: F, offset: u64) -> Self {
        let buffer = vec![0; CHUNK * format.record_len()];
        Self {
            source,
            origin,
            format,
            buffer,
            offset,
            skipped: 0,
            done: false,
            times: Vec::new(),
            keep_times: false,
        }
    }

    /// Fills the buffer as far as the stream allows; returns the bytes read.
    fn read_full(&mut self) -> Result<usize, Error> {
        read_full(
            &mut self.source,
            &mut self.buffer,
            &self.origin,
            self.offset,
        )
    }
}

/// Reads into `buffer` until it is full or the stream ends; returns the
/// bytes read. `offset` is where the stream stands, for the error.
pub fn read_full(
    source: &mut impl Read,
    buffer: &mut [u8],
    origin: &Origin,
    offset: u64,
) -> Result<usize, Error> {
    let mut filled = 0;
    while filled < buffer.len() {
        match source.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            Err(error) => {
                return Err(Error::Read {
                    path: origin.path.clone(),
                    offset: offset + filled as u64,
                    compressed: origin.compressed,
                    error,
                });
            }
        }
    }
    Ok(filled)
}

/// Decodes `records`, all of `N` bytes, into `out` and `times`; the index
/// and reason of the first invalid record.
#[inline]
fn decode_all<const N: usize, F: Records>(
    format: &F,
    records: &[u8],
    out: &mut Vec<Request>,
    mut times: Option<&mut Vec<u64>>,
) -> Result<(), (usize, &'static str)> {
    let (records, _) = records.as_chunks::<N>();
    for (index, record) in records.iter().enumerate() {
        push(format.decode(record), out, times.as_deref_mut()).map_err(|what| (index, what))?;
    }
    Ok(())
}

/// [`decode_all`] for a record length known only at run time.
fn decode_any<F: Records>(
    format: &F,
    record_len: usize,
    records: &[u8],
    out: &mut Vec<Request>,
    mut times: Option<&mut Vec<u64>>,
) -> Result<(), (usize, &'static str)> {
    for (index, record) in records.chunks_exact(record_len).enumerate() {
        push(format.decode(record), out, times.as_deref_mut()).map_err(|what| (index, what))?;
    }
    Ok(())
}

#[inline]
fn push(
    decoded: Decoded,
    out: &mut Vec<Request>,
    times: Option<&mut Vec<u64>>,
) -> Result<(), &'static str> {
    match decoded {
        Decoded::Request(request, time) => {
            out.push(request);
            if let Some(times) = times {
                times.push(time);
            }
            Ok(())
        }
        Decoded::Skip => Ok(()),
        Decoded::Invalid(what) => Err(what),
    }
}

impl<R: Read + Send, F: Records> RequestReader for RecordReader<R, F> {
    fn fill(&mut self, out: &mut Vec<Request>) -> Result<(), Error> {
        out.clear();
        self.times.clear();
        let record_len = self.format.record_len();
        while out.is_empty() && !self.done {
            let filled = self.read_full()?;
            self.done = filled < self.buffer.len();
            let whole = filled - filled % record_len;
            if whole < filled {
                return Err(Error::Truncated {
                    path: self.origin.path.clone(),
                    offset: self.offset + whole as u64,
                    len: filled - whole,
                    record: record_len,
                });
            }
            // Each record length this crate's formats use gets a loop of its
            // own, so the decoder's field offsets are checked against a
            // constant length at compile time rather than record by record.
            let records = &self.buffer[..filled];
            let times = self.keep_times.then_some(&mut self.times);
            let decoded = match record_len {
                20 => decode_all::<20, F>(&self.format, records, out, times),
                22 => decode_all::<22, F>(&self.format, records, out, times),
                24 => decode_all::<24, F>(&self.format, records, out, times),
                28 => decode_all::<28, F>(&self.format, records, out, times),
                34 => decode_all::<34, F>(&self.format, records, out, times),
                36 => decode_all::<36, F>(&self.format, records, out, times),
                40 => decode_all::<40, F>(&self.format, records, out, times),
                _ => decode_any(&self.format, record_len, records, out, times),
            };
            if let Err((index, what)) = decoded {
                return Err(Error::Record {
                    path: self.origin.path.clone(),
                    offset: self.offset + (index * record_len) as u64,
                    what: what.to_owned(),
                });
            }
            self.skipped += (filled / record_len - out.len()) as u64;
            self.offset += filled as u64;
        }
        Ok(())
    }

    fn skipped(&self) -> u64 {
        self.skipped
    }

    fn keep_times(&mut self) {
        self.keep_times = true;
    }

    fn times(&self) -> Option<&[u64]> {
        self.keep_times.then_some(self.times.as_slice())
    }
}
