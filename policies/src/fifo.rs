//! FIFO: first in, first out.

use std::collections::VecDeque;

use rustc_hash::FxHashSet;

use crate::{EvictionPolicy, Held, Params, Request, Victim};

/// Evicts the object admitted longest ago; hits change nothing.
///
/// A queue in admission order and a set of the cached ids: every operation
/// is O(1). This is libCacheSim's `FIFO`.
#[derive(Debug, Default, Clone)]
pub struct Fifo {
    queue: VecDeque<Victim>,
    cached: FxHashSet<u64>,
    bytes: u64,
}

impl EvictionPolicy for Fifo {
    const NAME: &'static str = "fifo";
    const LIBCACHESIM: &'static str = "FIFO";
    const FEATURED: bool = true;

    fn configure(_capacity: u64, _params: &Params) -> Self {
        Self::default()
    }

    #[inline]
    fn hit(&mut self, request: &Request) -> bool {
        let id = request.id;
        self.cached.contains(&id)
    }

    #[inline]
    fn admit(&mut self, request: &Request) -> bool {
        let Request { id, size, .. } = *request;
        self.bytes += size;
        self.queue.push_back(Victim { id, size });
        self.cached.insert(id);
        true
    }

    #[inline]
    fn evict(&mut self, _incoming: &Request) -> Option<Victim> {
        let victim = self.queue.pop_front()?;
        self.cached.remove(&victim.id);
        self.bytes -= victim.size;
        Some(victim)
    }

    fn bytes(&self) -> u64 {
        self.bytes
    }

    fn len(&self) -> usize {
        self.queue.len()
    }

    fn audit(&self) -> Result<Held, String> {
        let queued: FxHashSet<u64> = self.queue.iter().map(|victim| victim.id).collect();
        if queued.len() != self.queue.len() {
            return Err("an id is queued twice".to_owned());
        }
        if queued != self.cached {
            return Err("the queue and the set of cached ids differ".to_owned());
        }
        Ok(Held {
            objects: self.queue.len() as u64,
            bytes: self
                .queue
                .iter()
                .map(|victim| u128::from(victim.size))
                .sum(),
        })
    }
}
