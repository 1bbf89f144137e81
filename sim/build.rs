//! Tells the integration tests (attached to this package) whether clang and
//! wasm-ld are here to build the C policy plugins: `cfg(wsim_clang)`. The
//! C plugin tests are ignored without them, and say why, rather than pass
//! without running. `WSIM_REQUIRE_CLANG=1` sets the cfg regardless, so the
//! tests run and fail where the tools are missing.

use std::env;
use std::path::Path;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(wsim_clang)");
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rerun-if-env-changed=WSIM_REQUIRE_CLANG");
    let on_path = |tool: &str| {
        env::var_os("PATH").is_some_and(|path| {
            env::split_paths(&path).any(|dir| Path::new(&dir).join(tool).is_file())
        })
    };
    if env::var_os("WSIM_REQUIRE_CLANG").is_some() || (on_path("clang") && on_path("wasm-ld")) {
        println!("cargo::rustc-cfg=wsim_clang");
    }
}
