//! [`analyze`] on small traces whose every number was worked out by hand.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use super::*;

fn trace(requests: &[(u64, u64)], ignore_size: bool) -> Trace {
    let requests = requests
        .iter()
        .map(|&(id, size)| Request::new(id, size))
        .collect();
    Trace::in_memory("hand", "by hand", requests, ignore_size)
}

fn pairs(curve: &[RankFrequency]) -> Vec<(u64, u64)> {
    curve
        .iter()
        .map(|point| (point.rank, point.frequency))
        .collect()
}

#[test]
fn six_requests_three_objects() {
    // Index: 0  1  2  3  4  5
    // Id:    1  2  1  3  1  2
    // Size: 10 20 10 30 10 20
    let trace = trace(
        &[(1, 10), (2, 20), (1, 10), (3, 30), (1, 10), (2, 20)],
        false,
    );
    let mut heard = 0;
    let analysis = analyze(&trace, |requests| heard += requests).unwrap();
    assert_eq!(heard, 6);
    assert_eq!(analysis.requests, 6);
    assert_eq!(analysis.skipped_zero_size, 0);
    assert_eq!(analysis.objects, 3);
    assert_eq!(analysis.bytes_requested, 100);
    assert_eq!(analysis.working_set_bytes, 60);
    // Only object 3 is requested once.
    assert_eq!(analysis.one_hit_wonders, 1);
    assert!((analysis.one_hit_wonder_ratio - 1.0 / 3.0).abs() < 1e-15);
    // Objects: 10, 20, 30. The pth percentile is the ceil(3p/100)th.
    let by_object = SizePercentiles {
        min: 10,
        p25: 10,
        p50: 20,
        p75: 30,
        p90: 30,
        p99: 30,
        max: 30,
    };
    assert_eq!(analysis.object_sizes, by_object);
    // Requests: 10 10 10 20 20 30; ranks 2, 3, 5, 6, 6 for p25..p99.
    let by_request = SizePercentiles {
        min: 10,
        p25: 10,
        p50: 10,
        p75: 20,
        p90: 30,
        p99: 30,
        max: 30,
    };
    assert_eq!(analysis.request_sizes, by_request);
    assert_eq!(pairs(&analysis.popularity), [(1, 3), (2, 2), (3, 1)]);
    // Points (ln r, ln f): (0, ln 3), (ln 2, ln 2), (ln 3, 0). Both means
    // are (ln 2 + ln 3) / 3 = 0.59725; Sxx = 0.61727, Sxy = -0.58968, so
    // alpha = 0.95530.
    let zipf = analysis.zipf.unwrap();
    assert!((zipf.alpha - 0.955_30).abs() < 1e-4, "{zipf:?}");
    // Distances: request 2 is 2 after 0, 4 is 2 after 2, 5 is 4 after 1.
    let reuse = ReuseDistances {
        cold: 3,
        log2_buckets: vec![0, 2, 1],
    };
    assert_eq!(analysis.reuse_distance, reuse);
    // An in-memory trace has no clock.
    assert_eq!(analysis.time_span, None);
}

#[test]
fn sizes_change_and_size_zero_is_skipped() {
    // After the two size-0 requests go: 5/100, 6/50, 5/300, 6/50.
    let requests = [(5, 100), (5, 0), (6, 50), (5, 300), (6, 50), (7, 0)];
    let analysis = analyze(&trace(&requests, false), |_| {}).unwrap();
    assert_eq!(analysis.requests, 4);
    assert_eq!(analysis.skipped_zero_size, 2);
    assert_eq!(analysis.objects, 2);
    assert_eq!(analysis.bytes_requested, 500);
    // Object 5 counts at its first size, 100.
    assert_eq!(analysis.working_set_bytes, 150);
    assert_eq!(analysis.one_hit_wonders, 0);
    assert!(analysis.one_hit_wonder_ratio.abs() < f64::EPSILON);
    let object = analysis.object_sizes;
    assert_eq!(
        (object.min, object.p25, object.p50, object.p75, object.max),
        (50, 50, 50, 100, 100)
    );
    // Requests: 50 50 100 300; ranks 1, 2, 3, 4, 4 for p25..p99.
    let request = analysis.request_sizes;
    assert_eq!(
        (
            request.p25,
            request.p50,
            request.p75,
            request.p90,
            request.p99
        ),
        (50, 50, 100, 300, 300)
    );
    assert_eq!(pairs(&analysis.popularity), [(1, 2), (2, 2)]);
    // Equal popularity: a flat line.
    let zipf = analysis.zipf.unwrap();
    assert_eq!((zipf.alpha, zipf.r2), (0.0, 0.0));
    assert_eq!(analysis.reuse_distance.cold, 2);
    assert_eq!(analysis.reuse_distance.log2_buckets, [0, 2]);

    // Ignoring sizes, every request is 1 byte; the skipped stay skipped.
    let unit = analyze(&trace(&requests, true), |_| {}).unwrap();
    assert_eq!((unit.bytes_requested, unit.working_set_bytes), (4, 2));
    assert_eq!((unit.object_sizes.min, unit.object_sizes.max), (1, 1));
    assert_eq!((unit.request_sizes.min, unit.request_sizes.max), (1, 1));
    assert_eq!(unit.skipped_zero_size, 2);
}

