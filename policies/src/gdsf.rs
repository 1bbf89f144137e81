//! GDSF: Greedy-Dual-Size-Frequency, GreedyDual-Size weighted by hits.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use crate::{EvictionLog, EvictionPolicy, Held, Params, Request, Victim};

/// Evicts the object of lowest `L + frequency * 1e6 / size`, where `L`
/// rises to each victim's value, so objects that are small and often
/// requested stay while the idle ones age out.
///
/// Cherkasova, "Improving WWW Proxies Performance with
/// Greedy-Dual-Size-Frequency Caching Policy" (HP Labs report
/// HPL-98-69R1, 1998), as libcachesim 0.3.5's `GDSF` runs it
/// (`cache/eviction/cpp/GDSF.cpp`):
/// 1. `L` (the inflation value) starts at 0.0; a request counter `n`
///    counts every request, hit or miss;
/// 2. a hit adds 1 to the object's frequency and sets its priority to
///    `L + (f * 1e6) / s` (`f64`, multiply, then divide, then add), with
///    `s` the size the object was stored with (a new request size is
///    ignored), and its time to `n`;
/// 3. a missed object no larger than the capacity is **inserted first**,
///    with frequency 1, priority `L + 1e6 / s` and time `n`;
/// 4. then, while the bytes held exceed the capacity, the object of lowest
///    priority is evicted (exact `f64` equality goes to the older time)
///    and `L` becomes its priority. The new object is a candidate too: when
///    its priority is the lowest (it loses every tie, its time being the
///    newest), it is evicted at once, after any lower ones, and the
///    request stays a miss.
///
/// wsim's [`Cache`](crate::Cache) evicts before it admits, so step 4 is
/// split: [`admissible`](EvictionPolicy::admissible) computes the new
/// object's priority with the `L` of step 3 and looks ahead along the
/// order; if the object would survive, it keeps the priority for
/// [`admit`](EvictionPolicy::admit) and lets the cache evict the lower
/// objects, which are exactly the ones libCacheSim evicts; if it would be
/// its own victim, it evicts the objects below it, sets `L` to its
/// priority and declines it. Such an object is never counted as admitted
/// (nor evicted) in wsim's stats. Frequencies are `u64` where libCacheSim
/// has an `i32`; they differ only past 2^31 hits on one object.
#[derive(Debug, Clone)]
pub struct Gdsf {
    /// Every cached object by `(priority, time)`: the first is the victim.
    order: BTreeMap<Key, u64>,
    objects: FxHashMap<u64, Object>,
    /// `L`: the priority of the last victim.
    inflation: f64,
    /// libCacheSim's `n_req`: requests so far, this one included.
    clock: u64,
    capacity: u64,
    bytes: u64,
    /// The priority a missed object got when libCacheSim would have
    /// inserted it (step 3), kept from `admissible` for `admit`.
    incoming: Option<Key>,
    /// Objects evicted for a newcomer that is then refused, for reports.
    log: EvictionLog,
}

#[derive(Debug, Clone, Copy)]
struct Object {
    size: u64,
    frequency: u64,
    key: Key,
}

/// `(priority, time)` in libCacheSim's order. Priorities are positive (or
/// `+inf`), and such `f64`s order as their bit patterns, with `==` the
/// same as equal bits; times are unique, so keys never tie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    priority_bits: u64,
    time: u64,
}

impl Key {
    fn new(priority: f64, time: u64) -> Self {
        Self {
            priority_bits: priority.to_bits(),
            time,
        }
    }

    fn priority(self) -> f64 {
        f64::from_bits(self.priority_bits)
    }
}

impl Gdsf {
    /// Steps 2 and 3: `L + (f * 1e6) / s`, evaluated as libCacheSim does
    /// (for `f` = 1, `1e6 / s` is the same value).
    #[expect(
        clippy::cast_precision_loss,
        reason = "libCacheSim converts to double; the rounding is the same on host and guest"
    )]
    fn priority(&self, frequency: u64, size: u64) -> f64 {
        self.inflation + (frequency as f64 * 1.0e6) / size as f64
    }

    fn take(&mut self, key: Key, id: u64) -> Victim {
        self.order.remove(&key);
        let size = self.objects.remove(&id).map_or(0, |object| object.size);
        self.bytes -= size;
        self.inflation = key.priority();
        Victim { id, size }
    }
}

impl EvictionPolicy for Gdsf {
    const NAME: &'static str = "gdsf";
    const LIBCACHESIM: &'static str = "GDSF";

    fn configure(capacity: u64, _params: &Params) -> Self {
        Self {
            order: BTreeMap::new(),
            objects: FxHashMap::default(),
            inflation: 0.0,
            clock: 0,
            capacity,
            bytes: 0,
            incoming: None,
            log: EvictionLog::default(),
        }
    }

    #[inline]
    fn hit(&mut self, request: &Request) -> bool {
        self.clock += 1;
        let Some(&object) = self.objects.get(&request.id) else {
            return false;
        };
        let frequency = object.frequency + 1;
        let key = Key::new(self.priority(frequency, object.size), self.clock);
        self.order.remove(&object.key);
        self.order.insert(key, request.id);
        self.objects.insert(
            request.id,
            Object {
                frequency,
                key,
                ..object
            },
        );
        true
    }

