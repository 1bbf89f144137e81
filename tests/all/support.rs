//! What the tests share: replaying traces under every backend, reading
//! traces whole, and the paths of the checked-in sample traces.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use std::sync::OnceLock;

pub(crate) use wsim_backends::Replay;
use wsim_backends::{
    Backend, Code, Engine, Limits, LookupKind, Module, Native, Runs, Runtime, guests,
};
use wsim_policies::{
    CachePolicy, Eviction, EvictionPolicy, Params, PolicyKind, PolicyVisitor, Request,
};
use wsim_traces::{CsvOptions, RequestReader, Trace, TraceFile, TraceFormat};

/// Runs `requests` through `policy` at `capacity` under every backend of
/// the registry this build has, natively first, and returns each
/// backend's name and replay: every core-module ABI with both lookups on
/// every runtime and compiler built, and every Component Model shape.
/// Natively it also checks the policy's invariants: after each of the first
/// 1,000 requests, every 1,000th after that, and at the end. Tests compare
/// the replays with each other and with what they expect, so a backend
/// added to the registry is covered by every test that calls this.
pub(crate) fn replay_everywhere(
    policy: PolicyKind,
    capacity: u64,
    requests: &[Request],
) -> Vec<(String, Replay)> {
    // Every request carries its next access, as a run gives it to a policy
    // that needs it: so every backend carries it across, and future-aware
    // policies are compared like the others.
    let with_next: Vec<Request>;
    let requests = if requests
        .iter()
        .all(|request| request.next_access == Request::NEVER)
    {
        let next = wsim_traces::next_accesses(requests.iter().map(|request| request.id));
        with_next = requests
            .iter()
            .zip(next)
            .map(|(request, next)| request.next_at(next))
            .collect();
        &with_next[..]
    } else {
        requests
    };
    let mut replays = vec![(
        Backend::Native.name().to_owned(),
        replay_native_kind(policy, capacity, requests),
    )];
    for (name, backend, code) in sandboxes(policy) {
        replays.push((name, replay(backend, &code, capacity, requests)));
    }
    replays
}

/// `policy` natively ([`replay_native`]), invariants checked as it goes.
pub(crate) fn replay_native_kind(
    policy: PolicyKind,
    capacity: u64,
    requests: &[Request],
) -> Replay {
    struct Natively<'a> {
        capacity: u64,
        requests: &'a [Request],
    }
    impl PolicyVisitor for Natively<'_> {
        type Output = Replay;
        fn visit<P: EvictionPolicy + 'static>(self) -> Replay {
            replay_native::<P>(self.capacity, self.requests)
        }
    }
    policy.visit(Natively { capacity, requests })
}

/// Every sandboxed way to run `policy` this build has, named: each
/// module backend on every runtime and compiler with both lookups, and the
/// Component Model shapes.
pub(crate) fn sandboxes(policy: PolicyKind) -> Vec<(String, Backend, Code)> {
    let mut sandboxes = Vec::new();
    for backend in Backend::built() {
        match backend.runs() {
            Runs::Native => {}
            Runs::Module => {
                for module in guest_modules(policy) {
                    for lookup in LookupKind::ALL {
                        let name = format!(
                            "{backend} {lookup} ({} {})",
                            module.runtime(),
                            module.compiler()
                        );
                        sandboxes.push((name, backend, Code::Module(module.clone(), lookup)));
                    }
                }
            }
            Runs::Component =>
            {
                #[cfg(feature = "wasmtime")]
                if let Some(host) = Runtime::hosting_components() {
                    let code = Code::Component(guest_component(policy).clone());
                    sandboxes.push((format!("{backend} ({host})"), backend, code));
                }
            }
        }
    }
    sandboxes
}

/// Replays `requests` through `code` under `backend` ([`Backend::replay`]),
/// panicking with the backend's name on an error.
pub(crate) fn replay(backend: Backend, code: &Code, capacity: u64, requests: &[Request]) -> Replay {
    backend
        .replay(code, capacity, &Params::default(), requests)
        .unwrap_or_else(|error| panic!("{backend}: {error}"))
}

