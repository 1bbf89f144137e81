//! wasmtime underneath [`Engine`](crate::Engine), [`Module`](crate::Module)
//! and [`Guest`](crate::Guest), and its Component Model
//! ([`Component`](crate::Component)).
//!
//! [`Limits`] map onto wasmtime's own machinery: fuel is
//! `Config::consume_fuel` (about one unit per operator, like wasmer's
//! metering) with the store refuelled before every call, and the memory cap
//! is a `StoreLimits` resource limiter, under which `memory.grow` past the
//! cap returns -1 and an instance whose initial memory is above it fails.

use std::hash::{Hash as _, Hasher as _};

use wasmtime::{Instance, Memory, Store, StoreLimits, StoreLimitsBuilder};

use crate::cache::{self, KeyParts, ModuleCache, Origin};
use crate::types::{Params, Results};
use crate::runtime::{
    CallFailure, ExportProblem, WasmRuntime, compile_failure, describe_memory, export_error,
};
use crate::{Compiler, Error, Limits};

mod component;

pub(crate) use component::compile_component;
pub use component::{Component, ComponentStore};

/// wasmtime, as the engine sees it.
pub(crate) struct Wasmtime;

impl WasmRuntime for Wasmtime {
    type Engine = wasmtime::Engine;
    type Module = wasmtime::Module;
    type Guest = Guest;
    type Function<P: Params, R: Results> = wasmtime::TypedFunc<P, R>;
    type Bare<P: Params, R: Results> = (Store<()>, wasmtime::TypedFunc<P, R>);

    fn engine(compiler: Compiler, limits: &Limits) -> Result<wasmtime::Engine, Error> {
        if compiler != Compiler::Cranelift {
            return Err(Error::Runtime {
                runtime: "wasmtime",
                reason: format!("wsim builds wasmtime with Cranelift only, not {compiler}"),
            });
        }
        engine(limits)
    }

    fn engine_serves_many(_: &Limits) -> bool {
        true
    }

    fn compile(
        engine: &wasmtime::Engine,
        _: Compiler,
        limits: &Limits,
        cache: Option<&ModuleCache>,
        name: &str,
        bytes: &[u8],
    ) -> Result<(wasmtime::Module, Origin), Error> {
        compile(engine, limits, cache, name, bytes)
    }

    fn imports(module: &wasmtime::Module) -> Vec<String> {
        module
            .imports()
            .map(|import| format!("{}.{}", import.module(), import.name()))
            .collect()
    }

    fn exports(module: &wasmtime::Module, _: bool) -> Vec<(String, String)> {
        module
            .exports()
            .map(|export| (export.name().to_owned(), describe(&export.ty())))
            .collect()
    }

    fn exports_function(module: &wasmtime::Module, name: &str) -> bool {
        module.exports().any(|export| {
            export.name() == name && matches!(export.ty(), wasmtime::ExternType::Func(_))
        })
    }

    fn initial_pages(module: &wasmtime::Module) -> Option<u64> {
        module.exports().find_map(|export| match export.ty() {
            wasmtime::ExternType::Memory(memory) if export.name() == "memory" => {
                Some(memory.minimum())
            }
            _ => None,
        })
    }

    fn instantiate(
        engine: &wasmtime::Engine,
        module: &wasmtime::Module,
        limits: &Limits,
        name: &str,
    ) -> Result<Guest, Error> {
        Guest::new(engine, module, limits, name)
    }

    fn typed_function<P: Params, R: Results>(
        guest: &mut Guest,
        name: &str,
    ) -> Result<wasmtime::TypedFunc<P, R>, ExportProblem> {
        guest.typed_function(name)
    }

    #[inline(always)]
    fn call<P: Params, R: Results>(
        guest: &mut Guest,
        function: &wasmtime::TypedFunc<P, R>,
        params: P,
    ) -> Result<R, CallFailure> {
        guest.call(function, params)
    }

    fn memory_size(guest: &Guest) -> u64 {
        guest.memory.data_size(&guest.store) as u64
    }

    #[inline]
    fn write(guest: &mut Guest, offset: u64, bytes: &[u8]) -> bool {
        usize::try_from(offset)
            .is_ok_and(|offset| guest.memory.write(&mut guest.store, offset, bytes).is_ok())
    }

    #[inline]
    fn read(guest: &Guest, offset: u64, buffer: &mut [u8]) -> bool {
        usize::try_from(offset)
            .is_ok_and(|offset| guest.memory.read(&guest.store, offset, buffer).is_ok())
    }

    fn bare<P: Params, R: Results>(
        engine: &wasmtime::Engine,
        module: &wasmtime::Module,
        name: &str,
    ) -> Result<Self::Bare<P, R>, String> {
        let mut store = Store::new(engine, ());
        let instance =
            Instance::new(&mut store, module, &[]).map_err(|error| format!("{error:#}"))?;
        let function = instance
            .get_typed_func::<P, R>(&mut store, name)
            .map_err(|error| format!("{error:#}"))?;
        Ok((store, function))
    }

