//! One-pass LRU stack distances (Mattson et al., 1970): for each request,
//! how much an LRU cache must hold for it to hit, the sizes of the distinct
//! objects requested since the object's previous request plus its own.
//!
//! Each request appends a slot to a [`BlockedFenwick`] tree, holding the
//! object's size; the object's previous slot is emptied. The distance is the sum of
//! the slots between the two. When the slots reach twice the objects alive,
//! the live slots (one per object) are renumbered in order and the tree
//! rebuilt from them, so memory follows the objects, not the requests.

use rustc_hash::FxHashMap;
use wsim_policies::Request;

use super::blocked::BlockedFenwick;

/// The sizes of the objects alive sum past `u64::MAX` bytes: no cache
/// size can tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overflow;

/// LRU's recency stack, as distances.
#[derive(Debug, Default)]
pub struct LruStack {
    /// Each object's slot: where it was last requested. Its size then is
    /// the slot's value in the tree, so an entry takes 16 bytes (finding
    /// objects is about a third of the time).
    objects: FxHashMap<u64, usize>,
    tree: BlockedFenwick,
    /// Slots the tree may take before the next compaction.
    limit: usize,
    /// [`access_all`](Self::access_all)'s previous slots, kept to reuse.
    previous: Vec<Option<usize>>,
    /// Sum of every slot: the bytes of the objects alive.
    total: u64,
    /// The largest size requested.
    largest: u64,
    /// Requests whose object was last requested at another size.
    resized: u64,
}

/// The fewest slots between compactions.
const MIN_SLOTS: usize = 1 << 12;

impl LruStack {
    /// Requests `id` at `size`: its stack distance (its own size plus the
    /// sizes of the distinct objects requested since its previous request,
    /// each at its latest size), or `None` on its first request.
    ///
    /// # Errors
    /// [`Overflow`] when the objects' sizes sum past `u64::MAX`.
    pub fn access(&mut self, id: u64, size: u64) -> Result<Option<u64>, Overflow> {
        self.make_room(1);
        let slot = self.tree.len();
        let previous = self.objects.insert(id, slot);
        self.step(previous, slot, size)
    }

    /// The distances of `requests` in turn, into `distances`, as
    /// [`access`](Self::access) gives them one at a time. Faster: every
    /// object is found in the map first, in a loop of lookups independent
    /// of each other that the core overlaps, then the tree is walked (one
    /// lookup at a time left half the time waiting on the map's memory).
    ///
    /// # Errors
    /// [`Overflow`] when the objects' sizes sum past `u64::MAX`.
    pub fn access_all(
        &mut self,
        requests: &[Request],
        distances: &mut Vec<Option<u64>>,
    ) -> Result<(), Overflow> {
        self.make_room(requests.len());
        let first = self.tree.len();
        self.previous.clear();
        for (offset, request) in requests.iter().enumerate() {
            let previous = self.objects.insert(request.id, first + offset);
            self.previous.push(previous);
        }
        distances.clear();
        for (offset, request) in requests.iter().enumerate() {
            let distance = self.step(self.previous[offset], first + offset, request.size)?;
            distances.push(distance);
        }
        Ok(())
    }

    /// Compacts unless `requests` more slots fit.
    fn make_room(&mut self, requests: usize) {
        if self.tree.len() + requests > self.limit {
            self.compact();
            self.limit = self.limit.max(self.tree.len() + requests);
        }
    }

    /// The request taking slot `slot` (the next), its object last at
    /// `previous`: the tree updated, and its distance.
    fn step(
        &mut self,
        previous: Option<usize>,
        slot: usize,
        size: u64,
    ) -> Result<Option<u64>, Overflow> {
        debug_assert_eq!(slot, self.tree.len());
        self.largest = self.largest.max(size);
        let distance = match previous {
            None => None,
            Some(previous) => {
                let between = self.tree.range(previous + 1, slot);
                let size_then = self.tree.get(previous);
                self.resized += u64::from(size_then != size);
                self.total -= size_then;
                self.tree.clear(previous);
                Some(between.checked_add(size).ok_or(Overflow)?)
            }
        };
        self.total = self.total.checked_add(size).ok_or(Overflow)?;
        self.tree.push(size);
        Ok(distance)
    }

