//! `wsim mrc` end to end: the exact curve against `wsim run`'s full LRU
//! simulations, every trace format, minisim on a `--wasm` module against the
//! same policy built in, `--compare`, and bad input.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::support::{pair_module, wsim, wsim_fails};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs wsim with `--json` into a temporary file: (success, stdout, stderr,
/// the records).
fn with_json(args: &[&str]) -> (bool, String, String, Vec<serde_json::Value>) {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("out.json");
    let mut all = args.to_vec();
    all.extend(["--json", json.to_str().unwrap()]);
    let output = wsim(&all);
    let records = fs::read_to_string(&json).map_or_else(
        |_| Vec::new(),
        |written| {
            serde_json::from_str::<serde_json::Value>(&written)
                .unwrap()
                .as_array()
                .unwrap()
                .clone()
        },
    );
    (
        output.status.success(),
        text(&output.stdout),
        text(&output.stderr),
        records,
    )
}

fn mrc(args: &[&str]) -> (String, Vec<serde_json::Value>) {
    let mut all = vec!["mrc"];
    all.extend(args);
    let (success, stdout, stderr, records) = with_json(&all);
    assert!(success, "{all:?}: {stderr}");
    (stdout, records)
}

/// One curve of `records`: cache size to (miss ratio, byte miss ratio).
fn curve(
    records: &[serde_json::Value],
    method: &str,
    policy: &str,
    backend: &str,
) -> BTreeMap<u64, (f64, f64)> {
    records
        .iter()
        .filter(|record| {
            record["method"] == method && record["policy"] == policy && record["backend"] == backend
        })
        .map(|record| {
            (
                record["cache_size"].as_u64().unwrap(),
                (
                    record["miss_ratio"].as_f64().unwrap(),
                    record["byte_miss_ratio"].as_f64().unwrap(),
                ),
            )
        })
        .collect()
}

const TRACE: [&str; 6] = ["--requests", "20000", "--objects", "2000", "--seed", "5"];

#[test]
fn the_exact_curve_is_lru_simulated_at_every_size() {
    let sizes = "1,2,3,5,8,13,21,34,55,89,144,233,377,610,987,1597,2000";
    let (_, records) = mrc(&[&TRACE[..], &["--ignore-size", "--size", sizes]].concat());
    let exact = curve(&records, "exact", "lru", "native");
    assert_eq!(exact.len(), 17, "{records:?}");
    for record in &records {
        for field in [
            "method",
            "policy",
            "backend",
            "cache_size",
            "miss_ratio",
            "byte_miss_ratio",
            "sample_rate",
        ] {
            assert!(!record[field].is_null(), "{field} missing: {record}");
        }
        assert_eq!(record["sample_rate"], 1.0);
    }
    let (success, _, stderr, runs) = with_json(
        &[
            &["run", "--policy", "lru", "--no-timing", "--ignore-size"][..],
            &TRACE[..],
            &["--size", sizes],
        ]
        .concat(),
    );
    assert!(success, "{stderr}");
    for run in &runs {
        let size = run["cache_size"].as_u64().unwrap();
        let requests = run["requests"].as_u64().unwrap() as f64;
        let misses = requests - run["hits"].as_u64().unwrap() as f64;
        // The same count of misses: the ratio of the same two integers.
        assert!(
            (exact[&size].0 - misses / requests).abs() < 1e-12,
            "size {size}: exact {:?}, LRU misses {misses} of {requests}",
            exact[&size]
        );
    }
}

