//! W-TinyLFU: a small LRU window, a frequency sketch guarding a main SLRU.

use core::ops::Bound;

use rustc_hash::FxHashMap;

use crate::lists::{Lists, Queue};
use crate::s3fifo::share;
use crate::{EvictionLog, EvictionPolicy, Held, ParamKind, Parameter, Params, Request, Victim};

/// New objects enter a small LRU window; an object leaving it enters the
/// main cache (a segmented LRU) only if a frequency sketch rates it above
/// the object main would evict for it.
///
/// Einziger, Friedman and Manes, "TinyLFU: A Highly Efficient Cache
/// Admission Policy" (ACM Transactions on Storage, 2017), as libcachesim
/// 0.3.5's `WTinyLFU` runs it with its SLRU main cache. The window gets `W
/// = (u64)(C * window-size)` bytes, main `M = C - W`, main's probation and
/// protected segments `(i64)(0.2 * M)` and `(i64)(0.8 * M)`, the sketch
/// `ceil(14.3775... * (int)M)` counters (20 if that is under 10):
/// 1. a missed object no larger than `W`, `M` and the probation segment
///    enters the window's newest end, and the sketch counts it; nothing
///    trims the window to `W`, so until the first eviction it holds
///    everything;
/// 2. a hit in the window moves the object to its newest end, and is not
///    counted; a hit in main is counted, and is SLRU's: protected's newest
///    end, protected's oldest moving down to probation's newest end while
///    protected is over its size, probation's oldest leaving the cache
///    while probation is;
/// 3. to make room, while the window holds something: if main has room for
///    the window's oldest, it moves to main, counted, and the loop goes on;
///    else if the sketch rates it strictly above main's victim (probation's
///    oldest, else protected's), that victim leaves and it moves to main
///    (main evicting further if need be), else it leaves; either way it is
///    counted, and the round is over (the wheel's code: libCacheSim's git
///    of 2024 went on after an admission). With the window empty, main's
///    victim leaves. An object moving to main goes to the first segment with room
///    for it (so main may pass `M` while probation is over its size),
///    else (after main evicts to fit it) to probation.
///
/// The sketch is libCacheSim's counting Bloom filter: 10 `u32` counters per
/// object at `(a + i * b) mod 2^32 mod counters` for `i` in `0..10`, where
/// `a` and `b` are the low 32 bits of the XXH64 of the id's 8
/// little-endian bytes with seeds `0x12345678` and `0x12344321`; a rating
/// is the least of them, counting adds one to all ten (unless the least is
/// `u32::MAX`), and after `32 * M` hits in main every counter is halved.
/// There is no doorkeeper.
///
/// Where wsim differs: libCacheSim refuses a main cache of less than 5
/// bytes (a segment of 0 bytes), ending the process; wsim makes it, and it
/// caches nothing. Only libCacheSim's default main cache, SLRU, is built.
#[derive(Debug, Clone)]
pub struct WTinyLfu {
    lists: Lists<Place>,
    window: Queue,
    probation: Queue,
    protected: Queue,
    window_capacity: u64,
    main_capacity: u64,
    probation_capacity: u64,
    protected_capacity: u64,
    sketch: Sketch,
    main_hits: u64,
    /// Main hits between two halvings of the sketch.
    decay_period: u64,
    /// Objects main evicted while taking one in or promoting one, for
    /// reports.
    log: EvictionLog,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Window,
    Probation,
    Protected,
}

const WINDOW_SIZE: Parameter = Parameter {
    name: "window-size",
    kind: ParamKind::Float,
    default: "0.01",
    about: "share of the capacity (bytes) for the LRU window",
    range: (Bound::Included(0.0), Bound::Excluded(1.0)),
};

/// Whether `size` more bytes fit beside `held` in `capacity` (as
/// libCacheSim's signed sums do, with no overflow near `u64::MAX`).
fn fits(held: u64, size: u64, capacity: u64) -> bool {
    held.checked_add(size)
        .is_some_and(|total| total <= capacity)
}

