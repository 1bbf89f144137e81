//! libCacheSim's chained hash table (`chainedHashTableV2.c`) and random
//! generator (`utils/mymath.c`), as its random draws of cached objects
//! (`hashtable_rand_obj`) see them: which object a draw returns depends on
//! the table's layout, so a policy that samples as libCacheSim does
//! (BeladySize) keeps its objects in this copy.

use rustc_hash::FxHashMap;

/// libCacheSim's `next_rand` (`utils/mymath.c`): Lehmer64.
#[derive(Debug, Clone)]
pub(crate) struct Lehmer64(u128);

impl Lehmer64 {
    /// Seeded as libCacheSim seeds its one generator per process.
    pub(crate) const fn new() -> Self {
        Self(0xdead_beef)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(0xda94_2042_e4dd_58b5);
        (self.0 >> 64) as u64
    }
}

/// `XXH3_64bits` of the 8 little-endian bytes of `id`, seed 0 (xxHash's
/// `XXH3_len_4to8_64b`): libCacheSim's `get_hash_value_int_64`.
fn xxh3(id: u64) -> u64 {
    const PRIME: u64 = 0x9fb2_1c65_1e98_df25;
    // The default secret's bytes 8..16 and 16..24, little-endian.
    let bitflip = 0x1cad_21f7_2c81_017c_u64 ^ 0xdb97_9083_e96d_d4de;
    let mut h = id.rotate_left(32) ^ bitflip;
    h ^= h.rotate_left(49) ^ h.rotate_left(24);
    h = h.wrapping_mul(PRIME);
    h ^= (h >> 35).wrapping_add(8);
    h = h.wrapping_mul(PRIME);
    h ^ (h >> 28)
}

/// libCacheSim's `chainedHashTableV2`, as far as draws see it: `2^power`
/// buckets, an object in bucket `XXH3(id) & (2^power - 1)` at the head of
/// its chain. Before an insert into a table already holding more than
/// `2 × 2^power` objects (the threshold of the libCacheSim in
/// libcachesim 0.3.5; older ones use 1), `power` grows by one; a draw
/// that meets its 33rd empty bucket in a row, and each further one,
/// shrinks it by one. Only the non-empty buckets are stored (libCacheSim
/// starts with 2^24), each chain with its head last.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    power: u32,
    chains: FxHashMap<u64, Vec<u64>>,
    len: u64,
}

impl Table {
    /// An empty table of `2^power` buckets (libCacheSim's `hashpower`).
    pub(crate) fn new(power: u32) -> Self {
        Self {
            power,
            chains: FxHashMap::default(),
            len: 0,
        }
    }

    fn bucket(&self, id: u64) -> u64 {
        xxh3(id) & ((1 << self.power) - 1)
    }

    pub(crate) fn insert(&mut self, id: u64) {
        if self.len > 2 << self.power {
            self.rehash(self.power + 1);
        }
        self.chains.entry(self.bucket(id)).or_default().push(id);
        self.len += 1;
    }

    pub(crate) fn remove(&mut self, id: u64) {
        let bucket = self.bucket(id);
        if let Some(chain) = self.chains.get_mut(&bucket)
            && let Some(at) = chain.iter().position(|&held| held == id)
        {
            chain.remove(at);
            if chain.is_empty() {
                self.chains.remove(&bucket);
            }
            self.len -= 1;
        }
    }

    /// Moves every object to a table of `2^power` buckets in libCacheSim's
    /// order: old buckets in index order, each chain from its head.
    fn rehash(&mut self, power: u32) {
        let mut old: Vec<(u64, Vec<u64>)> = self.chains.drain().collect();
        old.sort_unstable_by_key(|&(bucket, _)| bucket);
        self.power = power;
        for id in old
            .into_iter()
            .flat_map(|(_, chain)| chain.into_iter().rev())
        {
            let bucket = self.bucket(id);
            self.chains.entry(bucket).or_default().push(id);
        }
    }

    /// `chained_hashtable_rand_obj_v2`; `None` only when empty.
    pub(crate) fn draw(&mut self, random: &mut Lehmer64) -> Option<u64> {
        if self.len == 0 {
            return None;
        }
        let mut empty = 0;
        loop {
            let bucket = random.next() & ((1 << self.power) - 1);
            if let Some(chain) = self.chains.get(&bucket) {
                let from_head = random.next() % chain.len() as u64;
                #[expect(clippy::cast_possible_truncation, reason = "below the chain's length")]
                let at = chain.len() - 1 - from_head as usize;
                return Some(chain[at]);
            }
            empty += 1;
            if empty > 32 && self.power > 0 {
                self.rehash(self.power - 1);
            }
        }
    }

    /// Checks every chain against the hash and the count, and that
    /// `cached` holds each chained id; returns how many are chained.
    pub(crate) fn audit(&self, cached: impl Fn(u64) -> bool) -> Result<u64, String> {
        let mut chained = 0u64;
        for (&bucket, chain) in &self.chains {
            if chain.is_empty() {
                return Err(format!("bucket {bucket} is kept empty"));
            }
            for &id in chain {
                if self.bucket(id) != bucket || !cached(id) {
                    return Err(format!("object {id} is chained in the wrong bucket"));
                }
            }
            chained += chain.len() as u64;
        }
        if chained != self.len {
            return Err(format!("{chained} objects chained, {} counted", self.len));
        }
        Ok(chained)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_and_draws_follow_libcachesim() {
        // From the reference model, whose hash matches python-xxhash.
        assert_eq!(xxh3(0), 0xc77b_3abb_6f87_acd9);
        assert_eq!(xxh3(u64::MAX), 0x5111_c7e4_7d78_4413);
        assert_eq!(xxh3(0x1234_5678_9abc_def0), 0x2151_ae84_f6de_d376);
        let mut random = Lehmer64::new();
        assert_eq!(random.next(), 0xbe20_cd19);
        assert_eq!(random.next(), 0x5609_ca4d_13cd_b7ce);
        // Two objects in 2^24 buckets: the first draw shrinks the table
        // until it finds one, and both stay reachable.
        let mut table = Table::new(24);
        table.insert(1);
        table.insert(2);
        let drawn: Vec<u64> = (0..64).filter_map(|_| table.draw(&mut random)).collect();
        assert!(table.power < 24 && drawn.contains(&1) && drawn.contains(&2));
        table.remove(1);
        assert_eq!(table.audit(|id| id == 2), Ok(1));
        table.remove(2);
        assert_eq!(table.draw(&mut random), None);
    }
}
