//! `wsim new`: the plugin author's path from an empty directory. A project
//! in each language, with only its policy's logic changed (FIFO into MRU,
//! as a new author would), builds, passes its own tests and `wsim check`,
//! and runs beside LRU and FIFO with its slowdown against LRU. The C MRU
//! and the Rust MRU agree request for request. The minimal WAT guest of
//! `docs/ABI.md` passes `wsim check` as printed there.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::support::{wsim, wsim_fails};

/// `wsim new` with `args` in a fresh directory; the directory and the
/// project's path.
fn new_project(name: &str, more: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join(name);
    let mut args = vec!["new", name, "--dir", project.to_str().unwrap()];
    args.extend(more);
    let output = wsim(&args);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("next, in "), "{stdout}");
    (dir, project)
}

/// Replaces `old` with `new` in `path`, which must contain it: the edit an
/// author makes to the policy's logic.
fn edit(path: &Path, old: &str, new: &str) {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.contains(old), "{}: `{old}` missing", path.display());
    fs::write(path, text.replace(old, new)).unwrap();
}

/// Runs `cargo` in `project` with `args`, the host build's flags removed
/// (they are not the project's), into a target directory shared by test
/// runs so a second run builds nothing.
fn cargo(project: &Path, args: &[&str]) {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("new-rust");
    let output = Command::new(env!("CARGO"))
        .args(args)
        .arg("--target-dir")
        .arg(&target)
        .current_dir(project)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "cargo {args:?} in {}: {}{}",
        project.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The Rust project, its FIFO turned into MRU, tested natively and built;
/// the path of its module. Built once per test run.
fn rust_mru() -> &'static Path {
    static BUILT: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, module) = BUILT.get_or_init(|| {
        let (dir, project) = new_project("mru", &[]);
        let policy = project.join("src/lib.rs");
        edit(
            &policy,
            "        // FIFO: a hit changes nothing.\n        self.sizes.contains_key(&request.id)",
            "        if !self.sizes.contains_key(&request.id) {
            return false;
        }
        // MRU: a hit makes the object the most recently used.
        if let Some(at) = self.queue.iter().position(|&id| id == request.id) {
            self.queue.remove(at);
        }
        self.queue.push_back(request.id);
        true",
        );
        edit(&policy, "self.queue.pop_front()?", "self.queue.pop_back()?");
        // Its own tests: the contract on the hand-made traces, and the
        // trace checked by hand, whose answers MRU shares with FIFO.
        cargo(&project, &["test"]);
        cargo(
            &project,
            &["build", "--release", "--target", "wasm32-unknown-unknown"],
        );
        let module = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("new-rust/wasm32-unknown-unknown/release/mru.wasm");
        (dir, module)
    });
    module
}

/// `wsim check` on `path` with `more`: its stdout, which must say every
/// check passed.
fn check_passes(path: &Path, more: &[&str]) -> String {
    let mut args = vec!["check", path.to_str().unwrap()];
    args.extend(more);
    let output = wsim(&args);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success() && !stdout.contains("FAIL"),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("checks passed"), "{stdout}");
    stdout
}