/// XXH64 of `id`'s 8 little-endian bytes, as libCacheSim hashes an id for
/// its sketch: integer steps only, so alike on every target.
fn xxh64(id: u64, seed: u64) -> u64 {
    const P1: u64 = 0x9E37_79B1_85EB_CA87;
    const P2: u64 = 0xC2B2_AE3D_27D4_EB4F;
    const P3: u64 = 0x1656_67B1_9E37_79F9;
    const P4: u64 = 0x85EB_CA77_C2B2_AE63;
    const P5: u64 = 0x27D4_EB2F_1656_67C5;
    let lane = id.wrapping_mul(P2).rotate_left(31).wrapping_mul(P1);
    let mut hash = seed.wrapping_add(P5).wrapping_add(8) ^ lane;
    hash = hash.rotate_left(27).wrapping_mul(P1).wrapping_add(P4);
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(P2);
    hash ^= hash >> 29;
    hash = hash.wrapping_mul(P3);
    hash ^ (hash >> 32)
}

/// libCacheSim's `minimalIncrementCBF` with 1 in 1000 false positives.
#[derive(Debug, Clone)]
struct Sketch {
    len: u32,
    counters: Counters,
}

/// Small sketches are an array; large ones (up to 2^31 counters, for a
/// cache of 150 MB) keep only the counters above 0.
#[derive(Debug, Clone)]
enum Counters {
    Dense(Vec<u32>),
    Sparse(FxHashMap<u32, u32>),
}

impl Sketch {
    const HASHES: u32 = 10;
    /// `-ln(0.001) / ln(2)^2`, as glibc computes it.
    const PER_ENTRY: f64 = 14.377_587_566_051_17;
    const DENSE_LIMIT: u32 = 1 << 22;

    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "libCacheSim's int conversions: entries wrap to an int, counters come from a \
                  double capped at INT_MAX"
    )]
    fn new(main_capacity: u64) -> Self {
        let entries = main_capacity as i32;
        let wanted = (Self::PER_ENTRY * f64::from(entries))
            .ceil()
            .min(f64::from(i32::MAX)) as i32;
        let len = if wanted < Self::HASHES as i32 {
            2 * Self::HASHES
        } else {
            wanted as u32
        };
        let counters = if len <= Self::DENSE_LIMIT {
            Counters::Dense(vec![0; len as usize])
        } else {
            Counters::Sparse(FxHashMap::default())
        };
        Self { len, counters }
    }

    fn slots(&self, id: u64) -> impl Iterator<Item = u32> + use<> {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "libCacheSim keeps the low 32 bits"
        )]
        let (a, b) = (xxh64(id, 0x1234_5678) as u32, xxh64(id, 0x1234_4321) as u32);
        let len = self.len;
        (0..Self::HASHES).map(move |i| a.wrapping_add(i.wrapping_mul(b)) % len)
    }

    fn least(&self, id: u64) -> u32 {
        let counter = |slot| match &self.counters {
            Counters::Dense(counters) => counters[slot as usize],
            Counters::Sparse(counters) => counters.get(&slot).copied().unwrap_or(0),
        };
        self.slots(id).map(counter).min().unwrap_or(u32::MAX)
    }

    /// The rating, as the `int` libCacheSim compares.
    #[expect(
        clippy::cast_possible_wrap,
        reason = "libCacheSim returns the count as an int"
    )]
    fn estimate(&self, id: u64) -> i32 {
        self.least(id) as i32
    }

    fn add(&mut self, id: u64) {
        if self.least(id) == u32::MAX {
            return;
        }
        for slot in self.slots(id) {
            let counter = match &mut self.counters {
                Counters::Dense(counters) => &mut counters[slot as usize],
                Counters::Sparse(counters) => counters.entry(slot).or_insert(0),
            };
            *counter = counter.wrapping_add(1);
        }
    }

    fn halve(&mut self) {
        match &mut self.counters {
            Counters::Dense(counters) => counters.iter_mut().for_each(|counter| *counter >>= 1),
            // Each counter on its own: the map's order does not matter.
            Counters::Sparse(counters) => counters.retain(|_, counter| {
                *counter >>= 1;
                *counter > 0
            }),
        }
    }
}

