//! The one error type of `wsim-engine`.

use std::path::PathBuf;

/// Everything that can go wrong hosting a guest. Every variant names the
/// module, and the export where there is one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A module file could not be read.
    #[error("{path}: {error}", path = path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// The bytes are not a valid WebAssembly module, or do not compile.
    #[error("{module}: not a valid WebAssembly module: {reason}")]
    Compile {
        /// The module.
        module: String,
        /// What the compiler said.
        reason: String,
    },
    /// Instantiation failed: a trapping start function, a memory too large.
    #[error("{module}: cannot instantiate: {reason}")]
    Instantiate {
        /// The module.
        module: String,
        /// Why.
        reason: String,
    },
    /// The module imports something; wsim gives guests no imports.
    #[error("{module}: imports {imports}; wsim gives guests no imports")]
    Imports {
        /// The module.
        module: String,
        /// What it imports, as `module.name`, comma-separated.
        imports: String,
    },
    /// An export the ABI needs is missing.
    #[error("{module}: missing export `{export}`")]
    MissingExport {
        /// The module.
        module: String,
        /// The export.
        export: String,
    },
    /// An export has the wrong kind or signature.
    #[error("{module}: export `{export}` has type {found}, expected {expected}")]
    WrongType {
        /// The module.
        module: String,
        /// The export.
        export: String,
        /// What the ABI needs.
        expected: String,
        /// What the module has.
        found: String,
    },
    /// A call into the guest trapped.
    #[error("{module}: export `{export}` trapped: {reason}")]
    Trap {
        /// The module.
        module: String,
        /// The export called.
        export: String,
        /// The trap.
        reason: String,
    },
    /// A guest-memory access outside the guest's memory, from an address or
    /// length the guest handed out.
    #[error("{module}: {what}: bytes {offset}..{end} lie outside the guest's {memory} bytes of memory",
        end = u128::from(*.offset) + *.len as u128)]
    OutOfBounds {
        /// The module.
        module: String,
        /// What was being read or written.
        what: String,
        /// First byte.
        offset: u64,
        /// Bytes.
        len: usize,
        /// Size of the guest's memory.
        memory: u64,
    },
    /// A call spent its whole fuel budget: most likely a loop that does not
    /// end.
    #[error(
        "{module}: export `{export}` ran out of fuel: it spent its budget of {budget} \
             points (about one per WebAssembly instruction) without returning"
    )]
    FuelExhausted {
        /// The module.
        module: String,
        /// The export called.
        export: String,
        /// Points each call may spend.
        budget: u64,
    },
    /// A start function spent its whole fuel budget while the module was
    /// being instantiated.
    #[error(
        "{module}: ran out of fuel while instantiating: its start function spent its budget \
         of {budget} points without returning"
    )]
    StartOutOfFuel {
        /// The module.
        module: String,
        /// Points the start function could spend.
        budget: u64,
    },
    /// A run went past its wall-clock deadline.
    #[error("{module}: export `{export}` passed the deadline of {deadline:?} and was stopped")]
    DeadlineExceeded {
        /// The module.
        module: String,
        /// The export running when the deadline came.
        export: String,
        /// The deadline.
        deadline: std::time::Duration,
    },
    /// A fuel budget for a module compiled without metering.
    #[error("{module}: compiled without fuel metering, so it cannot be given a fuel budget")]
    NotMetered {
        /// The module.
        module: String,
    },
    /// The module file is larger than the limit.
    #[error("{module}: the module is {size} bytes{or_more}, above the limit of {limit} bytes",
        or_more = if *.more { " or more" } else { "" })]
    ModuleTooLarge {
        /// The module.
        module: String,
        /// Its size, or the bytes read before the limit stopped the read.
        size: u64,
        /// The limit.
        limit: u64,
        /// Whether the file went on past `size` bytes (it was not read to
        /// its end).
        more: bool,
    },
    /// A runtime that this build of wsim does not include.
    #[error("the {runtime} runtime is not built in; rebuild with `--features {runtime}`")]
    RuntimeNotBuilt {
        /// The runtime asked for.
        runtime: &'static str,
    },
    /// The runtime refused a setting.
    #[error("{runtime}: {reason}")]
    Runtime {
        /// The runtime.
        runtime: &'static str,
        /// Why.
        reason: String,
    },
    /// A deadline on a runtime whose deadline this build leaves out.
    #[error(
        "a deadline on {runtime} needs wsim built with `--features {feature}` (off by default: \
         it makes every call into a {runtime} guest about 3x dearer, deadline or not); run on \
         another runtime (--runtime), or rebuild with it"
    )]
    DeadlineNotBuilt {
        /// The runtime asked for.
        runtime: &'static str,
        /// The cargo feature that builds its deadline.
        feature: &'static str,
    },
    /// A compiler that this build of wsim does not include.
    #[error("the {compiler} compiler is not built in; rebuild with `--features {feature}`")]
    CompilerNotBuilt {
        /// The compiler asked for.
        compiler: &'static str,
        /// The cargo feature that builds it.
        feature: &'static str,
    },
}
