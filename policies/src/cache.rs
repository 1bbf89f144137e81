//! The cache every policy shares, and the trait every backend implements.

use core::convert::Infallible;

use crate::{Error, Parameter, Params, Request, Stats};

/// Anything that serves requests as a cache: a policy run natively, or a
/// WebAssembly guest running the same policy behind some ABI.
///
/// Every implementation of one policy must report identical [`Stats`] for the
/// same trace and capacity; the property tests hold them to it.
pub trait CachePolicy {
    /// Why a request could not be served. Native policies cannot fail
    /// ([`Infallible`]); WebAssembly guests can trap or misbehave.
    type Error;

    /// Serves one request; `Ok(true)` on a hit.
    fn access(&mut self, request: Request) -> Result<bool, Self::Error>;

    /// Serves `requests` in order, replacing the contents of `hits` with one
    /// flag per request. Backends that can pass many requests per call
    /// override it.
    fn access_batch(
        &mut self,
        requests: &[Request],
        hits: &mut Vec<bool>,
    ) -> Result<(), Self::Error> {
        hits.clear();
        for &request in requests {
            hits.push(self.access(request)?);
        }
        Ok(())
    }

    /// The counters so far.
    fn stats(&mut self) -> Result<Stats, Self::Error>;

    /// Checks the cache's structures agree with one another and with its
    /// counters, where the host can see them (natively); slow, for tests
    /// and debug builds. A guest's structures are out of the host's sight,
    /// so by default there is nothing to check.
    fn check_invariants(&self) -> Result<(), Error> {
        Ok(())
    }
}

/// An object taken out of a cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Victim {
    /// The evicted object's id.
    pub id: u64,
    /// The size it was stored with.
    pub size: u64,
}

/// What a policy holds, as counted by walking its own structures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Held {
    /// Objects.
    pub objects: u64,
    /// Sum of their stored sizes.
    pub bytes: u128,
}

/// The part of a cache that differs between policies: which object goes next.
///
/// [`Cache`] calls it under a fixed protocol, so an implementation never sees
/// sizes or capacities it must check: [`hit`](Self::hit) for every request,
/// then on a miss [`evict`](Self::evict) until the object fits and
/// [`admit`](Self::admit) once. Adding a policy is one file implementing this
/// trait, one line in the registry at the top of `lib.rs` (which makes its
/// [`PolicyKind`](crate::PolicyKind)) and its golden-test rows.
pub trait EvictionPolicy: Default {
    /// The policy's name on the command line and in reports (lower case).
    const NAME: &'static str;

    /// The parameters it takes (`--policy name:key=value`), with their
    /// defaults; read them in [`configure`](Self::configure).
    const PARAMETERS: &'static [Parameter] = &[];

    /// Whether it reads [`Request::next_access`] (a future-aware policy,
    /// such as Belady): a run then makes sure every request carries it.
    const NEEDS_NEXT_ACCESS: bool = false;

    /// Whether `wsim run` runs it when `--policy` is not given: the paper's
    /// four and a few of the state of the art, so the default run stays
    /// quick and its table readable (`--policy all` runs every one).
    const FEATURED: bool = false;

    /// The policy for a cache of `capacity` bytes (objects, when sizes are
    /// ignored), with `params` already checked against
    /// [`PARAMETERS`](Self::PARAMETERS). Policies whose structures depend on
    /// the capacity or a parameter override it.
    #[must_use]
    fn configure(capacity: u64, params: &Params) -> Self {
        let _ = (capacity, params);
        Self::default()
    }

    /// If `id` is cached, records a request for it and returns `true`.
    fn hit(&mut self, id: u64) -> bool;

    /// Caches `id`, which is not cached, with `size` bytes.
    fn admit(&mut self, id: u64, size: u64);

    /// Removes the next victim; `None` only when nothing is cached.
    fn evict(&mut self) -> Option<Victim>;

    /// [`hit`](Self::hit) with the whole request, for policies that read
    /// more of it than the id (its size, its next access). What [`Cache`]
    /// calls.
    #[inline]
    fn hit_request(&mut self, request: &Request) -> bool {
        self.hit(request.id)
    }

    /// [`admit`](Self::admit) with the whole request. What [`Cache`] calls.
    #[inline]
    fn admit_request(&mut self, request: &Request) {
        self.admit(request.id, request.size);
    }

    /// [`evict`](Self::evict), knowing the request that needs the room
    /// (ARC adapts to whether it was recently evicted). What [`Cache`]
    /// calls.
    #[inline]
    fn evict_for(&mut self, incoming: &Request) -> Option<Victim> {
        let _ = incoming;
        self.evict()
    }

    /// Objects cached.
    fn len(&self) -> usize;