impl WTinyLfu {
    fn main_bytes(&self) -> u64 {
        self.probation.bytes + self.protected.bytes
    }

    /// SLRU's victim: probation's oldest, else protected's.
    fn main_victim(&self) -> Option<u32> {
        if self.probation.bytes > 0 {
            self.probation.oldest()
        } else {
            self.protected.oldest()
        }
    }

    fn evict_main(&mut self) -> Option<Victim> {
        let node = self.main_victim()?;
        let queue = match self.lists.entry(node).meta {
            Place::Protected => &mut self.protected,
            _ => &mut self.probation,
        };
        let entry = self.lists.take(queue, node);
        Some(Victim {
            id: entry.id,
            size: entry.size,
        })
    }

    /// SLRU's insert of `node`, on no queue: the first segment with room,
    /// else probation once main has room. Probation can be over its size,
    /// so protected having room does not mean main has: main may end up
    /// holding more than its share, as in libCacheSim.
    fn enter_main(&mut self, node: u32) {
        let size = self.lists.entry(node).size;
        let place = if fits(self.probation.bytes, size, self.probation_capacity) {
            Place::Probation
        } else if fits(self.protected.bytes, size, self.protected_capacity) {
            Place::Protected
        } else {
            while !fits(self.main_bytes(), size, self.main_capacity) {
                let Some(victim) = self.evict_main() else {
                    break;
                };
                self.log.record(victim.id);
            }
            Place::Probation
        };
        *self.lists.meta_mut(node) = place;
        match place {
            Place::Protected => self.lists.link(&mut self.protected, node),
            _ => self.lists.link(&mut self.probation, node),
        }
    }

    /// An SLRU hit in probation: up to protected, whose oldest move down
    /// while it is over its size, probation evicting while it is.
    fn promote(&mut self, node: u32) {
        self.lists.unlink(&mut self.probation, node);
        *self.lists.meta_mut(node) = Place::Protected;
        self.lists.link(&mut self.protected, node);
        while self.protected.bytes > self.protected_capacity {
            let Some(oldest) = self.protected.oldest() else {
                break;
            };
            self.lists.unlink(&mut self.protected, oldest);
            *self.lists.meta_mut(oldest) = Place::Probation;
            self.lists.link(&mut self.probation, oldest);
            while self.probation.bytes > self.probation_capacity {
                let Some(victim) = self.evict_main() else {
                    break;
                };
                self.log.record(victim.id);
            }
        }
    }
}

impl EvictionPolicy for WTinyLfu {
    const NAME: &'static str = "wtinylfu";
    const LIBCACHESIM: &'static str = "WTinyLFU";
    const PARAMETERS: &'static [Parameter] = &[WINDOW_SIZE];

