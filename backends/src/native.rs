//! `Native<P>`: a policy run as ordinary Rust code, the baseline every
//! WebAssembly figure is divided by.

use core::convert::Infallible;

use wsim_policies::{Answer, Cache, CachePolicy, Eviction, EvictionPolicy, Params, Request, Stats};

/// A policy run natively: a direct, inlinable call per request.
#[derive(Debug, Clone)]
pub struct Native<P> {
    cache: Cache<P>,
}

impl<P: EvictionPolicy> Native<P> {
    /// A native cache of `capacity` bytes (objects, when sizes are ignored),
    /// its policy's parameters at their defaults.
    #[must_use]
    pub fn new(capacity: u64) -> Self {
        Self::with_params(capacity, &Params::default())
    }

    /// A native cache of `capacity` bytes whose policy takes `params`,
    /// checked against its parameters.
    #[must_use]
    pub fn with_params(capacity: u64, params: &Params) -> Self {
        Self {
            cache: Cache::with_params(capacity, params),
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

    fn reports(&self) -> bool {
        self.cache.reports()
    }

    fn access_reported(
        &mut self,
        requests: &[Request],
        answers: &mut Vec<Answer>,
        evictions: &mut Vec<Eviction>,
    ) -> Result<(), Infallible> {
        self.cache.access_reported(requests, answers, evictions)
    }

    fn stats(&mut self) -> Result<Stats, Infallible> {
        Ok(self.cache.stats())
    }

    fn check_invariants(&self) -> Result<(), wsim_policies::Error> {
        self.cache.check_invariants()
    }
}
