//! # wsim-backends
//!
//! Implementations of [`CachePolicy`]. [`Native`] runs a policy as ordinary
//! Rust code: the baseline every WebAssembly figure is divided by.
//! [`Wasm<A, L>`](Wasm) runs the same policy source compiled into a
//! WebAssembly guest, reached through the ABI `A` ([`Pair`], [`Bincode`],
//! [`Bytemuck`] or [`Batch`]) with exports looked up as `L` says
//! ([`Cached`] or [`Uncached`]). Backends are chosen by generics and
//! monomorphized, so nothing on the hot path is dynamically dispatched.
//!
//! # Cargo features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `wasm` | yes | the WebAssembly backends, wasmer, and the guest modules |
//! | `singlepass` | no | wasmer's Singlepass compiler beside Cranelift |

use core::convert::Infallible;

use wsim_policies::{Cache, CachePolicy, EvictionPolicy, Request, Stats};

#[cfg(feature = "wasm")]
mod abi;
#[cfg(feature = "wasm")]
pub mod guests;
#[cfg(feature = "wasm")]
mod wasm;

#[cfg(feature = "wasm")]
pub use abi::{Abi, AbiKind, Batch, Bincode, Bytemuck, Pair};
#[cfg(feature = "wasm")]
pub use wasm::{Error, Wasm};
#[cfg(feature = "wasm")]
pub use wsim_engine::{
    self as engine, Cached, Compiler, Engine, Limits, Lookup, Module, ModuleCache, Origin, Uncached,
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
