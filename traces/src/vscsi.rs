//! CloudPhysics' original block I/O traces, VMware's `vscsi` binary
//! (libCacheSim `customizedReader/vscsi.h`): the traces of the SHARDS
//! paper before libCacheSim converted them.
//!
//! Two record versions, told apart as libCacheSim does, by the version
//! byte of the first two records (the high byte of a `u16`):
//!
//! | version | bytes | fields (little-endian, C alignment) |
//! | --- | --- | --- |
//! | 1 | 32 | `u32` serial, `u32` length, `u32` scatter-gather count, `u16` command, `u16` version, `u64` block, `u64` time (µs) |
//! | 2 | 40 | `u16` command, `u16` version, `u32` serial, `u32` length, `u32` scatter-gather count, `u64` block, `u64` time (µs), `u64` response time |
//!
//! The object is the logical block number and its size the request's
//! length in bytes; times are read in seconds. libCacheSim simulates a
//! zero-length request as a size-0 object; wsim skips it and counts it.

use std::io::{Cursor, Read};

use wsim_policies::Request;

use crate::records::{Decoded, RecordReader, Records, read_full, u16_at, u32_at, u64_at};
use crate::{ByteStream, Error, Format, Origin, ReadOptions, RequestReader};

/// VMware's vscsi.
#[derive(Debug, Clone, Copy)]
pub struct Vscsi;

/// Records libCacheSim reads to tell the version.
const TESTED: usize = 2;

impl Format for Vscsi {
    const NAME: &'static str = "vscsi";
    const EXTENSIONS: &'static [&'static str] = &["vscsi"];
    const ABOUT: &'static str = "VMware's vscsi block I/O binary, versions 1 and 2 (.vscsi)";

    fn reader(
        mut source: ByteStream,
        origin: Origin,
        _: &ReadOptions,
    ) -> Result<Box<dyn RequestReader>, Error> {
        let mut start = vec![0; TESTED * VscsiVersion::V2.record_len()];
        let read = read_full(&mut source, &mut start, &origin, 0)?;
        start.truncate(read);
        let version = VscsiVersion::of(&start).ok_or_else(|| Error::Record {
            path: origin.path.clone(),
            offset: 0,
            what: if read < TESTED * VscsiVersion::V1.record_len() {
                format!(
                    "too short for a vscsi trace: {read} bytes, fewer than the two records needed to tell its version"
                )
            } else {
                "not a vscsi trace: the first two records carry neither version 1 nor version 2"
                    .to_owned()
            },
        })?;
        let source: ByteStream = Box::new(Cursor::new(start).chain(source));
        Ok(Box::new(RecordReader::with_format(source, origin, version, 0)))
    }
}

/// A vscsi record version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VscsiVersion {
    /// 32-byte records.
    V1,
    /// 40-byte records.
    V2,
}

impl VscsiVersion {
    /// The version the first records of a trace carry: version 2 if both of
    /// the first two 40-byte records say 2, else version 1 if both of the
    /// first two 32-byte records say 1.
    #[must_use]
    pub fn of(start: &[u8]) -> Option<Self> {
        [Self::V2, Self::V1].into_iter().find(|version| {
            let len = version.record_len();
            start.len() >= TESTED * len
                && (0..TESTED).all(|record| {
                    let stored = u16_at(start, record * len + version.version_at()) >> 8;
                    stored == version.number()
                })
        })
    }

    /// The version as records store it.
    const fn number(self) -> u16 {
        match self {
            Self::V1 => 1,
            Self::V2 => 2,
        }
    }

    /// Where a record stores its version.
    const fn version_at(self) -> usize {
        match self {
            Self::V1 => 14,
            Self::V2 => 2,
        }
    }
}

impl Records for VscsiVersion {
    fn record_len(&self) -> usize {
        match self {
            Self::V1 => 32,
            Self::V2 => 40,
        }
    }

    #[inline]
    fn decode(&self, record: &[u8]) -> Decoded {
        let length = match self {
            Self::V1 => u32_at(record, 4),
            Self::V2 => u32_at(record, 8),
        };
        if length == 0 {
            return Decoded::Skip;
        }
        let time = u64_at(record, 24) / 1_000_000;
        Decoded::Request(Request::new(u64_at(record, 16), u64::from(length)), time)
    }
}
