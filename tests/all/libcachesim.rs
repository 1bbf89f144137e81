//! Hit counts that libCacheSim reports on its CloudPhysics sample trace
//! (113,872 requests; see `traces/samples/README.md`): from its `cachesim`, and from
//! the `libcachesim` package on PyPI (0.3.5, libCacheSim's own C code) as
//! `requests x (1 - miss ratio)`. Every policy with rows here must
//! reproduce them exactly.

use wsim_policies::{PolicyKind, Request};

use crate::support::{Replay, open, read_all, replay, replay_native_kind, sandboxes, traces_dir};

use PolicyKind::{
    Arc, Belady, BeladySize, Clock, ClockPro, Fifo, Gdsf, Lfu, Lfuda, Lirs, Lru, LruK, Mq, S3Fifo,
    Sieve, Size, Slru, TwoQ, WTinyLfu,
};

/// `(policy, capacity, ignore size, hits)`, as `cachesim` printed them.
const EXPECTED: &[(PolicyKind, u64, bool, u64)] = &[
    (Lru, 16_777_216, false, 18_777),
    (Lru, 67_108_864, false, 19_669),
    (Lru, 268_435_456, false, 24_089),
    (Lru, 1_073_741_824, false, 42_168),
    (Fifo, 16_777_216, false, 18_399),
    (Fifo, 67_108_864, false, 19_530),
    (Fifo, 268_435_456, false, 24_486),
    (Fifo, 1_073_741_824, false, 41_732),
    (Lfu, 16_777_216, false, 20_084),
    (Lfu, 67_108_864, false, 20_907),
    (Lfu, 268_435_456, false, 27_152),
    (Lfu, 1_073_741_824, false, 49_496),
    (Lru, 500, true, 18_474),
    (Lru, 2_000, true, 19_683),
    (Lru, 8_000, true, 26_132),
    (Lru, 20_000, true, 41_819),
    (Fifo, 500, true, 17_389),
    (Fifo, 2_000, true, 19_284),
    (Fifo, 8_000, true, 26_276),
    (Fifo, 20_000, true, 41_643),
    (Lfu, 500, true, 17_221),
    (Lfu, 2_000, true, 20_165),
    (Lfu, 8_000, true, 29_078),
    (Lfu, 20_000, true, 49_441),
    // libcachesim 0.3.5, `Clock` (one-bit counter, its default).
    (Clock, 16_777_216, false, 18_905),
    (Clock, 67_108_864, false, 19_745),
    (Clock, 268_435_456, false, 24_097),
    (Clock, 1_073_741_824, false, 49_416),
    (Clock, 500, true, 18_579),
    (Clock, 2_000, true, 19_791),
    (Clock, 8_000, true, 26_141),
    (Clock, 20_000, true, 41_721),
    // libcachesim 0.3.5 at its defaults (`traces/samples/golden_rows.py`).
    (Sieve, 16_777_216, false, 20_084),
    (Sieve, 67_108_864, false, 20_907),
    (Sieve, 268_435_456, false, 27_152),
    (Sieve, 1_073_741_824, false, 49_496),
    (Sieve, 500, true, 19_493),
    (Sieve, 2_000, true, 20_461),
    (Sieve, 8_000, true, 29_078),
    (Sieve, 20_000, true, 49_441),
    (S3Fifo, 16_777_216, false, 20_042),
    (S3Fifo, 67_108_864, false, 21_518),
    (S3Fifo, 268_435_456, false, 32_957),
    (S3Fifo, 1_073_741_824, false, 57_827),
    (S3Fifo, 500, true, 19_313),
    (S3Fifo, 2_000, true, 20_882),
    (S3Fifo, 8_000, true, 34_088),
    (S3Fifo, 20_000, true, 54_561),
    (Arc, 16_777_216, false, 20_121),
    (Arc, 67_108_864, false, 21_300),
    (Arc, 268_435_456, false, 28_011),
    (Arc, 1_073_741_824, false, 49_100),
    (Arc, 500, true, 19_654),
    (Arc, 2_000, true, 21_043),
    (Arc, 8_000, true, 31_642),
    (Arc, 20_000, true, 49_450),
    (TwoQ, 16_777_216, false, 19_515),
    (TwoQ, 67_108_864, false, 20_416),
    (TwoQ, 268_435_456, false, 30_305),
    (TwoQ, 1_073_741_824, false, 41_798),
    (TwoQ, 500, true, 19_307),
    (TwoQ, 2_000, true, 20_797),
    (TwoQ, 8_000, true, 31_768),
    (TwoQ, 20_000, true, 41_769),
    (Slru, 16_777_216, false, 20_357),
    (Slru, 67_108_864, false, 21_943),
    (Slru, 268_435_456, false, 26_787),
    (Slru, 1_073_741_824, false, 56_256),
    (Slru, 500, true, 19_293),
    (Slru, 2_000, true, 20_236),
    (Slru, 8_000, true, 28_837),
    (Slru, 20_000, true, 53_236),
    (LruK, 16_777_216, false, 20_084),
    (LruK, 67_108_864, false, 20_907),
    (LruK, 268_435_456, false, 27_152),
    (LruK, 1_073_741_824, false, 49_496),
    (LruK, 500, true, 17_386),
    (LruK, 2_000, true, 20_165),
    (LruK, 8_000, true, 29_078),
    (LruK, 20_000, true, 49_441),
    (Mq, 16_777_216, false, 19_828),
    (Mq, 67_108_864, false, 21_172),
    (Mq, 268_435_456, false, 27_726),
    (Mq, 1_073_741_824, false, 46_232),
    (Mq, 500, true, 19_248),
    (Mq, 2_000, true, 21_235),
    (Mq, 8_000, true, 27_586),
    (Mq, 20_000, true, 44_518),
    (Gdsf, 16_777_216, false, 20_339),
    (Gdsf, 67_108_864, false, 21_811),
    (Gdsf, 268_435_456, false, 29_122),
    (Gdsf, 1_073_741_824, false, 55_151),
    (Gdsf, 500, true, 19_162),
    (Gdsf, 2_000, true, 20_226),
    (Gdsf, 8_000, true, 26_237),
    (Gdsf, 20_000, true, 43_393),
    (Size, 16_777_216, false, 20_585),
    (Size, 67_108_864, false, 28_780),
    (Size, 268_435_456, false, 37_021),
    (Size, 1_073_741_824, false, 56_748),
    (Size, 500, true, 16_113),
    (Size, 2_000, true, 17_145),
    (Size, 8_000, true, 26_040),
    (Size, 20_000, true, 51_797),
    (Belady, 16_777_216, false, 22_276),
    (Belady, 67_108_864, false, 28_113),
    (Belady, 268_435_456, false, 43_148),
    (Belady, 1_073_741_824, false, 64_898),
    (Belady, 500, true, 23_697),
    (Belady, 2_000, true, 32_002),
    (Belady, 8_000, true, 49_106),
    (Belady, 20_000, true, 62_029),
    (BeladySize, 16_777_216, false, 25_126),
    (BeladySize, 67_108_864, false, 32_798),
    (BeladySize, 268_435_456, false, 49_312),
    (BeladySize, 1_073_741_824, false, 64_898),
    (BeladySize, 500, true, 23_614),
    (BeladySize, 2_000, true, 31_920),
    (BeladySize, 8_000, true, 48_990),
    (BeladySize, 20_000, true, 62_029),
    (WTinyLfu, 16_777_216, false, 19_528),
    (WTinyLfu, 67_108_864, false, 21_498),
    (WTinyLfu, 268_435_456, false, 29_683),
    (WTinyLfu, 1_073_741_824, false, 60_215),
    (WTinyLfu, 500, true, 17_625),
    (WTinyLfu, 2_000, true, 20_077),
    (WTinyLfu, 8_000, true, 33_376),
    (WTinyLfu, 20_000, true, 54_273),
    (Lfuda, 16_777_216, false, 19_844),
    (Lfuda, 67_108_864, false, 20_360),
    (Lfuda, 268_435_456, false, 25_271),
    (Lfuda, 1_073_741_824, false, 42_744),
    (Lfuda, 500, true, 18_780),
    (Lfuda, 2_000, true, 20_161),
    (Lfuda, 8_000, true, 27_067),
    (Lfuda, 20_000, true, 42_657),
    (Lirs, 16_777_216, false, 19_969),
    (Lirs, 67_108_864, false, 21_793),
    (Lirs, 268_435_456, false, 34_635),
    (Lirs, 1_073_741_824, false, 59_948),
    (Lirs, 500, true, 19_241),
    (Lirs, 2_000, true, 20_799),
    (Lirs, 8_000, true, 35_822),
    (Lirs, 20_000, true, 55_191),
    (ClockPro, 16_777_216, false, 13_857),
    (ClockPro, 67_108_864, false, 15_074),
    (ClockPro, 268_435_456, false, 17_482),
    (ClockPro, 1_073_741_824, false, 27_978),
    (ClockPro, 500, true, 12_965),
    (ClockPro, 2_000, true, 14_097),
    (ClockPro, 8_000, true, 16_842),
    (ClockPro, 20_000, true, 26_953),
];