#[test]
fn a_trace_without_requests_is_an_error() {
    let all_zero = analyze(&trace(&[(1, 0), (2, 0)], false), |_| {});
    assert!(
        matches!(all_zero, Err(Error::EmptyTrace { skipped: 2, .. })),
        "{all_zero:?}"
    );
    let none = analyze(&trace(&[], false), |_| {});
    assert!(
        matches!(none, Err(Error::EmptyTrace { skipped: 0, .. })),
        "{none:?}"
    );
}

#[test]
fn distances_span_chunks_and_one_object_has_no_fit() {
    // Object 0 at index 0 and at index 4999; 4998 objects once between,
    // so the trace crosses a chunk boundary (4096).
    let mut requests = vec![(0, 1)];
    requests.extend((1..4999).map(|id| (id, 1)));
    requests.push((0, 1));
    let mut chunks = Vec::new();
    let analysis = analyze(&trace(&requests, false), |n| chunks.push(n)).unwrap();
    assert_eq!(chunks, [4096, 904]);
    assert_eq!(analysis.requests, 5000);
    assert_eq!(analysis.objects, 4999);
    assert_eq!(analysis.one_hit_wonders, 4998);
    // 4096 <= 4999 < 8192: bucket 12, alone.
    let mut buckets = vec![0; 13];
    buckets[12] = 1;
    assert_eq!(analysis.reuse_distance.log2_buckets, buckets);
    assert_eq!(analysis.reuse_distance.cold, 4999);
    let curve = pairs(&analysis.popularity);
    assert_eq!(curve.first(), Some(&(1, 2)));
    assert_eq!(curve.get(1), Some(&(2, 1)));
    assert_eq!(curve.last(), Some(&(4999, 1)));

    // One object requested three times in a row.
    let one = analyze(&trace(&[(9, 4), (9, 4), (9, 4)], false), |_| {}).unwrap();
    assert_eq!(one.zipf, None);
    assert_eq!(pairs(&one.popularity), [(1, 3)]);
    assert_eq!(one.reuse_distance.log2_buckets, [2]);
    assert_eq!(one.working_set_bytes, 4);
}

/// A reader whose format stores clock times: one chunk per entry.
struct Clocked {
    chunks: Vec<(Vec<Request>, Vec<u64>)>,
    next: usize,
}

impl Clocked {
    fn new(chunks: &[&[(u64, u64)]]) -> Self {
        let chunks = chunks
            .iter()
            .map(|chunk| {
                let requests = chunk.iter().map(|&(id, _)| Request::new(id, 1)).collect();
                (requests, chunk.iter().map(|&(_, time)| time).collect())
            })
            .collect();
        Self { chunks, next: 0 }
    }
}

impl RequestReader for Clocked {
    fn fill(&mut self, out: &mut Vec<Request>) -> Result<(), Error> {
        out.clear();
        if let Some((requests, _)) = self.chunks.get(self.next) {
            out.extend_from_slice(requests);
            self.next += 1;
        }
        Ok(())
    }

    fn skipped(&self) -> u64 {
        0
    }

    fn times(&self) -> Option<&[u64]> {
        let last = self.next.checked_sub(1)?;
        self.chunks.get(last).map(|(_, times)| times.as_slice())
    }
}

#[test]
fn the_time_span_runs_from_the_first_request_to_the_last() {
    // (id, time): the first time is the first chunk's first, the last the
    // last chunk's last.
    let mut reader = Clocked::new(&[&[(1, 100), (2, 105)], &[(1, 107), (3, 130)]]);
    let analysis = analyze_reader(&mut reader, "clocked", |_| {}).unwrap();
    let span = TimeSpan {
        first: 100,
        last: 130,
        span: 30,
    };
    assert_eq!(analysis.time_span, Some(span));
    assert_eq!(analysis.requests, 4);

    // A clock that runs backwards spans nothing rather than wrapping.
    let mut reader = Clocked::new(&[&[(1, 50)], &[(2, 40)]]);
    let analysis = analyze_reader(&mut reader, "backwards", |_| {}).unwrap();
    let span = TimeSpan {
        first: 50,
        last: 40,
        span: 0,
    };
    assert_eq!(analysis.time_span, Some(span));
}
