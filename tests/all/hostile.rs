//! Hostile plugins: for each, `wsim` exits non-zero with one
//! line naming the module, the export and the cause; no Rust panic, no hang.
//! The other policies of the run still print and write their results.

use std::fs;
use std::path::Path;

use wsim_backends::Runtime;

use crate::support::{fixture, pair_module, wsim, wsim_fails};

/// The names of the runtimes this build has.
fn runtimes() -> Vec<&'static str> {
    Runtime::built().into_iter().map(Runtime::name).collect()
}

/// Runs wsim expecting a clean failure with exactly one line on stderr,
/// `wsim: error: ...`. Returns that line.
fn one_line_error(args: &[&str]) -> String {
    let stderr = wsim_fails(args);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{args:?}: not one line:\n{stderr}");
    assert!(lines[0].starts_with("wsim: error: "), "{stderr}");
    // Shown with `--nocapture`: what a user would read.
    println!("{}", lines[0]);
    lines[0].to_owned()
}

/// Runs the module at `path` alone on a small trace; returns the error line.
fn run_plugin(path: &Path, more: &[&str]) -> String {
    one_line_error(&plugin_args(path, more))
}

/// The arguments of `run_plugin`'s run.
fn plugin_args<'a>(path: &'a Path, more: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "run",
        "--requests",
        "3000",
        "--objects",
        "300",
        "--size",
        "1MiB",
        "--policy",
        "none",
        "--wasm",
        path.to_str().unwrap(),
    ];
    args.extend(more);
    args
}

fn assert_mentions(line: &str, parts: &[&str]) {
    for part in parts {
        assert!(line.contains(part), "`{part}` missing from: {line}");
    }
}

#[test]
fn an_endless_loop_runs_out_of_the_default_fuel() {
    let (_dir, path) = fixture(
        "spin.wat",
        pair_module("(loop br 0) (i32.const 0)", "").as_bytes(),
    );
    let line = run_plugin(&path, &[]);
    assert_mentions(
        &line,
        &[
            "spin.wat: export `access` ran out of fuel",
            "1000000000 points",
        ],
    );
}

#[test]
fn fuel_given_on_the_command_line_is_the_budget() {
    let (_dir, path) = fixture(
        "spin.wat",
        pair_module("(loop br 0) (i32.const 0)", "").as_bytes(),
    );
    let line = run_plugin(&path, &["--fuel", "5000"]);
    assert_mentions(
        &line,
        &["spin.wat: export `access` ran out of fuel", "5000 points"],
    );
    // A built-in policy given too little fuel fails alike, naming it.
    let line = one_line_error(&[
        "run",
        "--requests",
        "3000",
        "--size",
        "1MiB",
        "--policy",
        "lru",
        "--backend",
        "batch",
        "--fuel",
        "100",
    ]);
    assert_mentions(
        &line,
        &["lru.wasm: export `", "ran out of fuel", "100 points"],
    );
}

#[test]
fn unbounded_memory_growth_stops_at_the_cap() {
    // Grows a page at a time until memory.grow fails, then gives up.
    let grow = "(block $full (loop $more \
                  (br_if $full (i32.eq (memory.grow (i32.const 1)) (i32.const -1))) \
                  (br $more))) \
                unreachable";
    let (_dir, path) = fixture("hog.wat", pair_module(grow, "").as_bytes());
    let line = run_plugin(&path, &["--max-memory", "16MiB"]);
    assert_mentions(
        &line,
        &[
            "hog.wat: export `access` trapped",
            "unreachable",
            "its memory stands at the cap of 16777216 bytes",
        ],
    );
    // Growing forever, ignoring failure, ends on fuel instead.
    let (_dir, path) = fixture(
        "greedy.wat",
        pair_module(
            "(loop (drop (memory.grow (i32.const 1))) (br 0)) (i32.const 0)",
            "",
        )
        .as_bytes(),
    );
    let line = run_plugin(&path, &["--max-memory", "16MiB", "--fuel", "1000000"]);
    assert_mentions(&line, &["greedy.wat: export `access` ran out of fuel"]);
}

