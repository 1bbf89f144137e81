//! {{Type}}: a wsim cache eviction policy. Say here which paper it comes
//! from and its rule in a sentence or two.
//!
//! As made by `wsim new` it is FIFO (the object taken in longest ago
//! leaves first): change `hit`, `evict` and `admit` to your rule.
//!
//! wsim's `Cache` keeps the cache contract around the policy, the same
//! natively and inside the sandbox:
//! - every request first asks `hit`: say whether the object is held, and
//!   record the hit (move it, count it) when it is;
//! - a miss for an object larger than the capacity takes nothing in and
//!   evicts nothing;
//! - otherwise `Cache` calls `evict` until the object fits (each call
//!   removes one object and says which), then `admit` to take it in;
//! - `len` and `bytes` count what is held; `audit` recounts it from the
//!   policy's structures, so the tests can check the two agree.
//!
//! A policy that evicts anywhere but in `evict` must record it in an
//! `EvictionLog` (see `EvictionPolicy::evicted_elsewhere`), or wsim's audit
//! of the module fails it.

use std::collections::{HashMap, VecDeque};

use wsim_policies::{EvictionPolicy, Held, Params, Request, Victim};

/// The policy's state: the objects in the order they came in, and their
/// sizes by id.
#[derive(Debug, Default)]
pub struct {{Type}} {
    queue: VecDeque<u64>,
    sizes: HashMap<u64, u64>,
    bytes: u64,
}

impl EvictionPolicy for {{Type}} {
    /// The name wsim's rows give it (the module's `name` export).
    const NAME: &'static str = "{{name}}";

    fn configure(_capacity: u64, _params: &Params) -> Self {
        Self::default()
    }

    fn hit(&mut self, request: &Request) -> bool {
        // FIFO: a hit changes nothing.
        self.sizes.contains_key(&request.id)
    }

    fn evict(&mut self, _incoming: &Request) -> Option<Victim> {
        let id = self.queue.pop_front()?;
        let size = self.sizes.remove(&id)?;
        self.bytes -= size;
        Some(Victim { id, size })
    }

    fn admit(&mut self, request: &Request) -> bool {
        self.queue.push_back(request.id);
        self.sizes.insert(request.id, request.size);
        self.bytes += request.size;
        true
    }

    fn len(&self) -> usize {
        self.sizes.len()
    }

    fn bytes(&self) -> u64 {
        self.bytes
    }

    fn audit(&self) -> Result<Held, String> {
        if self.queue.len() != self.sizes.len() {
            return Err(format!(
                "{} objects queued but {} sized",
                self.queue.len(),
                self.sizes.len()
            ));
        }
        let mut bytes = 0;
        for id in &self.queue {
            let size = self.sizes.get(id).ok_or(format!("object {id} is queued but not sized"))?;
            bytes += u128::from(*size);
        }
        Ok(Held {
            objects: self.queue.len() as u64,
            bytes,
        })
    }
}

// Every export of wsim's ABI (docs/ABI.md), when built for wasm32.
wsim_policies::export_policy!({{Type}});
