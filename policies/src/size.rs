//! Size: evict the largest object.

use crate::heap::Prioritised;
use crate::{EvictionPolicy, Held, Params, Request, Victim};

/// Evicts the largest object, so that many small ones fit in its place.
///
/// Williams, Abrams, Standridge, Abdulla and Fox, "Removal Policies in
/// Network Caches for World-Wide Web Documents" (SIGCOMM 1996), as
/// libcachesim 0.3.5's `Size` runs it (`cache/eviction/Size.c` on
/// libpqueue, `dataStructure/pqueue.c`):
/// 1. an admitted object enters a binary max-heap with its size (as
///    `f64`) for priority;
/// 2. a hit sets the object's priority to the size the *request* gives,
///    even though the size stored for the object, which is what it
///    occupies, never changes (a no-op when the size is the same);
/// 3. the victim is the heap's root: a largest priority. Among equal
///    priorities it is wherever libpqueue's moves left them (see
///    [`heap`](crate::heap)); neither the oldest nor the least recently
///    used, as popping moves the last slot to the root. That is why wsim
///    ports the heap move for move.
#[derive(Debug, Clone, Default)]
pub struct Size {
    objects: Prioritised,
}

/// A size as libCacheSim's heap priority: a C double.
#[expect(
    clippy::cast_precision_loss,
    reason = "libCacheSim converts to double; sizes below 2^53 are exact, and the rounding above is the same on host and guest"
)]
fn priority(size: u64) -> f64 {
    size as f64
}

impl EvictionPolicy for Size {
    const NAME: &'static str = "size";
    const LIBCACHESIM: &'static str = "Size";

    fn configure(_capacity: u64, _params: &Params) -> Self {
        Self::default()
    }

    #[inline]
    fn hit(&mut self, request: &Request) -> bool {
        self.objects.hit(request.id, priority(request.size))
    }

    #[inline]
    fn evict(&mut self, _incoming: &Request) -> Option<Victim> {
        self.objects.evict()
    }

    #[inline]
    fn admit(&mut self, request: &Request) -> bool {
        self.objects.admit(request, priority(request.size));
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
        outcomes::<Size>(capacity, "", trace)
    }

    #[test]
    fn equal_sizes_go_in_heap_order() {
        // Capacity 3, unit sizes; heap slots after each request. 1 2 3:
        // [1,2,3]; 1 hits. 4: pop root 1, 3 moves to the root -> [3,2],
        // then [3,2,4]. 1: pop 3 -> [4,2,1]. 2 hits. 5: pop 4 -> [1,2,5].
        // 3: pop 1 -> [5,2,3]. 1: pop 5 -> miss.
        // Checked with libcachesim 0.3.5.
        let trace: Vec<(u64, u64)> = [1, 2, 3, 1, 4, 1, 2, 5, 3, 1]
            .iter()
            .map(|&id| (id, 1))
            .collect();
        assert_eq!(run(3, &trace), "MMMHMMHMMM");
    }

    #[test]
    fn the_largest_goes_and_a_hit_takes_the_request_size() {
        // Capacity 10: 1 (5), 2 (3), 3 (2) fill it; 4 (4) evicts the
        // largest, 1, and 1 then evicts 4 (4 > 3 > 2).
        // Checked with libcachesim 0.3.5.
        let ids = [1, 2, 3, 1, 2, 4, 1, 3];
        let sizes = [5, 3, 2, 5, 3, 4, 5, 2];
        let trace: Vec<(u64, u64)> = ids.into_iter().zip(sizes).collect();
        assert_eq!(run(10, &trace), "MMMHHMMH");
        // Capacity 6: 1 (1), 2 (5). 1 asked for with size 9 hits and
        // takes priority 9 while still holding 1 byte, so 3 (1) evicts 1,
        // not 2, and 2 hits. Checked with libcachesim 0.3.5.
        assert_eq!(
            run(6, &[(1, 1), (2, 5), (1, 9), (3, 1), (2, 5), (1, 1)]),
            "MMHMHM"
        );
    }

    #[test]
    fn extreme_ids_and_tiny_capacities() {
        for capacity in 1..4 {
            let mut cache = Cache::<Size>::new(capacity);
            for (step, id) in [0, u64::MAX, 0, 7, u64::MAX, 0].into_iter().enumerate() {
                cache.access(Request::new(id, 1 + step as u64 % 3));
                cache.check_invariants().unwrap();
            }
        }
    }
}
