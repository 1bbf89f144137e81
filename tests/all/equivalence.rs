//! The central invariant: every backend of a policy reports the same hits
//! and `Stats` as native (every ABI, cached and uncached, on every runtime
//! and compiler built, and the Component Model on wasmtime), on random traces of a few thousand requests (long
//! enough to cross the Batch ABI's 4,096-request buffer) with ids over the
//! whole `u64` range, sizes from 1 to above the capacity, and repeats.

use proptest::prelude::*;
use wsim_policies::{PolicyKind, Request};

use wsim_backends::{Backend, LookupKind, Runs, Runtime};

use crate::support::{replay_agreed, replay_everywhere};

pub(crate) fn trace() -> impl Strategy<Value = (u64, Vec<Request>)> {
    (1u64..=1 << 20).prop_flat_map(|capacity| {
        let id = prop_oneof![
            4 => 0u64..512,
            1 => any::<u64>(),
        ];
        let size = prop_oneof![
            6 => 1..=capacity / 8 + 1,
            2 => 1..=capacity,
            1 => capacity..=capacity.saturating_mul(3),
            1 => Just(u64::MAX),
        ];
        let request = (id, size).prop_map(|(id, size)| Request::new(id, size));
        (
            Just(capacity),
            proptest::collection::vec(request, 1_000..6_000),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn every_backend_agrees_with_native((capacity, requests) in trace()) {
        for policy in PolicyKind::ALL {
            // replay_agreed asserts every backend's hits and stats equal native's.
            let replay = replay_agreed(policy, capacity, &requests);
            prop_assert_eq!(replay.stats.requests, requests.len() as u64);
        }
    }
}

/// The property above covers what it says: every backend of the registry
/// this build has, every core-module ABI with both lookups on every runtime
/// and compiler built, and the Component Model on its runtime.
#[test]
fn every_backend_of_the_registries_is_compared() {
    let requests: Vec<Request> = (0..100).map(|id| Request::new(id % 7, 1)).collect();
    let names: Vec<String> = replay_everywhere(PolicyKind::ALL[0], 4, &requests)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    let mut wanted = Vec::new();
    for backend in Backend::built() {
        match backend.runs() {
            Runs::Native => wanted.push(backend.name().to_owned()),
            Runs::Module => {
                for runtime in Runtime::built() {
                    for compiler in runtime.compilers().iter().filter(|c| c.is_built()) {
                        for lookup in LookupKind::ALL {
                            wanted.push(format!("{backend} {lookup} ({runtime} {compiler})"));
                        }
                    }
                }
            }
            Runs::Component => {
                wanted.extend(
                    Runtime::hosting_components().map(|host| format!("{backend} ({host})")),
                );
            }
        }
    }
    for name in &wanted {
        assert!(names.contains(name), "{name} missing from {names:?}");
    }
    assert_eq!(names.len(), wanted.len(), "{names:?}");
}
