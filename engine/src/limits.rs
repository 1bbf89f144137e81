//! What a guest may consume: fuel per call, memory per instance, and the
//! size of the module itself.
//!
//! Fuel is wasmer's metering middleware: compiled into the module, it
//! charges one point per WebAssembly operator and traps when a call has
//! spent its budget. It costs at every basic block, so a module is compiled
//! with it only when a budget is asked for; without one the hot path holds
//! nothing of it but a branch on an `Option`.
//!
//! The memory cap lowers every memory's declared maximum to the cap, so
//! `memory.grow` past it fails inside the guest (returns -1, as the
//! WebAssembly spec allows) instead of taking host memory, and a module
//! whose initial memory is already above it does not instantiate.

use std::ptr::NonNull;
use std::sync::Arc;

use wasmer::sys::vm::{
    MemoryError, MemoryStyle, TableStyle, VMMemory, VMMemoryDefinition, VMTable, VMTableDefinition,
};
use wasmer::sys::{BaseTunables, Tunables};
use wasmer::{Global, Instance, MemoryType, Pages, Store, TableType, Value};

use crate::Error;

/// Largest module accepted unless [`Limits::max_module_bytes`] says
/// otherwise: 32 MiB, a hundred times wsim's own policy guests.
pub const DEFAULT_MAX_MODULE_BYTES: u64 = 32 << 20;

/// Bytes in a WebAssembly page.
const PAGE: u64 = 64 << 10;

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
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            fuel: None,
            max_memory: None,
            max_module_bytes: DEFAULT_MAX_MODULE_BYTES,
        }
    }
}

impl Limits {
    /// The memory cap in whole pages, if any.
    pub(crate) fn max_pages(&self) -> Option<Pages> {
        self.max_memory.map(|bytes| {
            let pages = (bytes / PAGE).min(u64::from(wasmer::WASM_MAX_PAGES));
            Pages(u32::try_from(pages).unwrap_or(wasmer::WASM_MAX_PAGES))
        })
    }
}

/// wasmer's default tunables with every memory's maximum lowered to a cap.
pub(crate) struct CappedMemory {
    base: BaseTunables,
    cap: Pages,
}

impl CappedMemory {
    pub(crate) const fn new(cap: Pages) -> Self {
        Self {
            base: BaseTunables {},
            cap,
        }
    }

    /// `ty` with its maximum no higher than the cap; an error if even its
    /// minimum is above it.
    fn capped(&self, ty: &MemoryType) -> Result<MemoryType, MemoryError> {
        if ty.minimum > self.cap {
            return Err(MemoryError::MinimumMemoryTooLarge {
                min_requested: ty.minimum,
                max_allowed: self.cap,
            });
        }
        let mut capped = *ty;
        capped.maximum = Some(ty.maximum.map_or(self.cap, |maximum| maximum.min(self.cap)));
        Ok(capped)
    }
}

impl Tunables for CappedMemory {
    fn memory_style(&self, memory: &MemoryType) -> MemoryStyle {
        // Static, whatever the cap: the bounds-check-free code is the same.
        self.base.memory_style(memory)
    }

    fn table_style(&self, table: &TableType) -> TableStyle {
        self.base.table_style(table)
    }

    fn create_host_memory(
        &self,
        ty: &MemoryType,
        style: &MemoryStyle,
    ) -> Result<VMMemory, MemoryError> {
        self.base.create_host_memory(&self.capped(ty)?, style)
    }

    unsafe fn create_vm_memory(
        &self,
        ty: &MemoryType,
        style: &MemoryStyle,
        vm_definition_location: NonNull<VMMemoryDefinition>,
    ) -> Result<VMMemory, MemoryError> {
        let capped = self.capped(ty)?;
        // SAFETY: the caller's guarantee for `vm_definition_location` is
        // passed on unchanged; only the memory type differs, and a lower
        // maximum is always valid.
        unsafe {
            self.base
                .create_vm_memory(&capped, style, vm_definition_location)
        }
    }

    fn create_host_table(&self, ty: &TableType, style: &TableStyle) -> Result<VMTable, String> {
        self.base.create_host_table(ty, style)
    }

    unsafe fn create_vm_table(
        &self,
        ty: &TableType,
        style: &TableStyle,
        vm_definition_location: NonNull<VMTableDefinition>,
    ) -> Result<VMTable, String> {
        // SAFETY: the caller's guarantee, passed on unchanged.
        unsafe { self.base.create_vm_table(ty, style, vm_definition_location) }
    }
}

/// What fuel charges for each operator.
type OperatorCost = fn(&wasmer::wasmparser::Operator<'_>) -> u64;

/// The metering middleware, charging one point per operator. A `Metering`
/// instruments one module only, so each compile makes a fresh one.
pub(crate) fn metering() -> Arc<wasmer_middlewares::Metering<OperatorCost>> {
    fn one_point(_: &wasmer::wasmparser::Operator<'_>) -> u64 {
        1
    }
    Arc::new(wasmer_middlewares::Metering::new(0, one_point))
}

/// Whether `name` is one of the globals the metering middleware exports.
pub(crate) fn is_metering_global(name: &str) -> bool {
    name == Meter::REMAINING || name == Meter::EXHAUSTED
}

/// The globals the metering middleware adds to an instance, resolved once.
pub(crate) struct Meter {
    remaining: Global,
    exhausted: Global,
    budget: i64,
}

impl Meter {
    const REMAINING: &'static str = "wasmer_metering_remaining_points";
    const EXHAUSTED: &'static str = "wasmer_metering_points_exhausted";

    pub(crate) fn new(instance: &Instance, budget: u64, module: &str) -> Result<Self, Error> {
        let global = |name: &str| {
            instance
                .exports
                .get_global(name)
                .cloned()
                .map_err(|_| Error::Instantiate {
                    module: module.to_owned(),
                    reason: format!("metering global `{name}` missing from a metered module"),
                })
        };
        Ok(Self {
            remaining: global(Self::REMAINING)?,
            exhausted: global(Self::EXHAUSTED)?,
            budget: i64::try_from(budget).unwrap_or(i64::MAX),
        })
    }

    /// Gives the next call its whole budget.
    #[inline]
    pub(crate) fn refuel(&self, store: &mut Store) -> Result<(), wasmer::RuntimeError> {
        self.remaining.set(store, Value::I64(self.budget))
    }

    /// Whether the last call ran out of fuel.
    pub(crate) fn exhausted(&self, store: &mut Store) -> bool {
        matches!(self.exhausted.get(store), Value::I32(flag) if flag != 0)
    }

    /// The budget per call.
    #[expect(clippy::cast_sign_loss, reason = "made from a u64")]
    pub(crate) const fn budget(&self) -> u64 {
        self.budget as u64
    }
}
