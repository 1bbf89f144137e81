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
//! "policy contract"; [`PolicyKind`] lists the policies.
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
//! | `serde` | no | `serde` traits for [`Request`], [`Stats`] and [`PolicyKind`] |

mod cache;
mod fifo;
mod gdsize;
mod kind;
mod lfu;
mod lru;
mod request;
mod slab_list;
mod stats;

pub use cache::{Cache, CachePolicy, EvictionPolicy, Held, Victim};
pub use fifo::Fifo;
pub use gdsize::GdSize;
pub use kind::{PolicyKind, PolicyVisitor};
pub use lfu::Lfu;
pub use lru::Lru;
pub use request::Request;
pub use stats::Stats;

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
    #[error("unknown policy `{0}` (known: fifo, lru, lfu, gdsize)")]
    UnknownPolicy(String),
}
