//! The trace formats against libCacheSim's own readers: each format's file
//! (lcs versions 1 to 8 written by libCacheSim's converter; vscsi, twr,
//! twrNS, oracleSysTwrNS and binary layouts written here, with the records
//! libCacheSim skips among them) must yield the same requests, the same
//! ones skipped, and the same hits for every policy, in wsim as in
//! libCacheSim. And libCacheSim must read the lcs wsim writes.

use std::path::{Path, PathBuf};
use std::process::Command;

use wsim_policies::Request;
use wsim_traces::{ReadOptions, RequestReader, Trace, TraceFile, TraceFormat, write_trace};

use super::{Random, Shape};

/// One trace file in one format, and how libCacheSim opens it.
pub(super) struct FormatFile {
    /// The file.
    pub(super) path: PathBuf,
    /// Its format in wsim.
    pub(super) format: TraceFormat,
    /// How wsim reads it (a binary layout).
    pub(super) options: ReadOptions,
    /// libcachesim's `TraceType` name.
    pub(super) kind: &'static str,
    /// libcachesim `ReaderInitParam` fields, `key=value,...`.
    pub(super) params: String,
    /// Records written that libCacheSim's rules skip.
    pub(super) skips: u64,
}

impl FormatFile {
    /// Every request wsim reads from the file, and how many it skipped.
    pub(super) fn read(&self) -> (Vec<Request>, u64) {
        let file = TraceFile::new(&self.path, Some(self.format), self.options.clone()).unwrap();
        let mut reader = Trace::from_file(file, false).reader().unwrap();
        let (mut all, mut chunk) = (Vec::new(), Vec::new());
        loop {
            reader.fill(&mut chunk).unwrap();
            if chunk.is_empty() {
                return (all, reader.skipped());
            }
            all.extend_from_slice(&chunk);
        }
    }
}

/// A request as a format's record stores it, with the fields libCacheSim's
/// skip rules look at.
struct Written {
    request: Request,
    time: u32,
    /// Twitter's operation (1 `get`, 3 `set`, ...).
    op: u32,
    /// Twitter's key size; the value is the rest of the size.
    key: u32,
}

/// The shape's requests as Twitter-like records: some `get`s of empty
/// values (skipped), some `set`s of empty values (kept, key size only).
fn written(shape: Shape, random: &mut Random) -> Vec<Written> {
    let mut time = 1_000;
    shape
        .requests()
        .into_iter()
        .map(|request| {
            time += u32::from(random.below(3) == 0);
            let key = (1 + random.below(64)).min(request.size) as u32;
            let op = [1, 1, 2, 3, 9][random.below(5) as usize];
            let empty = random.below(25) == 0;
            let size = if empty {
                u64::from(key)
            } else {
                request.size.min(0x3f_ffff)
            };
            Written {
                request: Request::new(request.id, size),
                time,
                op,
                key,
            }
        })
        .collect()
}

fn value_size(record: &Written) -> u32 {
    record.request.size as u32 - record.key
}

fn twr_record(record: &Written, namespace: bool) -> Vec<u8> {
    let mut bytes = Vec::new();
    bytes.extend(record.time.to_le_bytes());
    bytes.extend(record.request.id.to_le_bytes());
    bytes.extend(((record.key << 22) | value_size(record)).to_le_bytes());
    bytes.extend(((record.op << 24) | 3600).to_le_bytes());
    if namespace {
        bytes.extend(7u16.to_le_bytes());
    }
    bytes
}

fn oracle_sys_twr_ns_record(record: &Written, next: i64) -> Vec<u8> {
    let mut bytes = Vec::new();
    bytes.extend(record.time.to_le_bytes());
    bytes.extend(record.request.id.to_le_bytes());
    bytes.extend((record.key as u16).to_le_bytes());
    bytes.extend(value_size(record).to_le_bytes());
    bytes.extend((record.op as u16).to_le_bytes());
    bytes.extend(3u16.to_le_bytes());
    bytes.extend(600i32.to_le_bytes());
    bytes.extend(next.to_le_bytes());
    bytes
}

fn vscsi_record(record: &Written, version: u16) -> Vec<u8> {
    let time = u64::from(record.time) * 1_000_000 + 123;
    let length = record.request.size as u32;
    let mut bytes = Vec::new();
    if version == 1 {
        bytes.extend(17u32.to_le_bytes()); // serial
        bytes.extend(length.to_le_bytes());
        bytes.extend(1u32.to_le_bytes()); // scatter-gather count
        bytes.extend(0x28u16.to_le_bytes()); // command
        bytes.extend((1u16 << 8).to_le_bytes());
    } else {
        bytes.extend(0x2au16.to_le_bytes());
        bytes.extend((2u16 << 8).to_le_bytes());
        bytes.extend(17u32.to_le_bytes());
        bytes.extend(length.to_le_bytes());
        bytes.extend(1u32.to_le_bytes());
    }
    bytes.extend(record.request.id.to_le_bytes());
    bytes.extend(time.to_le_bytes());
    if version == 2 {
        bytes.extend(250u64.to_le_bytes()); // response time
    }
    bytes
}

