//! How fast each binary reader streams records from the page cache, and a
//! zstd-compressed trace against zstd's own decompression speed (`cargo make
//! reader-speed`; numbers in the README).
//!
//!     cargo run --release -p wsim-traces --example reader_speed [RECORDS]
//!
//! Each format's file is written once into `target/reader-speed/`, read once
//! to warm the page cache, then timed over three more (the best is kept).

#![allow(
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    reason = "a benchmark: it stops at the first failure, and its numbers are small"
)]

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use wsim_policies::Request;
use wsim_traces::{ReadOptions, RequestReader, Trace, TraceFile, TraceFormat, mix64};

/// A record of `len` bytes whose every field a reader decodes as valid: the
/// size fields are nonzero wherever each format keeps them.
fn record(format: TraceFormat, index: u64, version: u64) -> Vec<u8> {
    let id = mix64(index) % 1_000_000;
    let mut bytes = Vec::new();
    bytes.extend(7u32.to_le_bytes());
    match format {
        TraceFormat::Vscsi => {
            bytes.clear();
            bytes.extend(0u16.to_le_bytes());
            bytes.extend((2u16 << 8).to_le_bytes());
            bytes.extend(1u32.to_le_bytes());
            bytes.extend(4096u32.to_le_bytes());
            bytes.extend(1u32.to_le_bytes());
            bytes.extend(id.to_le_bytes());
            bytes.extend(index.to_le_bytes());
            bytes.extend(0u64.to_le_bytes());
        }
        TraceFormat::Twr | TraceFormat::TwrNs => {
            bytes.extend(id.to_le_bytes());
            bytes.extend(((16u32 << 22) | 4000).to_le_bytes());
            bytes.extend((1u32 << 24).to_le_bytes());
            if format == TraceFormat::TwrNs {
                bytes.extend(1u16.to_le_bytes());
            }
        }
        TraceFormat::OracleSysTwrNs => {
            bytes.extend(id.to_le_bytes());
            bytes.extend(16u16.to_le_bytes());
            bytes.extend(4000u32.to_le_bytes());
            bytes.extend(1u16.to_le_bytes());
            bytes.extend(1u16.to_le_bytes());
            bytes.extend(0i32.to_le_bytes());
            bytes.extend((-1i64).to_le_bytes());
        }
        _ => {
            // oracleGeneral and lcs (and the binary layout `<IQIq`).
            bytes.extend(id.to_le_bytes());
            if version >= 3 {
                bytes.extend(4096i64.to_le_bytes());
                bytes.extend([0; 8]);
            } else {
                bytes.extend(4096u32.to_le_bytes());
                if version == 2 {
                    bytes.extend([0; 4]);
                }
            }
            bytes.extend((-1i64).to_le_bytes());
            let features = [0, 0, 0, 0, 1, 2, 4, 8, 16][version as usize];
            bytes.extend(vec![0; 4 * features]);
        }
    }
    bytes
}

fn write(path: &Path, format: TraceFormat, version: u64, records: u64) {
    if path.exists() {
        return;
    }
    let mut bytes = Vec::new();
    if format == TraceFormat::Lcs {
        let header = wsim_traces::lcs::LcsHeader {
            version: version as usize,
            stats: wsim_traces::lcs::LcsStats::default(),
        };
        bytes.extend(header.encode());
    }
    for index in 0..records {
        bytes.extend(record(format, index, version));
    }
    fs::write(path, bytes).unwrap();
}

/// The best of three reads, in million records per second.
fn speed(path: &Path, format: TraceFormat, options: &ReadOptions) -> (f64, u64) {
    let file = TraceFile::new(path, Some(format), options.clone()).unwrap();
    let trace = Trace::from_file(file, false);
    let mut best = f64::INFINITY;
    let mut requests = 0;
    for _ in 0..4 {
        let start = Instant::now();
        let mut reader = trace.reader().unwrap();
        let mut chunk: Vec<Request> = Vec::new();
        let mut sum = 0u64;
        requests = 0;
        loop {
            reader.fill(&mut chunk).unwrap();
            if chunk.is_empty() {
                break;
            }
            requests += chunk.len() as u64;
            sum = sum.wrapping_add(chunk[chunk.len() - 1].id);
        }
        std::hint::black_box(sum);
        best = best.min(start.elapsed().as_secs_f64());
    }
    (requests as f64 / best / 1e6, requests)
}

