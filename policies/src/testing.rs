//! What the policies' unit tests share: a trace replayed through [`Cache`]
//! with the invariants checked after every request.

use std::collections::HashSet;

use crate::{Answer, Cache, EvictionPolicy, Params, Request};

/// `H` (hit) or `M` (miss) per `(id, size)` request of `trace`, through
/// `P` at `capacity` with `params` (`key=value,...`). Each request carries
/// its next access (1-based, -1 for never) as an oracleGeneral trace says
/// it, for the future-aware policies; the invariants are checked after
/// every request, and so is its report: a hit only for an object held, a
/// miss only for one not held, evictions only of objects held.
pub(crate) fn outcomes<P: EvictionPolicy>(
    capacity: u64,
    params: &str,
    trace: &[(u64, u64)],
) -> String {
    let params = Params::parse(params, P::PARAMETERS).unwrap();
    let mut cache = Cache::<P>::with_params(capacity, &params);
    let mut outcome = String::new();
    let mut held = HashSet::new();
    for (index, &(id, size)) in trace.iter().enumerate() {
        let next = trace[index + 1..]
            .iter()
            .position(|&(other, _)| other == id)
            .map_or(-1, |ahead| i64::try_from(index + ahead + 2).unwrap());
        let mut evicted = Vec::new();
        let answer = cache.serve(Request::new(id, size).next_at(next), |gone| {
            evicted.push(gone);
        });
        let hit = answer.is_hit();
        assert_eq!(hit, held.contains(&id), "{}: request {index}", P::NAME);
        if answer == Answer::Admitted {
            held.insert(id);
        }
        for gone in evicted {
            assert!(held.remove(&gone), "{}: evicted {gone}, not held", P::NAME);
        }
        assert_eq!(held.len() as u64, cache.stats().objects, "{}", P::NAME);
        cache.check_invariants().unwrap();
        outcome.push(if hit { 'H' } else { 'M' });
    }
    outcome
}

/// Unit-size requests for `ids`.
pub(crate) fn unit(ids: &[u64]) -> Vec<(u64, u64)> {
    ids.iter().map(|&id| (id, 1)).collect()
}
