//! The cache contract, checked natively: a policy's own tests replay the
//! hand-made traces `wsim check` replays through a module, through
//! [`Cache`] and an account of what the cache holds kept apart from the
//! policy. So a policy can be tested before it is ever built for a
//! sandbox:
//!
//! ```
//! use wsim_policies::{Lru, conformance};
//!
//! conformance::check::<Lru>().unwrap();
//! ```
//!
//! The rules (DESIGN.md, "The cache contract"): a hit only for an object
//! held, a miss only for one not held; nothing larger than the capacity
//! taken in; evictions only of objects held; never more bytes held than the
//! capacity; the policy's counts (`len`, `bytes`, `audit`) agree with the
//! account after every request; and something taken in when objects fit.
//! A policy may refuse an object that fits (S3-FIFO and W-TinyLFU do).

use std::collections::HashMap;

use crate::{Answer, Cache, EvictionPolicy, Params, Request, next_accesses};

/// One hand-made trace: what it exercises, the capacity, the requests
/// (each with its next access, for policies that read it).
#[derive(Debug, Clone)]
pub struct Trace {
    /// What it exercises, in words.
    pub name: &'static str,
    /// The cache's capacity: bytes, or objects for unit sizes.
    pub capacity: u64,
    /// The requests.
    pub requests: Vec<Request>,
}

/// A small deterministic generator, so every run checks the same traces.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below.max(1)
    }
}

/// The traces every policy and module is checked on: unit sizes; sizes up
/// to 1.5x the capacity; objects whose size changes between requests (ids
/// at the top of `u64`); and
/// 10,000 skewed requests, more than a Batch call's 4,096. Their capacities
/// let every built-in policy take objects in (S3-FIFO's small queue is a
/// tenth of the cache, W-TinyLFU's window a hundredth).
#[must_use]
pub fn traces() -> Vec<Trace> {
    let mut random = Lcg(0x5eed);
    let unit: Vec<(u64, u64)> = (0..2_000).map(|_| (random.next(300), 1)).collect();
    let mixed: Vec<(u64, u64)> = (0..3_000)
        .map(|_| (random.next(60), 1 + random.next(1_500)))
        .collect();
    // Ids from the top of u64, whose high bit a signed slip in a guest
    // would mangle.
    let resized: Vec<(u64, u64)> = (0..600)
        .map(|index| {
            let size = if index % 3 == 0 { 90 } else { 10 };
            (u64::MAX - random.next(30), size)
        })
        .collect();
    let long: Vec<(u64, u64)> = (0..10_000)
        .map(|_| {
            // Skewed: low ids far more often than high ones.
            let bound = 1 + random.next(500);
            (random.next(bound), 1)
        })
        .collect();
    [
        ("unit sizes, 100 objects fit", 100, unit),
        ("sizes up to 1.5x the capacity", 1_000, mixed),
        ("objects that change size, ids near 2^64", 1_000, resized),
        ("10,000 requests across Batch's buffer", 100, long),
    ]
    .into_iter()
    .map(|(name, capacity, pairs)| Trace {
        name,
        capacity,
        requests: with_next_accesses(&pairs),
    })
    .collect()
}

/// `(id, size)` pairs as requests, each carrying the 1-based index of its
/// object's next request ([`Request::NEVER`] when there is none).
#[must_use]
pub fn with_next_accesses(pairs: &[(u64, u64)]) -> Vec<Request> {
    let next = next_accesses(pairs.iter().map(|&(id, _)| id));
    pairs
        .iter()
        .zip(next)
        .map(|(&(id, size), next)| Request::new(id, size).next_at(next))
        .collect()
}

