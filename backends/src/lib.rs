//! # wsim-backends
//!
//! Implementations of [`CachePolicy`]. [`Native`] runs a policy as ordinary
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
//! # Cargo features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `wasm` | yes | the WebAssembly backends and the guest modules |
//! | `wasmer` | yes | wasmer (Cranelift) |
//! | `singlepass` | no | wasmer's Singlepass compiler beside Cranelift |
//! | `wasmtime` | no | wasmtime (Cranelift), and the Component Model backend |

use core::convert::Infallible;

use wsim_policies::{Cache, CachePolicy, EvictionPolicy, Request, Stats};

#[cfg(feature = "wasm")]
mod abi;
#[cfg(feature = "wasmtime")]
mod component;
#[cfg(feature = "wasm")]
pub mod guests;
#[cfg(feature = "wasm")]
mod wasm;

#[cfg(feature = "wasm")]
pub use abi::{Abi, AbiKind, Batch, Bincode, Bytemuck, Pair};
#[cfg(feature = "wasmtime")]
pub use component::{Listed, PerRequest, Shape, WitComponent, multiply};
#[cfg(feature = "wasm")]
pub use wasm::{Error, Wasm};
#[cfg(feature = "wasmtime")]
pub use wsim_engine::Component;
#[cfg(feature = "wasm")]
pub use wsim_engine::{
    self as engine, Cached, Compiler, Engine, Limits, Lookup, Module, ModuleCache, Origin, Runtime,
    Uncached,
};

/// A policy run natively: a direct, inlinable call per request.
#[derive(Debug, Clone)]
pub struct Native<P> {
    cache: Cache<P>,
}

impl<P: EvictionPolicy> Native<P> {
    /// A native cache of `capacity` bytes (objects, when sizes are ignored).
    #[must_use]
    pub fn new(capacity: u64) -> Self {
        Self {
            cache: Cache::new(capacity),
        }
    }

    /// The cache underneath, for invariant checks.
    #[must_use]
    pub const fn cache(&self) -> &Cache<P> {
        &self.cache
    }
}

impl<P: EvictionPolicy> CachePolicy for Native<P> {
    type Error = Infallible;

    #[inline]
    fn access(&mut self, request: Request) -> Result<bool, Infallible> {
        Ok(self.cache.access(request))
    }

    fn stats(&mut self) -> Result<Stats, Infallible> {
        Ok(self.cache.stats())
    }
}
