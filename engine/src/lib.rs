//! # wsim-engine
//!
//! The WebAssembly host layer of wsim, on wasmer or wasmtime: choosing a
//! runtime and a compiler, compiling and instantiating modules, resolving
//! typed exports, and copying bytes into and out of guest memory. It knows
//! nothing of caches.
//!
//! Its key choice is that a guest is never trusted. Every export is
//! resolved and type-checked when the guest is loaded, so a missing export
//! or a wrong signature is an error naming it before any work starts; every
//! trap becomes an [`Error`] naming the module and the export; and guest
//! memory is touched only through [`Guest::read`] and [`Guest::write`], which
//! check every address and length the guest hands back against its memory.
//!
//! Exports are found by name either once ([`Cached`]: a typed handle kept
//! beside the instance, the paper's "self-referential struct", which both
//! runtimes' owned handles now allow without Ouroboros) or on every call
//! ([`Uncached`]). Both are types, so the choice is monomorphized away.
//!
//! The runtime is a run-time choice ([`Runtime`]), so one binary measures
//! both side by side: a [`Guest`] holds one runtime's instance, and each
//! call matches on which, a branch that is always predicted. The same guest
//! module bytes run on either. wasmtime also hosts components
//! ([`Component`]), for the Component Model backend.
//!
//! # Cargo features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `wasmer` | yes | wasmer (Cranelift), the paper's runtime |
//! | `singlepass` | no | wasmer's Singlepass compiler beside Cranelift |
//! | `wasmtime` | no | wasmtime (Cranelift) and its Component Model |

#[cfg(not(any(feature = "wasmer", feature = "wasmtime")))]
compile_error!("wsim-engine needs a runtime: enable the `wasmer` or the `wasmtime` feature");

mod cache;
mod error;
mod export;
mod limits;
#[cfg(feature = "wasmer")]
mod wasmer_runtime;
#[cfg(feature = "wasmtime")]
mod wasmtime_runtime;

use std::path::Path;
use std::sync::Arc;

pub use cache::{ModuleCache, Origin};
pub use error::Error;
pub use export::{Cached, Export, Function, Lookup, Params, Results, Uncached, WasmTypes};
pub use limits::{DEFAULT_MAX_MODULE_BYTES, Limits};
/// wasmer itself, for benchmarks that measure it with nothing in between.
#[cfg(feature = "wasmer")]
pub use wasmer;
/// wasmtime itself, for benchmarks and for the Component Model bindings.
#[cfg(feature = "wasmtime")]
pub use wasmtime;
#[cfg(feature = "wasmtime")]
pub use wasmtime_runtime::{ComponentStore, StoreState};

use export::FunctionInner;

/// The WebAssembly runtimes wsim can host guests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Runtime {
    /// wasmer: the paper's runtime.
    Wasmer,
    /// wasmtime: the Bytecode Alliance's, which the paper left out.
    Wasmtime,
}

impl Runtime {
    /// Every runtime, built or not, in report order.
    pub const ALL: [Self; 2] = [Self::Wasmer, Self::Wasmtime];

    /// The runtime used when none is named: wasmer when built.
    pub const DEFAULT: Self = if cfg!(feature = "wasmer") {
        Self::Wasmer
    } else {
        Self::Wasmtime
    };

    /// The runtime's name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Wasmer => "wasmer",
            Self::Wasmtime => "wasmtime",
        }
    }

    /// Whether this build includes the runtime.
    #[must_use]
    pub const fn is_built(self) -> bool {
        match self {
            Self::Wasmer => cfg!(feature = "wasmer"),
            Self::Wasmtime => cfg!(feature = "wasmtime"),
        }
    }

    /// The runtimes this build includes.
    #[must_use]
    pub fn built() -> Vec<Self> {
        Self::ALL
            .into_iter()
            .filter(|runtime| runtime.is_built())
            .collect()
    }
}

impl std::fmt::Display for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The compilers a guest can be compiled with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compiler {
    /// Cranelift: optimizing, the default (and the paper's); both runtimes
    /// have it.
    Cranelift,
    /// Singlepass: compiles in one pass, faster to compile, slower to run;
    /// wasmer only.
    Singlepass,
}

impl Compiler {
    /// The compiler's name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Cranelift => "cranelift",
            Self::Singlepass => "singlepass",
        }
    }

    /// Whether this build includes the compiler.
    #[must_use]
    pub const fn is_built(self) -> bool {
        match self {
            Self::Cranelift => true,
            Self::Singlepass => cfg!(feature = "singlepass"),
        }
    }
}

