//! libCacheSim's `oracleGeneral` binary format.
//!
//! A stream of 24-byte little-endian records, no header:
//!
//! | offset | type | field |
//! | --- | --- | --- |
//! | 0 | `u32` | timestamp (seconds) |
//! | 4 | `u64` | object id |
//! | 12 | `u32` | object size in bytes |
//! | 16 | `i64` | 1-based request index of the object's next access, -1 if none |
//!
//! The large public trace collections (Twitter, Meta, CloudPhysics, Wikimedia
//! CDN) ship in this format, zstd-compressed; [`OracleGeneralReader`] streams
//! it chunk by chunk and never holds more than one chunk.

use std::io::{self, Read, Write};

use wsim_policies::Request;

use crate::records::{Decoded, RecordReader, Records};
use crate::{
    ByteStream, Error, Format, Origin, ReadOptions, RecordWriter, RequestReader, WrittenRecord,
};

/// libCacheSim's `oracleGeneral` binary.
#[derive(Debug, Clone, Copy)]
pub struct OracleGeneral;

impl Format for OracleGeneral {
    const NAME: &'static str = "oracle-general";
    const EXTENSIONS: &'static [&'static str] = &["oraclegeneral", "bin", "zst"];
    const ABOUT: &'static str = "libCacheSim's oracleGeneral binary (.oracleGeneral, .bin, a bare .zst)";
    const WRITER: Option<&'static dyn RecordWriter> = Some(&OracleGeneral);
    const NEXT_ACCESS: bool = true;

    fn reader(
        source: ByteStream,
        origin: Origin,
        _: &ReadOptions,
    ) -> Result<Box<dyn RequestReader>, Error> {
        Ok(Box::new(OracleGeneralReader::new(source, origin)))
    }
}

/// Each request's index is its timestamp, and its next access is filled
/// in, as libCacheSim's own converter does.
impl RecordWriter for OracleGeneral {
    fn check(&self, request: Request) -> Result<(), String> {
        if request.size > u64::from(u32::MAX) {
            return Err(format!(
                "object {} has size {}, above the 4 GiB oracleGeneral can store",
                request.id, request.size
            ));
        }
        Ok(())
    }

    fn needs_next_access(&self) -> bool {
        true
    }

    fn record(&self, out: &mut dyn Write, record: &WrittenRecord) -> io::Result<()> {
        let encoded = Record {
            timestamp: u32::try_from(record.time).unwrap_or(u32::MAX),
            id: record.request.id,
            size: u32::try_from(record.request.size).unwrap_or(u32::MAX),
            next_access: record.next_access,
        }
        .encode();
        out.write_all(&encoded)
    }
}

/// Bytes per record.
pub const RECORD: usize = 24;

/// One record as stored, all fields kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record {
    /// Timestamp in seconds.
    pub timestamp: u32,
    /// Object id.
    pub id: u64,
    /// Object size in bytes.
    pub size: u32,
    /// 1-based request index of this object's next access; -1 if none.
    pub next_access: i64,
}

impl Record {
    /// Decodes one record.
    #[must_use]
    pub fn decode(bytes: &[u8; RECORD]) -> Self {
        let b = bytes;
        Self {
            timestamp: u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            id: u64::from_le_bytes([b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11]]),
            size: u32::from_le_bytes([b[12], b[13], b[14], b[15]]),
            next_access: i64::from_le_bytes([
                b[16], b[17], b[18], b[19], b[20], b[21], b[22], b[23],
            ]),
        }
    }

    /// Encodes one record.
    #[must_use]
    pub fn encode(&self) -> [u8; RECORD] {
        let mut bytes = [0; RECORD];
        bytes[0..4].copy_from_slice(&self.timestamp.to_le_bytes());
        bytes[4..12].copy_from_slice(&self.id.to_le_bytes());
        bytes[12..16].copy_from_slice(&self.size.to_le_bytes());
        bytes[16..24].copy_from_slice(&self.next_access.to_le_bytes());
        bytes
    }
}

/// Streams requests out of an `oracleGeneral` byte stream.
pub type OracleGeneralReader<R> = RecordReader<R, OracleGeneral>;

impl<R: Read> OracleGeneralReader<R> {
    /// Reads `source`, naming `origin` in errors.
    pub fn new(source: R, origin: Origin) -> Self {
        Self::with_format(source, origin, OracleGeneral, 0)
    }
}

/// The records of lcs version 1, read by the same rules: a record of size 0
/// is skipped, and a next access of -1 or `i64::MAX` means never.
impl Records for OracleGeneral {
    fn record_len(&self) -> usize {
        RECORD
    }

    #[inline]
    fn decode(&self, record: &[u8]) -> Decoded {
        crate::lcs::LcsVersion(1).decode(record)
    }
}
