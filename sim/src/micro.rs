//! `wsim micro`: the paper's micro-benchmark (its Table 1), measured with
//! warm-ups, `black_box` and a check on every product.
//!
//! Every configuration multiplies `calls` pairs of `u64`s per repetition in
//! the multiply guest (`backends/guests/multiply`), and the repetition's time
//! divided by `calls` is one sample of "ns per call". The configurations:
//!
//! | test | ABI | cached | loading | SRS | memory |
//! | --- | --- | --- | --- | --- | --- |
//! | 1 | Pair | no | hotload | | |
//! | 2 | Pair | no | preload | | |
//! | 3 | Pair | yes | hotload | no | |
//! | 4 | Pair | yes | preload | no | |
//! | 5 | Pair | yes | hotload | yes | |
//! | 6 | Pair | yes | preload | yes | |
//! | 7 | Bincode | no | preload | | dynamic |
//! | 8 | Bincode | yes | preload | | dynamic |
//! | 9 | Bytemuck | no | preload | | dynamic |
//! | 10 | Bytemuck | yes | preload | | dynamic |
//! | 11 | Bytemuck | no | preload | | static |
//! | 12 | Bytemuck | yes | preload | | static |
//!
//! - **cached**: the export is resolved and type-checked once, and its typed
//!   handle kept; **uncached**: looked up by name (and type-checked) on every
//!   call.
//! - **preload**: the module is compiled and instantiated before timing;
//!   **hotload**: compiled before, but instantiated (a fresh store and
//!   instance, exports resolved) inside each timed repetition.
//! - **SRS**: the instance and the handle live in one struct and the call is
//!   a method on it: the paper's "self-referential struct", which wasmer's
//!   owned handles make an ordinary struct. Without SRS they are two local
//!   variables.
//! - **dynamic** memory: per call the guest allocates a buffer (`alloc`),
//!   the host writes into it, and the call frees it; **static**: the guest's
//!   static buffer, its address fetched once per instance.
//!
//! Beside them: **native**, a call to a Rust function the compiler may not
//! inline (the floor); **bare**, the runtime's own typed call
//! (`wasmer::TypedFunction::call`, `wasmtime::TypedFunc::call`) on the same
//! module with none of wsim's engine in between; and **batch**, many
//! multiplies per call through the static buffer, reported per multiply.
//!
//! Every configuration but native runs on each runtime given (wasmer,
//! wasmtime). On wasmtime two more measure the Component Model: **component**,
//! `multiply: func(a: u64, b: u64) -> u64` called through
//! `wasmtime::component::bindgen!`'s bindings (the canonical ABI in place of
//! Pair), and **component list**, `multiply-list(list<tuple<u64, u64>>) ->
//! list<u64>` (the canonical ABI's lists in place of Batch), per multiply.
//!
//! Before timing, `warmup` repetitions run untimed. Every repetition's
//! products are summed and the sum checked against the host's own; a wrong
//! product stops the benchmark.

use std::hint::black_box;
use std::time::Instant;

use serde::Serialize;
use wsim_backends::engine::{Guest, Lookup};
use wsim_backends::{Cached, Module, Runtime, Uncached};
use wsim_policies::Request;
use wsim_policies::wire::{self, BINCODE_MAX_LEN, REQUEST_WIRE_LEN};

use crate::Error;

/// How the module is loaded relative to the timing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Loading {
    /// Compiled and instantiated before timing.
    Preload,
    /// Instantiated inside each timed repetition.
    Hotload,
}

/// Where the operands are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Memory {
    /// A buffer the guest allocates per call.
    Dynamic,
    /// The guest's static buffer, its address fetched once.
    Static,
}

