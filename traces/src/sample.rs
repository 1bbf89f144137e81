//! Spatial sampling as libCacheSim's `-s` does it: an object is kept or
//! dropped as a whole, by a hash of its id, so every run and backend keeps
//! the same objects, and libCacheSim keeps the same ones too.
//!
//! libCacheSim (`traceReader/sampling/spatial.c`) keeps an object when the
//! XXH3 64-bit hash of its 8-byte id is 0 modulo ⌊1/R⌋: a ratio R is
//! rounded to 1/⌊1/R⌋ (0.3 keeps a third). wsim follows it exactly.

use std::fmt;

/// Keeps the objects a spatial sample of ratio R keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpatialSampler {
    /// ⌊1/R⌋: one object in this many is kept.
    one_in: u64,
}

impl SpatialSampler {
    /// The sampler of ratio `ratio`, in (0, 1].
    pub fn new(ratio: f64) -> Result<Self, String> {
        if !(ratio > 0.0 && ratio <= 1.0) {
            return Err(format!("a sample ratio lies in (0, 1], not {ratio}"));
        }
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "1/ratio is at least 1 and floored, as libCacheSim does"
        )]
        let one_in = (1.0 / ratio) as u64;
        Ok(Self { one_in })
    }

    /// Whether the object `id` is in the sample.
    #[inline]
    #[must_use]
    pub const fn keeps(self, id: u64) -> bool {
        xxh3_64_of_u64(id).is_multiple_of(self.one_in)
    }

    /// The ratio actually kept, 1/⌊1/R⌋.
    #[must_use]
    pub fn ratio(self) -> f64 {
        #[expect(clippy::cast_precision_loss, reason = "a small integer")]
        let one_in = self.one_in as f64;
        1.0 / one_in
    }
}

impl fmt::Display for SpatialSampler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "1 object in {} (ratio {:.4})", self.one_in, self.ratio())
    }
}

/// XXH3's 64-bit hash (seed 0, default secret) of the 8 little-endian
/// bytes of `id`: XXH3's path for inputs of 4 to 8 bytes.
#[must_use]
pub const fn xxh3_64_of_u64(id: u64) -> u64 {
    // Bytes 8..16 and 16..24 of XXH3's default secret, little-endian.
    const SECRET_8: u64 = 0x1cad_21f7_2c81_017c;
    const SECRET_16: u64 = 0xdb97_9083_e96d_d4de;
    const PRIME_MX2: u64 = 0x9fb2_1c65_1e98_df25;
    const LEN: u64 = 8;
    let low = id & 0xffff_ffff;
    let high = id >> 32;
    let input = high.wrapping_add(low << 32);
    let mut hash = input ^ (SECRET_8 ^ SECRET_16);
    hash ^= hash.rotate_left(49) ^ hash.rotate_left(24);
    hash = hash.wrapping_mul(PRIME_MX2);
    hash ^= (hash >> 35).wrapping_add(LEN);
    hash = hash.wrapping_mul(PRIME_MX2);
    hash ^ (hash >> 28)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_what_libcachesim_keeps() {
        // The first ids libcachesim 0.3.5's spatial sampler at 0.1 keeps of
        // the CloudPhysics sample, in order; 1313767 and 42932745 (its
        // first requests) it drops.
        let sampler = SpatialSampler::new(0.1).unwrap();
        for id in [
            1_329_924, 42_932_749, 6_238_431, 31_954_599, 42_932_757, 40_409_935, 26_185_663,
        ] {
            assert!(sampler.keeps(id), "{id}");
        }
        for id in [42_932_745, 1_313_767] {
            assert!(!sampler.keeps(id), "{id}");
        }
    }

    #[test]
    fn ratios_round_as_libcachesim_rounds_them() {
        assert_eq!(SpatialSampler::new(0.3).unwrap().one_in, 3);
        assert_eq!(SpatialSampler::new(1.0).unwrap().one_in, 1);
        assert!(SpatialSampler::new(0.0).is_err());
        assert!(SpatialSampler::new(1.5).is_err());
        assert!(SpatialSampler::new(f64::NAN).is_err());
    }
}
