//! SIEVE: a FIFO queue whose hand spares visited objects.

use crate::lists::{Lists, Queue};
use crate::{EvictionPolicy, Held, Params, Request, Victim};

/// Evicts the first unvisited object the hand finds, moving from old to
/// new; a hit only marks an object visited.
///
/// Zhang, Yang, Yue, Vigfusson and Rashmi, "SIEVE is Simpler than LRU: an
/// Efficient Turn-Key Eviction Algorithm for Web Caches" (NSDI 2024), as
/// libCacheSim's `Sieve` runs it:
/// 1. an admitted object joins the newest end of the queue, unvisited;
/// 2. a hit marks the object visited and moves nothing;
/// 3. to evict, the hand starts where it last stopped (at first, the
///    oldest object) and walks toward newer ones, wrapping from the newest
///    to the oldest: each visited object it passes is unmarked, and the
///    first unvisited one is evicted; the hand stays on the object just
///    newer than the victim (none when the victim was the newest, and the
///    next walk starts from the oldest again).
///
/// New objects join behind the hand, so the hand reaches them only after
/// the older ones: that is what keeps one-hit wonders from displacing
/// popular objects.
#[derive(Debug, Default, Clone)]
pub struct Sieve {
    /// Whether each object was visited since the hand last passed it.
    lists: Lists<bool>,
    queue: Queue,
    hand: Option<u32>,
}

impl EvictionPolicy for Sieve {
    const NAME: &'static str = "sieve";
    const LIBCACHESIM: &'static str = "Sieve";
    const FEATURED: bool = true;

    fn configure(_capacity: u64, _params: &Params) -> Self {
        Self::default()
    }

    #[inline]
    fn hit(&mut self, request: &Request) -> bool {
        match self.lists.find(request.id) {
            Some(node) => {
                *self.lists.meta_mut(node) = true;
                true
            }
            None => false,
        }
    }

    #[inline]
    fn evict(&mut self, _incoming: &Request) -> Option<Victim> {
        let mut at = self.hand.or_else(|| self.queue.oldest())?;
        while self.lists.entry(at).meta {
            *self.lists.meta_mut(at) = false;
            at = self
                .lists
                .newer(at)
                .or_else(|| self.queue.oldest())
                .unwrap_or(at);
        }
        self.hand = self.lists.newer(at);
        let entry = self.lists.take(&mut self.queue, at);
        Some(Victim {
            id: entry.id,
            size: entry.size,
        })
    }

    #[inline]
    fn admit(&mut self, request: &Request) -> bool {
        self.lists
            .push(&mut self.queue, request.id, request.size, false);
        true
    }

    fn len(&self) -> usize {
        self.lists.len()
    }

    fn bytes(&self) -> u64 {
        self.queue.bytes
    }

    fn audit(&self) -> Result<Held, String> {
        let entries = self.lists.audit(&self.queue, "the queue")?;
        if entries.len() != self.lists.len() {
            return Err("objects are indexed but not queued".to_owned());
        }
        if let Some(hand) = self.hand
            && !entries.iter().any(|entry| self.lists.find(entry.id) == Some(hand))
        {
            return Err("the hand points at no queued object".to_owned());
        }
        Ok(Held {
            objects: entries.len() as u64,
            bytes: u128::from(self.queue.bytes),
        })
    }
}
