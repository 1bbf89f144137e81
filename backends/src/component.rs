//! `WitComponent<S>`: a policy inside a WebAssembly component, reached
//! through the Component Model on wasmtime.
//!
//! The interface is the WIT world `wsim:policy/policy` (`wit/policy.wit`);
//! the host bindings are made from it by `wasmtime::component::bindgen!`,
//! the guest's by wit-bindgen, from the same policy source as every other
//! backend. Nothing here touches guest memory: the canonical ABI lifts and
//! lowers every value, and wasmtime checks every pointer the guest hands it.

use std::marker::PhantomData;

use wsim_engine::{Component, ComponentStore};
use wsim_policies::{Answer, CachePolicy, Eviction, Request, Stats};

use crate::{CacheVisitor, Error};

/// The host side of the world `wsim:policy/policy`.
mod policy {
    wsim_engine::wasmtime::component::bindgen!({
        path: "wit",
        world: "policy",
        wasmtime_crate: wsim_engine::wasmtime,
    });
}

/// The host side of the world `wsim:policy/multiply`, for the
/// micro-benchmark.
pub mod multiply {
    wsim_engine::wasmtime::component::bindgen!({
        path: "wit",
        world: "multiply",
        wasmtime_crate: wsim_engine::wasmtime,
    });
}

/// How requests cross into a component: one call each, or a list per
/// chunk. Implemented by [`PerRequest`] and [`Listed`].
pub trait Shape: Send + 'static {
    /// Whether a chunk of requests goes as one `access-batch` call.
    const BATCHED: bool;
}

/// `access(req: request) -> bool`, one call per request.
#[derive(Debug, Clone, Copy)]
pub struct PerRequest;

/// `access-batch(reqs: list<request>) -> list<bool>`, one call per chunk.
#[derive(Debug, Clone, Copy)]
pub struct Listed;

impl Shape for PerRequest {
    const BATCHED: bool = false;
}

impl Shape for Listed {
    const BATCHED: bool = true;
}

/// A policy inside a component, called per request or per chunk as `S`
/// says.
pub struct WitComponent<S: Shape> {
    store: ComponentStore,
    bindings: policy::Policy,
    /// The requests of a chunk in the bindings' type; reused across calls.
    scratch: Vec<policy::Request>,
    shape: PhantomData<S>,
}

impl<S: Shape> std::fmt::Debug for WitComponent<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WitComponent")
            .field("component", &self.store.component())
            .field("shape", &std::any::type_name::<S>())
            .finish_non_exhaustive()
    }
}

impl<S: Shape> WitComponent<S> {
    /// Instantiates `component` (no imports: the linker is empty) and
    /// initializes a cache of `capacity` bytes (objects, when sizes are
    /// ignored) inside it, its policy given `params` (`key=value,...`).
    pub fn new(component: &Component, capacity: u64, params: &str) -> Result<Self, Error> {
        let mut store = component.store();
        let linker = component.linker();
        let bindings = policy::Policy::instantiate(store.store_mut(), component.inner(), &linker)
            .map_err(|error| wsim_engine::Error::Instantiate {
            module: component.name().to_owned(),
            reason: format!("{error:#}"),
        })?;
        store
            .call("init", |store| bindings.call_init(store, capacity, params))?
            .map_err(|refused| Error::Protocol {
                module: store.component().to_owned(),
                export: "init",
                what: format!("refused its parameters: {refused}"),
            })?;
        Ok(Self {
            store,
            bindings,
            scratch: Vec::new(),
            shape: PhantomData,
        })
    }
}

#[inline]
const fn to_wit(request: Request) -> policy::Request {
    policy::Request {
        id: request.id,
        size: request.size,
        next_access: request.next_access,
    }
}

impl<S: Shape> CachePolicy for WitComponent<S> {
    type Error = Error;

    #[inline]
    fn access(&mut self, request: Request) -> Result<bool, Error> {
        let bindings = &self.bindings;
        Ok(self.store.call("access", |store| {
            bindings.call_access(store, to_wit(request))
        })?)
    }

    fn access_batch(&mut self, requests: &[Request], hits: &mut Vec<bool>) -> Result<(), Error> {
        hits.clear();
        if !S::BATCHED {
            for &request in requests {
                hits.push(self.access(request)?);
            }
            return Ok(());
        }
        self.scratch.clear();
        self.scratch.extend(requests.iter().copied().map(to_wit));
        let (bindings, scratch) = (&self.bindings, &self.scratch);
        let flags = self.store.call("access-batch", |store| {
            bindings.call_access_batch(store, scratch)
        })?;
        if flags.len() != requests.len() {
            return Err(Error::Protocol {
                module: self.store.component().to_owned(),
                export: "access-batch",
                what: format!(
                    "returned {} flags for {} requests",
                    flags.len(),
                    requests.len()
                ),
            });
        }
        *hits = flags;
        Ok(())
    }

    fn reports(&self) -> bool {
        true
    }

    /// One `access-reported` call per chunk, or per request in the
    /// per-request shape.
    fn access_reported(
        &mut self,
        requests: &[Request],
        answers: &mut Vec<Answer>,
        evictions: &mut Vec<Eviction>,
    ) -> Result<(), Error> {
        answers.clear();
        evictions.clear();
        let per_call = if S::BATCHED { requests.len().max(1) } else { 1 };
        let mut first = 0_u32;
        for chunk in requests.chunks(per_call) {
            self.scratch.clear();
            self.scratch.extend(chunk.iter().copied().map(to_wit));
            let (bindings, scratch) = (&self.bindings, &self.scratch);
            let report = self.store.call("access-reported", |store| {
                bindings.call_access_reported(store, scratch)
            })?;
            let broke = |what: String| Error::Protocol {
                module: self.store.component().to_owned(),
                export: "access-reported",
                what,
            };
            if report.answers.len() != chunk.len() {
                return Err(broke(format!(
                    "returned {} answers for {} requests",
                    report.answers.len(),
                    chunk.len()
                )));
            }
            for bits in report.answers {
                answers.push(
                    wsim_policies::wire::answer_of_bits(bits).ok_or_else(|| {
                        broke(format!("answer {bits} is not one the ABI defines"))
                    })?,
                );
            }
            for eviction in report.evicted {
                if eviction.request as usize >= chunk.len() {
                    return Err(broke(format!(
                        "names request {} of a call that served {}",
                        eviction.request,
                        chunk.len()
                    )));
                }
                evictions.push(Eviction {
                    request: first + eviction.request,
                    id: eviction.id,
                });
            }
            #[expect(clippy::cast_possible_truncation, reason = "a chunk of a run")]
            let served = chunk.len() as u32;
            first += served;
        }
        Ok(())
    }

    fn stats(&mut self) -> Result<Stats, Error> {
        let bindings = &self.bindings;
        let stats = self
            .store
            .call("stats", |store| bindings.call_stats(store))?;
        let wide = |value: policy::Wide| u128::from(value.high) << 64 | u128::from(value.low);
        Ok(Stats {
            requests: stats.requests,
            hits: stats.hits,
            bytes_requested: wide(stats.bytes_requested),
            bytes_hit: wide(stats.bytes_hit),
            evictions: stats.evictions,
            objects: stats.objects,
            bytes_held: stats.bytes_held,
        })
    }
}

/// Opens `component` in the shape `S`, for
/// [`Backend::open`](crate::Backend::open).
pub(crate) fn open<S: Shape, V: CacheVisitor>(
    component: &Component,
    capacity: u64,
    params: &str,
    visitor: V,
) -> Result<V::Output, Error> {
    Ok(visitor.visit(WitComponent::<S>::new(component, capacity, params)?))
}