    #[inline(always)]
    fn call_bare<P: Params, R: Results>(
        (store, function): &mut Self::Bare<P, R>,
        params: P,
    ) -> Result<R, String> {
        function
            .call(store, params)
            .map_err(|error| format!("{error:#}"))
    }
}

/// The runtime, version included, as cache keys name it.
const RUNTIME: &str = concat!("wasmtime ", env!("WSIM_WASMTIME_VERSION"));

/// What every wasmtime store holds: the limiter enforcing the memory cap.
#[derive(Debug)]
pub struct StoreState {
    limits: StoreLimits,
}

/// A store for one instance under `limits`.
pub(crate) fn store(engine: &wasmtime::Engine, limits: &Limits) -> Store<StoreState> {
    let mut builder =
        StoreLimitsBuilder::new().table_elements(crate::limits::MAX_TABLE_ELEMENTS as usize);
    if let Some(bytes) = limits.max_memory_bytes() {
        builder = builder.memory_size(usize::try_from(bytes).unwrap_or(usize::MAX));
    }
    let mut store = Store::new(
        engine,
        StoreState {
            limits: builder.build(),
        },
    );
    store.limiter(|state| &mut state.limits);
    if let Some(ticks) = limits.deadline_ticks() {
        // From now on: instantiation and every call count against it.
        store.set_epoch_deadline(ticks);
        store.epoch_deadline_trap();
    }
    store
}

/// A wasmtime engine (Cranelift) for `limits`: with fuel when they ask for
/// it. One engine serves any number of modules.
fn engine(limits: &Limits) -> Result<wasmtime::Engine, Error> {
    let mut config = wasmtime::Config::new();
    config.consume_fuel(limits.fuel.is_some());
    // Compiled-in epoch checks, only where a deadline is asked for.
    config.epoch_interruption(limits.deadline.is_some());
    // The proposals wasmer has (see `wasmer_runtime::features`), so a
    // module means the same on both runtimes; one memory, because the cap
    // is per memory.
    config
        .wasm_multi_memory(false)
        .wasm_tail_call(false)
        .wasm_relaxed_simd(false);
    // Out of fuel is an error the host explains; backtraces would only
    // cost time on every trap.
    config.wasm_backtrace_max_frames(None);
    let engine = wasmtime::Engine::new(&config).map_err(|error| Error::Runtime {
        runtime: "wasmtime",
        reason: error.to_string(),
    })?;
    if limits.deadline.is_some() {
        tick(&engine);
    }
    Ok(engine)
}

/// Advances `engine`'s epoch every [`DEADLINE_TICK`](crate::limits::DEADLINE_TICK)
/// from a thread of its own, for as long as the engine lives.
fn tick(engine: &wasmtime::Engine) {
    let weak = engine.weak();
    std::thread::spawn(move || {
        while let Some(engine) = weak.upgrade() {
            engine.increment_epoch();
            drop(engine);
            std::thread::sleep(crate::limits::DEADLINE_TICK);
        }
    });
}

/// What a cache key needs of an engine: everything wasmtime itself checks
/// before it accepts serialized code.
pub(crate) fn target(engine: &wasmtime::Engine) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    format!("{} {:016x}", std::env::consts::ARCH, hasher.finish())
}

/// Compiles `bytes` with `engine`, through `cache` when there is one.
fn compile(
    engine: &wasmtime::Engine,
    limits: &Limits,
    cache: Option<&ModuleCache>,
    name: &str,
    bytes: &[u8],
) -> Result<(wasmtime::Module, Origin), Error> {
    let compile = || {
        wasmtime::Module::new(engine, bytes).map_err(|error| Error::Compile {
            module: name.to_owned(),
            reason: compile_failure(bytes, &format!("{error:#}")),
        })
    };
    let Some(cache) = cache else {
        return Ok((compile()?, Origin::Compiled));
    };
    let target = target(engine);
    let parts = KeyParts {
        runtime: RUNTIME,
        compiler: "cranelift",
        metered: limits.fuel.is_some(),
        target: &target,
        extension: "wasmtime",
    };
    cache::through(
        cache,
        bytes,
        &parts,
        |payload| {
            // SAFETY: the payload is byte for byte what `Module::serialize`
            // wrote for this key (its checksum matched); the key pins the
            // wasmtime version and the engine's settings, and wasmtime checks
            // both again before it maps the code.
            unsafe { wasmtime::Module::deserialize(engine, payload) }
                .map_err(|error| format!("wasmtime refused it: {error}"))
        },
        compile,
        |module| module.serialize().ok(),
    )
}

/// A function type as wsim writes it on both runtimes: `[I64, I64] -> [I32]`.
fn describe_function(function: &wasmtime::FuncType) -> String {
    let params: Vec<String> = function.params().map(|ty| describe_value(&ty)).collect();
    let results: Vec<String> = function.results().map(|ty| describe_value(&ty)).collect();
    format!("[{}] -> [{}]", params.join(", "), results.join(", "))
}

