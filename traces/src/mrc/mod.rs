//! Miss-ratio curves without a simulation per size: LRU's from one pass of
//! stack distances ([`exact`]), and from a spatial sample of the objects
//! with the distances scaled up ([`shards`], Waldspurger et al., FAST '15).
//!
//! Both count the requests into a [`Distances`] histogram whose buckets
//! end at the cache sizes asked for, so the curve is exact at every one of
//! them however many there are. An LRU cache of capacity C hits a request
//! exactly when the request's stack distance is at most C (the inclusion
//! property), under two conditions wsim's cache contract adds: every object
//! fits in C (an object larger than the cache is never admitted and so
//! takes no room, while the stack counts it), and an object's size does
//! not change on a hit (the cache keeps the stored size, the stack the
//! latest). With `--ignore-size` both always hold and the curve equals full
//! LRU simulations hit for hit.

mod blocked;
mod fenwick;
mod shards;
mod stack;

use wsim_policies::Request;

pub use shards::{Shards, ShardsMode};
pub use stack::{LruStack, Overflow};

use crate::{CHUNK, Error, RequestReader, Trace};

/// The stack distances of a trace's requests (or of a sample's, scaled),
/// bucketed by the cache sizes asked for; each request is counted with a
/// weight: 1, or in SHARDS the inverse of the sampling rate when it was
/// measured (the paper's rescaling).
#[derive(Debug, Clone)]
pub struct Distances {
    /// The sizes asked for, in the order asked.
    asked: Vec<u64>,
    /// The same sizes ascending, without repeats: the buckets' upper ends.
    bounds: Vec<u64>,
    /// `buckets[i]`: the requests, and their bytes, at a distance above
    /// `bounds[i - 1]` and at most `bounds[i]`, weighted; the last bucket
    /// holds those above every bound and first requests (misses at every
    /// size).
    buckets: Vec<(f64, f64)>,
    /// The same for requests of weight 1, counted in integers (exact
    /// counts, and a tenth of the time of the weighted sums).
    unweighted: Vec<(u64, u128)>,
    /// Requests measured (sampled, for SHARDS), unweighted.
    pub measured: u64,
    /// Objects measured (sampled, for SHARDS; at the end, for fixed-size).
    pub objects: usize,
    /// The shortest distance measured (scaled, for SHARDS): a curve from a
    /// sample has no hit below it.
    pub shortest: Option<u64>,
    /// The largest size requested (sampled, for SHARDS).
    pub largest: u64,
    /// Requests whose object was last requested at another size.
    pub resized: u64,
    /// Requests added (or, below 0, taken) to correct a sample's count
    /// (SHARDS_adj), as hits at every size from `shortest` on.
    adjust: f64,
    /// The same for bytes.
    adjust_bytes: f64,
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
    /// An empty histogram for a curve at `sizes`.
    #[must_use]
    pub fn new(sizes: &[u64]) -> Self {
        let mut bounds = sizes.to_vec();
        bounds.sort_unstable();
        bounds.dedup();
        Self {
            asked: sizes.to_vec(),
            buckets: vec![(0.0, 0.0); bounds.len() + 1],
            unweighted: vec![(0, 0); bounds.len() + 1],
            bounds,
            measured: 0,
            objects: 0,
            shortest: None,
            largest: 0,
            resized: 0,
            adjust: 0.0,
            adjust_bytes: 0.0,
        }
    }

    /// Counts a request of `size` bytes at stack distance `distance`
    /// (`None`: its object's first request), with weight 1.
    pub fn add(&mut self, distance: Option<u64>, size: u64) {
        let bucket = distance.map_or(self.bounds.len(), |distance| self.bucket(distance));
        let entry = &mut self.unweighted[bucket];
        entry.0 += 1;
        entry.1 += u128::from(size);
    }

    /// The bucket of `distance`: how many bounds lie below it (a count
    /// the compiler vectorises, no branch per bound).
    fn bucket(&self, distance: u64) -> usize {
        self.bounds
            .iter()
            .filter(|&&bound| bound < distance)
            .count()
    }

    /// Counts a request as [`add`](Self::add) does, with weight `weight`.
    #[expect(clippy::cast_precision_loss, reason = "weighted counts")]
    pub fn add_weighted(&mut self, distance: Option<u64>, size: u64, weight: f64) {
        let bytes = size as f64 * weight;
        let bucket = distance.map_or(self.bounds.len(), |distance| self.bucket(distance));
        let entry = &mut self.buckets[bucket];
        entry.0 += weight;
        entry.1 += bytes;
    }

    /// Each bucket's requests and bytes, weighted and not.
    #[expect(clippy::cast_precision_loss, reason = "weighted counts")]
    fn merged(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.buckets.iter().zip(&self.unweighted).map(
            |(&(count, bytes), &(exact_count, exact_bytes))| {
                (count + exact_count as f64, bytes + exact_bytes as f64)
            },
        )
    }

    /// Requests counted, weighted, and their bytes.
    #[must_use]
    pub fn totals(&self) -> (f64, f64) {
        self.merged()
            .fold((0.0, 0.0), |(requests, bytes), (count, size)| {
                (requests + count, bytes + size)
            })
    }

