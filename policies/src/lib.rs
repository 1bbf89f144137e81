//! # wsim-policies
//!
//! Cache replacement policies written once and compiled twice: natively into
//! the simulator, and into `wasm32-unknown-unknown` guests that the
//! WebAssembly backends run. Since both sides run this very source, any
//! difference between their results is a bug in the host/guest boundary,
//! never in a policy.
//!
//! A cache is split in two. [`Cache`] does what every policy shares, once:
//! the hit test, refusing objects larger than the capacity, evicting until an
//! object fits, and the [`Stats`]. An [`EvictionPolicy`] decides only which
//! object leaves next. The contract they implement together is DESIGN.md's
//! "policy contract". [`PolicyKind`] is the registry: one line per policy
//! at the top of this crate's `lib.rs`, from which everything that lists
//! policies derives.
//!
//! ```
//! use wsim_policies::{Cache, Lru, Request};
//!
//! let mut cache = Cache::<Lru>::new(100);
//! assert!(!cache.access(Request::new(1, 60)));
//! assert!(cache.access(Request::new(1, 60)));
//! assert!(!cache.access(Request::new(2, 60))); // evicts object 1
//! assert!(!cache.access(Request::new(1, 60)));
//! assert_eq!(cache.stats().evictions, 2);
//! ```
//!
//! # Cargo features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `clap` | no | `clap::ValueEnum` for [`PolicyKind`] |
//! | `serde` | no | `serde` traits for [`Request`], [`Stats`] and [`PolicyKind`] (by name) |
//! | `wire` | no | `wire`: the byte layouts and codecs host and guest share |
//! | `guest` | no | `guest` and [`export_policy!`]: a policy as a WebAssembly guest |

#[macro_use]
mod registry;

mod cache;
pub mod conformance;
mod exact_ln;
// Guest statics need `Sync`, which only a single-threaded wasm32 guest can
// promise; so the guest side exists on wasm32 alone.
#[cfg(all(feature = "guest", target_arch = "wasm32"))]
pub mod guest;
mod guest_cell;
mod heap;
mod id_index;
mod kind;
mod lcs_table;
mod lists;
mod params;
mod request;
mod slab_list;
mod stats;
#[cfg(test)]
mod testing;
#[cfg(feature = "wire")]
pub mod wire;

pub use cache::{
    Answer, Cache, CachePolicy, Eviction, EvictionLog, EvictionPolicy, Held, Victim, unreported,
};
pub use guest_cell::GuestCell;
pub use kind::{PolicySpec, PolicyVisitor};
pub use params::{ParamKind, Parameter, Params};
pub use request::{Request, next_accesses};
pub use stats::Stats;

// The built-in policies, one line each: `module::Type`, the type
// implementing `EvictionPolicy` in `src/module.rs`. Everything that lists
// policies (the CLI, native dispatch, the guest modules and components,
// the tests, fuzzing, figures) derives from this list through
// `PolicyKind`; adding a policy is its file, one line here, and its golden
// rows in the tests.
policies! {
    fifo::Fifo,
    lru::Lru,
    lfu::Lfu,
    gdsize::GdSize,
    clock::Clock,
    sieve::Sieve,
    s3fifo::S3Fifo,
    arc::Arc,
    twoq::TwoQ,
    slru::Slru,
    lirs::Lirs,
    lfuda::Lfuda,
    gdsf::Gdsf,
    size::Size,
    mq::Mq,
    lruk::LruK,
    clockpro::ClockPro,
    wtinylfu::WTinyLfu,
    belady::Belady,
    belady_size::BeladySize,
}

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A policy's structures disagree with each other or with the cache.
    #[error("{policy}: invariant violated: {what}")]
    InvariantViolated {
        /// The policy's name.
        policy: &'static str,
        /// What disagreed.
        what: String,
    },
    /// A policy name that [`PolicyKind`] does not know.
    #[error("unknown policy `{0}` (known: {known})", known = PolicyKind::names())]
    UnknownPolicy(String),
}

/// Exports a policy from a WebAssembly guest under every ABI, in one line:
///
/// ```ignore
/// wsim_policies::export_policy!(wsim_policies::Lru);
/// ```
///
/// The argument is an [`EvictionPolicy`], run inside a [`Cache`] exactly as
/// the native backend runs it; or, as `export_policy!(cache = MyCache)`, any
/// [`guest::GuestCache`]. The macro emits, on `wasm32` only, the exports
/// `docs/ABI.md` specifies: `abi_version`, `init`, `access` (Pair), `alloc`
/// and `access_bincode` (Bincode), `buffer` and `access_bytemuck`
/// (Bytemuck), `access_batch` (Batch), `evicted` (version 3's reports),
/// `stats`, and the optional `panic_message` and `name` (the policy's
/// `NAME`, which names the plugin's rows). A guest crate is a
/// `cdylib` holding this line and nothing else.
#[cfg(feature = "guest")]
#[macro_export]
macro_rules! export_policy {
    () => {
        compile_error!("export_policy! needs a policy type, as in export_policy!(MyPolicy)");
    };
    (cache = $cache:ty $(,)?) => {
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            use $crate::guest;

            static CACHE: guest::GuestCell<Option<$cache>> = guest::GuestCell::new(None);

            #[unsafe(no_mangle)]
            pub extern "C" fn abi_version() -> i32 {
                guest::abi_version::<$cache>()
            }

            #[unsafe(no_mangle)]
            pub extern "C" fn evicted() -> i64 {
                guest::evicted()
            }

            #[unsafe(no_mangle)]
            pub extern "C" fn init(capacity: i64, params_len: i32) -> i32 {
                guest::init(&CACHE, capacity, params_len)
            }

            #[unsafe(no_mangle)]
            pub extern "C" fn access(id: i64, size: i64, next_access: i64) -> i32 {
                guest::access_pair(&CACHE, id, size, next_access)
            }

            #[unsafe(no_mangle)]
            pub extern "C" fn alloc(len: i32) -> i32 {
                guest::alloc(len)
            }

            #[unsafe(no_mangle)]
            pub extern "C" fn access_bincode(pointer: i32, len: i32) -> i32 {
                guest::access_bincode(&CACHE, pointer, len)
            }

            #[unsafe(no_mangle)]
            pub extern "C" fn buffer() -> i64 {
                guest::buffer()
            }

            #[unsafe(no_mangle)]
            pub extern "C" fn access_bytemuck() -> i32 {
                guest::access_bytemuck(&CACHE)
            }

            #[unsafe(no_mangle)]
            pub extern "C" fn access_batch(n: i32) -> i32 {
                guest::access_batch(&CACHE, n)
            }

            #[unsafe(no_mangle)]
            pub extern "C" fn stats() -> i32 {
                guest::stats(&CACHE)
            }

            #[unsafe(no_mangle)]
            pub extern "C" fn panic_message() -> i64 {
                guest::panic_message()
            }

            #[unsafe(no_mangle)]
            pub extern "C" fn name() -> i64 {
                guest::name::<$cache>()
            }
        };
    };
    ($policy:ty $(,)?) => {
        $crate::export_policy!(cache = $crate::Cache<$policy>);
    };
}
