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
    /// Bytes they hold, as the policy counts them (most: the sum of the
    /// objects' stored sizes).
    pub bytes: u128,
}

/// The part of a cache that differs between policies: what a hit does,
/// which object goes next, and whether a missed object is taken in.
///
/// [`Cache`] calls it as libCacheSim's `cache_get_base` does, so every
/// policy shares one outer loop and none re-checks capacities:
/// 1. [`hit`](Self::hit) for every request; `true` ends it as a hit;
/// 2. on a miss, an object larger than the capacity is refused, then
///    [`admissible`](Self::admissible) may refuse it too;
/// 3. [`evict`](Self::evict) while [`bytes`](Self::bytes) plus the object's
///    size is above the capacity;
/// 4. [`admit`](Self::admit) once.
///
/// Adding a policy is one file implementing this trait, one line in the
/// registry at the top of `lib.rs` (which makes its
/// [`PolicyKind`](crate::PolicyKind)) and its golden-test rows.
pub trait EvictionPolicy: Sized {
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

    /// The class of the `libcachesim` Python package (libCacheSim's own C
    /// code) that runs the same policy hit for hit, for the cross-check;
    /// empty when there is none.
    const LIBCACHESIM: &'static str = "";

    /// The policy for a cache of `capacity` bytes (objects, when sizes are
    /// ignored), with `params` already checked against
    /// [`PARAMETERS`](Self::PARAMETERS) (read them with
    /// [`Params::float`] and [`Params::integer`]).
    #[must_use]
    fn configure(capacity: u64, params: &Params) -> Self;

    /// If `request`'s object is cached, records the hit and returns `true`.
    /// A miss may change state too (a ghost entry found and consumed).
    fn hit(&mut self, request: &Request) -> bool;

    /// Whether to take in a missed object that is no larger than the
    /// capacity; called before anything is evicted for it. Most policies
    /// take every one; some cap an object at a part of the cache (S3-FIFO's
    /// small queue, SLRU's lowest segment), and LIRS makes room here.
    #[inline]
    fn admissible(&mut self, request: &Request) -> bool {
        let _ = request;
        true
    }

    /// Removes the next victim to make room for `incoming`; `None` only
    /// when nothing is left to evict.
    fn evict(&mut self, incoming: &Request) -> Option<Victim>;

    /// Caches `request`'s object, which is not cached, and returns whether
    /// it did: S3-FIFO may decline an object it has already made room for.
    fn admit(&mut self, request: &Request) -> bool;

    /// Objects cached.
    fn len(&self) -> usize;

    /// Whether nothing is cached.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held (objects, when sizes are ignored), as the policy counts
    /// them: [`Cache`] evicts while this plus the incoming size is above the
    /// capacity. Most policies hold the sum of their objects' stored sizes;
    /// the policy keeps the count because hits and admissions can evict too
    /// (SLRU's demotions, 2Q's protected queue).
    fn bytes(&self) -> u64;

    /// Walks the policy's structures, checks they agree with one another
    /// and with [`len`](Self::len) and [`bytes`](Self::bytes), and returns
    /// what they hold. Slow; for tests and debug builds.
    fn audit(&self) -> Result<Held, String>;
}

/// A cache of `capacity` bytes run by the policy `P`.
///
/// The contract (DESIGN.md) lives here, once, for every policy: a request is
/// a hit when its id is cached, whatever its size says, and a hit changes no
/// stored size; an object larger than the capacity is never admitted and
/// evicts nothing; otherwise a miss evicts until the object fits, then
/// admits it.
#[derive(Debug, Clone)]
pub struct Cache<P> {
    policy: P,
    capacity: u64,
    requests: u64,
    hits: u64,
    bytes_requested: u128,
    bytes_hit: u128,
    /// Objects the policy took in; those not cached now were evicted.
    admitted: u64,
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
            requests: 0,
            hits: 0,
            bytes_requested: 0,
            bytes_hit: 0,
            admitted: 0,
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
        if self.policy.hit(&request) {
            self.hits += 1;
            self.bytes_hit += u128::from(request.size);
            return true;
        }
        if request.size > self.capacity || !self.policy.admissible(&request) {
            return false;
        }
        // Written as a subtraction so it cannot overflow; a policy that
        // holds more than the capacity is caught by `check_invariants`.
        while self.capacity.saturating_sub(self.policy.bytes()) < request.size {
            if self.policy.evict(&request).is_none() {
                debug_assert!(
                    false,
                    "{}: nothing to evict with {} bytes held",
                    P::NAME,
                    self.policy.bytes()
                );
                break;
            }
        }
        if self.policy.admit(&request) {
            self.admitted += 1;
        }
        false
    }

    /// The counters so far.
    #[must_use]
    pub fn stats(&self) -> Stats {
        let objects = self.policy.len() as u64;
        Stats {
            requests: self.requests,
            hits: self.hits,
            bytes_requested: self.bytes_requested,
            bytes_hit: self.bytes_hit,
            evictions: self.admitted.saturating_sub(objects),
            objects,
            bytes_held: self.policy.bytes(),
        }
    }

    /// Checks that the policy's structures agree with each other and with
    /// what it reports: bytes held within capacity, object and byte counts
    /// equal however they are counted.
    pub fn check_invariants(&self) -> Result<(), Error> {
        let violated = |what: String| Error::InvariantViolated {
            policy: P::NAME,
            what,
        };
        let held = self.policy.audit().map_err(violated)?;
        let bytes = self.policy.bytes();
        if bytes > self.capacity {
            return Err(violated(format!(
                "{bytes} bytes held, above the capacity of {}",
                self.capacity
            )));
        }
        if held.bytes != u128::from(bytes) {
            return Err(violated(format!(
                "the policy's structures hold {} bytes but it reports {bytes}",
                held.bytes
            )));
        }
        if held.objects != self.policy.len() as u64 {
            return Err(violated(format!(
                "the policy holds {} objects but reports {}",
                held.objects,
                self.policy.len()
            )));
        }
        if held.objects > self.admitted {
            return Err(violated(format!(
                "{} objects held but only {} admitted",
                held.objects, self.admitted
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
