//! CLOCK-Pro as libCacheSim runs it: a cache that fills its cold share and
//! then never changes.

use core::ops::Bound;

use crate::lists::{Lists, Queue};
use crate::s3fifo::share;
use crate::{EvictionPolicy, Held, ParamKind, Parameter, Params, Request, Victim};

/// **Not CLOCK-Pro.** libcachesim 0.3.5's `ClockPro` is broken: with the
/// parameters it accepts without hanging it never evicts anything, and
/// wsim matches it on purpose, so that the cross-check holds it to
/// libCacheSim. A real CLOCK-Pro is left for later.
///
/// Jiang, Chen and Zhang, "CLOCK-Pro: An Effective Improvement of the
/// CLOCK Replacement" (USENIX ATC 2005), is meant: hot and cold pages on
/// one clock with three hands, non-resident test pages, and an adaptive
/// cold share. libCacheSim's `ClockPro.c` admits every new object as cold
/// and only if `mem_cold + size <= mem_cold_max`, where
/// `mem_cold_max = (i64)(C * init-ratio-cold)` is at most `C`; so the
/// bytes held never exceed `C`, `cache_get_base` never calls `evict`, and
/// `evict` (the cold hand) is the only way into the hands, test pages,
/// promotion and the adaptation. What runs, exactly:
/// 1. a request for a cached object is a hit (it sets a referenced bit
///    nothing reads);
/// 2. a missed object is cached if its size fits in what is left of the
///    cold share `(u64)(C * init-ratio-cold)`, else refused;
/// 3. nothing is ever evicted: once the share is full, only smaller
///    objects that still fit get in (first fit, in request order);
///    `init-ref` changes nothing.
///
/// With `init-ratio-cold` above 1 libCacheSim does evict, then hangs: the
/// first promotion of a test page sets `mem_cold_max` to `C` and loops
/// moving the hot hand until `mem_hot + size <= C - mem_cold_max = 0`,
/// which never holds. So the parameter is limited to `[0, 1]`.
#[derive(Debug, Clone)]
pub struct ClockPro {
    /// Cached objects, oldest first; the order only matters to `evict`,
    /// which libCacheSim never reaches.
    lists: Lists<()>,
    cold: Queue,
    cold_max: u64,
}

const INIT_REF: Parameter = Parameter {
    name: "init-ref",
    kind: ParamKind::Integer,
    default: "0",
    about: "referenced bit of a new object (1) or not (0); no effect in libCacheSim's ClockPro",
    range: (Bound::Included(0.0), Bound::Included(1.0)),
};

const INIT_RATIO_COLD: Parameter = Parameter {
    name: "init-ratio-cold",
    kind: ParamKind::Float,
    default: "0.5",
    about: "share of the capacity (bytes) for cold objects; the cache fills it and stops",
    range: (Bound::Included(0.0), Bound::Included(1.0)),
};

impl EvictionPolicy for ClockPro {
    const NAME: &'static str = "clockpro";
    const LIBCACHESIM: &'static str = "ClockPro";
    const PARAMETERS: &'static [Parameter] = &[INIT_REF, INIT_RATIO_COLD];

    fn configure(capacity: u64, params: &Params) -> Self {
        Self {
            lists: Lists::default(),
            cold: Queue::default(),
            cold_max: share(capacity, params.float(&INIT_RATIO_COLD)),
        }
    }

    #[inline]
    fn hit(&mut self, request: &Request) -> bool {
        self.lists.find(request.id).is_some()
    }

    #[inline]
    fn admissible(&mut self, request: &Request) -> bool {
        request.size <= self.cold_max.saturating_sub(self.cold.bytes)
    }

    /// Unreachable (see the type's doc): admission keeps the bytes held
    /// within the cold share, itself within the capacity. Were it
    /// reached, the oldest object would go.
    fn evict(&mut self, _incoming: &Request) -> Option<Victim> {
        let entry = self.lists.take_oldest(&mut self.cold)?;
        Some(Victim {
            id: entry.id,
            size: entry.size,
        })
    }

    fn admit(&mut self, request: &Request) -> bool {
        self.lists
            .push(&mut self.cold, request.id, request.size, ());
        true
    }

    fn len(&self) -> usize {
        self.lists.len()
    }

    fn bytes(&self) -> u64 {
        self.cold.bytes
    }

    fn audit(&self) -> Result<Held, String> {
        let entries = self.lists.audit(&self.cold, "the cold objects")?;
        if entries.len() != self.lists.len() {
            return Err("objects are indexed but not on the clock".to_owned());
        }
        if self.cold.bytes > self.cold_max {
            return Err(format!(
                "{} bytes held, above the cold share of {}",
                self.cold.bytes, self.cold_max
            ));
        }
        Ok(Held {
            objects: entries.len() as u64,
            bytes: entries.iter().map(|entry| u128::from(entry.size)).sum(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{outcomes, unit};

    fn run(capacity: u64, params: &str, trace: &[(u64, u64)]) -> String {
        outcomes::<ClockPro>(capacity, params, trace)
    }

    #[test]
    fn the_first_objects_to_fill_the_cold_share_stay_forever() {
        // C = 4, cold share 2: 1 and 2 fill it; nothing else is ever
        // cached, however often requested. C = 7: share (i64)3.5 = 3.
        // Checked with libcachesim 0.3.5.
        let trace = unit(&[1, 2, 3, 4, 5, 3, 1, 2, 6, 7, 1, 2]);
        assert_eq!(run(4, "", &trace), "MMMMMMHHMMHH");
        assert_eq!(run(7, "", &unit(&[1, 2, 3, 4, 1, 2, 3, 4])), "MMMMHHHM");
        // The whole capacity as the share, still no eviction.
        let trace = unit(&[1, 2, 3, 4, 5, 1, 5]);
        assert_eq!(run(4, "init-ratio-cold=1.0", &trace), "MMMMMHM");
        assert_eq!(run(1, "init-ratio-cold=0", &unit(&[0, 0])), "MM");
    }

    #[test]
    fn a_smaller_object_fits_where_a_larger_one_did_not() {
        // C = 10, share 5: 1 (3 bytes) in; 2 (3) refused; 3 (2) in, which
        // fills it; 4 (1) refused. Checked with libcachesim 0.3.5.
        let trace = [(1, 3), (2, 3), (3, 2), (2, 3), (1, 3), (3, 2), (4, 1)];
        assert_eq!(run(10, "init-ref=1", &trace), "MMMMHHM");
        // A hit keeps the stored size.
        let trace = [(u64::MAX, 5), (u64::MAX, 9), (0, 1)];
        assert_eq!(run(10, "", &trace), "MHM");
    }

    #[test]
    fn a_cold_share_above_the_capacity_is_refused() {
        // libCacheSim hangs on it (see the type's doc).
        assert!(Params::parse("init-ratio-cold=1.5", ClockPro::PARAMETERS).is_err());
    }
}
