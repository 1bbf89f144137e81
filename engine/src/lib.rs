//! # wsim-engine
//!
//! The WebAssembly host layer of wsim, on wasmer: choosing a compiler,
//! compiling and instantiating modules, resolving typed exports, and copying
//! bytes into and out of guest memory. It knows nothing of caches.
//!
//! Its key choice is that a guest is never trusted. Every export is
//! resolved and type-checked when the guest is loaded, so a missing export
//! or a wrong signature is an error naming it before any work starts; every
//! trap becomes an [`Error`] naming the module and the export; and guest
//! memory is touched only through [`Guest::read`] and [`Guest::write`], which
//! check every address and length the guest hands back against its memory.
//!
//! Exports are found by name either once ([`Cached`]: a typed handle kept
//! beside the instance, the paper's "self-referential struct", which wasmer's
//! owned handles now allow without Ouroboros) or on every call
//! ([`Uncached`]). Both are types, so the choice is monomorphized away.
//!
//! # Cargo features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `singlepass` | no | wasmer's Singlepass compiler beside Cranelift |

mod cache;
mod error;
mod export;
mod limits;

use std::path::Path;
use std::sync::Arc;

pub use cache::{ModuleCache, Origin};
pub use error::Error;
pub use export::{Cached, Export, Lookup, Params, Results, Uncached};
use limits::Meter;
pub use limits::{DEFAULT_MAX_MODULE_BYTES, Limits};
/// wasmer itself, for benchmarks that measure it with nothing in between.
pub use wasmer;
use wasmer::{Instance, Memory, Store, imports};

/// The compilers a guest can be compiled with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compiler {
    /// Cranelift: optimizing, the default (and the paper's).
    Cranelift,
    /// Singlepass: compiles in one pass, faster to compile, slower to run.
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

/// A wasmer engine set up with one compiler and one set of [`Limits`];
/// compiles [`Module`]s, through a [`ModuleCache`] when given one.
#[derive(Clone)]
pub struct Engine {
    compiler: Compiler,
    limits: Limits,
    cache: Option<ModuleCache>,
    /// The wasmer engine for unmetered modules, made once. A metered module
    /// needs an engine of its own (a metering middleware instruments one
    /// module only), made per compile.
    shared: Option<wasmer::Engine>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("compiler", &self.compiler)
            .field("limits", &self.limits)
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine compiling with `compiler`, with the default [`Limits`]
    /// (no fuel, no memory cap beyond wasm32's) and no module cache.
    pub fn new(compiler: Compiler) -> Result<Self, Error> {
        Self::with_limits(compiler, Limits::default())
    }

    /// An engine compiling with `compiler` for guests held to `limits`.
    pub fn with_limits(compiler: Compiler, limits: Limits) -> Result<Self, Error> {
        let mut engine = Self {
            compiler,
            limits,
            cache: None,
            shared: None,
        };
        // Checks the compiler is built, even when every module is metered.
        let wasmer = engine.wasmer_engine()?;
        if limits.fuel.is_none() {
            engine.shared = Some(wasmer);
        }
        Ok(engine)
    }

    /// The same engine, storing and finding compiled modules in `cache`.
    #[must_use]
    pub fn cached(mut self, cache: ModuleCache) -> Self {
        self.cache = Some(cache);
        self
    }

