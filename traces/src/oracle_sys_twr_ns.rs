//! Twitter's key-value traces as libCacheSim's converter writes them for
//! system studies, with next accesses (`oracleSysTwrNS`, libCacheSim
//! `customizedReader/oracle/oracleTwrNSBin.h`).
//!
//! 34-byte little-endian records:
//!
//! | offset | type | field |
//! | --- | --- | --- |
//! | 0 | `u32` | time (seconds) |
//! | 4 | `u64` | object id |
//! | 12 | `u16` | key size |
//! | 14 | `u32` | value size |
//! | 18 | `u16` | operation |
//! | 20 | `u16` | namespace |
//! | 22 | `i32` | TTL |
//! | 26 | `i64` | 1-based index of the object's next request, -1 if none |
//!
//! The size is key plus value; a `get` or `gets` of an empty value is
//! skipped, as in [`twr`](crate::twr) (libcachesim 0.3.5 aborts on one,
//! "find size 0 request"; wsim skips it and counts it).

use wsim_policies::Request;

use crate::records::{Decoded, RecordReader, Records, i64_at, next_access, u16_at, u32_at, u64_at};
use crate::twr::is_get;
use crate::{ByteStream, Error, Format, Origin, ReadOptions, RequestReader};

/// libCacheSim's oracleSysTwrNS.
#[derive(Debug, Clone, Copy)]
pub struct OracleSysTwrNs;

impl Format for OracleSysTwrNs {
    const NAME: &'static str = "oracle-sys-twrns";
    const EXTENSIONS: &'static [&'static str] = &["oraclesystwrns"];
    const ABOUT: &'static str =
        "libCacheSim's oracleSysTwrNS: Twitter's records with next accesses, 34 bytes (.oracleSysTwrNS)";
    const NEXT_ACCESS: bool = true;

    fn reader(
        source: ByteStream,
        origin: Origin,
        _: &ReadOptions,
    ) -> Result<Box<dyn RequestReader>, Error> {
        Ok(Box::new(RecordReader::with_format(source, origin, OracleSysTwrNs, 0)))
    }
}

impl Records for OracleSysTwrNs {
    fn record_len(&self) -> usize {
        34
    }

    #[inline]
    fn decode(&self, record: &[u8]) -> Decoded {
        let value_size = u32_at(record, 14);
        let size = u64::from(u16_at(record, 12)) + u64::from(value_size);
        let op = u32::from(u16_at(record, 18));
        if (value_size == 0 && is_get(op)) || size == 0 {
            return Decoded::Skip;
        }
        let request = Request::new(u64_at(record, 4), size).next_at(next_access(i64_at(record, 26)));
        Decoded::Request(request, u64::from(u32_at(record, 0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(key: u16, value: u32, op: u16, next: i64) -> Vec<u8> {
        let mut bytes = Vec::new();
        bytes.extend(5u32.to_le_bytes());
        bytes.extend(99u64.to_le_bytes());
        bytes.extend(key.to_le_bytes());
        bytes.extend(value.to_le_bytes());
        bytes.extend(op.to_le_bytes());
        bytes.extend(1u16.to_le_bytes());
        bytes.extend((-1i32).to_le_bytes());
        bytes.extend(next.to_le_bytes());
        bytes
    }

    #[test]
    fn sizes_next_accesses_and_skips() {
        let records = OracleSysTwrNs;
        assert_eq!(
            records.decode(&record(16, 1000, 1, 7)),
            Decoded::Request(Request::new(99, 1016).next_at(7), 5)
        );
        assert_eq!(
            records.decode(&record(16, 0, 3, i64::MAX)),
            Decoded::Request(Request::new(99, 16).next_at(Request::NEVER), 5)
        );
        assert_eq!(records.decode(&record(16, 0, 1, 7)), Decoded::Skip);
        assert_eq!(records.decode(&record(16, 0, 2, 7)), Decoded::Skip);
    }
}
