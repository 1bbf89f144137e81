//! The guest side of the Component Model backend: bindings for the WIT
//! world `wsim:policy/policy` (`backends/wit/policy.wit`), made by
//! wit-bindgen, and [`export_component!`], which exports a policy of
//! `wsim-policies` through them. The module a policy crate builds is then
//! turned into a component by `backends/build.rs`.
//!
//! The canonical ABI (lifting, lowering, `cabi_realloc` for lists) is
//! wit-bindgen's; nothing here touches guest memory by hand.

/// What wit-bindgen made of the world: its types, the `Guest` trait of its
/// exports, and the macro that exports an implementation.
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "policy",
        pub_export_macro: true,
        export_macro_name: "export_bindings",
        default_bindings_module: "wsim_guest_component::bindings",
    });
}

pub use bindings::{Eviction, Guest, Report, Request, Stats, Wide};
use wsim_policies::guest::GuestCell;
use wsim_policies::{Answer, Cache, EvictionPolicy, Params};

/// What a component's cache cell holds: nothing before `init`.
pub type Slot<P> = GuestCell<Option<Cache<P>>>;

/// `init`: an empty cache of `capacity` in `slot`, its policy given
/// `params`.
pub fn init<P: EvictionPolicy>(slot: &Slot<P>, capacity: u64, params: &str) -> Result<(), String> {
    let params = Params::parse(params, P::PARAMETERS).map_err(|error| format!("{} {error}", P::NAME))?;
    slot.with(|cache| *cache = Some(Cache::with_params(capacity, &params)));
    Ok(())
}

/// The cache in `slot`. The host calls `init` before anything else; a
/// guest called out of order panics, which traps, and the host reports it.
fn with_cache<P: EvictionPolicy, R>(slot: &Slot<P>, f: impl FnOnce(&mut Cache<P>) -> R) -> R {
    slot.with(|cache| f(cache.as_mut().expect("`init` is called before any other export")))
}

/// `access`: serves one request.
#[inline]
pub fn access<P: EvictionPolicy>(slot: &Slot<P>, request: Request) -> bool {
    with_cache(slot, |cache| cache.access(to_policy(request)))
}

/// `access-batch`: serves requests in order.
pub fn access_batch<P: EvictionPolicy>(slot: &Slot<P>, requests: &[Request]) -> Vec<bool> {
    with_cache(slot, |cache| {
        requests
            .iter()
            .map(|&request| cache.access(to_policy(request)))
            .collect()
    })
}

/// `access-reported`: serves requests in order, reporting each answer and
/// every eviction.
pub fn access_reported<P: EvictionPolicy>(slot: &Slot<P>, requests: &[Request]) -> Report {
    with_cache(slot, |cache| {
        let mut evicted = Vec::new();
        let answers = (0_u32..)
            .zip(requests)
            .map(|(index, &request)| {
                let answer = cache.serve(to_policy(request), |id| {
                    evicted.push(Eviction { request: index, id });
                });
                match answer {
                    Answer::Hit => 1,
                    Answer::Admitted => 2,
                    Answer::Refused | Answer::Missed => 0,
                }
            })
            .collect();
        Report { answers, evicted }
    })
}

/// `stats`: the counters so far.
pub fn stats<P: EvictionPolicy>(slot: &Slot<P>) -> Stats {
    with_cache(slot, |cache| {
        let stats = cache.stats();
        Stats {
            requests: stats.requests,
            hits: stats.hits,
            bytes_requested: wide(stats.bytes_requested),
            bytes_hit: wide(stats.bytes_hit),
            evictions: stats.evictions,
            objects: stats.objects,
            bytes_held: stats.bytes_held,
        }
    })
}

#[inline]
const fn to_policy(request: Request) -> wsim_policies::Request {
    wsim_policies::Request::new(request.id, request.size).next_at(request.next_access)
}

#[expect(clippy::cast_possible_truncation, reason = "split into halves")]
const fn wide(value: u128) -> Wide {
    Wide {
        low: value as u64,
        high: (value >> 64) as u64,
    }
}

/// Exports `$policy` (an `EvictionPolicy` of `wsim-policies`) as the WIT
/// world `wsim:policy/policy`: one line in a `cdylib` crate.
#[macro_export]
macro_rules! export_component {
    ($policy:ty) => {
        /// The component's cache, made by `init`.
        static CACHE: $crate::Slot<$policy> = $crate::Slot::new(None);

        /// The type the WIT world's exports are implemented on.
        struct ComponentPolicy;

        impl $crate::Guest for ComponentPolicy {
            fn init(capacity: u64, params: String) -> Result<(), String> {
                $crate::init(&CACHE, capacity, &params)
            }

            fn access(request: $crate::Request) -> bool {
                $crate::access(&CACHE, request)
            }

            fn access_batch(requests: Vec<$crate::Request>) -> Vec<bool> {
                $crate::access_batch(&CACHE, &requests)
            }

            fn access_reported(requests: Vec<$crate::Request>) -> $crate::Report {
                $crate::access_reported(&CACHE, &requests)
            }

            fn stats() -> $crate::Stats {
                $crate::stats(&CACHE)
            }
        }

        $crate::bindings::export_bindings!(ComponentPolicy with_types_in $crate::bindings);
    };
}
