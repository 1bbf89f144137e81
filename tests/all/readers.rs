//! Every trace format, read back and broken in every way we could think of.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use wsim_policies::Request;
use wsim_traces::Error;
use wsim_traces::oracle_general::Record;
use wsim_traces::{
    Column, CsvOptions, SizeDistribution, Synthetic, TraceFormat, next_accesses, write_trace,
};

use crate::support::{open, open_csv, read_all, traces_dir};

fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, bytes).unwrap();
    path
}

fn read(path: &Path) -> Result<(Vec<Request>, u64), Error> {
    read_all(&open(path, None, false)?)
}

fn oracle_records(records: &[(u64, u32)]) -> Vec<u8> {
    records
        .iter()
        .enumerate()
        .flat_map(|(time, &(id, size))| {
            Record {
                timestamp: time as u32,
                id,
                size,
                next_access: -1,
            }
            .encode()
        })
        .collect()
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 3).unwrap()
}

/// The error's message, which must name what the user needs to fix it.
fn message(result: Result<(Vec<Request>, u64), Error>) -> String {
    result.expect_err("the trace should not read").to_string()
}

#[test]
fn format_follows_the_file_name() {
    let cases = [
        ("a.oracleGeneral", Some(TraceFormat::OracleGeneral)),
        ("a.oracleGeneral.bin", Some(TraceFormat::OracleGeneral)),
        ("a.bin.zst", Some(TraceFormat::OracleGeneral)),
        ("a.zst", Some(TraceFormat::OracleGeneral)),
        ("a.CSV", Some(TraceFormat::Csv)),
        ("a.csv.zst", Some(TraceFormat::Csv)),
        ("a.tr", Some(TraceFormat::Webcachesim)),
        ("a.txt", Some(TraceFormat::Ids)),
        ("a.txt.zst", Some(TraceFormat::Ids)),
        ("a.lcs", Some(TraceFormat::Lcs)),
        ("a.lcs.zst", Some(TraceFormat::Lcs)),
        ("a.vscsi", Some(TraceFormat::Vscsi)),
        ("a.twr.zst", Some(TraceFormat::Twr)),
        ("a.twrNS", Some(TraceFormat::TwrNs)),
        ("a.oracleSysTwrNS.zst", Some(TraceFormat::OracleSysTwrNs)),
        ("P1.lis", Some(TraceFormat::Arc)),
        ("multi1.trc", Some(TraceFormat::Lirs)),
        ("a.parquet", None),
        ("trace", None),
    ];
    for (name, format) in cases {
        assert_eq!(TraceFormat::from_path(Path::new(name)), format, "{name}");
    }
}

#[test]
fn oracle_general_plain_and_compressed_skip_size_zero() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = oracle_records(&[(1, 10), (u64::MAX, 20), (3, 0), (1 << 40, u32::MAX)]);
    let expected = vec![
        Request::new(1, 10),
        Request::new(u64::MAX, 20),
        Request::new(1 << 40, u64::from(u32::MAX)),
    ];
    let plain = write_file(dir.path(), "t.oracleGeneral", &bytes);
    assert_eq!(read(&plain).unwrap(), (expected.clone(), 1));
    // Compression is found from the content, whatever the name says.
    let compressed = write_file(dir.path(), "t.bin", &zstd(&bytes));
    assert_eq!(read(&compressed).unwrap(), (expected, 1));
}

#[test]
fn oracle_general_streams_across_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let records: Vec<(u64, u32)> = (0..10_000).map(|i| (i * 7, (i % 100) as u32 + 1)).collect();
    let path = write_file(dir.path(), "t.bin.zst", &zstd(&oracle_records(&records)));
    let (requests, skipped) = read(&path).unwrap();
    assert_eq!(skipped, 0);
    assert_eq!(requests.len(), 10_000);
    assert!(
        requests
            .iter()
            .zip(&records)
            .all(|(r, &(id, size))| r.id == id && r.size == u64::from(size))
    );
}