/// The built-in component of `policy`, compiled once per test process.
#[cfg(feature = "wasmtime")]
pub(crate) fn guest_component(policy: PolicyKind) -> &'static wsim_backends::Component {
    static COMPONENTS: OnceLock<Vec<wsim_backends::Component>> = OnceLock::new();
    let components = COMPONENTS.get_or_init(|| {
        let host = Runtime::hosting_components().expect("wasmtime is built");
        let engine = Engine::with_runtime(host, host.compilers()[0], Limits::default())
            .expect("the component runtime is built");
        PolicyKind::ALL
            .iter()
            .map(|&policy| {
                engine
                    .compile_component(
                        &guests::component_name(policy),
                        guests::component_bytes(policy),
                    )
                    .expect("the built-in components compile")
            })
            .collect()
    });
    &components[policy.index()]
}

/// An engine for every runtime and compiler this build includes: wasmer
/// with Cranelift, and with Singlepass under the `singlepass` feature (which
/// `cargo make test` turns on); wasmtime with Cranelift.
pub(crate) fn engines() -> Vec<Engine> {
    let mut engines = Vec::new();
    for runtime in Runtime::built() {
        for &compiler in runtime.compilers() {
            if compiler.is_built() {
                engines.push(
                    Engine::with_runtime(runtime, compiler, Limits::default())
                        .expect("a built runtime and compiler"),
                );
            }
        }
    }
    engines
}

/// The built-in guest of `policy` under every runtime and compiler,
/// compiled once per test process.
pub(crate) fn guest_modules(policy: PolicyKind) -> &'static [Module] {
    static MODULES: OnceLock<Vec<Vec<Module>>> = OnceLock::new();
    let modules = MODULES.get_or_init(|| {
        let engines = engines();
        PolicyKind::ALL
            .iter()
            .map(|&policy| {
                engines
                    .iter()
                    .map(|engine| {
                        engine
                            .compile(&guests::module_name(policy), guests::module_bytes(policy))
                            .expect("the built-in guests compile")
                    })
                    .collect()
            })
            .collect()
    });
    &modules[policy.index()]
}

pub(crate) fn replay_native<P: EvictionPolicy>(capacity: u64, requests: &[Request]) -> Replay {
    let mut native = Native::<P>::new(capacity);
    let mut hits = Vec::with_capacity(requests.len());
    let reported_from = Replay::reported_from(requests.len());
    let (mut answers, mut evictions) = (Vec::new(), Vec::new());
    let (mut answer, mut evicted) = (Vec::new(), Vec::new());
    for (index, &request) in requests.iter().enumerate() {
        if index < reported_from {
            let Ok(hit) = native.access(request);
            hits.push(hit);
        } else {
            let Ok(()) = native.access_reported(&[request], &mut answer, &mut evicted);
            let at = u32::try_from(index - reported_from).unwrap();
            evictions.extend(evicted.iter().map(|&gone| Eviction {
                request: at,
                ..gone
            }));
            answers.extend_from_slice(&answer);
            hits.push(answer[0].is_hit());
        }
        let checked = index < 1_000 || index % 1_000 == 0 || index + 1 == requests.len();
        if checked && let Err(error) = native.cache().check_invariants() {
            panic!("{} after request {index} ({request:?}): {error}", P::NAME);
        }
    }
    let Ok(stats) = native.stats();
    Replay {
        hits,
        stats,
        answers,
        evictions,
    }
}

/// Runs `requests` through `policy` under every backend and asserts they
/// all agree; returns the common replay.
pub(crate) fn replay_agreed(policy: PolicyKind, capacity: u64, requests: &[Request]) -> Replay {
    let mut replays = replay_everywhere(policy, capacity, requests).into_iter();
    let (_, native) = replays.next().expect("native always runs");
    for (backend, replay) in replays {
        assert_eq!(
            replay.stats, native.stats,
            "{policy} at {capacity}: {backend} stats differ from native"
        );
        assert_eq!(
            replay.hits, native.hits,
            "{policy} at {capacity}: {backend} hits differ from native"
        );
        assert_eq!(
            replay.answers, native.answers,
            "{policy} at {capacity}: {backend} reports other answers than native"
        );
        assert_eq!(
            replay.evictions, native.evictions,
            "{policy} at {capacity}: {backend} reports other evictions than native"
        );
    }
    native
}

