//! [`TraceSummary`]: the statistics a trace file's header stores (lcs's),
//! gathered in one pass over the requests with one entry per object.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use wsim_policies::Request;

use crate::ZipfFit;

/// What an lcs header says of its trace.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TraceSummary {
    /// Requests.
    pub requests: u64,
    /// Distinct objects.
    pub objects: u64,
    /// Sum of the requests' sizes.
    pub bytes_requested: u128,
    /// Sum of the distinct objects' sizes, each at its first request.
    pub object_bytes: u128,
    /// The first request's clock time.
    pub start_time: u64,
    /// The last request's clock time.
    pub end_time: u64,
    /// The smallest request size.
    pub smallest_size: u64,
    /// The largest request size.
    pub largest_size: u64,
    /// The request counts of the 16 most requested objects, most first.
    pub highest_freq: [u64; 16],
    /// The Zipf alpha fitted to the objects' request counts by rank, as
    /// [`ZipfFit`] fits it (0 for fewer than two objects).
    pub zipf_alpha: f64,
}

/// Gathers a [`TraceSummary`] request by request.
#[derive(Debug, Default)]
pub struct Summarizer {
    summary: TraceSummary,
    /// Each object's request count.
    counts: FxHashMap<u64, u64>,
}

impl Summarizer {
    /// Counts one request made at `time`.
    pub fn add(&mut self, request: Request, time: u64) {
        let summary = &mut self.summary;
        if summary.requests == 0 {
            summary.start_time = time;
            summary.smallest_size = request.size;
        }
        summary.requests += 1;
        summary.end_time = time;
        summary.bytes_requested += u128::from(request.size);
        summary.smallest_size = summary.smallest_size.min(request.size);
        summary.largest_size = summary.largest_size.max(request.size);
        let count = self.counts.entry(request.id).or_insert(0);
        if *count == 0 {
            summary.objects += 1;
            summary.object_bytes += u128::from(request.size);
        }
        *count += 1;
    }

    /// The summary of every request added.
    #[must_use]
    pub fn finish(self) -> TraceSummary {
        let mut summary = self.summary;
        let mut counts: Vec<u64> = self.counts.into_values().collect();
        counts.sort_unstable_by(|a, b| b.cmp(a));
        for (slot, &count) in summary.highest_freq.iter_mut().zip(&counts) {
            *slot = count;
        }
        let mut by_frequency = BTreeMap::new();
        for &count in &counts {
            *by_frequency.entry(count).or_insert(0) += 1;
        }
        summary.zipf_alpha = ZipfFit::of(&by_frequency).map_or(0.0, |fit| fit.alpha);
        summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_requests_objects_and_bytes() {
        let mut summarizer = Summarizer::default();
        for (time, (id, size)) in [(1, 10), (2, 5), (1, 30), (3, 7)].into_iter().enumerate() {
            summarizer.add(Request::new(id, size), 100 + time as u64);
        }
        let summary = summarizer.finish();
        assert_eq!(summary.requests, 4);
        assert_eq!(summary.objects, 3);
        assert_eq!(summary.bytes_requested, 52);
        assert_eq!(summary.object_bytes, 22);
        assert_eq!((summary.start_time, summary.end_time), (100, 103));
        assert_eq!((summary.smallest_size, summary.largest_size), (5, 30));
        assert_eq!(summary.highest_freq[..4], [2, 1, 1, 0]);
    }
}
