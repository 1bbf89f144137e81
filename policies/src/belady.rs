//! Belady: evict the object requested furthest in the future.

use crate::heap::Prioritised;
use crate::{EvictionPolicy, Held, Params, Request, Victim};

/// The clairvoyant policy: evicts the object whose next request comes
/// last, those never requested again first. Optimal for unit sizes; a
/// reference point, not a policy one can run online.
///
/// Belady, "A Study of Replacement Algorithms for a Virtual-Storage
/// Computer" (IBM Systems Journal, 1966), as libcachesim 0.3.5's `Belady`
/// runs it (`cache/eviction/Belady.c` on libpqueue,
/// `dataStructure/pqueue.c`):
/// 1. an admitted object enters a binary max-heap with its next access
///    (the 1-based index of its next request, as a C double) for
///    priority; "never" is `INT64_MAX`, 2^63 as a double, so every object
///    not requested again has the same, highest priority. Such objects
///    are admitted like any other;
/// 2. a hit sets the priority to the request's next access, even when it
///    is "never": a hit always keeps the object;
/// 3. the victim is the heap's root, a largest next access; ties (in
///    practice, among never-again objects) go wherever libpqueue's moves
///    left them (see [`heap`](crate::heap)), which is why wsim ports the
///    heap move for move. Sizes play no part in the choice.
///
/// libCacheSim reads "never" in an oracleGeneral trace as `INT64_MAX`
/// (its reader turns -1 into it). wsim's requests say "never" with any
/// negative next access (-1), which it gives the same priority; a
/// hand-built libCacheSim request could carry -1 instead, which pins the
/// object on a hit and aborts the process on an insert, and no trace can
/// reach those.
#[derive(Debug, Clone, Default)]
pub struct Belady {
    objects: Prioritised,
}

/// `request`'s next access as libCacheSim's heap priority: a C double of
/// the index, 2^63 for never.
#[expect(
    clippy::cast_precision_loss,
    reason = "libCacheSim converts to double; indices below 2^53 are exact, and the rounding above is the same on host and guest"
)]
fn priority(request: &Request) -> f64 {
    request
        .next_access()
        .map_or(i64::MAX as f64, |next| next as f64)
}

impl EvictionPolicy for Belady {
    const NAME: &'static str = "belady";
    const LIBCACHESIM: &'static str = "Belady";
    const NEEDS_NEXT_ACCESS: bool = true;

    fn configure(_capacity: u64, _params: &Params) -> Self {
        Self::default()
    }

    #[inline]
    fn hit(&mut self, request: &Request) -> bool {
        self.objects.hit(request.id, priority(request))
    }

    #[inline]
    fn evict(&mut self, _incoming: &Request) -> Option<Victim> {
        self.objects.evict()
    }

    #[inline]
    fn admit(&mut self, request: &Request) -> bool {
        self.objects.admit(request, priority(request));
        true
    }

    fn len(&self) -> usize {
        self.objects.len()
    }

    fn bytes(&self) -> u64 {
        self.objects.bytes()
    }

    fn audit(&self) -> Result<Held, String> {
        self.objects.audit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::outcomes;
    use crate::Cache;

    fn run(capacity: u64, trace: &[(u64, u64)]) -> String {
        outcomes::<Belady>(capacity, "", trace)
    }

    #[test]
    fn the_furthest_goes_and_never_again_ties_go_by_heap_order() {
        // Capacity 3, unit sizes; next accesses 4 7 9 6 N 10 N N N N (N:
        // never). 4 evicts 3 (9, the largest); 1 hits (-> 10); 2 hits
        // (-> N, not the root: 4 is). 5 pops the root 4 (N, tied with 2),
        // 3 then pops 2 (N); 1 hits.
        // Checked with libcachesim 0.3.5.
        let trace: Vec<(u64, u64)> = [1, 2, 3, 1, 4, 1, 2, 5, 3, 1]
            .iter()
            .map(|&id| (id, 1))
            .collect();
        assert_eq!(run(3, &trace), "MMMHMHHMMH");
    }

    #[test]
    fn sizes_play_no_part() {
        // Capacity 10: 1 (6 bytes, next at 5), 2 (3, next at 4); 3 (4)
        // evicts 1, the furthest, though 2 alone would have made room. 2
        // hits (-> never); 1 (6) evicts 2 (never) and fits; 3 hits.
        // Checked with libcachesim 0.3.5.
        let trace = [(1, 6), (2, 3), (3, 4), (2, 3), (1, 6), (3, 4)];
        assert_eq!(run(10, &trace), "MMMHMH");
    }

    #[test]
    fn extreme_ids_and_tiny_capacities() {
        for capacity in 1..4 {
            let mut cache = Cache::<Belady>::new(capacity);
            for (step, id) in [0, u64::MAX, 0, 7, u64::MAX, 0].into_iter().enumerate() {
                let next = [-1, 3, i64::MAX, 0, -5, 1][step];
                cache.access(Request::new(id, 1 + step as u64 % 3).next_at(next));
                cache.check_invariants().unwrap();
            }
        }
    }
}