#[test]
fn oracle_general_truncated_record_names_its_offset() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = oracle_records(&[(1, 1), (2, 2), (3, 3)]);
    bytes.extend_from_slice(&[7; 10]);
    let path = write_file(dir.path(), "t.bin", &bytes);
    let text = message(read(&path));
    assert!(text.contains("truncated record at byte 72"), "{text}");
    assert!(text.contains("10 bytes into a 24-byte record"), "{text}");
    let path = write_file(dir.path(), "t2.bin", &zstd(&bytes));
    assert!(message(read(&path)).contains("byte 72"));
}

#[test]
fn corrupt_zstd_is_a_read_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = zstd(&oracle_records(
        &(0..5000).map(|i| (i, 1)).collect::<Vec<_>>(),
    ));
    let middle = bytes.len() / 2;
    bytes.truncate(middle);
    let path = write_file(dir.path(), "t.bin.zst", &bytes);
    let text = message(read(&path));
    assert!(text.contains("zstd"), "{text}");
    let garbage = write_file(
        dir.path(),
        "g.zst",
        &[0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3, 4, 5],
    );
    assert!(message(read(&garbage)).contains("zstd"));
}

#[test]
fn empty_files_read_as_empty_traces() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["e.bin", "e.tr", "e.txt"] {
        let path = write_file(dir.path(), name, b"");
        assert_eq!(read(&path).unwrap(), (vec![], 0), "{name}");
    }
    let csv = write_file(dir.path(), "e.csv", b"");
    assert!(message(read(&csv)).contains("no requests"));
}

#[test]
fn missing_files_and_unknown_formats_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.bin");
    let text = open(&missing, None, false).unwrap_err().to_string();
    assert!(text.contains("nope.bin"), "{text}");
    // A name that says nothing and bytes that say nothing either.
    let unknown = write_file(dir.path(), "t.parquet", b"\xff\x00\x01");
    let text = open(&unknown, None, false).unwrap_err().to_string();
    assert!(text.contains("--format"), "{text}");
    let unknown = write_file(dir.path(), "t.parquet", b"1\n");
    assert_eq!(
        read_all(&open(&unknown, Some(TraceFormat::Ids), false).unwrap())
            .unwrap()
            .0
            .len(),
        1
    );
    let text = open(dir.path(), None, false).unwrap_err().to_string();
    assert!(text.contains("directory"), "{text}");
}

#[test]
fn webcachesim_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(
        dir.path(),
        "t.tr",
        b"1 10 100\r\n\n2  18446744073709551615\t5 extra feature\n3 10 0\n",
    );
    assert_eq!(
        read(&path).unwrap(),
        (vec![Request::new(10, 100), Request::new(u64::MAX, 5)], 1)
    );
    let broken = [
        (
            "1 10 100\n2 11\n",
            "t.tr:2: expected 3 fields `time id size`, found 2",
        ),
        (
            "1 ten 100\n",
            "t.tr:1: id `ten` is not a non-negative integer",
        ),
        (
            "1 10 -5\n",
            "t.tr:1: size `-5` is not a non-negative integer",
        ),
        ("x 10 5\n", "t.tr:1: time `x` is not a non-negative integer"),
        (
            "1 18446744073709551616 5\n",
            "t.tr:1: id `18446744073709551616`",
        ),
    ];
    for (text, expected) in broken {
        let path = write_file(dir.path(), "t.tr", text.as_bytes());
        let error = message(read(&path));
        assert!(
            error.contains(expected),
            "{error:?} should contain {expected:?}"
        );
    }
}

#[test]
fn ids_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "t.txt", b"5\n\n  7  \r\n5");
    assert_eq!(
        read(&path).unwrap(),
        (
            vec![Request::new(5, 1), Request::new(7, 1), Request::new(5, 1)],
            0
        )
    );
    for (text, expected) in [
        (
            "1\n2\nabc\n",
            "t.txt:3: id `abc` is not a non-negative integer",
        ),
        ("1 2\n", "t.txt:1: expected one id per line, found 2 fields"),
    ] {
        let path = write_file(dir.path(), "t.txt", text.as_bytes());
        let error = message(read(&path));
        assert!(
            error.contains(expected),
            "{error:?} should contain {expected:?}"
        );
    }
}

