//! Twitter's key-value traces with a namespace (`twrNS`, libCacheSim
//! `customizedReader/twrNSBin.h`): [`twr`](crate::twr)'s 20-byte records
//! followed by a `u16` namespace, 22 bytes in all, read by the same rules.

use crate::records::RecordReader;
use crate::twr::TwrRecords;
use crate::{ByteStream, Error, Format, Origin, ReadOptions, RequestReader};

/// Twitter's binary with namespaces.
#[derive(Debug, Clone, Copy)]
pub struct TwrNs;

impl Format for TwrNs {
    const NAME: &'static str = "twrns";
    const EXTENSIONS: &'static [&'static str] = &["twrns"];
    const ABOUT: &'static str = "Twitter's key-value binary with namespaces, 22-byte records (.twrns)";

    fn reader(
        source: ByteStream,
        origin: Origin,
        _: &ReadOptions,
    ) -> Result<Box<dyn RequestReader>, Error> {
        let records = TwrRecords { record_len: 22 };
        Ok(Box::new(RecordReader::with_format(source, origin, records, 0)))
    }
}