/// One configuration of the micro-benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Config {
    /// A direct call to a native function: the floor.
    Native,
    /// The runtime's own typed call with nothing of wsim in between.
    Bare,
    /// The operands as two wasm arguments.
    Pair {
        /// Export resolved once.
        cached: bool,
        /// When the module is instantiated.
        loading: Loading,
        /// Instance and handle in one struct.
        srs: bool,
    },
    /// The operands bincode-encoded into a buffer the guest allocates.
    Bincode {
        /// Exports resolved once.
        cached: bool,
    },
    /// The operands as a C struct.
    Bytemuck {
        /// Exports resolved once.
        cached: bool,
        /// Into a per-call buffer, or the static one.
        memory: Memory,
    },
    /// Many multiplies per call through the static buffer.
    Batch,
    /// A Component Model call per multiply (wasmtime).
    Component,
    /// Many multiplies per Component Model call, as lists (wasmtime).
    ComponentList,
}

/// The paper's Table 1, in its order.
pub const TABLE_1: [Config; 12] = {
    use Config::{Bincode, Bytemuck, Pair};
    use Loading::{Hotload, Preload};
    [
        Pair {
            cached: false,
            loading: Hotload,
            srs: false,
        },
        Pair {
            cached: false,
            loading: Preload,
            srs: false,
        },
        Pair {
            cached: true,
            loading: Hotload,
            srs: false,
        },
        Pair {
            cached: true,
            loading: Preload,
            srs: false,
        },
        Pair {
            cached: true,
            loading: Hotload,
            srs: true,
        },
        Pair {
            cached: true,
            loading: Preload,
            srs: true,
        },
        Bincode { cached: false },
        Bincode { cached: true },
        Bytemuck {
            cached: false,
            memory: Memory::Dynamic,
        },
        Bytemuck {
            cached: true,
            memory: Memory::Dynamic,
        },
        Bytemuck {
            cached: false,
            memory: Memory::Static,
        },
        Bytemuck {
            cached: true,
            memory: Memory::Static,
        },
    ]
};

/// Every configuration `wsim micro` runs: the floor, the bare call,
/// Table 1, Batch, and the Component Model's two.
#[must_use]
pub fn all_configs() -> Vec<Config> {
    let mut configs = vec![Config::Native, Config::Bare];
    configs.extend(TABLE_1);
    configs.extend([Config::Batch, Config::Component, Config::ComponentList]);
    configs
}

impl Config {
    /// The test number in the paper's Table 1, if it is one of its rows.
    #[must_use]
    pub fn test(self) -> Option<usize> {
        TABLE_1
            .iter()
            .position(|&row| row == self)
            .map(|index| index + 1)
    }

    /// A short name: `4 pair cached preload`.
    #[must_use]
    pub fn label(self) -> String {
        let lookup = |cached: bool| if cached { "cached" } else { "uncached" };
        let name = match self {
            Self::Native => "native".to_owned(),
            Self::Bare => "bare".to_owned(),
            Self::Pair {
                cached,
                loading,
                srs,
            } => format!(
                "pair {} {}{}",
                lookup(cached),
                match loading {
                    Loading::Preload => "preload",
                    Loading::Hotload => "hotload",
                },
                if srs { " srs" } else { "" }
            ),
            Self::Bincode { cached } => format!("bincode {}", lookup(cached)),
            Self::Bytemuck { cached, memory } => format!(
                "bytemuck {} {}",
                lookup(cached),
                match memory {
                    Memory::Dynamic => "dynamic",
                    Memory::Static => "static",
                }
            ),
            Self::Batch => "batch (per item)".to_owned(),
            Self::Component => "component".to_owned(),
            Self::ComponentList => "component list (per item)".to_owned(),
        };
        match self.test() {
            Some(test) => format!("{test} {name}"),
            None => name,
        }
    }

    fn abi(self) -> &'static str {
        match self {
            Self::Native => "native",
            Self::Bare | Self::Pair { .. } => "pair",
            Self::Bincode { .. } => "bincode",
            Self::Bytemuck { .. } => "bytemuck",
            Self::Batch => "batch",
            Self::Component => "component",
            Self::ComponentList => "component list",
        }
    }

    /// Whether it runs on a component (wasmtime) rather than on each
    /// runtime's core module.
    #[must_use]
    pub const fn is_component(self) -> bool {
        matches!(self, Self::Component | Self::ComponentList)
    }
}

