//! 2Q: a FIFO for first-timers, an LRU for objects that come back, and a
//! ghost queue between them.

use core::ops::Bound;

use crate::id_index::ChurnIndex;
use crate::lists::{Entry, Ghosts, Lists, Queue};
use crate::s3fifo::share;
use crate::{EvictionLog, EvictionPolicy, Held, ParamKind, Parameter, Params, Request, Victim};

/// New objects enter a FIFO (Ain); those it evicts are remembered in a
/// ghost FIFO (Aout), and only an object requested again while remembered
/// enters the LRU (Am) that holds the rest of the cache.
///
/// Johnson and Shasha, "2Q: A Low Overhead High Performance Buffer
/// Management Replacement Algorithm" (VLDB 1994), the full version, as
/// libcachesim 0.3.5's `TwoQ` runs it (Ain gets `Ain-size-ratio` of the
/// capacity, Am the rest, Aout `Aout-size-ratio` of it, all in bytes,
/// each share truncated):
/// 1. a hit in Ain changes nothing (a FIFO: a second request while in Ain
///    does not promote); any other request first drops its id from Aout
///    if there, then a hit in Am moves it to Am's most recent end;
/// 2. a missed object larger than Ain's share is refused (even one whose
///    Aout entry was just dropped);
/// 3. to evict, while Ain holds more than its share its oldest object
///    leaves for Aout (which forgets its oldest entries to make room, and
///    keeps nothing larger than itself), else Am's least recent object
///    leaves, remembered nowhere;
/// 4. a missed object whose Aout entry was dropped by this request enters
///    Am as a request to an LRU cache of Am's share would: refused if
///    larger than the share, else Am's least recent objects leave until it
///    fits, even when the cache as a whole has room; any other enters Ain,
///    whose share is not enforced here, so Ain may fill the whole cache
///    before the first eviction.
///
/// Where libCacheSim would take from an empty Am in step 3 (it reads a
/// null pointer; only reachable with `Ain-size-ratio` above 0.5), wsim
/// takes Ain's oldest instead, as if Ain were over its share.
#[derive(Debug, Clone)]
pub struct TwoQ {
    /// Whether each cached object is in Am (else in Ain).
    lists: Lists<bool, ChurnIndex>,
    ain: Queue,
    am: Queue,
    aout: Ghosts<()>,
    ain_capacity: u64,
    am_capacity: u64,
    /// Whether this request's id was just dropped from Aout.
    ghost_hit: bool,
    /// Objects Am evicted for a ghost hit, for reports.
    log: EvictionLog,
}

const AIN_SIZE_RATIO: Parameter = Parameter {
    name: "Ain-size-ratio",
    kind: ParamKind::Float,
    default: "0.25",
    about: "share of the capacity (bytes) for the Ain FIFO of new objects",
    range: (Bound::Excluded(0.0), Bound::Included(1.0)),
};

const AOUT_SIZE_RATIO: Parameter = Parameter {
    name: "Aout-size-ratio",
    kind: ParamKind::Float,
    default: "0.5",
    about: "size of the Aout ghost queue, as a share of the capacity (bytes)",
    range: (Bound::Included(0.0), Bound::Unbounded),
};

fn victim(entry: &Entry<bool>) -> Victim {
    Victim {
        id: entry.id,
        size: entry.size,
    }
}

impl TwoQ {
    /// Ain's oldest leaves the cache for Aout.
    fn evict_ain(&mut self) -> Option<Victim> {
        let entry = self.lists.take_oldest(&mut self.ain)?;
        self.aout.remember(entry.id, entry.size, ());
        Some(victim(&entry))
    }
}

impl EvictionPolicy for TwoQ {
    const NAME: &'static str = "twoq";
    const LIBCACHESIM: &'static str = "TwoQ";
    const PARAMETERS: &'static [Parameter] = &[AIN_SIZE_RATIO, AOUT_SIZE_RATIO];

    fn configure(capacity: u64, params: &Params) -> Self {
        let ain_capacity = share(capacity, params.float(&AIN_SIZE_RATIO)).min(capacity);
        Self {
            lists: Lists::default(),
            ain: Queue::default(),
            am: Queue::default(),
            aout: Ghosts::new(share(capacity, params.float(&AOUT_SIZE_RATIO))),
            ain_capacity,
            am_capacity: capacity - ain_capacity,
            ghost_hit: false,
            log: EvictionLog::default(),
        }
    }

    #[inline]
    fn hit(&mut self, request: &Request) -> bool {
        self.ghost_hit = false;
        let found = self.lists.find(request.id);
        if let Some(node) = found
            && !self.lists.entry(node).meta
        {
            return true;
        }
        self.ghost_hit = self.aout.forget(request.id).is_some();
        if let Some(node) = found {
            self.lists.refresh(&mut self.am, node);
            return true;
        }
        false
    }

    #[inline]
    fn admissible(&mut self, request: &Request) -> bool {
        request.size <= self.ain_capacity
    }

