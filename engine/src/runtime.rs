//! What a runtime gives the engine ([`WasmRuntime`]), and what every
//! runtime shares: the ways a call or an export lookup fails, and the
//! words errors use for them.
//!
//! A runtime is one module implementing [`WasmRuntime`] (`wasmer_runtime`,
//! `wasmtime_runtime`) and one line in the registry at the top of
//! `lib.rs`; the public [`Engine`](crate::Engine), [`Module`](crate::Module)
//! and [`Guest`](crate::Guest) reach it only through the enums the
//! registry generates, never by name.

use crate::types::{Params, Results};
use crate::{Compiler, Error, Limits, ModuleCache, Origin};

/// One WebAssembly runtime under the engine. Every method is the runtime's
/// own way of doing one thing the engine needs; limits, errors and the
/// module cache mean the same on every runtime.
pub(crate) trait WasmRuntime: 'static {
    /// A compiling engine, for one compiler and one set of limits.
    type Engine: Clone;
    /// A compiled module.
    type Module: Clone;
    /// An instance with its store and memory.
    type Guest;
    /// A typed function export of an instance.
    type Function<P: Params, R: Results>: Clone;
    /// A typed function with the store it is called in, and nothing of
    /// wsim around it: the micro-benchmark's "bare call".
    type Bare<P: Params, R: Results>;

    /// An engine for `compiler` whose guests are held to `limits`.
    fn engine(compiler: Compiler, limits: &Limits) -> Result<Self::Engine, Error>;

    /// Whether one engine made for `limits` compiles any number of
    /// modules (a wasmer metering middleware instruments one module only).
    fn engine_serves_many(limits: &Limits) -> bool;

    /// Compiles `bytes` (binary or text), through `cache` when given one.
    fn compile(
        engine: &Self::Engine,
        compiler: Compiler,
        limits: &Limits,
        cache: Option<&ModuleCache>,
        name: &str,
        bytes: &[u8],
    ) -> Result<(Self::Module, Origin), Error>;

    /// The functions `module` imports, as `module.name`.
    fn imports(module: &Self::Module) -> Vec<String>;

    /// `module`'s exports and their types, as wsim spells them on every
    /// runtime; anything the engine added for metering left out.
    fn exports(module: &Self::Module, metered: bool) -> Vec<(String, String)>;

    /// Whether `module` exports a function `name`.
    fn exports_function(module: &Self::Module, name: &str) -> bool;

    /// The pages the memory `module` exports as `memory` starts with.
    fn initial_pages(module: &Self::Module) -> Option<u64>;

    /// An instance of `module` in a store of its own, held to `limits`,
    /// with its memory found.
    fn instantiate(
        engine: &Self::Engine,
        module: &Self::Module,
        limits: &Limits,
        name: &str,
    ) -> Result<Self::Guest, Error>;

    /// The function export `name`, typed `P -> R`.
    fn typed_function<P: Params, R: Results>(
        guest: &mut Self::Guest,
        name: &str,
    ) -> Result<Self::Function<P, R>, ExportProblem>;

    /// Calls `function`, with a full fuel budget when metered.
    fn call<P: Params, R: Results>(
        guest: &mut Self::Guest,
        function: &Self::Function<P, R>,
        params: P,
    ) -> Result<R, CallFailure>;

    /// Bytes of linear memory now.
    fn memory_size(guest: &Self::Guest) -> u64;

    /// Copies `bytes` in at `offset`; `false` if out of bounds.
    fn write(guest: &mut Self::Guest, offset: u64, bytes: &[u8]) -> bool;

    /// Copies `buffer.len()` bytes out from `offset`; `false` if out of
    /// bounds.
    fn read(guest: &Self::Guest, offset: u64, buffer: &mut [u8]) -> bool;

    /// A fresh instance of `module` (no limits, no fuel) and its export
    /// `name` as the runtime's own typed function.
    fn bare<P: Params, R: Results>(
        engine: &Self::Engine,
        module: &Self::Module,
        name: &str,
    ) -> Result<Self::Bare<P, R>, String>;

    /// Calls a bare function the runtime's own way.
    fn call_bare<P: Params, R: Results>(
        bare: &mut Self::Bare<P, R>,
        params: P,
    ) -> Result<R, String>;
}

/// Why an export could not be had.
pub(crate) enum ExportProblem {
    /// There is no export of that name.
    Missing,
    /// There is one, of another kind or signature.
    WrongType {
        /// What it is.
        found: String,
    },
}

/// Why a call into a guest failed.
pub(crate) enum CallFailure {
    /// It spent its fuel.
    OutOfFuel,
    /// It trapped; the runtime's words for it.
    Trap(String),
    /// The run's deadline came while it ran.
    Deadline,
}

