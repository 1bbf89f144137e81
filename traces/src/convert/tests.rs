#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::PathBuf;

use super::*;
use crate::lcs::{HEADER, LcsHeader};
use crate::oracle_general::{RECORD, Record};
use crate::{Origin, ReadOptions, TraceFile, ZSTD_MAGIC, write_trace};

/// Requests whose ids repeat within and across blocks of 3.
fn requests() -> Vec<Request> {
    [1, 2, 1, 3, 1, 2, 4, 5, 4, 1, 2, 6, 7]
        .into_iter()
        .map(|id| Request::new(id, 10 * id + 3))
        .collect()
}

fn in_memory(requests: &[Request]) -> Trace {
    Trace::in_memory("test", "test", requests.to_vec(), false)
}

fn from_file(path: &Path) -> Trace {
    let file = TraceFile::new(
        path,
        Some(TraceFormat::OracleGeneral),
        ReadOptions::default(),
    );
    Trace::from_file(file.unwrap(), false)
}

/// The bytes of `path`, decompressed when it is zstd.
fn contents(path: &Path) -> Vec<u8> {
    let bytes = fs::read(path).unwrap();
    if bytes.starts_with(&ZSTD_MAGIC) {
        zstd::decode_all(&bytes[..]).unwrap()
    } else {
        bytes
    }
}

fn oracle_general(records: &[Record]) -> Vec<u8> {
    records.iter().flat_map(Record::encode).collect()
}

fn records(bytes: &[u8]) -> Vec<Record> {
    bytes
        .chunks_exact(RECORD)
        .map(|record| Record::decode(record.try_into().unwrap()))
        .collect()
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    files
}

#[test]
fn writes_what_write_trace_writes_in_every_format_it_can_write() {
    let dir = tempfile::tempdir().unwrap();
    let all = requests();
    let formats = TraceFormat::ALL
        .into_iter()
        .filter(|f| f.entry().writer.is_some());
    for format in formats {
        // No request, part of a block, whole blocks, whole blocks and part.
        for len in [0, 2, 9, all.len()] {
            for extension in ["", ".zst"] {
                let expected = dir.path().join(format!("expected{extension}"));
                let converted = dir.path().join(format!("converted{extension}"));
                write_trace(&all[..len], &expected, format, |_| {}).unwrap();
                convert(&in_memory(&all[..len]), &converted, format, |_, _| {}).unwrap();
                if !extension.is_empty() {
                    assert!(fs::read(&converted).unwrap().starts_with(&ZSTD_MAGIC));
                }
                assert_eq!(
                    contents(&converted),
                    contents(&expected),
                    "{format}, {len} requests{extension}"
                );
            }
        }
    }
}

#[test]
fn next_accesses_cross_blocks() {
    // Blocks of 3 from the end: [4, 7), [1, 4), [0, 1). Computed by hand:
    // request 0 (object 1) is next requested by request 2, the third.
    let ids = [1, 2, 1, 3, 1, 2, 4];
    let trace: Vec<Request> = ids.iter().map(|&id| Request::new(id, 1)).collect();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.oracleGeneral");
    convert(
        &in_memory(&trace),
        &out,
        TraceFormat::OracleGeneral,
        |_, _| {},
    )
    .unwrap();
    let written = records(&fs::read(&out).unwrap());
    let next: Vec<i64> = written.iter().map(|record| record.next_access).collect();
    assert_eq!(next, [3, 6, 5, -1, -1, -1, -1]);
    let times: Vec<u32> = written.iter().map(|record| record.timestamp).collect();
    assert_eq!(times, [0, 1, 2, 3, 4, 5, 6]);
}

#[test]
fn keeps_the_times_the_trace_stores() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.oracleGeneral");
    // The stored next accesses (42) are wrong on purpose: they are
    // recomputed, and the size-0 request is not counted.
    let record = |timestamp, id, size| Record {
        timestamp,
        id,
        size,
        next_access: 42,
    };
    let stored = [
        record(1000, 7, 100),
        record(1003, 8, 0),
        record(1003, 9, 50),
        record(1010, 7, 100),
        record(1020, 9, 50),
        record(1_000_000, 7, 120),
    ];
    fs::write(&input, oracle_general(&stored)).unwrap();
    let out = dir.path().join("out.lcs");
    let converted = convert(&from_file(&input), &out, TraceFormat::Lcs, |_, _| {}).unwrap();
    assert_eq!(converted.skipped, 1);

    let bytes = fs::read(&out).unwrap();
    let origin = Origin {
        path: out.clone(),
        compressed: false,
    };
    let header = LcsHeader::read(&mut &bytes[..], &origin).unwrap();
    let stats = header.stats;
    assert_eq!(header.version, 1);
    assert_eq!((stats.requests, stats.objects), (5, 2));
    assert_eq!((stats.start_time, stats.end_time), (1000, 1_000_000));
    assert_eq!((stats.bytes_requested, stats.object_bytes), (420, 150));
    assert_eq!((stats.smallest_size, stats.largest_size), (50, 120));
    assert_eq!(stats.highest_freq[..3], [3, 2, 0]);
    assert_eq!(converted.summary.requests, 5);

    let expected = [
        Record {
            next_access: 3,
            ..stored[0]
        },
        Record {
            next_access: 4,
            ..stored[2]
        },
        Record {
            next_access: 5,
            ..stored[3]
        },
        Record {
            next_access: -1,
            ..stored[4]
        },
        Record {
            next_access: -1,
            ..stored[5]
        },
    ];
    assert_eq!(records(&bytes[HEADER..]), expected);
}

