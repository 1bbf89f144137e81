//! Every trace format of the registry, on arbitrary bytes (plain, and
//! through zstd when they carry its magic) and, for `binary`, an arbitrary
//! layout string: each request comes out or a clean error does; never a
//! panic, never a loop. Requests never have size 0.

#![no_main]

use std::io::{Cursor, Read};
use std::path::PathBuf;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use wsim_policies::Request;
use wsim_traces::{
    ByteStream, Column, CsvOptions, Origin, ReadOptions, TraceFormat, ZSTD_MAGIC,
};

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    /// Which format of `TraceFormat::ALL`.
    format: u8,
    /// CSV columns by position, or (None) by the default names.
    id_column: Option<u8>,
    size_column: Option<u8>,
    has_header: bool,
    tab: bool,
    ignore_size: bool,
    /// A binary layout, as `--trace-params` takes it (most do not parse).
    layout: &'a str,
    bytes: &'a [u8],
}

/// More requests than any input of a few KiB can hold; a reader that goes
/// past it is looping.
const MAX_REQUESTS: usize = 1 << 20;

fn drain(format: TraceFormat, options: &ReadOptions, source: ByteStream, compressed: bool) {
    let origin = Origin {
        path: PathBuf::from("fuzz.trace"),
        compressed,
    };
    let Ok(mut reader) = format.reader(source, origin, options) else {
        return;
    };
    let mut chunk: Vec<Request> = Vec::new();
    let mut total = 0;
    while reader.fill(&mut chunk).is_ok() && !chunk.is_empty() {
        assert!(chunk.iter().all(|request| request.size > 0));
        total += chunk.len();
        // An arc line expands to up to 2^31 requests: a few bytes may
        // honestly hold more requests than the cap. Only formats of one
        // record per request must stay under it.
        if format == TraceFormat::Arc && total > MAX_REQUESTS {
            return;
        }
        assert!(total <= MAX_REQUESTS, "the {format} reader does not end");
    }
}

fuzz_target!(|input: Input<'_>| {
    let format = TraceFormat::ALL[usize::from(input.format) % TraceFormat::COUNT];
    let column = |position: Option<u8>| {
        position.map(|position| Column::Position(usize::from(position % 8) + 1))
    };
    let options = ReadOptions {
        csv: CsvOptions {
            id_column: column(input.id_column),
            size_column: column(input.size_column),
            has_header: input.has_header,
            delimiter: if input.tab { b'\t' } else { b',' },
        },
        ignore_size: input.ignore_size,
        binary: input.layout.parse().ok(),
    };
    let bytes = input.bytes.to_vec();
    drain(format, &options, Box::new(Cursor::new(bytes.clone())), false);
    if bytes.starts_with(&ZSTD_MAGIC) {
        if let Ok(decoder) = zstd::Decoder::new(Cursor::new(bytes)) {
            // Cap what a tiny frame may inflate to.
            drain(format, &options, Box::new(decoder.take(1 << 24)), true);
        }
    }
});
