//! S3-FIFO: a small FIFO queue, a main one, and a ghost queue.

use core::ops::Bound;

use crate::id_index::ChurnIndex;
use crate::lists::{Ghosts, Lists, Queue};
use crate::{EvictionPolicy, Held, ParamKind, Parameter, Params, Request, Victim};

/// Three FIFO queues: new objects go through a small one, those requested
/// again while in it move to the main one, and a ghost queue remembers
/// what left the small one so its return goes straight to main.
///
/// Yang, Zhang, Qiu, Yue and Rashmi, "FIFO Queues are All You Need for
/// Cache Eviction" (SOSP 2023), as libcachesim 0.3.5's `S3FIFO` runs it
/// (the small queue gets `small-size-ratio` of the capacity, the main one
/// the rest, the ghost `ghost-size-ratio` of it, all in bytes):
/// 1. a hit adds one to the object's count and moves nothing;
/// 2. a missed object no smaller than the small queue is refused (one the
///    size of it passes the first check, has room made for it, and is then
///    declined, as in libCacheSim); one found in the ghost queue goes to
///    main; before the first eviction, one that finds the small queue full
///    goes to main; any other goes to the small queue; its count starts
///    at 0;
/// 3. to evict, take from main when it holds more than its share or the
///    small queue is empty, else from the small queue:
///    - small: the oldest object moves to main if its count reached
///      `move-to-main-threshold`, else leaves for the ghost queue; repeat
///      until one leaves;
///    - main (a CLOCK with a 2-bit count): the oldest object with a count
///      goes back to main's newest end with `min(count, 3) - 1`; the first
///      found with 0 is evicted (and not remembered).
///
/// A cache smaller than 10 bytes has no small queue with the default
/// ratio; libCacheSim refuses to make one, wsim makes it and it caches
/// nothing.
#[derive(Debug, Clone)]
pub struct S3Fifo {
    lists: Lists<Object, ChurnIndex>,
    small: Queue,
    main: Queue,
    ghosts: Option<Ghosts<()>>,
    small_capacity: u64,
    main_capacity: u64,
    move_to_main: u64,
    /// Whether this request's object was found in the ghost queue.
    ghost_hit: bool,
    /// Whether anything was evicted yet: until then, new objects overflow
    /// from a full small queue into main.
    has_evicted: bool,
}

#[derive(Debug, Clone, Copy)]
struct Object {
    count: u64,
    in_main: bool,
}

const SMALL_SIZE_RATIO: Parameter = Parameter {
    name: "small-size-ratio",
    kind: ParamKind::Float,
    default: "0.1",
    about: "share of the capacity (bytes) for the small FIFO queue",
    range: (Bound::Excluded(0.0), Bound::Excluded(1.0)),
};

const GHOST_SIZE_RATIO: Parameter = Parameter {
    name: "ghost-size-ratio",
    kind: ParamKind::Float,
    default: "0.9",
    about: "size of the ghost queue, as a share of the capacity (bytes)",
    range: (Bound::Included(0.0), Bound::Unbounded),
};

const MOVE_TO_MAIN_THRESHOLD: Parameter = Parameter {
    name: "move-to-main-threshold",
    kind: ParamKind::Integer,
    default: "2",
    about: "hits in the small queue that move an object to main",
    range: (Bound::Included(0.0), Bound::Unbounded),
};

/// `capacity * ratio` truncated, as libCacheSim computes a queue's size.
#[expect(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "libCacheSim converts to double and truncates; so must we"
)]
pub(crate) fn share(capacity: u64, ratio: f64) -> u64 {
    (capacity as f64 * ratio) as u64
}

impl S3Fifo {
    fn victim(entry: &crate::lists::Entry<Object>) -> Victim {
        Victim {
            id: entry.id,
            size: entry.size,
        }
    }

    /// Takes from the small queue until an object leaves; `None` if it
    /// empties first (every object moved to main). Counted in bytes, as
    /// libCacheSim's loop is.
    fn evict_small(&mut self) -> Option<Victim> {
        while self.small.bytes > 0 {
            let node = self.small.oldest()?;
            let entry = *self.lists.entry(node);
            if entry.meta.count >= self.move_to_main {
                self.lists.unlink(&mut self.small, node);
                *self.lists.meta_mut(node) = Object {
                    count: 0,
                    in_main: true,
                };
                self.lists.link(&mut self.main, node);
            } else {
                self.lists.take(&mut self.small, node);
                if let Some(ghosts) = &mut self.ghosts {
                    ghosts.remember(entry.id, entry.size, ());
                }
                return Some(Self::victim(&entry));
            }
        }
        None
    }