#[test]
fn a_rust_project_builds_passes_its_checks_and_runs_beside_lru_and_fifo() {
    let module = rust_mru();
    let stdout = check_passes(module, &[]);
    assert!(stdout.contains("pass  names its policy: mru"), "{stdout}");
    assert!(
        stdout.contains("pass  reports its evictions (ABI version 3)"),
        "{stdout}"
    );

    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("run.json");
    let output = wsim(&[
        "run",
        "--requests",
        "20000",
        "--objects",
        "2000",
        "--size",
        "64KiB,1MiB",
        "--backend",
        "batch",
        "--wasm",
        module.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("policies: lru, fifo beside the --wasm modules"),
        "{stdout}"
    );
    assert!(stdout.contains("hit ratio at 64 KiB: mru "), "{stdout}");
    assert!(
        stdout.contains(" lru\n"),
        "an `x native` cell over LRU's: {stdout}"
    );
    let records: Vec<serde_json::Value> =
        serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
    let policies: Vec<&str> = records
        .iter()
        .map(|record| record["policy"].as_str().unwrap())
        .collect();
    for policy in ["lru", "fifo", "mru"] {
        assert!(policies.contains(&policy), "{policies:?}");
    }
    for record in &records {
        let over_lru = record["slowdown_vs_lru"].as_f64();
        if record["policy"] == "mru" {
            assert!(over_lru.is_some_and(|x| x > 0.0), "{record}");
            assert!(record["slowdown_vs_native"].is_null(), "{record}");
        } else {
            assert!(over_lru.is_none(), "{record}");
        }
    }
    // MRU keeps what LRU throws out: on this skewed trace it hits less.
    let hits = |policy: &str| {
        records
            .iter()
            .find(|record| record["policy"] == policy && record["cache_size"] == 65_536)
            .unwrap()["hits"]
            .as_u64()
            .unwrap()
    };
    assert!(hits("mru") < hits("lru"), "{records:?}");

    // `--policy none` runs the module alone.
    let output = wsim(&[
        "run",
        "--requests",
        "2000",
        "--size",
        "64KiB",
        "--backend",
        "pair",
        "--policy",
        "none",
        "--wasm",
        module.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(!stdout.contains("\nlru "), "{stdout}");
    assert!(stdout.contains("\nmru "), "{stdout}");
}

#[test]
#[cfg_attr(
    not(wsim_clang),
    ignore = "clang and wasm-ld are missing: `cargo make setup` installs them on Debian"
)]
fn a_c_project_builds_passes_its_checks_and_agrees_with_the_rust_one() {
    let (_dir, project) = new_project("cmru", &["--lang", "c"]);
    let policy = project.join("cmru.c");
    edit(
        &policy,
        "static int policy_hit(uint64_t id) { return wsim_find(id) != WSIM_EMPTY; }",
        "static int policy_hit(uint64_t id) {
    uint32_t n = wsim_find(id);
    if (n == WSIM_EMPTY) return 0;
    wsim_make_newest(n);
    return 1;
}",
    );
    edit(&policy, "wsim_drop(wsim_oldest)", "wsim_drop(wsim_newest)");
    let status = Command::new("sh")
        .arg(project.join("build.sh"))
        .status()
        .unwrap();
    assert!(status.success(), "build.sh: {status}");
    let module = project.join("cmru.wasm");
    let stdout = check_passes(&module, &["--reference", rust_mru().to_str().unwrap()]);
    assert!(stdout.contains("pass  names its policy: cmru"), "{stdout}");
    assert!(
        stdout.contains("pass  agrees with mru: 10,000 requests across Batch's buffer"),
        "{stdout}"
    );
    // Unchanged, it is FIFO: it agrees with the built-in FIFO.
    let (_dir, fifo) = new_project("cfifo", &["--lang", "c"]);
    let status = Command::new("sh")
        .arg(fifo.join("build.sh"))
        .status()
        .unwrap();
    assert!(status.success(), "build.sh: {status}");
    check_passes(&fifo.join("cfifo.wasm"), &["--reference", "fifo"]);
}

#[test]
fn a_wat_project_and_the_minimal_guest_of_the_abi_pass_their_checks() {
    let (_dir, project) = new_project("one", &["--lang", "wat"]);
    let module = project.join("one.wat");
    let stdout = check_passes(&module, &[]);
    assert!(stdout.contains("pass  names its policy: one"), "{stdout}");
    assert!(stdout.contains("pair (wasmer)") || stdout.contains("pair (wasmtime)"));

    // The guest docs/ABI.md prints, as printed.
    let abi = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/ABI.md")).unwrap();
    let (_, after) = abi
        .split_once("## A minimal guest")
        .expect("docs/ABI.md has a minimal guest");
    let (_, block) = after.split_once("```wat\n").unwrap();
    let (text, _) = block.split_once("```").unwrap();
    let (_dir, printed) = crate::support::fixture("minimal.wat", text.as_bytes());
    check_passes(&printed, &[]);
}

#[test]
fn new_refuses_bad_names_and_directories_in_use() {
    let text = wsim_fails(&["new", "My Policy"]);
    assert!(
        text.contains("a policy's name is 1 to 64 lower-case letters"),
        "{text}"
    );
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("kept.txt"), "mine").unwrap();
    let text = wsim_fails(&["new", "mru", "--dir", dir.path().to_str().unwrap()]);
    assert!(
        text.contains("the directory exists and is not empty"),
        "{text}"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("kept.txt")).unwrap(),
        "mine"
    );
    let text = wsim_fails(&[
        "new",
        "mru",
        "--dir",
        dir.path().join("fresh").to_str().unwrap(),
        "--wsim-source",
        dir.path().to_str().unwrap(),
    ]);
    assert!(
        text.contains("policies/Cargo.toml: not found") && text.contains("--wsim-source"),
        "{text}"
    );
}

#[test]
fn names_that_would_clash_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    // A built-in policy's name: its rows would share it with LRU's.
    let text = wsim_fails(&[
        "new",
        "lru",
        "--dir",
        dir.path().join("a").to_str().unwrap(),
    ]);
    assert!(text.contains("`lru` is a built-in policy's name"), "{text}");
    // Fine in C, but as a Rust type it would hide the prelude's Option.
    let text = wsim_fails(&[
        "new",
        "option",
        "--dir",
        dir.path().join("b").to_str().unwrap(),
    ]);
    assert!(
        text.contains("as a Rust crate `option` with the type `Option`, it clashes"),
        "{text}"
    );
    let file = dir.path().join("file");
    fs::write(&file, "").unwrap();
    let text = wsim_fails(&["new", "mru", "--dir", file.to_str().unwrap()]);
    assert!(text.contains("exists and is not a directory"), "{text}");
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}