/// A runtime's engine, for one compiler.
#[derive(Clone)]
enum RuntimeEngine {
    #[cfg(feature = "wasmer")]
    Wasmer(wasmer::Engine),
    #[cfg(feature = "wasmtime")]
    Wasmtime(wasmtime::Engine),
}

/// An engine of one runtime, set up with one compiler and one set of
/// [`Limits`]; compiles [`Module`]s (and, on wasmtime, [`Component`]s),
/// through a [`ModuleCache`] when given one.
#[derive(Clone)]
pub struct Engine {
    runtime: Runtime,
    compiler: Compiler,
    limits: Limits,
    cache: Option<ModuleCache>,
    /// The runtime's engine, made once. A metered wasmer module needs an
    /// engine of its own (a metering middleware instruments one module
    /// only), made per compile, so then there is none here.
    shared: Option<RuntimeEngine>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("runtime", &self.runtime)
            .field("compiler", &self.compiler)
            .field("limits", &self.limits)
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine of the default runtime compiling with `compiler`, with the
    /// default [`Limits`] (no fuel, no memory cap beyond wasm32's) and no
    /// module cache.
    pub fn new(compiler: Compiler) -> Result<Self, Error> {
        Self::with_limits(compiler, Limits::default())
    }

    /// An engine of the default runtime compiling with `compiler` for guests
    /// held to `limits`.
    pub fn with_limits(compiler: Compiler, limits: Limits) -> Result<Self, Error> {
        Self::with_runtime(Runtime::DEFAULT, compiler, limits)
    }

    /// An engine of `runtime` compiling with `compiler` for guests held to
    /// `limits`.
    pub fn with_runtime(
        runtime: Runtime,
        compiler: Compiler,
        limits: Limits,
    ) -> Result<Self, Error> {
        let mut engine = Self {
            runtime,
            compiler,
            limits,
            cache: None,
            shared: None,
        };
        // Checks the runtime and compiler are built, even when every module
        // is metered.
        let made = engine.runtime_engine()?;
        if limits.fuel.is_none() || runtime == Runtime::Wasmtime {
            engine.shared = Some(made);
        }
        Ok(engine)
    }

    /// The same engine, storing and finding compiled modules in `cache`.
    #[must_use]
    pub fn cached(mut self, cache: ModuleCache) -> Self {
        self.cache = Some(cache);
        self
    }

