//! libCacheSim's binary max-heap (`dataStructure/pqueue.c`, libpqueue),
//! ported move for move, because the policies built on it (Size, Belady)
//! break ties in priority by where its mechanics leave equal nodes.
//!
//! A 1-indexed array; `a` sorts below `b` when `a.priority < b.priority`
//! (strict, on `f64`), so the root holds a maximal priority. The moves:
//! - up: while the parent is strictly below the node, the parent moves
//!   down into its slot;
//! - down: the larger child (the left one on a tie) moves up while the
//!   node is strictly below it;
//! - insert: append, then up; pop: take the root, move the last node to
//!   the root, then down;
//! - change priority: up if the new priority is above the old one, else
//!   down (so an unchanged priority moves nothing).

use rustc_hash::FxHashMap;

use crate::{Held, Request, Victim};

/// One heap entry: an object, its priority and what the policy keeps with
/// it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Node<M> {
    pub(crate) priority: f64,
    pub(crate) id: u64,
    pub(crate) meta: M,
}

/// The heap, with an index from object id to slot (libCacheSim keeps a
/// pointer to the node in the object instead).
#[derive(Debug, Clone)]
pub(crate) struct Heap<M> {
    /// Slot `i` (1-based, as in libpqueue) is `nodes[i - 1]`.
    nodes: Vec<Node<M>>,
    slots: FxHashMap<u64, usize>,
}

impl<M> Default for Heap<M> {
    fn default() -> Self {
        Self {
            nodes: Vec::new(),
            slots: FxHashMap::default(),
        }
    }
}

impl<M: Copy> Heap<M> {
    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Adds `id`, which must not be in the heap.
    pub(crate) fn insert(&mut self, id: u64, priority: f64, meta: M) {
        self.nodes.push(Node { priority, id, meta });
        self.up(self.nodes.len());
    }

    /// Takes the root: a node of maximal priority.
    pub(crate) fn pop(&mut self) -> Option<Node<M>> {
        let last = self.nodes.pop()?;
        self.slots.remove(&last.id);
        let Some(root) = self.nodes.first_mut() else {
            return Some(last);
        };
        let head = core::mem::replace(root, last);
        self.slots.remove(&head.id);
        self.down(1);
        Some(head)
    }

    /// Gives `id` a new priority; `false` if it is not in the heap.
    pub(crate) fn change_priority(&mut self, id: u64, priority: f64) -> bool {
        let Some(&slot) = self.slots.get(&id) else {
            return false;
        };
        let node = &mut self.nodes[slot - 1];
        let old = core::mem::replace(&mut node.priority, priority);
        if old < priority {
            self.up(slot);
        } else {
            self.down(slot);
        }
        true
    }

    fn place(&mut self, slot: usize, node: Node<M>) {
        self.slots.insert(node.id, slot);
        self.nodes[slot - 1] = node;
    }

    fn up(&mut self, mut slot: usize) {
        let moving = self.nodes[slot - 1];
        while slot > 1 && self.nodes[slot / 2 - 1].priority < moving.priority {
            self.place(slot, self.nodes[slot / 2 - 1]);
            slot /= 2;
        }
        self.place(slot, moving);
    }

    /// libpqueue's `maxchild`: the larger child, the left one on a tie.
    fn larger_child(&self, slot: usize) -> Option<usize> {
        let left = 2 * slot;
        if left > self.nodes.len() {
            return None;
        }
        if left < self.nodes.len() && self.nodes[left - 1].priority < self.nodes[left].priority {
            return Some(left + 1);
        }
        Some(left)
    }

    fn down(&mut self, mut slot: usize) {
        let moving = self.nodes[slot - 1];
        while let Some(child) = self.larger_child(slot)
            && moving.priority < self.nodes[child - 1].priority
        {
            self.place(slot, self.nodes[child - 1]);
            slot = child;
        }
        self.place(slot, moving);
    }

    /// Checks the heap order and the index; the nodes, for the caller's
    /// own checks.
    pub(crate) fn audit(&self) -> Result<&[Node<M>], String> {
        if self.slots.len() != self.nodes.len() {
            return Err(format!(
                "{} heap nodes but {} indexed",
                self.nodes.len(),
                self.slots.len()
            ));
        }
        for (index, node) in self.nodes.iter().enumerate() {
            let slot = index + 1;
            if self.slots.get(&node.id) != Some(&slot) {
                return Err(format!("object {} is indexed at the wrong slot", node.id));
            }
            if node.priority.is_nan() {
                return Err(format!("object {} has no priority", node.id));
            }
            if slot > 1 && self.nodes[slot / 2 - 1].priority < node.priority {
                return Err(format!("object {} is above its parent", node.id));
            }
        }
        Ok(&self.nodes)
    }
}

/// Cached objects in a [`Heap`] by some priority, each keeping the size
/// it was stored with, and their bytes: all of Size and Belady but the
/// priority each computes from a request.
#[derive(Debug, Clone, Default)]
pub(crate) struct Prioritised {
    heap: Heap<u64>,
    bytes: u64,
}

impl Prioritised {
    /// Gives `id`, if held, a new priority; whether it was held.
    pub(crate) fn hit(&mut self, id: u64, priority: f64) -> bool {
        self.heap.change_priority(id, priority)
    }

    /// Holds `request`'s object with `priority`.
    pub(crate) fn admit(&mut self, request: &Request, priority: f64) {
        self.heap.insert(request.id, priority, request.size);
        self.bytes += request.size;
    }

    /// Takes out the root: a largest priority.
    pub(crate) fn evict(&mut self) -> Option<Victim> {
        let node = self.heap.pop()?;
        self.bytes -= node.meta;
        Some(Victim {
            id: node.id,
            size: node.meta,
        })
    }

    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }

    pub(crate) fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Checks the heap; what its nodes hold.
    pub(crate) fn audit(&self) -> Result<Held, String> {
        let nodes = self.heap.audit()?;
        Ok(Held {
            objects: nodes.len() as u64,
            bytes: nodes.iter().map(|node| u128::from(node.meta)).sum(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(heap: &Heap<()>) -> Vec<u64> {
        heap.audit().unwrap().iter().map(|node| node.id).collect()
    }

    #[test]
    fn equal_priorities_move_as_in_libpqueue() {
        // Unit sizes in libCacheSim's Size: the root goes, the last slot
        // takes its place and stays there (children are not above it).
        let mut heap = Heap::default();
        for id in [1, 2, 3] {
            heap.insert(id, 1.0, ());
        }
        assert_eq!(heap.pop().map(|node| node.id), Some(1));
        assert_eq!(ids(&heap), [3, 2]);
        heap.insert(4, 1.0, ());
        assert_eq!(ids(&heap), [3, 2, 4]);
        // A larger priority rises over equal ones; a smaller one sinks
        // below the larger child, the left one on a tie.
        assert!(heap.change_priority(4, 2.0));
        assert_eq!(ids(&heap), [4, 2, 3]);
        assert!(heap.change_priority(4, 0.5));
        assert_eq!(ids(&heap), [2, 4, 3]);
        assert!(!heap.change_priority(9, 1.0));
        heap.audit().unwrap();
        let order: Vec<u64> = core::iter::from_fn(|| heap.pop().map(|node| node.id)).collect();
        assert_eq!(order, [2, 3, 4]);
        assert_eq!(heap.len(), 0);
    }
}