/// What the micro-benchmark runs on: the multiply module compiled for each
/// runtime, and the multiply component (wasmtime).
#[derive(Debug, Default)]
pub struct Targets {
    /// The multiply module, once per runtime.
    pub modules: Vec<Module>,
    /// The multiply component.
    #[cfg(feature = "wasmtime")]
    pub component: Option<wsim_backends::Component>,
}

/// How much to measure.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Calls (multiplies) per repetition.
    pub calls: u64,
    /// Timed repetitions.
    pub reps: u32,
    /// Untimed repetitions first.
    pub warmup: u32,
}

/// One configuration's results.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Short name.
    pub config: String,
    /// The runtime; `None` for native.
    pub runtime: Option<&'static str>,
    /// The test number in Table 1, if any.
    pub test: Option<usize>,
    /// `native`, `pair`, `bincode`, `bytemuck` or `batch`.
    pub abi: &'static str,
    /// Whether exports were resolved once; `None` where it does not apply.
    pub cached: Option<bool>,
    /// When the module was instantiated; `None` where it does not apply.
    pub loading: Option<Loading>,
    /// Whether instance and handle lived in one struct.
    pub srs: Option<bool>,
    /// Where operands were written.
    pub memory: Option<Memory>,
    /// Calls per repetition (multiplies, for Batch).
    pub calls: u64,
    /// Timed repetitions.
    pub reps: u32,
    /// Mean over repetitions, ns per call.
    pub mean_ns: f64,
    /// Median over repetitions, ns per call.
    pub median_ns: f64,
    /// Sample standard deviation over repetitions, ns per call.
    pub stddev_ns: f64,
    /// `mean_ns` over native's.
    pub ratio_to_native: f64,
    /// The sum of the first repetition's products (wrapping): the same in
    /// every row, and checked against the host's own in every repetition.
    pub check: u64,
    /// `release` or `debug`: how the host was built.
    pub host_build: &'static str,
}

/// The runs `configs` make on `targets`: native once, the component
/// configurations once on the component, every other once per runtime.
#[must_use]
pub fn runs(targets: &Targets, configs: &[Config]) -> usize {
    configs
        .iter()
        .map(|config| match config {
            Config::Native => 1,
            #[cfg(feature = "wasmtime")]
            config if config.is_component() => usize::from(targets.component.is_some()),
            config if config.is_component() => 0,
            _ => targets.modules.len(),
        })
        .sum()
}

/// Runs every configuration, reporting each finished repetition.
pub fn run(
    targets: &Targets,
    configs: &[Config],
    options: Options,
    progress: &mut dyn FnMut(&str),
) -> Result<Vec<Row>, Error> {
    let mut rows: Vec<Row> = Vec::with_capacity(runs(targets, configs));
    for &config in configs {
        let label = config.label();
        if config == Config::Native {
            let samples = measure_native(options, &mut || progress(&label))?;
            rows.push(summarize(config, None, options, &samples));
        } else if config.is_component() {
            #[cfg(feature = "wasmtime")]
            if let Some(component) = &targets.component {
                let samples =
                    measure_component(config, component, options, &mut || progress(&label))?;
                rows.push(summarize(config, Some("wasmtime"), options, &samples));
            }
        } else {
            for module in &targets.modules {
                let label = format!("{label} on {}", module.runtime());
                let samples = measure_config(config, module, options, &mut || progress(&label))?;
                rows.push(summarize(
                    config,
                    Some(module.runtime().name()),
                    options,
                    &samples,
                ));
            }
        }
    }
    let native = rows
        .iter()
        .find(|row| row.abi == "native")
        .map(|row| row.mean_ns);
    for row in &mut rows {
        row.ratio_to_native = native.map_or(f64::NAN, |native| row.mean_ns / native);
    }
    Ok(rows)
}

/// The operands of call `index` of repetition `rep`: varied, so nothing can
/// be folded, and cheap to make.
#[inline]
fn operands(rep: u32, index: u64) -> (u64, u64) {
    let a = index.wrapping_add(u64::from(rep) << 32);
    (a, (a ^ 0x9e37_79b9_7f4a_7c15) | 1)
}