#[test]
fn every_method_reads_every_format_alike() {
    // One synthetic trace written in the formats that keep ids and sizes,
    // each curve the same whatever the format.
    let dir = tempfile::tempdir().unwrap();
    let mut curves = Vec::new();
    for name in [
        "t.oracleGeneral",
        "t.lcs",
        "t.csv",
        "t.tr",
        "t.oracleGeneral.zst",
    ] {
        let path = dir.path().join(name);
        let path = path.to_str().unwrap();
        let output = wsim(&[&["gen", "--output", path][..], &TRACE[..]].concat());
        assert!(output.status.success(), "{name}: {}", text(&output.stderr));
        let (_, records) = mrc(&[
            "--trace",
            path,
            "--method",
            "exact,shards,minisim",
            "--rate",
            "0.5",
            "--policy",
            "s3fifo",
            "--size",
            "64KiB,1MiB,4MiB",
        ]);
        let methods: Vec<BTreeMap<u64, (f64, f64)>> =
            [("exact", "lru"), ("shards", "lru"), ("minisim", "s3fifo")]
                .iter()
                .map(|(method, policy)| curve(&records, method, policy, "native"))
                .collect();
        assert!(
            methods.iter().all(|points| points.len() == 3),
            "{name}: {records:?}"
        );
        curves.push((name, methods));
    }
    for (name, methods) in &curves[1..] {
        assert_eq!(methods, &curves[0].1, "{name} against {}", curves[0].0);
    }
}

