//! BeladySize: sampled Belady weighted by size.

use core::ops::Bound;

use rustc_hash::FxHashMap;

use crate::exact_ln::ln;
use crate::lcs_table::{Lehmer64, Table};
use crate::{EvictionLog, EvictionPolicy, Held, ParamKind, Parameter, Params, Request, Victim};

/// Evicts, among a random sample of cached objects, the one with the
/// largest `size × time to its next request`: the bytes it would hold
/// unused the longest. Objects never requested again are not cached.
///
/// A size-aware variant of Belady, "A Study of Replacement Algorithms for
/// a Virtual-Storage Computer" (IBM Systems Journal, 1966), as
/// libcachesim 0.3.5's `BeladySize` runs it (`cache/eviction/BeladySize.c`
/// of the libCacheSim it bundles, its `chainedHashTableV2.c` and
/// `utils/mymath.c`), `n` being the requests so far, this one included:
/// 1. a hit records the request's next access; if that is "never", the
///    object is dropped right after the hit;
/// 2. a missed object is made room for like any other, and then not
///    cached if it is never requested again;
/// 3. to evict, draw `n-sample` objects (repeats allowed) from the hash
///    table, as below, and evict the first drawn of highest score
///    `ln(size) + ln(next - n)` (`f64`); an object whose `next - n` is not
///    positive scores -inf or NaN and is never chosen. If no draw scores,
///    draw again;
/// 4. the objects live in libCacheSim's chained hash table, which the draws
///    depend on: `2^p` buckets (`p` = 24 at first), an object in bucket
///    `XXH3_64(id) & (2^p - 1)`, prepended to its chain; before an insert
///    into a table of more than `2 × 2^p` objects, `p` grows by one; a
///    draw picks bucket `r & (2^p - 1)` until one is not empty (after the
///    32nd empty one in a row, each further one shrinks `p` by one), then
///    the `(r' mod length)`-th object of its chain. Growing or shrinking
///    moves the objects bucket by bucket, each chain head first, to the
///    head of their new chains. `r` is libCacheSim's Lehmer64 generator,
///    seeded with `0xdeadbeef`.
///
/// Where wsim differs, and why:
/// - libCacheSim's generator is one per process (thread), so its
///   `BeladySize` follows these draws only when it is the first cache to
///   draw in a fresh process (the cross-check runs each in its own); wsim
///   seeds one per cache, so every run is reproducible.
/// - `ln`: libCacheSim calls glibc's `log` (2.36 here), whose last bit
///   differs from the correctly rounded value on 413 of the integers
///   below 2^24 (the first is 9170), and may differ again on another libm
///   or CPU. wsim compares two scores computed with the platform's `ln`
///   when they are more than 2^-30 apart (no `ln` in use errs by more
///   than a few ulps, 2^-44 at these magnitudes, so the order is certain),
///   and otherwise with its own correctly rounded
///   [`ln`](crate::exact_ln::ln), built from `f64` additions,
///   multiplications and divisions alone; so native and WebAssembly runs
///   decide identically. It departs from libCacheSim only when two drawn
///   scores tie to within an ulp and glibc misrounds one of their
///   logarithms: size 2 at distance 4585 ties size 1 at 9170 in glibc's
///   `f64`, and beats it in wsim's.
/// - when no cached object can score at all (next accesses in the past,
///   which no consistent trace has, or size 0, which libCacheSim's reader
///   skips), libCacheSim draws forever; wsim evicts the last object drawn.
/// - any negative next access means "never", as libCacheSim's reader
///   makes -1; a hand-built libCacheSim request could carry another
///   negative, which it would cache.
#[derive(Debug, Clone)]
pub struct BeladySize {
    objects: FxHashMap<u64, Object>,
    table: Table,
    random: Lehmer64,
    samples: u64,
    /// libCacheSim's `n_req`.
    clock: i64,
    bytes: u64,
    /// Objects a hit drops (no next access), for reports.
    log: EvictionLog,
}

#[derive(Debug, Clone, Copy)]
struct Object {
    size: u64,
    next_access: i64,
    /// `ln(size)` by the platform's `ln`, for the quick comparison.
    ln_size: f64,
}

const N_SAMPLE: Parameter = Parameter {
    name: "n-sample",
    kind: ParamKind::Integer,
    default: "128",
    about: "objects drawn at random for each eviction",
    range: (Bound::Included(1.0), Bound::Included(1_048_576.0)),
};

