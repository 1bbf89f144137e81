//! [`analyze`]: what a trace looks like to a cache, in one pass: how many
//! requests, objects and bytes, how many objects are requested once, how
//! object sizes spread, how skewed popularity is (and its fitted Zipf
//! exponent), how soon objects come back, and the time the trace spans.
//!
//! It measures what libCacheSim's trace analyzer measures
//! (`traceAnalyzer/analyzer.cpp`), defined the same way where the two
//! overlap, so the numbers can be checked against it (the
//! `analyze_vs_libcachesim` test does). Memory is one map entry per object
//! (its request count and last request) and counts per distinct size and
//! frequency; nothing is kept per request.

mod fit;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use wsim_policies::Request;

pub use self::fit::{RankFrequency, SizePercentiles, ZipfFit};
use crate::{CHUNK, Error, RequestReader, Trace};

/// What [`analyze`] measures of a trace. Size-0 requests are skipped, as
/// every reader skips them, and count nowhere but in
/// [`skipped_zero_size`](Self::skipped_zero_size). A trace read with
/// `ignore_size` has every size 1.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Analysis {
    /// Requests.
    pub requests: u64,
    /// Requests skipped because their size was 0.
    pub skipped_zero_size: u64,
    /// Distinct objects.
    pub objects: u64,
    /// The sum of every request's size.
    pub bytes_requested: u128,
    /// The sum of every object's size at its first request: what a cache
    /// holding everything would hold (libCacheSim's "obj bytes").
    pub working_set_bytes: u128,
    /// Objects requested exactly once.
    pub one_hit_wonders: u64,
    /// [`one_hit_wonders`](Self::one_hit_wonders) over
    /// [`objects`](Self::objects).
    pub one_hit_wonder_ratio: f64,
    /// Object sizes, one per object, at its first request.
    pub object_sizes: SizePercentiles,
    /// Request sizes, one per request, each request's own size (an object
    /// whose size changes counts each size it is requested at).
    pub request_sizes: SizePercentiles,
    /// The popularity curve for a log-log plot: the request count of the
    /// object at rank 1 (the most requested), 2, ..., 8, then at ranks about
    /// 1.25 times apart (ten a decade), and at the last rank.
    pub popularity: Vec<RankFrequency>,
    /// The Zipf exponent fitted to the whole popularity curve (every rank,
    /// not only the sampled ones), as libCacheSim fits it: see
    /// [`ZipfFit`]. `None` with fewer than two objects. libCacheSim gives
    /// no fit below 200 objects, calling it noise; this one does, and
    /// leaves that judgement to the reader.
    pub zipf: Option<ZipfFit>,
    /// How many requests after its previous request each object comes
    /// back.
    pub reuse_distance: ReuseDistances,
    /// The clock times of the first and last request, when the trace's
    /// format stores them.
    pub time_span: Option<TimeSpan>,
}

/// The reuse distances of a trace: for each request, how many requests
/// since the same object's previous request (the difference of their
/// indices, so 1 for a request repeating the one before). This is
/// libCacheSim's "reuse virtual time", not the LRU stack distance (which
/// counts distinct objects in between).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ReuseDistances {
    /// First requests of their object, which have no reuse distance: the
    /// cold (compulsory) misses, one per object.
    pub cold: u64,
    /// `log2_buckets[k]` counts the reuse distances `d` with
    /// `2^k <= d < 2^(k+1)`; the vector ends at the last nonempty bucket.
    pub log2_buckets: Vec<u64>,
}

impl ReuseDistances {
    fn add(&mut self, distance: u64) {
        // `distance` >= 1, so its bucket is the index of its top bit.
        let bucket = (u64::BITS - 1 - distance.leading_zeros()) as usize;
        if self.log2_buckets.len() <= bucket {
            self.log2_buckets.resize(bucket + 1, 0);
        }
        self.log2_buckets[bucket] += 1;
    }
}

/// The clock times a trace spans, in the trace's own unit (seconds for
/// most formats).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct TimeSpan {
    /// The first request's time.
    pub first: u64,
    /// The last request's time.
    pub last: u64,
    /// `last - first`, libCacheSim's "time span"; 0 if the clock ran
    /// backwards (a trace not sorted by time).
    pub span: u64,
}

