//! MQ: multiple LRU queues by frequency, with expiry and a ghost queue.

use core::ops::Bound;

use crate::id_index::ChurnIndex;
use crate::lists::{Entry, Ghosts, Lists, Queue};
use crate::s3fifo::share;
use crate::{EvictionPolicy, Held, ParamKind, Parameter, Params, Request, Victim};

/// `n-queue` LRU queues: an object requested `f` times lives in queue
/// `min(floor(log2 f), n - 1)`, drops one queue when not requested for
/// `lifetime`, and the cache evicts from the lowest queue; evicted objects
/// leave their count in a ghost FIFO (Qout) to take back if they return.
///
/// Zhou, Philbin and Li, "The Multi-Queue Replacement Algorithm for Second
/// Level Buffer Caches" (USENIX ATC 2001), as libcachesim 0.3.5's `MQ`
/// runs it (Qout holds `Qout-size-ratio` times the capacity, in bytes,
/// truncated):
/// 1. MQ's clock ticks once per hit and once per admitted object, after
///    the rest of the request (refused objects do not tick it);
/// 2. a hit adds one to the object's count (saturating at `i32::MAX`),
///    moves it to the most recent end of its count's queue (even the one
///    it is in) and sets its expiry to the clock before the tick plus
///    `lifetime`;
/// 3. a miss drops its id from Qout if there (even if the object is then
///    refused) and takes its count from there; the admitted object's count
///    is that plus one, else 1, and it enters as a hit does in step 2;
/// 4. after each tick, for queues 1 to `n - 1` in turn, the least recent
///    object moves to the most recent end of the queue below if its expiry
///    is earlier than the clock, its expiry then the clock plus `lifetime`:
///    at most one object per queue per tick, never twice, never from 0;
/// 5. to evict, take the least recent object of the lowest non-empty queue
///    and remember its id, stored size and count in Qout, which forgets its
///    oldest entries to make room and keeps nothing larger than itself.
#[derive(Debug, Clone)]
pub struct Mq {
    lists: Lists<Object, ChurnIndex>,
    /// Lowest first.
    queues: Vec<Queue>,
    /// Each evicted object's count.
    ghosts: Ghosts<u32>,
    lifetime: i64,
    /// MQ's clock (libCacheSim's `vtime`).
    clock: i64,
    /// The count this request's object left in Qout, if it was there.
    returning: Option<u32>,
    bytes: u64,
}

#[derive(Debug, Clone, Copy)]
struct Object {
    count: u32,
    expiry: i64,
    queue: u8,
}

/// libCacheSim keeps counts in an `int32_t`.
const MAX_COUNT: u32 = i32::MAX.unsigned_abs();

const N_QUEUE: Parameter = Parameter {
    name: "n-queue",
    kind: ParamKind::Integer,
    default: "8",
    about: "number of LRU queues, by request count",
    range: (Bound::Included(1.0), Bound::Included(64.0)),
};

const LIFETIME: Parameter = Parameter {
    name: "lifetime",
    kind: ParamKind::Integer,
    default: "10000",
    about: "hits and admissions without a request before an object drops a queue",
    range: (Bound::Included(1.0), Bound::Unbounded),
};

const QOUT_SIZE_RATIO: Parameter = Parameter {
    name: "Qout-size-ratio",
    kind: ParamKind::Float,
    default: "4.0",
    about: "size of the Qout ghost queue, as a multiple of the capacity (bytes)",
    range: (Bound::Excluded(0.0), Bound::Included(64.0)),
};

fn victim(entry: &Entry<Object>) -> Victim {
    Victim {
        id: entry.id,
        size: entry.size,
    }
}

impl Mq {
    /// The queue for a count: `min(floor(log2 count), n - 1)`, in
    /// integers.
    fn queue_for(&self, count: u32) -> usize {
        let log2 = count.max(1).ilog2() as usize;
        log2.min(self.queues.len() - 1)
    }

    /// Links `node`, on no queue, at the most recent end of `queue`.
    fn place(&mut self, node: u32, queue: usize) {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "at most 64 queues, checked by the parameter's range"
        )]
        let tag = queue as u8;
        self.lists.meta_mut(node).queue = tag;
        self.lists.link(&mut self.queues[queue], node);
    }

    /// Step 4: the clock ticks and each queue above 0 may drop its least
    /// recent object one queue.
    fn tick(&mut self) {
        self.clock += 1;
        for queue in 1..self.queues.len() {
            let Some(oldest) = self.queues[queue].oldest() else {
                continue;
            };
            if self.lists.entry(oldest).meta.expiry < self.clock {
                self.lists.unlink(&mut self.queues[queue], oldest);
                self.place(oldest, queue - 1);
                self.lists.meta_mut(oldest).expiry = self.expiry();
            }
        }
    }

    /// An expiry set now, before the tick.
    fn expiry(&self) -> i64 {
        self.clock.wrapping_add(self.lifetime)
    }
}

impl EvictionPolicy for Mq {
    const NAME: &'static str = "mq";
    const LIBCACHESIM: &'static str = "MQ";
    const PARAMETERS: &'static [Parameter] = &[N_QUEUE, LIFETIME, QOUT_SIZE_RATIO];

