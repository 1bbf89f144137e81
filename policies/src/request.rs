//! What a trace asks of a cache.

/// One request of a trace: an object and its size.
///
/// With `--ignore-size` every size is 1 and capacities count objects instead of bytes.
///
/// Its layout is fixed (`repr(C)`: `id` then `size`, 16 bytes), so on a
/// little-endian host a slice of requests already is the Batch ABI's wire
/// format and crosses into a guest in one copy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wire", derive(bytemuck::Pod, bytemuck::Zeroable))]
#[repr(C)]
pub struct Request {
    /// The object's identity; any `u64`.
    pub id: u64,
    /// The object's size in bytes (or 1 when sizes are ignored).
    pub size: u64,
}

impl Request {
    /// A request for object `id` of `size` bytes.
    #[must_use]
    pub const fn new(id: u64, size: u64) -> Self {
        Self { id, size }
    }
}
