//! LRU: least recently used.

use rustc_hash::FxHashMap;

use crate::slab_list::{Ends, SlabList};
use crate::{EvictionPolicy, Held, Params, Request, Victim};

/// Evicts the object requested least recently.
///
/// A hash map from id to a node of one doubly linked list kept in recency
/// order (head: least recent): a hit moves the node to the tail, an eviction
/// takes the head, all in O(1). This is libCacheSim's `LRU`.
#[derive(Debug, Default, Clone)]
pub struct Lru {
    index: FxHashMap<u64, u32>,
    nodes: SlabList<Victim>,
    recency: Ends,
    bytes: u64,
}

impl EvictionPolicy for Lru {
    const NAME: &'static str = "lru";
    const LIBCACHESIM: &'static str = "LRU";
    const FEATURED: bool = true;

    fn configure(_capacity: u64, _params: &Params) -> Self {
        Self::default()
    }

    #[inline]
    fn hit(&mut self, request: &Request) -> bool {
        let id = request.id;
        match self.index.get(&id) {
            Some(&node) => {
                self.nodes.move_to_back(&mut self.recency, node);
                true
            }
            None => false,
        }
    }

    #[inline]
    fn admit(&mut self, request: &Request) -> bool {
        let Request { id, size, .. } = *request;
        self.bytes += size;
        let node = self.nodes.insert(Victim { id, size });
        self.nodes.push_back(&mut self.recency, node);
        self.index.insert(id, node);
        true
    }

    #[inline]
    fn evict(&mut self, _incoming: &Request) -> Option<Victim> {
        let oldest = self.recency.head;
        if self.recency.is_empty() {
            return None;
        }
        self.nodes.unlink(&mut self.recency, oldest);
        let victim = self.nodes.remove(oldest);
        self.index.remove(&victim.id);
        self.bytes -= victim.size;
        Some(victim)
    }

    fn bytes(&self) -> u64 {
        self.bytes
    }

    fn len(&self) -> usize {
        self.index.len()
    }

    fn audit(&self) -> Result<Held, String> {
        let order = self.nodes.audit(self.recency)?;
        if order.len() != self.index.len() || order.len() != self.nodes.len() {
            return Err(format!(
                "{} objects in recency order, {} indexed, {} nodes",
                order.len(),
                self.index.len(),
                self.nodes.len()
            ));
        }
        let mut bytes = 0u128;
        let mut at = self.recency.head;
        for victim in &order {
            if self.index.get(&victim.id) != Some(&at) {
                return Err(format!("object {} is indexed at the wrong node", victim.id));
            }
            bytes += u128::from(victim.size);
            at = self.nodes.next(at);
        }
        Ok(Held {
            objects: order.len() as u64,
            bytes,
        })
    }
}
