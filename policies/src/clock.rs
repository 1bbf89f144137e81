//! CLOCK: FIFO with one reference bit per object (second chance).

use std::collections::VecDeque;

use rustc_hash::FxHashMap;

use crate::{EvictionPolicy, Held, Params, Request, Victim};

/// Evicts the oldest object whose reference bit is clear, giving every
/// object requested since it was last examined a second chance.
///
/// Corbató, "A Paging Experiment with the Multics System" (MIT Project MAC,
/// 1968), as libCacheSim's `Clock` runs it with its default one-bit counter:
/// 1. an admitted object goes to the newest end of a FIFO queue, its bit
///    clear;
/// 2. a hit sets the object's bit (and moves nothing);
/// 3. to evict, look at the oldest object: if its bit is set, clear it and
///    move the object to the newest end, then look again; the first object
///    found with a clear bit is evicted.
///
/// A queue in clock order and a map from id to reference bit: a hit is
/// O(1), an eviction O(1) amortized (every object it passes over loses its
/// bit, so a second pass always ends).
#[derive(Debug, Default, Clone)]
pub struct Clock {
    /// Oldest at the front; the hand always points at the front.
    queue: VecDeque<Victim>,
    /// Every cached id and its reference bit.
    referenced: FxHashMap<u64, bool>,
    /// Sum of the queued sizes.
    bytes: u64,
}

impl EvictionPolicy for Clock {
    const NAME: &'static str = "clock";
    const LIBCACHESIM: &'static str = "Clock";

    fn configure(_capacity: u64, _params: &Params) -> Self {
        Self::default()
    }

    #[inline]
    fn hit(&mut self, request: &Request) -> bool {
        let id = request.id;
        match self.referenced.get_mut(&id) {
            Some(bit) => {
                *bit = true;
                true
            }
            None => false,
        }
    }

    #[inline]
    fn admit(&mut self, request: &Request) -> bool {
        let Request { id, size, .. } = *request;
        self.bytes += size;
        self.queue.push_back(Victim { id, size });
        self.referenced.insert(id, false);
        true
    }

    #[inline]
    fn evict(&mut self, _incoming: &Request) -> Option<Victim> {
        loop {
            let oldest = self.queue.pop_front()?;
            match self.referenced.get_mut(&oldest.id) {
                Some(bit) if *bit => {
                    *bit = false;
                    self.queue.push_back(oldest);
                }
                _ => {
                    self.referenced.remove(&oldest.id);
                    self.bytes -= oldest.size;
                    return Some(oldest);
                }
            }
        }
    }

    fn bytes(&self) -> u64 {
        self.bytes
    }

    fn len(&self) -> usize {
        self.queue.len()
    }

    fn audit(&self) -> Result<Held, String> {
        if self.queue.len() != self.referenced.len() {
            return Err(format!(
                "{} objects queued but {} with a reference bit",
                self.queue.len(),
                self.referenced.len()
            ));
        }
        let mut bytes = 0u128;
        let mut seen = rustc_hash::FxHashSet::default();
        for victim in &self.queue {
            if !self.referenced.contains_key(&victim.id) {
                return Err(format!("object {} is queued without a bit", victim.id));
            }
            if !seen.insert(victim.id) {
                return Err(format!("object {} is queued twice", victim.id));
            }
            bytes += u128::from(victim.size);
        }
        Ok(Held {
            objects: self.queue.len() as u64,
            bytes,
        })
    }
}
