//! `wsim check`: a built-in policy's own module passes every check and
//! agrees with its native reference; modules that break the contract fail
//! with a line naming the check; a wrong reference shows the first
//! divergence.

use wsim_backends::guests;
use wsim_policies::PolicyKind;

use crate::support::{fixture, pair_module, wsim};

/// Runs `wsim check` on `path` with `more`; (success, stdout, stderr).
fn check(path: &std::path::Path, more: &[&str]) -> (bool, String, String) {
    let mut args = vec!["check", path.to_str().unwrap()];
    args.extend(more);
    let output = wsim(&args);
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_built_in_policys_module_passes_and_agrees_with_its_reference() {
    for policy in [PolicyKind::Lru, PolicyKind::S3Fifo] {
        let name = format!("{}.wasm", policy.name());
        let (_dir, path) = fixture(&name, guests::module_bytes(policy));
        let (passed, stdout, stderr) = check(&path, &["--reference", policy.name()]);
        assert!(passed, "{stdout}{stderr}");
        assert!(!stdout.contains("FAIL"), "{stdout}");
        for line in [
            "pass  reports its evictions",
            "pass  refuses parameters it does not take",
            "pass  the contract on sizes up to 1.5x the capacity: batch (",
            "pass  the same answers on every ABI and runtime: objects that change size",
            &format!("pass  agrees with {}: 10,000 requests", policy.name()),
            &format!("pass  names its policy: {}", policy.name()),
            "all ",
        ] {
            assert!(stdout.contains(line), "`{line}` missing:\n{stdout}");
        }
        // Against another policy: the first divergence, and a failure.
        let (passed, stdout, _) = check(&path, &["--reference", "fifo"]);
        assert!(!passed);
        assert!(
            stdout.contains("FAIL  agrees with fifo: unit sizes, 100 objects fit: the module and fifo differ at request "),
            "{stdout}"
        );
    }
}

#[test]
fn always_hit_and_never_admit_modules_fail_the_contract_checks() {
    let (_dir, always) = fixture("always.wat", pair_module("(i32.const 1)", "").as_bytes());
    let (passed, stdout, stderr) = check(&always, &[]);
    assert!(!passed);
    assert!(
        stdout.contains("FAIL  the contract on unit sizes, 100 objects fit: pair (")
            && stdout.contains("answered a hit for an object never taken in"),
        "{stdout}"
    );
    assert!(
        stdout.contains("FAIL  reports its evictions (ABI version 3)"),
        "{stdout}"
    );
    assert!(stderr.contains("always.wat: "), "{stderr}");
    let (_dir, never) = fixture("never.wat", pair_module("(i32.const 0)", "").as_bytes());
    let (passed, stdout, _) = check(&never, &[]);
    assert!(!passed);
    assert!(stdout.contains("it caches nothing"), "{stdout}");
}

/// A one-object cache in WebAssembly text (ABI version 1): it holds the
/// last object that fit, hits only on it, and counts honestly, except that
/// `stats_extra` may overwrite words of the stats record before it returns.
/// With `batch_misses`, it also exports Batch, whose answers are all misses.
fn one_object_cache(stats_extra: &str, batch_misses: bool) -> String {
    let batch = if batch_misses {
        r#"(func (export "buffer") (result i64) (i64.const 70368744178688))
  (func (export "access_batch") (param $n i32) (result i32)
    ;; The buffer starts at 0: the flags follow the n 16-byte records.
    (memory.fill (i32.mul (local.get $n) (i32.const 16)) (i32.const 0) (local.get $n))
    (i32.const 0))"#
    } else {
        ""
    };
    format!(
        r#"(module
  (memory (export "memory") 2)
  (global $capacity (mut i64) (i64.const 0))
  (global $last (mut i64) (i64.const 0))
  (global $holds (mut i32) (i32.const 0))
  (global $held (mut i64) (i64.const 0))
  (global $requests (mut i64) (i64.const 0))
  (global $hits (mut i64) (i64.const 0))
  (global $bytes (mut i64) (i64.const 0))
  (global $bytes_hit (mut i64) (i64.const 0))
  (global $evictions (mut i64) (i64.const 0))
  (func (export "abi_version") (result i32) (i32.const 1))
  (func (export "init") (param $capacity i64) (result i32)
    (global.set $capacity (local.get $capacity)) (i32.const 0))
  (func (export "access") (param $id i64) (param $size i64) (result i32)
    (global.set $requests (i64.add (global.get $requests) (i64.const 1)))
    (global.set $bytes (i64.add (global.get $bytes) (local.get $size)))
    (if (i32.and (global.get $holds) (i64.eq (local.get $id) (global.get $last)))
      (then
        (global.set $hits (i64.add (global.get $hits) (i64.const 1)))
        (global.set $bytes_hit (i64.add (global.get $bytes_hit) (local.get $size)))
        (return (i32.const 1))))
    (if (i64.gt_u (local.get $size) (global.get $capacity)) (then (return (i32.const 0))))
    (if (global.get $holds)
      (then (global.set $evictions (i64.add (global.get $evictions) (i64.const 1)))))
    (global.set $last (local.get $id))
    (global.set $held (local.get $size))
    (global.set $holds (i32.const 1))
    (i32.const 0))
  {batch}
  (func (export "stats") (result i32)
    (i64.store (i32.const 0) (global.get $requests))
    (i64.store (i32.const 8) (global.get $hits))
    (i64.store (i32.const 16) (global.get $bytes))
    (i64.store (i32.const 24) (i64.const 0))
    (i64.store (i32.const 32) (global.get $bytes_hit))
    (i64.store (i32.const 40) (i64.const 0))
    (i64.store (i32.const 48) (global.get $evictions))
    (i64.store (i32.const 56) (i64.extend_i32_u (global.get $holds)))
    (i64.store (i32.const 64) (global.get $held))
    {stats_extra}
    (i32.const 0)))"#
    )
}

