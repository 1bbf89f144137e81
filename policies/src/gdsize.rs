//! GDSIZE: GreedyDual-Size with cost 1 (Cao and Irani, 1997).

use core::cmp::{Ordering, Reverse};

use core::hash::BuildHasherDefault;
use priority_queue::PriorityQueue;

use rustc_hash::FxHasher;

use crate::{EvictionPolicy, Held, Params, Request, Victim};

/// GreedyDual-Size with a cost of 1 per object.
///
/// Cao and Irani, "Cost-Aware WWW Proxy Caching Algorithms" (USITS 1997):
/// 1. keep an inflation value `L`, initially 0;
/// 2. when an object is admitted or hit, set its `H = L + cost / size`;
/// 3. to make room, evict the object of smallest `H` and set `L` to that `H`.
///
/// Ties in `H` go to the object whose `H` was set first (the least recently
/// requested). `H` is an `f64` computed by the same expression on host and
/// guest; WebAssembly floats are IEEE 754, so both see identical values.
#[derive(Debug, Clone)]
pub struct GdSize {
    /// A max-heap, so priorities are reversed: the top is the smallest `H`.
    queue: PriorityQueue<u64, Reverse<Priority>, BuildHasherDefault<FxHasher>>,
    /// `L`: the `H` of the last eviction. Never decreases, since every `H` is
    /// at least the `L` it was set from.
    inflation: f64,
    /// Counts every time an `H` is set, to break ties by age.
    clock: u64,
    /// Sum of the queued sizes.
    bytes: u64,
}

impl Default for GdSize {
    fn default() -> Self {
        Self {
            queue: PriorityQueue::with_default_hasher(),
            inflation: 0.0,
            clock: 0,
            bytes: 0,
        }
    }
}

/// An object's place in the queue: `H`, then when `H` was set. The stored
/// size rides along but never decides an order (`set_at` is unique).
#[derive(Debug, Clone, Copy)]
struct Priority {
    h: f64,
    set_at: u64,
    size: u64,
}

impl Priority {
    /// Step 2: `H = L + cost / size`, with cost 1.
    #[expect(
        clippy::cast_precision_loss,
        reason = "H is defined on f64; the rounding is the same on host and guest"
    )]
    #[inline]
    fn new(inflation: f64, size: u64, set_at: u64) -> Self {
        Self {
            h: inflation + 1.0 / size as f64,
            set_at,
            size,
        }
    }
}

impl Ord for Priority {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        // Every H is positive, and positive f64s order as their bit patterns.
        (self.h.to_bits(), self.set_at).cmp(&(other.h.to_bits(), other.set_at))
    }
}

impl PartialOrd for Priority {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Priority {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Priority {}

impl GdSize {
    fn tick(&mut self) -> u64 {
        let now = self.clock;
        self.clock += 1;
        now
    }
}

impl EvictionPolicy for GdSize {
    const NAME: &'static str = "gdsize";
    const FEATURED: bool = true;

    fn configure(_capacity: u64, _params: &Params) -> Self {
        Self::default()
    }

    #[inline]
    fn hit(&mut self, request: &Request) -> bool {
        let id = request.id;
        let (inflation, now) = (self.inflation, self.clock);
        let found = self.queue.change_priority_by(&id, |Reverse(priority)| {
            *priority = Priority::new(inflation, priority.size, now);
        });
        if found {
            self.tick();
        }
        found
    }

    #[inline]
    fn admit(&mut self, request: &Request) -> bool {
        let Request { id, size, .. } = *request;
        self.bytes += size;
        let now = self.tick();
        self.queue
            .push(id, Reverse(Priority::new(self.inflation, size, now)));
        true
    }

    #[inline]
    fn evict(&mut self, _incoming: &Request) -> Option<Victim> {
        // Step 3: evict the smallest H and let L rise to it.
        let (id, Reverse(priority)) = self.queue.pop()?;
        self.inflation = priority.h;
        self.bytes -= priority.size;
        Some(Victim {
            id,
            size: priority.size,
        })
    }

    fn bytes(&self) -> u64 {
        self.bytes
    }

    fn len(&self) -> usize {
        self.queue.len()
    }

    fn audit(&self) -> Result<Held, String> {
        let mut bytes = 0u128;
        for (id, Reverse(priority)) in self.queue.iter() {
            if priority.h < self.inflation || priority.h.is_nan() {
                return Err(format!(
                    "object {id} has H = {} below L = {}",
                    priority.h, self.inflation
                ));
            }
            if priority.set_at >= self.clock {
                return Err(format!("object {id} was set in the future"));
            }
            bytes += u128::from(priority.size);
        }
        Ok(Held {
            objects: self.queue.len() as u64,
            bytes,
        })
    }
}
