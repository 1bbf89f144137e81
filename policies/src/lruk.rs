//! LRU-K: evict the object whose K-th most recent request is oldest.

use std::collections::{BTreeSet, VecDeque};

use core::ops::Bound;

use rustc_hash::FxHashMap;

use crate::id_index::ChurnIndex;
use crate::lists::{Lists, Queue};
use crate::{EvictionPolicy, Held, ParamKind, Parameter, Params, Request, Victim};

/// Objects requested fewer than K times since they were cached leave
/// first, oldest cached first; then the one whose K-th most recent request
/// is the oldest (the largest backward K-distance).
///
/// O'Neil, O'Neil and Weikum, "The LRU-K Page Replacement Algorithm For
/// Database Disk Buffering" (SIGMOD 1993), without the paper's retained
/// history of evicted pages and correlated-reference period, as
/// libcachesim 0.3.5's `LRUK` runs it:
/// 1. time is the number of requests so far (hits, misses, and objects
///    too large to cache alike), the current one included;
/// 2. each cached object keeps the times of its last K requests, its
///    admission counting as the first; eviction forgets them;
/// 3. an admitted object joins the newest end of a FIFO queue (with
///    `k = 1`, the ordered set of step 4 directly); a hit that brings its
///    count to K moves it to that set, any other hit while in the FIFO
///    moves nothing;
/// 4. objects with K requests are ordered by `(time of their K-th most
///    recent request, id)`, re-keyed on every hit; two never share a time,
///    so the id never decides;
/// 5. to evict, take the FIFO's oldest object; only when the FIFO is empty,
///    the first of the ordered set.
///
/// With `k = 1` this is LRU.
#[derive(Debug, Clone)]
pub struct LruK {
    k: usize,
    /// Requests so far, this one included.
    now: u64,
    objects: FxHashMap<u64, Object>,
    /// Objects with fewer than K requests, in admission order.
    fifo_lists: Lists<(), ChurnIndex>,
    fifo: Queue,
    /// `(K-th most recent request, id)` of the others.
    ranked: BTreeSet<(u64, u64)>,
    bytes: u64,
}

#[derive(Debug, Clone)]
struct Object {
    size: u64,
    /// The times of its last (at most) K requests, oldest first.
    history: VecDeque<u64>,
    /// Whether it is in `ranked` (else in the FIFO).
    ranked: bool,
}

const K: Parameter = Parameter {
    name: "k",
    kind: ParamKind::Integer,
    default: "2",
    about: "requests remembered per object; its K-th most recent ranks it",
    // libCacheSim keeps K in a C `int`.
    range: (Bound::Included(1.0), Bound::Included(2_147_483_647.0)),
};

impl LruK {
    fn kth(object: &Object) -> u64 {
        object.history.front().copied().unwrap_or(0)
    }
}

impl EvictionPolicy for LruK {
    const NAME: &'static str = "lruk";
    const LIBCACHESIM: &'static str = "LRUK";
    const PARAMETERS: &'static [Parameter] = &[K];

    fn configure(_capacity: u64, params: &Params) -> Self {
        let k = usize::try_from(params.integer(&K).max(1)).unwrap_or(usize::MAX);
        Self {
            k,
            now: 0,
            objects: FxHashMap::default(),
            fifo_lists: Lists::default(),
            fifo: Queue::default(),
            ranked: BTreeSet::new(),
            bytes: 0,
        }
    }

    #[inline]
    fn hit(&mut self, request: &Request) -> bool {
        self.now += 1;
        let Some(object) = self.objects.get_mut(&request.id) else {
            return false;
        };
        let old_key = (Self::kth(object), request.id);
        object.history.push_back(self.now);
        if object.history.len() > self.k {
            object.history.pop_front();
        }
        let key = (Self::kth(object), request.id);
        if object.ranked {
            self.ranked.remove(&old_key);
            self.ranked.insert(key);
        } else if object.history.len() >= self.k {
            object.ranked = true;
            self.fifo_lists.take_id(&mut self.fifo, request.id);
            self.ranked.insert(key);
        }
        true
    }

    fn evict(&mut self, _incoming: &Request) -> Option<Victim> {
        let id = match self.fifo_lists.take_oldest(&mut self.fifo) {
            Some(entry) => entry.id,
            None => self.ranked.pop_first()?.1,
        };
        let object = self.objects.remove(&id)?;
        self.bytes -= object.size;
        Some(Victim {
            id,
            size: object.size,
        })
    }

