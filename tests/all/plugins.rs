//! Plugins beyond wsim's own guests: the C policies in `examples/c/`
//! (built with clang for wasm32) and the Rust example crate in
//! `examples/rust-sieve/`, written as a third party would. The C FIFO must
//! agree with wsim's Rust FIFO hit for hit; the C SIEVE, the example's Rust
//! SIEVE and a naive model of SIEVE must all agree.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use proptest::prelude::*;
use wsim_backends::{Backend, Code, Compiler, Engine, LookupKind, Module, Runs, Runtime};
use wsim_policies::{Cache, EvictionPolicy, Fifo, Held, Params, PolicyKind, Request};

use crate::equivalence::trace;
use crate::golden::traces_of;
use crate::support::{
    Replay, pair_module, replay, replay_native, wasmtime_only_module, wsim, wsim_fails,
};

// The example crate's policy, compiled into the tests natively.
#[path = "../../examples/rust-sieve/src/sieve.rs"]
#[allow(
    unreachable_pub,
    clippy::all,
    clippy::pedantic,
    reason = "a third party's code, included as it is"
)]
mod example_sieve;

use example_sieve::Sieve;

/// The repository's root.
fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// The C policies, built once per test run into the target directory. The
/// tests that call this are ignored where clang or wasm-ld is missing
/// (`cfg(wsim_clang)`, set by the package's build script), so here they
/// must build.
fn c_plugins() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("c-plugins");
        let status = Command::new("sh")
            .arg(root().join("examples/c/build.sh"))
            .arg(&out)
            .status()
            .expect("run sh");
        assert!(
            status.success(),
            "examples/c/build.sh failed ({status}); exit status 3 means clang or \
             wasm-ld is missing (`cargo make setup` installs them on Debian)"
        );
        out
    })
}

/// A C policy, compiled once.
fn c_module(name: &str) -> &'static Module {
    static MODULES: OnceLock<Vec<(String, Module)>> = OnceLock::new();
    let dir = c_plugins();
    let modules = MODULES.get_or_init(|| {
        let engine = Engine::new(Compiler::Cranelift).unwrap();
        ["c-fifo", "c-sieve", "c-fifo-v2", "c-fifo-v1"]
            .iter()
            .map(|name| {
                let module = engine.load(&dir.join(format!("{name}.wasm"))).unwrap();
                assert!(
                    module.imports().is_empty(),
                    "{name} imports {:?}",
                    module.imports()
                );
                ((*name).to_owned(), module)
            })
            .collect()
    });
    modules
        .iter()
        .find(|(known, _)| known == name)
        .map(|(_, module)| module)
        .expect("a C policy of examples/c")
}

/// What `requests` make of the C policy in `module` under `backend`.
fn replay_c(backend: Backend, module: &Module, capacity: u64, requests: &[Request]) -> Replay {
    let code = Code::Module(module.clone(), LookupKind::Cached);
    comparable(&replay(backend, &code, capacity, requests), module)
}

/// `replay` as far as `module` can report it: without reports (ABI
/// versions 1 and 2), its hits and stats alone.
fn comparable(replay: &Replay, module: &Module) -> Replay {
    let mut replay = replay.clone();
    if !module.exports_function("evicted") {
        replay.answers.clear();
        replay.evictions.clear();
    }
    replay
}

/// SIEVE as plainly as it can be written: a vector from oldest to newest
/// and the hand as an index into it. Slow, obviously right.
#[derive(Debug, Default)]
struct NaiveSieve {
    queue: Vec<(u64, u64, bool)>,
    hand: Option<usize>,
}

impl EvictionPolicy for NaiveSieve {
    const NAME: &'static str = "naive-sieve";

    fn configure(_capacity: u64, _params: &Params) -> Self {
        Self::default()
    }

    fn hit(&mut self, request: &Request) -> bool {
        match self
            .queue
            .iter_mut()
            .find(|(cached, _, _)| *cached == request.id)
        {
            Some(entry) => {
                entry.2 = true;
                true
            }
            None => false,
        }
    }

    fn admit(&mut self, request: &Request) -> bool {
        self.queue.push((request.id, request.size, false));
        true
    }

