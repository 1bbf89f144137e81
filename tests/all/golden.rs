//! Hand-checked traces: every request's hit or miss, worked out on paper
//! from DESIGN.md's contract, with the final counters.

use wsim_policies::{PolicyKind, Request};

use crate::support::{pattern, replay_agreed};

use PolicyKind::{Clock, Fifo, GdSize, Lfu, Lru};

struct Case {
    name: &'static str,
    /// The policies it holds; the contract's own cases hold every policy
    /// (`PolicyKind::ALL`), so a new policy is held to them at once.
    policies: &'static [PolicyKind],
    capacity: u64,
    /// `(id, size)` per request.
    requests: &'static [(u64, u64)],
    /// `H` or `M` per request.
    outcome: &'static str,
    evictions: u64,
    objects: u64,
    bytes_held: u64,
}

/// Unit-size requests for `ids`.
macro_rules! unit {
    ($($id:expr),* $(,)?) => { &[$(($id, 1)),*] };
}

const CASES: &[Case] = &[
    Case {
        name: "fifo evicts the oldest admitted",
        policies: &[Fifo],
        capacity: 3,
        requests: unit![1, 2, 3, 1, 4, 1, 2],
        // 4 evicts 1 although 1 was just hit; then 1 evicts 2, 2 evicts 3.
        outcome: "MMMHMMM",
        evictions: 3,
        objects: 3,
        bytes_held: 3,
    },
    Case {
        name: "fifo ignores hits, lru does not",
        policies: &[Fifo],
        capacity: 2,
        requests: unit![1, 2, 1, 3, 1],
        outcome: "MMHMM",
        evictions: 2,
        objects: 2,
        bytes_held: 2,
    },
    Case {
        name: "lru evicts the least recently requested",
        policies: &[Lru],
        capacity: 2,
        requests: unit![1, 2, 1, 3, 1],
        // 3 evicts 2, the least recent after 1's hit.
        outcome: "MMHMH",
        evictions: 1,
        objects: 2,
        bytes_held: 2,
    },
    Case {
        name: "lru over a longer trace",
        policies: &[Lru],
        capacity: 3,
        requests: unit![1, 2, 3, 1, 4, 1, 2],
        // 4 evicts 2; 2 evicts 3.
        outcome: "MMMHMHM",
        evictions: 2,
        objects: 3,
        bytes_held: 3,
    },
    Case {
        name: "lfu evicts the fewest requests",
        policies: &[Lfu],
        capacity: 3,
        requests: unit![1, 1, 2, 3, 4, 2, 1, 3],
        // Counts 1:2 2:1 3:1; 4 evicts 2 (reached 1 before 3), the second 2
        // evicts 3, the last 3 evicts 4.
        outcome: "MHMMMMHM",
        evictions: 3,
        objects: 3,
        bytes_held: 3,
    },
    Case {
        name: "lfu ties go to the one that reached its count first",
        policies: &[Lfu],
        capacity: 2,
        requests: unit![1, 2, 2, 1, 3, 1, 2],
        // 1 and 2 both reach count 2, 2 first: 3 evicts 2, though 1 is older.
        outcome: "MMHHMHM",
        evictions: 2,
        objects: 2,
        bytes_held: 2,
    },
    Case {
        name: "lfu counts restart after eviction",
        policies: &[Lfu],
        capacity: 2,
        requests: unit![1, 1, 1, 2, 3, 2, 3, 4],
        // 3 evicts 2 (count 1 against 1's 3); 2 comes back at count 1 and
        // evicts 3; 3 evicts 2; 4 evicts 3.
        outcome: "MHHMMMMM",
        evictions: 4,
        objects: 2,
        bytes_held: 2,
    },
    Case {
        name: "gdsize ties in H go to the H set first",
        policies: &[GdSize],
        capacity: 2,
        requests: unit![1, 2, 3, 2, 1],
        // All H = L + 1. 3 evicts 1 (H 1, set first), L = 1, H(3) = 2; the
        // hit sets H(2) = 2 after H(3); 1 then evicts 3.
        outcome: "MMMHM",
        evictions: 2,
        objects: 2,
        bytes_held: 2,
    },
    Case {
        name: "gdsize prefers small objects and inflates L",
        policies: &[GdSize],
        capacity: 10,
        requests: &[(1, 2), (2, 5), (3, 4), (4, 5), (1, 2)],
        // H: 1 -> 0.5, 2 -> 0.2. 3 evicts 2 (L = 0.2), H(3) = 0.45. 4 evicts
        // 3 (0.45 < 0.5; L = 0.45), H(4) = 0.65. 1 is still cached.
        outcome: "MMMMH",
        evictions: 2,
        objects: 2,
        bytes_held: 7,
    },
    Case {
        name: "gdsize inflation ages out a small object nobody requests",
        policies: &[GdSize],
        capacity: 5,
        requests: &[(1, 1), (2, 4), (3, 4), (4, 4), (5, 4), (6, 4), (1, 1)],
        // H(1) = 1 while each 4-byte object evicts the last and lifts L by
        // 0.25: 0.25, 0.5, 0.75. Then H(5) = 1.0 ties H(1); 6 evicts 1 (set
        // first) and 5. Without L, object 1 would stay forever and hit.
        outcome: "MMMMMMM",
        evictions: 5,
        objects: 2,
        bytes_held: 5,
    },
    Case {
        name: "clock gives a requested object a second chance",
        policies: &[Clock],
        capacity: 3,
        requests: unit![1, 1, 2, 3, 4, 5, 1],
        // 1's bit is set by its hit. 4: 1 is oldest but referenced, so its
        // bit clears and it goes to the newest end; 2 is evicted. 5 evicts
        // 3; 1 survived both and hits. (FIFO and LRU evict 1 for 4.)
        outcome: "MHMMMMH",
        evictions: 2,
        objects: 3,
        bytes_held: 3,
    },
    Case {
        name: "clock clears every bit in a full turn, then evicts the oldest",
        policies: &[Clock],
        capacity: 2,
        requests: unit![1, 2, 1, 2, 3, 1],
        // Both bits set. 3: 1 is cleared and moved, then 2, then 1 is the
        // oldest with a clear bit and goes; 2 stays (cleared). 1 then evicts
        // 2, the oldest, whose bit the turn cleared.
        outcome: "MMHHMM",
        evictions: 2,
        objects: 2,
        bytes_held: 2,
    },
    Case {
        name: "clock evicts past a second chance until the object fits",
        policies: &[Clock],
        capacity: 10,
        requests: &[(1, 6), (2, 4), (1, 6), (3, 5)],
        // 3 needs 5 bytes: 1 (referenced) is cleared and moved, 2 is
        // evicted (4 free), then 1, now unreferenced, is evicted too.
        outcome: "MMHM",
        evictions: 2,
        objects: 1,
        bytes_held: 5,
    },
    Case {
        name: "an object larger than the cache is never admitted and evicts nothing",
        policies: &PolicyKind::ALL,
        capacity: 10,
        requests: &[(1, 5), (2, 11), (1, 5), (2, 11), (3, 10)],
        // The last request fills the cache exactly, evicting 1.
        outcome: "MMHMM",
        evictions: 1,
        objects: 1,
        bytes_held: 10,
    },
    Case {
        name: "a hit counts whatever its size says and keeps the stored size",
        policies: &[Lru],
        capacity: 10,
        requests: &[(1, 5), (1, 100), (2, 5), (1, 3), (3, 5)],
        // 1 stays 5 bytes, so 2 fits beside it; 3 evicts 2, the least recent.
        outcome: "MHMHM",
        evictions: 1,
        objects: 2,
        bytes_held: 10,
    },
    Case {
        name: "ids above 2^32 stay distinct",
        policies: &PolicyKind::ALL,
        capacity: 2,
        requests: unit![0, 1 << 32, 0, 1 << 32, u64::MAX, u64::MAX],
        outcome: "MMHHMH",
        evictions: 1,
        objects: 2,
        bytes_held: 2,
    },
    Case {
        name: "sizes around u32::MAX are not truncated",
        policies: &[Fifo],
        capacity: 1 << 32,
        requests: &[
            (1, u32::MAX as u64),
            (2, 1),
            (4, (1 << 32) + 5),
            (1, 1),
            (3, 2),
            (4, 1),
            (1, 7),
        ],
        // 1 and 2 fill the cache exactly; 4 is too large (5 if truncated);
        // 3 evicts 1; 4 and 1 then fit.
        outcome: "MMMHMMM",
        evictions: 1,
        objects: 4,
        bytes_held: 11,
    },
    Case {
        name: "sizes near u64::MAX do not overflow",
        policies: &[Fifo, Lru, Lfu, GdSize, Clock],
        capacity: u64::MAX,
        requests: &[(1, u64::MAX - 1), (2, 1), (3, 1), (2, u64::MAX)],
        // 1 and 2 fill the cache exactly; 3 evicts 1 under every policy.
        outcome: "MMMH",
        evictions: 1,
        objects: 2,
        bytes_held: 2,
    },
];