    /// A new engine of this runtime for this compiler and these limits.
    fn runtime_engine(&self) -> Result<RuntimeEngine, Error> {
        match self.runtime {
            #[cfg(feature = "wasmer")]
            Runtime::Wasmer => Ok(RuntimeEngine::Wasmer(wasmer_runtime::engine(
                self.compiler,
                &self.limits,
            )?)),
            #[cfg(feature = "wasmtime")]
            Runtime::Wasmtime => {
                if self.compiler != Compiler::Cranelift {
                    return Err(Error::Runtime {
                        runtime: "wasmtime",
                        reason: format!(
                            "wsim builds wasmtime with Cranelift only, not {}",
                            self.compiler.name()
                        ),
                    });
                }
                Ok(RuntimeEngine::Wasmtime(wasmtime_runtime::engine(
                    &self.limits,
                )?))
            }
            #[allow(
                unreachable_patterns,
                reason = "reached only when a runtime is left out"
            )]
            runtime => Err(Error::RuntimeNotBuilt {
                runtime: runtime.name(),
            }),
        }
    }

    /// The runtime this engine compiles for.
    #[must_use]
    pub const fn runtime(&self) -> Runtime {
        self.runtime
    }

    /// The compiler this engine uses.
    #[must_use]
    pub const fn compiler(&self) -> Compiler {
        self.compiler
    }

    /// The limits its guests are held to.
    #[must_use]
    pub const fn limits(&self) -> Limits {
        self.limits
    }

    /// Compiles a module from its bytes (binary, or WebAssembly text);
    /// `name` is how errors will call it. With a cache, finds the compiled
    /// form there or stores it.
    pub fn compile(&self, name: &str, bytes: &[u8]) -> Result<Module, Error> {
        self.check_module_size(name, bytes.len() as u64)?;
        let engine = match &self.shared {
            Some(engine) => engine.clone(),
            None => self.runtime_engine()?,
        };
        let cache = self.cache.as_ref();
        let (inner, origin) = match engine {
            #[cfg(feature = "wasmer")]
            RuntimeEngine::Wasmer(engine) => {
                let (module, origin) = wasmer_runtime::compile(
                    &engine,
                    self.compiler,
                    &self.limits,
                    cache,
                    name,
                    bytes,
                )?;
                (ModuleInner::Wasmer { engine, module }, origin)
            }
            #[cfg(feature = "wasmtime")]
            RuntimeEngine::Wasmtime(engine) => {
                let (module, origin) =
                    wasmtime_runtime::compile(&engine, &self.limits, cache, name, bytes)?;
                (ModuleInner::Wasmtime { engine, module }, origin)
            }
        };
        Ok(Module {
            inner,
            runtime: self.runtime,
            compiler: self.compiler,
            limits: self.limits,
            name: name.into(),
            origin,
        })
    }

    /// Compiles a component (wasmtime only); `name` is how errors will call
    /// it. With a cache, finds the compiled form there or stores it.
    #[cfg(feature = "wasmtime")]
    pub fn compile_component(&self, name: &str, bytes: &[u8]) -> Result<Component, Error> {
        self.check_module_size(name, bytes.len() as u64)?;
        let Some(RuntimeEngine::Wasmtime(engine)) = &self.shared else {
            return Err(Error::Runtime {
                runtime: self.runtime.name(),
                reason: "components run on wasmtime only".to_owned(),
            });
        };
        let (component, origin) = wasmtime_runtime::compile_component(
            engine,
            &self.limits,
            self.cache.as_ref(),
            name,
            bytes,
        )?;
        Ok(Component {
            engine: engine.clone(),
            component,
            limits: self.limits,
            name: name.into(),
            origin,
        })
    }

    /// Reads and compiles a module file, named by its file name.
    pub fn load(&self, path: &Path) -> Result<Module, Error> {
        let bytes = self.read(path)?;
        self.compile(&module_name(path), &bytes)
    }

    /// Reads a module file within the size limit. Read once, the bytes can
    /// be compiled on several engines, which then all run the same module.
    pub fn read(&self, path: &Path) -> Result<Vec<u8>, Error> {
        use std::io::Read as _;

        let name = module_name(path);
        let read_error = |error| Error::Read {
            path: path.to_owned(),
            error,
        };
        let file = std::fs::File::open(path).map_err(read_error)?;
        // Refuse an oversized file before reading it whole; and read no more
        // than the limit allows, since the length a file reports (0 for
        // /dev/zero, say) need not be what it yields.
        self.check_module_size(&name, file.metadata().map_err(read_error)?.len())?;
        let limit = self.limits.max_module_bytes;
        let mut bytes = Vec::new();
        file.take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(read_error)?;
        if bytes.len() as u64 > limit {
            return Err(Error::ModuleTooLarge {
                module: name,
                size: bytes.len() as u64,
                limit,
                more: true,
            });
        }
        Ok(bytes)
    }

    /// Refuses a module of `size` bytes above the limit.
    fn check_module_size(&self, name: &str, size: u64) -> Result<(), Error> {
        let limit = self.limits.max_module_bytes;
        if size > limit {
            return Err(Error::ModuleTooLarge {
                module: name.to_owned(),
                size,
                limit,
                more: false,
            });
        }
        Ok(())
    }
}