    /// Whether nothing is cached.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Walks the policy's structures, checks they agree with one another,
    /// and returns what they hold. Slow; for tests and debug builds.
    fn audit(&self) -> Result<Held, String>;
}

/// A cache of `capacity` bytes run by the policy `P`.
///
/// The contract (DESIGN.md) lives here, once, for every policy: a request is
/// a hit when its id is cached, whatever its size says, and a hit changes no
/// stored size and never evicts; an object larger than the capacity is never
/// admitted and evicts nothing; otherwise a miss evicts until the object fits,
/// then admits it.
#[derive(Debug, Clone)]
pub struct Cache<P> {
    policy: P,
    capacity: u64,
    /// Sum of the sizes of the cached objects; never above `capacity`.
    used: u64,
    requests: u64,
    hits: u64,
    bytes_requested: u128,
    bytes_hit: u128,
    evictions: u64,
}

impl<P: EvictionPolicy> Cache<P> {
    /// An empty cache of `capacity` bytes (objects, when sizes are ignored),
    /// its policy's parameters at their defaults.
    #[must_use]
    pub fn new(capacity: u64) -> Self {
        Self::with_params(capacity, &Params::default())
    }

    /// An empty cache of `capacity` bytes (objects, when sizes are ignored)
    /// whose policy takes `params`, already checked against its
    /// [`EvictionPolicy::PARAMETERS`].
    #[must_use]
    pub fn with_params(capacity: u64, params: &Params) -> Self {
        Self {
            policy: P::configure(capacity, params),
            capacity,
            used: 0,
            requests: 0,
            hits: 0,
            bytes_requested: 0,
            bytes_hit: 0,
            evictions: 0,
        }
    }

    /// The capacity this cache was made with.
    #[must_use]
    pub const fn capacity(&self) -> u64 {
        self.capacity
    }

    /// Serves one request; `true` on a hit.
    #[inline]
    pub fn access(&mut self, request: Request) -> bool {
        self.requests += 1;
        self.bytes_requested += u128::from(request.size);
        if self.policy.hit_request(&request) {
            self.hits += 1;
            self.bytes_hit += u128::from(request.size);
            return true;
        }
        if request.size > self.capacity {
            return false;
        }
        // `used <= capacity` always, so the subtraction cannot wrap, and while
        // `used > 0` the policy holds at least one object to evict.
        while self.capacity - self.used < request.size {
            let Some(victim) = self.policy.evict_for(&request) else {
                debug_assert!(
                    false,
                    "{}: nothing to evict with {} bytes used",
                    P::NAME,
                    self.used
                );
                break;
            };
            self.used -= victim.size;
            self.evictions += 1;
        }
        self.policy.admit_request(&request);
        self.used += request.size;
        false
    }

    /// The counters so far.
    #[must_use]
    pub fn stats(&self) -> Stats {
        Stats {
            requests: self.requests,
            hits: self.hits,
            bytes_requested: self.bytes_requested,
            bytes_hit: self.bytes_hit,
            evictions: self.evictions,
            objects: self.policy.len() as u64,
            bytes_held: self.used,
        }
    }

    /// Checks that the policy's structures agree with each other and with the
    /// cache's own accounting: bytes held within capacity, object and byte
    /// counts equal however they are counted.
    pub fn check_invariants(&self) -> Result<(), Error> {
        let violated = |what: String| Error::InvariantViolated {
            policy: P::NAME,
            what,
        };
        let held = self.policy.audit().map_err(violated)?;
        if self.used > self.capacity {
            return Err(violated(format!(
                "{} bytes held, above the capacity of {}",
                self.used, self.capacity
            )));
        }
        if held.bytes != u128::from(self.used) {
            return Err(violated(format!(
                "the policy holds {} bytes but the cache counted {}",
                held.bytes, self.used
            )));
        }
        if held.objects != self.policy.len() as u64 {
            return Err(violated(format!(
                "the policy holds {} objects but reports {}",
                held.objects,
                self.policy.len()
            )));
        }
        if self.hits > self.requests || self.bytes_hit > self.bytes_requested {
            return Err(violated(format!(
                "more hits ({} requests, {} bytes) than requests ({}, {})",
                self.hits, self.bytes_hit, self.requests, self.bytes_requested
            )));
        }
        Ok(())
    }
}

impl<P: EvictionPolicy> CachePolicy for Cache<P> {
    type Error = Infallible;

    #[inline]
    fn access(&mut self, request: Request) -> Result<bool, Infallible> {
        Ok(Cache::access(self, request))
    }

    fn stats(&mut self) -> Result<Stats, Infallible> {
        Ok(Cache::stats(self))
    }

    fn check_invariants(&self) -> Result<(), Error> {
        Cache::check_invariants(self)
    }
}
