//! The slots of a [`Fenwick`] tree in blocks of [`BLOCK`]: each slot's
//! value in a flat array, and the tree over the blocks' sums. A range sum
//! adds the two partial blocks at its ends to the tree's sum of the whole
//! blocks between, and the tree, an eighth of the slots, stays in the
//! core's cache where a tree over every slot would not.
//!
//! While every value is 1 (sizes ignored), the values are not stored at
//! all: a bit per slot says whether it is live, and a partial block is a
//! population count. The first other value writes the array out, in 32
//! bits a slot until a value needs 64 (half the memory to miss in).

use super::fenwick::Fenwick;

/// Slots per block (a divisor of 64, so a block lies in one word of bits).
const BLOCK: usize = 8;

/// How the slots' values are kept: not at all while each is 1, then in the
/// narrowest integers that hold them all.
#[derive(Debug, Clone)]
enum Values {
    Unit,
    Narrow(Vec<u32>),
    Wide(Vec<u64>),
}

/// Sums of `u64` values over the slots appended so far.
#[derive(Debug, Clone)]
pub(super) struct BlockedFenwick {
    values: Values,
    /// One bit per slot: set while its object's latest request is there.
    live: Vec<u64>,
    /// Slots appended.
    len: usize,
    /// The blocks' sums.
    blocks: Fenwick,
}

impl Default for BlockedFenwick {
    fn default() -> Self {
        Self::with_capacity(0)
    }
}

impl BlockedFenwick {
    /// An empty tree with room for `capacity` slots.
    #[must_use]
    pub(super) fn with_capacity(capacity: usize) -> Self {
        Self {
            values: Values::Unit,
            live: Vec::with_capacity(capacity.div_ceil(64)),
            len: 0,
            blocks: Fenwick::with_capacity(capacity.div_ceil(BLOCK)),
        }
    }

    /// Slots appended.
    #[must_use]
    pub(super) const fn len(&self) -> usize {
        self.len
    }

    /// Appends a live slot holding `value`.
    pub(super) fn push(&mut self, value: u64) {
        let room = self.live.capacity() * 64;
        match &mut self.values {
            Values::Unit if value == 1 => {}
            Values::Narrow(values) if let Ok(narrow) = u32::try_from(value) => values.push(narrow),
            Values::Wide(values) => values.push(value),
            _ => {
                // Written out wider, with every value so far.
                let mut values: Vec<u64> = Vec::with_capacity(room.max(self.len + 1));
                values.extend((0..self.len).map(|slot| self.get(slot)));
                values.push(value);
                self.values = match values.iter().map(|&value| u32::try_from(value)).collect() {
                    Ok(narrow) => Values::Narrow(narrow),
                    Err(_) => Values::Wide(values),
                };
            }
        }
        if self.len.is_multiple_of(BLOCK) {
            self.blocks.push(value);
        } else {
            self.blocks.add_to_last(value);
        }
        if self.len.is_multiple_of(64) {
            self.live.push(0);
        }
        self.live[self.len / 64] |= 1 << (self.len % 64);
        self.len += 1;
    }

    /// What slot `slot` holds.
    #[must_use]
    pub(super) fn get(&self, slot: usize) -> u64 {
        match &self.values {
            Values::Unit => (self.live[slot / 64] >> (slot % 64)) & 1,
            Values::Narrow(values) => u64::from(values[slot]),
            Values::Wide(values) => values[slot],
        }
    }

    /// Empties slot `slot`.
    pub(super) fn clear(&mut self, slot: usize) {
        let value = match &mut self.values {
            Values::Unit => (self.live[slot / 64] >> (slot % 64)) & 1,
            Values::Narrow(values) => u64::from(std::mem::take(&mut values[slot])),
            Values::Wide(values) => std::mem::take(&mut values[slot]),
        };
        self.blocks.remove(slot / BLOCK, value);
        self.live[slot / 64] &= !(1 << (slot % 64));
    }

