//! ARC: adaptive replacement between recency and frequency.

use crate::id_index::ChurnIndex;
use crate::lists::{Entry, Lists, Queue};
use crate::{EvictionPolicy, Held, Params, Request, Victim};

/// Two LRU lists, objects seen once (T1) and more (T2), each with a ghost
/// list of what it evicted (B1, B2); a hit in a ghost list moves the target
/// size of T1 toward the list that would have kept the object.
///
/// Megiddo and Modha, "ARC: A Self-Tuning, Low Overhead Replacement Cache"
/// (FAST 2003), in bytes, as libCacheSim's `ARC` runs it:
/// 1. a hit in T1 or T2 moves the object to T2's most recent end;
/// 2. a request found in B1 raises the target `p` by
///    `max(|B2| / |B1|, 1)` (at most the capacity), one found in B2 lowers
///    it by `max(|B1| / |B2|, 1)` (at least 0); either is a miss, its ghost
///    entry dropped, and the object goes to T2;
/// 3. any other miss goes to T1; making room for it first drops B1's
///    oldest entry if `|T1| + |B1|` would pass the capacity (or, with B1
///    empty, evicts T1's oldest outright), else B2's oldest when all four
///    lists hold twice the capacity;
/// 4. REPLACE moves T1's oldest to B1 when `|T1| > p` (or equals it and the
///    last ghost hit was in B2) or T2 is empty, else T2's oldest to B2.
///
/// `p` is an `f64` as in libCacheSim. Which list the last ghost hit was in
/// is kept until another request finds its object in some list, so an
/// object too large to cache after a B2 hit still sways the next REPLACE,
/// as it does in libCacheSim.
#[derive(Debug, Clone)]
pub struct Arc {
    /// Data and ghost entries share one index; the tag says which list.
    lists: Lists<List, ChurnIndex>,
    t1: Queue,
    t2: Queue,
    b1: Queue,
    b2: Queue,
    capacity: u64,
    /// The target size of T1, in bytes.
    p: f64,
    /// Where the last request found in a list was found, if in a ghost.
    in_b1: bool,
    in_b2: bool,
    /// Whether this very request was found in a ghost list.
    ghost_hit_now: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum List {
    T1,
    T2,
    B1,
    B2,
}

impl Arc {
    fn queue(&mut self, list: List) -> &mut Queue {
        match list {
            List::T1 => &mut self.t1,
            List::T2 => &mut self.t2,
            List::B1 => &mut self.b1,
            List::B2 => &mut self.b2,
        }
    }

    /// Moves `node`, on `from`, to the most recent end of `to`.
    fn shift(&mut self, node: u32, from: List, to: List) {
        let mut source = *self.queue(from);
        self.lists.unlink(&mut source, node);
        *self.queue(from) = source;
        *self.lists.meta_mut(node) = to;
        let mut target = *self.queue(to);
        self.lists.link(&mut target, node);
        *self.queue(to) = target;
    }

    /// Drops the oldest entry of a ghost list, if any.
    fn forget_oldest(&mut self, list: List) {
        let mut queue = *self.queue(list);
        self.lists.take_oldest(&mut queue);
        *self.queue(list) = queue;
    }

    fn ghost_path(&self) -> bool {
        self.ghost_hit_now && (self.in_b1 || self.in_b2)
    }

    /// Moves T1's or T2's oldest object to its ghost list.
    #[expect(clippy::cast_precision_loss, reason = "libCacheSim compares with a double")]
    fn replace(&mut self) -> Option<Victim> {
        let t1 = self.t1.bytes as f64;
        let from_t1 = (self.t1.bytes > 0 && (t1 > self.p || (t1 == self.p && self.in_b2)))
            || self.t2.bytes == 0;
        let (from, to) = if from_t1 {
            (List::T1, List::B1)
        } else {
            (List::T2, List::B2)
        };
        let node = self.queue(from).oldest()?;
        self.shift(node, from, to);
        Some(victim(self.lists.entry(node)))
    }
}

fn victim(entry: &Entry<List>) -> Victim {
    Victim {
        id: entry.id,
        size: entry.size,
    }
}

impl EvictionPolicy for Arc {
    const NAME: &'static str = "arc";
    const LIBCACHESIM: &'static str = "ARC";

