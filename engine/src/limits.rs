//! What a guest may consume: fuel per call, memory per instance, and the
//! size of the module itself. Each runtime enforces them its own way
//! (`wasmer_runtime`, `wasmtime_runtime`); the numbers mean the same on both.
//!
//! Fuel is about one point per WebAssembly operator, and a call that spends
//! its budget traps. It costs at every basic block, so a module is compiled
//! with it only when a budget is asked for; without one the hot path holds
//! nothing of it but a branch on an `Option`.
//!
//! The memory cap makes `memory.grow` past it fail inside the guest
//! (returns -1, as the WebAssembly spec allows) instead of taking host
//! memory, and a module whose initial memory is already above it does not
//! instantiate.

/// Largest module accepted unless [`Limits::max_module_bytes`] says
/// otherwise: 32 MiB, a hundred times wsim's own policy guests.
pub const DEFAULT_MAX_MODULE_BYTES: u64 = 32 << 20;

/// Elements a guest's table may grow to, on either runtime: a policy's
/// function table holds a few hundred; `table.grow` without end stops here
/// (returns -1) instead of taking host memory.
pub(crate) const MAX_TABLE_ELEMENTS: u32 = 1 << 20;

/// Bytes in a WebAssembly page.
const PAGE: u64 = 64 << 10;

/// Pages in wasm32's 4 GiB.
const WASM32_MAX_PAGES: u32 = 65536;

/// The resources a guest may use. The default is no fuel metering, wasm32's
/// 4 GiB of memory, and modules up to [`DEFAULT_MAX_MODULE_BYTES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limits {
    /// Metering points (about one per WebAssembly operator) each call into
    /// the guest may spend; `None` compiles the module without metering.
    pub fuel: Option<u64>,
    /// Bytes of linear memory an instance may grow to (rounded down to
    /// whole 64 KiB pages); `None` leaves wasm32's 4 GiB.
    pub max_memory: Option<u64>,
    /// Largest module file accepted, in bytes.
    pub max_module_bytes: u64,
    /// Wall-clock time an instance may run, from instantiation to its last
    /// call; `None`: no limit. wasmtime stops a running guest at it (epoch
    /// interruption, checked every 10 ms), and so does wasmer in a build
    /// with the `wasmer-deadline` feature; without it, a wasmer engine with
    /// a deadline is refused ([`Error::DeadlineNotBuilt`](crate::Error::DeadlineNotBuilt)).
    pub deadline: Option<std::time::Duration>,
}

/// How often a deadline is checked: the engine's epoch ticks this often.
#[cfg(any(feature = "wasmtime", feature = "wasmer-deadline"))]
pub(crate) const DEADLINE_TICK: std::time::Duration = std::time::Duration::from_millis(10);

impl Default for Limits {
    fn default() -> Self {
        Self {
            fuel: None,
            max_memory: None,
            max_module_bytes: DEFAULT_MAX_MODULE_BYTES,
            deadline: None,
        }
    }
}

impl Limits {
    /// The memory cap in whole 64 KiB pages, if any.
    pub(crate) fn max_pages(&self) -> Option<u32> {
        self.max_memory.map(|bytes| {
            let pages = (bytes / PAGE).min(u64::from(WASM32_MAX_PAGES));
            u32::try_from(pages).unwrap_or(WASM32_MAX_PAGES)
        })
    }

    /// These limits with a fuel budget of `budget` per call; only code
    /// compiled with metering (a budget already here) has fuel to give, so
    /// `name`'s module is refused otherwise.
    pub(crate) fn refuelled(self, name: &str, budget: u64) -> Result<Self, crate::Error> {
        if self.fuel.is_none() {
            return Err(crate::Error::NotMetered {
                module: name.to_owned(),
            });
        }
        Ok(Self {
            fuel: Some(budget),
            ..self
        })
    }

    /// The deadline in epoch ticks, rounded up.
    #[cfg(feature = "wasmtime")]
    pub(crate) fn deadline_ticks(&self) -> Option<u64> {
        self.deadline.map(|deadline| {
            let ticks = deadline
                .as_nanos()
                .div_ceil(DEADLINE_TICK.as_nanos())
                .max(1);
            u64::try_from(ticks).unwrap_or(u64::MAX)
        })
    }

    /// The memory cap in bytes, whole pages, if any.
    pub(crate) fn max_memory_bytes(&self) -> Option<u64> {
        self.max_pages().map(|pages| u64::from(pages) * PAGE)
    }
}
