//! libCacheSim's `lcs` binary format, record versions 1 to 8, which its
//! converter writes by default and newer trace collections ship in.
//!
//! An 8192-byte header (libCacheSim `traceReader/customizedReader/lcs.h`):
//!
//! | offset | type | field |
//! | --- | --- | --- |
//! | 0 | `u64` | start magic `0x123456789abcdef0` |
//! | 8 | `u64` | record version, 1 to 8 |
//! | 16 | 8000 bytes | trace statistics ([`LcsStats`]) |
//! | 8016 | 168 bytes | unused |
//! | 8184 | `u64` | end magic, the same as the start's |
//!
//! then little-endian packed records, all of the header's version:
//!
//! | version | bytes | fields |
//! | --- | --- | --- |
//! | 1 | 24 | `u32` time, `u64` id, `u32` size, `i64` next access (oracleGeneral's) |
//! | 2 | 28 | time, id, `u32` size, `u32` op (8 bits) and tenant (24), `i64` next access |
//! | 3 | 36 | time, id, `i64` size, op and tenant, `u32` TTL, `i64` next access |
//! | 4–8 | 40–100 | version 3, then 1, 2, 4, 8 or 16 `u32` features |
//!
//! As libCacheSim reads it: a request of size 0 is skipped, and a next
//! access of -1 or `i64::MAX` means never. Operations, tenants, TTLs and
//! features do not change what a cache does with a request.

use std::io::{self, Read, Write};

use wsim_policies::Request;

use crate::records::{Decoded, RecordReader, Records, bytes, i64_at, next_access, u32_at, u64_at};
use crate::{
    ByteStream, Error, Format, Origin, ReadOptions, RecordWriter, RequestReader, TraceSummary,
    WrittenRecord,
};

/// The first and last eight bytes of every lcs header.
pub const MAGIC: u64 = 0x1234_5678_9abc_def0;

/// Bytes in an lcs header.
pub const HEADER: usize = 8192;

/// Where the statistics start in the header.
const STATS: usize = 16;

/// Record bytes per version, indexed by version (0 is not one).
const RECORD_LEN: [usize; 9] = [0, 24, 28, 36, 40, 44, 52, 68, 100];

/// libCacheSim's lcs.
#[derive(Debug, Clone, Copy)]
pub struct Lcs;

impl Format for Lcs {
    const NAME: &'static str = "lcs";
    const EXTENSIONS: &'static [&'static str] = &["lcs"];
    const ABOUT: &'static str = "libCacheSim's lcs binary, versions 1 to 8 (.lcs)";
    const WRITER: Option<&'static dyn RecordWriter> = Some(&Lcs);
    const NEXT_ACCESS: bool = true;

    fn reader(
        mut source: ByteStream,
        origin: Origin,
        _: &ReadOptions,
    ) -> Result<Box<dyn RequestReader>, Error> {
        let header = LcsHeader::read(&mut source, &origin)?;
        let version = LcsVersion(header.version);
        Ok(Box::new(RecordReader::with_format(
            source,
            origin,
            version,
            HEADER as u64,
        )))
    }
}

/// What an lcs header says.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LcsHeader {
    /// The record version, 1 to 8.
    pub version: usize,
    /// The trace statistics.
    pub stats: LcsStats,
}

/// The statistics of an lcs header that wsim reads and writes (libCacheSim
/// stores more: common sizes, frequencies, tenants and TTLs, which a
/// writer may leave 0).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LcsStats {
    /// Requests.
    pub requests: i64,
    /// Distinct objects.
    pub objects: i64,
    /// Bytes requested.
    pub bytes_requested: i64,
    /// Bytes of the distinct objects.
    pub object_bytes: i64,
    /// The first request's time, in seconds.
    pub start_time: i64,
    /// The last request's time, in seconds.
    pub end_time: i64,
    /// The smallest request size.
    pub smallest_size: i64,
    /// The largest request size.
    pub largest_size: i64,
    /// The request counts of the most requested objects, most first.
    pub highest_freq: [i64; 16],
    /// The fitted Zipf alpha (libCacheSim's "skewness").
    pub skewness: f64,
}

impl LcsHeader {
    /// Reads and checks the header at the start of `source`.
    pub fn read(source: &mut impl Read, origin: &Origin) -> Result<Self, Error> {
        let mut header = vec![0; HEADER];
        let read = crate::records::read_full(source, &mut header, origin, 0)?;
        let invalid = |offset: usize, what: String| Error::Record {
            path: origin.path.clone(),
            offset: offset as u64,
            what,
        };
        if read < HEADER {
            return Err(invalid(
                0,
                format!("not an lcs trace: it has {read} bytes, fewer than the {HEADER}-byte header"),
            ));
        }
        let start = u64_at(&header, 0);
        if start != MAGIC {
            return Err(invalid(
                0,
                format!("not an lcs trace: the start magic is {start:#018x}, not {MAGIC:#018x}"),
            ));
        }
        let end = u64_at(&header, HEADER - 8);
        if end != MAGIC {
            return Err(invalid(
                HEADER - 8,
                format!("corrupt lcs header: the end magic is {end:#018x}, not {MAGIC:#018x}"),
            ));
        }
        let version = u64_at(&header, 8);
        let version = usize::try_from(version)
            .ok()
            .filter(|version| (1..RECORD_LEN.len()).contains(version))
            .ok_or_else(|| {
                invalid(8, format!("unknown lcs version {version} (wsim reads versions 1 to 8)"))
            })?;
        let stats = LcsStats::decode(&header[STATS..]);
        if stats.requests < 0 || stats.objects < 0 {
            return Err(invalid(
                STATS,
                format!(
                    "corrupt lcs header: {} requests and {} objects",
                    stats.requests, stats.objects
                ),
            ));
        }
        Ok(Self { version, stats })
    }

