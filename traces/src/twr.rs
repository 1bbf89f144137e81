//! Twitter's key-value cache traces in libCacheSim's binary (`twr`,
//! libCacheSim `customizedReader/twrBin.h`).
//!
//! 20-byte little-endian records:
//!
//! | offset | type | field |
//! | --- | --- | --- |
//! | 0 | `u32` | time (seconds) |
//! | 4 | `u64` | key hash, the object id |
//! | 12 | `u32` | key size (high 10 bits) and value size (low 22 bits) |
//! | 16 | `u32` | operation (high 8 bits) and TTL (low 24 bits) |
//!
//! An object's size is its key's plus its value's. As libCacheSim reads it,
//! a `get` or `gets` (operations 1 and 2) of an empty value is skipped: a
//! miss that stores nothing. wsim also skips a request whose key and value
//! are both empty, which libCacheSim would simulate as a size-0 object.

use wsim_policies::Request;

use crate::records::{Decoded, RecordReader, Records, u32_at, u64_at};
use crate::{ByteStream, Error, Format, Origin, ReadOptions, RequestReader};

/// Twitter's binary.
#[derive(Debug, Clone, Copy)]
pub struct Twr;

impl Format for Twr {
    const NAME: &'static str = "twr";
    const EXTENSIONS: &'static [&'static str] = &["twr"];
    const ABOUT: &'static str = "Twitter's key-value binary, 20-byte records (.twr)";

    fn reader(
        source: ByteStream,
        origin: Origin,
        _: &ReadOptions,
    ) -> Result<Box<dyn RequestReader>, Error> {
        let records = TwrRecords { record_len: 20 };
        Ok(Box::new(RecordReader::with_format(source, origin, records, 0)))
    }
}

/// The records of `twr`, and of `twrNS`, which adds a namespace after them.
#[derive(Debug, Clone, Copy)]
pub struct TwrRecords {
    /// 20 for `twr`, 22 for `twrNS`.
    pub record_len: usize,
}

/// libCacheSim's operations `get` and `gets`: the ones whose empty value
/// is skipped.
#[must_use]
pub const fn is_get(op: u32) -> bool {
    matches!(op, 1 | 2)
}

impl Records for TwrRecords {
    fn record_len(&self) -> usize {
        self.record_len
    }

    #[inline]
    fn decode(&self, record: &[u8]) -> Decoded {
        let sizes = u32_at(record, 12);
        let key_size = (sizes >> 22) & 0x3ff;
        let value_size = sizes & 0x3f_ffff;
        let op = u32_at(record, 16) >> 24;
        let size = u64::from(key_size + value_size);
        if (value_size == 0 && is_get(op)) || size == 0 {
            return Decoded::Skip;
        }
        Decoded::Request(Request::new(u64_at(record, 4), size), u64::from(u32_at(record, 0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(time: u32, id: u64, key: u32, value: u32, op: u32) -> Vec<u8> {
        let mut bytes = Vec::new();
        bytes.extend(time.to_le_bytes());
        bytes.extend(id.to_le_bytes());
        bytes.extend(((key << 22) | value).to_le_bytes());
        bytes.extend(((op << 24) | 77).to_le_bytes());
        bytes
    }

    #[test]
    fn sizes_are_key_plus_value_and_empty_gets_are_skipped() {
        let records = TwrRecords { record_len: 20 };
        assert_eq!(
            records.decode(&record(9, 42, 1023, 0x3f_ffff, 3)),
            Decoded::Request(Request::new(42, 1023 + 0x3f_ffff), 9)
        );
        assert_eq!(records.decode(&record(9, 42, 10, 0, 1)), Decoded::Skip);
        assert_eq!(records.decode(&record(9, 42, 10, 0, 2)), Decoded::Skip);
        assert_eq!(
            records.decode(&record(9, 42, 10, 0, 3)),
            Decoded::Request(Request::new(42, 10), 9)
        );
        assert_eq!(records.decode(&record(9, 42, 0, 0, 9)), Decoded::Skip);
    }
}
