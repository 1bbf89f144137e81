//! Miss-ratio curves without a simulation per size: LRU's from one pass of
//! stack distances ([`exact`]), and from a spatial sample of the objects
//! with the distances scaled up ([`shards`], Waldspurger et al., FAST '15).
//!
//! Both build a [`Distances`] histogram; [`Distances::curve`] reads the miss
//! ratio and byte miss ratio at any cache sizes off it. An LRU cache of
//! capacity C hits a request exactly when the request's stack distance is
//! at most C (the inclusion property), under two conditions wsim's cache
//! contract adds: every object fits in C (an object larger than the cache
//! is never admitted and so takes no room, while the stack counts it), and
//! an object's size does not change on a hit (the cache keeps the stored
//! size, the stack the latest). With `--ignore-size` both always hold and
//! the curve equals full LRU simulations hit for hit.

mod fenwick;
mod shards;
mod stack;

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use wsim_policies::Request;

pub use shards::{Shards, ShardsMode};
pub use stack::LruStack;

use crate::{CHUNK, Error, RequestReader, Trace};

/// Distances below this are counted in an array.
const DENSE: usize = 1 << 20;

/// The stack distances of a trace's requests (or of a sample's, scaled),
/// each request counted with a weight: 1, or in fixed-size SHARDS the
/// inverse of the sampling rate when it was measured (so that counts taken
/// at a higher rate do not outweigh later ones: the paper's rescaling).
#[derive(Debug, Clone, Default)]
pub struct Distances {
    /// Requests counted, weighted.
    pub requests: f64,
    /// Their bytes, weighted.
    pub bytes: f64,
    /// First requests of their object, misses at every size, weighted.
    pub cold: f64,
    /// For each distance below [`DENSE`], the requests at it and their
    /// bytes, weighted: an array, as most distances are small.
    dense: Vec<(f64, f64)>,
    /// The same for the larger distances.
    by_distance: FxHashMap<u128, (f64, f64)>,
    /// Requests (hits at every size) added to correct a sample's count:
    /// SHARDS_adj.
    adjust: f64,
}

/// One point of a miss-ratio curve.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CurvePoint {
    /// The cache size: bytes, or objects when sizes are ignored.
    pub cache_size: u64,
    /// Misses over requests.
    pub miss_ratio: f64,
    /// Bytes missed over bytes requested.
    pub byte_miss_ratio: f64,
}

impl Distances {
    /// Counts a request of `size` bytes at stack distance `distance`
    /// (`None`: its object's first request), with weight 1.
    pub fn add(&mut self, distance: Option<u128>, size: u64) {
        self.add_weighted(distance, size, 1.0);
    }

    /// Counts a request as [`add`](Self::add) does, with weight `weight`.
    #[expect(clippy::cast_precision_loss, reason = "weighted counts")]
    pub fn add_weighted(&mut self, distance: Option<u128>, size: u64, weight: f64) {
        let bytes = size as f64 * weight;
        self.requests += weight;
        self.bytes += bytes;
        match distance {
            None => self.cold += weight,
            Some(distance) => {
                let entry = match usize::try_from(distance) {
                    Ok(index) if index < DENSE => {
                        if self.dense.len() <= index {
                            self.dense.resize(index + 1, (0.0, 0.0));
                        }
                        &mut self.dense[index]
                    }
                    _ => self.by_distance.entry(distance).or_insert((0.0, 0.0)),
                };
                entry.0 += weight;
                entry.1 += bytes;
            }
        }
    }

    /// The miss ratio and byte miss ratio at each of `sizes`.
    #[must_use]
    pub fn curve(&self, sizes: &[u64]) -> Vec<CurvePoint> {
        // Hits at capacity C: the requests at distances up to C.
        let mut sorted: BTreeMap<u128, (f64, f64)> = self
            .by_distance
            .iter()
            .map(|(&distance, &counts)| (distance, counts))
            .collect();
        for (distance, &counts) in self.dense.iter().enumerate() {
            if counts.0 > 0.0 {
                sorted.insert(distance as u128, counts);
            }
        }
        let mut cumulative = Vec::with_capacity(sorted.len());
        let (mut hits, mut hit_bytes) = (0.0, 0.0);
        for (&distance, &(count, bytes)) in &sorted {
            hits += count;
            hit_bytes += bytes;
            cumulative.push((distance, hits, hit_bytes));
        }
        let requests = self.requests + self.adjust;
        sizes
            .iter()
            .map(|&size| {
                let reached =
                    cumulative.partition_point(|&(distance, ..)| distance <= u128::from(size));
                let (hits, hit_bytes) = match reached {
                    0 => (0.0, 0.0),
                    n => (cumulative[n - 1].1, cumulative[n - 1].2),
                };
                let hits = (hits + self.adjust).clamp(0.0, requests);
                let ratio =
                    |part: f64, whole: f64| if whole > 0.0 { 1.0 - part / whole } else { 0.0 };
                CurvePoint {
                    cache_size: size,
                    miss_ratio: ratio(hits, requests),
                    byte_miss_ratio: ratio(hit_bytes, self.bytes),
                }
            })
            .collect()
    }
}

/// LRU's exact stack distances over every request of `trace` (sizes as the
/// trace gives them: 1 each with `--ignore-size`); `progress` hears of
/// every chunk.
pub fn exact(trace: &Trace, mut progress: impl FnMut(u64)) -> Result<Distances, Error> {
    let mut reader = trace.reader()?;
    let mut chunk: Vec<Request> = Vec::with_capacity(CHUNK);
    let mut stack = LruStack::default();
    let mut distances = Distances::default();
    loop {
        reader.fill(&mut chunk)?;
        if chunk.is_empty() {
            return Ok(distances);
        }
        for request in &chunk {
            distances.add(stack.access(request.id, request.size), request.size);
        }
        progress(chunk.len() as u64);
    }
}

/// SHARDS' stack distances over the sample of `trace` that `mode` keeps,
/// and the sampling rate at the end; `progress` hears of every chunk read.
pub fn shards(
    trace: &Trace,
    mode: ShardsMode,
    mut progress: impl FnMut(u64),
) -> Result<(Distances, f64), Error> {
    let mut reader = trace.reader()?;
    let mut chunk: Vec<Request> = Vec::with_capacity(CHUNK);
    let mut sampler = Shards::new(mode);
    loop {
        reader.fill(&mut chunk)?;
        if chunk.is_empty() {
            let rate = sampler.rate();
            return Ok((sampler.finish(), rate));
        }
        for request in &chunk {
            sampler.access(request.id, request.size);
        }
        progress(chunk.len() as u64);
    }
}

#[cfg(test)]
mod tests;
