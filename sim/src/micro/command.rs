//! `wsim micro` on the command line: its arguments, and the command that
//! runs the benchmark and reports it.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::args::RuntimeArgs;

/// `wsim micro`'s arguments.
#[derive(Debug, Args)]
pub struct MicroArgs {
    /// Calls per repetition
    #[arg(long, value_name = "N", default_value_t = 100_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    calls: u64,

    /// Timed repetitions per configuration
    #[arg(long, value_name = "N", default_value_t = 100,
          value_parser = clap::value_parser!(u32).range(1..))]
    reps: u32,

    /// Untimed repetitions before them [default: a tenth of --reps, at least 1]
    #[arg(long, value_name = "N")]
    warmup: Option<u32>,

    #[command(flatten)]
    runtime: RuntimeArgs,

    /// Also write every row as a JSON array to PATH
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,

    /// Draw the rows as a bar chart (SVG) at PATH, like the paper's Figures 7 and 8
    #[arg(long, value_name = "PATH")]
    plot: Option<PathBuf>,
}

/// `wsim micro`: runs every configuration on every runtime asked for and
/// prints (and writes, and draws) the rows.
#[cfg(feature = "wasm")]
pub fn command(args: &MicroArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    use wsim_backends::{Engine, Limits, guests};

    use super::report::{micro_chart, write_micro_summary, write_micro_table};
    use super::{Options, Targets, all_configs, run, runs};
    use crate::progress::Progress;
    use crate::report::write_json_file;

    let runtimes = crate::plan::runtimes(&args.runtime.runtimes);
    let compiler = args.runtime.compiler;
    let mut targets = Targets::default();
    for &runtime in &runtimes {
        let engine =
            Engine::with_runtime(runtime, runtime.compiler_for(compiler), Limits::default())?;
        targets
            .modules
            .push(engine.compile("multiply.wasm", guests::multiply_bytes())?);
        #[cfg(feature = "wasmtime")]
        if Some(runtime) == wsim_backends::Runtime::hosting_components() {
            targets.component = Some(engine.compile_component(
                "multiply.component.wasm",
                guests::multiply_component_bytes(),
            )?);
        }
    }
    let options = Options {
        calls: args.calls,
        reps: args.reps,
        warmup: args.warmup.unwrap_or((args.reps / 10).max(1)),
    };
    let host = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    let on: Vec<String> = runtimes
        .iter()
        .map(|&runtime| format!("{runtime} ({})", runtime.compiler_for(compiler)))
        .collect();
    writeln!(
        out,
        "micro-benchmark: {} calls x {} repetitions ({} warm-up) per configuration; \
         host build: {host}; guest multiply.wasm (release) on {}",
        options.calls,
        options.reps,
        options.warmup,
        on.join(" and ")
    )?;
    let configs = all_configs();
    let runs = runs(&targets, &configs) as u64;
    let total = runs * u64::from(options.warmup + options.reps) * options.calls;
    let progress = Progress::new(Some(total), "micro-benchmark");
    let rows = run(&targets, &configs, options, &mut |label| {
        progress.set_message(label.to_owned());
        progress.advance(options.calls);
    });
    progress.finish();
    let rows = rows?;
    if let Some(path) = &args.json {
        write_json_file(&rows, path)?;
    }
    if let Some(path) = &args.plot {
        micro_chart(&rows, path, host, &on.join(", "))?;
    }
    write_micro_table(&rows, out)?;
    write_micro_summary(&rows, out)?;
    if let Some(check) = rows.first().map(|row| row.check) {
        writeln!(
            out,
            "check: every configuration's products summed to {check:#018x} in every repetition"
        )?;
    }
    Ok(())
}

/// `wsim micro` without WebAssembly: nothing to call.
#[cfg(not(feature = "wasm"))]
pub fn command(_: &MicroArgs, _: &mut dyn Write) -> anyhow::Result<()> {
    anyhow::bail!(
        "the micro-benchmark calls WebAssembly guests, which this build of wsim leaves out; rebuild with `--features wasmer` or `--features wasmtime` (both on by default)"
    )
}
