//! wasmer underneath [`Engine`](crate::Engine), [`Module`](crate::Module)
//! and [`Guest`](crate::Guest): the paper's runtime, with Cranelift or
//! Singlepass.

mod limits;

use wasmer::sys::CompilerConfig;
#[cfg(feature = "wasmer-deadline")]
use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use wasmer::{Instance, Memory, Store, imports};

use crate::cache::{self, KeyParts, ModuleCache, Origin};
use crate::types::{Params, Results};
use crate::runtime::{
    CallFailure, ExportProblem, WasmRuntime, compile_failure, describe_memory, export_error,
};
use crate::{Compiler, Error, Limits};

/// wasmer, as the engine sees it.
pub(crate) struct Wasmer;

impl WasmRuntime for Wasmer {
    type Engine = wasmer::Engine;
    type Module = wasmer::Module;
    type Guest = Guest;
    type Function<P: Params, R: Results> = wasmer::TypedFunction<P, R>;
    type Bare<P: Params, R: Results> = (Store, wasmer::TypedFunction<P, R>);

    fn engine(compiler: Compiler, limits: &Limits) -> Result<wasmer::Engine, Error> {
        use wasmer::sys::NativeEngineExt as _;

        // `WSIM_PERFMAP=1` writes /tmp/perf-PID.map, so `perf report` can
        // name the compiled guest functions.
        let perfmap = std::env::var_os("WSIM_PERFMAP").is_some();
        let metered = limits.fuel;
        let config: Box<dyn CompilerConfig> = match compiler {
            Compiler::Cranelift => Box::new(wasmer::sys::Cranelift::default()),
            #[cfg(feature = "singlepass")]
            Compiler::Singlepass => Box::new(wasmer::sys::Singlepass::default()),
            #[cfg(not(feature = "singlepass"))]
            Compiler::Singlepass => {
                return Err(Error::CompilerNotBuilt {
                    compiler: "singlepass",
                    feature: "singlepass",
                });
            }
        };
        let mut engine = configured(config, perfmap, metered);
        if let Some(cap) = limits.max_pages() {
            engine.set_tunables(limits::CappedMemory::new(wasmer::Pages(cap)));
        }
        Ok(engine)
    }

    fn engine_serves_many(limits: &Limits) -> bool {
        // A metering middleware instruments one module only.
        limits.fuel.is_none()
    }

    fn compile(
        engine: &wasmer::Engine,
        compiler: Compiler,
        limits: &Limits,
        cache: Option<&ModuleCache>,
        name: &str,
        bytes: &[u8],
    ) -> Result<(wasmer::Module, Origin), Error> {
        use wasmer::sys::NativeEngineExt as _;

        let compile = || {
            wasmer::Module::new(engine, bytes).map_err(|error| Error::Compile {
                module: name.to_owned(),
                reason: compile_failure(bytes, &error.to_string()),
            })
        };
        let Some(cache) = cache else {
            return Ok((compile()?, Origin::Compiled));
        };
        let target = format!("{:?}", engine.target());
        // A metered module carries its start function's budget in its code.
        let compiler_key = match limits.fuel {
            Some(budget) => format!("{} start-fuel {budget}", compiler.name()),
            None => compiler.name().to_owned(),
        };
        let parts = KeyParts {
            runtime: RUNTIME,
            compiler: &compiler_key,
            metered: limits.fuel.is_some(),
            target: &target,
            extension: "wasmer",
        };
        cache::through(
            cache,
            bytes,
            &parts,
            |payload| {
                // SAFETY: the payload is byte for byte what `Module::serialize`
                // wrote for this key (its checksum matched), and the key pins the
                // wasmer version, compiler, metering and target, so the code was
                // made for an engine like this one.
                unsafe { wasmer::Module::deserialize(engine, payload) }
                    .map_err(|error| format!("wasmer refused it: {error}"))
            },
            compile,
            |module| module.serialize().ok().map(|payload| payload.to_vec()),
        )
    }

    fn imports(module: &wasmer::Module) -> Vec<String> {
        module
            .imports()
            .map(|import| format!("{}.{}", import.module(), import.name()))
            .collect()
    }

    fn exports(module: &wasmer::Module, metered: bool) -> Vec<(String, String)> {
        module
            .exports()
            .filter(|export| !(metered && limits::is_metering_global(export.name())))
            .map(|export| (export.name().to_owned(), describe(export.ty())))
            .collect()
    }

    fn exports_function(module: &wasmer::Module, name: &str) -> bool {
        module.exports().any(|export| {
            export.name() == name && matches!(export.ty(), wasmer::ExternType::Function(_))
        })
    }