    /// A wasmer engine for this compiler and these limits.
    fn wasmer_engine(&self) -> Result<wasmer::Engine, Error> {
        use wasmer::sys::{CompilerConfig as _, NativeEngineExt as _};

        // `WSIM_PERFMAP=1` writes /tmp/perf-PID.map, so `perf report` can
        // name the compiled guest functions.
        let perfmap = std::env::var_os("WSIM_PERFMAP").is_some();
        let metered = self.limits.fuel.is_some();
        let mut engine = match self.compiler {
            Compiler::Cranelift => {
                let mut config = wasmer::sys::Cranelift::default();
                if perfmap {
                    config.enable_perfmap();
                }
                if metered {
                    config.push_middleware(limits::metering());
                }
                wasmer::Engine::from(config)
            }
            #[cfg(feature = "singlepass")]
            Compiler::Singlepass => {
                let mut config = wasmer::sys::Singlepass::default();
                if perfmap {
                    config.enable_perfmap();
                }
                if metered {
                    config.push_middleware(limits::metering());
                }
                wasmer::Engine::from(config)
            }
            #[cfg(not(feature = "singlepass"))]
            Compiler::Singlepass => {
                return Err(Error::CompilerNotBuilt {
                    compiler: "singlepass",
                    feature: "singlepass",
                });
            }
        };
        if let Some(cap) = self.limits.max_pages() {
            engine.set_tunables(limits::CappedMemory::new(cap));
        }
        Ok(engine)
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
            None => self.wasmer_engine()?,
        };
        let compile = || {
            wasmer::Module::new(&engine, bytes).map_err(|error| Error::Compile {
                module: name.to_owned(),
                reason: compile_failure(bytes, &error.to_string()),
            })
        };
        let (inner, origin) = match &self.cache {
            None => (compile()?, Origin::Compiled),
            Some(cache) => self.through_cache(cache, &engine, bytes, compile)?,
        };
        Ok(Module {
            inner,
            engine,
            compiler: self.compiler,
            limits: self.limits,
            name: name.into(),
            origin,
        })
    }

    /// Finds a module's compiled form in `cache`, or compiles and stores it.
    /// A store that fails leaves the module compiled and the run going: the
    /// cache only saves time.
    fn through_cache(
        &self,
        cache: &ModuleCache,
        engine: &wasmer::Engine,
        bytes: &[u8],
        compile: impl FnOnce() -> Result<wasmer::Module, Error>,
    ) -> Result<(wasmer::Module, Origin), Error> {
        use wasmer::sys::NativeEngineExt as _;

        let target = format!("{:?}", engine.target());
        let key = cache::key(
            bytes,
            self.compiler.name(),
            self.limits.fuel.is_some(),
            &target,
        );
        let path = cache.path(&key);
        let damaged = match ModuleCache::read(&path) {
            Ok(None) => None,
            Ok(Some(payload)) => {
                // SAFETY: the payload is byte for byte what `Module::serialize`
                // wrote for this key (its checksum matched), and the key pins
                // the wasmer version, compiler, metering and target, so the
                // code was made for an engine like this one.
                match unsafe { wasmer::Module::deserialize(engine, payload) } {
                    Ok(module) => return Ok((module, Origin::Cached)),
                    Err(error) => Some(format!("wasmer refused it: {error}")),
                }
            }
            Err(reason) => Some(reason),
        };
        let module = compile()?;
        let stored = module
            .serialize()
            .ok()
            .is_some_and(|payload| cache.write(&path, &payload).is_ok());
        let origin = match (damaged, stored) {
            (Some(reason), _) => Origin::Rebuilt(reason),
            (None, true) => Origin::Stored,
            (None, false) => Origin::Compiled,
        };
        Ok((module, origin))
    }

    /// Reads and compiles a module file, named by its file name.
    pub fn load(&self, path: &Path) -> Result<Module, Error> {
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |name| name.to_string_lossy().into_owned(),
        );
        let read_error = |error| Error::Read {
            path: path.to_owned(),
            error,
        };
        // Refuse an oversized file before reading it whole.
        self.check_module_size(&name, std::fs::metadata(path).map_err(read_error)?.len())?;
        let bytes = std::fs::read(path).map_err(read_error)?;
        self.compile(&name, &bytes)
    }

    /// Refuses a module of `size` bytes above the limit.
    fn check_module_size(&self, name: &str, size: u64) -> Result<(), Error> {
        let limit = self.limits.max_module_bytes;
        if size > limit {
            return Err(Error::ModuleTooLarge {
                module: name.to_owned(),
                size,
                limit,
            });
        }
        Ok(())
    }
}

