//! [`Held`]: the audit's account of what a cache holds, id to size.
//!
//! The audit looks an id up for every request and inserts or removes one for
//! every admission and eviction, as often as the cache it checks does; a
//! general-purpose map made it cost as much again as the cache. This is the
//! smallest table that does the job: open addressing with linear probing
//! from a Fibonacci hash, at most a quarter full (so runs are short and their
//! loops predictable), deletion by shifting the rest of the run back (no
//! tombstones), and a prefetch of the slot a coming request will probe.

/// An empty slot's id. The id `u64::MAX` itself is kept aside.
const EMPTY: u64 = u64::MAX;

#[derive(Clone, Copy, Debug)]
struct Slot {
    id: u64,
    size: u64,
}

const VACANT: Slot = Slot { id: EMPTY, size: 0 };

/// Ids held, each with the size it was taken in at.
#[derive(Debug)]
pub(super) struct Held {
    slots: Vec<Slot>,
    /// `64 - log2(slots.len())`: a hash's top bits pick the home slot.
    shift: u32,
    len: usize,
    /// The size of the object whose id is `u64::MAX`, if held.
    last_id: Option<u64>,
}

impl Held {
    pub(super) fn new() -> Self {
        Self::with_slots(1024)
    }

    fn with_slots(slots: usize) -> Self {
        Self {
            slots: vec![VACANT; slots],
            shift: 64 - slots.trailing_zeros(),
            len: 0,
            last_id: None,
        }
    }

    /// Objects held.
    pub(super) fn len(&self) -> usize {
        self.len + usize::from(self.last_id.is_some())
    }

    #[inline]
    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    #[inline]
    fn home(&self, id: u64) -> usize {
        // The top bits of a Fibonacci hash: spread even for sequential ids.
        #[expect(clippy::cast_possible_truncation, reason = "below slots.len()")]
        let home = (id.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize;
        home
    }

    /// The slot holding `id`, or the empty slot that ends its run.
    #[inline]
    fn find(&self, id: u64) -> usize {
        let mut at = self.home(id);
        loop {
            let slot = self.slots[at];
            if slot.id == id || slot.id == EMPTY {
                return at;
            }
            at = (at + 1) & self.mask();
        }
    }

    /// Asks the CPU to fetch the slot a lookup of `id` starts at.
    #[inline]
    pub(super) fn prefetch(&self, id: u64) {
        #[cfg(target_arch = "x86_64")]
        {
            let slot: *const Slot = &raw const self.slots[self.home(id)];
            // SAFETY: a prefetch is a hint that never faults and reads
            // nothing the program sees; the pointer is into `slots`.
            unsafe {
                core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(
                    slot.cast::<i8>(),
                );
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = id;
    }

    /// Whether `id` is held.
    #[inline]
    pub(super) fn contains(&self, id: u64) -> bool {
        if id == EMPTY {
            return self.last_id.is_some();
        }
        self.slots[self.find(id)].id == id
    }

    /// Holds `id` at `size`, unless it is held already: then `false`.
    #[inline]
    pub(super) fn insert_new(&mut self, id: u64, size: u64) -> bool {
        if id == EMPTY {
            let fresh = self.last_id.is_none();
            self.last_id.get_or_insert(size);
            return fresh;
        }
        if (self.len + 1) * 4 > self.slots.len() {
            self.grow();
        }
        let at = self.find(id);
        if self.slots[at].id == id {
            return false;
        }
        self.slots[at] = Slot { id, size };
        self.len += 1;
        true
    }

    fn grow(&mut self) {
        let old = core::mem::replace(self, Self::with_slots(self.slots.len() * 2));
        self.last_id = old.last_id;
        for slot in old.slots.into_iter().filter(|slot| slot.id != EMPTY) {
            self.insert_new(slot.id, slot.size);
        }
    }

    /// Stops holding `id`; its size, or `None` if it was not held.
    #[inline]
    pub(super) fn remove(&mut self, id: u64) -> Option<u64> {
        if id == EMPTY {
            return self.last_id.take();
        }
        let mut hole = self.find(id);
        let size = self.slots[hole].size;
        if self.slots[hole].id != id {
            return None;
        }
        // Shift the rest of the run back over the hole, leaving in place
        // each entry whose home lies cyclically in (hole, at].
        let mask = self.mask();
        let mut at = (hole + 1) & mask;
        while self.slots[at].id != EMPTY {
            let home = self.home(self.slots[at].id);
            if (at.wrapping_sub(home) & mask) >= (at.wrapping_sub(hole) & mask) {
                self.slots[hole] = self.slots[at];
                hole = at;
            }
            at = (at + 1) & mask;
        }
        self.slots[hole] = VACANT;
        self.len -= 1;
        Some(size)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// Against a `HashMap`, over inserts and removes that collide, wrap
    /// around the table and grow it, `u64::MAX` included.
    #[test]
    fn held_agrees_with_a_hash_map() {
        let mut held = Held::new();
        let mut model = HashMap::new();
        let mut state = 7_u64;
        for step in 0..200_000_u64 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let id = match state >> 60 {
                0 => u64::MAX,
                1 => (state >> 20) % 64 * 1024,
                _ => (state >> 24) % 3000,
            };
            if state & 1 == 0 {
                assert_eq!(held.remove(id), model.remove(&id), "step {step}");
            } else {
                let fresh = !model.contains_key(&id);
                assert_eq!(held.contains(id), !fresh);
                assert_eq!(held.insert_new(id, step), fresh, "step {step}");
                model.entry(id).or_insert(step);
            }
            assert_eq!(held.len(), model.len());
        }
        for &id in model.keys() {
            assert!(held.contains(id), "{id}");
        }
    }
}
