//! Which runs libCacheSim's LFUDA cannot finish, found by replaying its C
//! code step for step (`LFUDA.c` as libcachesim 0.3.5 builds it), apart
//! from wsim's own LFUDA: a bug in wsim must not hide itself by excluding
//! the runs it gets wrong.

use std::collections::{BTreeMap, HashMap};

use wsim_policies::Request;

/// Steps of LFUDA's linear search for the next minimum frequency (one
/// hash-table lookup each) past which a run is not waited for: the runs
/// that pass it on the cross-check's traces take minutes to hours.
const SEARCH_LIMIT: u64 = 20_000_000;

/// LFUDA's state as its C code keeps it.
#[derive(Default)]
struct Lfuda {
    /// Every frequency list ever made (they are never freed), each its
    /// objects by when they joined: `(order, id)`.
    lists: BTreeMap<i64, BTreeMap<u64, u64>>,
    /// Cached objects: `(frequency, order in its list, size)`.
    objects: HashMap<u64, (i64, u64, u64)>,
    min_freq: i64,
    max_freq: i64,
    occupied: u64,
    joined: u64,
    search_steps: u64,
}

impl Lfuda {
    fn join(&mut self, id: u64, freq: i64, size: u64) {
        self.joined += 1;
        self.lists.entry(freq).or_default().insert(self.joined, id);
        self.objects.insert(id, (freq, self.joined, size));
    }

    /// `update_min_freq`: walks `min_freq + 1 ..= max_freq` for a
    /// non-empty list, counting the steps it walks.
    fn update_min_freq(&mut self) {
        if self.max_freq <= self.min_freq {
            return;
        }
        let found = self
            .lists
            .range(self.min_freq + 1..=self.max_freq)
            .find(|(_, list)| !list.is_empty())
            .map(|(&freq, _)| freq);
        let walked = found.unwrap_or(self.max_freq) - self.min_freq;
        self.search_steps = self.search_steps.saturating_add(walked.unsigned_abs());
        if let Some(freq) = found {
            self.min_freq = freq;
        }
    }

    /// `LFUDA_find`, on a hit.
    fn hit(&mut self, id: u64) {
        let (old, order, size) = self.objects[&id];
        let new = old.saturating_add(self.min_freq);
        self.max_freq = self.max_freq.max(new);
        let list = self.lists.get_mut(&old).expect("an object's list exists");
        list.remove(&order);
        if self.min_freq == old && list.is_empty() {
            self.update_min_freq();
        }
        self.join(id, new, size);
    }

    /// `LFUDA_evict`; `false` where the C code dereferences NULL.
    fn evict(&mut self) -> bool {
        let freq = self.min_freq.max(1);
        let Some(list) = self.lists.get_mut(&freq) else {
            return false;
        };
        let Some((_, id)) = list.pop_first() else {
            return false;
        };
        let emptied = list.is_empty();
        let (_, _, size) = self.objects.remove(&id).expect("a listed object is cached");
        self.occupied -= size;
        self.min_freq = freq;
        if emptied {
            self.update_min_freq();
        }
        true
    }

    /// `LFUDA_insert`: `max_freq` rises only with a new list.
    fn insert(&mut self, id: u64, size: u64) {
        let freq = self.min_freq.saturating_add(1);
        if !self.lists.contains_key(&freq) {
            self.max_freq = self.max_freq.max(freq);
        }
        self.occupied += size;
        self.join(id, freq, size);
    }
}

/// Why libCacheSim's `LFUDA` cannot serve `requests` in a cache of
/// `capacity` bytes: it crashes (an eviction finds the list of the minimum
/// frequency empty, and reads its first object through NULL), or its
/// search for the minimum frequency crawls. `None` when it serves them.
pub(crate) fn fails(capacity: u64, requests: &[Request]) -> Option<String> {
    let mut cache = Lfuda::default();
    cache.lists.insert(1, BTreeMap::new());
    for (index, request) in requests.iter().enumerate() {
        // `cache_get_base`.
        if cache.objects.contains_key(&request.id) {
            cache.hit(request.id);
        } else if request.size <= capacity {
            while cache.occupied + request.size > capacity {
                if !cache.evict() {
                    return Some(format!(
                        "crashes at request {index}: the min-frequency list is empty"
                    ));
                }
            }
            cache.insert(request.id, request.size);
        }
        if cache.search_steps > SEARCH_LIMIT {
            return Some(format!(
                "crawls: by request {index} its min-frequency search took {} steps",
                cache.search_steps
            ));
        }
    }
    None
}