    #[expect(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "libCacheSim sizes the segments in double and truncates"
    )]
    fn configure(capacity: u64, params: &Params) -> Self {
        let window_capacity = share(capacity, params.float(&WINDOW_SIZE));
        let main_capacity = capacity - window_capacity;
        Self {
            lists: Lists::default(),
            window: Queue::default(),
            probation: Queue::default(),
            protected: Queue::default(),
            window_capacity,
            main_capacity,
            probation_capacity: ((1.0 / 5.0) * main_capacity as f64) as u64,
            protected_capacity: ((4.0 / 5.0) * main_capacity as f64) as u64,
            sketch: Sketch::new(main_capacity),
            main_hits: 0,
            decay_period: main_capacity.saturating_mul(32),
            log: EvictionLog::default(),
        }
    }

    #[inline]
    fn hit(&mut self, request: &Request) -> bool {
        let Some(node) = self.lists.find(request.id) else {
            return false;
        };
        match self.lists.entry(node).meta {
            Place::Window => {
                self.lists.refresh(&mut self.window, node);
                return true;
            }
            Place::Protected => self.lists.refresh(&mut self.protected, node),
            Place::Probation => self.promote(node),
        }
        self.sketch.add(request.id);
        self.main_hits += 1;
        if self.main_hits >= self.decay_period {
            self.main_hits = 0;
            self.sketch.halve();
        }
        true
    }

    #[inline]
    fn admissible(&mut self, request: &Request) -> bool {
        request.size <= self.window_capacity
            && request.size <= self.main_capacity
            && request.size <= self.probation_capacity
    }

    fn evict(&mut self, _incoming: &Request) -> Option<Victim> {
        while let Some(node) = self.window.oldest() {
            let entry = *self.lists.entry(node);
            if fits(self.main_bytes(), entry.size, self.main_capacity) {
                self.lists.unlink(&mut self.window, node);
                self.enter_main(node);
                self.sketch.add(entry.id);
                continue;
            }
            let admitted = self.main_victim().is_some_and(|victim| {
                let victim = self.lists.entry(victim).id;
                self.sketch.estimate(entry.id) > self.sketch.estimate(victim)
            });
            let victim = if admitted {
                let victim = self.evict_main();
                self.lists.unlink(&mut self.window, node);
                self.enter_main(node);
                victim
            } else {
                self.lists.take(&mut self.window, node);
                Some(Victim {
                    id: entry.id,
                    size: entry.size,
                })
            };
            self.sketch.add(entry.id);
            return victim;
        }
        self.evict_main()
    }

    fn admit(&mut self, request: &Request) -> bool {
        self.lists
            .push(&mut self.window, request.id, request.size, Place::Window);
        self.sketch.add(request.id);
        true
    }

    fn len(&self) -> usize {
        self.lists.len()
    }

    fn bytes(&self) -> u64 {
        self.window.bytes + self.main_bytes()
    }

    fn evicted_elsewhere(&mut self) -> Option<&mut EvictionLog> {
        Some(&mut self.log)
    }

    fn audit(&self) -> Result<Held, String> {
        let mut listed = 0;
        for (queue, place, name) in [
            (&self.window, Place::Window, "the window"),
            (&self.probation, Place::Probation, "probation"),
            (&self.protected, Place::Protected, "protected"),
        ] {
            let entries = self.lists.audit(queue, name)?;
            if let Some(entry) = entries.iter().find(|entry| entry.meta != place) {
                return Err(format!(
                    "object {} is in {name}, marked {:?}",
                    entry.id, entry.meta
                ));
            }
            listed += entries.len();
        }
        if listed != self.lists.len() {
            return Err(format!(
                "{} objects indexed, {listed} listed",
                self.lists.len()
            ));
        }
        // Main as a whole may hold more than its share (see `enter_main`).
        if self.protected.bytes > self.protected_capacity {
            return Err(format!(
                "protected holds {} bytes of {}",
                self.protected.bytes, self.protected_capacity
            ));
        }
        if self.main_hits >= self.decay_period.max(1) {
            return Err(format!("{} main hits without halving", self.main_hits));
        }
        Ok(Held {
            objects: listed as u64,
            bytes: u128::from(self.bytes()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{outcomes, unit};

    fn run(capacity: u64, params: &str, trace: &[(u64, u64)]) -> String {
        outcomes::<WTinyLfu>(capacity, params, trace)
    }

    #[test]
    fn the_sketch_hashes_and_sizes_as_libcachesim() {
        // XXH64 of the 8 bytes, checked with the xxhash package.
        assert_eq!(xxh64(0, 0x1234_5678), 0x67bb_774d_39f5_d473);
        assert_eq!(xxh64(1, 0x1234_4321), 0x83e9_f36f_cb58_54bf);
        assert_eq!(xxh64(u64::MAX, 0x1234_5678), 0x60b3_8a7d_6d1e_7ea9);
        assert_eq!(
            xxh64(0x0123_4567_89ab_cdef, 0x1234_4321),
            0xb999_8ad8_2042_d74b
        );
        let len = |capacity| Sketch::new(capacity).len;
        assert_eq!((len(99), len(990), len(0), len(1)), (1424, 14234, 20, 15));
        // `(int)` of 2^32 + 5 is 5; of 2^31, negative.
        assert_eq!((len((1 << 32) + 5), len(1 << 31)), (72, 20));
        assert_eq!(len(1 << 30), i32::MAX as u32);
        let mut sketch = Sketch::new(1 << 30);
        sketch.add(7);
        sketch.add(7);
        assert_eq!(sketch.estimate(7), 2);
        sketch.halve();
        sketch.halve();
        assert_eq!(sketch.estimate(7), 0);
    }

    #[test]
    fn a_window_victim_needs_a_higher_rating_than_mains() {
        // C < 100: the window has 0 bytes and nothing is cached; at 100 it
        // has 1. Checked with libcachesim 0.3.5.
        assert_eq!(run(10, "", &unit(&[1, 1, 2, 2, 1])), "MMMMM");
        assert_eq!(run(100, "", &unit(&[1, 1, 2, 2, 1])), "MHMHH");
        // C = 100 (W 1, M 99, segments 19 and 79): 1..=100 all sit in the
        // window; 1 hits there twice (not counted). 101 moves 2..=99 and 100
        // to main (2..=20 to probation, 21..=99 to protected, 100 to
        // probation), each rated 2; then 1 (rated 1) loses to 2 and leaves.
        // 102: 101 (1) loses to 2 too. 100 hits in probation, moves up, 21
        // moves down, and probation's oldest, 2, leaves. 101 fits again;
        // 50 hits in protected; 102 in the window; 2 and 1 are gone.
        // Checked with libcachesim 0.3.5.
        let mut trace: Vec<u64> = (1..=100).collect();
        trace.extend([1, 1, 101, 102, 100, 101, 50, 102, 2, 1]);
        let flags = run(100, "", &unit(&trace));
        assert_eq!(&flags[100..], "HHMMHMHHMM");
    }

    #[test]
    fn a_window_victim_displaces_mains_only_when_rated_higher() {
        // C = 1000 with a window of 0.3 (W 300, M 700, segments 140 and
        // 560), sizes 100. 1..=10 fill the window; 11 moves 1 to
        // probation, 2..=6 to protected, 7 to probation past its size
        // (main has room), each rated 2; 8 (rated 1) loses to probation's
        // oldest, 1 (2), and leaves (2). 9 hits twice in the window, not
        // counted. 12: 10 (1) leaves. 8 comes back (3), dropping 11; 13
        // drops 9 (1: its hits did not count), 14 drops 12; at 15 the
        // window's oldest is 8, rated 3, above 1's 2: 1 leaves and 8 goes
        // to probation. 9 drops 13; 1 misses; 8 hits in probation and
        // moves up, pushing 2 down and 7 out; 7 misses (main has room:
        // nothing leaves); 2 hits in probation. Checked with libcachesim
        // 0.3.5.
        let mut ids: Vec<u64> = (1..=10).collect();
        ids.extend([11, 9, 9, 12, 8, 13, 14, 15, 9, 1, 8, 7, 2]);
        let trace: Vec<_> = ids.iter().map(|&id| (id, 100)).collect();
        let flags = run(1000, "window-size=0.3", &trace);
        assert_eq!(&flags[10..], "MHHMMMMMMMHMH");
    }
}
