//! One-pass LRU stack distances (Mattson et al., 1970): for each request,
//! how much an LRU cache must hold for it to hit, the sizes of the distinct
//! objects requested since the object's previous request plus its own.
//!
//! Each request takes the next slot of a [`Fenwick`] tree, holding the
//! object's size; the object's previous slot is emptied. The distance is the
//! sum of the slots after the previous one. Slots run out after as many
//! requests as the tree has slots; then the live slots (one per object) are
//! renumbered in order and the tree rebuilt twice as large as they are, so
//! memory follows the objects, not the requests, at O(log M) a request.

use rustc_hash::FxHashMap;

use super::fenwick::Fenwick;

/// Where an object was last requested, and its size then.
#[derive(Debug, Clone, Copy)]
struct Slot {
    slot: usize,
    size: u64,
}

/// LRU's recency stack, as distances.
#[derive(Debug, Default)]
pub struct LruStack {
    objects: FxHashMap<u64, Slot>,
    tree: Fenwick,
    /// The next free slot.
    next: usize,
    /// Sum of every slot.
    total: u128,
}

/// The fewest slots a tree is built with.
const MIN_SLOTS: usize = 1 << 12;

impl LruStack {
    /// Requests `id` at `size`: its stack distance (its own size plus the
    /// sizes of the distinct objects requested since its previous request,
    /// each at its latest size), or `None` on its first request.
    pub fn access(&mut self, id: u64, size: u64) -> Option<u128> {
        if self.next == self.tree.len() {
            self.compact();
        }
        let slot = self.next;
        self.next += 1;
        let previous = self.objects.insert(id, Slot { slot, size });
        let distance = previous.map(|previous| {
            let after = self.total - self.tree.prefix(previous.slot + 1);
            self.tree.remove(previous.slot, u128::from(previous.size));
            self.total -= u128::from(previous.size);
            after + u128::from(size)
        });
        self.tree.add(slot, u128::from(size));
        self.total += u128::from(size);
        distance
    }

    /// Forgets `id`, as if it had never been requested (SHARDS' fixed-size
    /// variant drops objects that fall out of its sample).
    pub fn forget(&mut self, id: u64) {
        if let Some(previous) = self.objects.remove(&id) {
            self.tree.remove(previous.slot, u128::from(previous.size));
            self.total -= u128::from(previous.size);
        }
    }

    /// Objects tracked.
    #[must_use]
    pub fn objects(&self) -> usize {
        self.objects.len()
    }

    /// Renumbers the live slots `0..M` in order and rebuilds the tree with
    /// room for as many requests again.
    fn compact(&mut self) {
        let mut live: Vec<(usize, u64)> = self
            .objects
            .iter()
            .map(|(&id, slot)| (slot.slot, id))
            .collect();
        live.sort_unstable();
        let mut sizes = Vec::with_capacity(live.len());
        for (renumbered, (_, id)) in live.iter().enumerate() {
            if let Some(slot) = self.objects.get_mut(id) {
                slot.slot = renumbered;
                sizes.push(u128::from(slot.size));
            }
        }
        let len = (2 * live.len()).max(MIN_SLOTS);
        self.tree = Fenwick::with_values(len, sizes);
        self.next = live.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The distance a naive recency list gives: walk from the most recent.
    fn naive(requests: &[(u64, u64)]) -> Vec<Option<u128>> {
        let mut stack: Vec<(u64, u64)> = Vec::new();
        let mut out = Vec::new();
        for &(id, size) in requests {
            let found = stack.iter().position(|&(other, _)| other == id);
            out.push(found.map(|at| {
                stack[at + 1..]
                    .iter()
                    .map(|&(_, size)| u128::from(size))
                    .sum::<u128>()
                    + u128::from(size)
            }));
            if let Some(at) = found {
                stack.remove(at);
            }
            stack.push((id, size));
        }
        out
    }

    #[test]
    fn distances_match_a_naive_stack_across_compactions() {
        // More requests than the smallest tree has slots, so it compacts
        // several times; sizes change now and then.
        let mut seed = 7u64;
        let requests: Vec<(u64, u64)> = (0..3 * MIN_SLOTS)
            .map(|index| {
                seed = crate::mix64(seed);
                let id = seed % 300;
                let size = 1 + (id * 37 + (index as u64 / 5000)) % 1000;
                (id, size)
            })
            .collect();
        let mut stack = LruStack::default();
        let ours: Vec<Option<u128>> = requests
            .iter()
            .map(|&(id, size)| stack.access(id, size))
            .collect();
        assert_eq!(ours, naive(&requests));
    }

    #[test]
    fn a_hand_checked_trace() {
        // a b c a b b d a, sizes 1: distances - - - 3 3 1 - 3.
        let mut stack = LruStack::default();
        let got: Vec<Option<u128>> = "abcabbda"
            .bytes()
            .map(|id| stack.access(u64::from(id), 1))
            .collect();
        assert_eq!(
            got,
            [None, None, None, Some(3), Some(3), Some(1), None, Some(3)]
        );
        stack.forget(u64::from(b'b'));
        // c was requested before d and a (and b, forgotten): 3.
        assert_eq!(stack.access(u64::from(b'c'), 1), Some(3));
    }
}
