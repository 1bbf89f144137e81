//! Doubly linked lists threaded through one slab of nodes.
//!
//! LRU keeps one list (recency order); LFU keeps one list per frequency and a
//! list of those frequencies. Nodes live in a `Vec` and link by `u32` index, so
//! every move is O(1) with no allocation once the slab has grown: the structure
//! the O(1) LRU and LFU of the literature describe (Shah, Mitra and Matani 2010).

/// The index that links to nothing.
pub(crate) const NIL: u32 = u32::MAX;

#[derive(Debug, Clone)]
struct Node<T> {
    value: T,
    prev: u32,
    next: u32,
}

/// The two ends of one list; the nodes themselves live in a [`SlabList`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ends {
    pub(crate) head: u32,
    pub(crate) tail: u32,
}

impl Ends {
    pub(crate) const EMPTY: Self = Self {
        head: NIL,
        tail: NIL,
    };

    pub(crate) fn is_empty(self) -> bool {
        self.head == NIL
    }
}

impl Default for Ends {
    fn default() -> Self {
        Self::EMPTY
    }
}

/// A slab of list nodes with a free list; removed slots are reused.
#[derive(Debug, Clone)]
pub(crate) struct SlabList<T> {
    nodes: Vec<Node<T>>,
    /// First free slot, chained through `next`.
    free: u32,
    live: usize,
}

impl<T> Default for SlabList<T> {
    fn default() -> Self {
        Self {
            nodes: Vec::new(),
            free: NIL,
            live: 0,
        }
    }
}

impl<T: Copy> SlabList<T> {
    /// Stores `value` in an unlinked node and returns the node's index.
    pub(crate) fn insert(&mut self, value: T) -> u32 {
        self.live += 1;
        let node = Node {
            value,
            prev: NIL,
            next: NIL,
        };
        if self.free == NIL {
            let index = u32::try_from(self.nodes.len())
                .ok()
                .filter(|&index| index != NIL)
                .expect("a slab holds fewer than 2^32 - 1 nodes");
            self.nodes.push(node);
            index
        } else {
            let index = self.free;
            let slot = &mut self.nodes[index as usize];
            self.free = slot.next;
            *slot = node;
            index
        }
    }

    /// Frees an unlinked node and returns its value.
    pub(crate) fn remove(&mut self, index: u32) -> T {
        self.live -= 1;
        let slot = &mut self.nodes[index as usize];
        slot.prev = NIL;
        slot.next = self.free;
        self.free = index;
        slot.value
    }

    /// Nodes in use.
    pub(crate) fn len(&self) -> usize {
        self.live
    }

    pub(crate) fn get(&self, index: u32) -> &T {
        &self.nodes[index as usize].value
    }

    pub(crate) fn get_mut(&mut self, index: u32) -> &mut T {
        &mut self.nodes[index as usize].value
    }

    /// The node after `index` in its list, or [`NIL`].
    pub(crate) fn next(&self, index: u32) -> u32 {
        self.nodes[index as usize].next
    }

    /// Links an unlinked node at the tail of `list`.
    pub(crate) fn push_back(&mut self, list: &mut Ends, index: u32) {
        let old_tail = list.tail;
        self.link(index, old_tail, NIL);
        if old_tail == NIL {
            list.head = index;
        } else {
            self.nodes[old_tail as usize].next = index;
        }
        list.tail = index;
    }

    /// Links an unlinked node at the head of `list`.
    pub(crate) fn push_front(&mut self, list: &mut Ends, index: u32) {
        let old_head = list.head;
        self.link(index, NIL, old_head);
        if old_head == NIL {
            list.tail = index;
        } else {
            self.nodes[old_head as usize].prev = index;
        }
        list.head = index;
    }

    /// Links an unlinked node right after `after`, which is in `list`.
    pub(crate) fn insert_after(&mut self, list: &mut Ends, after: u32, index: u32) {
        let next = self.nodes[after as usize].next;
        self.link(index, after, next);
        self.nodes[after as usize].next = index;
        if next == NIL {
            list.tail = index;
        } else {
            self.nodes[next as usize].prev = index;
        }
    }

    /// Takes a node out of `list`, leaving it unlinked but allocated.
    pub(crate) fn unlink(&mut self, list: &mut Ends, index: u32) {
        let Node { prev, next, .. } = self.nodes[index as usize];
        if prev == NIL {
            list.head = next;
        } else {
            self.nodes[prev as usize].next = next;
        }
        if next == NIL {
            list.tail = prev;
        } else {
            self.nodes[next as usize].prev = prev;
        }
        self.link(index, NIL, NIL);
    }

    /// Moves a node of `list` to its tail.
    pub(crate) fn move_to_back(&mut self, list: &mut Ends, index: u32) {
        if list.tail != index {
            self.unlink(list, index);
            self.push_back(list, index);
        }
    }

    /// The values of `list`, head to tail, after checking its links agree both
    /// ways. Used by the invariant checks, not on the hot path.
    pub(crate) fn audit(&self, list: Ends) -> Result<Vec<T>, String> {
        let mut values = Vec::new();
        let mut prev = NIL;
        let mut at = list.head;
        while at != NIL {
            let node = self
                .nodes
                .get(at as usize)
                .ok_or_else(|| format!("link to node {at} outside the slab"))?;
            if node.prev != prev {
                return Err(format!(
                    "node {at} links back to {} instead of {prev}",
                    node.prev
                ));
            }
            values.push(node.value);
            if values.len() > self.live {
                return Err("a list is longer than the slab: it has a cycle".to_owned());
            }
            prev = at;
            at = node.next;
        }
        if list.tail != prev {
            return Err(format!(
                "list tail is {} but its last node is {prev}",
                list.tail
            ));
        }
        Ok(values)
    }

    fn link(&mut self, index: u32, prev: u32, next: u32) {
        let node = &mut self.nodes[index as usize];
        node.prev = prev;
        node.next = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_keep_order_through_moves_and_reuse() {
        let mut slab = SlabList::default();
        let mut list = Ends::EMPTY;
        let a = slab.insert('a');
        let b = slab.insert('b');
        let c = slab.insert('c');
        slab.push_back(&mut list, a);
        slab.push_back(&mut list, b);
        slab.push_front(&mut list, c);
        assert_eq!(slab.audit(list).unwrap(), ['c', 'a', 'b']);
        slab.move_to_back(&mut list, c);
        assert_eq!(slab.audit(list).unwrap(), ['a', 'b', 'c']);
        slab.unlink(&mut list, b);
        assert_eq!(slab.remove(b), 'b');
        let d = slab.insert('d');
        assert_eq!(d, b, "a freed slot is reused");
        slab.insert_after(&mut list, a, d);
        assert_eq!(slab.audit(list).unwrap(), ['a', 'd', 'c']);
        let e = slab.insert('e');
        slab.insert_after(&mut list, c, e);
        assert_eq!(list.tail, e);
        assert_eq!(slab.audit(list).unwrap(), ['a', 'd', 'c', 'e']);
        assert_eq!(slab.len(), 4);
    }

    #[test]
    fn audit_reports_a_broken_back_link() {
        let mut slab = SlabList::default();
        let mut list = Ends::EMPTY;
        let a = slab.insert(1);
        let b = slab.insert(2);
        slab.push_back(&mut list, a);
        slab.push_back(&mut list, b);
        slab.nodes[b as usize].prev = NIL;
        assert!(slab.audit(list).is_err());
    }
}
