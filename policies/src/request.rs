//! What a trace asks of a cache.

/// One request of a trace: an object, its size, and when it is next
/// requested.
///
/// With `--ignore-size` every size is 1 and capacities count objects instead of bytes.
///
/// Its layout is fixed (`repr(C)`: `id`, `size`, `next_access`, 24 bytes),
/// so on a little-endian host a slice of requests already is the Batch
/// ABI's wire format (version 2) and crosses into a guest in one copy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wire", derive(bytemuck::Pod, bytemuck::Zeroable))]
#[repr(C)]
pub struct Request {
    /// The object's identity; any `u64`.
    pub id: u64,
    /// The object's size in bytes (or 1 when sizes are ignored).
    pub size: u64,
    /// When the object is requested next: the 1-based index of that request
    /// in the trace (oracleGeneral's `next_access_vtime`), or
    /// [`Request::NEVER`] when it is not requested again or the trace does
    /// not say. Only future-aware policies (Belady) read it; a run that has
    /// one computes it for traces that do not carry it.
    pub next_access: i64,
}

impl Request {
    /// `next_access` of an object not requested again (or not known).
    pub const NEVER: i64 = -1;

    /// A request for object `id` of `size` bytes, its next access unknown.
    #[must_use]
    pub const fn new(id: u64, size: u64) -> Self {
        Self {
            id,
            size,
            next_access: Self::NEVER,
        }
    }

    /// The same request, next requested at `next_access` (1-based; -1 for
    /// never).
    #[must_use]
    pub const fn next_at(self, next_access: i64) -> Self {
        Self {
            next_access,
            ..self
        }
    }

    /// When the object is requested next, `None` for never.
    #[must_use]
    pub fn next_access(&self) -> Option<u64> {
        u64::try_from(self.next_access).ok()
    }
}

/// For each request (in order, 0-based), the 1-based index of the next
/// request for the same object, or [`Request::NEVER`]: one pass forward,
/// each request filling in the last one for its object.
#[must_use]
pub fn next_accesses(ids: impl IntoIterator<Item = u64>) -> Vec<i64> {
    let mut next = Vec::new();
    let mut last: rustc_hash::FxHashMap<u64, usize> = rustc_hash::FxHashMap::default();
    for (index, id) in ids.into_iter().enumerate() {
        next.push(Request::NEVER);
        if let Some(previous) = last.insert(id, index) {
            next[previous] = i64::try_from(index + 1).unwrap_or(i64::MAX);
        }
    }
    next
}
