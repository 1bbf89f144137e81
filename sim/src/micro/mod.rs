//! `wsim micro`: the paper's micro-benchmark (its Table 1), measured with
//! warm-ups, `black_box` and a check on every product.
//!
//! Every configuration multiplies `calls` pairs of `u64`s per repetition in
//! the multiply guest (`backends/guests/multiply.rs`), and the repetition's time
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

mod command;
mod config;
mod measure;
#[cfg(feature = "wasm")]
mod report;

use std::hint::black_box;
use std::time::Instant;

use serde::Serialize;
use wsim_backends::Module;

pub use command::{MicroArgs, command};
pub use config::{Config, Loading, Memory, TABLE_1, all_configs};
#[cfg(feature = "wasmtime")]
use measure::measure_component;
use measure::{measure_config, measure_native};

use crate::Error;

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
                rows.push(summarize(
                    config,
                    wsim_backends::Runtime::hosting_components().map(|host| host.name()),
                    options,
                    &samples,
                ));
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