    fn evict(&mut self, _incoming: &Request) -> Option<wsim_policies::Victim> {
        if self.queue.is_empty() {
            return None;
        }
        let mut at = self.hand.unwrap_or(0);
        while self.queue[at].2 {
            self.queue[at].2 = false;
            at = (at + 1) % self.queue.len();
        }
        let (id, size, _) = self.queue.remove(at);
        // The next-newer object now sits where the victim was.
        self.hand = (at < self.queue.len()).then_some(at);
        Some(wsim_policies::Victim { id, size })
    }

    fn len(&self) -> usize {
        self.queue.len()
    }

    fn bytes(&self) -> u64 {
        self.queue.iter().map(|entry| entry.1).sum()
    }

    fn audit(&self) -> Result<Held, String> {
        Ok(Held {
            objects: self.queue.len() as u64,
            bytes: self.queue.iter().map(|entry| u128::from(entry.1)).sum(),
        })
    }
}

#[test]
fn naive_sieve_follows_the_paper_example() {
    // Capacity 3: 1 2 3 fill it and 1 is hit. 4: the hand passes 1
    // (clearing its bit) and evicts 2, then rests on 3. 5 evicts 3; 1 is hit
    // again; 6 evicts 4 (the hand rests on it, beyond 1); 2 evicts 5.
    let requests: Vec<Request> = [1, 2, 3, 1, 4, 5, 1, 6, 2]
        .into_iter()
        .map(|id| Request::new(id, 1))
        .collect();
    let mut cache = Cache::<NaiveSieve>::new(3);
    let hits: String = requests
        .iter()
        .map(|&request| if cache.access(request) { 'H' } else { 'M' })
        .collect();
    assert_eq!(hits, "MMMHMMHMM");
    assert_eq!(cache.stats().evictions, 4);
}