/// The reader alone, from bytes in memory (no system calls), in million
/// records per second: the best of three.
fn memory_speed(path: &Path, format: TraceFormat, options: &ReadOptions) -> f64 {
    let bytes = fs::read(path).unwrap();
    let mut best = f64::INFINITY;
    let mut requests = 0;
    for _ in 0..4 {
        let copy = bytes.clone();
        let start = Instant::now();
        let origin = wsim_traces::Origin {
            path: path.to_owned(),
            compressed: false,
        };
        let source: wsim_traces::ByteStream = Box::new(std::io::Cursor::new(copy));
        let mut reader = format.reader(source, origin, options).unwrap();
        let mut chunk: Vec<Request> = Vec::new();
        requests = 0;
        loop {
            reader.fill(&mut chunk).unwrap();
            if chunk.is_empty() {
                break;
            }
            requests += chunk.len();
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    requests as f64 / best / 1e6
}

/// The floor a 24-byte reader can reach here: the oracleGeneral records of
/// `path` decoded straight out of memory into requests, no reader around
/// them; million records per second, the best of three.
fn floor_speed(path: &Path) -> f64 {
    let bytes = fs::read(path).unwrap();
    let mut best = f64::INFINITY;
    for _ in 0..4 {
        let start = Instant::now();
        let mut out: Vec<Request> = Vec::with_capacity(4096);
        let mut sum = 0u64;
        for chunk in bytes.chunks(4096 * 24) {
            out.clear();
            for record in chunk.as_chunks::<24>().0 {
                let id = u64::from_le_bytes(record[4..12].try_into().unwrap());
                let size = u32::from_le_bytes(record[12..16].try_into().unwrap());
                let next = i64::from_le_bytes(record[16..24].try_into().unwrap());
                if size != 0 {
                    out.push(Request::new(id, u64::from(size)).next_at(next));
                }
            }
            sum = sum.wrapping_add(out.len() as u64);
        }
        std::hint::black_box(sum);
        best = best.min(start.elapsed().as_secs_f64());
    }
    (bytes.len() / 24) as f64 / best / 1e6
}

/// zstd's own speed on `path`: million records of `record_len` bytes per
/// second, decompressing into nothing.
fn zstd_speed(path: &Path, record_len: usize) -> f64 {
    let mut best = f64::INFINITY;
    let mut bytes = 0;
    for _ in 0..4 {
        let start = Instant::now();
        let mut decoder = zstd::Decoder::new(fs::File::open(path).unwrap()).unwrap();
        let mut buffer = vec![0; 1 << 17];
        bytes = 0;
        loop {
            let read = decoder.read(&mut buffer).unwrap();
            if read == 0 {
                break;
            }
            bytes += read;
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    (bytes / record_len) as f64 / best / 1e6
}

fn main() {
    let records: u64 = std::env::args()
        .nth(1)
        .map_or(4_000_000, |n| n.parse().unwrap());
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/reader-speed");
    fs::create_dir_all(&dir).unwrap();
    println!("{records} records per file, read from the page cache, best of 3 reads");
    println!(
        "{:<20} {:>10} {:>16} {:>10} {:>18}",
        "format", "bytes/rec", "page cache M/s", "GB/s", "from memory M/s"
    );
    let mut cases: Vec<(String, TraceFormat, u64, ReadOptions)> = vec![
        (
            "oracle-general".into(),
            TraceFormat::OracleGeneral,
            1,
            ReadOptions::default(),
        ),
        (
            "binary <IQIq".into(),
            TraceFormat::Binary,
            1,
            ReadOptions {
                binary: Some(
                    "format=<IQIq,obj-id-col=2,obj-size-col=3,time-col=1,next-access-col=4"
                        .parse()
                        .unwrap(),
                ),
                ..ReadOptions::default()
            },
        ),
        (
            "vscsi v2".into(),
            TraceFormat::Vscsi,
            0,
            ReadOptions::default(),
        ),
        ("twr".into(), TraceFormat::Twr, 0, ReadOptions::default()),
        (
            "twrns".into(),
            TraceFormat::TwrNs,
            0,
            ReadOptions::default(),
        ),
        (
            "oracle-sys-twrns".into(),
            TraceFormat::OracleSysTwrNs,
            0,
            ReadOptions::default(),
        ),
    ];
    for version in 1..=8 {
        cases.push((
            format!("lcs v{version}"),
            TraceFormat::Lcs,
            version,
            ReadOptions::default(),
        ));
    }
    for (name, format, version, options) in &cases {
        let path = dir.join(format!("{}.trace", name.replace([' ', '<'], "_")));
        let source = if *format == TraceFormat::Binary {
            TraceFormat::OracleGeneral
        } else {
            *format
        };
        write(&path, source, *version, records);
        let record_len = record(source, 0, *version).len();
        let (rate, read) = speed(&path, *format, options);
        assert_eq!(read, records, "{name}: records read");
        let memory = memory_speed(&path, *format, options);
        println!(
            "{name:<20} {record_len:>10} {rate:>16.0} {:>10.2} {memory:>18.0}",
            rate * record_len as f64 / 1e3
        );
    }
    let floor = floor_speed(&dir.join("oracle-general.trace"));
    println!(
        "floor: oracleGeneral's records decoded from memory with no reader: {floor:.0} M rec/s"
    );
    println!("\nzstd-compressed (level 3): the reader against zstd decompressing alone");
    for (name, format, version) in [
        ("oracle-general", TraceFormat::OracleGeneral, 1),
        ("lcs v1", TraceFormat::Lcs, 1),
    ] {
        let plain = dir.join(format!("{}.trace", name.replace([' ', '<'], "_")));
        let compressed = dir.join(format!("{}.trace.zst", name.replace([' ', '<'], "_")));
        if !compressed.exists() {
            let bytes = fs::read(&plain).unwrap();
            fs::write(&compressed, zstd::encode_all(&bytes[..], 3).unwrap()).unwrap();
        }
        let record_len = record(format, 0, version).len();
        let (rate, _) = speed(&compressed, format, &ReadOptions::default());
        let alone = zstd_speed(&compressed, record_len);
        println!(
            "{name:<28} reader {rate:>6.0} M rec/s, zstd alone {alone:>6.0} M rec/s: {:.2}x zstd's time",
            alone / rate
        );
    }
}