    /// Forgets `id`, as if it had never been requested (SHARDS' fixed-size
    /// variant drops objects that fall out of its sample).
    pub fn forget(&mut self, id: u64) {
        if let Some(previous) = self.objects.remove(&id) {
            self.total -= self.tree.get(previous);
            self.tree.clear(previous);
        }
    }

    /// The largest size requested: where it exceeds a cache size, the
    /// stack counts room that LRU, never admitting the object, keeps.
    #[must_use]
    pub const fn largest(&self) -> u64 {
        self.largest
    }

    /// Requests whose object was last requested at another size: the stack
    /// takes the new size, an LRU cache hitting keeps the stored one.
    #[must_use]
    pub const fn resized(&self) -> u64 {
        self.resized
    }

    /// Objects tracked.
    #[must_use]
    pub fn objects(&self) -> usize {
        self.objects.len()
    }

    /// Renumbers the live slots `0..M` in order and rebuilds the tree with
    /// room for three times as many requests again (so this pass is paid
    /// once per 3M requests, for 8 bytes a slot, 32 an object).
    fn compact(&mut self) {
        self.limit = (2 * self.objects.len()).max(MIN_SLOTS);
        let (tree, ranks) = self.tree.compacted(self.limit);
        for slot in self.objects.values_mut() {
            *slot = ranks.of(*slot);
        }
        self.tree = tree;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The distance a naive recency list gives: walk from the most recent.
    fn naive(requests: &[(u64, u64)]) -> Vec<Option<u64>> {
        let mut stack: Vec<(u64, u64)> = Vec::new();
        let mut out = Vec::new();
        for &(id, size) in requests {
            let found = stack.iter().position(|&(other, _)| other == id);
            out.push(
                found.map(|at| stack[at + 1..].iter().map(|&(_, size)| size).sum::<u64>() + size),
            );
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
        let ours: Vec<Option<u64>> = requests
            .iter()
            .map(|&(id, size)| stack.access(id, size).unwrap())
            .collect();
        assert_eq!(ours, naive(&requests));
    }

    #[test]
    fn a_chunk_at_a_time_gives_what_one_at_a_time_gives() {
        // Chunks that straddle compactions and repeat ids inside a chunk.
        let mut seed = 11u64;
        let requests: Vec<Request> = (0..5 * MIN_SLOTS)
            .map(|index| {
                seed = crate::mix64(seed);
                Request::new(seed % 700, 1 + (index as u64 % 3))
            })
            .collect();
        let mut one = LruStack::default();
        let expected: Vec<Option<u64>> = requests
            .iter()
            .map(|request| one.access(request.id, request.size).unwrap())
            .collect();
        let mut chunked = LruStack::default();
        let mut got = Vec::new();
        let mut distances = Vec::new();
        for chunk in requests.chunks(1000) {
            chunked.access_all(chunk, &mut distances).unwrap();
            got.extend_from_slice(&distances);
        }
        assert_eq!(got, expected);
    }

    #[test]
    fn a_hand_checked_trace() {
        // a b c a b b d a, sizes 1: distances - - - 3 3 1 - 3.
        let mut stack = LruStack::default();
        let got: Vec<Option<u64>> = "abcabbda"
            .bytes()
            .map(|id| stack.access(u64::from(id), 1).unwrap())
            .collect();
        assert_eq!(
            got,
            [None, None, None, Some(3), Some(3), Some(1), None, Some(3)]
        );
        stack.forget(u64::from(b'b'));
        // c was requested before d and a (and b, forgotten): 3.
        assert_eq!(stack.access(u64::from(b'c'), 1), Ok(Some(3)));
    }

    #[test]
    fn sizes_past_u64_are_an_error_not_a_wrong_answer() {
        let mut stack = LruStack::default();
        assert_eq!(stack.access(1, u64::MAX - 1), Ok(None));
        assert_eq!(stack.access(2, 2), Err(Overflow));
    }
}