#[test]
fn a_memory_larger_than_the_cap_at_start_does_not_instantiate() {
    let module = pair_module("(i32.const 0)", "").replace(
        r#"(memory (export "memory") 1)"#,
        r#"(memory (export "memory") 300)"#,
    );
    let (_dir, path) = fixture("big.wat", module.as_bytes());
    let line = run_plugin(&path, &["--max-memory", "16MiB"]);
    assert_mentions(
        &line,
        &["big.wat: cannot instantiate", "300 pages", "256 pages"],
    );
}

#[test]
fn pointers_outside_guest_memory_are_refused() {
    // `stats` hands back an address 2 GiB into a 64 KiB memory (a negative
    // one would be a status, per the ABI).
    let module = pair_module("(i32.const 0)", "").replace(
        "(i64.store (i32.const 16) (global.get $bytes))\n    (i32.const 0))",
        "(i64.store (i32.const 16) (global.get $bytes))\n    (i32.const 0x7ffffff0))",
    );
    let (_dir, path) = fixture("liar.wat", module.as_bytes());
    let line = run_plugin(&path, &[]);
    assert_mentions(
        &line,
        &[
            "liar.wat: the stats record `stats` points to",
            "outside the guest's 65536 bytes",
        ],
    );

    // Bytemuck's `buffer` points past memory's end.
    let bytemuck = r#"
  (func (export "buffer") (result i64) (i64.const 0x0000100000FFFFF0))
  (func (export "access_bytemuck") (result i32) (i32.const 0))"#;
    let (_dir, path) = fixture(
        "farbuffer.wat",
        pair_module("(i32.const 0)", bytemuck).as_bytes(),
    );
    let line = run_plugin(&path, &["--backend", "bytemuck"]);
    assert_mentions(
        &line,
        &["farbuffer.wat:", "`buffer`", "outside the guest's"],
    );
}

#[test]
fn traps_name_the_export_and_the_trap() {
    for (name, body, cause) in [
        ("abort.wat", "unreachable", "unreachable"),
        (
            "divide.wat",
            "(i32.div_s (i32.const 1) (i32.wrap_i64 (i64.sub (local.get $id) (local.get $id))))",
            "integer divide by zero",
        ),
        (
            "recurse.wat",
            "(call $deeper (i32.const 0))",
            "call stack exhausted",
        ),
    ] {
        let extra = "(func $deeper (param i32) (result i32) \
                       (call $deeper (i32.add (local.get 0) (i32.const 1))))";
        let (_dir, path) = fixture(name, pair_module(body, extra).as_bytes());
        let line = run_plugin(&path, &[]);
        assert_mentions(&line, &[&format!("{name}: export `access` trapped"), cause]);
    }
}

#[test]
fn a_panic_in_rust_guest_code_is_reported_with_its_message() {
    let (_dir, path) = fixture("panicky.wasm", wsim_backends::guests::panicky_bytes());
    let line = run_plugin(&path, &["--backend", "pair"]);
    assert_mentions(
        &line,
        &[
            "panicky.wasm: export `access` panicked",
            "panicky: deliberate panic on admission 1000",
            // The guest names its source within the repository, never
            // where it was built.
            "(at wsim/backends/guests/panicky.rs:",
        ],
    );
    // Batch reaches the same panic through its own export.
    let line = run_plugin(&path, &["--backend", "batch"]);
    assert_mentions(
        &line,
        &[
            "panicky.wasm: export `access_batch` panicked",
            "admission 1000",
        ],
    );
}