fn csv_options(id: Option<&str>, size: Option<&str>) -> CsvOptions {
    CsvOptions {
        id_column: id.map(|column| column.parse().unwrap()),
        size_column: size.map(|column| column.parse().unwrap()),
        ..CsvOptions::default()
    }
}

#[test]
fn csv_columns_by_name_and_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(
        dir.path(),
        "t.csv",
        b"time,ID,Size,extra\n1,10,100,x\n2,11,0,y\n3,\"12\",5,z\n",
    );
    let expected = (vec![Request::new(10, 100), Request::new(12, 5)], 1);
    for (id, size) in [
        (None, None),
        (Some("id"), Some("SIZE")),
        (Some("2"), Some("3")),
    ] {
        let trace = open_csv(&path, None, csv_options(id, size), false).unwrap();
        assert_eq!(read_all(&trace).unwrap(), expected, "{id:?} {size:?}");
    }
    let headerless = write_file(dir.path(), "h.csv", b"10,100\n11,5\n");
    let options = CsvOptions {
        has_header: false,
        ..csv_options(Some("1"), Some("2"))
    };
    assert_eq!(
        read_all(&open_csv(&headerless, None, options, false).unwrap())
            .unwrap()
            .0,
        [Request::new(10, 100), Request::new(11, 5)]
    );
    assert_eq!(
        "0".parse::<Column>().unwrap_err(),
        "column position `0` must be 1 or more"
    );
}

#[test]
fn csv_without_a_size_column_needs_ignore_size() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "t.csv", b"id,op\n1,r\n2,w\n");
    let error = open_csv(&path, None, CsvOptions::default(), false)
        .and_then(|trace| read_all(&trace))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("no column `size` in the header (id, op)"),
        "{error}"
    );
    assert!(error.contains("--size-column"), "{error}");
    let trace = open_csv(&path, None, CsvOptions::default(), true).unwrap();
    assert_eq!(
        read_all(&trace).unwrap().0,
        [Request::new(1, 1), Request::new(2, 1)]
    );
}

#[test]
fn csv_errors_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "id,size\n1,2\n3\n",
            None,
            "t.csv:3: 1 fields where the first line has 2",
        ),
        (
            "id,size\n1,2\nx,4\n",
            None,
            "t.csv:3: id `x` is not a non-negative integer",
        ),
        (
            "id,size\n1,-2\n",
            None,
            "t.csv:2: size `-2` is not a non-negative integer",
        ),
        (
            "lbn,size\n1,2\n",
            None,
            "no column `id` in the header (lbn, size)",
        ),
        (
            "id,size\n1,2\n",
            Some("7"),
            "t.csv:2: 2 fields, but the id column is field 7",
        ),
    ];
    for (text, id, expected) in cases {
        let path = write_file(dir.path(), "t.csv", text.as_bytes());
        let error = open_csv(&path, None, csv_options(id, None), false)
            .and_then(|trace| read_all(&trace))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains(expected),
            "{error:?} should contain {expected:?}"
        );
    }
}

#[test]
fn the_sample_traces_agree_across_formats() {
    let dir = traces_dir();
    let (binary, _) = read(&dir.join("cloudPhysicsIO.oracleGeneral.bin.zst")).unwrap();
    let csv = open_csv(
        &dir.join("cloudPhysicsIO.csv.zst"),
        None,
        csv_options(Some("lbn"), None),
        false,
    )
    .unwrap();
    let (csv, _) = read_all(&csv).unwrap();
    // libCacheSim's oracleGeneral keeps each object's first size; the CSV has
    // the size of every request.
    assert!(
        csv.iter().map(|r| r.id).eq(binary.iter().map(|r| r.id)),
        "CSV and oracleGeneral ids differ"
    );
    assert_eq!(
        csv[..4].iter().map(|r| r.size).collect::<Vec<_>>(),
        [512, 512, 512, 6656]
    );
    assert_eq!(
        (csv[24].id, csv[24].size, binary[24].size),
        (3_345_071, 16_384, 4096)
    );
    let (ids, _) = read(&dir.join("cloudPhysicsIO.txt.zst")).unwrap();
    assert!(
        ids.iter().map(|r| r.id).eq(binary.iter().map(|r| r.id)),
        "ids differ"
    );
    let (web, skipped) = read(&dir.join("webcachesim_test.tr")).unwrap();
    assert_eq!((web.len(), skipped), (10_492, 0));
}