    fn configure(capacity: u64, _params: &Params) -> Self {
        Self {
            lists: Lists::default(),
            t1: Queue::default(),
            t2: Queue::default(),
            b1: Queue::default(),
            b2: Queue::default(),
            capacity,
            p: 0.0,
            in_b1: false,
            in_b2: false,
            ghost_hit_now: false,
        }
    }

    #[expect(clippy::cast_precision_loss, reason = "libCacheSim adapts p in doubles")]
    fn hit(&mut self, request: &Request) -> bool {
        self.ghost_hit_now = false;
        let Some(node) = self.lists.find(request.id) else {
            return false;
        };
        self.in_b1 = false;
        self.in_b2 = false;
        let list = self.lists.entry(node).meta;
        match list {
            List::T1 => self.shift(node, List::T1, List::T2),
            List::T2 => self.lists.refresh(&mut self.t2, node),
            List::B1 | List::B2 => {
                self.ghost_hit_now = true;
                let (b1, b2) = (self.b1.bytes as f64, self.b2.bytes as f64);
                if list == List::B1 {
                    self.in_b1 = true;
                    self.p = (self.p + (b2 / b1).max(1.0)).min(self.capacity as f64);
                } else {
                    self.in_b2 = true;
                    self.p = (self.p - (b1 / b2).max(1.0)).max(0.0);
                }
                let mut queue = *self.queue(list);
                self.lists.take(&mut queue, node);
                *self.queue(list) = queue;
                return false;
            }
        }
        true
    }

    fn evict(&mut self, incoming: &Request) -> Option<Victim> {
        if self.ghost_path() {
            return self.replace();
        }
        // In u128: sizes go up to u64::MAX, and these sums may pass it.
        let (t1, b1, t2, b2) = (
            u128::from(self.t1.bytes),
            u128::from(self.b1.bytes),
            u128::from(self.t2.bytes),
            u128::from(self.b2.bytes),
        );
        if t1 + b1 + u128::from(incoming.size) > u128::from(self.capacity) {
            if self.b1.bytes > 0 {
                self.forget_oldest(List::B1);
                return self.replace();
            }
            // No history to keep: T1's oldest leaves without a ghost.
            let entry = self.lists.take_oldest(&mut self.t1)?;
            return Some(victim(&entry));
        }
        if t1 + b1 + t2 + b2 >= 2 * u128::from(self.capacity) && self.b2.bytes > 0 {
            self.forget_oldest(List::B2);
        }
        self.replace()
    }

    fn admit(&mut self, request: &Request) -> bool {
        let list = if self.ghost_path() {
            self.in_b1 = false;
            self.in_b2 = false;
            self.ghost_hit_now = false;
            List::T2
        } else {
            List::T1
        };
        let mut queue = *self.queue(list);
        self.lists.push(&mut queue, request.id, request.size, list);
        *self.queue(list) = queue;
        true
    }

    fn len(&self) -> usize {
        self.t1.len + self.t2.len
    }

    fn bytes(&self) -> u64 {
        self.t1.bytes + self.t2.bytes
    }

    #[expect(clippy::cast_precision_loss, reason = "p is a double, as in libCacheSim")]
    fn audit(&self) -> Result<Held, String> {
        let mut listed = 0;
        for (queue, list, name) in [
            (&self.t1, List::T1, "T1"),
            (&self.t2, List::T2, "T2"),
            (&self.b1, List::B1, "B1"),
            (&self.b2, List::B2, "B2"),
        ] {
            let entries = self.lists.audit(queue, name)?;
            if let Some(entry) = entries.iter().find(|entry| entry.meta != list) {
                return Err(format!("object {} is on {name} but tagged {:?}", entry.id, entry.meta));
            }
            listed += entries.len();
        }
        if listed != self.lists.len() {
            return Err(format!("{} entries indexed, {listed} listed", self.lists.len()));
        }
        if !(0.0..=self.capacity as f64).contains(&self.p) {
            return Err(format!("p = {} is outside [0, {}]", self.p, self.capacity));
        }
        Ok(Held {
            objects: self.len() as u64,
            bytes: u128::from(self.bytes()),
        })
    }
}