/// The error for an export of `module` that could not be had.
pub(crate) fn export_error(
    module: &str,
    export: &str,
    expected: &str,
    problem: ExportProblem,
) -> Error {
    match problem {
        ExportProblem::Missing => Error::MissingExport {
            module: module.to_owned(),
            export: export.to_owned(),
        },
        ExportProblem::WrongType { found } => Error::WrongType {
            module: module.to_owned(),
            export: export.to_owned(),
            expected: expected.to_owned(),
            found,
        },
    }
}

/// The error for a call to `export` that failed: out of fuel, or a trap,
/// with a word on the memory cap when `memory` (size, cap) stands at it.
#[cold]
pub(crate) fn call_error(
    module: &str,
    export: &str,
    limits: &Limits,
    failure: CallFailure,
    memory: Option<(u64, u64)>,
) -> Error {
    let module = module.to_owned();
    let export = export.to_owned();
    match (failure, limits.fuel) {
        (CallFailure::Deadline, _) => Error::DeadlineExceeded {
            module,
            export,
            deadline: limits.deadline.unwrap_or_default(),
        },
        (CallFailure::OutOfFuel, Some(budget)) => Error::FuelExhausted {
            module,
            export,
            budget,
        },
        (CallFailure::OutOfFuel, None) => Error::Trap {
            module,
            export,
            reason: "ran out of fuel".to_owned(),
        },
        (CallFailure::Trap(mut reason), _) => {
            if let Some((size, cap)) = memory
                && size + 65536 > cap
            {
                reason = format!(
                    "{reason} (its memory stands at the cap of {cap} bytes: a guest whose \
                     allocation fails traps like this)"
                );
            }
            Error::Trap {
                module,
                export,
                reason,
            }
        }
    }
}

/// A memory type in words, alike on every runtime.
pub(crate) fn describe_memory(minimum: u32, maximum: Option<u32>) -> String {
    let maximum = maximum.map_or_else(
        || "no maximum".to_owned(),
        |pages| format!("at most {pages} pages"),
    );
    format!("memory: {minimum} pages (64 KiB each) at start, {maximum}")
}

/// The token of WebAssembly text `bytes` at 1-based `line` and `column`:
/// up to the next space or parenthesis, at most 32 characters, control
/// characters never; `None` past the end.
fn token_at(bytes: &[u8], line: usize, column: usize) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    let rest: String = text
        .lines()
        .nth(line.checked_sub(1)?)?
        .chars()
        .skip(column.checked_sub(1)?)
        .collect();
    let mut chars = rest.chars();
    let first = chars.next()?;
    let token: String = if "()".contains(first) {
        first.to_string()
    } else {
        rest.chars()
            .take_while(|c| !c.is_whitespace() && !"()".contains(*c))
            .take(32)
            .collect()
    };
    (!token.is_empty() && !token.chars().any(char::is_control)).then_some(token)
}

/// Why `bytes` did not compile, on one line. Both runtimes read WebAssembly
/// text too, and wasmer renders a text error as a multi-line snippet: this
/// keeps its first line and the place it points at, and says which of the
/// two forms the bytes were taken for.
#[cold]
pub(crate) fn compile_failure(bytes: &[u8], error: &str) -> String {
    let mut lines = error.lines();
    let first = lines.next().unwrap_or("no reason given").trim();
    let first = first
        .strip_prefix("WebAssembly translation error: ")
        .unwrap_or(first);
    if bytes.starts_with(b"\0asm") {
        return first.to_owned();
    }
    // Text that parsed into a module the runtime then refused: the words
    // are the validator's (wasmer says "Validation error", wasmtime "failed
    // to parse WebAssembly module").
    if first.starts_with("Validation error") || first.starts_with("failed to parse WebAssembly") {
        return format!("WebAssembly text that does not validate: {first}");
    }
    // wasmtime validates some proposals it was built without (threads,
    // wide arithmetic) and refuses them when it compiles; wasmer's
    // Singlepass compiles no SIMD ("Compilation error: not yet implemented").
    if first.starts_with("failed to compile") || first.starts_with("Compilation error") {
        return format!("WebAssembly text that does not compile: {first}");
    }
    let first = first
        .strip_prefix("Error when converting wat: ")
        .unwrap_or(first);
    let place = lines
        .find_map(|line| line.trim().strip_prefix("--> "))
        .and_then(|place| {
            // `<anon>:LINE:COLUMN`
            let mut parts = place.rsplitn(3, ':');
            let column = parts.next()?;
            let line = parts.next()?;
            let near = token_at(bytes, line.parse().ok()?, column.parse().ok()?)
                .map_or_else(String::new, |token| format!(", at `{token}`"));
            Some(format!(" (at line {line}, column {column}{near})"))
        })
        .unwrap_or_default();
    format!(
        "neither a WebAssembly binary (those begin with \\0asm) nor WebAssembly text: {first}{place}"
    )
}
