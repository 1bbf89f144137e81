//! Objects kept on several queues at once, the building block of the
//! policies with more than one list (S3-FIFO, ARC, 2Q, SLRU, MQ, LIRS):
//! one index from id to node, one slab of nodes, and any number of
//! [`Queue`]s, each counting its objects and bytes as libCacheSim's
//! sub-caches do. A node is on at most one queue; the policy owns the
//! queues, so moving a node between two of them borrows nothing twice.

use rustc_hash::FxHashMap;

use crate::id_index::IdIndex;
use crate::slab_list::{Ends, NIL, SlabList};

/// One object on a queue: its id, the size it was stored with, and what
/// its policy keeps beside it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry<M> {
    pub(crate) id: u64,
    pub(crate) size: u64,
    pub(crate) meta: M,
}

/// A queue from oldest (where libCacheSim's lists have their tail) to
/// newest (their head), with its object and byte counts.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Queue {
    ends: Ends,
    pub(crate) len: usize,
    pub(crate) bytes: u64,
}

impl Queue {
    pub(crate) fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The oldest node, if any.
    pub(crate) fn oldest(&self) -> Option<u32> {
        (self.ends.head != NIL).then_some(self.ends.head)
    }
}

/// The nodes of a family of queues and the index from id to node (of the
/// kind `I`, hashbrown unless a policy measured better with another; see
/// `id_index`).
#[derive(Debug, Clone)]
pub(crate) struct Lists<M, I = FxHashMap<u64, u32>> {
    index: I,
    nodes: SlabList<Entry<M>>,
}

impl<M, I: IdIndex> Default for Lists<M, I> {
    fn default() -> Self {
        Self {
            index: I::default(),
            nodes: SlabList::default(),
        }
    }
}

impl<M: Copy, I: IdIndex> Lists<M, I> {
    /// The node holding `id`, if any.
    #[inline]
    pub(crate) fn find(&self, id: u64) -> Option<u32> {
        self.index.get(id)
    }

    #[inline]
    pub(crate) fn entry(&self, node: u32) -> &Entry<M> {
        self.nodes.get(node)
    }

    #[inline]
    pub(crate) fn meta_mut(&mut self, node: u32) -> &mut M {
        &mut self.nodes.get_mut(node).meta
    }

    /// Nodes held, on every queue together.
    pub(crate) fn len(&self) -> usize {
        self.index.len()
    }

    /// The node just newer than `node` on its queue, if any.
    #[inline]
    pub(crate) fn newer(&self, node: u32) -> Option<u32> {
        let next = self.nodes.next(node);
        (next != NIL).then_some(next)
    }

    /// Adds `id`, which must not be held, as the newest on `queue`.
    #[inline]
    pub(crate) fn push(&mut self, queue: &mut Queue, id: u64, size: u64, meta: M) -> u32 {
        let node = self.nodes.insert(Entry { id, size, meta });
        self.index.insert(id, node);
        self.link(queue, node);
        node
    }

    /// Removes `node`, on `queue`, and returns what it held.
    #[inline]
    pub(crate) fn take(&mut self, queue: &mut Queue, node: u32) -> Entry<M> {
        self.unlink(queue, node);
        let entry = self.nodes.remove(node);
        self.index.remove(entry.id);
        entry
    }

    /// Removes the oldest node of `queue`, if any.
    #[inline]
    pub(crate) fn take_oldest(&mut self, queue: &mut Queue) -> Option<Entry<M>> {
        let node = queue.oldest()?;
        Some(self.take(queue, node))
    }

    /// Removes `id` from `queue` if it is held there.
    #[inline]
    pub(crate) fn take_id(&mut self, queue: &mut Queue, id: u64) -> Option<Entry<M>> {
        let node = self.find(id)?;
        Some(self.take(queue, node))
    }

