//! The trace tools and replay options end to end: `wsim convert`, `wsim
//! analyze`, `--warmup`, `--num-req`, `--sample-ratio`, `--format auto`,
//! binary layouts, and the new formats' bad input.

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::{traces_dir, wsim, wsim_fails};

/// The CloudPhysics sample (zstd'd oracleGeneral): 113,872 requests.
fn sample() -> PathBuf {
    traces_dir().join("cloudPhysicsIO.oracleGeneral.bin.zst")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `wsim run` with `args`, natively, its JSON records.
fn records(args: &[&str]) -> Vec<serde_json::Value> {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("out.json");
    let mut all = vec!["run", "--backend", "native"];
    all.extend(args);
    all.extend(["--json", json.to_str().unwrap()]);
    let output = wsim(&all);
    assert!(output.status.success(), "{all:?}: {}", text(&output.stderr));
    let records: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
    records.as_array().unwrap().clone()
}

/// (requests, hits) of one native run.
fn counts(args: &[&str]) -> (u64, u64) {
    let records = records(args);
    assert_eq!(records.len(), 1, "{args:?}");
    let record = &records[0];
    (
        record["requests"].as_u64().unwrap(),
        record["hits"].as_u64().unwrap(),
    )
}

fn path(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn sampling_and_num_req_keep_what_libcachesim_keeps() {
    // libcachesim 0.3.5, LRU at 64 MiB on this trace, its reader given
    // `cap_at_n_req` and a spatial sampler (crosscheck/libcachesim_hits.py's
    // reader): (requests, hits).
    let trace = path(&sample()).to_owned();
    let run = |more: &[&str]| {
        let mut args = vec!["--trace", &trace, "--policy", "lru", "--size", "64MiB"];
        args.extend(more);
        counts(&args)
    };
    assert_eq!(run(&["--sample-ratio", "0.1"]), (10_948, 3_396));
    assert_eq!(run(&["--num-req", "50000"]), (50_000, 5_702));
    assert_eq!(
        run(&["--num-req", "50000", "--sample-ratio", "0.1"]),
        (4_907, 1_406)
    );
}

#[test]
fn a_warmup_serves_its_requests_but_counts_only_the_rest() {
    let trace = path(&sample()).to_owned();
    let base = [
        "--trace",
        &trace,
        "--policy",
        "lru,s3fifo",
        "--size",
        "16MiB",
    ];
    let run = |more: &[&str]| {
        let mut args = base.to_vec();
        args.extend(more);
        records(&args)
    };
    let whole = run(&[]);
    let warm = run(&["--num-req", "30000"]);
    let measured = run(&["--warmup", "30000"]);
    for ((whole, warm), measured) in whole.iter().zip(&warm).zip(&measured) {
        // The warm-up is the same prefix, served to the same cache: what the
        // whole run hits is what the prefix hits plus what is measured.
        let field = |record: &serde_json::Value, name: &str| record[name].as_u64().unwrap();
        assert_eq!(field(measured, "warmup_requests"), 30_000);
        assert_eq!(field(measured, "requests"), 113_872 - 30_000);
        for name in ["hits", "bytes_hit", "evictions"] {
            assert_eq!(
                field(whole, name),
                field(warm, name) + field(measured, name),
                "{name} of {}",
                whole["policy"]
            );
        }
        assert_eq!(field(whole, "objects"), field(measured, "objects"));
    }
    // A share of the replayed requests, rounded down.
    let share = run(&["--warmup", "10%"]);
    assert_eq!(share[0]["warmup_requests"], 11_387);
    let text = wsim_fails(&[
        "run", "--trace", &trace, "--policy", "lru", "--warmup", "200000",
    ]);
    assert!(text.contains("--warmup 200000 leaves no request"), "{text}");
    let text = wsim_fails(&["run", "--warmup", "100%"]);
    assert!(text.contains("[0%, 100%)"), "{text}");
}

#[test]
fn convert_writes_what_runs_and_libcachesim_read_alike() {
    let dir = tempfile::tempdir().unwrap();
    let lcs = dir.path().join("cp.lcs.zst");
    let output = wsim(&["convert", path(&sample()), path(&lcs)]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("113872 requests, 48974 objects"));
    let sampled = dir.path().join("cp.sampled.oracleGeneral");
    let output = wsim(&[
        "convert",
        path(&lcs),
        path(&sampled),
        "--sample-ratio",
        "0.1",
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let run = |trace: &Path, more: &[&str]| {
        let mut args = vec![
            "--trace",
            path(trace),
            "--policy",
            "lru,belady,belady-size",
            "--size",
            "64MiB",
        ];
        args.extend(more);
        records(&args)
            .iter()
            .map(|record| {
                (
                    record["requests"].as_u64().unwrap(),
                    record["hits"].as_u64().unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    // The lcs copy (its next accesses computed by convert) runs as the
    // original does, Belady included; the sampled copy as a sampled run,
    // whose next accesses count the requests replayed, not the file's.
    assert_eq!(run(&lcs, &[]), run(&sample(), &[]));
    assert_eq!(
        run(&sampled, &[]),
        run(&sample(), &["--sample-ratio", "0.1"])
    );
    let text = wsim_fails(&["convert", path(&sample()), "/nonexistent-dir/out.lcs"]);
    assert!(text.contains("nonexistent-dir"), "{text}");
    let text = wsim_fails(&[
        "convert",
        path(&sample()),
        path(&dir.path().join("out.unknown")),
    ]);
    assert!(text.contains("--to"), "{text}");
}

#[test]
fn analyze_reports_the_trace_as_libcachesim_does() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("analysis.json");
    let plots = dir.path().join("figures");
    let output = wsim(&[
        "analyze",
        path(&sample()),
        "--json",
        path(&json),
        "--plot",
        path(&plots),
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let analysis: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
    // libCacheSim's TraceAnalyzer on this trace: 113,872 requests, 48,974
    // objects, 4,368,040,448 bytes, 2,029,769,728 unique bytes, 21,049
    // one-hit wonders, Zipf alpha 0.5464, 7,200 seconds.
    assert_eq!(analysis["requests"], 113_872);
    assert_eq!(analysis["objects"], 48_974);
    assert_eq!(analysis["bytes_requested"], 4_368_040_448u64);
    assert_eq!(analysis["working_set_bytes"], 2_029_769_728u64);
    let ratio = analysis["one_hit_wonder_ratio"].as_f64().unwrap();
    assert!((ratio - 21_049.0 / 48_974.0).abs() < 1e-12, "{ratio}");
    let alpha = analysis["zipf"]["alpha"].as_f64().unwrap();
    assert!((alpha - 0.5464).abs() < 5e-5, "{alpha}");
    assert_eq!(analysis["time_span"]["span"], 7_200);
    for figure in ["popularity.svg", "reuse-distance.svg"] {
        let svg = fs::read_to_string(plots.join(figure)).unwrap();
        assert!(
            svg.contains("log scale"),
            "{figure} has no labelled log axis"
        );
    }
}

#[test]
fn formats_are_detected_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let lcs = dir.path().join("cp.lcs");
    assert!(
        wsim(&["convert", path(&sample()), path(&lcs)])
            .status
            .success()
    );
    // An lcs file under a name that says nothing, or says oracleGeneral.
    for name in ["trace", "trace.zst"] {
        let renamed = dir.path().join(name);
        fs::copy(&lcs, &renamed).unwrap();
        let output = wsim(&[
            "run",
            "--trace",
            path(&renamed),
            "--policy",
            "lru",
            "--size",
            "64MiB",
            "--backend",
            "native",
        ]);
        assert!(output.status.success(), "{}", text(&output.stderr));
        assert!(
            text(&output.stderr).contains("reading it as lcs (guessed from its lcs magic number")
        );
        assert!(text(&output.stdout).contains("(lcs)"));
    }
}

#[test]
fn binary_layouts_open_any_fixed_record_trace() {
    let dir = tempfile::tempdir().unwrap();
    // `<xQH`: a pad byte, an id, a 16-bit size; ids 5, 6, 5, 7, 5.
    let mut bytes = Vec::new();
    for (id, size) in [(5u64, 100u16), (6, 200), (5, 100), (7, 300), (5, 100)] {
        bytes.push(0xaa);
        bytes.extend(id.to_le_bytes());
        bytes.extend(size.to_le_bytes());
    }
    let trace = dir.path().join("t.records");
    fs::write(&trace, &bytes).unwrap();
    let layout = "format=<xQH,obj-id-col=1,obj-size-col=2";
    let args = [
        "--trace",
        path(&trace),
        "--format",
        "binary",
        "--trace-params",
        layout,
        "--policy",
        "lru",
        "--size",
        "1000",
    ];
    assert_eq!(counts(&args), (5, 2));
    // A layout alone says the format.
    assert_eq!(counts(&[&args[..2], &args[4..]].concat()), (5, 2));
    let text = wsim_fails(&[
        "run",
        "--trace",
        path(&trace),
        "--format",
        "csv",
        "--trace-params",
        layout,
    ]);
    assert!(text.contains("--format is csv"), "{text}");
    for (params, expected) in [
        ("format=<xQH", "obj-id-col"),
        ("format=<xQZ,obj-id-col=1", "unknown code `Z`"),
        ("format=xQH,obj-id-col=1", "byte order"),
        ("format=<xQH,obj-id-col=3", "has 2 fields"),
        (
            "format=<xQH,obj-id-col=1,colour=red",
            "unknown key `colour`",
        ),
    ] {
        let text = wsim_fails(&[
            "run",
            "--trace",
            path(&trace),
            "--format",
            "binary",
            "--trace-params",
            params,
        ]);
        assert!(text.contains(expected), "{params}: {text}");
    }
    let text = wsim_fails(&["run", "--trace", path(&trace), "--format", "binary"]);
    assert!(text.contains("--trace-params"), "{text}");
    // 5 records of 11 bytes, read as 12-byte records: cut short at byte 48.
    let text = wsim_fails(&[
        "run",
        "--trace",
        path(&trace),
        "--format",
        "binary",
        "--trace-params",
        "format=<xxQH,obj-id-col=1",
    ]);
    assert!(text.contains("truncated record at byte 48"), "{text}");
}

#[test]
fn broken_lcs_and_vscsi_files_are_named_with_their_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let lcs = dir.path().join("cp.lcs");
    assert!(
        wsim(&["convert", path(&sample()), path(&lcs)])
            .status
            .success()
    );
    let good = fs::read(&lcs).unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let file = dir.path().join(name);
        fs::write(&file, bytes).unwrap();
        file
    };
    let mut bad_magic = good.clone();
    bad_magic[0] ^= 1;
    let mut bad_version = good.clone();
    bad_version[8] = 9;
    let mut negative = good[..8192].to_vec();
    negative[8] = 3; // version 3: a 64-bit signed size at offset 12
    negative.extend([0; 12]);
    negative.extend((-4i64).to_le_bytes());
    negative.extend([0; 16]);
    let cases: Vec<(PathBuf, &[&str])> = vec![
        (
            write("magic.lcs", &bad_magic),
            &["magic.lcs", "at byte 0", "start magic"],
        ),
        (
            write("version.lcs", &bad_version),
            &["version.lcs", "at byte 8", "unknown lcs version 9"],
        ),
        (
            write("short.lcs", &good[..100]),
            &["short.lcs", "fewer than the 8192-byte header"],
        ),
        (
            write("cut.lcs", &good[..8192 + 24 * 3 + 5]),
            &["cut.lcs", "truncated record at byte 8264"],
        ),
        (
            write("negative.lcs", &negative),
            &["negative.lcs", "at byte 8192", "negative"],
        ),
        (
            write("t.vscsi", &[0; 40]),
            &["t.vscsi", "too short for a vscsi trace"],
        ),
        (
            write("u.vscsi", &[0; 100]),
            &["u.vscsi", "neither version 1 nor version 2"],
        ),
        (
            write("t.twr", &[1; 30]),
            &["t.twr", "truncated record at byte 20"],
        ),
    ];
    for (trace, parts) in cases {
        let text = wsim_fails(&["run", "--trace", path(&trace), "--size", "10"]);
        assert_eq!(text.lines().count(), 1, "one line: {text}");
        for part in parts {
            assert!(
                text.contains(part),
                "{}: {text:?} should contain {part:?}",
                trace.display()
            );
        }
    }
}
