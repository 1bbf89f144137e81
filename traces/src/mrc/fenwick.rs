//! A Fenwick (binary indexed) tree of byte counts: point updates and prefix
//! sums in O(log n), the order-statistic structure behind one-pass LRU
//! stack distances (each slot is a moment in the trace; it holds the size
//! of the object last requested then, or 0).

/// Sums of `u128` values over slots `0..len`.
#[derive(Debug, Clone, Default)]
pub(super) struct Fenwick {
    /// `nodes[i - 1]` holds the sum of slots `(i - lowbit(i))..i`.
    nodes: Vec<u128>,
}

impl Fenwick {
    /// A tree of `len` slots holding `values` (missing ones 0), built in
    /// O(len).
    #[must_use]
    pub(super) fn with_values(len: usize, values: impl IntoIterator<Item = u128>) -> Self {
        let mut nodes = vec![0u128; len];
        for (slot, value) in nodes.iter_mut().zip(values) {
            *slot = value;
        }
        for index in 1..=len {
            let parent = index + (index & index.wrapping_neg());
            if parent <= len {
                let value = nodes[index - 1];
                nodes[parent - 1] += value;
            }
        }
        Self { nodes }
    }

    /// Slots in the tree.
    #[must_use]
    pub(super) fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Adds `value` to slot `slot`.
    pub(super) fn add(&mut self, slot: usize, value: u128) {
        let mut index = slot + 1;
        while index <= self.nodes.len() {
            self.nodes[index - 1] += value;
            index += index & index.wrapping_neg();
        }
    }

    /// Takes `value` back out of slot `slot`, which holds at least it.
    pub(super) fn remove(&mut self, slot: usize, value: u128) {
        let mut index = slot + 1;
        while index <= self.nodes.len() {
            self.nodes[index - 1] -= value;
            index += index & index.wrapping_neg();
        }
    }

    /// The sum of slots `0..end`.
    #[must_use]
    pub(super) fn prefix(&self, end: usize) -> u128 {
        let mut index = end.min(self.nodes.len());
        let mut sum = 0;
        while index > 0 {
            sum += self.nodes[index - 1];
            index &= index - 1;
        }
        sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_sums_follow_updates() {
        let values = [5u128, 0, 7, 1, 0, 0, 3, 9, 2];
        let mut tree = Fenwick::with_values(values.len(), values);
        let mut plain = values.to_vec();
        for step in 0..40usize {
            let slot = (step * 7) % plain.len();
            if step % 3 == 0 && plain[slot] > 0 {
                tree.remove(slot, plain[slot]);
                plain[slot] = 0;
            } else {
                tree.add(slot, step as u128);
                plain[slot] += step as u128;
            }
            for end in 0..=plain.len() {
                assert_eq!(
                    tree.prefix(end),
                    plain[..end].iter().sum::<u128>(),
                    "step {step} end {end}"
                );
            }
        }
    }
}
