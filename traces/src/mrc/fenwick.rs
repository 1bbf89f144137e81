//! A Fenwick (binary indexed) tree that grows by appending: the
//! order-statistic structure behind one-pass LRU stack distances. Each slot
//! is a moment in the trace; it holds the size of the object last requested
//! then, or 0 once the object was requested again.
//!
//! Appending computes the new node from its children (on average one), so
//! a node is never touched before its slot exists; removing walks up only
//! as far as the slots appended; and a range sum walks down from both ends
//! until they meet. A request whose object was last seen `d` slots ago thus
//! costs O(log d), not O(log n): most requests in a skewed trace are
//! recent repeats, and their walks stay among the last few (cached) nodes.

/// Sums of `u64` values over the slots appended so far.
#[derive(Debug, Clone, Default)]
pub(super) struct Fenwick {
    /// `nodes[i - 1]` holds the sum of slots `(i - lowbit(i))..i`.
    nodes: Vec<u64>,
}

impl Fenwick {
    /// An empty tree with room for `capacity` slots.
    #[must_use]
    pub(super) fn with_capacity(capacity: usize) -> Self {
        Self {
            nodes: Vec::with_capacity(capacity),
        }
    }

    /// Appends a slot holding `value`.
    pub(super) fn push(&mut self, value: u64) {
        let index = self.nodes.len() + 1;
        let lowbit = index & index.wrapping_neg();
        let mut sum = value;
        let mut child = 1;
        while child < lowbit {
            // The node covers its children: index - 1, index - 2, index - 4...
            sum = sum.wrapping_add(self.nodes[index - child - 1]);
            child <<= 1;
        }
        self.nodes.push(sum);
    }

    /// Adds `value` to the last slot appended (whose node no other yet
    /// covers).
    pub(super) fn add_to_last(&mut self, value: u64) {
        if let Some(last) = self.nodes.last_mut() {
            *last = last.wrapping_add(value);
        }
    }

    /// Takes `value` back out of slot `slot`, which holds at least it.
    pub(super) fn remove(&mut self, slot: usize, value: u64) {
        let mut index = slot + 1;
        while index <= self.nodes.len() {
            self.nodes[index - 1] = self.nodes[index - 1].wrapping_sub(value);
            index += index & index.wrapping_neg();
        }
    }

    /// The sum of slots `from..to`. The two prefix walks meet at their
    /// common ancestor, so the cost follows `to - from`, not the tree's
    /// size. Partial sums may wrap; the result, a sum of what the slots
    /// hold, does not.
    #[must_use]
    pub(super) fn range(&self, from: usize, to: usize) -> u64 {
        let (mut low, mut high) = (from, to.min(self.nodes.len()));
        let mut sum = 0u64;
        while high != low {
            if high > low {
                sum = sum.wrapping_add(self.nodes[high - 1]);
                high &= high - 1;
            } else {
                sum = sum.wrapping_sub(self.nodes[low - 1]);
                low &= low - 1;
            }
        }
        sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_sums_follow_appends_and_removals() {
        let mut tree = Fenwick::default();
        let mut plain: Vec<u64> = Vec::new();
        for step in 0..300u64 {
            let value = (step * 7919) % 1000;
            tree.push(value);
            plain.push(value);
            if step % 3 == 0 {
                let slot = usize::try_from(step * 31 % (step + 1)).unwrap();
                let taken = plain[slot];
                tree.remove(slot, taken);
                plain[slot] = 0;
            }
            for from in (0..=plain.len()).step_by(7) {
                for to in from..=plain.len() {
                    assert_eq!(
                        tree.range(from, to),
                        plain[from..to].iter().sum::<u64>(),
                        "step {step} {from}..{to}"
                    );
                }
            }
        }
    }
}