/// A value type as wasmer spells it (`I64`), so that a message reads the
/// same whichever runtime wrote it.
fn describe_value(ty: &wasmtime::ValType) -> String {
    match ty {
        wasmtime::ValType::I32 => "I32".to_owned(),
        wasmtime::ValType::I64 => "I64".to_owned(),
        wasmtime::ValType::F32 => "F32".to_owned(),
        wasmtime::ValType::F64 => "F64".to_owned(),
        wasmtime::ValType::V128 => "V128".to_owned(),
        wasmtime::ValType::Ref(reference) => match (reference.is_nullable(), reference.heap_type())
        {
            (true, wasmtime::HeapType::Func) => "FuncRef".to_owned(),
            (true, wasmtime::HeapType::Extern) => "ExternRef".to_owned(),
            // Typed references, which wasmer does not have.
            _ => reference.to_string(),
        },
    }
}

fn describe(ty: &wasmtime::ExternType) -> String {
    match ty {
        wasmtime::ExternType::Func(function) => describe_function(function),
        wasmtime::ExternType::Memory(memory) => describe_memory(
            u32::try_from(memory.minimum()).unwrap_or(u32::MAX),
            memory
                .maximum()
                .map(|pages| u32::try_from(pages).unwrap_or(u32::MAX)),
        ),
        wasmtime::ExternType::Global(global) => format!(
            "global {}{}",
            describe_value(global.content()),
            if global.mutability() == wasmtime::Mutability::Var {
                ", mutable"
            } else {
                ""
            }
        ),
        wasmtime::ExternType::Table(table) => format!("table {table:?}"),
        wasmtime::ExternType::Tag(tag) => format!("tag {tag:?}"),
    }
}

/// The error for a call that failed: out of fuel, or a trap in wasmtime's
/// words.
#[cold]
pub(crate) fn failure(error: &wasmtime::Error) -> CallFailure {
    match error.downcast_ref::<wasmtime::Trap>() {
        Some(wasmtime::Trap::OutOfFuel) => CallFailure::OutOfFuel,
        Some(wasmtime::Trap::Interrupt) => CallFailure::Deadline,
        Some(trap) => CallFailure::Trap(trap.to_string()),
        None => CallFailure::Trap(format!("{error:#}")),
    }
}

/// One wasmtime instance with its store and memory.
pub(crate) struct Guest {
    store: Store<StoreState>,
    instance: Instance,
    memory: Memory,
    /// Fuel per call, when the engine meters.
    fuel: Option<u64>,
}

impl Guest {
    /// Instantiates `module` with no imports and finds its memory.
    fn new(
        engine: &wasmtime::Engine,
        module: &wasmtime::Module,
        limits: &Limits,
        name: &str,
    ) -> Result<Self, Error> {
        let mut store = store(engine, limits);
        // A start function runs inside `Instance::new`: it gets one call's
        // budget, so a loop there stops as one in an export does.
        if let Some(budget) = limits.fuel {
            store.set_fuel(budget).map_err(|error| Error::Instantiate {
                module: name.to_owned(),
                reason: error.to_string(),
            })?;
        }
        let instance = Instance::new(&mut store, module, &[]).map_err(|error| {
            match (failure(&error), limits.fuel) {
                (CallFailure::OutOfFuel, Some(budget)) => Error::StartOutOfFuel {
                    module: name.to_owned(),
                    budget,
                },
                (CallFailure::Deadline, _) => Error::Instantiate {
                    module: name.to_owned(),
                    reason: format!(
                        "its start function passed the deadline of {:?}",
                        limits.deadline.unwrap_or_default()
                    ),
                },
                _ => Error::Instantiate {
                    module: name.to_owned(),
                    reason: format!("{error:#}"),
                },
            }
        })?;
        let Some(memory) = instance.get_memory(&mut store, "memory") else {
            let problem = match instance.get_export(&mut store, "memory") {
                None => ExportProblem::Missing,
                Some(other) => ExportProblem::WrongType {
                    found: describe(&other.ty(&store)),
                },
            };
            return Err(export_error(name, "memory", "a memory", problem));
        };
        Ok(Self {
            store,
            instance,
            memory,
            fuel: limits.fuel,
        })
    }

    /// The function export `name`, typed `P -> R`.
    fn typed_function<P: Params, R: Results>(
        &mut self,
        name: &str,
    ) -> Result<wasmtime::TypedFunc<P, R>, ExportProblem> {
        let function = match self.instance.get_export(&mut self.store, name) {
            None => return Err(ExportProblem::Missing),
            Some(wasmtime::Extern::Func(function)) => function,
            Some(other) => {
                return Err(ExportProblem::WrongType {
                    found: describe(&other.ty(&self.store)),
                });
            }
        };
        function
            .typed::<P, R>(&self.store)
            .map_err(|_| ExportProblem::WrongType {
                found: describe_function(&function.ty(&self.store)),
            })
    }

    /// Calls `function`, with a full fuel budget when metered.
    #[inline(always)]
    fn call<P: Params, R: Results>(
        &mut self,
        function: &wasmtime::TypedFunc<P, R>,
        params: P,
    ) -> Result<R, CallFailure> {
        if let Some(budget) = self.fuel {
            self.store
                .set_fuel(budget)
                .map_err(|error| CallFailure::Trap(error.to_string()))?;
        }
        function
            .call(&mut self.store, params)
            .map_err(|error| failure(&error))
    }
}