    fn admit(&mut self, request: &Request) -> bool {
        let Request { id, size, .. } = *request;
        let ranked = self.k == 1;
        if ranked {
            self.ranked.insert((self.now, id));
        } else {
            self.fifo_lists.push(&mut self.fifo, id, size, ());
        }
        let history = VecDeque::from([self.now]);
        self.objects.insert(
            id,
            Object {
                size,
                history,
                ranked,
            },
        );
        self.bytes += size;
        true
    }

    fn len(&self) -> usize {
        self.objects.len()
    }

    fn bytes(&self) -> u64 {
        self.bytes
    }

    fn audit(&self) -> Result<Held, String> {
        let fifo = self.fifo_lists.audit(&self.fifo, "the FIFO")?;
        if fifo.len() != self.fifo_lists.len() {
            return Err("objects are indexed but not on the FIFO".to_owned());
        }
        for entry in &fifo {
            match self.objects.get(&entry.id) {
                Some(object) if !object.ranked && object.size == entry.size => {}
                _ => {
                    return Err(format!(
                        "object {} is on the FIFO but not held so",
                        entry.id
                    ));
                }
            }
        }
        for &(kth, id) in &self.ranked {
            match self.objects.get(&id) {
                Some(object) if object.ranked && Self::kth(object) == kth => {}
                _ => return Err(format!("object {id} is ranked at {kth} but not held so")),
            }
        }
        if fifo.len() + self.ranked.len() != self.objects.len() {
            return Err(format!(
                "{} objects held, {} on the FIFO and {} ranked",
                self.objects.len(),
                fifo.len(),
                self.ranked.len()
            ));
        }
        let mut bytes = 0u128;
        for object in self.objects.values() {
            let requests = object.history.len();
            let mut ordered = object.history.iter().zip(object.history.iter().skip(1));
            if requests == 0
                || requests > self.k
                || object.ranked != (requests >= self.k)
                || object.history.back().is_some_and(|&last| last > self.now)
                || ordered.any(|(earlier, later)| earlier >= later)
            {
                return Err(format!(
                    "an object has the history {:?} (k = {}, now {}, ranked {})",
                    object.history, self.k, self.now, object.ranked
                ));
            }
            bytes += u128::from(object.size);
        }
        if bytes != u128::from(self.bytes) {
            return Err(format!(
                "objects hold {bytes} bytes, counted {}",
                self.bytes
            ));
        }
        Ok(Held {
            objects: self.objects.len() as u64,
            bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{outcomes, unit};

    fn run(capacity: u64, params: &str, trace: &[(u64, u64)]) -> String {
        outcomes::<LruK>(capacity, params, trace)
    }

    #[test]
    fn objects_seen_fewer_than_k_times_leave_first() {
        // C = 3, k = 2: 1 hits at time 3 and is ranked by time 1; from
        // then on 2, 3, 4 and 5 go through the FIFO and evict each other
        // while 1 stays, although it is the least recently used.
        // Checked with libcachesim 0.3.5.
        let trace = unit(&[1, 2, 1, 3, 4, 2, 2, 5, 1, 3, 4, 1]);
        assert_eq!(run(3, "", &trace), "MMHMMMHMHMMH");
        // C = 2, k = 3: 1's second request leaves it where it was in the
        // FIFO, so 3 evicts it; 3's third request ranks it, and the FIFO
        // (2, then 1) keeps giving way to it. Checked with libcachesim.
        let trace = unit(&[1, 2, 1, 3, 1, 3, 3, 2, 3, 1]);
        assert_eq!(run(2, "k=3", &trace), "MMHMMHHMHM");
    }

    #[test]
    fn the_kth_most_recent_request_ranks_not_the_last() {
        // C = 2, k = 2: 1 at times 1, 2, 5 and 2 at times 3, 4. 3 evicts 1
        // (second most recent request at 2, before 2's at 3) although 1
        // was used last; LRU (k = 1) evicts 2 instead.
        // Checked with libcachesim 0.3.5.
        let trace = unit(&[1, 1, 2, 2, 1, 3, 1, 2]);
        assert_eq!(run(2, "", &trace), "MHMHHMMH");
        assert_eq!(run(2, "k=1", &trace), "MHMHHMHM");
        // A hit keeps the stored size; a refused object still takes time.
        let trace = [(1, 3), (1, 9), (2, 2), (3, 1), (4, 6), (2, 2)];
        assert_eq!(run(5, "", &trace), "MHMMMM");
        assert_eq!(run(1, "", &unit(&[0, u64::MAX, u64::MAX, 0])), "MMHM");
    }
}
