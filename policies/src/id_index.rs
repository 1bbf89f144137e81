//! The index from object id to node that the list-based policies keep
//! ([`IdIndex`]), in two kinds chosen per policy by measurement:
//! hashbrown (`FxHashMap`), and [`ChurnIndex`], an open-addressing table
//! inside WebAssembly guests (hashbrown natively). Either is a map, never
//! iterated, so a policy answers the same with both (the equivalence tests
//! hold every guest to native's answers); only speed differs.
//!
//! hashbrown matches 16 control bytes at once with SSE2 natively, but on
//! wasm32 falls back to 8-byte groups done with integer bit tricks, and
//! removals leave tombstones that lengthen probes until a rehash. The open
//! table keeps a key and its value side by side: a lookup is one multiply,
//! one shift and, at its load (at most a half), about 1.5 slots read; a
//! removal shifts the run after it back, so no tombstones.
//!
//! Chosen per policy by an A/B in one process: both guests of a policy as
//! `--wasm` modules of one `wsim run` (Batch and cached Pair, both
//! runtimes, 64 MiB and 1% of the working set, 4 runs in alternating
//! order), the median of the open table's time over hashbrown's:
//!
//! | policy | Batch | Pair | index |
//! | --- | ---: | ---: | --- |
//! | LIRS | 0.73-0.82 | 0.72-0.85 | open |
//! | MQ | 0.90 | 0.79 | open |
//! | S3-FIFO | 0.88 | 0.88 | open |
//! | ARC | 0.92 | 0.93 | open |
//! | LFUDA | 0.92 | 0.95 | open |
//! | 2Q | 0.95 | 0.88 | open |
//! | LRU-K | 0.95 | 0.93 | open |
//! | SIEVE | 0.99 | 0.97 | hashbrown |
//! | W-TinyLFU | 1.00 | 1.06 | hashbrown |
//! | LRU (its own index) | 1.07 | 1.07 | hashbrown |
//! | SLRU | 1.10 | 0.93 | hashbrown |
//! | CLOCK-Pro | 1.25 | 1.09 | hashbrown |
//!
//! Natively hashbrown is faster for all, and native is the baseline every
//! ratio divides by, so [`ChurnIndex`] is hashbrown there.

use rustc_hash::FxHashMap;

/// A map from object ids to node numbers (`u32`s below `u32::MAX`).
pub(crate) trait IdIndex: Default + Clone + core::fmt::Debug {
    /// The value of `key`, if present.
    fn get(&self, key: u64) -> Option<u32>;
    /// Sets `key`'s value, returning the one it replaces.
    fn insert(&mut self, key: u64, value: u32) -> Option<u32>;
    /// Removes `key`, returning its value.
    fn remove(&mut self, key: u64) -> Option<u32>;
    /// Entries held.
    fn len(&self) -> usize;
}

impl IdIndex for FxHashMap<u64, u32> {
    #[inline]
    fn get(&self, key: u64) -> Option<u32> {
        self.get(&key).copied()
    }

    #[inline]
    fn insert(&mut self, key: u64, value: u32) -> Option<u32> {
        self.insert(key, value)
    }

    #[inline]
    fn remove(&mut self, key: u64) -> Option<u32> {
        self.remove(&key)
    }

    #[inline]
    fn len(&self) -> usize {
        self.len()
    }
}

/// The index for policies whose ids churn: [`OpenTable`] inside guests,
/// hashbrown natively.
#[cfg(target_arch = "wasm32")]
pub(crate) type ChurnIndex = OpenTable;
/// The index for policies whose ids churn: [`OpenTable`] inside guests,
/// hashbrown natively.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) type ChurnIndex = FxHashMap<u64, u32>;

#[cfg(any(target_arch = "wasm32", test))]
pub(crate) use open::OpenTable;

/// The open-addressing table: in guests, and natively in the tests.
#[cfg(any(target_arch = "wasm32", test))]
mod open {
    use super::IdIndex;

    /// The value no node has: it marks a free slot, so ids need no sentinel
    /// (every `u64` is an id).
    const FREE: u32 = u32::MAX;

    /// One slot: a key, and its value or [`FREE`].
    #[derive(Debug, Clone, Copy)]
    struct Slot {
        key: u64,
        value: u32,
    }

    const EMPTY: Slot = Slot {
        key: 0,
        value: FREE,
    };