/// What repetition `rep`'s products must sum to.
fn expected(rep: u32, calls: u64) -> u64 {
    (0..calls).fold(0u64, |sum, index| {
        let (a, b) = operands(rep, index);
        sum.wrapping_add(a.wrapping_mul(b))
    })
}

/// The samples of one configuration: ns per call for each timed repetition,
/// and the first repetition's check sum.
struct Samples {
    ns_per_call: Vec<f64>,
    check: u64,
}

/// Times `warmup + reps` repetitions. `prepare` makes the state a
/// repetition needs, once before timing (preload) or inside every timed
/// repetition (hotload); `repetition` makes all of one repetition's calls
/// and returns the sum of the products.
fn measure<S>(
    options: Options,
    loading: Loading,
    mut prepare: impl FnMut() -> Result<S, Error>,
    mut repetition: impl FnMut(&mut S, u32) -> Result<u64, Error>,
    progress: &mut dyn FnMut(),
) -> Result<Samples, Error> {
    let mut preloaded = match loading {
        Loading::Preload => Some(prepare()?),
        Loading::Hotload => None,
    };
    let mut samples = Samples {
        ns_per_call: Vec::with_capacity(options.reps as usize),
        check: 0,
    };
    for rep in 0..options.warmup + options.reps {
        let want = expected(rep, options.calls);
        let start = Instant::now();
        let sum = match preloaded.as_mut() {
            Some(state) => repetition(state, rep)?,
            None => repetition(&mut prepare()?, rep)?,
        };
        let elapsed = start.elapsed();
        if black_box(sum) != want {
            return Err(Error::Invalid(format!(
                "repetition {rep}: the products sum to {sum:#x}, not {want:#x}"
            )));
        }
        if rep == 0 {
            samples.check = sum;
        }
        if rep >= options.warmup {
            #[expect(clippy::cast_precision_loss, reason = "a time")]
            samples
                .ns_per_call
                .push(elapsed.as_nanos() as f64 / options.calls as f64);
        }
        progress();
    }
    Ok(samples)
}

/// Makes `calls` multiplies through `multiply`, inputs and results through
/// `black_box`, and sums the products.
#[inline]
fn each_call(
    rep: u32,
    calls: u64,
    mut multiply: impl FnMut(u64, u64) -> Result<u64, Error>,
) -> Result<u64, Error> {
    let mut sum = 0u64;
    for index in 0..calls {
        let (a, b) = black_box(operands(rep, index));
        sum = sum.wrapping_add(black_box(multiply(a, b)?));
    }
    Ok(sum)
}

/// The native floor: a multiply the compiler must call, not inline.
#[inline(never)]
fn multiply_natively(a: u64, b: u64) -> u64 {
    a.wrapping_mul(b)
}

