//! [`CacheVisitor`]: what a backend hands the cache it opened to.

use wsim_policies::CachePolicy;

use crate::Error;

/// Code generic over the cache a backend opened: [`Backend::open`](crate::Backend::open) makes
/// the cache and hands it to [`visit`](Self::visit), monomorphized, so
/// nothing on the hot path is dynamically dispatched.
pub trait CacheVisitor {
    /// What the visit returns.
    type Output;
    /// Runs with the opened cache.
    fn visit<C: CachePolicy>(self, cache: C) -> Self::Output
    where
        Error: From<C::Error>;
}