    /// A map from `u64` ids to `u32` values below `u32::MAX` (node numbers),
    /// by open addressing.
    #[derive(Debug, Clone)]
    pub(crate) struct OpenTable {
        slots: Vec<Slot>,
        /// `64 - log2(slots.len())`: the hash's top bits pick the slot.
        shift: u32,
        len: usize,
    }

    impl Default for OpenTable {
        fn default() -> Self {
            Self {
                slots: vec![EMPTY; 16],
                shift: 64 - 4,
                len: 0,
            }
        }
    }

    impl OpenTable {
        /// Fibonacci hashing: the multiply spreads any id, sequential or not,
        /// over the top bits.
        #[inline]
        #[expect(
            clippy::cast_possible_truncation,
            reason = "the shift leaves at most log2(slots) bits"
        )]
        const fn home(&self, key: u64) -> usize {
            (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize
        }

        #[inline]
        const fn mask(&self) -> usize {
            self.slots.len() - 1
        }

        /// Where `key` lies (`Ok`), or the free slot that ends its run, where
        /// it would go (`Err`): the one probe every operation starts with.
        #[inline]
        fn probe(&self, key: u64) -> Result<usize, usize> {
            let mask = self.mask();
            let mut at = self.home(key);
            loop {
                let slot = self.slots[at];
                if slot.value == FREE {
                    return Err(at);
                }
                if slot.key == key {
                    return Ok(at);
                }
                at = (at + 1) & mask;
            }
        }

        /// Doubles the table and puts every entry back.
        #[cold]
        fn grow(&mut self) {
            let doubled = vec![EMPTY; self.slots.len() * 2];
            let old = std::mem::replace(&mut self.slots, doubled);
            self.shift -= 1;
            self.len = 0;
            for slot in old {
                if slot.value != FREE {
                    self.insert(slot.key, slot.value);
                }
            }
        }
    }

    impl IdIndex for OpenTable {
        #[inline]
        fn get(&self, key: u64) -> Option<u32> {
            self.probe(key).ok().map(|at| self.slots[at].value)
        }

        #[inline]
        fn insert(&mut self, key: u64, value: u32) -> Option<u32> {
            debug_assert_ne!(value, FREE, "u32::MAX marks a free slot");
            if (self.len + 1) * 2 > self.slots.len() {
                self.grow();
            }
            match self.probe(key) {
                Ok(at) => Some(std::mem::replace(&mut self.slots[at].value, value)),
                Err(free) => {
                    self.slots[free] = Slot { key, value };
                    self.len += 1;
                    None
                }
            }
        }

        /// Removes `key`, returning its value; the run after it shifts back
        /// so no lookup ever crosses a hole.
        #[inline]
        fn remove(&mut self, key: u64) -> Option<u32> {
            let mut hole = self.probe(key).ok()?;
            let removed = self.slots[hole].value;
            let mask = self.mask();
            let mut next = (hole + 1) & mask;
            loop {
                let slot = self.slots[next];
                if slot.value == FREE {
                    break;
                }
                // A slot may fill the hole when its home is not in
                // (hole, next], cyclically.
                let home = self.home(slot.key);
                if (next.wrapping_sub(home) & mask) >= (next.wrapping_sub(hole) & mask) {
                    self.slots[hole] = slot;
                    hole = next;
                }
                next = (next + 1) & mask;
            }
            self.slots[hole] = EMPTY;
            self.len -= 1;
            Some(removed)
        }

        #[inline]
        fn len(&self) -> usize {
            self.len
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::{IdIndex, OpenTable};

    /// A small deterministic generator.
    fn next(state: &mut u64) -> u64 {
        *state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        *state >> 33
    }

    #[test]
    fn the_open_table_agrees_with_a_hash_map_through_churn() {
        let mut ours = OpenTable::default();
        let mut theirs: HashMap<u64, u32> = HashMap::new();
        let mut state = 7;
        for step in 0..200_000_u32 {
            // Few distinct keys, some at the ends of u64, so keys collide,
            // runs wrap and removals shift.
            let key = match next(&mut state) % 4 {
                0 => u64::MAX - next(&mut state) % 50,
                _ => next(&mut state) % 3_000,
            };
            if next(&mut state).is_multiple_of(3) {
                assert_eq!(ours.remove(key), theirs.remove(&key), "step {step}");
            } else {
                assert_eq!(
                    ours.insert(key, step),
                    theirs.insert(key, step),
                    "step {step}"
                );
            }
            assert_eq!(ours.len(), theirs.len());
        }
        for (&key, &value) in &theirs {
            assert_eq!(ours.get(key), Some(value));
        }
        assert_eq!(ours.get(123_456_789), None);
    }
}
