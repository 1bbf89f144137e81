//! What a WebAssembly guest may use (fuel, a deadline, memory, module
//! size) and where compiled guests are kept: `--fuel`, `--deadline`,
//! `--max-memory` and the module cache, as `run`, `mrc` and `check` take them.

use std::path::PathBuf;

use clap::Args;

/// What a WebAssembly guest may use, and where compiled guests are kept.
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Fuel per call into a guest (about one point per WebAssembly
    /// instruction; a call that spends it all fails), or `off`. A list runs
    /// each setting, to measure what fuel costs
    /// [default: off for the built-in policies, 1000000000 for --wasm modules]
    #[arg(long, value_name = "N|off", value_delimiter = ',', value_parser = parse_fuel)]
    pub(crate) fuel: Vec<Fuel>,

    /// Wall-clock time each run of a guest may take (e.g. 2s, 500ms),
    /// instantiation included: a guest still running then is stopped
    /// (wasmtime: epoch interruption; wasmer: its host interrupt), within
    /// about 10 ms. wasmer keeps it only in a wsim built with `--features
    /// wasmer-deadline`, which makes its every call dearer; without, a run
    /// that names no --runtime leaves wasmer out
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) deadline: Option<std::time::Duration>,

    /// Check every answer of every run against the cache contract, from the
    /// evictions the cache reports (a hit only for an object held, a miss
    /// only for one not held, evictions only of objects held, never more
    /// than the capacity held, stats that agree); a module that cannot
    /// report them (ABI version 1 or 2) is refused. The first violation
    /// stops that run [default: on for --wasm modules, which without
    /// reports get the checks that need none; off for the built-in
    /// policies]
    #[arg(long, conflicts_with = "no_audit")]
    pub(crate) audit: bool,

    /// Check no run's answers, not even a --wasm module's
    #[arg(long)]
    pub(crate) no_audit: bool,

    /// Memory each guest instance may grow to (e.g. 256MiB, 4GiB)
    #[arg(long, value_name = "SIZE", default_value = "1GiB", value_parser = parse_memory_cap)]
    pub(crate) max_memory: u64,

    /// Largest module file --wasm accepts
    #[arg(long, value_name = "SIZE", default_value = "32MiB", value_parser = parse_nonzero_bytes)]
    pub(crate) max_module_size: u64,

    /// Keep compiled guests in DIR [default: $WSIM_CACHE_DIR, else
    /// $XDG_CACHE_HOME/wsim, else ~/.cache/wsim]
    #[arg(long, value_name = "DIR", conflicts_with = "no_module_cache")]
    pub(crate) module_cache: Option<PathBuf>,

    /// Compile every guest afresh and keep nothing on disk
    #[arg(long)]
    pub(crate) no_module_cache: bool,
}

/// One `--fuel` setting: a budget per call, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fuel(pub(crate) Option<u64>);

fn parse_fuel(text: &str) -> Result<Fuel, String> {
    match text.trim() {
        "off" | "none" => Ok(Fuel(None)),
        number => match number.replace('_', "").parse::<u64>() {
            Ok(0) => Err("fuel must be at least 1, or `off`".to_owned()),
            Ok(budget) => Ok(Fuel(Some(budget))),
            Err(_) => Err(format!(
                "`{number}` is not a fuel budget: a whole number of points, or `off`"
            )),
        },
    }
}

fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let scale = match unit.trim() {
        "ms" => 1e-3,
        "s" | "" => 1.0,
        "min" | "m" => 60.0,
        other => return Err(format!("`{other}` is not a unit of time: ms, s or min")),
    };
    match number.parse::<f64>() {
        Ok(value) if value > 0.0 && (value * scale).is_finite() => {
            Ok(std::time::Duration::from_secs_f64(value * scale))
        }
        _ => Err(format!(
            "`{text}` is not a duration above 0, e.g. 2s or 500ms"
        )),
    }
}

fn parse_nonzero_bytes(text: &str) -> Result<u64, String> {
    match crate::units::parse_bytes(text)? {
        0 => Err("must be above 0".to_owned()),
        bytes => Ok(bytes),
    }
}

/// A memory cap: at least one 64 KiB page, at most wasm32's 4 GiB.
fn parse_memory_cap(text: &str) -> Result<u64, String> {
    let bytes = crate::units::parse_bytes(text)?;
    if !(64 << 10..=4 << 30).contains(&bytes) {
        return Err(format!(
            "`{text}`: a guest's memory cap lies between 64KiB (one page) and 4GiB (all wasm32 can address)"
        ));
    }
    Ok(bytes)
}