    /// Takes `node` off `queue`; it stays held and indexed, to be linked
    /// onto a queue again with [`link`](Self::link).
    #[inline]
    pub(crate) fn unlink(&mut self, queue: &mut Queue, node: u32) {
        self.nodes.unlink(&mut queue.ends, node);
        queue.len -= 1;
        queue.bytes -= self.nodes.get(node).size;
    }

    /// Puts `node`, on no queue, as the newest on `queue`.
    #[inline]
    pub(crate) fn link(&mut self, queue: &mut Queue, node: u32) {
        self.nodes.push_back(&mut queue.ends, node);
        queue.len += 1;
        queue.bytes += self.nodes.get(node).size;
    }

    /// Makes `node` the newest on its own `queue`.
    #[inline]
    pub(crate) fn refresh(&mut self, queue: &mut Queue, node: u32) {
        self.nodes.move_to_back(&mut queue.ends, node);
    }

    /// Walks `queue`, checking its links, that each entry is indexed at its
    /// node and that its counts are right; returns its entries, oldest
    /// first.
    pub(crate) fn audit(&self, queue: &Queue, name: &str) -> Result<Vec<Entry<M>>, String> {
        let entries = self
            .nodes
            .audit(queue.ends)
            .map_err(|error| format!("{name}: {error}"))?;
        let mut at = queue.ends.head;
        let mut bytes = 0u64;
        for entry in &entries {
            if self.index.get(entry.id) != Some(at) {
                return Err(format!("{name}: object {} is indexed elsewhere", entry.id));
            }
            bytes += entry.size;
            at = self.nodes.next(at);
        }
        if entries.len() != queue.len || bytes != queue.bytes {
            return Err(format!(
                "{name} counts {} objects and {} bytes but holds {} and {bytes}",
                queue.len,
                queue.bytes,
                entries.len()
            ));
        }
        Ok(entries)
    }
}

/// A ghost queue: the ids (and sizes) of objects recently evicted, as
/// libCacheSim keeps them in a FIFO sub-cache of `capacity` bytes. An
/// entry is charged its object's stored size; one larger than the whole
/// ghost is not kept, and the oldest leave to make room.
#[derive(Debug, Clone)]
pub(crate) struct Ghosts<M> {
    lists: Lists<M>,
    queue: Queue,
    capacity: u64,
}

impl<M: Copy> Ghosts<M> {
    pub(crate) fn new(capacity: u64) -> Self {
        Self {
            lists: Lists::default(),
            queue: Queue::default(),
            capacity,
        }
    }

    /// Remembers an evicted object, as a request to the FIFO sub-cache
    /// would: nothing if it is remembered already (but its `meta` is
    /// updated) or larger than the ghost, else the oldest are forgotten
    /// until it fits.
    pub(crate) fn remember(&mut self, id: u64, size: u64, meta: M) {
        if let Some(node) = self.lists.find(id) {
            *self.lists.meta_mut(node) = meta;
            return;
        }
        if size > self.capacity {
            return;
        }
        while self.capacity - self.queue.bytes < size {
            if self.lists.take_oldest(&mut self.queue).is_none() {
                break;
            }
        }
        self.lists.push(&mut self.queue, id, size, meta);
    }

    /// Forgets `id`, returning its entry if it was remembered.
    pub(crate) fn forget(&mut self, id: u64) -> Option<Entry<M>> {
        self.lists.take_id(&mut self.queue, id)
    }

    /// Checks the queue and that it holds at most its capacity.
    pub(crate) fn audit(&self, name: &str) -> Result<Vec<Entry<M>>, String> {
        let entries = self.lists.audit(&self.queue, name)?;
        if self.queue.bytes > self.capacity || entries.len() != self.lists.len() {
            return Err(format!(
                "{name} holds {} bytes in {} objects ({} indexed), its capacity {}",
                self.queue.bytes,
                entries.len(),
                self.lists.len(),
                self.capacity
            ));
        }
        Ok(entries)
    }
}
