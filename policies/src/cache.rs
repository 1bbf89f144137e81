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

    /// Whether [`access_reported`](Self::access_reported) says which misses
    /// were taken in and which objects left: native caches and guests of
    /// ABI version 3 do, so the host can audit every answer.
    fn reports(&self) -> bool {
        false
    }

    /// Serves `requests` in order as [`access_batch`](Self::access_batch)
    /// does, replacing `answers` with one [`Answer`] per request and
    /// `evictions` with every object evicted, tagged with the index of the
    /// request that evicted it. A cache that does not
    /// [report](Self::reports) answers [`Answer::Missed`] for every miss and
    /// no evictions.
    fn access_reported(
        &mut self,
        requests: &[Request],
        answers: &mut Vec<Answer>,
        evictions: &mut Vec<Eviction>,
    ) -> Result<(), Self::Error> {
        unreported(self, requests, answers, evictions)
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

/// What a cache did with one request, as it reports it to the audit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// The object was cached.
    Hit,
    /// A miss; the object was taken in.
    Admitted,
    /// A miss; the object was not taken in: larger than the capacity, or
    /// refused by the policy's admission rule.
    Refused,
    /// A miss from a cache that does not say whether it took the object in
    /// (a guest of ABI version 1 or 2).
    Missed,
}

impl Answer {
    /// Whether the request was a hit.
    #[inline]
    #[must_use]
    pub const fn is_hit(self) -> bool {
        matches!(self, Self::Hit)
    }

    /// [`Hit`](Self::Hit) or [`Missed`](Self::Missed), for a cache that only
    /// says which requests hit.
    #[inline]
    #[must_use]
    pub const fn from_hit(hit: bool) -> Self {
        if hit { Self::Hit } else { Self::Missed }
    }
}

/// An object a cache evicted, and which of the requests of one call
/// evicted it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Eviction {
    /// The index, among the requests of the call, of the request that
    /// evicted it.
    pub request: u32,
    /// The evicted object's id.
    pub id: u64,
}

/// Objects a policy evicted outside [`EvictionPolicy::evict`] (in `hit`,
/// `admissible` or `admit`: SLRU's cooling, 2Q's protected queue, LIRS's
/// demotions, W-TinyLFU's promotions), kept only while [`Cache`] asks for
/// reports, so a run without an audit pays one branch per such eviction.
#[derive(Clone, Debug, Default)]
pub struct EvictionLog {
    on: bool,
    complete: bool,
    ids: Vec<u64>,
}

impl EvictionLog {
    /// Notes that `id` was evicted.
    #[inline]
    pub fn record(&mut self, id: u64) {
        if self.on {
            self.ids.push(id);
        }
    }

    /// Takes back the last record of `id`, which did not leave the cache
    /// after all.
    pub fn forget(&mut self, id: u64) {
        if let Some(at) = self.ids.iter().rposition(|&kept| kept == id) {
            self.ids.remove(at);
        }
    }

    /// A log of every eviction, those [`evict`](EvictionPolicy::evict)
    /// returns included, for a policy whose `evict` may return an object it
    /// did not take out of the cache (LIRS's demotions): [`Cache`] then
    /// reports what the log says and ignores what `evict` returns.
    #[must_use]
    pub fn complete() -> Self {
        Self {
            complete: true,
            ..Self::default()
        }
    }
}

/// Where [`Cache`] sends the ids it evicts while serving a request: nowhere
/// ([`NoReport`], the plain [`Cache::access`]) or to a closure.
trait Evicted {
    const ON: bool;
    fn evicted(&mut self, id: u64);
}

struct NoReport;

impl Evicted for NoReport {
    const ON: bool = false;
    #[inline]
    fn evicted(&mut self, _id: u64) {}
}

impl<F: FnMut(u64)> Evicted for F {
    const ON: bool = true;
    #[inline]
    fn evicted(&mut self, id: u64) {
        self(id);
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

    /// Where the policy records the objects it evicts outside
    /// [`evict`](Self::evict); `None` (the default) for a policy that evicts
    /// only there. A policy that evicts in `hit`, `admissible` or `admit`
    /// must record each such object here, or its reports (and so the audit
    /// of a guest running it) miss them.
    fn evicted_elsewhere(&mut self) -> Option<&mut EvictionLog> {
        None
    }
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
        self.serve_with(request, &mut NoReport).is_hit()
    }

