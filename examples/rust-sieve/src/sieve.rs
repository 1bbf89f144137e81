//! SIEVE (Zhang et al., NSDI 2024), a wsim eviction policy.
//!
//! Objects queue from oldest to newest with a visited bit that a hit sets.
//! A hand starts at the oldest object and moves toward newer ones: it clears
//! the bit of each visited object it passes (wrapping from the newest back
//! to the oldest) and evicts the first unvisited one, then rests on the
//! object just newer than the victim. New objects join, unvisited, at the
//! newest end. This is how libCacheSim runs SIEVE.
//!
//! wsim's `Cache` does the rest of the contract (hits, refusing objects
//! larger than the cache, evicting until an object fits, the counters);
//! a policy only says which object leaves next.

use std::collections::HashMap;

use wsim_policies::{EvictionPolicy, Held, Params, Request, Victim};

/// One cached object, linked to its neighbours in age order.
#[derive(Debug, Clone)]
struct Node {
    id: u64,
    size: u64,
    visited: bool,
    older: Option<usize>,
    newer: Option<usize>,
}

/// The SIEVE policy.
#[derive(Debug, Default, Clone)]
pub struct Sieve {
    /// Nodes by slot; freed slots are reused.
    nodes: Vec<Node>,
    free: Vec<usize>,
    slots: HashMap<u64, usize>,
    oldest: Option<usize>,
    newest: Option<usize>,
    hand: Option<usize>,
    /// Sum of the cached sizes.
    bytes: u64,
}

impl Sieve {
    /// Unlinks and frees the node in `slot`.
    fn remove(&mut self, slot: usize) -> Victim {
        let Node {
            id,
            size,
            older,
            newer,
            ..
        } = self.nodes[slot].clone();
        match older {
            Some(older) => self.nodes[older].newer = newer,
            None => self.oldest = newer,
        }
        match newer {
            Some(newer) => self.nodes[newer].older = older,
            None => self.newest = older,
        }
        self.slots.remove(&id);
        self.free.push(slot);
        self.bytes -= size;
        Victim { id, size }
    }
}

impl EvictionPolicy for Sieve {
    const NAME: &'static str = "sieve";

    fn configure(_capacity: u64, _params: &Params) -> Self {
        Self::default()
    }

    fn hit(&mut self, request: &Request) -> bool {
        match self.slots.get(&request.id) {
            Some(&slot) => {
                self.nodes[slot].visited = true;
                true
            }
            None => false,
        }
    }

    fn admit(&mut self, request: &Request) -> bool {
        let Request { id, size, .. } = *request;
        let node = Node {
            id,
            size,
            visited: false,
            older: self.newest,
            newer: None,
        };
        let slot = match self.free.pop() {
            Some(slot) => {
                self.nodes[slot] = node;
                slot
            }
            None => {
                self.nodes.push(node);
                self.nodes.len() - 1
            }
        };
        match self.newest {
            Some(newest) => self.nodes[newest].newer = Some(slot),
            None => self.oldest = Some(slot),
        }
        self.newest = Some(slot);
        self.slots.insert(id, slot);
        self.bytes += size;
        true
    }

    fn evict(&mut self, _incoming: &Request) -> Option<Victim> {
        let mut slot = self.hand.or(self.oldest)?;
        while self.nodes[slot].visited {
            self.nodes[slot].visited = false;
            slot = self.nodes[slot].newer.or(self.oldest)?;
        }
        self.hand = self.nodes[slot].newer;
        Some(self.remove(slot))
    }

    fn len(&self) -> usize {
        self.slots.len()
    }

    fn bytes(&self) -> u64 {
        self.bytes
    }

    fn audit(&self) -> Result<Held, String> {
        let mut held = Held {
            objects: 0,
            bytes: 0,
        };
        let mut at = self.oldest;
        while let Some(slot) = at {
            let node = &self.nodes[slot];
            if self.slots.get(&node.id) != Some(&slot) {
                return Err(format!("object {} is queued but not indexed", node.id));
            }
            held.objects += 1;
            held.bytes += u128::from(node.size);
            at = node.newer;
        }
        if held.objects != self.slots.len() as u64 {
            return Err("the queue and the index differ in length".to_owned());
        }
        Ok(held)
    }
}
