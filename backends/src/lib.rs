//! # wsim-backends
//!
//! Implementations of [`CachePolicy`](wsim_policies::CachePolicy). [`Native`] runs a policy as ordinary
//! Rust code: the baseline every WebAssembly figure is divided by.
//! [`Wasm<A, L>`](Wasm) runs the same policy source compiled into a
//! WebAssembly guest, reached through the ABI `A` ([`Pair`], [`Bincode`],
//! [`Bytemuck`] or [`Batch`]) with exports looked up as `L` says
//! ([`Cached`] or [`Uncached`]), on wasmer or wasmtime (the module's
//! [`Runtime`]). [`WitComponent<S>`](WitComponent) runs it as a component
//! through the Component Model on wasmtime, one call per request
//! ([`PerRequest`]) or a list per chunk ([`Listed`]). Backends are chosen by
//! generics and monomorphized, so nothing on the hot path is dynamically
//! dispatched.
//!
//! [`Backend`] is the registry: one line per backend (at the end of
//! `backend.rs`), and [`Backend::open`] the one dispatch from a backend
//! chosen at run time to the monomorphized cache, handed to a
//! [`CacheVisitor`].
//!
//! # Cargo features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `wasm` | yes | the WebAssembly backends and the guest modules |
//! | `wasmer` | yes | wasmer (Cranelift) |
//! | `singlepass` | no | wasmer's Singlepass compiler beside Cranelift |
//! | `wasmtime` | no | wasmtime (Cranelift), and the Component Model backends |
//! | `clap` | no | `clap::ValueEnum` for [`Backend`] (and the engine's runtimes, compilers, lookups) |
//! | `serde` | no | `serde::Serialize` for them, by name |

#[cfg(feature = "wasm")]
mod abi;
mod audit;
mod backend;
#[cfg(feature = "wasmtime")]
mod component;
mod error;
#[cfg(feature = "wasm")]
pub mod guests;
mod native;
mod visitor;
#[cfg(feature = "wasm")]
mod wasm;

#[cfg(feature = "wasm")]
pub use abi::{Abi, Batch, Bincode, Bytemuck, Evicted, Pair, Version};
pub use audit::{Audit, Pipeline};
pub use backend::{BASE_EXPORTS, Backend, Code, Replay, Runs};
#[cfg(feature = "wasmtime")]
pub use component::{Listed, PerRequest, Shape, WitComponent, multiply};
pub use error::Error;
pub use native::Native;
pub use visitor::CacheVisitor;
#[cfg(feature = "wasm")]
pub use wasm::{Wasm, policy_name};
#[cfg(feature = "wasmtime")]
pub use wsim_engine::Component;
pub use wsim_engine::{
    self as engine, Cached, Compiler, Engine, Limits, Lookup, LookupKind, Module, ModuleCache,
    Origin, Runtime, Uncached,
};