#[test]
fn reports_each_pass_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let trace = in_memory(&requests()[..7]);
    let mut heard = Vec::new();
    convert(
        &trace,
        &dir.path().join("out.lcs"),
        TraceFormat::Lcs,
        |stage, n| {
            heard.push((stage, n));
        },
    )
    .unwrap();
    assert_eq!(
        heard,
        [
            (Stage::Scan, 7),
            (Stage::NextAccess, 3),
            (Stage::NextAccess, 3),
            (Stage::NextAccess, 1),
            (Stage::Write, 7),
        ]
    );
    heard.clear();
    convert(
        &trace,
        &dir.path().join("out.csv"),
        TraceFormat::Csv,
        |stage, n| {
            heard.push((stage, n));
        },
    )
    .unwrap();
    assert_eq!(heard, [(Stage::Scan, 7), (Stage::Write, 7)]);
}

#[test]
fn a_missing_directory_is_an_open_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("missing").join("out.lcs");
    let error = convert(&in_memory(&requests()), &out, TraceFormat::Lcs, |_, _| {});
    assert!(matches!(error, Err(Error::Open { path, .. }) if path == out));
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn refuses_formats_without_a_writer_and_requests_the_format_cannot_store() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let error = convert(&in_memory(&requests()), &out, TraceFormat::Vscsi, |_, _| {});
    assert!(matches!(error, Err(Error::Invalid(_))));
    let huge = [Request::new(1, 1), Request::new(2, 1 << 33)];
    let error = convert(&in_memory(&huge), &out, TraceFormat::Lcs, |_, _| {});
    assert!(matches!(error, Err(Error::Invalid(what)) if what.contains("size 8589934592")));
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn a_reader_error_in_the_first_pass_is_returned_and_the_output_removed() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.oracleGeneral");
    let mut bytes = oracle_general(
        &[Record {
            timestamp: 1,
            id: 1,
            size: 1,
            next_access: -1,
        }; 2],
    );
    bytes.extend([0; 5]);
    fs::write(&input, bytes).unwrap();
    let out = dir.path().join("out.lcs");
    let error = convert(&from_file(&input), &out, TraceFormat::Lcs, |_, _| {});
    assert!(
        matches!(
            error,
            Err(Error::Truncated {
                offset: 48,
                len: 5,
                ..
            })
        ),
        "{error:?}"
    );
    assert_eq!(files_in(dir.path()), [input]);
}

#[test]
fn a_trace_that_changes_between_passes_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.oracleGeneral");
    let record = Record {
        timestamp: 1,
        id: 1,
        size: 1,
        next_access: -1,
    };
    // Appended while next accesses are computed: part of a record (the
    // reader's error in pass 3), or a whole one (one request too many).
    for (appended, truncated) in [(5, true), (RECORD, false)] {
        fs::write(&input, oracle_general(&[record; 4])).unwrap();
        let out = dir.path().join("out.lcs");
        let error = convert(&from_file(&input), &out, TraceFormat::Lcs, |stage, _| {
            if stage == Stage::NextAccess {
                let mut file = fs::OpenOptions::new().append(true).open(&input).unwrap();
                file.write_all(&vec![1; appended]).unwrap();
            }
        });
        if truncated {
            assert!(matches!(error, Err(Error::Truncated { .. })), "{error:?}");
        } else {
            assert!(matches!(&error, Err(Error::Invalid(what)) if what.contains("changed")));
        }
        assert_eq!(files_in(dir.path()), std::slice::from_ref(&input));
    }
}

#[test]
fn refuses_to_write_over_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.oracleGeneral");
    let bytes = oracle_general(&[Record {
        timestamp: 1,
        id: 1,
        size: 1,
        next_access: -1,
    }]);
    fs::write(&input, &bytes).unwrap();
    let error = convert(
        &from_file(&input),
        &input,
        TraceFormat::OracleGeneral,
        |_, _| {},
    );
    assert!(matches!(error, Err(Error::Invalid(_))));
    assert_eq!(fs::read(&input).unwrap(), bytes);
}