    fn initial_pages(module: &wasmer::Module) -> Option<u64> {
        module.exports().find_map(|export| match export.ty() {
            wasmer::ExternType::Memory(memory) if export.name() == "memory" => {
                Some(u64::from(memory.minimum.0))
            }
            _ => None,
        })
    }

    fn instantiate(
        engine: &wasmer::Engine,
        module: &wasmer::Module,
        limits: &Limits,
        name: &str,
    ) -> Result<Guest, Error> {
        Guest::new(engine, module, limits, name)
    }

    fn typed_function<P: Params, R: Results>(
        guest: &mut Guest,
        name: &str,
    ) -> Result<wasmer::TypedFunction<P, R>, ExportProblem> {
        guest.typed_function(name)
    }

    #[inline(always)]
    fn call<P: Params, R: Results>(
        guest: &mut Guest,
        function: &wasmer::TypedFunction<P, R>,
        params: P,
    ) -> Result<R, CallFailure> {
        guest.call(function, params)
    }

    fn memory_size(guest: &Guest) -> u64 {
        guest.memory.view(&guest.store).data_size()
    }

    #[inline]
    fn write(guest: &mut Guest, offset: u64, bytes: &[u8]) -> bool {
        guest.memory.view(&guest.store).write(offset, bytes).is_ok()
    }

    #[inline]
    fn read(guest: &Guest, offset: u64, buffer: &mut [u8]) -> bool {
        guest.memory.view(&guest.store).read(offset, buffer).is_ok()
    }

    fn bare<P: Params, R: Results>(
        engine: &wasmer::Engine,
        module: &wasmer::Module,
        name: &str,
    ) -> Result<Self::Bare<P, R>, String> {
        let mut store = Store::new(engine.clone());
        let instance =
            Instance::new(&mut store, module, &imports! {}).map_err(|error| error.to_string())?;
        let function = instance
            .exports
            .get_typed_function::<P, R>(&store, name)
            .map_err(|error| error.to_string())?;
        Ok((store, function))
    }

    #[inline(always)]
    fn call_bare<P: Params, R: Results>(
        (store, function): &mut Self::Bare<P, R>,
        params: P,
    ) -> Result<R, String> {
        params
            .call_wasmer(function, store)
            .map_err(|error| error.message())
    }
}

/// The runtime, version included, as cache keys name it; the features
/// are part of what the machine code depends on.
const RUNTIME: &str = concat!(
    "wasmer ",
    env!("WSIM_WASMER_VERSION"),
    " features: one memory, no threads"
);

/// The WebAssembly proposals a guest may use: wasmer's defaults, less
/// multiple memories (the memory cap is per memory: a module with a
/// hundred would get a hundred caps) and threads (wasmtime is built
/// without them), so a module means the same on both runtimes.
fn features() -> wasmer::sys::Features {
    let mut features = wasmer::sys::Features::new();
    features.multi_memory(false);
    features.threads(false);
    features
}


/// An engine from a compiler's `config`, with perf maps and fuel metering
/// as asked and wsim's proposals.
fn configured(
    mut config: Box<dyn CompilerConfig>,
    perfmap: bool,
    metered: Option<u64>,
) -> wasmer::Engine {
    if perfmap {
        config.enable_perfmap();
    }
    if let Some(budget) = metered {
        config.push_middleware(limits::metering(budget));
    }
    wasmer::sys::EngineBuilder::new(config)
        .set_features(Some(features()))
        .into()
}