#[test]
#[cfg_attr(
    not(wsim_clang),
    ignore = "clang and wasm-ld are missing: `cargo make setup` installs them on Debian"
)]
fn c_fifo_agrees_with_rust_fifo_on_the_hand_checked_traces() {
    // The same source built for ABI versions 3, 2 and 1.
    for name in ["c-fifo", "c-fifo-v2", "c-fifo-v1"] {
        let module = c_module(name);
        for (capacity, requests) in traces_of(PolicyKind::Fifo) {
            let rust = replay_native::<Fifo>(capacity, &requests);
            assert_eq!(
                replay_c(Backend::Bytemuck, module, capacity, &requests),
                comparable(&rust, module),
                "{name}"
            );
            assert_eq!(
                replay_c(Backend::Batch, module, capacity, &requests),
                comparable(&rust, module),
                "{name}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    #[cfg_attr(not(wsim_clang), ignore = "clang and wasm-ld are missing: `cargo make setup` installs them on Debian")]
    fn c_fifo_agrees_with_rust_fifo((capacity, requests) in trace()) {
        let rust = replay_native::<Fifo>(capacity, &requests);
        for name in ["c-fifo", "c-fifo-v2", "c-fifo-v1"] {
            let module = c_module(name);
            let rust = comparable(&rust, module);
            prop_assert_eq!(&replay_c(Backend::Bytemuck, module, capacity, &requests), &rust);
            prop_assert_eq!(&replay_c(Backend::Batch, module, capacity, &requests), &rust);
        }
    }

    #[test]
    fn rust_sieve_and_the_naive_model_agree((capacity, requests) in trace()) {
        let naive = replay_native::<NaiveSieve>(capacity, &requests);
        let rust = replay_native::<Sieve>(capacity, &requests);
        prop_assert_eq!(&rust, &naive);
    }

    #[test]
    #[cfg_attr(not(wsim_clang), ignore = "clang and wasm-ld are missing: `cargo make setup` installs them on Debian")]
    fn c_sieve_and_the_naive_model_agree((capacity, requests) in trace()) {
        let naive = replay_native::<NaiveSieve>(capacity, &requests);
        let module = c_module("c-sieve");
        prop_assert_eq!(&replay_c(Backend::Bytemuck, module, capacity, &requests), &naive);
        prop_assert_eq!(&replay_c(Backend::Batch, module, capacity, &requests), &naive);
    }
}

/// The C header reports every eviction (ABI version 3): its policies pass
/// the full audit on both of its ABIs; the same FIFO built for version 2
/// cannot report, and `--audit` refuses it.
#[test]
#[cfg_attr(
    not(wsim_clang),
    ignore = "clang and wasm-ld are missing: `cargo make setup` installs them on Debian"
)]
fn the_c_policies_pass_the_audit() {
    for name in ["c-fifo", "c-sieve"] {
        let path = c_plugins().join(format!("{name}.wasm"));
        let output = wsim(&[
            "run",
            "--requests",
            "20000",
            "--objects",
            "2000",
            "--size",
            "64KiB,1MiB",
            "--audit",
            "--policy",
            "none",
            "--wasm",
            path.to_str().unwrap(),
        ]);
        assert!(
            output.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let path = c_plugins().join("c-fifo-v2.wasm");
    let output = wsim(&[
        "run",
        "--audit",
        "--policy",
        "none",
        "--wasm",
        path.to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("c-fifo-v2: --audit needs a module that reports its evictions"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The example crate built for wasm32 the way the README tells a new user
/// to, once per test run; the path of its module.
fn rust_example() -> &'static str {
    static BUILT: OnceLock<String> = OnceLock::new();
    BUILT.get_or_init(|| {
        let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rust-sieve");
        let status = Command::new(env!("CARGO"))
            .args([
                "build",
                "--release",
                "--locked",
                "--target",
                "wasm32-unknown-unknown",
            ])
            .arg("--manifest-path")
            .arg(root().join("examples/rust-sieve/Cargo.toml"))
            .arg("--target-dir")
            .arg(&target_dir)
            // The host build's flags are not the guest's.
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env_remove("CARGO_TARGET_DIR")
            .status()
            .unwrap();
        assert!(status.success(), "building examples/rust-sieve: {status}");
        let module = target_dir.join("wasm32-unknown-unknown/release/my_sieve.wasm");
        module.to_str().unwrap().to_owned()
    })
}

/// The example crate builds as the README says, and exports every ABI.
#[test]
fn the_rust_example_builds_and_exports_every_abi() {
    let output = wsim(&["inspect", rust_example()]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains("ABI version: 3 (this wsim speaks it)"),
        "{text}"
    );
    for backend in Backend::ALL {
        if backend.runs() == Runs::Module {
            let abi = backend.name();
            assert!(text.contains(&format!("  {abi:8}  yes")), "{abi}: {text}");
        }
    }
}

/// `wsim inspect` names the ABI version a module speaks, and how far the
/// audit reaches: the C header builds any of the three.
#[test]
#[cfg_attr(
    not(wsim_clang),
    ignore = "clang and wasm-ld are missing: `cargo make setup` installs them on Debian"
)]
fn inspect_names_the_abi_version_a_c_policy_speaks() {
    for (name, version) in [("c-fifo", 3), ("c-fifo-v2", 2), ("c-fifo-v1", 1)] {
        let path = c_plugins().join(format!("{name}.wasm"));
        let output = wsim(&["inspect", path.to_str().unwrap()]);
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{text}");
        assert!(
            text.contains(&format!("ABI version: {version} (this wsim speaks it)")),
            "{name}: {text}"
        );
        let audit = if version == 3 {
            "audit: full"
        } else {
            "audit: partial"
        };
        assert!(text.contains(audit), "{name}: {text}");
        assert!(text.contains("  batch     yes"), "{name}: {text}");
        // Every build of fifo.c names itself as the source says.
        assert!(
            text.contains("policy name: c-fifo (from its `name` export)"),
            "{name}: {text}"
        );
    }
}

/// The Rust example and the C SIEVE, run with `wsim run --wasm` side by
/// side, report the same counts; `wsim inspect` says the C one lacks Pair.
#[test]
#[cfg_attr(
    not(wsim_clang),
    ignore = "clang and wasm-ld are missing: `cargo make setup` installs them on Debian"
)]
fn the_rust_example_agrees_with_the_c_sieve() {
    let rust = rust_example();
    let c = c_plugins().join("c-sieve.wasm");
    let c = c.to_str().unwrap();
    let output = wsim(&["inspect", c]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("  pair      no: "), "{text}");
    assert!(text.contains("`access`"), "{text}");
    assert!(text.contains("  bytemuck  yes"), "{text}");
    assert!(text.contains("  batch     yes"), "{text}");

    let json = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sieves.json");
    let output = wsim(&[
        "run",
        "--requests",
        "50000",
        "--objects",
        "5000",
        "--size",
        "64KiB,1MiB",
        "--backend",
        "bytemuck,batch",
        "--policy",
        "none",
        "--wasm",
        rust,
        "--wasm",
        c,
        "--json",
        json.to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let records: Vec<serde_json::Value> =
        serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
    let of = |policy: &str| -> Vec<(u64, u64, u64)> {
        records
            .iter()
            .filter(|record| record["policy"] == policy)
            .map(|record| {
                let count = |field: &str| record[field].as_u64().unwrap();
                (count("cache_size"), count("hits"), count("evictions"))
            })
            .collect()
    };
    // Two sizes, two ABIs, every runtime.
    // Each named by its policy's `name` export.
    assert_eq!(of("sieve").len(), 2 * 2 * Runtime::built().len());
    assert_eq!(of("sieve"), of("c-sieve"));
}

#[test]
#[cfg_attr(
    not(all(feature = "wasmer", feature = "wasmtime")),
    ignore = "needs both runtimes: the wasmer and wasmtime features"
)]
fn inspect_says_which_runtimes_load_a_module() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typed.wat");
    fs::write(&path, wasmtime_only_module()).unwrap();
    let json = dir.path().join("typed.json");
    let output = wsim(&[
        "inspect",
        path.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("loads on: wasmtime (cranelift)\n"), "{text}");
    assert!(
        text.contains("does not load on wasmer (cranelift): not a valid WebAssembly module"),
        "{text}"
    );
    assert!(text.contains("  pair      yes"), "{text}");
    assert!(
        text.contains("  bincode   no: missing export `alloc`"),
        "{text}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
    let abis: Vec<(&str, &str, bool)> = report["abis"]
        .as_array()
        .unwrap()
        .iter()
        .map(|abi| {
            (
                abi["abi"].as_str().unwrap(),
                abi["runtime"].as_str().unwrap(),
                abi["error"].is_null(),
            )
        })
        .collect();
    assert_eq!(
        abis,
        [
            ("pair", "wasmtime", true),
            ("bincode", "wasmtime", false),
            ("bytemuck", "wasmtime", false),
            ("batch", "wasmtime", false)
        ]
    );

    // Asked about wasmer alone, inspect fails with wasmer's reason.
    let text = wsim_fails(&["inspect", path.to_str().unwrap(), "--runtime", "wasmer"]);
    assert!(
        text.contains("typed.wat: not a valid WebAssembly module"),
        "{text}"
    );

    // A module both load gets one verdict per ABI, and both runtimes listed.
    let path = dir.path().join("plain.wat");
    fs::write(&path, pair_module("(i32.const 0)", "")).unwrap();
    let output = wsim(&["inspect", path.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains("loads on: wasmer (cranelift), wasmtime (cranelift)\n"),
        "{text}"
    );
    assert!(!text.contains("does not load"), "{text}");
    assert!(text.contains("  pair      yes\n"), "{text}");
    assert!(text.contains("access       [I64, I64] -> [I32]"), "{text}");
}

#[test]
fn inspect_refuses_what_is_not_a_policy() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.wat");
    fs::write(&path, "(module (memory (export \"memory\") 1))").unwrap();
    let text = wsim_fails(&["inspect", path.to_str().unwrap()]);
    assert!(
        text.contains("empty.wat: runs under none of wsim's ABIs"),
        "{text}"
    );

    // A module whose `abi_version` never returns: inspect ends, and says why.
    let path = dir.path().join("spin.wat");
    fs::write(
        &path,
        r#"(module (memory (export "memory") 1)
             (func (export "abi_version") (result i32) (loop br 0) (i32.const 1)))"#,
    )
    .unwrap();
    let output = wsim(&["inspect", path.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success());
    assert!(text.contains("ABI version: unknown"), "{text}");
    assert!(text.contains("ran out of fuel"), "{text}");
}
