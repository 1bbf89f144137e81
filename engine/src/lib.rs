//! # wsim-engine
//!
//! The WebAssembly host layer of wsim, on wasmer or wasmtime: choosing a
//! runtime and a compiler, compiling and instantiating modules, resolving
//! typed exports, and copying bytes into and out of guest memory. It knows
//! nothing of caches.
//!
//! Its key choice is that a guest is never trusted. Every export is
//! resolved and type-checked when the guest is loaded, so a missing export
//! or a wrong signature is an error naming it before any work starts; every
//! trap becomes an [`Error`] naming the module and the export; and guest
//! memory is touched only through [`Guest::read`] and [`Guest::write`], which
//! check every address and length the guest hands back against its memory.
//!
//! Exports are found by name either once ([`Cached`]: a typed handle kept
//! beside the instance, the paper's "self-referential struct", which both
//! runtimes' owned handles now allow without Ouroboros) or on every call
//! ([`Uncached`]). Both are types, so the choice is monomorphized away.
//!
//! The runtime is a run-time choice ([`Runtime`]), so one binary measures
//! both side by side: a [`Guest`] holds one runtime's instance, and each
//! call matches on which, a branch that is always predicted. The same guest
//! module bytes run on either. wasmtime also hosts components
//! ([`Component`]), for the Component Model backend.
//!
//! Runtimes are a registry: one line each in the list below, whose module
//! implements the private `WasmRuntime` trait (`src/runtime.rs`). Every
//! `match` over runtimes is generated from that list, in one place
//! (`src/registry.rs`). Outside its own module a runtime is named only by
//! what it alone has: wasmtime's Component Model (`Engine::compile_component`),
//! and each runtime's bounds on parameter and result types (`src/types.rs`).
//!
//! # Cargo features
//!
//! Without a runtime feature the crate holds the names alone (runtimes,
//! compilers, lookups, limits), so a native-only build of wsim parses and
//! reports them; every engine it makes then fails as not built.
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `wasmer` | yes | wasmer (Cranelift), the paper's runtime |
//! | `singlepass` | no | wasmer's Singlepass compiler beside Cranelift |
//! | `wasmtime` | no | wasmtime (Cranelift) and its Component Model |
//! | `clap` | no | `clap::ValueEnum` for [`Runtime`], [`Compiler`] and [`LookupKind`] |
//! | `serde` | no | `serde::Serialize` for them, by name |

// With no runtime built, a module, an instance or a function cannot exist:
// their types are uninhabited, so the code handling them is unreachable
// by design.
#![cfg_attr(
    not(any(feature = "wasmer", feature = "wasmtime")),
    allow(
        unreachable_code,
        unused_variables,
        unused_imports,
        unused_mut,
        dead_code,
        reason = "no runtime is built: the engine holds names alone"
    )
)]

#[macro_use]
mod registry;

mod cache;
mod compiler;
mod engine;
mod error;
mod export;
mod guest;
mod limits;
mod module;
mod names;
mod runtime;
mod types;

pub use cache::{ModuleCache, Origin};
pub use compiler::Compiler;
pub use engine::{Engine, module_name};
pub use error::Error;
pub use export::{Cached, Export, Function, Lookup, LookupKind, Uncached};
pub use guest::Guest;
pub use limits::{DEFAULT_MAX_MODULE_BYTES, Limits};
pub use module::{BareFunction, Module};
pub use types::{Params, Results, WasmTypes};
/// wasmer itself, for code that measures it with nothing in between.
#[cfg(feature = "wasmer")]
pub use wasmer;
/// wasmtime itself, for the Component Model bindings.
#[cfg(feature = "wasmtime")]
pub use wasmtime;
#[cfg(feature = "wasmtime")]
pub use wasmtime_runtime::{Component, ComponentStore, StoreState};

use runtime::{CallFailure, ExportProblem, WasmRuntime};

// The runtimes, one line each: `Variant => module::Type if "feature"
// compiles [..] components yes|no deadline always|"feature"`, the type
// implementing `WasmRuntime` in `src/<module>/mod.rs`, built with the cargo
// feature of that name (also the runtime's name), the compilers it has (its
// default first), whether it hosts components, and whether its deadline is
// always built or needs a feature (wasmer's costs every call; see
// Cargo.toml). Adding a runtime is its module, its line
// here, its cargo feature, and its bound on `Params` and `Results` in
// `src/types.rs` (each runtime's typed calls ask their own of parameter
// and result types).
runtimes! {
    Wasmer => wasmer_runtime::Wasmer if "wasmer" compiles [Cranelift, Singlepass] components no
        deadline "wasmer-deadline",
    Wasmtime => wasmtime_runtime::Wasmtime if "wasmtime" compiles [Cranelift] components yes
        deadline always,
}