/// The ARC guest, written out as a module of the user's.
fn arc_module(dir: &Path) -> String {
    let path = dir.join("my-arc.wasm");
    fs::write(
        &path,
        wsim_backends::guests::module_bytes(wsim_policies::PolicyKind::Arc),
    )
    .unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn minisim_draws_a_plugins_curve_as_the_policy_built_in() {
    let dir = tempfile::tempdir().unwrap();
    let module = arc_module(dir.path());
    let (stdout, records) = mrc(&[
        &TRACE[..],
        &[
            "--method",
            "minisim",
            "--rate",
            "0.25",
            "--policy",
            "arc",
            "--wasm",
            &module,
            "--compare",
        ],
    ]
    .concat());
    let native = curve(&records, "minisim", "arc", "native");
    let backend = records
        .iter()
        .find(|record| record["policy"] == "my-arc")
        .map(|record| record["backend"].as_str().unwrap().to_owned())
        .unwrap();
    assert!(backend.starts_with("batch on "), "{backend}");
    let plugin = curve(&records, "minisim", "my-arc", &backend);
    assert_eq!(native.len(), 20, "the default grid: {records:?}");
    assert_eq!(plugin, native);
    // A spatial sample: not the whole trace's curve.
    assert!(
        records.iter().all(|record| record["method"] != "minisim"
            || record["sample_rate"].as_f64().unwrap() == 0.25)
    );
    let full = curve(&records, "simulation", "arc", "native");
    assert_eq!(full, curve(&records, "simulation", "my-arc", &backend));
    assert_eq!(full.len(), 5, "{stdout}");
    assert!(stdout.contains("mean absolute error"), "{stdout}");
    assert!(stdout.contains("minisim my-arc (batch on"), "{stdout}");
}

#[test]
fn compare_finds_no_error_in_the_exact_curve() {
    let (stdout, records) = mrc(&[
        &TRACE[..],
        &[
            "--ignore-size",
            "--method",
            "exact,shards",
            "--rate",
            "0.1",
            "--compare",
        ],
    ]
    .concat());
    let line = stdout
        .lines()
        .find(|line| line.trim_start().starts_with("exact lru"))
        .unwrap();
    assert!(line.contains(" 0.0000 (worst 0.0000)"), "{stdout}");
    assert!(
        stdout.contains("exact cost ") && stdout.contains("LRU simulations ("),
        "{stdout}"
    );
    let exact = curve(&records, "exact", "lru", "native");
    let full = curve(&records, "simulation", "lru", "native");
    for (size, point) in &full {
        assert_eq!(exact[size].0, point.0, "size {size}");
    }
}

#[test]
fn fixed_size_shards_lowers_its_rate_to_keep_at_most_k_objects() {
    let (_, records) = mrc(&[
        &TRACE[..],
        &[
            "--ignore-size",
            "--method",
            "exact,shards",
            "--max-objects",
            "100",
        ],
    ]
    .concat());
    let rate = records
        .iter()
        .find(|record| record["method"] == "shards")
        .map(|record| record["sample_rate"].as_f64().unwrap())
        .unwrap();
    // About 1,950 objects in all: at most 100 of them sampled.
    assert!(rate > 0.0 && rate < 0.1, "rate {rate}");
    let exact = curve(&records, "exact", "lru", "native");
    let sampled = curve(&records, "shards", "lru", "native");
    assert_eq!(exact.len(), sampled.len());
    let error: f64 = exact
        .iter()
        .map(|(size, point)| (point.0 - sampled[size].0).abs())
        .sum::<f64>()
        / exact.len() as f64;
    assert!(error < 0.1, "mean absolute error {error}");
}

#[test]
fn a_plugin_that_traps_fails_its_curve_and_the_rest_are_still_written() {
    let dir = tempfile::tempdir().unwrap();
    let trap = dir.path().join("trap.wat");
    fs::write(&trap, pair_module("(unreachable)", "")).unwrap();
    let (success, _, stderr, records) = with_json(
        &[
            &["mrc"][..],
            &TRACE[..],
            &[
                "--method",
                "exact,minisim",
                "--policy",
                "lru",
                "--wasm",
                trap.to_str().unwrap(),
            ],
        ]
        .concat(),
    );
    assert!(!success);
    assert!(
        stderr.contains("trap") && !stderr.contains("panicked"),
        "{stderr}"
    );
    assert_eq!(curve(&records, "exact", "lru", "native").len(), 20);
    assert_eq!(curve(&records, "minisim", "lru", "native").len(), 20);
    assert!(records.iter().all(|record| record["policy"] != "trap"));
}

#[test]
fn a_module_that_cannot_load_keeps_the_curves_already_made() {
    let (success, _, stderr, records) = with_json(
        &[
            &["mrc"][..],
            &TRACE[..],
            &[
                "--method",
                "exact,minisim",
                "--wasm",
                "/no/such/module.wasm",
            ],
        ]
        .concat(),
    );
    assert!(!success);
    assert!(stderr.contains("/no/such/module.wasm"), "{stderr}");
    assert_eq!(curve(&records, "exact", "lru", "native").len(), 20);
}

#[test]
fn sizes_come_out_ascending_and_each_method_once() {
    let (_, records) = mrc(&[
        &TRACE[..],
        &[
            "--ignore-size",
            "--method",
            "exact,shards,exact",
            "--size",
            "1000,50,500,50",
        ],
    ]
    .concat());
    for method in ["exact", "shards"] {
        let sizes: Vec<u64> = records
            .iter()
            .filter(|record| record["method"] == method)
            .map(|record| record["cache_size"].as_u64().unwrap())
            .collect();
        assert_eq!(sizes, [50, 500, 1000], "{method}");
    }
    // Counting objects, bytes are requests: SHARDS' two ratios agree.
    for record in &records {
        let (miss, byte_miss) = (
            record["miss_ratio"].as_f64().unwrap(),
            record["byte_miss_ratio"].as_f64().unwrap(),
        );
        assert!((miss - byte_miss).abs() < 1e-9, "{record}");
    }
}

#[test]
fn bad_values_are_refused_with_a_reason() {
    for (args, expected) in [
        (&["mrc", "--rate", "0"][..], "a rate lies in (0, 1]"),
        (&["mrc", "--rate", "1.5"], "a rate lies in (0, 1]"),
        (&["mrc", "--method", "guess"], "guess"),
        (&["mrc", "--max-objects", "0"], "max-objects"),
        (
            &["mrc", "--method", "minisim", "--sample-ratio", "0.1"],
            "give minisim's rate as --rate",
        ),
        (
            &["mrc", "--trace", "/no/such/trace.oracleGeneral"],
            "/no/such/trace",
        ),
        (&["mrc", "--size", "0"], "--size"),
        (
            &["mrc", "--method", "exact", "--policy", "arc"],
            "add --method minisim",
        ),
        (
            &["mrc", "--method", "shards", "--rate", "1e-9"],
            "took none of the",
        ),
    ] {
        let stderr = wsim_fails(args);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}
