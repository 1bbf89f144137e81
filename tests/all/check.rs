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