#[expect(
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    reason = "i64s carry u64 bits"
)]
fn measure_config(
    config: Config,
    module: &Module,
    options: Options,
    progress: &mut dyn FnMut(),
) -> Result<Samples, Error> {
    let calls = options.calls;
    let instantiate = || module.instantiate().map_err(Error::from);
    match config {
        Config::Native | Config::Component | Config::ComponentList => Err(Error::Invalid(format!(
            "{} does not run on a core module",
            config.label()
        ))),
        Config::Bare => measure_bare(module, options, progress),
        Config::Pair {
            cached,
            loading,
            srs: false,
        } => {
            fn pair<L: Lookup>(
                options: Options,
                loading: Loading,
                module: &Module,
                progress: &mut dyn FnMut(),
            ) -> Result<Samples, Error> {
                measure(
                    options,
                    loading,
                    || {
                        let mut guest = module.instantiate()?;
                        let multiply = guest.export::<(i64, i64), i64, L>("multiply")?;
                        Ok((guest, multiply))
                    },
                    // Guest and handle as two separate variables.
                    |(guest, multiply), rep| {
                        each_call(rep, options.calls, |a, b| {
                            Ok(guest.call(multiply, (a as i64, b as i64))? as u64)
                        })
                    },
                    progress,
                )
            }
            if cached {
                pair::<Cached>(options, loading, module, progress)
            } else {
                pair::<Uncached>(options, loading, module, progress)
            }
        }
        Config::Pair {
            loading, srs: true, ..
        } => measure(
            options,
            loading,
            || SrsGuest::new(module),
            |guest, rep| each_call(rep, calls, |a, b| guest.multiply(a, b)),
            progress,
        ),
        Config::Bincode { cached } => {
            fn bincode<L: Lookup>(
                options: Options,
                module: &Module,
                progress: &mut dyn FnMut(),
            ) -> Result<Samples, Error> {
                measure(
                    options,
                    Loading::Preload,
                    || {
                        let mut guest = module.instantiate()?;
                        let alloc = guest.export::<i32, i32, L>("alloc")?;
                        let multiply = guest.export::<(i32, i32), i64, L>("multiply_bincode")?;
                        Ok((guest, alloc, multiply))
                    },
                    |(guest, alloc, multiply), rep| {
                        each_call(rep, options.calls, |a, b| {
                            let mut encoded = [0; BINCODE_MAX_LEN];
                            let len = wire::encode_bincode_pair(a, b, &mut encoded);
                            #[expect(clippy::cast_possible_truncation, reason = "at most 18")]
                            let len_param = len as i32;
                            let pointer = guest.call(alloc, len_param)?;
                            guest.write(
                                pointer as u32,
                                &encoded[..len],
                                "the buffer `alloc` returned",
                            )?;
                            Ok(guest.call(multiply, (pointer, len_param))? as u64)
                        })
                    },
                    progress,
                )
            }
            if cached {
                bincode::<Cached>(options, module, progress)
            } else {
                bincode::<Uncached>(options, module, progress)
            }
        }
        Config::Bytemuck {
            cached,
            memory: Memory::Dynamic,
        } => {
            fn dynamic<L: Lookup>(
                options: Options,
                module: &Module,
                progress: &mut dyn FnMut(),
            ) -> Result<Samples, Error> {
                measure(
                    options,
                    Loading::Preload,
                    || {
                        let mut guest = module.instantiate()?;
                        let alloc = guest.export::<i32, i32, L>("alloc")?;
                        let multiply = guest.export::<i32, i64, L>("multiply_bytemuck_at")?;
                        Ok((guest, alloc, multiply))
                    },
                    |(guest, alloc, multiply), rep| {
                        #[expect(clippy::cast_possible_truncation, reason = "16")]
                        let len = REQUEST_WIRE_LEN as i32;
                        each_call(rep, options.calls, |a, b| {
                            let pointer = guest.call(alloc, len)?;
                            let operands = Request::new(a, b);
                            guest.write(
                                pointer as u32,
                                bytemuck::bytes_of(&operands),
                                "the buffer `alloc` returned",
                            )?;
                            Ok(guest.call(multiply, pointer)? as u64)
                        })
                    },
                    progress,
                )
            }
            if cached {
                dynamic::<Cached>(options, module, progress)
            } else {
                dynamic::<Uncached>(options, module, progress)
            }
        }
        Config::Bytemuck {
            cached,
            memory: Memory::Static,
        } => {
            fn fixed<L: Lookup>(
                options: Options,
                module: &Module,
                progress: &mut dyn FnMut(),
            ) -> Result<Samples, Error> {
                measure(
                    options,
                    Loading::Preload,
                    || {
                        let mut guest = module.instantiate()?;
                        let address = static_buffer(&mut guest, REQUEST_WIRE_LEN)?.0;
                        let multiply = guest.export::<(), i64, L>("multiply_bytemuck")?;
                        Ok((guest, address, multiply))
                    },
                    |(guest, address, multiply), rep| {
                        each_call(rep, options.calls, |a, b| {
                            let operands = Request::new(a, b);
                            guest.write(
                                *address,
                                bytemuck::bytes_of(&operands),
                                "the static buffer",
                            )?;
                            Ok(guest.call(multiply, ())? as u64)
                        })
                    },
                    progress,
                )
            }
            if cached {
                fixed::<Cached>(options, module, progress)
            } else {
                fixed::<Uncached>(options, module, progress)
            }
        }
        Config::Batch => measure(
            options,
            Loading::Preload,
            || {
                let mut guest = instantiate()?;
                let (address, len) = static_buffer(&mut guest, REQUEST_WIRE_LEN + 8)?;
                let multiply = guest.export::<i32, i32, Cached>("multiply_batch")?;
                let capacity = len as usize / (REQUEST_WIRE_LEN + 8);
                Ok((guest, address, capacity, multiply, Vec::new(), Vec::new()))
            },
            |(guest, address, capacity, multiply, pairs, products), rep| {
                let mut sum = 0u64;
                let mut index = 0;
                while index < calls {
                    let n = usize::try_from(calls - index)
                        .map_or(*capacity, |left| left.min(*capacity));
                    pairs.clear();
                    pairs.extend((index..index + n as u64).map(|index| {
                        let (a, b) = operands(rep, index);
                        Request::new(a, b)
                    }));
                    guest.write(
                        *address,
                        bytemuck::cast_slice(black_box(&pairs[..])),
                        "the static buffer",
                    )?;
                    #[expect(
                        clippy::cast_possible_truncation,
                        reason = "at most the buffer's capacity"
                    )]
                    let done = guest.call(multiply, n as i32)?;
                    if usize::try_from(done).ok() != Some(n) {
                        return Err(Error::Invalid(format!(
                            "multiply_batch({n}) returned {done}"
                        )));
                    }
                    products.resize(n * 8, 0);
                    #[expect(clippy::cast_possible_truncation, reason = "inside the buffer")]
                    let at = *address + (n * REQUEST_WIRE_LEN) as u32;
                    guest.read(at, products, "the products")?;
                    for product in products.as_chunks::<8>().0 {
                        sum = sum.wrapping_add(u64::from_le_bytes(*product));
                    }
                    index += n as u64;
                }
                Ok(black_box(sum))
            },
            progress,
        ),
    }
}

