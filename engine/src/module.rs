//! [`Module`]: a compiled module, ready to instantiate any number of times;
//! and [`BareFunction`], one of its exports called the runtime's own way.

use std::sync::Arc;

use crate::types::{Params, Results};
use crate::{BareInner, Compiler, Error, Guest, Limits, ModuleInner, Origin, Runtime};

/// A compiled module, ready to instantiate any number of times.
#[derive(Clone)]
pub struct Module {
    inner: ModuleInner,
    runtime: Runtime,
    compiler: Compiler,
    limits: Limits,
    name: Arc<str>,
    origin: Origin,
}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module")
            .field("name", &self.name)
            .field("runtime", &self.runtime)
            .finish_non_exhaustive()
    }
}

impl Module {
    pub(crate) fn new(
        inner: ModuleInner,
        runtime: Runtime,
        compiler: Compiler,
        limits: Limits,
        name: &str,
        origin: Origin,
    ) -> Self {
        Self {
            inner,
            runtime,
            compiler,
            limits,
            name: name.into(),
            origin,
        }
    }

    /// The module's name in errors.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The runtime it was compiled for.
    #[must_use]
    pub const fn runtime(&self) -> Runtime {
        self.runtime
    }

    /// The compiler that compiled it.
    #[must_use]
    pub const fn compiler(&self) -> Compiler {
        self.compiler
    }

    /// The limits its instances are held to.
    #[must_use]
    pub const fn limits(&self) -> Limits {
        self.limits
    }

    /// Whether it was compiled with fuel metering.
    #[must_use]
    pub const fn is_metered(&self) -> bool {
        self.limits.fuel.is_some()
    }

    /// The same module, its instances given `budget` points of fuel per
    /// call. Only a metered module has fuel to give.
    pub fn with_fuel(&self, budget: u64) -> Result<Self, Error> {
        Ok(Self {
            limits: self.limits.refuelled(&self.name, budget)?,
            ..self.clone()
        })
    }

    /// Where its machine code came from: compiled now, or the cache.
    #[must_use]
    pub const fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The functions it imports, as `module.name`: wsim provides none.
    #[must_use]
    pub fn imports(&self) -> Vec<String> {
        self.inner.imports()
    }

    /// Refuses a module that imports anything: it could never be
    /// instantiated, so callers may say so before trying.
    pub fn check_imports(&self) -> Result<(), Error> {
        let imports = self.imports();
        if imports.is_empty() {
            return Ok(());
        }
        Err(Error::Imports {
            module: self.name.to_string(),
            imports: imports.join(", "),
        })
    }

    /// The module's exports: name and type. The globals wasmer's fuel
    /// metering adds are the engine's, not the module's, and are left out.
    #[must_use]
    pub fn exports(&self) -> Vec<(String, String)> {
        self.inner.exports(self.is_metered())
    }

    /// Whether the module exports a function called `name`.
    #[must_use]
    pub fn exports_function(&self, name: &str) -> bool {
        self.inner.exports_function(name)
    }

    /// A fresh instance in a store of its own. The module may import
    /// nothing, and must export its memory as `memory`.
    pub fn instantiate(&self) -> Result<Guest, Error> {
        self.check_imports()?;
        // Said in wsim's words, the same on every runtime.
        if let (Some(initial), Some(cap)) = (self.inner.initial_pages(), self.limits.max_pages())
            && initial > u64::from(cap)
        {
            return Err(Error::Instantiate {
                module: self.name.to_string(),
                reason: format!(
                    "its memory starts at {initial} pages (64 KiB each), above the cap of \
                     {cap} pages (--max-memory)"
                ),
            });
        }
        let inner = self.inner.instantiate(&self.limits, &self.name)?;
        Ok(Guest::new(inner, Arc::clone(&self.name), self.limits))
    }

    /// A fresh instance's export `name` as the runtime's own typed
    /// function, with no limits and nothing of wsim around its calls: what
    /// the micro-benchmark sets wsim's calls beside.
    pub fn bare_function<P: Params, R: Results>(
        &self,
        name: &str,
    ) -> Result<BareFunction<P, R>, Error> {
        self.check_imports()?;
        self.inner
            .bare(name)
            .map(BareFunction)
            .map_err(|reason| Error::Runtime {
                runtime: self.runtime.name(),
                reason: format!("{}: bare export `{name}`: {reason}", self.name),
            })
    }
}

/// An export called the runtime's own way ([`Module::bare_function`]).
pub struct BareFunction<P: Params, R: Results>(BareInner<P, R>);

impl<P: Params, R: Results> std::fmt::Debug for BareFunction<P, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BareFunction")
    }
}

impl<P: Params, R: Results> BareFunction<P, R> {
    /// Calls the function `count` times with `params(i)`, handing each
    /// result to `result`; the runtime is chosen once, outside the loop.
    #[inline]
    pub fn call_each(
        &mut self,
        count: u64,
        params: impl FnMut(u64) -> P,
        result: impl FnMut(R),
    ) -> Result<(), Error> {
        self.0
            .call_each(count, params, result)
            .map_err(|reason| Error::Trap {
                module: "bare".to_owned(),
                export: "bare call".to_owned(),
                reason,
            })
    }
}
