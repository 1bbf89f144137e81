//! What a cache reports after a run.

/// The counters every backend of a policy must report identically.
///
/// Byte counters are `u128`: a trace of `u64`-sized requests overflows a `u64`
/// sum after two requests, and the invariant "every backend reports the same
/// `Stats`" must hold on such traces too.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Stats {
    /// Requests seen.
    pub requests: u64,
    /// Requests whose object was cached.
    pub hits: u64,
    /// Sum of the sizes of all requests.
    pub bytes_requested: u128,
    /// Sum of the sizes of the requests that hit.
    pub bytes_hit: u128,
    /// Objects evicted to make room.
    pub evictions: u64,
    /// Objects cached at the end.
    pub objects: u64,
    /// Bytes (or objects, when sizes are ignored) cached at the end.
    pub bytes_held: u64,
}

impl Stats {
    /// Requests that missed.
    #[must_use]
    pub const fn misses(&self) -> u64 {
        self.requests - self.hits
    }

    /// Fraction of requests that hit, in `[0, 1]`; 0 for an empty run.
    #[must_use]
    pub fn hit_ratio(&self) -> f64 {
        ratio(u128::from(self.hits), u128::from(self.requests))
    }

    /// Fraction of requested bytes that hit, in `[0, 1]`; 0 for an empty run.
    #[must_use]
    pub fn byte_hit_ratio(&self) -> f64 {
        ratio(self.bytes_hit, self.bytes_requested)
    }
}

#[expect(
    clippy::cast_precision_loss,
    reason = "a ratio needs no more than 53 bits"
)]
fn ratio(part: u128, whole: u128) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}
