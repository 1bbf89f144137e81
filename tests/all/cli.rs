//! The `wsim` binary end to end: what it prints, writes and refuses.

use std::fs;
use std::path::Path;
use std::process::Output;

use wsim::micro::{Config, TABLE_1, all_configs};
use wsim_backends::{Backend, Runs, Runtime};
use wsim_policies::PolicyKind;

use crate::support::{pair_module, traces_dir, wasmtime_only_module, wsim, wsim_fails};

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs wsim with `--json` added, expecting success; returns the records.
fn run_json(args: &[&str]) -> Vec<serde_json::Value> {
    let (output, records) = run_with_json(args);
    assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    records
}

/// Runs wsim with `--json` added, expecting failure; returns its output and
/// the records it still saved.
fn run_json_failing(args: &[&str]) -> (Output, Vec<serde_json::Value>) {
    let (output, records) = run_with_json(args);
    assert!(!output.status.success(), "{args:?}: {}", stdout(&output));
    (output, records)
}

fn run_with_json(args: &[&str]) -> (Output, Vec<serde_json::Value>) {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("out.json");
    let mut args = args.to_vec();
    args.extend(["--json", json.to_str().unwrap()]);
    let output = wsim(&args);
    let records: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
    (output, records.as_array().expect("a JSON array").clone())
}

const SMALL: &[&str] = &["run", "--requests", "20000", "--objects", "2000"];

fn small(more: &[&str]) -> Vec<String> {
    SMALL
        .iter()
        .chain(more)
        .map(|arg| (*arg).to_owned())
        .collect()
}

