//! LFU: least frequently used, ties to the least recently used.

use rustc_hash::FxHashMap;

use crate::slab_list::{Ends, NIL, SlabList};
use crate::{EvictionPolicy, Held, Params, Request, Victim};

/// Evicts the object with the fewest requests since its admission; among
/// those, the one that reached its count first (the least recently requested).
///
/// This is libCacheSim's `LFU`, and agrees with it hit for hit. The structure
/// is the O(1) LFU of Shah, Mitra and Matani (2010): objects with the same
/// count form a list in the order they reached it, and those lists form a
/// list ordered by count. A hit moves an object from its count's list to the
/// tail of the next count's list; an eviction takes the head of the lowest
/// count's list. No step searches or sorts.
#[derive(Debug, Default, Clone)]
pub struct Lfu {
    index: FxHashMap<u64, u32>,
    objects: SlabList<Object>,
    buckets: SlabList<Bucket>,
    /// Buckets by ascending count; none is empty.
    counts: Ends,
    /// Sum of the cached sizes.
    bytes: u64,
}

#[derive(Debug, Clone, Copy)]
struct Object {
    id: u64,
    size: u64,
    bucket: u32,
}

/// The objects requested exactly `count` times, in the order they got there.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    count: u64,
    members: Ends,
}

impl Lfu {
    /// The bucket for `count`, which must directly follow `before` (or be
    /// the first bucket when `before` is [`NIL`]), made if it does not exist.
    fn bucket_after(&mut self, before: u32, count: u64) -> u32 {
        let candidate = if before == NIL {
            self.counts.head
        } else {
            self.buckets.next(before)
        };
        if candidate != NIL && self.buckets.get(candidate).count == count {
            return candidate;
        }
        let bucket = self.buckets.insert(Bucket {
            count,
            members: Ends::EMPTY,
        });
        if before == NIL {
            self.buckets.push_front(&mut self.counts, bucket);
        } else {
            self.buckets.insert_after(&mut self.counts, before, bucket);
        }
        bucket
    }

    /// Takes `object` out of its bucket, dropping the bucket if it empties.
    fn leave_bucket(&mut self, object: u32, bucket: u32) {
        let mut members = self.buckets.get(bucket).members;
        self.objects.unlink(&mut members, object);
        if members.is_empty() {
            self.buckets.unlink(&mut self.counts, bucket);
            self.buckets.remove(bucket);
        } else {
            self.buckets.get_mut(bucket).members = members;
        }
    }

    fn join_bucket(&mut self, object: u32, bucket: u32) {
        let mut members = self.buckets.get(bucket).members;
        self.objects.push_back(&mut members, object);
        self.buckets.get_mut(bucket).members = members;
        self.objects.get_mut(object).bucket = bucket;
    }
}

impl EvictionPolicy for Lfu {
    const NAME: &'static str = "lfu";
    const LIBCACHESIM: &'static str = "LFU";
    const FEATURED: bool = true;

    fn configure(_capacity: u64, _params: &Params) -> Self {
        Self::default()
    }

    #[inline]
    fn hit(&mut self, request: &Request) -> bool {
        let id = request.id;
        let Some(&object) = self.index.get(&id) else {
            return false;
        };
        let from = self.objects.get(object).bucket;
        let Bucket { count, members } = *self.buckets.get(from);
        let count = count + 1;
        let next = self.buckets.next(from);
        if members.head == members.tail && (next == NIL || self.buckets.get(next).count != count) {
            // Alone in its bucket, and no bucket for the next count yet:
            // moving to a new one and dropping the old is renaming this one.
            self.buckets.get_mut(from).count = count;
            return true;
        }
        // Make the next bucket before leaving this one: leaving may free it.
        let to = self.bucket_after(from, count);
        self.leave_bucket(object, from);
        self.join_bucket(object, to);
        true
    }

    #[inline]
    fn admit(&mut self, request: &Request) -> bool {
        let Request { id, size, .. } = *request;
        self.bytes += size;
        let object = self.objects.insert(Object {
            id,
            size,
            bucket: NIL,
        });
        let first = self.bucket_after(NIL, 1);
        self.join_bucket(object, first);
        self.index.insert(id, object);
        true
    }

    #[inline]
    fn evict(&mut self, _incoming: &Request) -> Option<Victim> {
        let lowest = self.counts.head;
        if lowest == NIL {
            return None;
        }
        let object = self.buckets.get(lowest).members.head;
        self.leave_bucket(object, lowest);
        let Object { id, size, .. } = self.objects.remove(object);
        self.index.remove(&id);
        self.bytes -= size;
        Some(Victim { id, size })
    }

    fn bytes(&self) -> u64 {
        self.bytes
    }

    fn len(&self) -> usize {
        self.index.len()
    }

    fn audit(&self) -> Result<Held, String> {
        let mut objects = 0u64;
        let mut bytes = 0u128;
        let mut previous_count = 0;
        let mut bucket = self.counts.head;
        for Bucket { count, members } in self.buckets.audit(self.counts)? {
            if count <= previous_count {
                return Err(format!("count {count} follows count {previous_count}"));
            }
            if members.is_empty() {
                return Err(format!("the bucket of count {count} is empty"));
            }
            previous_count = count;
            let mut at = members.head;
            for object in self.objects.audit(members)? {
                if object.bucket != bucket {
                    return Err(format!("object {} names the wrong bucket", object.id));
                }
                if self.index.get(&object.id) != Some(&at) {
                    return Err(format!("object {} is indexed at the wrong node", object.id));
                }
                objects += 1;
                bytes += u128::from(object.size);
                at = self.objects.next(at);
            }
            bucket = self.buckets.next(bucket);
        }
        if objects != self.index.len() as u64 || objects != self.objects.len() as u64 {
            return Err(format!(
                "{objects} objects in buckets, {} indexed, {} nodes",
                self.index.len(),
                self.objects.len()
            ));
        }
        Ok(Held { objects, bytes })
    }
}
