//! The compiled-module cache and the sandbox limits, through the engine's
//! public API, on every runtime built: a module compiles once, loads from
//! disk afterwards, and an entry that has been damaged is detected and
//! rebuilt, never run.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::fs;
use std::path::{Path, PathBuf};

use wsim_engine::{Cached, Compiler, Engine, Error, Limits, Module, ModuleCache, Origin, Runtime};

/// Doubles its argument; `spin` never returns.
const GUEST: &str = r#"(module
  (memory (export "memory") 1)
  (func (export "double") (param i64) (result i64)
    (i64.mul (local.get 0) (i64.const 2)))
  (func (export "spin") (param i64) (result i64)
    (loop br 0) (i64.const 0)))"#;

fn engine_on(runtime: Runtime, cache: &Path, fuel: Option<u64>) -> Engine {
    let limits = Limits {
        fuel,
        ..Limits::default()
    };
    Engine::with_runtime(runtime, Compiler::Cranelift, limits)
        .unwrap()
        .cached(ModuleCache::new(cache))
}

fn double(module: &Module, x: i64) -> i64 {
    let mut guest = module.instantiate().unwrap();
    let export = guest.export::<i64, i64, Cached>("double").unwrap();
    guest.call(&export, x).unwrap()
}

/// The cache's entries.
fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    entries
}

#[test]
fn a_module_is_compiled_once_then_loaded_from_the_cache() {
    for runtime in Runtime::built() {
        let dir = tempfile::tempdir().unwrap();
        let first = engine_on(runtime, dir.path(), None)
            .compile("g", GUEST.as_bytes())
            .unwrap();
        assert_eq!(*first.origin(), Origin::Stored);
        assert_eq!(entries(dir.path()).len(), 1);

        // A new engine, as a new run would make.
        let second = engine_on(runtime, dir.path(), None)
            .compile("g", GUEST.as_bytes())
            .unwrap();
        assert_eq!(*second.origin(), Origin::Cached);
        assert_eq!(double(&second, 21), 42);

        // Different bytes are a different entry.
        let other = GUEST.replace("i64.const 2", "i64.const 3");
        let third = engine_on(runtime, dir.path(), None)
            .compile("g", other.as_bytes())
            .unwrap();
        assert_eq!(*third.origin(), Origin::Stored);
        assert_eq!(double(&third, 21), 63);
        assert_eq!(entries(dir.path()).len(), 2);
    }
}

#[test]
fn a_damaged_entry_is_rebuilt_not_trusted() {
    for runtime in Runtime::built() {
        let dir = tempfile::tempdir().unwrap();
        engine_on(runtime, dir.path(), None)
            .compile("g", GUEST.as_bytes())
            .unwrap();
        let [entry] = entries(dir.path()).try_into().unwrap();
        let pristine = fs::read(&entry).unwrap();

        // One flipped bit deep in the machine code.
        let mut damaged = pristine.clone();
        let middle = damaged.len() / 2;
        damaged[middle] ^= 0x10;
        fs::write(&entry, &damaged).unwrap();
        let module = engine_on(runtime, dir.path(), None)
            .compile("g", GUEST.as_bytes())
            .unwrap();
        match module.origin() {
            Origin::Rebuilt(reason) => assert!(reason.contains("checksum"), "{reason}"),
            origin => panic!("a damaged entry was {origin:?}"),
        }
        assert_eq!(double(&module, 5), 10);
        // The rebuilt entry replaced the damaged one.
        assert_eq!(fs::read(&entry).unwrap(), pristine);
        let again = engine_on(runtime, dir.path(), None)
            .compile("g", GUEST.as_bytes())
            .unwrap();
        assert_eq!(*again.origin(), Origin::Cached);

        for (broken, expected) in [
            (&pristine[..pristine.len() - 1], "checksum"),
            (&pristine[..20], "truncated"),
            (
                b"not an entry at all".as_slice(),
                "not a wsim module-cache entry",
            ),
        ] {
            fs::write(&entry, broken).unwrap();
            let module = engine_on(runtime, dir.path(), None)
                .compile("g", GUEST.as_bytes())
                .unwrap();
            match module.origin() {
                Origin::Rebuilt(reason) => assert!(reason.contains(expected), "{reason}"),
                origin => panic!("a broken entry was {origin:?}"),
            }
            assert_eq!(double(&module, 4), 8);
        }
    }
}