/// `policy` natively and in one sandbox, which must agree; the common
/// replay. Row `row` takes the `row`-th sandbox (round the list), so the
/// rows together run every backend, runtime and lookup at full length
/// without running each row everywhere (the random traces of the
/// equivalence property do that).
fn replay_native_and_one_sandbox(
    policy: PolicyKind,
    capacity: u64,
    requests: &[Request],
    row: usize,
) -> Replay {
    let native = replay_native_kind(policy, capacity, requests);
    let sandboxes = sandboxes(policy);
    if let Some((name, backend, code)) = sandboxes.get(row % sandboxes.len().max(1)) {
        let sandboxed = replay(*backend, code, capacity, requests);
        assert_eq!(
            sandboxed.stats, native.stats,
            "{policy} at {capacity}: {name} differs from native"
        );
        assert_eq!(
            sandboxed.hits, native.hits,
            "{policy} at {capacity}: {name} hits differ from native"
        );
    }
    native
}

#[test]
fn cloudphysics_hits_match_libcachesim() {
    let path = traces_dir().join("cloudPhysicsIO.oracleGeneral.bin.zst");
    let (sized, skipped) = read_all(&open(&path, None, false).unwrap()).unwrap();
    assert_eq!((sized.len(), skipped), (113_872, 0));
    let unit: Vec<Request> = sized
        .iter()
        .map(|request| Request::new(request.id, 1).next_at(request.next_access))
        .collect();
    // Every row through all backends is the suite's longest test: spread the
    // rows over the cores.
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let failures: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|worker| {
                let (sized, unit) = (&sized, &unit);
                scope.spawn(move || {
                    let mut failures = Vec::new();
                    for (row, &(policy, capacity, ignore_size, hits)) in
                        EXPECTED.iter().enumerate().skip(worker).step_by(threads)
                    {
                        let requests = if ignore_size { unit } else { sized };
                        let replay = replay_native_and_one_sandbox(policy, capacity, requests, row);
                        if replay.stats.hits != hits {
                            failures.push(format!(
                                "{policy} at {capacity} (ignore size: {ignore_size}): {} hits, libCacheSim {hits}",
                                replay.stats.hits
                            ));
                        }
                    }
                    failures
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().expect("a worker"))
            .collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A policy libCacheSim has is held to its counts: eight rows each.
#[test]
fn every_policy_libcachesim_has_has_its_rows() {
    for policy in PolicyKind::ALL {
        let rows = EXPECTED.iter().filter(|row| row.0 == policy).count();
        let wanted = if policy.libcachesim().is_some() { 8 } else { 0 };
        assert_eq!(rows, wanted, "{policy}: {rows} rows");
    }
}
