//! LFUDA: LFU with dynamic aging, as libCacheSim's frequency buckets run it.

use core::ops::Bound;
use std::collections::BTreeMap;

use crate::id_index::ChurnIndex;
use crate::lists::{Lists, Queue};
use crate::{EvictionPolicy, Held, Params, Request, Victim};

/// LFU whose counts start at an age that rises with each eviction, so
/// objects once popular but no longer requested age out.
///
/// Arlitt, Cherkasova, Dilley, Friedrich and Jin, "Evaluating Content
/// Management Techniques for Web Proxy Caches" (ACM SIGMETRICS Performance
/// Evaluation Review, 2000), as libcachesim 0.3.5's `LFUDA` runs it, which
/// is not the paper's rule but a structure of FIFO lists, one per
/// frequency, and a `min_freq` that doubles as the age:
/// 1. a missed object is appended to the list of `min_freq + 1`;
/// 2. a hit adds `min_freq` (not 1) to the object's frequency: until the
///    first eviction `min_freq` is 0, so the object only moves to the end
///    of its list; it is taken off its old list, and if that was the
///    `min_freq` list and is now empty, `min_freq` becomes the smallest
///    frequency above it with a non-empty list (unchanged if none) before
///    the object is appended to its new list; so an object can end up below
///    `min_freq`, where no eviction looks until a hit moves it again;
/// 3. to evict, take the oldest object of the list of `min_freq` (of 1
///    while `min_freq` is 0), set `min_freq` to that list's frequency, and
///    if the list empties, raise `min_freq` as in 2.
///
/// Ties go to the object that joined its list first. Frequencies are
/// integers; nothing is random.
///
/// Where wsim differs: libCacheSim crashes (a NULL dereference) when step 3
/// finds the `min_freq` list empty, which happens whenever evictions empty
/// every list above `min_freq` (a cache of one object on its third miss, a
/// large object flushing the cache). wsim then evicts the oldest object of
/// the lowest non-empty list and sets `min_freq` to its frequency. Where
/// libCacheSim crawls (its step-2 search walks every integer up to the
/// largest frequency, and frequencies grow geometrically in small caches),
/// wsim finds the same frequency in an ordered map. Frequencies saturate at
/// `u64::MAX` instead of overflowing. The cross-check replays
/// libCacheSim's steps to leave out the runs where it crashes or crawls.
#[derive(Debug, Clone)]
pub struct Lfuda {
    /// Each object's frequency rides on its entry.
    lists: Lists<u64, ChurnIndex>,
    /// The non-empty lists by frequency. libCacheSim keeps empty ones too,
    /// but an empty list changes no decision.
    lists_by_frequency: BTreeMap<u64, Queue>,
    min_freq: u64,
    bytes: u64,
}

impl Lfuda {
    /// Takes `node`, of frequency `freq`, off its list, dropping the list
    /// if it empties.
    fn unlink(&mut self, node: u32, freq: u64) {
        if let Some(queue) = self.lists_by_frequency.get_mut(&freq) {
            self.lists.unlink(queue, node);
            if queue.is_empty() {
                self.lists_by_frequency.remove(&freq);
            }
        }
    }

    /// Appends `node` to the list of `freq`.
    fn link(&mut self, node: u32, freq: u64) {
        *self.lists.meta_mut(node) = freq;
        let queue = self.lists_by_frequency.entry(freq).or_default();
        self.lists.link(queue, node);
    }

    /// libCacheSim's `update_min_freq`: the smallest frequency above
    /// `min_freq` with a non-empty list, if any. It walks up to its
    /// `max_freq`, the largest frequency yet, and no list is above that.
    fn raise_min_freq(&mut self) {
        let above = (Bound::Excluded(self.min_freq), Bound::Unbounded);
        if let Some((&freq, _)) = self.lists_by_frequency.range(above).next() {
            self.min_freq = freq;
        }
    }
}

impl EvictionPolicy for Lfuda {
    const NAME: &'static str = "lfuda";
    const LIBCACHESIM: &'static str = "LFUDA";

    fn configure(_capacity: u64, _params: &Params) -> Self {
        Self {
            lists: Lists::default(),
            lists_by_frequency: BTreeMap::new(),
            min_freq: 0,
            bytes: 0,
        }
    }

    #[inline]
    fn hit(&mut self, request: &Request) -> bool {
        let Some(node) = self.lists.find(request.id) else {
            return false;
        };
        let old = self.lists.entry(node).meta;
        let new = old.saturating_add(self.min_freq);
        self.unlink(node, old);
        if self.min_freq == old && !self.lists_by_frequency.contains_key(&old) {
            self.raise_min_freq();
        }
        self.link(node, new);
        true
    }

