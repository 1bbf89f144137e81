//! The Component Model, which wasmtime alone hosts: [`Component`]s
//! compiled by an [`Engine`](crate::Engine) of wasmtime, and the
//! [`ComponentStore`] their instances live in, held to the same limits as
//! modules.

use std::sync::Arc;

use wasmtime::Store;

use super::{StoreState, failure, store, target};
use crate::cache::{self, KeyParts, ModuleCache, Origin};
use crate::runtime::{CallFailure, call_error};
use crate::{Error, Limits};

/// A compiled component (wasmtime's Component Model), ready to instantiate
/// any number of times.
#[derive(Clone)]
pub struct Component {
    engine: wasmtime::Engine,
    component: wasmtime::component::Component,
    limits: Limits,
    name: Arc<str>,
    origin: Origin,
}

impl std::fmt::Debug for Component {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Component")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Component {
    /// The component's name in errors.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where its machine code came from: compiled now, or the cache.
    #[must_use]
    pub const fn origin(&self) -> &Origin {
        &self.origin
    }

    /// Whether it was compiled with fuel metering.
    #[must_use]
    pub const fn is_metered(&self) -> bool {
        self.limits.fuel.is_some()
    }

    /// The same component, its instances given `budget` units of fuel per
    /// call. Only a metered component has fuel to give.
    pub fn with_fuel(&self, budget: u64) -> Result<Self, Error> {
        Ok(Self {
            limits: self.limits.refuelled(&self.name, budget)?,
            ..self.clone()
        })
    }

    /// wasmtime's component, to instantiate with bindings.
    #[must_use]
    pub const fn inner(&self) -> &wasmtime::component::Component {
        &self.component
    }

    /// A fresh store, held to the component's limits, for one instance.
    #[must_use]
    pub fn store(&self) -> ComponentStore {
        ComponentStore::new(&self.engine, &self.limits, Arc::clone(&self.name))
    }

    /// A linker with nothing in it: wsim gives components no imports.
    #[must_use]
    pub fn linker(&self) -> wasmtime::component::Linker<StoreState> {
        wasmtime::component::Linker::new(&self.engine)
    }
}

/// Compiles a component with `engine`, through `cache` when there is one.
pub(crate) fn compile_component(
    engine: &wasmtime::Engine,
    limits: &Limits,
    cache: Option<&ModuleCache>,
    name: &str,
    bytes: &[u8],
) -> Result<Component, Error> {
    let (component, origin) = compile_or_find(engine, limits, cache, name, bytes)?;
    Ok(Component {
        engine: engine.clone(),
        component,
        limits: *limits,
        name: name.into(),
        origin,
    })
}

/// Compiles a component, or finds it in `cache`.
fn compile_or_find(
    engine: &wasmtime::Engine,
    limits: &Limits,
    cache: Option<&ModuleCache>,
    name: &str,
    bytes: &[u8],
) -> Result<(wasmtime::component::Component, Origin), Error> {
    let compile = || {
        wasmtime::component::Component::new(engine, bytes).map_err(|error| Error::Compile {
            module: name.to_owned(),
            reason: format!("not a valid component: {error:#}"),
        })
    };
    let Some(cache) = cache else {
        return Ok((compile()?, Origin::Compiled));
    };
    let target = target(engine);
    let parts = KeyParts {
        runtime: concat!("wasmtime ", env!("WSIM_WASMTIME_VERSION"), " component"),
        compiler: "cranelift",
        metered: limits.fuel.is_some(),
        target: &target,
        extension: "component",
    };
    cache::through(
        cache,
        bytes,
        &parts,
        |payload| {
            // SAFETY: as for modules: the checksum matched, the key pins
            // wasmtime's version and settings, and wasmtime checks them again.
            unsafe { wasmtime::component::Component::deserialize(engine, payload) }
                .map_err(|error| format!("wasmtime refused it: {error}"))
        },
        compile,
        |component| component.serialize().ok(),
    )
}

/// A store for a component instance, and the failures of calls into it in
/// wsim's words.
pub struct ComponentStore {
    store: Store<StoreState>,
    limits: Limits,
    component: Arc<str>,
}

impl std::fmt::Debug for ComponentStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ComponentStore")
            .field("component", &self.component)
            .finish_non_exhaustive()
    }
}

impl ComponentStore {
    fn new(engine: &wasmtime::Engine, limits: &Limits, component: Arc<str>) -> Self {
        Self {
            store: store(engine, limits),
            limits: *limits,
            component,
        }
    }

    /// The component's name in errors.
    #[must_use]
    pub fn component(&self) -> &str {
        &self.component
    }

    /// Runs `call` (a call into the component through its bindings) with a
    /// full fuel budget; a trap becomes [`Error::Trap`] naming `export`,
    /// running out of fuel [`Error::FuelExhausted`].
    #[inline]
    pub fn call<T>(
        &mut self,
        export: &str,
        call: impl FnOnce(&mut Store<StoreState>) -> wasmtime::Result<T>,
    ) -> Result<T, Error> {
        if let Some(budget) = self.limits.fuel {
            self.store
                .set_fuel(budget)
                .map_err(|error| self.error(export, CallFailure::Trap(error.to_string())))?;
        }
        call(&mut self.store).map_err(|error| self.error(export, failure(&error)))
    }

    #[cold]
    fn error(&self, export: &str, failure: CallFailure) -> Error {
        call_error(&self.component, export, &self.limits, failure, None)
    }

    /// The store, to instantiate the component in.
    pub fn store_mut(&mut self) -> &mut Store<StoreState> {
        &mut self.store
    }
}