    /// The sizes asked for at which the curve may differ from a full LRU
    /// simulation's, and why (an empty list: it equals them): those
    /// smaller than the largest object, which LRU never admits while the
    /// stack counts its room; every size, when objects changed size.
    #[must_use]
    pub fn inexact_at(&self) -> Vec<u64> {
        self.asked
            .iter()
            .copied()
            .filter(|&size| self.resized > 0 || size < self.largest)
            .collect()
    }

    /// The miss ratio and byte miss ratio at each size asked for, in the
    /// order asked.
    #[must_use]
    pub fn curve(&self) -> Vec<CurvePoint> {
        // Hits at capacity C: the requests at distances up to C.
        let mut hits_at = Vec::with_capacity(self.bounds.len());
        let (mut hits, mut hit_bytes) = (0.0, 0.0);
        let (mut all, mut all_bytes) = (0.0, 0.0);
        for (bucket, (count, bytes)) in self.merged().enumerate() {
            all += count;
            all_bytes += bytes;
            if bucket < self.bounds.len() {
                hits += count;
                hit_bytes += bytes;
                hits_at.push((hits, hit_bytes));
            }
        }
        let requests = all + self.adjust;
        let all_bytes = all_bytes + self.adjust_bytes;
        let ratio = |part: f64, whole: f64| {
            if whole > 0.0 {
                // Misses over requests, as a simulation divides them.
                ((whole - part) / whole).clamp(0.0, 1.0)
            } else {
                0.0
            }
        };
        self.asked
            .iter()
            .map(|&size| {
                let (mut hits, mut hit_bytes) = self
                    .bounds
                    .binary_search(&size)
                    .map_or((0.0, 0.0), |bucket| hits_at[bucket]);
                if size >= self.shortest.unwrap_or(0) {
                    hits += self.adjust;
                    hit_bytes += self.adjust_bytes;
                }
                CurvePoint {
                    cache_size: size,
                    miss_ratio: ratio(hits, requests),
                    byte_miss_ratio: ratio(hit_bytes, all_bytes),
                }
            })
            .collect()
    }
}

/// The error for sizes that overflow the stack's sums.
fn overflow(trace: &Trace) -> Error {
    Error::Invalid(format!(
        "{}: the objects' sizes sum past 2^64 bytes, beyond any cache size; \
         --ignore-size counts objects instead",
        trace.name()
    ))
}

/// LRU's exact stack distances over every request of `trace` (sizes as the
/// trace gives them: 1 each with `--ignore-size`), for a curve at `sizes`;
/// `progress` hears of every chunk.
///
/// # Errors
/// The trace's, or the objects' sizes summing past 2^64 bytes.
pub fn exact(
    trace: &Trace,
    sizes: &[u64],
    mut progress: impl FnMut(u64),
) -> Result<Distances, Error> {
    let mut reader = trace.reader()?;
    let mut chunk: Vec<Request> = Vec::with_capacity(CHUNK);
    let mut stack = LruStack::default();
    let mut distances = Distances::new(sizes);
    let mut measured = Vec::with_capacity(CHUNK);
    loop {
        reader.fill(&mut chunk)?;
        if chunk.is_empty() {
            if distances.measured == 0 {
                return Err(Error::EmptyTrace {
                    name: trace.name().to_owned(),
                    skipped: reader.skipped(),
                });
            }
            distances.objects = stack.objects();
            distances.largest = stack.largest();
            distances.resized = stack.resized();
            return Ok(distances);
        }
        stack
            .access_all(&chunk, &mut measured)
            .map_err(|Overflow| overflow(trace))?;
        for (request, &distance) in chunk.iter().zip(&measured) {
            distances.add(distance, request.size);
        }
        distances.measured += chunk.len() as u64;
        progress(chunk.len() as u64);
    }
}

/// SHARDS' stack distances over the sample of `trace` that `mode` keeps,
/// for a curve at `sizes` (at a fixed rate, SHARDS_adj-corrected when
/// `adjust`), and the sampling rate at the end; `progress` hears of every
/// chunk read.
///
/// # Errors
/// The trace's, or the sampled objects' sizes summing past 2^64 bytes.
pub fn shards(
    trace: &Trace,
    mode: ShardsMode,
    sizes: &[u64],
    adjust: bool,
    mut progress: impl FnMut(u64),
) -> Result<(Distances, f64), Error> {
    let mut reader = trace.reader()?;
    let mut chunk: Vec<Request> = Vec::with_capacity(CHUNK);
    let mut sampler = Shards::new(mode, sizes);
    if !adjust {
        sampler = sampler.unadjusted();
    }
    loop {
        reader.fill(&mut chunk)?;
        if chunk.is_empty() {
            if sampler.seen() == 0 {
                return Err(Error::EmptyTrace {
                    name: trace.name().to_owned(),
                    skipped: reader.skipped(),
                });
            }
            let (seen, rate) = (sampler.seen(), sampler.rate());
            let distances = sampler.finish();
            if distances.measured == 0 {
                return Err(Error::Invalid(format!(
                    "{}: SHARDS' sample (rate {rate:.3e}) took none of the {seen} requests; \
                     a higher --rate (or --max-objects) samples some",
                    trace.name()
                )));
            }
            return Ok((distances, rate));
        }
        for request in &chunk {
            sampler
                .access(request.id, request.size)
                .map_err(|Overflow| overflow(trace))?;
        }
        progress(chunk.len() as u64);
    }
}

#[cfg(test)]
mod tests;
