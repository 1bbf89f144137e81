//! Hit counts that libCacheSim reports on its CloudPhysics sample trace
//! (113,872 requests; see `traces/samples/README.md`): from its `cachesim`, and from
//! the `libcachesim` package on PyPI (0.3.5, libCacheSim's own C code) as
//! `requests x (1 - miss ratio)`. Every policy with rows here must
//! reproduce them exactly.

use wsim_policies::{PolicyKind, Request};

use crate::support::{open, read_all, replay_agreed, traces_dir};

use PolicyKind::{Clock, Fifo, Lfu, Lru};

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
];

#[test]
fn cloudphysics_hits_match_libcachesim() {
    let path = traces_dir().join("cloudPhysicsIO.oracleGeneral.bin.zst");
    let (sized, skipped) = read_all(&open(&path, None, false).unwrap()).unwrap();
    assert_eq!((sized.len(), skipped), (113_872, 0));
    let unit: Vec<Request> = sized
        .iter()
        .map(|request| Request::new(request.id, 1))
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
                    for &(policy, capacity, ignore_size, hits) in EXPECTED.iter().skip(worker).step_by(threads) {
                        let requests = if ignore_size { unit } else { sized };
                        let replay = replay_agreed(policy, capacity, requests);
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