#[test]
fn metered_and_unmetered_code_are_cached_apart_and_fuel_survives_the_cache() {
    for runtime in Runtime::built() {
        let dir = tempfile::tempdir().unwrap();
        let plain = engine_on(runtime, dir.path(), None)
            .compile("g", GUEST.as_bytes())
            .unwrap();
        let metered = engine_on(runtime, dir.path(), Some(1000))
            .compile("g", GUEST.as_bytes())
            .unwrap();
        assert_eq!(*plain.origin(), Origin::Stored);
        assert_eq!(*metered.origin(), Origin::Stored);
        assert_eq!(entries(dir.path()).len(), 2);

        let cached = engine_on(runtime, dir.path(), Some(1000))
            .compile("g", GUEST.as_bytes())
            .unwrap();
        assert_eq!(*cached.origin(), Origin::Cached);
        assert!(cached.is_metered());
        assert_eq!(double(&cached, 8), 16);
        let mut guest = cached.instantiate().unwrap();
        let spin = guest.export::<i64, i64, Cached>("spin").unwrap();
        match guest.call(&spin, 0) {
            Err(Error::FuelExhausted { budget, export, .. }) => {
                assert_eq!(budget, 1000);
                assert_eq!(export, "spin");
            }
            other => panic!("spin under fuel gave {other:?}"),
        }
        // Fuel is per call: the same instance goes on working.
        let double_export = guest.export::<i64, i64, Cached>("double").unwrap();
        assert_eq!(guest.call(&double_export, 3).unwrap(), 6);
    }
}

#[test]
fn without_a_cache_nothing_is_written() {
    let module = Engine::new(Compiler::Cranelift)
        .unwrap()
        .compile("g", GUEST.as_bytes())
        .unwrap();
    assert_eq!(*module.origin(), Origin::Compiled);
}

#[test]
fn each_runtime_keeps_its_own_entries() {
    let dir = tempfile::tempdir().unwrap();
    for runtime in Runtime::built() {
        let module = engine_on(runtime, dir.path(), None)
            .compile("g", GUEST.as_bytes())
            .unwrap();
        assert_eq!(*module.origin(), Origin::Stored, "{runtime}");
        assert_eq!(module.runtime(), runtime);
        assert_eq!(double(&module, 21), 42);
    }
    assert_eq!(entries(dir.path()).len(), Runtime::built().len());
}

