//! SHARDS (Waldspurger, Park, Garthwaite and Ahmad, "Efficient MRC
//! Construction with SHARDS", FAST '15): stack distances over a spatial
//! sample of the objects, scaled up by the sampling rate.
//!
//! An object is in the sample when the low 24 bits of its id's hash (XXH3,
//! as wsim's `--sample-ratio`) are below a threshold T, a rate of T/2^24.
//! Fixed-rate keeps T; its counts get the paper's SHARDS_adj correction
//! (the difference between the expected and the actual number of sampled
//! requests goes to distance 0). Fixed-size keeps at most K objects: when a
//! new one would be K+1, T drops to the largest hash in the sample and the
//! objects at it leave, so the rate falls as the trace goes on; each
//! distance is scaled, and each request weighted, by the inverse of the
//! rate when it was measured.

use std::collections::BinaryHeap;

use super::{Distances, LruStack, Overflow};
use crate::sample::xxh3_64_of_u64;

/// The hash space: the low 24 bits.
const SPACE: u64 = 1 << 24;

/// How SHARDS chooses its sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ShardsMode {
    /// A fixed rate in (0, 1].
    FixedRate(f64),
    /// At most this many objects, the rate falling as needed.
    FixedSize(usize),
}

/// SHARDS over a stream of requests.
#[derive(Debug)]
pub struct Shards {
    mode: ShardsMode,
    threshold: u64,
    stack: LruStack,
    /// The sampled objects by hash, largest first (fixed-size only).
    sampled: BinaryHeap<(u64, u64)>,
    distances: Distances,
    /// Every request seen, sampled or not, and their bytes.
    seen: u64,
    seen_bytes: u128,
    /// Whether a fixed rate's counts get SHARDS_adj.
    adjust: bool,
}

impl Shards {
    /// SHARDS in `mode` for a curve at `sizes`; a fixed rate is clamped
    /// into (0, 1].
    #[must_use]
    pub fn new(mode: ShardsMode, sizes: &[u64]) -> Self {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss,
            reason = "a rate in (0, 1] times 2^24"
        )]
        let threshold = match mode {
            ShardsMode::FixedRate(rate) => ((rate * SPACE as f64).round() as u64).clamp(1, SPACE),
            ShardsMode::FixedSize(_) => SPACE,
        };
        Self {
            mode,
            threshold,
            stack: LruStack::default(),
            sampled: BinaryHeap::new(),
            distances: Distances::new(sizes),
            seen: 0,
            seen_bytes: 0,
            adjust: true,
        }
    }

    /// Leaves a fixed rate's counts as the sample has them, without
    /// SHARDS_adj (to compare with implementations that have none).
    #[must_use]
    pub const fn unadjusted(mut self) -> Self {
        self.adjust = false;
        self
    }

    /// The sampling rate now.
    #[must_use]
    pub fn rate(&self) -> f64 {
        #[expect(clippy::cast_precision_loss, reason = "a rate")]
        let rate = self.threshold as f64 / SPACE as f64;
        rate
    }

    /// One request.
    ///
    /// # Errors
    /// [`Overflow`] when the sampled objects' sizes sum past `u64::MAX`.
    pub fn access(&mut self, id: u64, size: u64) -> Result<(), Overflow> {
        self.seen += 1;
        self.seen_bytes += u128::from(size);
        let hash = xxh3_64_of_u64(id) & (SPACE - 1);
        if hash >= self.threshold {
            return Ok(());
        }
        self.distances.measured += 1;
        let distance = self.stack.access(id, size)?;
        // Distances over the sample, scaled to the whole trace (a distance
        // past every size stays past it when capped).
        let scaled = distance.map(|distance| {
            let scaled = u128::from(distance) * u128::from(SPACE) / u128::from(self.threshold);
            u64::try_from(scaled).unwrap_or(u64::MAX)
        });
        if let Some(scaled) = scaled {
            let shortest = &mut self.distances.shortest;
            *shortest = Some(shortest.map_or(scaled, |shortest| shortest.min(scaled)));
        }
        self.distances.add_weighted(scaled, size, 1.0 / self.rate());
        if let ShardsMode::FixedSize(limit) = self.mode
            && distance.is_none()
        {
            self.sampled.push((hash, id));
            while self.sampled.len() > limit.max(1) {
                let Some((largest, _)) = self.sampled.peek().copied() else {
                    break;
                };
                self.threshold = largest;
                while let Some(&(hash, id)) = self.sampled.peek() {
                    if hash < self.threshold {
                        break;
                    }
                    self.sampled.pop();
                    self.stack.forget(id);
                }
            }
        }
        Ok(())
    }

    /// Requests seen, sampled or not.
    #[must_use]
    pub const fn seen(&self) -> u64 {
        self.seen
    }

    /// The distances, SHARDS_adj-corrected at a fixed rate.
    #[must_use]
    pub fn finish(mut self) -> Distances {
        self.distances.objects = self.stack.objects();
        self.distances.largest = self.stack.largest();
        self.distances.resized = self.stack.resized();
        if let ShardsMode::FixedRate(_) = self.mode
            && self.adjust
        {
            // In the weighted counts (each sampled request weighs 1/rate),
            // the expected total is every request seen.
            #[expect(clippy::cast_precision_loss, reason = "counts")]
            let (seen, seen_bytes) = (self.seen as f64, self.seen_bytes as f64);
            let (requests, bytes) = self.distances.totals();
            self.distances.adjust = seen - requests;
            self.distances.adjust_bytes = seen_bytes - bytes;
            // The paper counts the difference at distance 0, hits at every
            // size. But a sample's deficit is mostly a hot object it left
            // out (or took in), and a cache smaller than the shortest
            // distance the sample can see (its object's size over the
            // rate) cannot be said to hit it: counting it there put the
            // smallest caches' miss ratios 0.15 too low on a Zipf trace.
            // So the difference counts from that distance on (`curve`
            // reads `shortest`).
        }
        self.distances
    }
}