/// The instance and its handle in one struct, the call a method: the
/// paper's "self-referential struct", which needed Ouroboros when wasmer's
/// handles borrowed the instance and is a plain struct now.
struct SrsGuest {
    guest: Guest,
    multiply: wsim_backends::engine::Export<(i64, i64), i64, Cached>,
}

impl SrsGuest {
    fn new(module: &Module) -> Result<Self, Error> {
        let mut guest = module.instantiate()?;
        let multiply = guest.export("multiply")?;
        Ok(Self { guest, multiply })
    }

    #[inline]
    #[expect(
        clippy::cast_sign_loss,
        clippy::cast_possible_wrap,
        reason = "i64s carry u64 bits"
    )]
    fn multiply(&mut self, a: u64, b: u64) -> Result<u64, Error> {
        Ok(self.guest.call(&self.multiply, (a as i64, b as i64))? as u64)
    }
}

/// The static buffer's address and length, checked to lie in memory and
/// hold `min_len` bytes.
fn static_buffer(guest: &mut Guest, min_len: usize) -> Result<(u32, u32), Error> {
    let buffer = guest.export::<(), i64, Cached>("buffer")?;
    let (address, len) = wire::unpack_buffer(guest.call(&buffer, ())?);
    if (len as usize) < min_len {
        return Err(Error::Invalid(format!(
            "{}: a static buffer of {len} bytes",
            guest.module()
        )));
    }
    guest.check_range(address, len as usize, "the static buffer")?;
    Ok((address, len))
}

/// The native floor, measured like every other configuration.
fn measure_native(options: Options, progress: &mut dyn FnMut()) -> Result<Samples, Error> {
    measure(
        options,
        Loading::Preload,
        || Ok(()),
        |(), rep| each_call(rep, options.calls, |a, b| Ok(multiply_natively(a, b))),
        progress,
    )
}