#[test]
fn missing_and_mistyped_exports_are_named() {
    let no_stats = pair_module("(i32.const 0)", "")
        .replace("(func (export \"stats\")", "(func (export \"statistics\")");
    let (_dir, path) = fixture("nostats.wat", no_stats.as_bytes());
    let line = run_plugin(&path, &[]);
    assert_mentions(&line, &["nostats.wat:", "`stats`"]);

    let mistyped = pair_module("(i32.const 0)", "").replace(
        "(func (export \"access\") (param $id i64) (param $size i64) (result i32)",
        "(func (export \"access\") (param $id i64) (param $size i64) (result i64)",
    );
    let mistyped = mistyped.replace(
        "(local.get $size)))\n    (i32.const 0))",
        "(local.get $size)))\n    (i64.const 0))",
    );
    let (_dir, path) = fixture("mistyped.wat", mistyped.as_bytes());
    // Every runtime spells the types alike.
    for runtime in runtimes() {
        let line = run_plugin(&path, &["--runtime", runtime]);
        assert_mentions(
            &line,
            &[
                "mistyped.wat: export `access` has type [I64, I64] -> [I64], \
                 expected [I64, I64] -> [I32]",
            ],
        );
    }

    let no_memory =
        pair_module("(i32.const 0)", "").replace(r#"(memory (export "memory") 1)"#, "(memory 1)");
    let (_dir, path) = fixture("nomemory.wat", no_memory.as_bytes());
    let line = run_plugin(&path, &[]);
    assert_mentions(&line, &["nomemory.wat: missing export `memory`"]);
}

#[test]
fn a_failing_init_and_a_wrong_abi_version_are_named() {
    let failing = pair_module("(i32.const 0)", "").replace(
        "(func (export \"init\") (param i64) (result i32) (i32.const 0))",
        "(func (export \"init\") (param i64) (result i32) (i32.const 7))",
    );
    let (_dir, path) = fixture("badinit.wat", failing.as_bytes());
    let line = run_plugin(&path, &[]);
    assert_mentions(&line, &["badinit.wat: export `init` returned 7"]);

    let future = pair_module("(i32.const 0)", "").replace(
        "(func (export \"abi_version\") (result i32) (i32.const 1))",
        "(func (export \"abi_version\") (result i32) (i32.const 4))",
    );
    let (_dir, path) = fixture("future.wat", future.as_bytes());
    let line = run_plugin(&path, &[]);
    assert_mentions(
        &line,
        &["future.wat: export `abi_version` says ABI version 4"],
    );
}

#[test]
fn modules_that_are_not_wasm_import_things_or_are_too_large_are_refused() {
    let (_dir, path) = fixture("notes.wasm", b"these are not the bytes you are looking for");
    let line = run_plugin(&path, &[]);
    assert_mentions(
        &line,
        &[
            "notes.wasm: not a valid WebAssembly module",
            "expected `(` (at line 1, column 1, at `these`)",
        ],
    );

    // A slip in WebAssembly text: the error names the place and the token.
    let typo = pair_module("(i32.const 0)", "").replace("(i32.const 1))", "(i32.konst 1))");
    let (_dir, path) = fixture("typo.wat", typo.as_bytes());
    let line = run_plugin(&path, &[]);
    assert_mentions(
        &line,
        &[
            "typo.wat: not a valid WebAssembly module",
            ", at `i32.konst`)",
        ],
    );

    let importer = pair_module("(i32.const 0)", "").replace(
        "(module\n",
        "(module\n  (import \"env\" \"host_secret\" (func (result i32)))\n",
    );
    let (_dir, path) = fixture("importer.wat", importer.as_bytes());
    let line = run_plugin(&path, &[]);
    assert_mentions(
        &line,
        &[
            "loading importer.wat failed",
            "importer.wat: imports env.host_secret; wsim gives guests no imports",
        ],
    );

    // A 40 MiB file (sparse: nothing is written) is refused before it is read.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.wasm");
    fs::File::create(&path).unwrap().set_len(40 << 20).unwrap();
    let line = run_plugin(&path, &[]);
    assert_mentions(
        &line,
        &["huge.wasm: the module is 41943040 bytes, above the limit of 33554432"],
    );
    // The limit is the user's to set.
    let (_dir, path) = fixture("small.wat", pair_module("(i32.const 0)", "").as_bytes());
    let line = run_plugin(&path, &["--max-module-size", "100"]);
    assert_mentions(
        &line,
        &["small.wat: the module is", "above the limit of 100 bytes"],
    );
}

#[test]
fn a_hostile_plugin_leaves_the_other_policies_results_printed_and_written() {
    let (dir, path) = fixture(
        "spin.wat",
        pair_module("(loop br 0) (i32.const 0)", "").as_bytes(),
    );
    let (_junk_dir, junk) = fixture("junk.wasm", b"\0asm\x01\0\0\0garbage");
    let json = dir.path().join("out.json");
    let csv = dir.path().join("out.csv");
    let output = wsim(&[
        "run",
        "--requests",
        "3000",
        "--size",
        "1MiB,2MiB",
        "--policy",
        "fifo",
        "--backend",
        "pair",
        "--fuel",
        "100000",
        "--wasm",
        path.to_str().unwrap(),
        "--wasm",
        junk.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("junk.wasm: not a valid WebAssembly module"),
        "{stderr}"
    );
    assert!(
        stderr.contains("spin.wat: export `access` ran out of fuel"),
        "{stderr}"
    );
    // Two sizes on every runtime: the first fails, the others are skipped.
    let others = 2 * runtimes().len() - 1;
    let skipped = if others == 1 {
        "its 1 other run was skipped".to_owned()
    } else {
        format!("its {others} other runs were skipped")
    };
    assert!(stderr.contains(&skipped), "{stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("fifo"), "{stdout}");
    let records: Vec<serde_json::Value> =
        serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
    // fifo: native (the baseline) and metered pair on each runtime, at two
    // sizes.
    let runtimes = runtimes();
    assert_eq!(records.len(), 2 * (1 + runtimes.len()), "{records:?}");
    assert!(records.iter().all(|record| record["policy"] == "fifo"));
    let metered = records
        .iter()
        .filter(|record| record["fuel"] == 100_000)
        .count();
    assert_eq!(metered, 2 * runtimes.len());
    for runtime in runtimes {
        assert_eq!(
            records
                .iter()
                .filter(|record| record["runtime"] == runtime)
                .count(),
            2,
            "{records:?}"
        );
    }
    assert_eq!(
        fs::read_to_string(&csv).unwrap().lines().count(),
        1 + records.len()
    );
}

#[test]
fn a_start_function_that_loops_runs_out_of_fuel_while_instantiating() {
    let module = pair_module("(i32.const 0)", "(func $spin (loop br 0)) (start $spin)");
    let (_dir, path) = fixture("start.wat", module.as_bytes());
    if cfg!(feature = "wasmtime") {
        let line = run_plugin(&path, &["--runtime", "wasmtime", "--fuel", "100000"]);
        assert_mentions(
            &line,
            &[
                "start.wat: ran out of fuel while instantiating",
                "100000 points",
            ],
        );
    }
    if cfg!(feature = "wasmer") {
        let line = run_plugin(&path, &["--runtime", "wasmer", "--fuel", "100000"]);
        assert_mentions(
            &line,
            &["start.wat: cannot instantiate", "or ran out of fuel"],
        );
    }
    // A start function that ends runs under fuel on every runtime (wasmer
    // once compiled a metered start function with no points at all).
    let module = pair_module(
        "(i32.const 0)",
        "(global $ready (mut i32) (i32.const 0)) \
         (func $init (global.set $ready (i32.const 1))) (start $init)",
    );
    let (_dir, path) = fixture("ready.wat", module.as_bytes());
    let output = crate::support::wsim(&plugin_args(&path, &["--fuel", "100000", "--no-audit"]));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_deadline_stops_an_endless_loop_without_fuel_on_every_runtime_built_with_one() {
    let (_dir, spin) = fixture(
        "spin.wat",
        pair_module("(loop br 0) (i32.const 0)", "").as_bytes(),
    );
    let (_dir2, start) = fixture(
        "start.wat",
        pair_module("(i32.const 0)", "(func $spin (loop br 0)) (start $spin)").as_bytes(),
    );
    for runtime in wsim_backends::Runtime::built() {
        let name = runtime.to_string();
        let more = ["--runtime", &name, "--fuel", "off", "--deadline", "300ms"];
        if !runtime.has_deadline() {
            // wasmer's deadline is a cargo feature (`wasmer-deadline`), off
            // by default; CI's `wasmer-deadline` task runs this test with it.
            let feature = runtime.deadline_feature().unwrap();
            assert_mentions(
                &run_plugin(&spin, &more),
                &[&format!(
                    "a deadline on {name} needs wsim built with `--features {feature}`"
                )],
            );
            continue;
        }
        let line = run_plugin(&spin, &more);
        assert_mentions(
            &line,
            &[
                "spin.wat: export `access` passed the deadline of 300ms",
                "the run had served at least 0 requests",
            ],
        );
        let line = run_plugin(&start, &more);
        assert_mentions(
            &line,
            &["start.wat: cannot instantiate: its start function passed the deadline of 300ms"],
        );
    }
}

/// `--deadline` without `--runtime` runs on the runtimes that can keep it
/// and says which it left out.
#[test]
fn a_deadline_without_a_runtime_leaves_out_those_that_cannot_keep_it() {
    let (_dir, spin) = fixture(
        "spin.wat",
        pair_module("(loop br 0) (i32.const 0)", "").as_bytes(),
    );
    let output = wsim(&plugin_args(
        &spin,
        &["--fuel", "off", "--deadline", "300ms"],
    ));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    for runtime in wsim_backends::Runtime::built() {
        let left_out = format!("note: --deadline leaves out {runtime}");
        assert_eq!(
            stdout.contains(&left_out),
            !runtime.has_deadline(),
            "{stdout}"
        );
        if runtime.has_deadline() {
            assert!(stderr.contains("passed the deadline of 300ms"), "{stderr}");
        }
    }
}

/// A `--deadline` run with nothing in a sandbox leaves no runtime out.
#[test]
fn a_deadline_on_a_native_run_says_nothing_of_runtimes() {
    let output = wsim(&[
        "run",
        "--requests",
        "2000",
        "--objects",
        "200",
        "--size",
        "1MiB",
        "--policy",
        "lru",
        "--backend",
        "native",
        "--deadline",
        "1s",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains("--deadline leaves out"), "{stdout}");
}

/// The sandbox holds on wasmtime as on wasmer: the same hostile modules
/// fail with the same kind of one-line error, in wasmtime's words where
/// the runtime words a trap itself.
#[test]
#[cfg_attr(not(feature = "wasmtime"), ignore = "needs the wasmtime feature")]
fn hostile_plugins_fail_alike_on_wasmtime() {
    let on_wasmtime = |name: &str, module: &str, more: &[&str]| {
        let (_dir, path) = fixture(name, module.as_bytes());
        let mut args = vec!["--runtime", "wasmtime"];
        args.extend(more);
        run_plugin(&path, &args)
    };
    let line = on_wasmtime(
        "spin.wat",
        &pair_module("(loop br 0) (i32.const 0)", ""),
        &[],
    );
    assert_mentions(
        &line,
        &[
            "spin.wat: export `access` ran out of fuel",
            "1000000000 points",
        ],
    );
    let grow = "(block $full (loop $more \
                  (br_if $full (i32.eq (memory.grow (i32.const 1)) (i32.const -1))) \
                  (br $more))) \
                unreachable";
    let line = on_wasmtime(
        "hog.wat",
        &pair_module(grow, ""),
        &["--max-memory", "16MiB"],
    );
    assert_mentions(
        &line,
        &[
            "hog.wat: export `access` trapped",
            "unreachable",
            "its memory stands at the cap of 16777216 bytes",
        ],
    );
    let big = pair_module("(i32.const 0)", "").replace(
        r#"(memory (export "memory") 1)"#,
        r#"(memory (export "memory") 300)"#,
    );
    let line = on_wasmtime("big.wat", &big, &["--max-memory", "16MiB"]);
    assert_mentions(&line, &["big.wat: cannot instantiate"]);
    let liar = pair_module("(i32.const 0)", "").replace(
        "(i64.store (i32.const 16) (global.get $bytes))\n    (i32.const 0))",
        "(i64.store (i32.const 16) (global.get $bytes))\n    (i32.const 0x7ffffff0))",
    );
    let line = on_wasmtime("liar.wat", &liar, &[]);
    assert_mentions(
        &line,
        &[
            "liar.wat: the stats record `stats` points to",
            "outside the guest's 65536 bytes",
        ],
    );
    let deeper = "(func $deeper (param i32) (result i32) \
                    (call $deeper (i32.add (local.get 0) (i32.const 1))))";
    for (name, body, cause) in [
        ("abort.wat", "unreachable", "unreachable"),
        ("recurse.wat", "(call $deeper (i32.const 0))", "stack"),
    ] {
        let line = on_wasmtime(name, &pair_module(body, deeper), &[]);
        assert_mentions(&line, &[&format!("{name}: export `access` trapped"), cause]);
    }
    let line = on_wasmtime(
        "nostats.wat",
        &pair_module("(i32.const 0)", "")
            .replace("(func (export \"stats\")", "(func (export \"statistics\")"),
        &[],
    );
    assert_mentions(&line, &["nostats.wat:", "`stats`"]);
    let (_dir, path) = fixture("panicky.wasm", wsim_backends::guests::panicky_bytes());
    let line = run_plugin(&path, &["--runtime", "wasmtime", "--backend", "batch"]);
    assert_mentions(
        &line,
        &[
            "panicky.wasm: export `access_batch` panicked",
            "admission 1000",
        ],
    );
}

/// The memory cap is per memory, so a module may have only one: a second
/// memory (a hundred caps' worth) is refused at load on either runtime.
#[test]
fn a_second_memory_is_refused_on_both_runtimes() {
    let module = pair_module("(i32.const 0)", "(memory $more 1)");
    let (_dir, path) = fixture("twomem.wat", module.as_bytes());
    for runtime in runtimes() {
        let line = run_plugin(&path, &["--runtime", runtime]);
        assert_mentions(&line, &["twomem.wat: not a valid WebAssembly module"]);
        assert!(line.contains("memor"), "{runtime}: {line}");
    }
}

/// `table.grow` without end stops at 2^20 elements on either runtime (it
/// returns -1 there, as it does at the memory cap): the guest below grows
/// its table until refused and traps unless it was refused at exactly the
/// limit.
#[test]
fn table_growth_stops_at_the_limit_on_both_runtimes() {
    let grow = "(block $full (loop $more \
                  (br_if $full (i32.eq (table.grow $t (ref.null func) (i32.const 65536)) \
                                       (i32.const -1))) \
                  (br $more))) \
                (if (i32.ne (table.size $t) (i32.const 1048576)) (then unreachable)) \
                (i32.const 0)";
    let (_dir, path) = fixture(
        "tables.wat",
        pair_module(grow, "(table $t 0 funcref)").as_bytes(),
    );
    for runtime in runtimes() {
        let output = wsim(&[
            "run",
            "--requests",
            "200",
            "--size",
            "1MiB",
            "--runtime",
            runtime,
            "--policy",
            "none",
            "--wasm",
            path.to_str().unwrap(),
            "--no-audit",
        ]);
        assert!(
            output.status.success(),
            "{runtime}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// A proposal wsim's runtimes are built without (threads) is refused at
/// load on both, in words that say the text itself was fine: wasmer's
/// validator refuses it, wasmtime's compiler.
#[test]
fn a_proposal_neither_runtime_has_is_refused_at_load() {
    let module = pair_module(
        "(i32.const 0)",
        "(func $store (i32.atomic.store (i32.const 0) (i32.const 0)))",
    );
    let (_dir, path) = fixture("atomic.wat", module.as_bytes());
    for (runtime, words) in [
        ("wasmer", "WebAssembly text that does not validate"),
        ("wasmtime", "WebAssembly text that does not compile"),
    ]
    .into_iter()
    .filter(|(runtime, _)| runtimes().contains(runtime))
    {
        let line = run_plugin(&path, &["--runtime", runtime]);
        assert_mentions(
            &line,
            &[
                "atomic.wat: not a valid WebAssembly module",
                words,
                "threads",
            ],
        );
    }
}

/// wasmer's Singlepass compiles no SIMD: a module using it is refused on
/// wasmer, in words that say the text was fine, and runs on wasmtime.
#[test]
#[cfg_attr(
    not(all(feature = "singlepass", feature = "wasmtime")),
    ignore = "needs the singlepass and wasmtime features (`cargo make test` turns them on)"
)]
fn singlepass_refuses_simd_which_wasmtime_runs() {
    let module = pair_module("(i32x4.extract_lane 0 (i32x4.splat (i32.const 0)))", "");
    let (_dir, path) = fixture("simd.wat", module.as_bytes());
    let output = wsim(&plugin_args(
        &path,
        &["--compiler", "singlepass", "--no-audit"],
    ));
    assert!(!output.status.success());
    let error = String::from_utf8_lossy(&output.stderr);
    assert_eq!(error.lines().count(), 1, "{error}");
    assert_mentions(
        &error,
        &[
            "loading simd.wat on wasmer failed: simd.wat: not a valid WebAssembly module: \
             WebAssembly text that does not compile: Compilation error",
            "I32x4Splat",
        ],
    );
    // The same run, both runtimes asked for, ran it on wasmtime.
    let text = String::from_utf8_lossy(&output.stdout);
    let rows: Vec<&str> = text
        .lines()
        .filter(|line| line.starts_with("simd "))
        .collect();
    assert_eq!(rows.len(), 1, "{text}");
    assert!(rows[0].contains("wasmtime"), "{text}");
}

/// A module that answers "hit" to everything, its stats agreeing, is
/// refused at its first request; one that never takes anything in, at the
/// end of its run. Neither reports evictions (ABI version 1), so both get
/// the checks that need no reports, with a warning; `--audit` refuses such
/// a module outright, and `--no-audit` lets it run.
#[test]
fn always_hit_and_never_admit_modules_fail_the_audit() {
    let (_dir, always) = fixture(
        "always-hit.wat",
        pair_module("(i32.const 1)", "")
            .replace(
                "(i64.store (i32.const 16) (global.get $bytes))",
                "(i64.store (i32.const 16) (global.get $bytes)) \
                 (i64.store (i32.const 8) (global.get $requests)) \
                 (i64.store (i32.const 32) (global.get $bytes))",
            )
            .as_bytes(),
    );
    let line = run_plugin(&always, &[]);
    assert_mentions(
        &line,
        &[
            "always-hit: failed the audit at request 0 (id ",
            "answered a hit for an object never taken in",
        ],
    );
    let (_dir, never) = fixture(
        "never-admit.wat",
        pair_module("(i32.const 0)", "").as_bytes(),
    );
    let line = run_plugin(&never, &[]);
    assert_mentions(
        &line,
        &[
            "never-admit: failed the audit at the end of the run (3000 requests)",
            "took in none of the 3000 missed objects that fit in the capacity",
        ],
    );
    let output = wsim(&plugin_args(&never, &[]));
    assert!(
        String::from_utf8_lossy(&output.stdout)
            .contains("never-admit.wat does not report its evictions"),
        "no warning that the audit is partial"
    );
    let line = run_plugin(&never, &["--audit"]);
    assert_mentions(
        &line,
        &["never-admit: --audit needs a module that reports its evictions"],
    );
    let output = wsim(&plugin_args(&never, &["--no-audit"]));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A version 3 module whose reports contradict the host's account: it
/// evicts an object it never held, or takes in an object it already holds.
#[test]
fn a_module_whose_reports_lie_fails_the_audit_on_every_runtime() {
    let module = |access: &str, listed: u32| {
        format!(
            r#"(module
  (memory (export "memory") 1)
  (global $first (mut i32) (i32.const 1))
  ;; id 999, evicted by request 0
  (data (i32.const 64) "\e7\03\00\00\00\00\00\00\00\00\00\00\00\00\00\00")
  (func (export "abi_version") (result i32) (i32.const 3))
  (func (export "buffer") (result i64) (i64.const 17592186045440))
  (func (export "init") (param i64 i32) (result i32) (i32.const 0))
  (func (export "access") (param i64 i64 i64) (result i32) {access})
  (func (export "evicted") (result i64) (i64.const {packed}))
  (func (export "stats") (result i32) (i32.const 0)))"#,
            packed = u64::from(listed) << 32 | 64
        )
    };
    // The first answer is 6: a miss taken in that evicted one object,
    // listed as id 999; then 2, a miss taken in.
    let first_evicts = "(if (result i32) (global.get $first) \
         (then (global.set $first (i32.const 0)) (i32.const 6)) (else (i32.const 2)))";
    let (_dir, phantom) = fixture("phantom.wat", module(first_evicts, 1).as_bytes());
    // 2: a miss taken in, every time, even for an object it holds.
    let (_dir, twice) = fixture("twice.wat", module("(i32.const 2)", 0).as_bytes());
    for runtime in runtimes() {
        let line = run_plugin(&phantom, &["--runtime", runtime]);
        assert_mentions(
            &line,
            &[
                "phantom: failed the audit at request 0 (id ",
                "evicted object 999, which it does not hold",
            ],
        );
        let line = run_plugin(&twice, &["--runtime", runtime]);
        assert_mentions(
            &line,
            &[
                "twice: failed the audit at request ",
                "answered a miss for an object it holds",
            ],
        );
    }
}

/// Every built-in policy passes the full audit on every backend and
/// runtime, counting bytes and counting objects, but LIRS: libCacheSim's
/// LIRS lets an object that its own hit evicted from Q keep hitting without
/// counting it, so at times it holds one object more than its capacity, and
/// the audit says so (wsim's LIRS follows libCacheSim hit for hit).
#[test]
fn every_built_in_policy_passes_the_audit_on_every_backend_but_lirs() {
    let all_but_lirs: Vec<&str> = wsim_policies::PolicyKind::ALL
        .into_iter()
        .map(wsim_policies::PolicyKind::name)
        .filter(|&name| name != "lirs")
        .collect();
    let all_but_lirs = all_but_lirs.join(",");
    let run = |policy: &str, more: &[&str]| {
        let mut args = vec![
            "run",
            "--requests",
            "4000",
            "--objects",
            "600",
            "--policy",
            policy,
            "--backend",
            "all",
            "--runtime",
            "all",
            "--audit",
        ];
        args.extend(more);
        (wsim(&args), format!("{args:?}"))
    };
    for more in [
        &["--size", "64KiB,1MiB"][..],
        &["--ignore-size", "--size", "100,400"],
    ] {
        let (output, args) = run(&all_but_lirs, more);
        assert!(
            output.status.success(),
            "{args}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let (output, _) = run("lirs", &["--ignore-size", "--size", "100"]);
    let error = String::from_utf8_lossy(&output.stderr);
    assert_mentions(
        &error,
        &[
            "lirs: failed the audit at request ",
            "holds 101 bytes, above the capacity of 100",
        ],
    );
}