#[test]
fn the_memory_cap_holds_on_every_runtime() {
    // Grows a page at a time and returns the page count memory.grow failed
    // at (-1 from memory.grow is the cap), or traps after 1000 pages.
    const GROWER: &str = r#"(module
      (memory (export "memory") 1)
      (func (export "grow") (param i64) (result i64)
        (block $full (loop $more
          (br_if $full (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
          (br_if $more (i32.lt_u (memory.size) (i32.const 1000)))
          unreachable))
        (i64.extend_i32_u (memory.size))))"#;
    for runtime in Runtime::built() {
        let limits = Limits {
            max_memory: Some(1 << 20),
            ..Limits::default()
        };
        let engine = Engine::with_runtime(runtime, Compiler::Cranelift, limits).unwrap();
        let module = engine.compile("grower", GROWER.as_bytes()).unwrap();
        let mut guest = module.instantiate().unwrap();
        let grow = guest.export::<i64, i64, Cached>("grow").unwrap();
        assert_eq!(
            guest.call(&grow, 0).unwrap(),
            16,
            "{runtime}: 1 MiB is 16 pages"
        );
    }
}

/// The origin's reason when the cache was not trusted; fails otherwise.
#[cfg(unix)]
fn distrusted(module: &Module) -> &str {
    match module.origin() {
        Origin::Untrusted(reason) => reason,
        other => panic!("expected the cache to be distrusted, got {other:?}"),
    }
}

/// Cached machine code runs outside the sandbox: a cache that someone
/// other than this user may write to is neither read nor written.
#[cfg(unix)]
#[test]
fn a_cache_others_may_write_to_is_not_used() {
    use std::os::unix::fs::PermissionsExt;

    let mode = |path: &Path| fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let set_mode =
        |path: &Path, mode| fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    let other = GUEST.replace("i64.const 2", "i64.const 3");
    for runtime in Runtime::built() {
        let parent = tempfile::tempdir().unwrap();
        let cache = parent.path().join("cache");
        let compile = |text: &str| {
            engine_on(runtime, &cache, None)
                .compile("g", text.as_bytes())
                .unwrap()
        };
        assert_eq!(*compile(GUEST).origin(), Origin::Stored);
        // wsim makes the directory, and writes the entry, for this user alone.
        assert_eq!(mode(&cache), 0o700);
        let entry = entries(&cache).pop().unwrap();
        assert_eq!(mode(&entry) & 0o077, 0);

        set_mode(&cache, 0o777);
        let module = compile(GUEST);
        let reason = distrusted(&module);
        assert!(
            reason.contains("the directory")
                && reason.contains("may be written by everyone (mode 777)")
                && reason.contains("chmod go-w"),
            "{reason}"
        );
        assert_eq!(double(&module, 21), 42);
        // Nor is anything written there.
        assert!(distrusted(&compile(&other)).contains("mode 777"));
        assert_eq!(entries(&cache).len(), 1);

        set_mode(&cache, 0o770);
        assert!(distrusted(&compile(GUEST)).contains("may be written by its group (mode 770)"));

        // This user's alone again: the entry is used.
        set_mode(&cache, 0o700);
        assert_eq!(*compile(GUEST).origin(), Origin::Cached);

        // An entry others may write to is not read: it is rebuilt, this
        // user's alone again.
        set_mode(&entry, 0o666);
        match compile(GUEST).origin() {
            Origin::Rebuilt(reason) => assert!(
                reason.contains("the entry may be written by everyone (mode 666)"),
                "{reason}"
            ),
            other => panic!("expected a rebuilt entry, got {other:?}"),
        }
        assert_eq!(mode(&entry), 0o600);
        assert_eq!(*compile(GUEST).origin(), Origin::Cached);

        // Nor is a symbolic link followed, wherever it points.
        let elsewhere = parent.path().join("elsewhere");
        fs::rename(&entry, &elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, &entry).unwrap();
        match compile(GUEST).origin() {
            Origin::Rebuilt(reason) => assert!(reason.contains("symbolic link"), "{reason}"),
            other => panic!("expected a rebuilt entry, got {other:?}"),
        }
        assert!(!fs::symlink_metadata(&entry).unwrap().is_symlink());
        assert_eq!(*compile(GUEST).origin(), Origin::Cached);

        // A FIFO in an entry's place, which a plain open would wait on for
        // ever, is refused at once.
        fs::remove_file(&entry).unwrap();
        let made = std::process::Command::new("mkfifo").arg(&entry).status();
        if made.is_ok_and(|status| status.success()) {
            match compile(GUEST).origin() {
                Origin::Rebuilt(reason) => {
                    assert!(reason.contains("not a regular file"), "{reason}");
                }
                other => panic!("expected a rebuilt entry, got {other:?}"),
            }
        } else {
            compile(GUEST);
        }
        assert_eq!(*compile(GUEST).origin(), Origin::Cached);

        // An entry of another user's (only root may give one away).
        if std::os::unix::fs::chown(&entry, Some(4242), None).is_ok() {
            match compile(GUEST).origin() {
                Origin::Rebuilt(reason) => assert!(
                    reason.contains("the entry belongs to user 4242"),
                    "{reason}"
                ),
                other => panic!("expected a rebuilt entry, got {other:?}"),
            }
        }

        // A directory of another user's (only root may give one away).
        if std::os::unix::fs::chown(&cache, Some(4242), None).is_ok() {
            assert!(
                distrusted(&compile(GUEST)).contains("belongs to user 4242"),
                "{cache:?}"
            );
        }
    }
}