/// A drawn object's score: the quick value, and the exact one once needed.
struct Score {
    id: u64,
    quick: f64,
    size: u64,
    distance: i64,
    exact: Option<f64>,
}

impl Score {
    #[expect(
        clippy::cast_precision_loss,
        reason = "libCacheSim converts to double; the rounding is the same everywhere"
    )]
    fn exact(&mut self) -> f64 {
        let (size, distance) = (self.size as f64, self.distance as f64);
        *self.exact.get_or_insert_with(|| ln(size) + ln(distance))
    }

    /// libCacheSim's `best_score < score`, decided from the quick values
    /// when they are far enough apart for no `ln` error to matter.
    fn beats(&mut self, best: &mut Self) -> bool {
        const MARGIN: f64 = 1.0 / 1_073_741_824.0; // 2^-30
        let gap = self.quick - best.quick;
        if gap.abs() > MARGIN {
            gap > 0.0
        } else {
            best.exact() < self.exact()
        }
    }
}

impl BeladySize {
    /// The request's next access, `None` for never.
    fn future(request: &Request) -> Option<i64> {
        Some(request.next_access).filter(|next| (0..i64::MAX).contains(next))
    }

    fn take(&mut self, id: u64) -> Victim {
        self.table.remove(id);
        let size = self.objects.remove(&id).map_or(0, |object| object.size);
        self.bytes -= size;
        Victim { id, size }
    }

    /// Step 3's draws, until one scores; the last drawn if none can.
    #[expect(
        clippy::cast_precision_loss,
        reason = "libCacheSim converts to double; the rounding is the same everywhere"
    )]
    fn victim(&mut self) -> Option<u64> {
        loop {
            let (mut best, mut last): (Option<Score>, Option<u64>) = (None, None);
            for _ in 0..self.samples {
                let id = self.table.draw(&mut self.random)?;
                last = Some(id);
                let Some(object) = self.objects.get(&id) else {
                    continue;
                };
                // A score of -inf or NaN never beats libCacheSim's initial -1.
                let distance = object.next_access - self.clock;
                if distance < 1 || object.size == 0 {
                    continue;
                }
                let mut score = Score {
                    id,
                    quick: object.ln_size + (distance as f64).ln(),
                    size: object.size,
                    distance,
                    exact: None,
                };
                let better = match &mut best {
                    Some(best_so_far) => score.beats(best_so_far),
                    None => true,
                };
                if better {
                    best = Some(score);
                }
            }
            if let Some(best) = best {
                return Some(best.id);
            }
            if !self
                .objects
                .values()
                .any(|object| object.next_access > self.clock && object.size > 0)
            {
                return last;
            }
        }
    }
}

impl EvictionPolicy for BeladySize {
    const NAME: &'static str = "belady-size";
    const LIBCACHESIM: &'static str = "BeladySize";
    const PARAMETERS: &'static [Parameter] = &[N_SAMPLE];
    const NEEDS_NEXT_ACCESS: bool = true;

    fn configure(_capacity: u64, params: &Params) -> Self {
        Self {
            objects: FxHashMap::default(),
            table: Table::new(24),
            random: Lehmer64::new(),
            samples: u64::try_from(params.integer(&N_SAMPLE)).unwrap_or(1).max(1),
            clock: 0,
            bytes: 0,
            log: EvictionLog::default(),
        }
    }

    #[inline]
    fn hit(&mut self, request: &Request) -> bool {
        self.clock += 1;
        let Some(object) = self.objects.get_mut(&request.id) else {
            return false;
        };
        match Self::future(request) {
            Some(next) => object.next_access = next,
            None => {
                self.take(request.id);
                self.log.record(request.id);
            }
        }
        true
    }

    fn evict(&mut self, _incoming: &Request) -> Option<Victim> {
        let id = self.victim()?;
        Some(self.take(id))
    }