/// The runtime's own typed call on `module`, nothing of wsim in between.
#[expect(
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    reason = "i64s carry u64 bits"
)]
fn measure_bare(
    module: &Module,
    options: Options,
    progress: &mut dyn FnMut(),
) -> Result<Samples, Error> {
    let calls = options.calls;
    let bare = |error: &dyn std::fmt::Display| {
        Error::Invalid(format!("bare {}: {error}", module.runtime()))
    };
    match module.runtime() {
        #[cfg(feature = "wasmer")]
        Runtime::Wasmer => {
            use wsim_backends::engine::wasmer;

            let (engine, compiled) = module
                .wasmer_parts()
                .ok_or_else(|| bare(&"not a wasmer module"))?;
            measure(
                options,
                Loading::Preload,
                || {
                    let mut store = wasmer::Store::new(engine.clone());
                    let instance =
                        wasmer::Instance::new(&mut store, compiled, &wasmer::imports! {})
                            .map_err(|error| bare(&error))?;
                    let multiply: wasmer::TypedFunction<(i64, i64), i64> = instance
                        .exports
                        .get_typed_function(&store, "multiply")
                        .map_err(|error| bare(&error))?;
                    Ok((store, multiply))
                },
                |(store, multiply), rep| {
                    each_call(rep, calls, |a, b| {
                        multiply
                            .call(store, a as i64, b as i64)
                            .map(|product| product as u64)
                            .map_err(|error| bare(&error))
                    })
                },
                progress,
            )
        }
        #[cfg(feature = "wasmtime")]
        Runtime::Wasmtime => {
            use wsim_backends::engine::wasmtime;

            let (engine, compiled) = module
                .wasmtime_parts()
                .ok_or_else(|| bare(&"not a wasmtime module"))?;
            measure(
                options,
                Loading::Preload,
                || {
                    let mut store = wasmtime::Store::new(engine, ());
                    let instance = wasmtime::Instance::new(&mut store, compiled, &[])
                        .map_err(|error| bare(&error))?;
                    let multiply = instance
                        .get_typed_func::<(i64, i64), i64>(&mut store, "multiply")
                        .map_err(|error| bare(&error))?;
                    Ok((store, multiply))
                },
                |(store, multiply), rep| {
                    each_call(rep, calls, |a, b| {
                        multiply
                            .call(&mut *store, (a as i64, b as i64))
                            .map(|product| product as u64)
                            .map_err(|error| bare(&error))
                    })
                },
                progress,
            )
        }
        #[allow(
            unreachable_patterns,
            reason = "reached only when a runtime is left out"
        )]
        runtime => Err(bare(&format!("{runtime} is not built in"))),
    }
}

/// The Component Model configurations, on the multiply component.
#[cfg(feature = "wasmtime")]
fn measure_component(
    config: Config,
    component: &wsim_backends::Component,
    options: Options,
    progress: &mut dyn FnMut(),
) -> Result<Samples, Error> {
    use wsim_backends::multiply::Multiply;

    /// Pairs per `multiply-list` call: the Batch configuration's order of
    /// magnitude.
    const LIST_LEN: usize = 4096;

    let calls = options.calls;
    let prepare = || {
        let mut store = component.store();
        let linker = component.linker();
        let bindings = Multiply::instantiate(store.store_mut(), component.inner(), &linker)
            .map_err(|error| Error::Invalid(format!("{}: {error:#}", component.name())))?;
        Ok((store, bindings, Vec::new()))
    };
    match config {
        Config::Component => measure(
            options,
            Loading::Preload,
            prepare,
            |(store, bindings, _), rep| {
                each_call(rep, calls, |a, b| {
                    Ok(store.call("multiply", |store| bindings.call_multiply(store, a, b))?)
                })
            },
            progress,
        ),
        Config::ComponentList => measure(
            options,
            Loading::Preload,
            prepare,
            |(store, bindings, pairs), rep| {
                let mut sum = 0u64;
                let mut index = 0;
                while index < calls {
                    let n =
                        usize::try_from(calls - index).map_or(LIST_LEN, |left| left.min(LIST_LEN));
                    pairs.clear();
                    pairs.extend((index..index + n as u64).map(|index| operands(rep, index)));
                    let products = store.call("multiply-list", |store| {
                        bindings.call_multiply_list(store, black_box(&pairs[..]))
                    })?;
                    if products.len() != n {
                        return Err(Error::Invalid(format!(
                            "multiply-list of {n} pairs returned {} products",
                            products.len()
                        )));
                    }
                    sum = products
                        .iter()
                        .fold(sum, |sum, &product| sum.wrapping_add(product));
                    index += n as u64;
                }
                Ok(black_box(sum))
            },
            progress,
        ),
        _ => Err(Error::Invalid(format!(
            "{} does not run on a component",
            config.label()
        ))),
    }
}

