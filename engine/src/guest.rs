//! [`Guest`]: one instance of a module, its memory reached only through
//! bounds-checked copies (its exports are resolved and called through
//! [`Export`](crate::Export)s).

use std::sync::Arc;

use crate::runtime::{CallFailure, call_error, export_error};
use crate::types::{Params, Results};
use crate::{Error, FunctionInner, GuestInner, Limits};

/// One instance of a module, with its store and memory.
pub struct Guest {
    inner: GuestInner,
    module: Arc<str>,
    /// Its limits: fuel, named in errors; the memory cap, named when a trap
    /// comes with memory at the cap; the deadline.
    limits: Limits,
}

impl std::fmt::Debug for Guest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guest")
            .field("module", &self.module)
            .finish_non_exhaustive()
    }
}

impl Guest {
    pub(crate) const fn new(inner: GuestInner, module: Arc<str>, limits: Limits) -> Self {
        Self {
            inner,
            module,
            limits,
        }
    }

    /// The module's name in errors.
    #[must_use]
    pub fn module(&self) -> &str {
        &self.module
    }

    /// The function export `name`, typed `P -> R`.
    pub(crate) fn typed_function<P: Params, R: Results>(
        &mut self,
        name: &'static str,
    ) -> Result<FunctionInner<P, R>, Error> {
        self.inner.typed_function::<P, R>(name).map_err(|problem| {
            let expected = format!("{} -> {}", P::describe(), R::describe());
            export_error(&self.module, name, &expected, problem)
        })
    }

    /// Calls `function`; a failure becomes the error naming `export`.
    #[inline(always)]
    pub(crate) fn call_function<P: Params, R: Results>(
        &mut self,
        export: &str,
        function: &FunctionInner<P, R>,
        params: P,
    ) -> Result<R, Error> {
        self.inner
            .call(function, params)
            .map_err(|failure| self.call_failed(export, failure))
    }

    #[cold]
    fn call_failed(&self, export: &str, failure: CallFailure) -> Error {
        let memory = self
            .limits
            .max_memory_bytes()
            .map(|cap| (self.inner.memory_size(), cap));
        call_error(&self.module, export, &self.limits, failure, memory)
    }

    /// Copies `bytes` into guest memory at `offset`, after checking the whole
    /// range lies inside it.
    #[inline]
    pub fn write(&mut self, offset: u32, bytes: &[u8], what: &str) -> Result<(), Error> {
        if self.inner.write(u64::from(offset), bytes) {
            Ok(())
        } else {
            Err(self.out_of_bounds(what, offset, bytes.len()))
        }
    }

    /// Copies `buffer.len()` bytes out of guest memory at `offset`, after
    /// checking the whole range lies inside it.
    #[inline]
    pub fn read(&self, offset: u32, buffer: &mut [u8], what: &str) -> Result<(), Error> {
        if self.inner.read(u64::from(offset), buffer) {
            Ok(())
        } else {
            Err(self.out_of_bounds(what, offset, buffer.len()))
        }
    }

    /// Checks that `len` bytes at `offset` lie inside guest memory now.
    pub fn check_range(&self, offset: u32, len: usize, what: &str) -> Result<(), Error> {
        let end = u64::from(offset).checked_add(len as u64);
        if end.is_some_and(|end| end <= self.inner.memory_size()) {
            Ok(())
        } else {
            Err(self.out_of_bounds(what, offset, len))
        }
    }

    #[cold]
    fn out_of_bounds(&self, what: &str, offset: u32, len: usize) -> Error {
        Error::OutOfBounds {
            module: self.module.to_string(),
            what: what.to_owned(),
            offset: u64::from(offset),
            len,
            memory: self.inner.memory_size(),
        }
    }
}
