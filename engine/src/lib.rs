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

mod error;
mod export;

use std::path::Path;
use std::sync::Arc;

pub use error::Error;
pub use export::{Cached, Export, Lookup, Params, Results, Uncached};
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

/// A wasmer engine set up with one compiler; compiles [`Module`]s.
#[derive(Clone)]
pub struct Engine {
    inner: wasmer::Engine,
    compiler: Compiler,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("compiler", &self.compiler)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine compiling with `compiler`.
    pub fn new(compiler: Compiler) -> Result<Self, Error> {
        use wasmer::sys::CompilerConfig as _;

        // `WSIM_PERFMAP=1` writes /tmp/perf-PID.map, so `perf report` can
        // name the compiled guest functions.
        let perfmap = std::env::var_os("WSIM_PERFMAP").is_some();
        let inner = match compiler {
            Compiler::Cranelift => {
                let mut config = wasmer::sys::Cranelift::default();
                if perfmap {
                    config.enable_perfmap();
                }
                wasmer::Engine::from(config)
            }
            #[cfg(feature = "singlepass")]
            Compiler::Singlepass => {
                let mut config = wasmer::sys::Singlepass::default();
                if perfmap {
                    config.enable_perfmap();
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
        Ok(Self { inner, compiler })
    }

    /// The compiler this engine uses.
    #[must_use]
    pub const fn compiler(&self) -> Compiler {
        self.compiler
    }

    /// Compiles a module from its bytes (binary, or WebAssembly text);
    /// `name` is how errors will call it.
    pub fn compile(&self, name: &str, bytes: &[u8]) -> Result<Module, Error> {
        let inner = wasmer::Module::new(&self.inner, bytes).map_err(|error| Error::Compile {
            module: name.to_owned(),
            reason: error.to_string(),
        })?;
        Ok(Module {
            inner,
            engine: self.inner.clone(),
            compiler: self.compiler,
            name: name.into(),
        })
    }

    /// Reads and compiles a module file, named by its file name.
    pub fn load(&self, path: &Path) -> Result<Module, Error> {
        let bytes = std::fs::read(path).map_err(|source| Error::Read {
            path: path.to_owned(),
            error: source,
        })?;
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |name| name.to_string_lossy().into_owned(),
        );
        self.compile(&name, &bytes)
    }
}

/// A compiled module, ready to instantiate any number of times.
#[derive(Clone)]
pub struct Module {
    inner: wasmer::Module,
    engine: wasmer::Engine,
    compiler: Compiler,
    name: Arc<str>,
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

    /// The module's exports: name and type, as WebAssembly writes them.
    #[must_use]
    pub fn exports(&self) -> Vec<(String, String)> {
        self.inner
            .exports()
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
        let mut store = Store::new(self.engine.clone());
        let instance = Instance::new(&mut store, &self.inner, &imports! {}).map_err(|error| {
            Error::Instantiate {
                module: self.name.to_string(),
                reason: error.to_string(),
            }
        })?;
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
        })
    }
}

fn describe(ty: &wasmer::ExternType) -> String {
    match ty {
        wasmer::ExternType::Function(function) => function.to_string(),
        wasmer::ExternType::Memory(memory) => format!("memory {memory:?}"),
        wasmer::ExternType::Global(global) => format!("global {global:?}"),
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
        params
            .call(&function, &mut self.store)
            .map_err(|error| self.trap(export.name(), &error))
    }

    fn trap(&self, export: &str, error: &wasmer::RuntimeError) -> Error {
        let reason = error
            .clone()
            .to_trap()
            .map_or_else(|| error.message(), |code| code.to_string());
        Error::Trap {
            module: self.module.to_string(),
            export: export.to_owned(),
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