/// The sample traces, `traces/samples/`.
pub(crate) fn traces_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../traces/samples")
}

/// Opens a trace file with default CSV options.
pub(crate) fn open(
    path: &Path,
    format: Option<TraceFormat>,
    ignore_size: bool,
) -> Result<Trace, wsim_traces::Error> {
    open_csv(path, format, CsvOptions::default(), ignore_size)
}

/// Opens a trace file.
pub(crate) fn open_csv(
    path: &Path,
    format: Option<TraceFormat>,
    csv: CsvOptions,
    ignore_size: bool,
) -> Result<Trace, wsim_traces::Error> {
    Ok(Trace::from_file(
        TraceFile::new(path, format, csv)?,
        ignore_size,
    ))
}

/// Every request of a trace and the count of size-0 requests skipped.
pub(crate) fn read_all(trace: &Trace) -> Result<(Vec<Request>, u64), wsim_traces::Error> {
    let mut reader = trace.reader()?;
    let mut all = Vec::new();
    let mut chunk = Vec::new();
    loop {
        reader.fill(&mut chunk)?;
        if chunk.is_empty() {
            return Ok((all, reader.skipped()));
        }
        all.extend_from_slice(&chunk);
    }
}

/// Parses `"MMHM"` into hit flags.
pub(crate) fn pattern(text: &str) -> Vec<bool> {
    text.chars()
        .map(|outcome| match outcome {
            'H' => true,
            'M' => false,
            other => panic!("pattern letters are H and M, not {other}"),
        })
        .collect()
}

/// Runs the `wsim` binary with `args`. Compiled guests go to a module
/// cache inside the target directory, shared by every test, so the tests
/// neither write to the user's cache nor depend on it.
pub(crate) fn wsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wsim"))
        .args(args)
        .env("WSIM_CACHE_DIR", test_module_cache())
        .output()
        .expect("run wsim")
}

/// The module cache the tests' `wsim` runs share.
pub(crate) fn test_module_cache() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("module-cache")
}

/// Runs wsim expecting a clean failure: a non-zero exit and an error on
/// stderr with no sign of a Rust panic in the host. Returns stderr.
pub(crate) fn wsim_fails(args: &[&str]) -> String {
    let output = wsim(args);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        !output.status.success(),
        "{args:?} should fail; stdout:\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert!(
        !stderr.contains("panicked at") && !stderr.contains("RUST_BACKTRACE"),
        "{args:?}: the host panicked:\n{stderr}"
    );
    assert!(stderr.contains("error"), "{args:?}: {stderr}");
    stderr
}

/// A Pair-ABI policy module that misses every request, with `body` as its
/// `access` export's body and `extra` added to the module. Each hostile
/// fixture breaks one thing and keeps the rest valid.
pub(crate) fn pair_module(access_body: &str, extra: &str) -> String {
    format!(
        r#"(module
  (memory (export "memory") 1)
  (global $requests (mut i64) (i64.const 0))
  (global $bytes (mut i64) (i64.const 0))
  (func (export "abi_version") (result i32) (i32.const 1))
  (func (export "init") (param i64) (result i32) (i32.const 0))
  (func (export "access") (param $id i64) (param $size i64) (result i32)
    (global.set $requests (i64.add (global.get $requests) (i64.const 1)))
    (global.set $bytes (i64.add (global.get $bytes) (local.get $size)))
    {access_body})
  (func (export "stats") (result i32)
    (i64.store (i32.const 0) (global.get $requests))
    (i64.store (i32.const 16) (global.get $bytes))
    (i32.const 0))
  {extra})"#
    )
}

/// A Pair-ABI module that wasmtime loads and wasmer refuses: it declares a
/// function taking a typed function reference (`(ref $t)`), a proposal
/// wasmtime 48 accepts and wasmer 7.4 does not.
pub(crate) fn wasmtime_only_module() -> String {
    pair_module(
        "(i32.const 0)",
        "(type $t (func)) (func $call (param $f (ref $t)) (call_ref $t (local.get $f)))",
    )
}

/// Writes `text` to `name` in a fresh directory.
pub(crate) fn fixture(name: &str, text: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    fs::write(&path, text).unwrap();
    (dir, path)
}