#[test]
fn a_module_whose_stats_lie_or_whose_abis_disagree_fails() {
    // Honest: only the missing reports fail.
    let (_dir, honest) = fixture("one.wat", one_object_cache("", false).as_bytes());
    let (passed, stdout, _) = check(&honest, &[]);
    assert!(!passed);
    let failed: Vec<&str> = stdout
        .lines()
        .filter(|line| line.starts_with("FAIL"))
        .collect();
    assert_eq!(failed.len(), 1, "{stdout}");
    assert!(failed[0].contains("reports its evictions"), "{stdout}");
    // 7 objects, 3 evictions, 2^60 bytes held at any capacity.
    let lies = "(i64.store (i32.const 56) (i64.const 7)) \
                (i64.store (i32.const 48) (i64.const 3)) \
                (i64.store (i32.const 64) (i64.const 1152921504606846976))";
    let (_dir, liar) = fixture("liar.wat", one_object_cache(lies, false).as_bytes());
    let (passed, stdout, _) = check(&liar, &[]);
    assert!(!passed);
    assert!(
        stdout.contains("FAIL  the contract on unit sizes, 100 objects fit: pair (")
            && stdout.contains("its stats say 1152921504606846976 bytes held, above the capacity"),
        "{stdout}"
    );
    // Batch answers every request with a miss: the ABIs disagree.
    let (_dir, split) = fixture("split.wat", one_object_cache("", true).as_bytes());
    let (passed, stdout, _) = check(&split, &[]);
    assert!(!passed);
    assert!(
        stdout.contains(
            "FAIL  the same answers on every ABI and runtime: unit sizes, 100 objects fit: batch ("
        ) && stdout.contains("differ at request "),
        "{stdout}"
    );
}

#[test]
fn a_reporting_module_whose_object_count_lies_fails_and_a_bad_name_is_reported() {
    // `wsim new`'s WAT guest reports its evictions; made to say it holds 7
    // objects instead of its one, the full audit catches it.
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("one");
    let output = wsim(&[
        "new",
        "one",
        "--lang",
        "wat",
        "--dir",
        project.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{output:?}");
    let honest = std::fs::read_to_string(project.join("one.wat")).unwrap();
    let liar = honest.replace(
        "(i64.store (i32.const 56) (i64.const 1))",
        "(i64.store (i32.const 56) (i64.const 7))",
    );
    assert_ne!(liar, honest);
    let (_dir, path) = fixture("seven.wat", liar.as_bytes());
    let (passed, stdout, _) = check(&path, &[]);
    assert!(!passed);
    assert!(
        stdout.contains("FAIL  the contract on unit sizes, 100 objects fit: pair (")
            && stdout.contains("its stats say 7 objects held"),
        "{stdout}"
    );

    // A `name` export pointing at bytes that are no name: the check names
    // it, and a run warns and names the module by its file.
    let named = honest.replace(
        "(i64.or (i64.shl (i64.const 3) (i64.const 32)) (i64.const 96))",
        "(i64.or (i64.shl (i64.const 3) (i64.const 32)) (i64.const 1024))",
    );
    assert_ne!(named, honest);
    let (_dir, path) = fixture("nameless.wat", named.as_bytes());
    let (passed, stdout, _) = check(&path, &[]);
    assert!(!passed);
    assert!(
        stdout.contains(
            "FAIL  names its policy: nameless.wat: export `name` broke the ABI: a name must be"
        ),
        "{stdout}"
    );
    let output = wsim(&[
        "run",
        "--requests",
        "2000",
        "--size",
        "1MiB",
        "--backend",
        "pair",
        "--policy",
        "none",
        "--wasm",
        path.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.contains("warning: nameless.wat: export `name` broke the ABI")
            && stdout.contains("\nnameless "),
        "{stdout}"
    );
}

#[test]
fn a_reference_with_parameters_is_taken_and_a_bad_one_is_an_error() {
    let (_dir, path) = fixture("s3fifo.wasm", guests::module_bytes(PolicyKind::S3Fifo));
    // The module runs at its defaults; the reference at other parameters
    // diverges, so they were passed on.
    let (passed, stdout, _) = check(&path, &["--reference", "s3fifo:small-size-ratio=0.5"]);
    assert!(!passed);
    assert!(
        stdout.contains("FAIL  agrees with s3fifo:small-size-ratio=0.5: "),
        "{stdout}"
    );
    let (passed, stdout, stderr) = check(&path, &["--reference", "lur"]);
    assert!(!passed && stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("--reference `lur`: no such file, nor a built-in policy"),
        "{stderr}"
    );
    let (passed, stdout, stderr) = check(std::path::Path::new("/no/such/module.wasm"), &[]);
    assert!(!passed && stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("/no/such/module.wasm"), "{stderr}");
}
