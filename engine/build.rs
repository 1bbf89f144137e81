//! Records the wasmer and wasmtime versions this build links, for the
//! compiled-module cache's keys: a serialized module is only valid for the
//! runtime that wrote it, and cargo tells a build script its dependencies'
//! versions only through the lock file.

fn main() {
    let lock = std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default())
        .join("../Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock.display());
    let text = std::fs::read_to_string(&lock).unwrap_or_default();
    for (package, variable) in [
        ("wasmer", "WSIM_WASMER_VERSION"),
        ("wasmtime", "WSIM_WASMTIME_VERSION"),
    ] {
        let name = format!("name = \"{package}\"");
        let version = text
            .split("[[package]]")
            .find_map(|entry| {
                let mut lines = entry.lines().map(str::trim);
                lines.find(|line| *line == name)?;
                lines
                    .find_map(|line| line.strip_prefix("version = \""))
                    .map(|rest| rest.trim_end_matches('"').to_owned())
            })
            // Without a lock file the key still differs from any versioned one.
            .unwrap_or_else(|| "unknown".to_owned());
        println!("cargo:rustc-env={variable}={version}");
    }
}
