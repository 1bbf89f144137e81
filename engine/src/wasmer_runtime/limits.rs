//! How wasmer enforces [`Limits`](crate::Limits): a `Tunables` that caps
//! every memory, and the metering middleware for fuel.

use std::ptr::NonNull;
use std::sync::Arc;

use wasmer::sys::vm::{
    MemoryError, MemoryStyle, TableStyle, VMMemory, VMMemoryDefinition, VMTable, VMTableDefinition,
};
use wasmer::sys::{BaseTunables, Tunables};
use wasmer::{Global, Instance, MemoryType, Pages, Store, TableType, Value};

use crate::Error;
use crate::limits::MAX_TABLE_ELEMENTS;

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
        self.base.create_host_table(&capped_table(ty)?, style)
    }

    unsafe fn create_vm_table(
        &self,
        ty: &TableType,
        style: &TableStyle,
        vm_definition_location: NonNull<VMTableDefinition>,
    ) -> Result<VMTable, String> {
        let capped = capped_table(ty)?;
        // SAFETY: the caller's guarantee, passed on unchanged; only the
        // table type differs, and a lower maximum is always valid.
        unsafe {
            self.base
                .create_vm_table(&capped, style, vm_definition_location)
        }
    }
}

/// `ty` with its maximum no higher than [`MAX_TABLE_ELEMENTS`]; an error if
/// even its minimum is above it.
fn capped_table(ty: &TableType) -> Result<TableType, String> {
    if ty.minimum > MAX_TABLE_ELEMENTS {
        return Err(format!(
            "a table of {} elements at start is above the limit of {MAX_TABLE_ELEMENTS}",
            ty.minimum
        ));
    }
    let mut capped = *ty;
    capped.maximum = Some(ty.maximum.map_or(MAX_TABLE_ELEMENTS, |maximum| {
        maximum.min(MAX_TABLE_ELEMENTS)
    }));
    Ok(capped)
}

/// What fuel charges for each operator.
type OperatorCost = fn(&wasmer::wasmparser::Operator<'_>) -> u64;

/// The metering middleware, charging one point per operator, with
/// `start_budget` points for a start function (compiled in: calls get
/// theirs from [`Meter::refuel`]). A `Metering` instruments one module
/// only, so each compile makes a fresh one.
pub(crate) fn metering(start_budget: u64) -> Arc<wasmer_middlewares::Metering<OperatorCost>> {
    fn one_point(_: &wasmer::wasmparser::Operator<'_>) -> u64 {
        1
    }
    Arc::new(wasmer_middlewares::Metering::new(start_budget, one_point))
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
        self.remaining.set(store, Value::I64(self.budget))?;
        // A call that ran out leaves the flag up; cleared, so a later trap
        // of another kind is not taken for running out of fuel.
        self.exhausted.set(store, Value::I32(0))
    }

    /// Whether the last call ran out of fuel.
    pub(crate) fn exhausted(&self, store: &mut Store) -> bool {
        matches!(self.exhausted.get(store), Value::I32(flag) if flag != 0)
    }
}