    fn evict(&mut self, _incoming: &Request) -> Option<Victim> {
        if self.ain.bytes > self.ain_capacity {
            return self.evict_ain();
        }
        match self.lists.take_oldest(&mut self.am) {
            Some(entry) => Some(victim(&entry)),
            // libCacheSim dereferences null here; see the type's docs.
            None => self.evict_ain(),
        }
    }

    fn admit(&mut self, request: &Request) -> bool {
        if !core::mem::take(&mut self.ghost_hit) {
            self.lists
                .push(&mut self.ain, request.id, request.size, false);
            return true;
        }
        // Am is a cache of its own, with its own capacity check and
        // evictions: a ghost hit can push out Am's least recent object
        // even when the whole cache has room.
        if request.size > self.am_capacity {
            return false;
        }
        while self.am_capacity - self.am.bytes < request.size {
            let Some(entry) = self.lists.take_oldest(&mut self.am) else {
                break;
            };
            self.log.record(entry.id);
        }
        self.lists
            .push(&mut self.am, request.id, request.size, true);
        true
    }

    fn len(&self) -> usize {
        self.lists.len()
    }

    fn bytes(&self) -> u64 {
        self.ain.bytes + self.am.bytes
    }

    fn evicted_elsewhere(&mut self) -> Option<&mut EvictionLog> {
        Some(&mut self.log)
    }

    fn audit(&self) -> Result<Held, String> {
        let ain = self.lists.audit(&self.ain, "Ain")?;
        let am = self.lists.audit(&self.am, "Am")?;
        if let Some(entry) = ain.iter().find(|entry| entry.meta) {
            return Err(format!("object {} is in Ain, marked Am", entry.id));
        }
        if let Some(entry) = am.iter().find(|entry| !entry.meta) {
            return Err(format!("object {} is in Am, marked Ain", entry.id));
        }
        if ain.len() + am.len() != self.lists.len() {
            return Err("objects are indexed but on no queue".to_owned());
        }
        if self.am.bytes > self.am_capacity {
            return Err(format!(
                "Am holds {} bytes, above its share of {}",
                self.am.bytes, self.am_capacity
            ));
        }
        let remembered = self.aout.audit("Aout")?;
        if let Some(entry) = remembered
            .iter()
            .find(|entry| self.lists.find(entry.id).is_some())
        {
            return Err(format!("object {} is cached and in Aout", entry.id));
        }
        Ok(Held {
            objects: self.lists.len() as u64,
            bytes: u128::from(self.bytes()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{outcomes, unit};

    fn run(capacity: u64, params: &str, trace: &[(u64, u64)]) -> String {
        outcomes::<TwoQ>(capacity, params, trace)
    }

    #[test]
    fn only_a_return_from_the_ghost_queue_reaches_am() {
        // C = 4: Ain 1, Aout 2, Am 3. 1..4 fill Ain past its share; 5
        // sends 1 to Aout; 1 comes back (miss) into Am, sending 2 to Aout;
        // 6 sends 3 out; 2 comes back into Am (4 to Aout); 2 then hits in
        // Am, 7 sends 5 out (Aout drops 3), and 2 hits again.
        // Checked with libcachesim 0.3.5.
        let trace = unit(&[1, 2, 3, 4, 5, 1, 6, 2, 2, 7, 2]);
        assert_eq!(run(4, "", &trace), "MMMMMMMMHMH");
        // A hit in Ain changes nothing: 1 stays the oldest and leaves.
        let trace = unit(&[1, 2, 1, 3, 4, 5, 1]);
        assert_eq!(run(4, "", &trace), "MMHMMMM");
    }

    #[test]
    fn a_ghost_hit_evicts_within_am_even_with_room_left() {
        // C = 100: Ain 25, Aout 50, Am 75; sizes 20. 1, 2, 3 and 4 return
        // from Aout into Am; the fourth finds Am at 60 bytes and drops 1,
        // although the cache holds only 80, so the last request misses.
        // Checked with libcachesim 0.3.5.
        let trace: Vec<_> = [1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 1]
            .iter()
            .map(|&id| (id, 20))
            .collect();
        assert_eq!(run(100, "", &trace), "MMMMMMMMMMM");
        // Objects larger than Ain's share are never cached.
        assert_eq!(run(100, "", &[(9, 26), (9, 26)]), "MM");
    }

    #[test]
    fn an_empty_am_gives_way_to_ain() {
        // Ain 0.8 of 10: Ain holds 8, Am is empty, so a 5-byte object
        // finds nothing in Am to evict and Ain's oldest goes instead.
        let trace = [(1, 4), (2, 4), (3, 5), (1, 4), (3, 5)];
        assert_eq!(run(10, "Ain-size-ratio=0.8", &trace), "MMMMH");
        assert_eq!(run(1, "", &unit(&[0, u64::MAX, 0])), "MMM");
    }
}
