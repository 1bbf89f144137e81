//! Builds the WebAssembly guests (`guests/`, one module per policy) for
//! `wasm32-unknown-unknown` and leaves them in `OUT_DIR`, where `src/guests.rs`
//! embeds them. `cargo build`, `cargo test` and `cargo run` all go through
//! here, so the guests are always built from the current policy source.
//!
//! With the `wasmtime` feature it also makes the Component Model guests:
//! each `*-component` module (built by wit-bindgen against `wit/`) is turned
//! into a component by the wit-component crate, here, so no tool outside
//! the registries and no hand step is involved.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const TARGET: &str = "wasm32-unknown-unknown";

/// `(package, module file)` of every guest.
const GUESTS: &[(&str, &str)] = &[
    ("wsim_guest_fifo", "fifo.wasm"),
    ("wsim_guest_lru", "lru.wasm"),
    ("wsim_guest_lfu", "lfu.wasm"),
    ("wsim_guest_gdsize", "gdsize.wasm"),
    ("wsim_guest_multiply", "multiply.wasm"),
    ("wsim_guest_panicky", "panicky.wasm"),
];

/// `(package, component file)` of every Component Model guest.
const COMPONENTS: &[(&str, &str)] = &[
    ("wsim_guest_fifo_component", "fifo.component.wasm"),
    ("wsim_guest_lru_component", "lru.component.wasm"),
    ("wsim_guest_lfu_component", "lfu.component.wasm"),
    ("wsim_guest_gdsize_component", "gdsize.component.wasm"),
    ("wsim_guest_multiply_component", "multiply.component.wasm"),
];

fn main() -> ExitCode {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let guests = manifest_dir.join("guests");
    println!(
        "cargo::rerun-if-changed={}",
        guests.join("Cargo.toml").display()
    );
    println!(
        "cargo::rerun-if-changed={}",
        guests.join("Cargo.lock").display()
    );
    for guest in [
        "fifo",
        "lru",
        "lfu",
        "gdsize",
        "multiply",
        "panicky",
        "component",
        "fifo-component",
        "lru-component",
        "lfu-component",
        "gdsize-component",
        "multiply-component",
    ] {
        println!("cargo::rerun-if-changed={}", guests.join(guest).display());
    }
    println!(
        "cargo::rerun-if-changed={}",
        manifest_dir.join("wit").display()
    );
    let policies = manifest_dir.join("../policies");
    println!(
        "cargo::rerun-if-changed={}",
        policies.join("Cargo.toml").display()
    );
    println!("cargo::rerun-if-changed={}", policies.join("src").display());
    if env::var_os("CARGO_FEATURE_WASM").is_none() {
        return ExitCode::SUCCESS;
    }
    match build(&guests) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: building the WebAssembly guests: {message}");
            ExitCode::FAILURE
        }
    }
}

fn build(guests: &Path) -> Result<(), String> {
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    ensure_target()?;
    let target_dir = out_dir.join("guests-target");
    let mut command = Command::new(&cargo);
    command
        .args([
            "build",
            "--release",
            "--locked",
            "--target",
            TARGET,
            "--manifest-path",
        ])
        .arg(guests.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target_dir);
    // Flags and wrappers meant for the host build must not reach the guests.
    for variable in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "CARGO_TARGET_DIR",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_PROFILE_RELEASE_DEBUG",
    ] {
        command.env_remove(variable);
    }
    let status = command
        .status()
        .map_err(|error| format!("cannot run {}: {error}", cargo.to_string_lossy()))?;
    if !status.success() {
        return Err(format!(
            "cargo build of {} failed ({status})",
            guests.display()
        ));
    }
    let built = target_dir.join(TARGET).join("release");
    for (package, module) in GUESTS {
        let from = built.join(format!("{package}.wasm"));
        std::fs::copy(&from, out_dir.join(module))
            .map_err(|error| format!("copy {}: {error}", from.display()))?;
    }
    if env::var_os("CARGO_FEATURE_WASMTIME").is_some() {
        for (package, component) in COMPONENTS {
            let from = built.join(format!("{package}.wasm"));
            let module = std::fs::read(&from)
                .map_err(|error| format!("read {}: {error}", from.display()))?;
            let bytes = componentize(&module)
                .map_err(|error| format!("making a component of {}: {error}", from.display()))?;
            std::fs::write(out_dir.join(component), bytes)
                .map_err(|error| format!("write {component}: {error}"))?;
        }
    }
    Ok(())
}

/// A core module built by wit-bindgen, as a component: wit-component reads
/// the world wit-bindgen embedded in a custom section, wraps the module in
/// the canonical ABI's lifts and lowers, and validates the result.
#[cfg(feature = "wasmtime")]
fn componentize(module: &[u8]) -> Result<Vec<u8>, String> {
    wit_component::ComponentEncoder::default()
        .module(module)
        .and_then(|encoder| encoder.validate(true).encode())
        .map_err(|error| format!("{error:#}"))
}

#[cfg(not(feature = "wasmtime"))]
fn componentize(_: &[u8]) -> Result<Vec<u8>, String> {
    Err("the wasmtime feature is off".to_owned())
}

/// Adds the wasm32 target through rustup when it is missing: the one install
/// step cargo cannot do itself.
fn ensure_target() -> Result<(), String> {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let installed = Command::new(&rustc)
        .args(["--print", "target-libdir", "--target", TARGET])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()))
        .is_some_and(|libdir| libdir.exists());
    if installed {
        return Ok(());
    }
    println!("cargo::warning=adding the {TARGET} target with rustup (the guests are built for it)");
    let added = Command::new("rustup")
        .args(["target", "add", TARGET])
        .status()
        .is_ok_and(|status| status.success());
    if added {
        Ok(())
    } else {
        Err(format!(
            "the {TARGET} target is missing and `rustup target add {TARGET}` failed; \
             install it, or build without the `wasmer` and `wasmtime` features (native only)"
        ))
    }
}