    #[expect(
        clippy::cast_precision_loss,
        reason = "libCacheSim converts to double; the rounding is the same everywhere"
    )]
    fn admit(&mut self, request: &Request) -> bool {
        let Some(next_access) = Self::future(request) else {
            return false;
        };
        self.table.insert(request.id);
        self.objects.insert(
            request.id,
            Object {
                size: request.size,
                next_access,
                ln_size: (request.size as f64).ln(),
            },
        );
        self.bytes += request.size;
        true
    }

    fn len(&self) -> usize {
        self.objects.len()
    }

    fn bytes(&self) -> u64 {
        self.bytes
    }

    fn evicted_elsewhere(&mut self) -> Option<&mut EvictionLog> {
        Some(&mut self.log)
    }

    fn audit(&self) -> Result<Held, String> {
        let chained = self.table.audit(|id| self.objects.contains_key(&id))?;
        if chained != self.objects.len() as u64 {
            return Err(format!(
                "{chained} objects chained, {} indexed",
                self.objects.len()
            ));
        }
        Ok(Held {
            objects: chained,
            bytes: self
                .objects
                .values()
                .map(|object| u128::from(object.size))
                .sum(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::outcomes;
    use crate::Cache;

    fn run(capacity: u64, trace: &[(u64, u64)]) -> String {
        outcomes::<BeladySize>(capacity, "", trace)
    }

    #[test]
    fn never_again_objects_are_not_kept() {
        // Capacity 2, unit sizes (128 draws among 2 objects see both).
        // 3 evicts 2 (next - n = 7 - 3 = 4 against 1's 4 - 3 = 1). 4 is
        // never requested again: it evicts 3 (9 - 5 = 4 against 1's
        // 6 - 5 = 1) and is not cached. 2, 5, 3 miss without evicting.
        // 1's last hit, next "never", drops it.
        // Checked with libcachesim 0.3.5, in a fresh process.
        let trace: Vec<(u64, u64)> = [1, 2, 3, 1, 4, 1, 2, 5, 3, 1]
            .iter()
            .map(|&id| (id, 1))
            .collect();
        assert_eq!(run(2, &trace), "MMMHMHMMMH");
        let mut cache = Cache::<BeladySize>::new(2);
        assert!(!cache.access(Request::new(1, 1).next_at(2)));
        assert!(cache.access(Request::new(1, 1)));
        assert_eq!(cache.stats().objects, 0);
    }

    #[test]
    fn the_largest_size_times_distance_goes() {
        // Capacity 10. 3 (2 bytes) evicts 1 (8 × (4 - 3) = 8) rather than
        // 2 (2 × (5 - 3) = 4). 1, never again, evicts 3 (2 × (6 - 4))
        // rather than 2 (2 × (5 - 4)) and is not cached; 2 hits and, never
        // again, is dropped; 3 misses.
        // Checked with libcachesim 0.3.5, in a fresh process.
        let trace = [(1, 8), (2, 2), (3, 2), (1, 8), (2, 2), (3, 2)];
        assert_eq!(run(10, &trace), "MMMMHM");
    }

    #[test]
    fn equal_products_compare_as_libcachesim_sums() {
        // size × distance = 10 both ways, but in f64 (glibc and correctly
        // rounded alike) ln 2 + ln 5 = 2.3025850929940455 is below
        // ln 1 + ln 10 = 2.302585092994046: (1, 10) beats (2, 5), not the
        // other way round. ln 3 + ln 8 = ln 4 + ln 6: the first drawn stays.
        let score = |size: u32, distance: i32| Score {
            id: 0,
            quick: f64::from(size).ln() + f64::from(distance).ln(),
            size: size.into(),
            distance: distance.into(),
            exact: None,
        };
        assert!(score(1, 10).beats(&mut score(2, 5)));
        assert!(!score(2, 5).beats(&mut score(1, 10)));
        assert!(!score(4, 6).beats(&mut score(3, 8)));
        assert!(!score(3, 8).beats(&mut score(4, 6)));
        assert!(score(1, 24).beats(&mut score(3, 8)));
        assert!(score(3, 9).beats(&mut score(5, 5)));
        // Where wsim departs: glibc's ln 9170 is an ulp high, so
        // libCacheSim ties these two (and keeps the first drawn).
        assert!(score(2, 4585).beats(&mut score(1, 9170)));
    }

    #[test]
    fn extreme_ids_tiny_capacities_and_stale_next_accesses() {
        // Any ids, capacities down to 1, sizes changing: nothing breaks.
        for capacity in 1..4 {
            let mut cache = Cache::<BeladySize>::new(capacity);
            for (step, id) in [0, u64::MAX, 0, 7, u64::MAX, 0].into_iter().enumerate() {
                let next = [3, 5, -1, 0, 1, i64::MAX][step];
                cache.access(Request::new(id, 1 + step as u64 % 3).next_at(next));
                cache.check_invariants().unwrap();
            }
        }
    }
}