/// A runtime's compiled module, with the engine it was compiled for.
#[derive(Clone)]
enum ModuleInner {
    #[cfg(feature = "wasmer")]
    Wasmer {
        engine: wasmer::Engine,
        module: wasmer::Module,
    },
    #[cfg(feature = "wasmtime")]
    Wasmtime {
        engine: wasmtime::Engine,
        module: wasmtime::Module,
    },
}

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
    /// The module's name in errors.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// wasmer's engine and module underneath, for measuring bare wasmer
    /// calls beside wsim's; `None` on another runtime.
    #[cfg(feature = "wasmer")]
    #[must_use]
    pub const fn wasmer_parts(&self) -> Option<(&wasmer::Engine, &wasmer::Module)> {
        match &self.inner {
            ModuleInner::Wasmer { engine, module } => Some((engine, module)),
            #[cfg(feature = "wasmtime")]
            ModuleInner::Wasmtime { .. } => None,
        }
    }

    /// wasmtime's engine and module underneath, for measuring bare wasmtime
    /// calls beside wsim's; `None` on another runtime.
    #[cfg(feature = "wasmtime")]
    #[must_use]
    pub const fn wasmtime_parts(&self) -> Option<(&wasmtime::Engine, &wasmtime::Module)> {
        match &self.inner {
            ModuleInner::Wasmtime { engine, module } => Some((engine, module)),
            #[cfg(feature = "wasmer")]
            ModuleInner::Wasmer { .. } => None,
        }
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
            limits: refuelled(self.limits, &self.name, budget)?,
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
        match &self.inner {
            #[cfg(feature = "wasmer")]
            ModuleInner::Wasmer { module, .. } => wasmer_runtime::imports(module),
            #[cfg(feature = "wasmtime")]
            ModuleInner::Wasmtime { module, .. } => wasmtime_runtime::imports(module),
        }
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
        match &self.inner {
            #[cfg(feature = "wasmer")]
            ModuleInner::Wasmer { module, .. } => {
                wasmer_runtime::exports(module, self.is_metered())
            }
            #[cfg(feature = "wasmtime")]
            ModuleInner::Wasmtime { module, .. } => wasmtime_runtime::exports(module),
        }
    }

    /// Whether the module exports a function called `name`.
    #[must_use]
    pub fn exports_function(&self, name: &str) -> bool {
        match &self.inner {
            #[cfg(feature = "wasmer")]
            ModuleInner::Wasmer { module, .. } => wasmer_runtime::exports_function(module, name),
            #[cfg(feature = "wasmtime")]
            ModuleInner::Wasmtime { module, .. } => {
                wasmtime_runtime::exports_function(module, name)
            }
        }
    }

    /// A fresh instance in a store of its own. The module may import
    /// nothing, and must export its memory as `memory`.
    pub fn instantiate(&self) -> Result<Guest, Error> {
        self.check_imports()?;
        let inner = match &self.inner {
            #[cfg(feature = "wasmer")]
            ModuleInner::Wasmer { engine, module } => GuestInner::Wasmer(
                wasmer_runtime::Guest::new(engine, module, self.limits.fuel, &self.name)?,
            ),
            #[cfg(feature = "wasmtime")]
            ModuleInner::Wasmtime { engine, module } => GuestInner::Wasmtime(
                wasmtime_runtime::Guest::new(engine, module, &self.limits, &self.name)?,
            ),
        };
        Ok(Guest {
            inner,
            module: Arc::clone(&self.name),
            fuel: self.limits.fuel,
            max_memory: self.limits.max_memory_bytes(),
        })
    }
}

/// A compiled component (wasmtime's Component Model), ready to instantiate
/// any number of times.
#[cfg(feature = "wasmtime")]
#[derive(Clone)]
pub struct Component {
    engine: wasmtime::Engine,
    component: wasmtime::component::Component,
    limits: Limits,
    name: Arc<str>,
    origin: Origin,
}