    /// The sum of slots `from..to`.
    #[must_use]
    pub(super) fn range(&self, from: usize, to: usize) -> u64 {
        let to = to.min(self.len);
        if from >= to {
            return 0;
        }
        let (first, last) = (from / BLOCK, (to - 1) / BLOCK);
        if first == last {
            return self.within(from, to);
        }
        self.within(from, (first + 1) * BLOCK)
            + self.blocks.range(first + 1, last)
            + self.within(last * BLOCK, to)
    }

    /// The sum of slots `from..to`, inside one block.
    fn within(&self, from: usize, to: usize) -> u64 {
        match &self.values {
            Values::Unit => {
                let word = self.live[from / 64] >> (from % 64);
                u64::from((word & ((1 << (to - from)) - 1)).count_ones())
            }
            Values::Narrow(values) => values[from..to].iter().map(|&value| u64::from(value)).sum(),
            Values::Wide(values) => values[from..to].iter().sum(),
        }
    }

    /// The live slots alone, in order, in a tree with room for `capacity`
    /// slots, and where each live slot went: no sort and no hashing, one
    /// pass over the slots and a rank per object.
    #[must_use]
    pub(super) fn compacted(&self, capacity: usize) -> (Self, Ranks) {
        let mut tree = Self::with_capacity(capacity);
        let mut before = Vec::with_capacity(self.live.len());
        let mut count = 0;
        for (index, &word) in self.live.iter().enumerate() {
            before.push(count);
            count += word.count_ones() as usize;
            let mut bits = word;
            while bits != 0 {
                tree.push(self.get(index * 64 + bits.trailing_zeros() as usize));
                bits &= bits - 1;
            }
        }
        (
            tree,
            Ranks {
                live: self.live.clone(),
                before,
            },
        )
    }
}

/// Where each live slot of a tree went when it was compacted: its rank
/// among the live slots.
#[derive(Debug)]
pub(super) struct Ranks {
    live: Vec<u64>,
    /// Live slots before each word of `live`.
    before: Vec<usize>,
}

impl Ranks {
    /// The new slot of live slot `slot`.
    #[must_use]
    pub(super) fn of(&self, slot: usize) -> usize {
        let below = self.live[slot / 64] & ((1 << (slot % 64)) - 1);
        self.before[slot / 64] + below.count_ones() as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random pushes and clears against a plain array of (value, live),
    /// every range checked; then compaction.
    fn check(values: impl Fn(u64) -> u64) {
        let mut tree = BlockedFenwick::default();
        let mut plain: Vec<(u64, bool)> = Vec::new();
        let mut seed = 3u64;
        for step in 0..300u64 {
            tree.push(values(step));
            plain.push((values(step), true));
            seed = crate::mix64(seed);
            if seed.is_multiple_of(3) {
                let slot = usize::try_from(seed / 3 % plain.len() as u64).unwrap();
                if plain[slot].1 {
                    tree.clear(slot);
                    plain[slot] = (0, false);
                }
            }
            for from in (0..=plain.len()).step_by(5) {
                for to in from..=plain.len() {
                    let expected: u64 = plain[from..to].iter().map(|&(value, _)| value).sum();
                    assert_eq!(tree.range(from, to), expected, "step {step} {from}..{to}");
                }
            }
        }
        let (compact, ranks) = tree.compacted(1000);
        let live: Vec<usize> = (0..plain.len()).filter(|&slot| plain[slot].1).collect();
        assert_eq!(compact.len(), live.len());
        for (rank, &slot) in live.iter().enumerate() {
            assert_eq!(ranks.of(slot), rank, "slot {slot}");
            assert_eq!(compact.get(rank), plain[slot].0);
        }
    }

    #[test]
    fn unit_values_are_counted_by_their_bits() {
        check(|_| 1);
    }

    #[test]
    fn other_values_are_summed_even_when_they_arrive_late_or_are_0() {
        check(|step| if step < 100 { 1 } else { step % 7 });
    }

    #[test]
    fn values_past_32_bits_widen_the_array() {
        check(|step| match step {
            0..50 => 1,
            50..150 => step * 1_000,
            _ => (step % 5) << 40,
        });
    }
}