    /// The header as stored.
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        let mut header = vec![0; HEADER];
        header[0..8].copy_from_slice(&MAGIC.to_le_bytes());
        header[8..16].copy_from_slice(&(self.version as u64).to_le_bytes());
        self.stats.encode(&mut header[STATS..]);
        header[HEADER - 8..].copy_from_slice(&MAGIC.to_le_bytes());
        header
    }
}

impl LcsStats {
    /// The offsets of the fields within the statistics.
    const FIELDS: [usize; 8] = [8, 16, 24, 32, 40, 48, 80, 88];
    const HIGHEST_FREQ: usize = 288;
    const SKEWNESS: usize = 544;

    fn decode(stats: &[u8]) -> Self {
        let [requests, objects, bytes_requested, object_bytes, start_time, end_time, smallest_size, largest_size] =
            Self::FIELDS.map(|at| i64_at(stats, at));
        Self {
            requests,
            objects,
            bytes_requested,
            object_bytes,
            start_time,
            end_time,
            smallest_size,
            largest_size,
            highest_freq: std::array::from_fn(|rank| i64_at(stats, Self::HIGHEST_FREQ + 8 * rank)),
            skewness: f64::from_le_bytes(bytes(stats, Self::SKEWNESS)),
        }
    }

    /// Writes the statistics (version 1 of libCacheSim's layout) into the
    /// zeroed `stats`.
    fn encode(&self, stats: &mut [u8]) {
        let values = [
            self.requests,
            self.objects,
            self.bytes_requested,
            self.object_bytes,
            self.start_time,
            self.end_time,
            self.smallest_size,
            self.largest_size,
        ];
        stats[0..8].copy_from_slice(&1i64.to_le_bytes());
        for (at, value) in Self::FIELDS.into_iter().zip(values) {
            stats[at..at + 8].copy_from_slice(&value.to_le_bytes());
        }
        for (rank, freq) in self.highest_freq.iter().enumerate() {
            let at = Self::HIGHEST_FREQ + 8 * rank;
            stats[at..at + 8].copy_from_slice(&freq.to_le_bytes());
        }
        stats[Self::SKEWNESS..Self::SKEWNESS + 8].copy_from_slice(&self.skewness.to_le_bytes());
    }

    /// The statistics of a trace as [`TraceSummary`] has them, saturated
    /// to libCacheSim's signed fields.
    #[must_use]
    pub fn of(summary: &TraceSummary) -> Self {
        let signed = |value: u128| i64::try_from(value).unwrap_or(i64::MAX);
        Self {
            requests: signed(summary.requests.into()),
            objects: signed(summary.objects.into()),
            bytes_requested: signed(summary.bytes_requested),
            object_bytes: signed(summary.object_bytes),
            start_time: signed(summary.start_time.into()),
            end_time: signed(summary.end_time.into()),
            smallest_size: signed(summary.smallest_size.into()),
            largest_size: signed(summary.largest_size.into()),
            highest_freq: summary.highest_freq.map(|freq| signed(freq.into())),
            skewness: summary.zipf_alpha,
        }
    }
}

/// The records of one lcs version (1 to 8); version 1 is oracleGeneral's.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LcsVersion(pub(crate) usize);

impl Records for LcsVersion {
    fn record_len(&self) -> usize {
        RECORD_LEN[self.0]
    }

    #[inline]
    fn decode(&self, record: &[u8]) -> Decoded {
        let time = u64::from(u32_at(record, 0));
        let id = u64_at(record, 4);
        let (size, next) = match self.0 {
            1 => (u64::from(u32_at(record, 12)), i64_at(record, 16)),
            2 => (u64::from(u32_at(record, 12)), i64_at(record, 20)),
            _ => match u64::try_from(i64_at(record, 12)) {
                Ok(size) => (size, i64_at(record, 28)),
                Err(_) => return Decoded::Invalid("the record's object size is negative"),
            },
        };
        if size == 0 {
            return Decoded::Skip;
        }
        Decoded::Request(Request::new(id, size).next_at(next_access(next)), time)
    }
}

/// Writes version 1 (oracleGeneral's records after the header), which every
/// libCacheSim that reads lcs reads.
impl RecordWriter for Lcs {
    fn header(&self, out: &mut dyn Write, summary: &TraceSummary) -> io::Result<()> {
        let header = LcsHeader {
            version: 1,
            stats: LcsStats::of(summary),
        };
        out.write_all(&header.encode())
    }

    fn check(&self, request: Request) -> Result<(), String> {
        crate::oracle_general::OracleGeneral.check(request)
    }

    fn needs_next_access(&self) -> bool {
        true
    }

    fn record(&self, out: &mut dyn Write, record: &WrittenRecord) -> io::Result<()> {
        crate::oracle_general::OracleGeneral.record(out, record)
    }
}