/// What the pass keeps of each object.
#[derive(Debug, Clone, Copy)]
struct Seen {
    /// Its requests so far.
    requests: u64,
    /// The index of its last request.
    last: u64,
}

/// Reads `trace` once, from the start, and measures it; `progress` hears
/// of every chunk (its number of requests). A trace with no requests (all
/// of size 0, or none at all) is [`Error::EmptyTrace`].
pub fn analyze(trace: &Trace, progress: impl FnMut(u64)) -> Result<Analysis, Error> {
    let mut reader = trace.reader()?;
    reader.keep_times();
    analyze_reader(&mut reader, trace.name(), progress)
}

/// [`analyze`] of the requests `reader` has left; `name` names the trace
/// in an error.
pub fn analyze_reader<R: RequestReader + ?Sized>(
    reader: &mut R,
    name: &str,
    mut progress: impl FnMut(u64),
) -> Result<Analysis, Error> {
    let mut seen: FxHashMap<u64, Seen> = FxHashMap::default();
    // Size -> requests, and size -> objects at their first request.
    let mut request_sizes: FxHashMap<u64, u64> = FxHashMap::default();
    let mut object_sizes: FxHashMap<u64, u64> = FxHashMap::default();
    let mut reuse = ReuseDistances::default();
    let (mut bytes_requested, mut working_set_bytes) = (0u128, 0u128);
    let mut times: Option<(u64, u64)> = None;
    let mut index = 0u64;
    let mut chunk: Vec<Request> = Vec::with_capacity(CHUNK);
    loop {
        reader.fill(&mut chunk)?;
        if chunk.is_empty() {
            break;
        }
        for request in &chunk {
            bytes_requested += u128::from(request.size);
            *request_sizes.entry(request.size).or_default() += 1;
            let object = seen.entry(request.id).or_insert(Seen {
                requests: 0,
                last: index,
            });
            if object.requests == 0 {
                working_set_bytes += u128::from(request.size);
                *object_sizes.entry(request.size).or_default() += 1;
                reuse.cold += 1;
            } else {
                reuse.add(index - object.last);
            }
            object.requests += 1;
            object.last = index;
            index += 1;
        }
        if let Some(clock) = reader.times()
            && let (Some(&first), Some(&last)) = (clock.first(), clock.last())
        {
            times = Some((times.map_or(first, |(start, _)| start), last));
        }
        progress(chunk.len() as u64);
    }
    let (requests, skipped) = (index, reader.skipped());
    if requests == 0 {
        return Err(Error::EmptyTrace {
            name: name.to_owned(),
            skipped,
        });
    }
    let mut frequencies: BTreeMap<u64, u64> = BTreeMap::new();
    for object in seen.values() {
        *frequencies.entry(object.requests).or_default() += 1;
    }
    let objects = seen.len() as u64;
    let one_hit_wonders = frequencies.get(&1).copied().unwrap_or(0);
    let percentiles = |histogram: FxHashMap<u64, u64>| {
        SizePercentiles::of(&histogram.into_iter().collect()).ok_or_else(|| {
            Error::Invalid(format!(
                "{name}: no sizes in a trace of {requests} requests"
            ))
        })
    };
    Ok(Analysis {
        requests,
        skipped_zero_size: skipped,
        objects,
        bytes_requested,
        working_set_bytes,
        one_hit_wonders,
        one_hit_wonder_ratio: ratio(one_hit_wonders, objects),
        object_sizes: percentiles(object_sizes)?,
        request_sizes: percentiles(request_sizes)?,
        popularity: fit::popularity(&frequencies),
        zipf: ZipfFit::of(&frequencies),
        reuse_distance: reuse,
        time_span: times.map(|(first, last)| TimeSpan {
            first,
            last,
            span: last.saturating_sub(first),
        }),
    })
}

#[expect(clippy::cast_precision_loss, reason = "a ratio needs no more digits")]
fn ratio(part: u64, whole: u64) -> f64 {
    part as f64 / whole as f64
}
