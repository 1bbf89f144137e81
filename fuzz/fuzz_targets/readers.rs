//! Every trace reader, on arbitrary bytes (plain, and through zstd when they
//! carry its magic): each request comes out or a clean error does; never a
//! panic, never a loop. Requests never have size 0.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use std::io::Read;
use std::path::PathBuf;
use wsim::trace::{
    Column, CsvOptions, CsvReader, IdsReader, OracleGeneralReader, RequestReader, WebcachesimReader,
};
use wsim_policies::Request;

#[derive(Debug, Arbitrary)]
enum Format {
    OracleGeneral,
    Csv {
        id_column: Option<u8>,
        size_column: Option<u8>,
        has_header: bool,
        tab: bool,
        ignore_size: bool,
    },
    Webcachesim,
    Ids,
}

/// More requests than any input of a few KiB can hold; a reader that goes
/// past it is looping.
const MAX_REQUESTS: usize = 1 << 20;

fn drain(mut reader: impl RequestReader) {
    let mut chunk: Vec<Request> = Vec::new();
    let mut total = 0;
    loop {
        if reader.fill(&mut chunk).is_err() {
            return;
        }
        if chunk.is_empty() {
            return;
        }
        assert!(chunk.iter().all(|request| request.size > 0));
        total += chunk.len();
        assert!(total <= MAX_REQUESTS, "the reader does not end");
    }
}

fn read(format: &Format, source: impl Read + Send, compressed: bool) {
    let path = PathBuf::from("fuzz.trace");
    match *format {
        Format::OracleGeneral => drain(OracleGeneralReader::new(source, path, compressed)),
        Format::Csv {
            id_column,
            size_column,
            has_header,
            tab,
            ignore_size,
        } => {
            // Columns by position, or (None) by the default names.
            let column = |position: Option<u8>| {
                position.map(|position| Column::Position(usize::from(position % 8) + 1))
            };
            let options = CsvOptions {
                id_column: column(id_column),
                size_column: column(size_column),
                has_header,
                delimiter: if tab { b'\t' } else { b',' },
            };
            if let Ok(reader) = CsvReader::new(source, path, compressed, &options, ignore_size) {
                drain(reader);
            }
        }
        Format::Webcachesim => drain(WebcachesimReader::new(source, path, compressed)),
        Format::Ids => drain(IdsReader::new(source, path, compressed)),
    }
}

fuzz_target!(|input: (Format, &[u8])| {
    let (format, bytes) = input;
    read(&format, bytes, false);
    if bytes.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        if let Ok(decoder) = zstd::Decoder::new(bytes) {
            // Cap what a tiny frame may inflate to.
            read(&format, decoder.take(1 << 24), true);
        }
    }
});