fn run_small(more: &[&str]) -> Output {
    let args = small(more);
    wsim(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn default_run_prints_the_table() {
    // The default run with a smaller trace: debug builds call guests slowly.
    let output = run_small(&[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let header = text
        .lines()
        .find(|line| line.starts_with("policy"))
        .expect("a table header");
    for column in [
        "backend",
        "lookup",
        "runtime",
        "cache size",
        "requests",
        "hit ratio",
        "byte hit ratio",
        "seconds",
        "M req/s",
        "x native",
    ] {
        assert!(header.contains(column), "no {column} in {header}");
    }
    // Five sizes, each under native, every core-module ABI (cached) on
    // every runtime built, and every Component Model backend on the runtime
    // hosting components: all counted from the registries.
    const SIZES: usize = 5;
    let runtimes = Runtime::built();
    let runs = |backend: Backend| match backend.runs() {
        Runs::Native => 1,
        Runs::Module => runtimes.len(),
        Runs::Component => usize::from(Runtime::hosting_components().is_some()),
    };
    let on = |runtime: Runtime| {
        Backend::built()
            .into_iter()
            .filter(|backend| match backend.runs() {
                Runs::Native => false,
                Runs::Module => true,
                Runs::Component => Runtime::hosting_components() == Some(runtime),
            })
            .count()
    };
    // The featured handful runs by default, named in the header; no other.
    let featured: Vec<&str> = PolicyKind::ALL
        .into_iter()
        .filter(|policy| policy.featured())
        .map(PolicyKind::name)
        .collect();
    assert!(
        text.contains(&format!("policies: {} (a handful", featured.join(", "))),
        "{text}"
    );
    for policy in PolicyKind::ALL.map(PolicyKind::name) {
        let rows: Vec<&str> = text
            .lines()
            .filter(|line| line.split_whitespace().next() == Some(policy))
            .collect();
        if !featured.contains(&policy) {
            assert!(rows.is_empty(), "{policy} runs by default:\n{text}");
            continue;
        }
        let rows: Vec<&str> = text
            .lines()
            .filter(|line| line.split_whitespace().next() == Some(policy))
            .collect();
        let per_size: usize = Backend::built().into_iter().map(runs).sum();
        assert_eq!(rows.len(), SIZES * per_size, "{policy}:\n{text}");
        for backend in Backend::built() {
            let count = rows
                .iter()
                .filter(|row| row.split_whitespace().nth(1) == Some(backend.name()))
                .count();
            assert_eq!(count, SIZES * runs(backend), "{policy} {backend}:\n{text}");
        }
        for &runtime in &runtimes {
            let count = rows
                .iter()
                .filter(|row| row.split_whitespace().nth(3) == Some(runtime.name()))
                .count();
            assert_eq!(count, SIZES * on(runtime), "{policy} on {runtime}:\n{text}");
        }
    }
    assert!(text.contains("20000"), "{text}");
}

#[test]
fn json_and_csv_carry_every_field() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("out.json");
    let csv = dir.path().join("out.csv");
    let output = run_small(&[
        "--policy",
        "lru,gdsize",
        "--size",
        "1MiB,4MiB",
        "--backend",
        "pair",
        "--lookup",
        "both",
        "--json",
        json.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let records: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
    let records = records.as_array().expect("a JSON array");
    // 2 policies x 2 sizes x (native, pair cached and uncached on every
    // runtime).
    let runtimes = Runtime::built();
    let per_group = 1 + 2 * runtimes.len();
    assert_eq!(records.len(), 2 * 2 * per_group);
    let fields = [
        "policy",
        "backend",
        "lookup",
        "runtime",
        "cache_size",
        "ignore_size",
        "requests",
        "hits",
        "bytes_requested",
        "bytes_hit",
        "evictions",
        "seconds",
        "slowdown_vs_native",
    ];
    for record in records {
        for field in fields {
            assert!(record.get(field).is_some(), "{field} missing from {record}");
        }
        assert_eq!(record["requests"], 20_000);
        if record["backend"] == "native" {
            assert!(record["lookup"].is_null() && record["slowdown_vs_native"].is_null());
        } else {
            assert_eq!(record["backend"], "pair");
            assert!(record["lookup"] == "cached" || record["lookup"] == "uncached");
            assert_eq!(record["compiler"], "cranelift");
            assert!(
                runtimes
                    .iter()
                    .any(|runtime| record["runtime"] == runtime.name()),
                "{record}"
            );
            assert!(record["slowdown_vs_native"].as_f64().unwrap() > 0.0);
        }
    }
    // Every backend of a (policy, size) agrees on every counter.
    for group in records.chunks(per_group) {
        for field in ["hits", "bytes_hit", "evictions", "objects", "bytes_held"] {
            for other in &group[1..] {
                assert_eq!(group[0][field], other[field], "{field}");
            }
        }
    }
    assert_eq!(records[0]["policy"], "lru");
    assert_eq!(records[per_group]["cache_size"], 4 << 20);
    let csv = fs::read_to_string(&csv).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    for field in fields {
        assert!(header.contains(&field), "{field} missing from CSV header");
    }
    assert_eq!(csv.lines().count(), 1 + records.len());
}

#[test]
fn a_module_of_your_own_runs_under_the_abis_it_exports() {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("my-lru.wasm");
    fs::write(
        &module,
        wsim_backends::guests::module_bytes(wsim_policies::PolicyKind::Lru),
    )
    .unwrap();
    let records = run_json(&[
        "run",
        "--requests",
        "5000",
        "--objects",
        "500",
        "--size",
        "64KiB",
        "--policy",
        "lru",
        "--wasm",
        module.to_str().unwrap(),
    ]);
    let native_hits = &records[0]["hits"];
    assert_eq!(records[0]["policy"], "lru");
    let mine: Vec<&serde_json::Value> =
        records.iter().filter(|r| r["policy"] == "my-lru").collect();
    let backends: Vec<&str> = mine
        .iter()
        .map(|r| r["backend"].as_str().unwrap())
        .collect();
    // Every core-module ABI on every runtime; plugins are core modules, so
    // no component backend.
    let expected: Vec<&str> = Backend::built()
        .into_iter()
        .filter(|backend| backend.runs() == Runs::Module)
        .flat_map(|backend| std::iter::repeat_n(backend.name(), Runtime::built().len()))
        .collect();
    assert_eq!(backends, expected);
    assert!(mine.iter().all(|r| r["hits"] == *native_hits));

    // A module that exports the Pair ABI alone runs under Pair alone, and
    // asking for another ABI names the export it lacks.
    let pair_only = dir.path().join("forgetful.wat");
    fs::write(&pair_only, pair_module("(i32.const 0)", "")).unwrap();
    let records = run_json(&[
        "run",
        "--requests",
        "2000",
        "--size",
        "1MiB",
        "--policy",
        "none",
        "--wasm",
        pair_only.to_str().unwrap(),
        // It caches nothing, which the audit refuses.
        "--no-audit",
    ]);
    // Pair on each runtime.
    assert_eq!(records.len(), Runtime::built().len(), "{records:?}");
    for record in &records {
        assert_eq!(
            (&record["backend"], &record["hits"]),
            (&"pair".into(), &0.into())
        );
    }
    let text = wsim_fails(&[
        "run",
        "--requests",
        "2000",
        "--size",
        "1MiB",
        "--wasm",
        pair_only.to_str().unwrap(),
        "--backend",
        "bincode",
    ]);
    assert!(
        text.contains("forgetful.wat: the bincode backend needs export `alloc`"),
        "{text}"
    );
}

#[test]
fn runs_a_trace_file_with_units_and_ignore_size() {
    let trace = traces_dir().join("cloudPhysicsIO.oracleGeneral.bin.zst");
    let trace = trace.to_str().unwrap();
    let args = [
        "run",
        "--trace",
        trace,
        "--policy",
        "lru",
        "--size",
        "500,2000",
        "--ignore-size",
        "--backend",
        "native",
    ];
    let records = run_json(&args);
    assert_eq!(records[0]["hits"], 18_474);
    assert_eq!(records[1]["hits"], 19_683);
    assert_eq!(records[0]["ignore_size"], true);
    assert!(stdout(&wsim(&args)).contains("500 obj"));
}

#[test]
fn csv_trace_with_named_columns() {
    let trace = traces_dir().join("cloudPhysicsIO.csv.zst");
    let output = wsim(&[
        "run",
        "--trace",
        trace.to_str().unwrap(),
        "--id-column",
        "lbn",
        "--policy",
        "fifo",
        "--size",
        "16MiB",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("16 MiB"));
    let text = wsim_fails(&[
        "run",
        "--trace",
        trace.to_str().unwrap(),
        "--policy",
        "fifo",
        "--size",
        "1MiB",
    ]);
    assert!(text.contains("--id-column"), "{text}");
}

#[test]
fn percentages_and_ranges_resolve_against_the_working_set() {
    let output = run_small(&["--policy", "fifo", "--size", "1%,1KiB..1MiB:3"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("working set:"), "{text}");
    assert!(
        text.contains("1 KiB") && text.contains("32 KiB") && text.contains("1 MiB"),
        "{text}"
    );
}

#[test]
fn gen_writes_a_trace_run_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.oracleGeneral.zst");
    let path = path.to_str().unwrap();
    let shape = ["--requests", "3000", "--objects", "300"];
    let output = wsim(&[&["gen", "--output", path][..], &shape].concat());
    assert!(output.status.success(), "{}", stderr(&output));
    let run = ["--policy", "lru", "--size", "64KiB"];
    let from_file = run_json(&[&["run", "--trace", path][..], &run].concat());
    let in_memory = run_json(&[&["run"][..], &shape, &run].concat());
    assert_eq!(from_file[0]["hits"], in_memory[0]["hits"]);
    assert_eq!(from_file[0]["bytes_hit"], in_memory[0]["bytes_hit"]);
}

#[test]
fn bad_values_are_refused_clearly() {
    let cases: &[(&[&str], &str)] = &[
        (&["--size", "0"], "at least 1"),
        (&["--size", "-4MiB"], "negative"),
        (&["--size", "4XB"], "unknown unit `XB`"),
        (&["--fuel", "0"], "at least 1"),
        (&["--fuel", "lots"], "not a fuel budget"),
        (&["--max-memory", "8GiB"], "4GiB"),
        (&["--max-memory", "1KiB"], "64KiB"),
        (&["--size", "1MiB..1GiB"], "point count"),
        (&["--policy", "mru"], "unknown policy `mru`"),
        (&["--policy", "s3fifo:small-size-ratio=0"], "out of range"),
        (
            &["--policy", "s3fifo:small-size-ratio=lots"],
            "small-size-ratio",
        ),
        (&["--policy", "lruk:depth=2"], "has no parameter `depth`"),
        (&["--policy", "lru:k=2"], "takes no parameters"),
        (&["--policy", "lruk:k=2:k=3"], "given twice"),
        (&["--alpha", "-1"], "alpha"),
        (&["--objects", "0"], "at least 1 object"),
        (&["--object-sizes", "fixed:0"], "at least 1 byte"),
    ];
    for (args, expected) in cases {
        let args: Vec<&str> = ["run", "--requests", "1000"]
            .iter()
            .chain(*args)
            .copied()
            .collect();
        let text = wsim_fails(&args);
        assert!(
            text.contains(expected),
            "{args:?}: {text:?} should contain {expected:?}"
        );
    }
    let text = wsim_fails(&["run", "--trace", "/nonexistent/trace.bin"]);
    assert!(
        text.contains("/nonexistent/trace.bin") && text.contains("No such file"),
        "{text}"
    );
    let text = wsim_fails(&["run", "--trace", "x.bin", "--alpha", "1"]);
    assert!(text.contains("cannot be used with"), "{text}");
    let text = wsim_fails(&["run", "--backend", "wasm3"]);
    assert!(text.contains("unknown backend `wasm3`"), "{text}");
    let singlepass = [
        "run",
        "--requests",
        "100",
        "--compiler",
        "singlepass",
        "--backend",
        "pair",
    ];
    if cfg!(feature = "singlepass") {
        let output = wsim(&singlepass);
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(stdout(&output).contains("on wasmer (singlepass)"));
    } else {
        let text = wsim_fails(&singlepass);
        assert!(text.contains("--features singlepass"), "{text}");
    }
    let text = wsim_fails(&["frobnicate"]);
    assert!(text.contains("unrecognized subcommand"), "{text}");
}

/// A runtime or backend this build leaves out is refused as the command
/// line is read, saying which feature brings it back.
#[test]
#[cfg_attr(
    all(feature = "wasmer", feature = "wasmtime"),
    ignore = "every runtime and backend is built: nothing to refuse"
)]
fn what_this_build_leaves_out_is_refused_with_the_feature_to_build() {
    let runtime = Runtime::ALL
        .into_iter()
        .find(|runtime| !runtime.is_built())
        .unwrap();
    let text = wsim_fails(&["run", "--runtime", runtime.name()]);
    assert!(
        text.contains(&format!("rebuild with `--features {runtime}`")),
        "{text}"
    );
    if let Some(backend) = Backend::ALL.into_iter().find(|backend| !backend.is_built()) {
        let text = wsim_fails(&["run", "--backend", backend.name()]);
        assert!(
            text.contains(&format!("leaves out the {backend} backend")),
            "{text}"
        );
    }
}

#[test]
fn bad_traces_name_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let malformed = write("bad.tr", b"1 2 3\n4 5 6\n7 oops 9\n");
    let columns = write("short.tr", b"1 10 100\n2 11\n");
    let csv = write("bad.csv", b"id,size\n1,100\n2,-5\n");
    let truncated = write("cut.oracleGeneral", &[0; 24 + 10]);
    let corrupt_zstd = write("bad.oracleGeneral.zst", b"\x28\xb5\x2f\xfd garbage garbage");
    // Neither the name nor the bytes (not text, not whole 24-byte records)
    // say the format.
    let unknown = write("trace.parquet", b"\xff\x00\x01");
    let empty = write("empty.tr", b"");
    let zeros = write("z.tr", b"1 1 0\n2 2 0\n");
    let missing = dir.path().join("nowhere.tr");
    let missing = missing.to_str().unwrap();
    let cases: &[(&str, &[&str])] = &[
        (&malformed, &["bad.tr:3: id `oops`"]),
        (&columns, &["short.tr:2:"]),
        (&csv, &["bad.csv:3:"]),
        (&truncated, &["cut.oracleGeneral", "byte 24", "truncated"]),
        (&corrupt_zstd, &["bad.oracleGeneral.zst"]),
        (&unknown, &["trace.parquet", "--format"]),
        (&empty, &["empty.tr", "no requests"]),
        (&zeros, &["z.tr", "all 2 had size 0"]),
        (missing, &["nowhere.tr", "No such file"]),
    ];
    for (trace, parts) in cases {
        let text = wsim_fails(&["run", "--trace", trace, "--size", "10"]);
        assert_eq!(text.lines().count(), 1, "one line: {text}");
        for part in *parts {
            assert!(
                text.contains(part),
                "{trace}: {text:?} should contain {part:?}"
            );
        }
    }
}

#[test]
fn results_are_written_even_when_a_run_wsim_fails() {
    // The trace breaks on its last line: no run completes, but the JSON file
    // is still written (empty) and the error names the line.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("late.tr");
    let mut text = String::new();
    for i in 0..10_000 {
        text.push_str(&format!("{i} {} 1\n", i % 97));
    }
    text.push_str("x\n");
    fs::write(&path, text).unwrap();
    let json = dir.path().join("out.json");
    let error = wsim_fails(&[
        "run",
        "--trace",
        path.to_str().unwrap(),
        "--size",
        "10",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert!(error.contains("late.tr:10001"), "{error}");
    assert!(Path::new(&json).exists());
}

#[test]
fn micro_measures_every_configuration_and_draws_them() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("micro.json");
    let plot = dir.path().join("figures/micro.svg");
    let output = wsim(&[
        "micro",
        "--calls",
        "300",
        "--reps",
        "3",
        "--json",
        json.to_str().unwrap(),
        "--plot",
        plot.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let runtimes: Vec<&str> = Runtime::built().into_iter().map(Runtime::name).collect();
    let host = Runtime::hosting_components().map(Runtime::name);
    for runtime in &runtimes {
        let line = format!("{runtime}: bare call");
        assert!(text.contains(&line), "{line} missing from {text}");
    }
    if let Some(host) = host {
        for line in [
            format!("Component Model ({host}): a call"),
            format!("Component Model lists ({host}):"),
        ] {
            assert!(text.contains(&line), "{line} missing from {text}");
        }
    }
    let rows: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
    let rows = rows.as_array().unwrap();
    // Native once; the component configurations on the runtime hosting
    // components; every other configuration on each runtime.
    let on = |config: Config| -> Vec<&str> {
        match config {
            Config::Native => vec![],
            config if config.is_component() => host.into_iter().collect(),
            _ => runtimes.clone(),
        }
    };
    let expected: usize = all_configs()
        .into_iter()
        .map(|config| on(config).len().max(usize::from(config == Config::Native)))
        .sum();
    assert_eq!(rows.len(), expected);
    for field in [
        "config",
        "runtime",
        "abi",
        "cached",
        "loading",
        "srs",
        "memory",
        "calls",
        "reps",
        "mean_ns",
        "median_ns",
        "stddev_ns",
        "ratio_to_native",
    ] {
        assert!(rows.iter().all(|row| row.get(field).is_some()), "{field}");
    }
    let tests: Vec<u64> = rows.iter().filter_map(|row| row["test"].as_u64()).collect();
    let table_1 = TABLE_1.len() as u64;
    assert_eq!(
        tests,
        (1..=table_1)
            .flat_map(|test| runtimes.iter().map(move |_| test))
            .collect::<Vec<_>>()
    );
    for config in all_configs() {
        if config == Config::Native {
            continue;
        }
        let found: Vec<&str> = rows
            .iter()
            .filter(|row| row["config"] == config.label())
            .map(|row| row["runtime"].as_str().unwrap())
            .collect();
        assert_eq!(found, on(config), "{}", config.label());
    }
    assert!(
        rows.iter()
            .all(|row| row["check"] == rows[0]["check"] && row["calls"] == 300)
    );
    assert_eq!(rows[0]["config"], "native");
    assert_eq!(rows[0]["ratio_to_native"], 1.0);
    let svg = fs::read_to_string(&plot).unwrap();
    assert!(svg.contains("time per call (ns)") && svg.contains("configuration"));
    assert!(svg.contains("bytemuck") && svg.contains("batch"));
}

#[test]
fn plot_draws_figures_9_and_10_with_labelled_axes() {
    let dir = tempfile::tempdir().unwrap();
    let figures = dir.path().join("figures");
    let output = run_small(&[
        "--size",
        "256KiB,1MiB",
        "--backend",
        "native,batch",
        "--plot",
        figures.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let hit = fs::read_to_string(figures.join("figure9-hit-ratio.svg")).unwrap();
    for text in [
        "Hit ratio against cache size",
        "synthetic trace",
        "cache size (bytes, log scale)",
        "byte hit ratio",
        "256 KiB",
        "gdsize",
    ] {
        assert!(hit.contains(text), "figure 9 lacks {text:?}");
    }
    let time = fs::read_to_string(figures.join("figure10-time-1MiB.svg")).unwrap();
    for text in [
        "Time per request at a 1 MiB cache",
        "time per request inside the cache (ns)",
        "batch cached",
        "native",
    ] {
        assert!(time.contains(text), "figure 10 lacks {text:?}");
    }
    assert!(figures.join("figure10-time-256KiB.svg").exists());
}

#[test]
fn no_timing_runs_in_parallel_and_reports_no_times() {
    let args = [
        "run",
        "--requests",
        "20000",
        "--objects",
        "2000",
        "--size",
        "64KiB,1MiB",
    ];
    let parallel = run_json(&[&args[..], &["--no-timing"]].concat());
    let timed = run_json(&[&args[..], &["--backend", "native"]].concat());
    // Every featured policy at both sizes, natively only by default.
    let featured = PolicyKind::ALL
        .into_iter()
        .filter(|policy| policy.featured())
        .count();
    assert_eq!(parallel.len(), featured * 2, "native only by default");
    for (untimed, timed) in parallel.iter().zip(&timed) {
        assert_eq!(untimed["policy"], timed["policy"]);
        assert_eq!(untimed["hits"], timed["hits"]);
        assert!(untimed["seconds"].is_null() && untimed["timed"] == false);
        assert!(timed["seconds"].as_f64().is_some() && timed["timed"] == true);
    }
    let output = wsim(&[&args[..], &["--no-timing", "--backend", "batch"]].concat());
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("in parallel"),
        "{}",
        stdout(&output)
    );
}

#[test]
#[cfg_attr(
    not(all(feature = "wasmer", feature = "wasmtime")),
    ignore = "needs both runtimes: the wasmer and wasmtime features"
)]
fn a_module_one_runtime_refuses_runs_on_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("typed.wat");
    fs::write(&module, wasmtime_only_module()).unwrap();
    let (output, records) = run_json_failing(&[
        "run",
        "--requests",
        "2000",
        "--size",
        "1MiB",
        "--policy",
        "fifo",
        "--backend",
        "pair",
        "--wasm",
        module.to_str().unwrap(),
        "--no-audit",
    ]);
    // The refusal fails the run and names the runtime; nothing else fails.
    let error = stderr(&output);
    assert!(
        error.contains(
            "loading typed.wat on wasmer failed: typed.wat: not a valid WebAssembly module"
        ),
        "{error}"
    );
    assert!(!error.contains("more failures"), "{error}");
    // The module ran on wasmtime, and FIFO on both.
    let runs: Vec<(&str, &str)> = records
        .iter()
        .filter(|r| r["backend"] == "pair")
        .map(|r| {
            (
                r["policy"].as_str().unwrap(),
                r["runtime"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        runs,
        [
            ("fifo", "wasmer"),
            ("fifo", "wasmtime"),
            ("typed", "wasmtime")
        ]
    );

    // On wasmer alone there is nothing of it to run: one plain failure.
    let text = wsim_fails(&[
        "run",
        "--requests",
        "2000",
        "--size",
        "1MiB",
        "--runtime",
        "wasmer",
        "--policy",
        "none",
        "--wasm",
        module.to_str().unwrap(),
    ]);
    assert!(
        text.contains("loading typed.wat failed: typed.wat: not a valid WebAssembly module"),
        "{text}"
    );
}

#[test]
fn plugins_that_cannot_be_told_apart_or_never_end_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("a")).unwrap();
    fs::create_dir(dir.path().join("b")).unwrap();
    let first = dir.path().join("a/mine.wat");
    let second = dir.path().join("b/mine.wat");
    fs::write(&first, pair_module("(i32.const 0)", "")).unwrap();
    fs::write(&second, pair_module("(i32.const 1)", "")).unwrap();
    let (output, records) = run_json_failing(&[
        "run",
        "--requests",
        "2000",
        "--size",
        "1MiB",
        "--runtime",
        Runtime::built()[0].name(),
        "--policy",
        "none",
        "--wasm",
        first.to_str().unwrap(),
        "--wasm",
        second.to_str().unwrap(),
        "--no-audit",
    ]);
    let error = stderr(&output);
    assert!(
        error.contains(
            "loading mine.wat failed: mine.wat: the run already has a policy named mine; \
             rename the file"
        ),
        "{error}"
    );
    // The first ran (it never hits); the second did not.
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0]["hits"], 0);

    // A "module" that never ends is refused at the size limit, not read
    // for ever.
    if Path::new("/dev/zero").exists() {
        let text = wsim_fails(&[
            "run",
            "--requests",
            "2000",
            "--policy",
            "none",
            "--wasm",
            "/dev/zero",
        ]);
        assert!(
            text.contains(
                "zero: the module is 33554433 bytes or more, above the limit of 33554432 bytes"
            ),
            "{text}"
        );
    }
}

/// Cached machine code runs outside the sandbox: a cache directory anyone
/// may write to is not used, and the run says so once.
#[cfg(unix)]
#[test]
fn a_module_cache_others_may_write_to_is_not_used() {
    use std::os::unix::fs::PermissionsExt;

    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    fs::create_dir(&cache).unwrap();
    fs::set_permissions(&cache, fs::Permissions::from_mode(0o777)).unwrap();
    let output = wsim(&[
        "run",
        "--requests",
        "2000",
        "--policy",
        "fifo,lru",
        "--backend",
        "pair",
        "--module-cache",
        cache.to_str().unwrap(),
    ]);
    let text = stdout(&output);
    assert!(output.status.success(), "{}", stderr(&output));
    let warnings: Vec<&str> = text
        .lines()
        .filter(|line| line.starts_with("warning: module cache not used"))
        .collect();
    assert_eq!(warnings.len(), 1, "{text}");
    assert!(
        warnings[0].contains("may be written by everyone (mode 777)"),
        "{text}"
    );
    assert!(text.contains("0 from the module cache"), "{text}");
    // Nothing was written there.
    assert_eq!(fs::read_dir(&cache).unwrap().count(), 0);
}

#[test]
fn a_failing_run_leaves_the_others_printed_and_written() {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("tripwire.wat");
    // Traps on its 1,000th request.
    let tripwire = pair_module(
        "(if (i64.eq (global.get $requests) (i64.const 1000)) (then unreachable)) (i32.const 0)",
        "",
    );
    fs::write(&module, tripwire).unwrap();
    let args = [
        "run",
        "--requests",
        "5000",
        "--objects",
        "500",
        "--size",
        "1MiB",
        "--policy",
        "lru",
        "--wasm",
        module.to_str().unwrap(),
    ];
    let (output, records) = run_json_failing(&args);
    let error = stderr(&output);
    assert!(!error.contains("panicked"), "{error}");
    // The plugin's first run, on the first runtime, is the one that fails.
    let first = format!(
        "tripwire {} cached on {} fuel 1000000000 1 MiB failed: tripwire.wat: export `access` trapped",
        Backend::built()
            .into_iter()
            .find(|backend| backend.runs() == Runs::Module)
            .unwrap(),
        Runtime::built()[0]
    );
    assert!(error.contains(&first), "{error}");
    assert!(
        stdout(&output).contains("lru     batch"),
        "{}",
        stdout(&output)
    );
    // LRU ran beside the module under every backend it has (native and the
    // core-module ones, on every runtime).
    let backends: Vec<&str> = records
        .iter()
        .map(|r| r["backend"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = Backend::built()
        .into_iter()
        .flat_map(|backend| {
            let runs = match backend.runs() {
                Runs::Module => Runtime::built().len(),
                Runs::Native => 1,
                Runs::Component => 0,
            };
            std::iter::repeat_n(backend.name(), runs)
        })
        .collect();
    assert_eq!(backends, expected);
}

/// `--policy all` runs every policy of the registry, and the hit-ratio
/// figure names each one (20 curves: a legend column of their own).
#[test]
fn policy_all_runs_every_policy_and_the_figure_names_each() {
    let dir = tempfile::tempdir().unwrap();
    let records = run_json(&[
        "run",
        "--requests",
        "5000",
        "--objects",
        "500",
        "--no-timing",
        "--policy",
        "all",
        "--size",
        "16KiB,256KiB",
        "--plot",
        dir.path().to_str().unwrap(),
    ]);
    let svg = fs::read_to_string(dir.path().join("figure9-hit-ratio.svg")).unwrap();
    for policy in PolicyKind::ALL.map(PolicyKind::name) {
        let runs = records
            .iter()
            .filter(|record| record["policy"] == policy)
            .count();
        assert_eq!(runs, 2, "{policy}");
        // plotters writes a text element's content on a line of its own.
        assert!(
            svg.contains(&format!("\n{policy}\n</text>")),
            "{policy} is not in the legend"
        );
    }
}

/// A policy's parameters reach it on every backend: the same hits natively
/// and in the guests, and other hits than at its defaults.
#[test]
fn policy_parameters_reach_every_backend() {
    let records = run_json(&[
        "run",
        "--requests",
        "20000",
        "--objects",
        "2000",
        "--size",
        "256KiB",
        "--no-timing",
        "--policy",
        "s3fifo,s3fifo:small-size-ratio=0.5:move-to-main-threshold=1",
        "--backend",
        "native,batch,pair,component",
    ]);
    let hits = |policy: &str| -> Vec<u64> {
        records
            .iter()
            .filter(|record| record["policy"] == policy)
            .map(|record| record["hits"].as_u64().unwrap())
            .collect()
    };
    let default = hits("s3fifo");
    let tuned = hits("s3fifo:small-size-ratio=0.5:move-to-main-threshold=1");
    assert!(
        default.len() >= 3 && tuned.len() == default.len(),
        "{records:?}"
    );
    assert!(default.iter().all(|&h| h == default[0]), "{default:?}");
    assert!(tuned.iter().all(|&h| h == tuned[0]), "{tuned:?}");
    assert_ne!(default[0], tuned[0], "the parameters changed nothing");
}