    /// Main as a CLOCK: objects with a count go round again with one less.
    fn evict_main(&mut self) -> Option<Victim> {
        while self.main.bytes > 0 {
            let node = self.main.oldest()?;
            let count = self.lists.entry(node).meta.count;
            if count >= 1 {
                self.lists.meta_mut(node).count = count.min(3) - 1;
                self.lists.refresh(&mut self.main, node);
            } else {
                return Some(Self::victim(&self.lists.take(&mut self.main, node)));
            }
        }
        None
    }
}

impl EvictionPolicy for S3Fifo {
    const NAME: &'static str = "s3fifo";
    const LIBCACHESIM: &'static str = "S3FIFO";
    const PARAMETERS: &'static [Parameter] =
        &[SMALL_SIZE_RATIO, GHOST_SIZE_RATIO, MOVE_TO_MAIN_THRESHOLD];
    const FEATURED: bool = true;

    fn configure(capacity: u64, params: &Params) -> Self {
        let small_capacity = share(capacity, params.float(&SMALL_SIZE_RATIO));
        let ghost_capacity = share(capacity, params.float(&GHOST_SIZE_RATIO));
        Self {
            lists: Lists::default(),
            small: Queue::default(),
            main: Queue::default(),
            ghosts: (ghost_capacity > 0).then(|| Ghosts::new(ghost_capacity)),
            small_capacity,
            main_capacity: capacity - small_capacity,
            move_to_main: params.integer(&MOVE_TO_MAIN_THRESHOLD).unsigned_abs(),
            ghost_hit: false,
            has_evicted: false,
        }
    }

    #[inline]
    fn hit(&mut self, request: &Request) -> bool {
        if let Some(node) = self.lists.find(request.id) {
            let object = self.lists.meta_mut(node);
            object.count = object.count.saturating_add(1);
            return true;
        }
        // The ghost entry goes now, even if the object is then refused.
        self.ghost_hit = self
            .ghosts
            .as_mut()
            .is_some_and(|ghosts| ghosts.forget(request.id).is_some());
        false
    }

    #[inline]
    fn admissible(&mut self, request: &Request) -> bool {
        request.size <= self.small_capacity
    }

    fn evict(&mut self, _incoming: &Request) -> Option<Victim> {
        self.has_evicted = true;
        if self.main.bytes <= self.main_capacity && self.small.bytes > 0 {
            // Moving every small object to main frees nothing; main is
            // then above its share or the small queue empty, so it goes.
            if let Some(victim) = self.evict_small() {
                return Some(victim);
            }
        }
        self.evict_main()
    }

    fn admit(&mut self, request: &Request) -> bool {
        let to_main = if self.ghost_hit {
            self.ghost_hit = false;
            true
        } else if request.size >= self.small_capacity {
            return false;
        } else {
            !self.has_evicted && self.small.bytes >= self.small_capacity
        };
        let queue = if to_main {
            &mut self.main
        } else {
            &mut self.small
        };
        let object = Object {
            count: 0,
            in_main: to_main,
        };
        self.lists.push(queue, request.id, request.size, object);
        true
    }

    fn len(&self) -> usize {
        self.lists.len()
    }

    fn bytes(&self) -> u64 {
        self.small.bytes + self.main.bytes
    }

    fn audit(&self) -> Result<Held, String> {
        let small = self.lists.audit(&self.small, "the small queue")?;
        let main = self.lists.audit(&self.main, "the main queue")?;
        if let Some(entry) = small.iter().find(|entry| entry.meta.in_main) {
            return Err(format!("object {} is in the small queue, marked main", entry.id));
        }
        if let Some(entry) = main.iter().find(|entry| !entry.meta.in_main) {
            return Err(format!("object {} is in main, marked small", entry.id));
        }
        if small.len() + main.len() != self.lists.len() {
            return Err("objects are indexed but on no queue".to_owned());
        }
        if let Some(ghosts) = &self.ghosts {
            let remembered = ghosts.audit("the ghost queue")?;
            if let Some(entry) = remembered.iter().find(|entry| self.lists.find(entry.id).is_some()) {
                return Err(format!("object {} is cached and a ghost", entry.id));
            }
        }
        Ok(Held {
            objects: self.lists.len() as u64,
            bytes: u128::from(self.bytes()),
        })
    }
}