fn summarize(
    config: Config,
    runtime: Option<&'static str>,
    options: Options,
    samples: &Samples,
) -> Row {
    let values = &samples.ns_per_call;
    #[expect(clippy::cast_precision_loss, reason = "a count")]
    let count = values.len() as f64;
    let mean = values.iter().sum::<f64>() / count;
    let variance = values
        .iter()
        .map(|value| (value - mean).powi(2))
        .sum::<f64>()
        / (count - 1.0).max(1.0);
    let mut sorted = values.clone();
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    let median = if sorted.len().is_multiple_of(2) {
        (sorted[middle - 1] + sorted[middle]) / 2.0
    } else {
        sorted[middle]
    };
    let (cached, loading, srs, memory) = match config {
        Config::Native => (None, None, None, None),
        Config::Bare | Config::Batch | Config::Component | Config::ComponentList => {
            (Some(true), Some(Loading::Preload), None, None)
        }
        Config::Pair {
            cached,
            loading,
            srs,
        } => (Some(cached), Some(loading), cached.then_some(srs), None),
        Config::Bincode { cached } => (
            Some(cached),
            Some(Loading::Preload),
            None,
            Some(Memory::Dynamic),
        ),
        Config::Bytemuck { cached, memory } => {
            (Some(cached), Some(Loading::Preload), None, Some(memory))
        }
    };
    Row {
        config: config.label(),
        runtime,
        test: config.test(),
        abi: config.abi(),
        cached,
        loading,
        srs,
        memory,
        calls: options.calls,
        reps: options.reps,
        mean_ns: mean,
        median_ns: median,
        stddev_ns: variance.sqrt(),
        ratio_to_native: f64::NAN,
        check: samples.check,
        host_build: if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTIONS: Options = Options {
        calls: 1000,
        reps: 3,
        warmup: 1,
    };

    #[test]
    fn a_wrong_product_stops_the_benchmark() {
        let result = measure(
            OPTIONS,
            Loading::Preload,
            || Ok(()),
            |(), rep| {
                each_call(rep, OPTIONS.calls, |a, b| {
                    Ok(a.wrapping_mul(b) ^ u64::from(a == 500))
                })
            },
            &mut || {},
        );
        assert!(matches!(result, Err(Error::Invalid(message)) if message.contains("sum to")));
    }

    #[test]
    fn hotload_prepares_inside_every_repetition() {
        let mut prepared = 0;
        let samples = measure(
            OPTIONS,
            Loading::Hotload,
            || {
                prepared += 1;
                Ok(())
            },
            |(), rep| each_call(rep, OPTIONS.calls, |a, b| Ok(a.wrapping_mul(b))),
            &mut || {},
        )
        .unwrap();
        assert_eq!(prepared, OPTIONS.warmup + OPTIONS.reps);
        assert_eq!(samples.ns_per_call.len(), OPTIONS.reps as usize);
        assert_eq!(samples.check, expected(0, OPTIONS.calls));
    }

    #[test]
    fn table_1_is_the_papers() {
        let labels: Vec<String> = TABLE_1.iter().map(|config| config.label()).collect();
        assert_eq!(labels[0], "1 pair uncached hotload");
        assert_eq!(labels[5], "6 pair cached preload srs");
        assert_eq!(labels[6], "7 bincode uncached");
        assert_eq!(labels[11], "12 bytemuck cached static");
        assert_eq!(all_configs().len(), 17);
    }
}