fn describe(ty: &wasmer::ExternType) -> String {
    match ty {
        wasmer::ExternType::Function(function) => function.to_string(),
        wasmer::ExternType::Memory(memory) => {
            describe_memory(memory.minimum.0, memory.maximum.map(|pages| pages.0))
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

/// One wasmer instance with its store and memory.
pub(crate) struct Guest {
    store: Store,
    instance: Instance,
    memory: Memory,
    /// The metering globals, when the module was compiled with fuel.
    meter: Option<limits::Meter>,
    /// Set when the instance is dropped, so its deadline's timer ends.
    #[cfg(feature = "wasmer-deadline")]
    deadline_over: Option<Arc<AtomicBool>>,
}

#[cfg(feature = "wasmer-deadline")]
impl Drop for Guest {
    fn drop(&mut self) {
        if let Some(over) = &self.deadline_over {
            over.store(true, Ordering::Relaxed);
        }
    }
}

/// Interrupts the store `interrupter` belongs to once `deadline` has
/// passed: wasmer's interrupt lands only while guest code runs, so it is
/// sent again every tick until the instance is dropped (`over`).
#[cfg(feature = "wasmer-deadline")]
fn watch(interrupter: wasmer::Interrupter, deadline: std::time::Duration, over: Arc<AtomicBool>) {
    let tick = crate::limits::DEADLINE_TICK;
    std::thread::spawn(move || {
        let start = std::time::Instant::now();
        while start.elapsed() < deadline {
            if over.load(Ordering::Relaxed) {
                return;
            }
            std::thread::sleep(tick.min(deadline.saturating_sub(start.elapsed())));
        }
        while !over.load(Ordering::Relaxed) {
            interrupter.interrupt();
            std::thread::sleep(tick);
        }
    });
}

impl Guest {
    /// Instantiates `module` with no imports and finds its memory.
    fn new(
        engine: &wasmer::Engine,
        module: &wasmer::Module,
        limits: &Limits,
        name: &str,
    ) -> Result<Self, Error> {
        let fuel = limits.fuel;
        let mut store = Store::new(engine.clone());
        // From now on: instantiation and every call count against it. (Without
        // the feature, `EngineInner::new` refused an engine with a deadline.)
        #[cfg(feature = "wasmer-deadline")]
        let deadline_over = limits.deadline.map(|deadline| {
            let over = Arc::new(AtomicBool::new(false));
            watch(store.interrupter(), deadline, Arc::clone(&over));
            over
        });
        let instance = Instance::new(&mut store, module, &imports! {}).map_err(|error| {
            let reason = error.to_string();
            if error.to_string().contains("interrupted by host") {
                return Error::Instantiate {
                    module: name.to_owned(),
                    reason: format!(
                        "its start function passed the deadline of {:?}",
                        limits.deadline.unwrap_or_default()
                    ),
                };
            }
            match fuel {
                // The metering middleware ends a budget with `unreachable`,
                // and a failed instance leaves no flag to read: a start
                // function's `unreachable` in a metered module is either.
                Some(_) if reason.contains("unreachable") => Error::Instantiate {
                    module: name.to_owned(),
                    reason: "its start function trapped: it reached `unreachable`, or ran out \
                             of fuel (on wasmer a start function has the budget the module was \
                             compiled with, and running out ends in the same trap; wasmtime \
                             tells the two apart)"
                        .to_owned(),
                },
                _ => Error::Instantiate {
                    module: name.to_owned(),
                    reason,
                },
            }
        })?;
        let meter = fuel
            .map(|budget| limits::Meter::new(&instance, budget, name))
            .transpose()?;
        let memory = match instance.exports.get_memory("memory") {
            Ok(memory) => memory.clone(),
            Err(error) => {
                let problem = export_problem(&error, "memory", &instance, &store);
                return Err(export_error(name, "memory", "a memory", problem));
            }
        };
        Ok(Self {
            store,
            instance,
            memory,
            meter,
            #[cfg(feature = "wasmer-deadline")]
            deadline_over,
        })
    }

    /// The function export `name`, typed `P -> R`.
    fn typed_function<P: Params, R: Results>(
        &self,
        name: &str,
    ) -> Result<wasmer::TypedFunction<P, R>, ExportProblem> {
        self.instance
            .exports
            .get_typed_function::<P, R>(&self.store, name)
            .map_err(|error| export_problem(&error, name, &self.instance, &self.store))
    }

    /// Calls `function`, with a full fuel budget when metered.
    #[inline(always)]
    fn call<P: Params, R: Results>(
        &mut self,
        function: &wasmer::TypedFunction<P, R>,
        params: P,
    ) -> Result<R, CallFailure> {
        if let Some(meter) = &self.meter {
            meter
                .refuel(&mut self.store)
                .map_err(|error| CallFailure::Trap(error.message()))?;
        }
        params
            .call_wasmer(function, &mut self.store)
            .map_err(|error| self.failure(&error))
    }

    #[cold]
    fn failure(&mut self, error: &wasmer::RuntimeError) -> CallFailure {
        // wasmer does not re-export its trap codes; this is
        // `TrapCode::HostInterrupt`'s message.
        if error
            .clone()
            .to_trap()
            .is_some_and(|code| code.message() == "interrupted by host")
        {
            return CallFailure::Deadline;
        }
        if let Some(meter) = &self.meter
            && meter.exhausted(&mut self.store)
        {
            return CallFailure::OutOfFuel;
        }
        CallFailure::Trap(
            error
                .clone()
                .to_trap()
                .map_or_else(|| error.message(), |code| code.message().to_owned()),
        )
    }
}

fn export_problem(
    error: &wasmer::ExportError,
    name: &str,
    instance: &Instance,
    store: &Store,
) -> ExportProblem {
    if matches!(error, wasmer::ExportError::Missing(_)) {
        return ExportProblem::Missing;
    }
    ExportProblem::WrongType {
        found: instance
            .exports
            .get_extern(name)
            .map_or_else(|| "unknown".to_owned(), |found| describe(&found.ty(store))),
    }
}
