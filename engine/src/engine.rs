//! [`Engine`]: one runtime set up with one compiler and one set of
//! [`Limits`], compiling [`Module`]s (and, on wasmtime, components).

use std::path::Path;

use crate::{Compiler, EngineInner, Error, Limits, Module, ModuleCache, Runtime};

/// An engine of one runtime, set up with one compiler and one set of
/// [`Limits`]; compiles [`Module`]s (and, on wasmtime, [`Component`](crate::Component)s),
/// through a [`ModuleCache`] when given one.
#[derive(Clone)]
pub struct Engine {
    runtime: Runtime,
    compiler: Compiler,
    limits: Limits,
    cache: Option<ModuleCache>,
    /// The runtime's engine, made once when it can serve every module (a
    /// metered wasmer module needs an engine of its own, made per compile).
    shared: Option<EngineInner>,
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
        Self::with_runtime(Runtime::default_built(), compiler, Limits::default())
    }

    /// An engine of `runtime` compiling with `compiler` for guests held to
    /// `limits`.
    pub fn with_runtime(
        runtime: Runtime,
        compiler: Compiler,
        limits: Limits,
    ) -> Result<Self, Error> {
        // Made now even when every module will get its own, so an unbuilt
        // runtime or compiler fails here.
        let made = EngineInner::new(runtime, compiler, &limits)?;
        Ok(Self {
            runtime,
            compiler,
            limits,
            cache: None,
            shared: EngineInner::serves_many(runtime, &limits).then_some(made),
        })
    }

    /// The same engine, storing and finding compiled modules in `cache`.
    #[must_use]
    pub fn cached(mut self, cache: ModuleCache) -> Self {
        self.cache = Some(cache);
        self
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

    /// The runtime's engine this one compiles with.
    pub(crate) fn inner(&self) -> Result<EngineInner, Error> {
        match &self.shared {
            Some(engine) => Ok(engine.clone()),
            None => EngineInner::new(self.runtime, self.compiler, &self.limits),
        }
    }

    /// The module cache, if any.
    pub(crate) const fn module_cache(&self) -> Option<&ModuleCache> {
        self.cache.as_ref()
    }

    /// Compiles a module from its bytes (binary, or WebAssembly text);
    /// `name` is how errors will call it. With a cache, finds the compiled
    /// form there or stores it.
    pub fn compile(&self, name: &str, bytes: &[u8]) -> Result<Module, Error> {
        self.check_module_size(name, bytes.len() as u64)?;
        let (inner, origin) = self.inner()?.compile(
            self.compiler,
            &self.limits,
            self.module_cache(),
            name,
            bytes,
        )?;
        Ok(Module::new(
            inner,
            self.runtime,
            self.compiler,
            self.limits,
            name,
            origin,
        ))
    }

    /// Compiles a component (wasmtime only); `name` is how errors will call
    /// it. With a cache, finds the compiled form there or stores it.
    #[cfg(feature = "wasmtime")]
    pub fn compile_component(&self, name: &str, bytes: &[u8]) -> Result<crate::Component, Error> {
        self.check_module_size(name, bytes.len() as u64)?;
        #[allow(
            irrefutable_let_patterns,
            reason = "refutable when another runtime is built too"
        )]
        let EngineInner::Wasmtime(engine) = self.inner()? else {
            return Err(Error::Runtime {
                runtime: self.runtime.name(),
                reason: "components run on wasmtime only".to_owned(),
            });
        };
        crate::wasmtime_runtime::compile_component(
            &engine,
            &self.limits,
            self.module_cache(),
            name,
            bytes,
        )
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
    pub(crate) fn check_module_size(&self, name: &str, size: u64) -> Result<(), Error> {
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

/// The name a module file goes by in reports and errors: its file name.
#[must_use]
pub fn module_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}