/// The hand-checked traces that cover `policy`: capacity and requests.
pub(crate) fn traces_of(policy: PolicyKind) -> Vec<(u64, Vec<Request>)> {
    CASES
        .iter()
        .filter(|case| case.policies.contains(&policy))
        .map(|case| {
            let requests = case
                .requests
                .iter()
                .map(|&(id, size)| Request::new(id, size))
                .collect();
            (case.capacity, requests)
        })
        .collect()
}

#[test]
fn hand_checked_traces() {
    for case in CASES {
        let requests: Vec<Request> = case
            .requests
            .iter()
            .map(|&(id, size)| Request::new(id, size))
            .collect();
        let expected = pattern(case.outcome);
        assert_eq!(
            expected.len(),
            requests.len(),
            "{}: pattern length",
            case.name
        );
        for &policy in case.policies {
            let replay = replay_agreed(policy, case.capacity, &requests);
            let context = format!("{} ({policy})", case.name);
            assert_eq!(replay.hits, expected, "{context}: hits");
            let stats = replay.stats;
            assert_eq!(stats.requests, requests.len() as u64, "{context}");
            assert_eq!(
                stats.hits,
                expected.iter().filter(|hit| **hit).count() as u64,
                "{context}"
            );
            assert_eq!(stats.evictions, case.evictions, "{context}: evictions");
            assert_eq!(stats.objects, case.objects, "{context}: objects held");
            assert_eq!(stats.bytes_held, case.bytes_held, "{context}: bytes held");
            let requested: u128 = requests.iter().map(|r| u128::from(r.size)).sum();
            let hit: u128 = requests
                .iter()
                .zip(&expected)
                .filter(|(_, hit)| **hit)
                .map(|(r, _)| u128::from(r.size))
                .sum();
            assert_eq!(
                stats.bytes_requested, requested,
                "{context}: bytes requested"
            );
            assert_eq!(stats.bytes_hit, hit, "{context}: bytes hit");
        }
    }
}

#[test]
fn every_policy_has_a_hand_checked_eviction_order() {
    for policy in PolicyKind::ALL {
        let own = CASES
            .iter()
            .filter(|case| case.policies == [policy] && case.evictions > 0)
            .count();
        assert!(
            own >= 2,
            "{policy} needs its own hand-checked cases, has {own}"
        );
    }
}