#[cfg(feature = "wasmtime")]
impl std::fmt::Debug for Component {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Component")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "wasmtime")]
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
            limits: refuelled(self.limits, &self.name, budget)?,
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

/// `limits` with a fuel budget of `budget` per call; only code compiled
/// with metering (a budget already in `limits`) has fuel to give.
fn refuelled(limits: Limits, name: &str, budget: u64) -> Result<Limits, Error> {
    if limits.fuel.is_none() {
        return Err(Error::NotMetered {
            module: name.to_owned(),
        });
    }
    Ok(Limits {
        fuel: Some(budget),
        ..limits
    })
}

/// Why an export could not be had.
pub(crate) enum ExportProblem {
    /// There is no export of that name.
    Missing,
    /// There is one, of another kind or signature.
    WrongType {
        /// What it is.
        found: String,
    },
}

/// Why a call into a guest failed.
pub(crate) enum CallFailure {
    /// It spent its fuel.
    OutOfFuel,
    /// It trapped; the runtime's words for it.
    Trap(String),
}

/// The error for an export of `module` that could not be had.
pub(crate) fn export_error(
    module: &str,
    export: &str,
    expected: &str,
    problem: ExportProblem,
) -> Error {
    match problem {
        ExportProblem::Missing => Error::MissingExport {
            module: module.to_owned(),
            export: export.to_owned(),
        },
        ExportProblem::WrongType { found } => Error::WrongType {
            module: module.to_owned(),
            export: export.to_owned(),
            expected: expected.to_owned(),
            found,
        },
    }
}

/// The error for a call to `export` that failed: out of fuel, or a trap,
/// with a word on the memory cap when `memory` (size, cap) stands at it.
#[cold]
pub(crate) fn call_error(
    module: &str,
    export: &str,
    fuel: Option<u64>,
    failure: CallFailure,
    memory: Option<(u64, u64)>,
) -> Error {
    let module = module.to_owned();
    let export = export.to_owned();
    match (failure, fuel) {
        (CallFailure::OutOfFuel, Some(budget)) => Error::FuelExhausted {
            module,
            export,
            budget,
        },
        (CallFailure::OutOfFuel, None) => Error::Trap {
            module,
            export,
            reason: "ran out of fuel".to_owned(),
        },
        (CallFailure::Trap(mut reason), _) => {
            if let Some((size, cap)) = memory
                && size + 65536 > cap
            {
                reason = format!(
                    "{reason} (its memory stands at the cap of {cap} bytes: a guest whose \
                     allocation fails traps like this)"
                );
            }
            Error::Trap {
                module,
                export,
                reason,
            }
        }
    }
}

/// A memory type in words.
/// The name a module file goes by in reports and errors: its file name.
#[must_use]
pub fn module_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

pub(crate) fn describe_memory(minimum: u32, maximum: Option<u32>) -> String {
    let maximum = maximum.map_or_else(
        || "no maximum".to_owned(),
        |pages| format!("at most {pages} pages"),
    );
    format!("memory: {minimum} pages (64 KiB each) at start, {maximum}")
}

/// One runtime's instance.
enum GuestInner {
    #[cfg(feature = "wasmer")]
    Wasmer(wasmer_runtime::Guest),
    #[cfg(feature = "wasmtime")]
    Wasmtime(wasmtime_runtime::Guest),
}

/// One instance of a module, with its store and memory.
pub struct Guest {
    inner: GuestInner,
    module: Arc<str>,
    /// Fuel per call, when metered.
    fuel: Option<u64>,
    /// The memory cap in bytes, if any: named in errors when a trap comes
    /// with memory at the cap.
    max_memory: Option<u64>,
}

impl std::fmt::Debug for Guest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guest")
            .field("module", &self.module)
            .finish_non_exhaustive()
    }
}

impl Guest {
    /// The module's name in errors.
    #[must_use]
    pub fn module(&self) -> &str {
        &self.module
    }

    /// Resolves and type-checks the function export `name`, to be looked up
    /// again on every call or not as `L` says.
    pub fn export<P: Params, R: Results, L: Lookup>(
        &mut self,
        name: &'static str,
    ) -> Result<Export<P, R, L>, Error> {
        let function = self.typed_function::<P, R>(name)?;
        Ok(Export::new(name, L::keep(function)))
    }

    pub(crate) fn typed_function<P: Params, R: Results>(
        &mut self,
        name: &'static str,
    ) -> Result<Function<P, R>, Error> {
        let found = match &mut self.inner {
            #[cfg(feature = "wasmer")]
            GuestInner::Wasmer(guest) => guest.typed_function::<P, R>(name),
            #[cfg(feature = "wasmtime")]
            GuestInner::Wasmtime(guest) => guest.typed_function::<P, R>(name),
        };
        found.map_err(|problem| {
            let expected = format!("{} -> {}", P::describe(), R::describe());
            export_error(&self.module, name, &expected, problem)
        })
    }

    /// Calls an export; a trap becomes [`Error::Trap`] naming it, running
    /// out of fuel [`Error::FuelExhausted`].
    // `always`: with plain `#[inline]` the match over runtimes stayed a
    // call of its own and cost 3 ns per call on wasmer (measured by `wsim
    // micro`: 1.09x the bare call against 1.03x).
    #[inline(always)]
    pub fn call<P: Params, R: Results, L: Lookup>(
        &mut self,
        export: &Export<P, R, L>,
        params: P,
    ) -> Result<R, Error> {
        let function = L::function(self, export)?;
        let result = match (&mut self.inner, &function.0) {
            #[cfg(feature = "wasmer")]
            (GuestInner::Wasmer(guest), FunctionInner::Wasmer(function)) => {
                guest.call(function, params)
            }
            #[cfg(feature = "wasmtime")]
            (GuestInner::Wasmtime(guest), FunctionInner::Wasmtime(function)) => {
                guest.call(function, params)
            }
            #[allow(unreachable_patterns, reason = "reached only with both runtimes built")]
            _ => Err(CallFailure::Trap(
                "called with an export of another runtime's guest".to_owned(),
            )),
        };
        result.map_err(|failure| self.call_failed(export.name(), failure))
    }