/// Replays `requests` through a [`Cache`] of `P` at `capacity` with
/// `params`, checking every answer against the contract; returns the
/// answers (`true` for a hit) or the first rule broken, naming the request.
pub fn replay<P: EvictionPolicy>(
    capacity: u64,
    params: &Params,
    requests: &[Request],
) -> Result<Vec<bool>, String> {
    let mut cache: Cache<P> = Cache::with_params(capacity, params);
    // The account: every object held, with the size it came in with.
    let mut held: HashMap<u64, u64> = HashMap::new();
    let mut bytes: u64 = 0;
    let mut evictions: u64 = 0;
    let mut fitting_misses: u64 = 0;
    let mut admitted: u64 = 0;
    let mut answers = Vec::with_capacity(requests.len());
    for (index, request) in requests.iter().enumerate() {
        let at = |rule: String| format!("request {index} (id {}): {rule}", request.id);
        let mut evicted: Vec<u64> = Vec::new();
        let answer = cache.serve(*request, |id| evicted.push(id));
        let was_held = held.contains_key(&request.id);
        for id in evicted {
            let Some(size) = held.remove(&id) else {
                return Err(at(format!("evicted object {id}, which it does not hold")));
            };
            bytes -= size;
            evictions += 1;
        }
        match answer {
            Answer::Hit if !was_held => {
                return Err(at("answered a hit for an object it does not hold".into()));
            }
            Answer::Hit => {}
            _ if was_held => return Err(at("answered a miss for an object it holds".into())),
            Answer::Admitted if request.size > capacity => {
                return Err(at(format!(
                    "took in an object of {} bytes, above the capacity of {capacity}",
                    request.size
                )));
            }
            Answer::Admitted => {
                held.insert(request.id, request.size);
                bytes += request.size;
                admitted += 1;
            }
            Answer::Refused | Answer::Missed => {}
        }
        if !answer.is_hit() && request.size <= capacity {
            fitting_misses += 1;
        }
        if bytes > capacity {
            return Err(at(format!(
                "holds {bytes} bytes, above the capacity of {capacity}"
            )));
        }
        cache
            .check_invariants()
            .map_err(|error| at(error.to_string()))?;
        let stats = cache.stats();
        if stats.objects != held.len() as u64 || stats.bytes_held != bytes {
            return Err(at(format!(
                "says it holds {} objects of {} bytes; it took in and kept {} of {bytes}",
                stats.objects,
                stats.bytes_held,
                held.len()
            )));
        }
        if stats.evictions != evictions {
            return Err(at(format!(
                "counts {} evictions; it reported {evictions}",
                stats.evictions
            )));
        }
        answers.push(answer.is_hit());
    }
    if admitted == 0 && fitting_misses > 0 {
        return Err(format!(
            "took in none of the {fitting_misses} missed objects that fit in the capacity: it caches nothing"
        ));
    }
    Ok(answers)
}

/// Every trace of [`traces`] through `P` at its default parameters: `Ok`, or
/// the first rule broken, naming the trace and the request.
pub fn check<P: EvictionPolicy>() -> Result<(), String> {
    for trace in traces() {
        replay::<P>(trace.capacity, &Params::default(), &trace.requests).map_err(|why| {
            format!(
                "{}: {} at a capacity of {}: {why}",
                P::NAME,
                trace.name,
                trace.capacity
            )
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Fifo, Lru, Sieve, Victim};

    #[test]
    fn simple_policies_keep_the_contract() {
        check::<Lru>().unwrap();
        check::<Fifo>().unwrap();
        check::<Sieve>().unwrap();
    }

    #[test]
    fn lru_by_hand() {
        // Two objects fit: 1 2 1 3 evicts 2, so 2 misses and 1 hits.
        let requests = with_next_accesses(&[(1, 1), (2, 1), (1, 1), (3, 1), (2, 1), (1, 1)]);
        let answers = replay::<Lru>(2, &Params::default(), &requests).unwrap();
        assert_eq!(answers, [false, false, true, false, false, false]);
    }

    #[test]
    fn next_accesses_are_one_based_and_never_when_none() {
        let requests = with_next_accesses(&[(7, 1), (8, 1), (7, 1)]);
        let next: Vec<i64> = requests.iter().map(|request| request.next_access).collect();
        assert_eq!(next, [3, Request::NEVER, Request::NEVER]);
    }

    /// Claims a hit for every object after the first: its counts agree,
    /// its answers do not.
    #[derive(Default)]
    struct AlwaysHit {
        held: Option<Victim>,
    }

    impl EvictionPolicy for AlwaysHit {
        const NAME: &'static str = "always-hit";

        fn configure(_capacity: u64, _params: &Params) -> Self {
            Self::default()
        }

        fn hit(&mut self, _request: &Request) -> bool {
            self.held.is_some()
        }

        fn evict(&mut self, _incoming: &Request) -> Option<Victim> {
            self.held.take()
        }

        fn admit(&mut self, request: &Request) -> bool {
            self.held = Some(Victim {
                id: request.id,
                size: request.size,
            });
            true
        }

        fn len(&self) -> usize {
            usize::from(self.held.is_some())
        }

        fn bytes(&self) -> u64 {
            self.held.map_or(0, |victim| victim.size)
        }

        fn audit(&self) -> Result<crate::Held, String> {
            Ok(crate::Held {
                objects: self.len() as u64,
                bytes: u128::from(self.bytes()),
            })
        }
    }

    #[test]
    fn a_policy_that_claims_hits_fails() {
        let error = check::<AlwaysHit>().unwrap_err();
        assert!(
            error.starts_with(
                "always-hit: unit sizes, 100 objects fit at a capacity of 100: request 1 (id "
            ) && error.ends_with("answered a hit for an object it does not hold"),
            "{error}"
        );
    }
}