/// A compiled module, ready to instantiate any number of times.
#[derive(Clone)]
pub struct Module {
    inner: wasmer::Module,
    engine: wasmer::Engine,
    compiler: Compiler,
    limits: Limits,
    name: Arc<str>,
    origin: Origin,
}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module")
            .field("name", &self.name)
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
    /// calls beside wsim's.
    #[must_use]
    pub const fn wasmer_parts(&self) -> (&wasmer::Engine, &wasmer::Module) {
        (&self.engine, &self.inner)
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
        if !self.is_metered() {
            return Err(Error::NotMetered {
                module: self.name.to_string(),
            });
        }
        let mut module = self.clone();
        module.limits.fuel = Some(budget);
        Ok(module)
    }

    /// Where its machine code came from: compiled now, or the cache.
    #[must_use]
    pub const fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The functions it imports, as `module.name`: wsim provides none.
    #[must_use]
    pub fn imports(&self) -> Vec<String> {
        self.inner
            .imports()
            .map(|import| format!("{}.{}", import.module(), import.name()))
            .collect()
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

    /// The module's exports: name and type. The globals fuel metering adds
    /// are the engine's, not the module's, and are left out.
    #[must_use]
    pub fn exports(&self) -> Vec<(String, String)> {
        self.inner
            .exports()
            .filter(|export| !(self.is_metered() && limits::is_metering_global(export.name())))
            .map(|export| (export.name().to_owned(), describe(export.ty())))
            .collect()
    }

    /// Whether the module exports a function called `name`.
    #[must_use]
    pub fn exports_function(&self, name: &str) -> bool {
        self.inner.exports().any(|export| {
            export.name() == name && matches!(export.ty(), wasmer::ExternType::Function(_))
        })
    }

    /// A fresh instance in a store of its own. The module may import
    /// nothing, and must export its memory as `memory`.
    pub fn instantiate(&self) -> Result<Guest, Error> {
        self.check_imports()?;
        let mut store = Store::new(self.engine.clone());
        let instance = Instance::new(&mut store, &self.inner, &imports! {}).map_err(|error| {
            Error::Instantiate {
                module: self.name.to_string(),
                reason: error.to_string(),
            }
        })?;
        let meter = self
            .limits
            .fuel
            .map(|budget| Meter::new(&instance, budget, &self.name))
            .transpose()?;
        let memory = instance
            .exports
            .get_memory("memory")
            .map_err(|error| {
                export_error(&self.name, "memory", "a memory", &error, &instance, &store)
            })?
            .clone();
        Ok(Guest {
            store,
            instance,
            memory,
            module: Arc::clone(&self.name),
            meter,
            max_memory: self
                .limits
                .max_pages()
                .map(|pages| u64::from(pages.0) * 65536),
        })
    }
}

fn describe(ty: &wasmer::ExternType) -> String {
    match ty {
        wasmer::ExternType::Function(function) => function.to_string(),
        wasmer::ExternType::Memory(memory) => {
            let maximum = memory.maximum.map_or_else(
                || "no maximum".to_owned(),
                |pages| format!("at most {} pages", pages.0),
            );
            format!(
                "memory: {} pages (64 KiB each) at start, {maximum}",
                memory.minimum.0
            )
        }
        wasmer::ExternType::Global(global) => format!(
            "global {:?}{}",
            global.ty,
            if global.mutability.is_mutable() {
                ", mutable"
            } else {
                ""
            }
        ),
        wasmer::ExternType::Table(table) => format!("table {table:?}"),
        wasmer::ExternType::Tag(tag) => format!("tag {tag:?}"),
    }
}

fn export_error(
    module: &str,
    export: &str,
    expected: &str,
    error: &wasmer::ExportError,
    instance: &Instance,
    store: &Store,
) -> Error {
    match error {
        wasmer::ExportError::Missing(_) => Error::MissingExport {
            module: module.to_owned(),
            export: export.to_owned(),
        },
        _ => Error::WrongType {
            module: module.to_owned(),
            export: export.to_owned(),
            expected: expected.to_owned(),
            found: instance
                .exports
                .get_extern(export)
                .map_or_else(|| "unknown".to_owned(), |found| describe(&found.ty(store))),
        },
    }
}