    /// Serves one request and says what it did, handing `evicted` the id of
    /// every object that left the cache while serving it (the object
    /// itself, when a policy takes it in and at once out again).
    #[inline]
    pub fn serve(&mut self, request: Request, mut evicted: impl FnMut(u64)) -> Answer {
        let complete = self.policy.evicted_elsewhere().is_some_and(|log| {
            log.on = true;
            log.complete
        });
        // Debug builds check that every object that left was reported.
        let before = cfg!(debug_assertions).then(|| self.policy.len());
        let mut count = 0_usize;
        let answer = self.serve_with(request, &mut |id| {
            if !complete {
                count += 1;
                evicted(id);
            }
        });
        if let Some(log) = self.policy.evicted_elsewhere() {
            count += log.ids.len();
            log.ids.drain(..).for_each(&mut evicted);
        }
        if let Some(before) = before {
            let admitted = usize::from(answer == Answer::Admitted);
            assert_eq!(
                before + admitted,
                self.policy.len() + count,
                "{}: an eviction went unreported",
                P::NAME
            );
        }
        answer
    }

    #[inline]
    fn serve_with<E: Evicted>(&mut self, request: Request, evicted: &mut E) -> Answer {
        self.requests += 1;
        self.bytes_requested += u128::from(request.size);
        if self.policy.hit(&request) {
            self.hits += 1;
            self.bytes_hit += u128::from(request.size);
            return Answer::Hit;
        }
        if request.size > self.capacity || !self.policy.admissible(&request) {
            return Answer::Refused;
        }
        // Written as a subtraction so it cannot overflow; a policy that
        // holds more than the capacity is caught by `check_invariants`.
        while self.capacity.saturating_sub(self.policy.bytes()) < request.size {
            let Some(victim) = self.policy.evict(&request) else {
                debug_assert!(
                    false,
                    "{}: nothing to evict with {} bytes held",
                    P::NAME,
                    self.policy.bytes()
                );
                break;
            };
            if E::ON {
                evicted.evicted(victim.id);
            }
        }
        if self.policy.admit(&request) {
            self.admitted += 1;
            Answer::Admitted
        } else {
            Answer::Refused
        }
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

    fn reports(&self) -> bool {
        true
    }

    fn access_reported(
        &mut self,
        requests: &[Request],
        answers: &mut Vec<Answer>,
        evictions: &mut Vec<Eviction>,
    ) -> Result<(), Infallible> {
        answers.clear();
        evictions.clear();
        for (index, &request) in (0_u32..).zip(requests) {
            answers.push(self.serve(request, |id| {
                evictions.push(Eviction { request: index, id });
            }));
        }
        Ok(())
    }

    fn stats(&mut self) -> Result<Stats, Infallible> {
        Ok(Cache::stats(self))
    }

    fn check_invariants(&self) -> Result<(), Error> {
        Cache::check_invariants(self)
    }
}

/// [`CachePolicy::access_reported`] for a cache that cannot report: its
/// hits, [`Answer::Missed`] for every miss, and no evictions.
pub fn unreported<C: CachePolicy + ?Sized>(
    cache: &mut C,
    requests: &[Request],
    answers: &mut Vec<Answer>,
    evictions: &mut Vec<Eviction>,
) -> Result<(), C::Error> {
    let mut hits = Vec::with_capacity(requests.len());
    cache.access_batch(requests, &mut hits)?;
    answers.clear();
    evictions.clear();
    answers.extend(hits.into_iter().map(Answer::from_hit));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{PolicyKind, PolicyVisitor};

    /// Every policy's reports, over a trace whose objects change size and
    /// often exceed a share of the cache: `serve`'s own check (in debug
    /// builds) that no eviction goes unreported, and the host's account of
    /// what is held, which every answer must agree with.
    #[test]
    fn every_policy_reports_every_eviction() {
        struct Replay(u64);
        impl PolicyVisitor for Replay {
            type Output = ();
            fn visit<P: EvictionPolicy + 'static>(self) {
                let mut state = 0x9e37_79b9_7f4a_7c15_u64;
                let trace: Vec<(u64, u64)> = (0..3000)
                    .map(|_| {
                        state = state
                            .wrapping_mul(6_364_136_223_846_793_005)
                            .wrapping_add(1_442_695_040_888_963_407);
                        let id = (state >> 33) % 97 % ((state >> 20) % 97 + 1);
                        (id, (state >> 45) % self.0 + 1)
                    })
                    .collect();
                for capacity in [1, 7, 64, 300] {
                    crate::testing::outcomes::<P>(capacity, "", &trace);
                }
            }
        }
        for kind in PolicyKind::ALL {
            kind.visit(Replay(40));
            kind.visit(Replay(1));
        }
    }
}