    fn evict(&mut self, _incoming: &Request) -> Option<Victim> {
        let mut freq = self.min_freq.max(1);
        if !self.lists_by_frequency.contains_key(&freq) {
            // libCacheSim's crash: wsim takes the lowest list instead.
            freq = *self.lists_by_frequency.keys().next()?;
        }
        let queue = self.lists_by_frequency.get_mut(&freq)?;
        let entry = self.lists.take_oldest(queue)?;
        let emptied = queue.is_empty();
        if emptied {
            self.lists_by_frequency.remove(&freq);
        }
        self.bytes -= entry.size;
        self.min_freq = freq;
        if emptied {
            self.raise_min_freq();
        }
        Some(Victim {
            id: entry.id,
            size: entry.size,
        })
    }

    fn admit(&mut self, request: &Request) -> bool {
        let freq = self.min_freq.saturating_add(1);
        let queue = self.lists_by_frequency.entry(freq).or_default();
        self.lists.push(queue, request.id, request.size, freq);
        self.bytes += request.size;
        true
    }

    fn len(&self) -> usize {
        self.lists.len()
    }

    fn bytes(&self) -> u64 {
        self.bytes
    }

    fn audit(&self) -> Result<Held, String> {
        let mut objects = 0usize;
        let mut bytes = 0u128;
        for (&freq, queue) in &self.lists_by_frequency {
            let name = format!("the list of frequency {freq}");
            let entries = self.lists.audit(queue, &name)?;
            if entries.is_empty() {
                return Err(format!("{name} is empty but kept"));
            }
            if let Some(entry) = entries.iter().find(|entry| entry.meta != freq) {
                return Err(format!(
                    "object {} of frequency {} is on {name}",
                    entry.id, entry.meta
                ));
            }
            if freq == 0 {
                return Err(format!("{name} is below 1"));
            }
            objects += entries.len();
            bytes += u128::from(queue.bytes);
        }
        if objects != self.lists.len() {
            return Err(format!(
                "{} objects indexed, {objects} listed",
                self.lists.len()
            ));
        }
        if bytes != u128::from(self.bytes) {
            return Err(format!(
                "the lists hold {bytes} bytes, the count says {}",
                self.bytes
            ));
        }
        Ok(Held {
            objects: objects as u64,
            bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{outcomes, unit};

    fn run(capacity: u64, trace: &[(u64, u64)]) -> String {
        outcomes::<Lfuda>(capacity, "", trace)
    }

    #[test]
    fn a_hit_adds_min_freq_and_evictions_age_the_cache() {
        // C = 3 (the spec's worked example): 1 hits while min_freq is 0, so
        // it just moves behind 2 and 3; 4 evicts 2 (min_freq 1) and enters
        // at 2; 1 hits to 1 + 1 = 2; 2 evicts 3, the list of 1 empties and
        // min_freq is 2; 2 enters at 3; 5 evicts 4 (the oldest at 2); 3
        // evicts 1 and enters at 4; 1 evicts 2. Checked with libcachesim
        // 0.3.5.
        let trace = unit(&[1, 2, 3, 1, 4, 1, 2, 5, 3, 1]);
        assert_eq!(run(3, &trace), "MMMHMHMMMM");
    }

    #[test]
    fn an_object_left_below_min_freq_is_passed_over() {
        // C = 2: 2 and 3 fill the list of 1; 4 evicts 2 (min_freq 1) and
        // enters at 2; 4 hits: 2 + 1 = 3; 3 hits: 1 + 1 = 2, but the list
        // of 1 empties first and min_freq rises to 3 (4's), leaving 3 below
        // it; 5 evicts 4, the oldest at 3, though 3's frequency is lower;
        // so 3 hits once more. Checked with libcachesim 0.3.5.
        let trace = unit(&[2, 3, 4, 4, 3, 5, 3]);
        assert_eq!(run(2, &trace), "MMMHHMH");
        // And a hit at 0 + 0 just moves an object behind the others: 1
        // goes behind 2, so 3 evicts 2. Checked with libcachesim 0.3.5.
        assert_eq!(run(2, &unit(&[1, 2, 1, 3, 1, 2])), "MMHMHM");
    }

    #[test]
    fn where_libcachesim_crashes_the_lowest_list_goes() {
        // C = 1: 2 evicts 1, the list of 1 empties with none above it, so
        // min_freq stays 1 and 2 enters at 2; 3 finds the list of 1 empty,
        // where libCacheSim crashes; wsim evicts 2, from the lowest list,
        // and 3 enters at 3; 3 hits (3 + 2 = 5); 0 and u64::MAX each evict
        // the one object the same way.
        let trace = unit(&[1, 2, 3, 3, 0, u64::MAX]);
        assert_eq!(run(1, &trace), "MMMHMM");
        // A large object flushes the cache: 3 evicts 1 and 2 and enters at
        // 2; 4 evicts it (wsim's way), enters at 3 with 5; 4 hits.
        let trace = [(1, 3), (2, 3), (3, 10), (4, 1), (5, 1), (4, 1)];
        assert_eq!(run(10, &trace), "MMMMMH");
    }
}