/// One instance of a module, with its store and memory.
pub struct Guest {
    store: Store,
    instance: Instance,
    memory: Memory,
    module: Arc<str>,
    /// The metering globals, when the module was compiled with fuel.
    meter: Option<Meter>,
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
        &self,
        name: &'static str,
    ) -> Result<Export<P, R, L>, Error> {
        let function = self.typed_function::<P, R>(name)?;
        Ok(Export::new(name, L::keep(function)))
    }

    fn typed_function<P: Params, R: Results>(
        &self,
        name: &'static str,
    ) -> Result<wasmer::TypedFunction<P, R>, Error> {
        self.instance
            .exports
            .get_typed_function::<P, R>(&self.store, name)
            .map_err(|error| {
                let expected = format!("{:?} -> {:?}", P::wasm_types(), R::wasm_types());
                export_error(
                    &self.module,
                    name,
                    &expected,
                    &error,
                    &self.instance,
                    &self.store,
                )
            })
    }

    /// Calls an export; a trap becomes [`Error::Trap`] naming it.
    #[inline]
    pub fn call<P: Params, R: Results, L: Lookup>(
        &mut self,
        export: &Export<P, R, L>,
        params: P,
    ) -> Result<R, Error> {
        let function = L::function(self, export)?;
        if let Some(meter) = &self.meter
            && let Err(error) = meter.refuel(&mut self.store)
        {
            return Err(self.trap(export.name(), &error));
        }
        params
            .call(&function, &mut self.store)
            .map_err(|error| self.trap(export.name(), &error))
    }

    /// The error for a call to `export` that failed: out of fuel, or a
    /// trap, with a word on the memory cap when memory stands at it.
    #[cold]
    fn trap(&mut self, export: &str, error: &wasmer::RuntimeError) -> Error {
        let module = self.module.to_string();
        let export = export.to_owned();
        if let Some(meter) = &self.meter
            && meter.exhausted(&mut self.store)
        {
            return Error::FuelExhausted {
                module,
                export,
                budget: meter.budget(),
            };
        }
        let mut reason = error
            .clone()
            .to_trap()
            .map_or_else(|| error.message(), |code| code.message().to_owned());
        let size = self.memory.view(&self.store).data_size();
        if let Some(cap) = self.max_memory
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

    /// Copies `bytes` into guest memory at `offset`, after checking the whole
    /// range lies inside it.
    #[inline]
    pub fn write(&mut self, offset: u32, bytes: &[u8], what: &str) -> Result<(), Error> {
        let view = self.memory.view(&self.store);
        view.write(u64::from(offset), bytes)
            .map_err(|_| self.out_of_bounds(what, offset, bytes.len(), view.data_size()))
    }

    /// Copies `buffer.len()` bytes out of guest memory at `offset`, after
    /// checking the whole range lies inside it.
    #[inline]
    pub fn read(&self, offset: u32, buffer: &mut [u8], what: &str) -> Result<(), Error> {
        let view = self.memory.view(&self.store);
        view.read(u64::from(offset), buffer)
            .map_err(|_| self.out_of_bounds(what, offset, buffer.len(), view.data_size()))
    }

    /// Checks that `len` bytes at `offset` lie inside guest memory now.
    pub fn check_range(&self, offset: u32, len: usize, what: &str) -> Result<(), Error> {
        let size = self.memory.view(&self.store).data_size();
        let end = u64::from(offset).checked_add(len as u64);
        if end.is_some_and(|end| end <= size) {
            Ok(())
        } else {
            Err(self.out_of_bounds(what, offset, len, size))
        }
    }

    fn out_of_bounds(&self, what: &str, offset: u32, len: usize, memory: u64) -> Error {
        Error::OutOfBounds {
            module: self.module.to_string(),
            what: what.to_owned(),
            offset: u64::from(offset),
            len,
            memory,
        }
    }
}

/// Why `bytes` did not compile, on one line. wasmer reads WebAssembly text
/// too, and renders a text error as a multi-line snippet: this keeps its
/// first line and the place it points at, and says which of the two forms
/// the bytes were taken for.
#[cold]
fn compile_failure(bytes: &[u8], error: &str) -> String {
    let mut lines = error.lines();
    let first = lines.next().unwrap_or("no reason given").trim();
    let first = first
        .strip_prefix("WebAssembly translation error: ")
        .unwrap_or(first);
    if bytes.starts_with(b"\0asm") {
        return first.to_owned();
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
