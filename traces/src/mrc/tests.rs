//! The curves against full simulations: exact LRU equals `Cache<Lru>` at
//! every size where the contract's two conditions hold, and SHARDS comes
//! close on a trace large enough to sample.

#![allow(
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    reason = "a test fails by panicking, and its ratios are of small counts"
)]

use wsim_policies::{Cache, Lru, Request};

use super::*;
use crate::{Synthetic, Trace};

fn lru_misses(requests: &[Request], capacity: u64) -> (u64, u128) {
    let mut cache = Cache::<Lru>::new(capacity);
    let (mut misses, mut bytes) = (0, 0);
    for &request in requests {
        if !cache.access(request) {
            misses += 1;
            bytes += u128::from(request.size);
        }
    }
    (misses, bytes)
}

fn synthetic(requests: u64, objects: u64, ignore_size: bool) -> (Vec<Request>, Trace) {
    let spec = Synthetic {
        requests,
        objects,
        ..Synthetic::DEFAULT
    };
    let all: Vec<Request> = spec.generate().unwrap().collect();
    let all: Vec<Request> = if ignore_size {
        all.iter()
            .map(|request| Request::new(request.id, 1))
            .collect()
    } else {
        all
    };
    let trace = Trace::in_memory("t", "t", all.clone(), ignore_size);
    (all, trace)
}

#[test]
fn exact_lru_equals_simulation_at_every_size_counting_objects() {
    let (requests, trace) = synthetic(30_000, 3_000, true);
    let sizes: Vec<u64> = (1..=3_000).step_by(37).collect();
    for point in exact(&trace, &sizes, |_| {}).unwrap().curve() {
        let (misses, _) = lru_misses(&requests, point.cache_size);
        let expected = misses as f64 / requests.len() as f64;
        assert!(
            (point.miss_ratio - expected).abs() < 1e-12,
            "{point:?}: LRU misses {misses}"
        );
    }
}

#[test]
fn exact_lru_equals_simulation_in_bytes_where_every_object_fits() {
    // Fixed sizes per object (the synthetic generator's), so sizes never
    // change on a hit; capacities from the largest object up.
    let (requests, trace) = synthetic(30_000, 3_000, false);
    let largest = requests.iter().map(|request| request.size).max().unwrap();
    let sizes: Vec<u64> = (0..12).map(|step| largest + step * largest / 2).collect();
    for point in exact(&trace, &sizes, |_| {}).unwrap().curve() {
        let (misses, missed_bytes) = lru_misses(&requests, point.cache_size);
        let total: u128 = requests
            .iter()
            .map(|request| u128::from(request.size))
            .sum();
        assert!(
            (point.miss_ratio - misses as f64 / requests.len() as f64).abs() < 1e-12,
            "{point:?}"
        );
        assert!(
            (point.byte_miss_ratio - missed_bytes as f64 / total as f64).abs() < 1e-12,
            "{point:?}"
        );
    }
}

#[test]
fn shards_comes_close_to_the_exact_curve() {
    let (_, trace) = synthetic(400_000, 40_000, true);
    let sizes: Vec<u64> = [100, 400, 1_600, 6_400, 25_600].to_vec();
    let truth = exact(&trace, &sizes, |_| {}).unwrap().curve();
    for mode in [ShardsMode::FixedRate(0.1), ShardsMode::FixedSize(4_000)] {
        let sampled = shards(&trace, mode, &sizes, true, |_| {})
            .unwrap()
            .0
            .curve();
        let error: f64 = truth
            .iter()
            .zip(&sampled)
            .map(|(truth, sampled)| (truth.miss_ratio - sampled.miss_ratio).abs())
            .sum::<f64>()
            / sizes.len() as f64;
        assert!(error < 0.02, "{mode:?}: mean absolute error {error}");
    }
}

#[test]
fn a_hand_checked_curve() {
    // a b c a b b d a, unit sizes: distances - - - 3 3 1 - 3; 4 cold.
    let requests: Vec<Request> = "abcabbda"
        .bytes()
        .map(|id| Request::new(u64::from(id), 1))
        .collect();
    let trace = Trace::in_memory("t", "t", requests, true);
    let curve = exact(&trace, &[3, 1, 2], |_| {}).unwrap().curve();
    let misses: Vec<f64> = curve.iter().map(|point| point.miss_ratio * 8.0).collect();
    // In the order asked.
    assert_eq!(misses, [4.0, 7.0, 7.0]);
}

#[test]
fn unadjusted_shards_keeps_the_samples_own_ratio() {
    // At a size holding every object, only first requests miss: the
    // sample's own share of them, unadjusted; SHARDS_adj moves it.
    let (requests, trace) = synthetic(50_000, 5_000, true);
    let sizes = [5_000u64];
    let unadjusted = shards(&trace, ShardsMode::FixedRate(0.2), &sizes, false, |_| {})
        .unwrap()
        .0
        .curve();
    let sampled: Vec<&Request> = requests
        .iter()
        .filter(|request| {
            // The threshold of rate 0.2: round(0.2 × 2^24).
            crate::sample::xxh3_64_of_u64(request.id) & ((1 << 24) - 1) < 3_355_443
        })
        .collect();
    let objects: std::collections::HashSet<u64> =
        sampled.iter().map(|request| request.id).collect();
    let own = objects.len() as f64 / sampled.len() as f64;
    assert!(
        (unadjusted[0].miss_ratio - own).abs() < 1e-12,
        "{unadjusted:?} against {own}"
    );
    let adjusted = shards(&trace, ShardsMode::FixedRate(0.2), &sizes, true, |_| {})
        .unwrap()
        .0
        .curve();
    assert_ne!(adjusted[0].miss_ratio, own);
}

#[test]
fn counting_objects_shards_gives_equal_miss_and_byte_miss_ratios() {
    // Every size is 1, so the byte counts are the request counts, and the
    // correction applies to both alike.
    let (_, trace) = synthetic(50_000, 5_000, true);
    let sizes = [10u64, 100, 1_000, 5_000];
    for adjust in [true, false] {
        let (distances, _) =
            shards(&trace, ShardsMode::FixedRate(0.05), &sizes, adjust, |_| {}).unwrap();
        for point in distances.curve() {
            assert!(
                (point.miss_ratio - point.byte_miss_ratio).abs() < 1e-9,
                "adjust {adjust}: {point:?}"
            );
        }
    }
}

#[test]
fn an_empty_sample_is_an_error_not_a_perfect_cache() {
    let (_, trace) = synthetic(2_000, 200, true);
    let error = shards(&trace, ShardsMode::FixedRate(1e-7), &[10], true, |_| {}).unwrap_err();
    assert!(
        error.to_string().contains("took none of the 2000 requests"),
        "{error}"
    );
    let empty = Trace::in_memory("empty", "empty", Vec::new(), true);
    assert!(matches!(
        exact(&empty, &[10], |_| {}),
        Err(Error::EmptyTrace { .. })
    ));
}