    /// Step 4 for the new object: whether it outlives the evictions its
    /// insertion causes; if not, those evictions happen here.
    fn admissible(&mut self, request: &Request) -> bool {
        let key = Key::new(self.priority(1, request.size), self.clock);
        let mut excess = (u128::from(self.bytes) + u128::from(request.size))
            .saturating_sub(self.capacity.into());
        let mut survives = true;
        for (&held, &id) in &self.order {
            if excess == 0 {
                break;
            }
            if held > key {
                survives = false;
                break;
            }
            let size = self.objects.get(&id).map_or(0, |object| object.size);
            excess = excess.saturating_sub(size.into());
        }
        if survives {
            self.incoming = Some(key);
            return true;
        }
        while let Some((&held, &id)) = self.order.first_key_value()
            && held < key
        {
            self.take(held, id);
            self.log.record(id);
        }
        self.inflation = key.priority();
        false
    }

    #[inline]
    fn evict(&mut self, _incoming: &Request) -> Option<Victim> {
        let (&key, &id) = self.order.first_key_value()?;
        Some(self.take(key, id))
    }

    #[inline]
    fn admit(&mut self, request: &Request) -> bool {
        let key = self
            .incoming
            .take()
            .unwrap_or_else(|| Key::new(self.priority(1, request.size), self.clock));
        self.order.insert(key, request.id);
        self.objects.insert(
            request.id,
            Object {
                size: request.size,
                frequency: 1,
                key,
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
        if self.order.len() != self.objects.len() {
            return Err(format!(
                "{} objects ordered but {} indexed",
                self.order.len(),
                self.objects.len()
            ));
        }
        let mut bytes = 0u128;
        for (&key, &id) in &self.order {
            let object = self
                .objects
                .get(&id)
                .ok_or_else(|| format!("object {id} is ordered but not indexed"))?;
            if object.key != key {
                return Err(format!("object {id} is ordered under a stale priority"));
            }
            if key.priority().is_nan() || key.priority() < self.inflation {
                return Err(format!(
                    "object {id} has priority {} below L = {}",
                    key.priority(),
                    self.inflation
                ));
            }
            if key.time > self.clock || object.frequency == 0 {
                return Err(format!("object {id} has a time or frequency never given"));
            }
            bytes += u128::from(object.size);
        }
        Ok(Held {
            objects: self.objects.len() as u64,
            bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::outcomes;
    use crate::Cache;

    fn run(capacity: u64, trace: &[(u64, u64)]) -> String {
        outcomes::<Gdsf>(capacity, "", trace)
    }

    #[test]
    fn unit_sizes_favour_the_frequent_and_break_ties_by_age() {
        // Capacity 3. Priorities (p, time): 1, 2, 3 enter at (1e6, 1..3);
        // 1 hits -> (2e6, 4). 4 enters at (1e6, 5): evict (1e6, 2) = 2,
        // L = 1e6. 1 hits -> (1e6 + 3e6, 6). 2 enters at (2e6, 7), evicts
        // (1e6, 3) = 3; 5 enters at (2e6, 8), evicts (1e6, 5) = 4; 3 enters
        // at (2e6, 9), evicts 2, the oldest of the three at 2e6; 1 hits.
        // Checked with libcachesim 0.3.5.
        let trace: Vec<(u64, u64)> = [1, 2, 3, 1, 4, 1, 2, 5, 3, 1]
            .iter()
            .map(|&id| (id, 1))
            .collect();
        assert_eq!(run(3, &trace), "MMMHMHMMMH");
    }

    #[test]
    fn a_new_object_of_lowest_priority_is_its_own_victim() {
        // Capacity 10. 1 (5 bytes), 2 (3), 3 (2) enter at 2e5, 3.33e5, 5e5;
        // 1 and 2 hit -> 4e5 and 6.67e5. 4 (4 bytes) would enter at
        // 0 + 1e6/4 = 2.5e5, the lowest: libCacheSim inserts it, evicts it
        // at once (L = 2.5e5) and keeps the rest, so 1 and 3 hit after it.
        // Checked with libcachesim 0.3.5.
        let ids = [1, 2, 3, 1, 2, 4, 1, 3];
        let sizes = [5, 3, 2, 5, 3, 4, 5, 2];
        let trace: Vec<(u64, u64)> = ids.into_iter().zip(sizes).collect();
        assert_eq!(run(10, &trace), "MMMHHMHH");
        // Then 1 is at 2.5e5 + 3e6/5 = 8.5e5, 2 at 6.67e5, 3 at
        // 2.5e5 + 2e6/2 = 1.25e6. 4 again would enter at 2.5e5 + 2.5e5 =
        // 5e5, still the lowest: refused, L = 5e5. Once more at 7.5e5: 2
        // (6.67e5) goes first, then 1 (8.5e5) is above it while 1 byte is
        // still missing: 4 is its own victim after evicting 2, so 3 hits
        // and 2 misses. Checked with libcachesim 0.3.5.
        let mut trace = trace;
        trace.extend([(4, 4), (4, 4), (3, 2), (2, 3)]);
        assert_eq!(run(10, &trace), "MMMHHMHHMMHM");
    }

    #[test]
    fn extreme_ids_and_tiny_capacities() {
        for capacity in 1..4 {
            let mut cache = Cache::<Gdsf>::new(capacity);
            for (step, id) in [0, u64::MAX, 0, 7, u64::MAX, 0].into_iter().enumerate() {
                cache.access(Request::new(id, 1 + step as u64 % 3));
                cache.check_invariants().unwrap();
            }
        }
    }
}
