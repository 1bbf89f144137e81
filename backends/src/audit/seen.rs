//! [`Seen`]: the ids a cache that cannot report may hold, in bounded
//! memory.
//!
//! The partial audit asks one question of every hit: was this id ever
//! requested at a size that fits? A set of every such id grows with the
//! trace's objects (hundreds of millions in production traces, gigabytes
//! of set), so this is a scalable Bloom filter instead: layers of bits,
//! each twice the last, a new one begun when the last holds its share of
//! ids, about ten bits per id. It never forgets an id, so it never accuses
//! a cache falsely; it may wrongly remember one (about 1% of the time per
//! layer), and then a cheating hit goes unnoticed.

/// Bits set per id, and bits per id a layer is sized for: about a 1% false
/// positive rate per layer.
const HASHES: u64 = 7;
const BITS_PER_ID: u64 = 10;

/// The first layer's bits: 2^17 (16 KiB), room for about 13,000 ids.
const FIRST_LAYER_BITS: u64 = 1 << 17;

#[derive(Debug)]
struct Layer {
    words: Vec<u64>,
    /// Bits in the layer, less one (a power of two, less one).
    mask: u64,
    /// Ids added, and how many it is sized for.
    ids: u64,
    room: u64,
}

impl Layer {
    fn new(bits: u64) -> Self {
        Self {
            words: vec![0; usize::try_from(bits / 64).unwrap_or(usize::MAX)],
            mask: bits - 1,
            ids: 0,
            room: bits / BITS_PER_ID,
        }
    }

    fn contains(&self, id: u64) -> bool {
        bits(id, self.mask).all(|bit| self.words[(bit / 64) as usize] & 1 << (bit % 64) != 0)
    }

    fn insert(&mut self, id: u64) {
        for bit in bits(id, self.mask) {
            self.words[(bit / 64) as usize] |= 1 << (bit % 64);
        }
        self.ids += 1;
    }
}

/// The bits of a layer of `mask + 1` bits that `id` sets: double hashing
/// from the two halves of a mix.
fn bits(id: u64, mask: u64) -> impl Iterator<Item = u64> {
    let mixed = mix(id);
    let (first, step) = (mixed, (mixed >> 32) | 1);
    (0..HASHES).map(move |index| first.wrapping_add(index.wrapping_mul(step)) & mask)
}

/// A 64-bit finalizer (SplitMix64's): every bit of the id moves every bit.
const fn mix(id: u64) -> u64 {
    let mut x = id.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Ids seen, remembered in bounded memory (about ten bits each).
#[derive(Debug)]
pub(super) struct Seen {
    layers: Vec<Layer>,
}

impl Seen {
    pub(super) fn new() -> Self {
        Self {
            layers: vec![Layer::new(FIRST_LAYER_BITS)],
        }
    }

    /// Whether `id` may have been added: always, if it was.
    pub(super) fn contains(&self, id: u64) -> bool {
        self.layers.iter().any(|layer| layer.contains(id))
    }

    /// Adds `id`.
    pub(super) fn insert(&mut self, id: u64) {
        if self.contains(id) {
            return;
        }
        let full = self
            .layers
            .last()
            .is_none_or(|layer| layer.ids >= layer.room);
        if full {
            let bits = self
                .layers
                .last()
                .map_or(FIRST_LAYER_BITS, |layer| (layer.mask + 1).saturating_mul(2));
            self.layers.push(Layer::new(bits));
        }
        if let Some(layer) = self.layers.last_mut() {
            layer.insert(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every id added is remembered, across layers; ids never added are
    /// mostly not (the false positive rate stays near a few percent), and
    /// memory stays near ten bits an id.
    #[test]
    fn seen_never_forgets_and_rarely_invents() {
        let mut seen = Seen::new();
        let added = 300_000_u64;
        for id in 0..added {
            seen.insert(id.wrapping_mul(0x2545_f491_4f6c_dd1d));
        }
        for id in 0..added {
            assert!(
                seen.contains(id.wrapping_mul(0x2545_f491_4f6c_dd1d)),
                "{id}"
            );
        }
        let invented = (added..added + 100_000)
            .filter(|id| seen.contains(id.wrapping_mul(0x2545_f491_4f6c_dd1d)))
            .count();
        assert!(
            invented < 5_000,
            "{invented} of 100000 ids never added seem seen"
        );
        let bits: u64 = seen.layers.iter().map(|layer| layer.mask + 1).sum();
        assert!(bits / added < 40, "{} bits an id", bits / added);
        assert!(seen.layers.len() > 1, "one layer only");
    }
}