#[test]
fn generated_traces_read_back_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let spec = Synthetic {
        requests: 5_000,
        objects: 500,
        sizes: SizeDistribution::Uniform {
            min: 1,
            max: 1 << 20,
        },
        ..Synthetic::DEFAULT
    };
    let requests: Vec<Request> = spec.generate().unwrap().collect();
    let mut written = 0;
    for format in TraceFormat::ALL {
        let Some(writer) = format.entry().writer else {
            continue;
        };
        let extension = format.entry().extensions[0];
        for compressed in ["", ".zst"] {
            // Named so that the name alone implies the format.
            let name = format!("g-{format}.{extension}{compressed}");
            let path = dir.path().join(&name);
            write_trace(&requests, &path, format, |_| {}).unwrap();
            let (read_back, skipped) = read(&path).unwrap();
            assert_eq!(skipped, 0, "{name}");
            let mut expected: Vec<Request> = if writer.keeps_sizes() {
                requests.clone()
            } else {
                requests.iter().map(|r| Request::new(r.id, 1)).collect()
            };
            if (format.entry().next_access)(&wsim_traces::ReadOptions::default()) {
                // A format that stores next accesses hands them back.
                let next = next_accesses(expected.iter().map(|r| r.id));
                for (request, next) in expected.iter_mut().zip(next) {
                    *request = request.next_at(next);
                }
            }
            assert_eq!(read_back, expected, "{name}");
            written += 1;
        }
    }
    assert!(written >= 2, "no format could be written");
}

#[test]
fn oracle_general_next_access_is_filled_in() {
    let dir = tempfile::tempdir().unwrap();
    let requests = [5, 6, 5, 7, 6, 5].map(|id| Request::new(id, 1));
    let path = dir.path().join("n.bin");
    write_trace(&requests, &path, TraceFormat::OracleGeneral, |_| {}).unwrap();
    let bytes = fs::read(&path).unwrap();
    let next: Vec<i64> = bytes
        .as_chunks::<24>()
        .0
        .iter()
        .map(|record| Record::decode(record).next_access)
        .collect();
    // 1-based, as libCacheSim's traceConv writes them.
    assert_eq!(next, [3, 5, 6, -1, -1, -1]);
}

#[test]
fn readers_never_panic_on_arbitrary_bytes() {
    // A cheap stand-in until the fuzz targets land: every reader gets a
    // spread of hostile byte strings and must answer Ok or Err.
    let dir = tempfile::tempdir().unwrap();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for round in 0..200 {
        let len = (wsim_traces::mix64(seed) % 300) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|i| {
                seed = wsim_traces::mix64(seed.wrapping_add(i as u64));
                match round % 3 {
                    0 => seed as u8,
                    1 => b"0123456789 ,\n\r\t-x"[(seed % 17) as usize],
                    _ => b"12\n"[(seed % 3) as usize],
                }
            })
            .collect();
        let path = write_file(dir.path(), "f.trace", &bytes);
        for format in TraceFormat::ALL {
            let _ = open(&path, Some(format), false).and_then(|trace| read_all(&trace));
        }
        let mut compressed = fs::File::create(dir.path().join("z.zst")).unwrap();
        compressed.write_all(&wsim_traces::ZSTD_MAGIC).unwrap();
        compressed.write_all(&bytes).unwrap();
        drop(compressed);
        for format in TraceFormat::ALL {
            let _ = open(&dir.path().join("z.zst"), Some(format), false)
                .and_then(|trace| read_all(&trace));
        }
    }
}