    fn configure(capacity: u64, params: &Params) -> Self {
        let queues = params.integer(&N_QUEUE).clamp(1, 64).unsigned_abs();
        Self {
            lists: Lists::default(),
            queues: (0..queues).map(|_| Queue::default()).collect(),
            ghosts: Ghosts::new(share(capacity, params.float(&QOUT_SIZE_RATIO))),
            lifetime: params.integer(&LIFETIME).max(1),
            clock: 0,
            returning: None,
            bytes: 0,
        }
    }

    #[inline]
    fn hit(&mut self, request: &Request) -> bool {
        let Some(node) = self.lists.find(request.id) else {
            // The ghost entry goes now, even if the object is then refused.
            self.returning = self.ghosts.forget(request.id).map(|entry| entry.meta);
            return false;
        };
        let queue = usize::from(self.lists.entry(node).meta.queue);
        self.lists.unlink(&mut self.queues[queue], node);
        let count = (self.lists.entry(node).meta.count + 1).min(MAX_COUNT);
        self.lists.meta_mut(node).count = count;
        self.place(node, self.queue_for(count));
        self.lists.meta_mut(node).expiry = self.expiry();
        self.tick();
        true
    }

    fn evict(&mut self, _incoming: &Request) -> Option<Victim> {
        let queue = self.queues.iter().position(|queue| !queue.is_empty())?;
        let entry = self.lists.take_oldest(&mut self.queues[queue])?;
        self.bytes -= entry.size;
        self.ghosts.remember(entry.id, entry.size, entry.meta.count);
        Some(victim(&entry))
    }

    fn admit(&mut self, request: &Request) -> bool {
        let count = self
            .returning
            .take()
            .map_or(1, |count| (count + 1).min(MAX_COUNT));
        let queue = self.queue_for(count);
        #[expect(
            clippy::cast_possible_truncation,
            reason = "at most 64 queues, checked by the parameter's range"
        )]
        let object = Object {
            count,
            expiry: self.expiry(),
            queue: queue as u8,
        };
        self.lists
            .push(&mut self.queues[queue], request.id, request.size, object);
        self.bytes += request.size;
        self.tick();
        true
    }

    fn len(&self) -> usize {
        self.lists.len()
    }

    fn bytes(&self) -> u64 {
        self.bytes
    }

    fn audit(&self) -> Result<Held, String> {
        let (mut listed, mut bytes) = (0, 0u128);
        for (queue, list) in self.queues.iter().enumerate() {
            let name = format!("queue {queue}");
            for entry in self.lists.audit(list, &name)? {
                let Object {
                    count, queue: tag, ..
                } = entry.meta;
                // Demotions only lower an object below its count's queue.
                if usize::from(tag) != queue
                    || count == 0
                    || count > MAX_COUNT
                    || queue > self.queue_for(count)
                {
                    return Err(format!(
                        "object {} is on {name}, tagged {tag}, count {count}",
                        entry.id
                    ));
                }
                listed += 1;
                bytes += u128::from(entry.size);
            }
        }
        if listed != self.lists.len() {
            return Err(format!(
                "{} objects indexed, {listed} on queues",
                self.lists.len()
            ));
        }
        if bytes != u128::from(self.bytes) {
            return Err(format!("queues hold {bytes} bytes, counted {}", self.bytes));
        }
        let remembered = self.ghosts.audit("Qout")?;
        if let Some(entry) = remembered
            .iter()
            .find(|entry| self.lists.find(entry.id).is_some())
        {
            return Err(format!("object {} is cached and in Qout", entry.id));
        }
        Ok(Held {
            objects: listed as u64,
            bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{outcomes, unit};

    fn run(capacity: u64, params: &str, trace: &[(u64, u64)]) -> String {
        outcomes::<Mq>(capacity, params, trace)
    }

    #[test]
    fn a_returning_object_takes_its_count_back() {
        // C = 2: 3 evicts 1 (count 1) to Qout; 1 returns with count 2
        // into queue 1, so 4 and 5 evict from queue 0 and 1 then hits.
        // With no Qout (0.4 of 2 bytes is 0) 1 returns to queue 0 and 5
        // evicts it. Checked with libcachesim 0.3.5.
        let trace = unit(&[1, 2, 3, 1, 4, 5, 1]);
        assert_eq!(run(2, "", &trace), "MMMMMMH");
        assert_eq!(run(2, "Qout-size-ratio=0.4", &trace), "MMMMMMM");
        // C = 3: the spec's example; 2 returns from Qout into queue 1.
        let trace = unit(&[1, 1, 2, 3, 4, 1, 2, 5, 2, 6, 4, 1]);
        assert_eq!(run(3, "", &trace), "MHMMMHMMHMMH");
        assert_eq!(run(1, "", &unit(&[0, u64::MAX, 0, 0])), "MMMH");
    }

    #[test]
    fn an_object_not_requested_for_its_lifetime_drops_a_queue() {
        // C = 2, lifetime 1: 1's hit puts it in queue 1 expiring at 2;
        // admitting 2 ticks the clock to 3 and drops 1 to queue 0, above
        // 2; 3 evicts 2, 4 evicts 1, which then misses. With the default
        // lifetime 1 stays in queue 1 and hits. Checked with libcachesim.
        let trace = unit(&[1, 1, 2, 3, 4, 1]);
        assert_eq!(run(2, "lifetime=1", &trace), "MHMMMM");
        assert_eq!(run(2, "", &trace), "MHMMMH");
        let trace = unit(&[1, 1, 1, 1, 2, 3, 4, 5, 1, 6]);
        assert_eq!(run(3, "lifetime=2", &trace), "MHHHMMMMHM");
    }
}