/// A binary layout's record: `<xIQhIq` (a pad byte, time, id, a 16-bit
/// field nobody reads, size, next access) or `>QI` (big-endian id, size).
fn binary_record(record: &Written, next: i64, big_endian: bool) -> Vec<u8> {
    let mut bytes = Vec::new();
    if big_endian {
        bytes.extend(record.request.id.to_be_bytes());
        bytes.extend((record.request.size as u32).to_be_bytes());
    } else {
        bytes.push(0xee);
        bytes.extend(record.time.to_le_bytes());
        bytes.extend(record.request.id.to_le_bytes());
        bytes.extend((-5i16).to_le_bytes());
        bytes.extend((record.request.size as u32).to_le_bytes());
        // libCacheSim's binary reader, unlike its others, does not read -1
        // as never: Belady there wants i64::MAX.
        let next = if next == Request::NEVER {
            i64::MAX
        } else {
            next
        };
        bytes.extend(next.to_le_bytes());
    }
    bytes
}

/// Each record's 1-based next access among all records written.
fn next_of(records: &[Written]) -> Vec<i64> {
    wsim_traces::next_accesses(records.iter().map(|record| record.request.id))
}

/// Writes the files of every format from `shape`'s requests into `dir`.
pub(super) fn files(python: &str, dir: &Path, shape: Shape) -> Vec<FormatFile> {
    let mut random = Random(shape.seed ^ 0x5eed);
    let records = written(shape, &mut random);
    let next = next_of(&records);
    let twr_skips = records
        .iter()
        .filter(|record| value_size(record) == 0 && matches!(record.op, 1 | 2))
        .count() as u64;
    let mut files = Vec::new();
    let mut write = |name: &str, format, kind, params: &str, options, skips, bytes: Vec<u8>| {
        let path = dir.join(format!("seed-{}-{name}", shape.seed));
        std::fs::write(&path, bytes).unwrap();
        files.push(FormatFile {
            path,
            format,
            options,
            kind,
            params: params.to_owned(),
            skips,
        });
    };
    let join = |encode: &dyn Fn(usize, &Written) -> Vec<u8>| -> Vec<u8> {
        records
            .iter()
            .enumerate()
            .flat_map(|(index, record)| encode(index, record))
            .collect()
    };
    let none = ReadOptions::default;
    write(
        "t.twr",
        TraceFormat::Twr,
        "TWR_TRACE",
        "",
        none(),
        twr_skips,
        join(&|_, r| twr_record(r, false)),
    );
    write(
        "t.twrns",
        TraceFormat::TwrNs,
        "TWRNS_TRACE",
        "",
        none(),
        twr_skips,
        join(&|_, r| twr_record(r, true)),
    );
    // libCacheSim aborts on an oracleSysTwrNS `get` of an empty value
    // ("find size 0 request"), so that file has none (wsim's unit test
    // covers its skipping them).
    let kept: Vec<&Written> = records
        .iter()
        .filter(|record| !(value_size(record) == 0 && matches!(record.op, 1 | 2)))
        .collect();
    let kept_next = wsim_traces::next_accesses(kept.iter().map(|record| record.request.id));
    write(
        "t.oracleSysTwrNS",
        TraceFormat::OracleSysTwrNs,
        "ORACLE_SYS_TWRNS_TRACE",
        "",
        none(),
        0,
        kept.iter()
            .zip(&kept_next)
            .flat_map(|(record, &next)| oracle_sys_twr_ns_record(record, next))
            .collect(),
    );
    for version in [1, 2] {
        write(
            &format!("v{version}.vscsi"),
            TraceFormat::Vscsi,
            "VSCSI_TRACE",
            "",
            none(),
            0,
            join(&|_, r| vscsi_record(r, version)),
        );
    }
    for (name, layout, lcs_params, big_endian) in [
        (
            "le.bin",
            "format=<xIQhIq,obj-id-col=2,obj-size-col=4,time-col=1,next-access-col=5",
            "binary_fmt_str=<bIQhIq,obj_id_field=3,obj_size_field=5,time_field=2,next_access_vtime_field=6",
            false,
        ),
        ("be.bin", "format=>QI,obj-id-col=1,obj-size-col=2", "", true),
    ] {
        let options = ReadOptions {
            binary: Some(layout.parse().unwrap()),
            ..ReadOptions::default()
        };
        // libCacheSim reads only little-endian layouts: the big-endian one
        // is checked against the little-endian reading of the same records.
        let kind = if big_endian { "" } else { "BIN_TRACE" };
        write(
            name,
            TraceFormat::Binary,
            kind,
            lcs_params,
            options,
            0,
            join(&|index, r| binary_record(r, next[index], big_endian)),
        );
    }
    // lcs: libCacheSim's converter writes every version from an
    // oracleGeneral file; and wsim writes version 1.
    let general = dir.join(format!("seed-{}-source.oracleGeneral.bin", shape.seed));
    let requests: Vec<Request> = records.iter().map(|record| record.request).collect();
    write_trace(&requests, &general, TraceFormat::OracleGeneral, |_| {}).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crosscheck/lcs_convert.py");
    for version in 1..=8 {
        let path = dir.join(format!("seed-{}-v{version}.lcs", shape.seed));
        let status = Command::new(python)
            .arg(&script)
            .arg(&general)
            .arg(&path)
            .arg(version.to_string())
            .stderr(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(
            status.success(),
            "lcs_convert.py failed for version {version}"
        );
        files.push(FormatFile {
            path,
            format: TraceFormat::Lcs,
            options: none(),
            kind: "LCS_TRACE",
            params: String::new(),
            skips: 0,
        });
    }
    let ours = dir.join(format!("seed-{}-wsim.lcs", shape.seed));
    write_trace(&requests, &ours, TraceFormat::Lcs, |_| {}).unwrap();
    files.push(FormatFile {
        path: ours,
        format: TraceFormat::Lcs,
        options: none(),
        kind: "LCS_TRACE",
        params: String::new(),
        skips: 0,
    });
    files
}