    #[cold]
    fn call_failed(&self, export: &str, failure: CallFailure) -> Error {
        let memory = self.max_memory.map(|cap| (self.memory_size(), cap));
        call_error(&self.module, export, self.fuel, failure, memory)
    }

    /// Bytes of linear memory now.
    fn memory_size(&self) -> u64 {
        match &self.inner {
            #[cfg(feature = "wasmer")]
            GuestInner::Wasmer(guest) => guest.memory_size(),
            #[cfg(feature = "wasmtime")]
            GuestInner::Wasmtime(guest) => guest.memory_size(),
        }
    }

    /// Copies `bytes` into guest memory at `offset`, after checking the whole
    /// range lies inside it.
    #[inline]
    pub fn write(&mut self, offset: u32, bytes: &[u8], what: &str) -> Result<(), Error> {
        let written = match &mut self.inner {
            #[cfg(feature = "wasmer")]
            GuestInner::Wasmer(guest) => guest.write(u64::from(offset), bytes),
            #[cfg(feature = "wasmtime")]
            GuestInner::Wasmtime(guest) => guest.write(u64::from(offset), bytes),
        };
        if written {
            Ok(())
        } else {
            Err(self.out_of_bounds(what, offset, bytes.len()))
        }
    }

    /// Copies `buffer.len()` bytes out of guest memory at `offset`, after
    /// checking the whole range lies inside it.
    #[inline]
    pub fn read(&self, offset: u32, buffer: &mut [u8], what: &str) -> Result<(), Error> {
        let read = match &self.inner {
            #[cfg(feature = "wasmer")]
            GuestInner::Wasmer(guest) => guest.read(u64::from(offset), buffer),
            #[cfg(feature = "wasmtime")]
            GuestInner::Wasmtime(guest) => guest.read(u64::from(offset), buffer),
        };
        if read {
            Ok(())
        } else {
            Err(self.out_of_bounds(what, offset, buffer.len()))
        }
    }

    /// Checks that `len` bytes at `offset` lie inside guest memory now.
    pub fn check_range(&self, offset: u32, len: usize, what: &str) -> Result<(), Error> {
        let size = self.memory_size();
        let end = u64::from(offset).checked_add(len as u64);
        if end.is_some_and(|end| end <= size) {
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
            memory: self.memory_size(),
        }
    }
}

/// Why `bytes` did not compile, on one line. wasmer reads WebAssembly text
/// too, and renders a text error as a multi-line snippet: this keeps its
/// first line and the place it points at, and says which of the two forms
/// the bytes were taken for.
#[cold]
pub(crate) fn compile_failure(bytes: &[u8], error: &str) -> String {
    let mut lines = error.lines();
    let first = lines.next().unwrap_or("no reason given").trim();
    let first = first
        .strip_prefix("WebAssembly translation error: ")
        .unwrap_or(first);
    if bytes.starts_with(b"\0asm") {
        return first.to_owned();
    }
    // Text that parsed into a module the runtime then refused: the words
    // are the validator's (wasmer says "Validation error", wasmtime "failed
    // to parse WebAssembly module").
    if first.starts_with("Validation error") || first.starts_with("failed to parse WebAssembly") {
        return format!("WebAssembly text that does not validate: {first}");
    }
    // wasmtime validates some proposals it was built without (threads,
    // wide arithmetic) and refuses them when it compiles; wasmer's
    // Singlepass compiles no SIMD ("Compilation error: not yet implemented").
    if first.starts_with("failed to compile") || first.starts_with("Compilation error") {
        return format!("WebAssembly text that does not compile: {first}");
    }
    let first = first
        .strip_prefix("Error when converting wat: ")
        .unwrap_or(first);
    let place = lines
        .find_map(|line| line.trim().strip_prefix("--> "))
        .and_then(|place| {
            // `<anon>:LINE:COLUMN`
            let mut parts = place.rsplitn(3, ':');
            let column = parts.next()?;
            let line = parts.next()?;
            Some(format!(" (at line {line}, column {column})"))
        })
        .unwrap_or_default();
    format!(
        "neither a WebAssembly binary (those begin with \\0asm) nor WebAssembly text: {first}{place}"
    )
}
