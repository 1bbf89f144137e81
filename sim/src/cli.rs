//! The command line: `wsim run` and `wsim gen`.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use wsim_policies::PolicyKind;

use crate::progress::Progress;
use crate::report::{peak_memory, write_csv, write_json, write_table};
use crate::run::{
    Backend, Job, JobError, Lookup, Policy, Record, Runtime, compare_with_native, run_job,
};
use crate::units::{Bytes, CacheSize, SizeSpec, resolve_sizes};
use wsim_traces::{
    Column, CsvOptions, SizeDistribution, Synthetic, Trace, TraceFile, TraceFormat, WorkingSet,
    write_trace,
};

/// Cache replacement policies, run natively or as sandboxed WebAssembly plugins.
#[derive(Debug, Parser)]
#[command(name = "wsim", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Replay a trace through policies at one or more cache sizes.
    ///
    /// Without --trace, runs the built-in synthetic trace (1,000,000 requests,
    /// Zipf popularity, generated in memory from a fixed seed).
    Run(Box<RunArgs>),
    /// Write a synthetic trace in any format wsim reads.
    Gen(GenArgs),
    /// The paper's micro-benchmark (Table 1): what one call into a guest
    /// costs under each ABI, lookup, loading and memory choice.
    Micro(MicroArgs),
    /// What a WebAssembly module exports, which of wsim's ABIs it runs
    /// under, and its ABI version.
    Inspect(InspectArgs),
}

#[derive(Debug, Args)]
struct InspectArgs {
    /// The module (.wasm, or WebAssembly text)
    #[arg(value_name = "FILE.wasm")]
    module: std::path::PathBuf,

    /// Also write the report as JSON to PATH
    #[arg(long, value_name = "PATH")]
    json: Option<std::path::PathBuf>,

    /// The compiler to load it with on wasmer (wasmtime always uses Cranelift)
    #[arg(long, value_enum, default_value_t = CompilerArg::Cranelift)]
    compiler: CompilerArg,

    /// Runtimes to load it on: a comma-separated list of wasmer, wasmtime,
    /// or all [default: all this build has]
    #[arg(long = "runtime", value_name = "LIST", value_delimiter = ',', value_parser = parse_runtimes)]
    runtimes: Vec<RuntimeSet>,
}

#[derive(Debug, Args)]
struct MicroArgs {
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

    /// Runtimes: a comma-separated list of wasmer, wasmtime, or all
    /// [default: all this build has]
    #[arg(long = "runtime", value_name = "LIST", value_delimiter = ',', value_parser = parse_runtimes)]
    runtimes: Vec<RuntimeSet>,

    /// The compiler for the guest on wasmer (wasmtime always uses Cranelift)
    #[arg(long, value_enum, default_value_t = CompilerArg::Cranelift)]
    compiler: CompilerArg,

    /// Also write every row as a JSON array to PATH
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,

    /// Draw the rows as a bar chart (SVG) at PATH, like the paper's Figures 7 and 8
    #[arg(long, value_name = "PATH")]
    plot: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct RunArgs {
    /// The trace to replay [default: the built-in synthetic trace]
    #[arg(long, value_name = "PATH", conflicts_with = "synthetic")]
    trace: Option<PathBuf>,

    #[command(flatten)]
    format: FormatArgs,

    #[command(flatten)]
    synthetic: SyntheticArgs,

    /// Policies: a comma-separated list of fifo, lru, lfu, gdsize, or all
    /// [default: all, or none when --wasm gives modules]
    #[arg(long = "policy", value_name = "LIST", value_delimiter = ',', value_parser = parse_policies)]
    policies: Vec<PolicySet>,

    /// Backends: a comma-separated list of native, pair, bincode, bytemuck,
    /// batch, component, component-batch, or all [default: all]. Native
    /// always runs beside WebAssembly backends, as the baseline of their
    /// slowdowns; the component backends run on wasmtime
    #[arg(long = "backend", value_name = "LIST", value_delimiter = ',', value_parser = parse_backends)]
    backends: Vec<BackendSet>,

    /// How WebAssembly backends find their exports: cached (once, at load),
    /// uncached (by name on every call), or both
    #[arg(long, value_name = "LIST", value_delimiter = ',', default_value = "cached",
          value_parser = parse_lookups)]
    lookup: Vec<LookupSet>,

    /// Runtimes for WebAssembly guests: a comma-separated list of wasmer,
    /// wasmtime, or all [default: all this build has]
    #[arg(long = "runtime", value_name = "LIST", value_delimiter = ',', value_parser = parse_runtimes)]
    runtimes: Vec<RuntimeSet>,

    /// The compiler for WebAssembly guests on wasmer (wasmtime always uses
    /// Cranelift)
    #[arg(long, value_enum, default_value_t = CompilerArg::Cranelift)]
    compiler: CompilerArg,

    /// A policy module of your own: any WebAssembly module exporting wsim's
    /// ABI (docs/ABI.md). Repeatable. It runs under every ABI it exports
    #[arg(long = "wasm", value_name = "PATH")]
    modules: Vec<PathBuf>,

    /// Cache sizes, comma-separated: sizes (4MiB, 1GiB, 4096), percentages of
    /// the trace's working set (1%), or log-spaced ranges (1MiB..1GiB:8).
    /// With --ignore-size they count objects
    /// [default: 0.1%..10%:5, five sizes from 0.1% to 10% of the working set]
    #[arg(
        long = "size",
        value_name = "LIST",
        value_delimiter = ',',
        allow_hyphen_values = true
    )]
    sizes: Vec<SizeSpec>,

    /// Count every request as size 1, so capacities count objects
    #[arg(long)]
    ignore_size: bool,

    /// Also write every result as a JSON array to PATH
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,

    /// Also write every result as CSV to PATH
    #[arg(long, value_name = "PATH")]
    csv: Option<PathBuf>,

    /// Draw the figures into DIR: hit and byte hit ratio against cache size
    /// (the paper's Figure 9) and, for timed runs, time per policy and
    /// backend at each size (Figure 10)
    #[arg(long, value_name = "DIR")]
    plot: Option<PathBuf>,

    /// Hit ratios only: run every configuration in parallel on every core and
    /// report no times (native only, unless --backend says otherwise)
    #[arg(long)]
    no_timing: bool,

    #[command(flatten)]
    sandbox: SandboxArgs,
}

/// What a WebAssembly guest may use, and where compiled guests are kept.
#[derive(Debug, Args)]
struct SandboxArgs {
    /// Fuel per call into a guest (about one point per WebAssembly
    /// instruction; a call that spends it all fails), or `off`. A list runs
    /// each setting, to measure what fuel costs
    /// [default: off for the built-in policies, 1000000000 for --wasm modules]
    #[arg(long, value_name = "N|off", value_delimiter = ',', value_parser = parse_fuel)]
    fuel: Vec<Fuel>,

    /// Memory each guest instance may grow to (e.g. 256MiB, 4GiB)
    #[arg(long, value_name = "SIZE", default_value = "1GiB", value_parser = parse_memory_cap)]
    max_memory: u64,

    /// Largest module file --wasm accepts
    #[arg(long, value_name = "SIZE", default_value = "32MiB", value_parser = parse_nonzero_bytes)]
    max_module_size: u64,

    /// Keep compiled guests in DIR [default: $WSIM_CACHE_DIR, else
    /// $XDG_CACHE_HOME/wsim, else ~/.cache/wsim]
    #[arg(long, value_name = "DIR", conflicts_with = "no_module_cache")]
    module_cache: Option<PathBuf>,

    /// Compile every guest afresh and keep nothing on disk
    #[arg(long)]
    no_module_cache: bool,
}

/// Fuel for guests that --fuel does not set: none for the built-in
/// policies (wsim's own code, measured bare), and for --wasm modules enough
/// for any honest call (a Batch call of 4,096 requests, or a hash table
/// rehashing a million entries, spends far less) while a loop that never
/// ends fails in about a second.
const DEFAULT_PLUGIN_FUEL: u64 = 1_000_000_000;

/// One `--fuel` setting: a budget per call, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fuel(Option<u64>);

fn parse_fuel(text: &str) -> Result<Fuel, String> {
    match text.trim() {
        "off" | "none" => Ok(Fuel(None)),
        number => match number.replace('_', "").parse::<u64>() {
            Ok(0) => Err("fuel must be at least 1, or `off`".to_owned()),
            Ok(budget) => Ok(Fuel(Some(budget))),
            Err(_) => Err(format!(
                "`{number}` is not a fuel budget: a whole number of points, or `off`"
            )),
        },
    }
}

fn parse_nonzero_bytes(text: &str) -> Result<u64, String> {
    match crate::units::parse_bytes(text)? {
        0 => Err("must be above 0".to_owned()),
        bytes => Ok(bytes),
    }
}

/// A memory cap: at least one 64 KiB page, at most wasm32's 4 GiB.
fn parse_memory_cap(text: &str) -> Result<u64, String> {
    let bytes = crate::units::parse_bytes(text)?;
    if !(64 << 10..=4 << 30).contains(&bytes) {
        return Err(format!(
            "`{text}`: a guest's memory cap lies between 64KiB (one page) and 4GiB (all wasm32 can address)"
        ));
    }
    Ok(bytes)
}

/// How to read a trace file.
#[derive(Debug, Args)]
struct FormatArgs {
    /// Trace format [default: from the file name: .oracleGeneral/.bin/.zst,
    /// .csv, .tr, .txt]; zstd compression is detected from the content
    #[arg(long, value_enum, requires = "trace")]
    format: Option<TraceFormat>,

    /// CSV: the id column, a header name or 1-based position [default: id]
    #[arg(long, value_name = "NAME|POS", requires = "trace")]
    id_column: Option<Column>,

    /// CSV: the size column, a header name or 1-based position [default: size]
    #[arg(long, value_name = "NAME|POS", requires = "trace")]
    size_column: Option<Column>,

    /// CSV: the first line is data, not a header (columns by position only)
    #[arg(long, requires = "trace")]
    no_header: bool,
}

impl FormatArgs {
    fn csv_options(&self) -> CsvOptions {
        CsvOptions {
            id_column: self.id_column.clone(),
            size_column: self.size_column.clone(),
            has_header: !self.no_header,
            ..CsvOptions::default()
        }
    }
}

/// The synthetic trace's parameters.
#[derive(Debug, Args)]
#[group(id = "synthetic", multiple = true)]
struct SyntheticArgs {
    /// Synthetic trace: requests to generate
    #[arg(long, value_name = "N", default_value_t = Synthetic::DEFAULT.requests)]
    requests: u64,

    /// Synthetic trace: distinct objects
    #[arg(long, value_name = "N", default_value_t = Synthetic::DEFAULT.objects)]
    objects: u64,

    /// Synthetic trace: Zipf exponent of object popularity (0 is uniform)
    #[arg(long, value_name = "ALPHA", default_value_t = Synthetic::DEFAULT.alpha,
          allow_negative_numbers = true)]
    alpha: f64,

    /// Synthetic trace: object sizes, fixed:SIZE, uniform:MIN..MAX or lognormal:MEDIAN,SIGMA
    #[arg(long, value_name = "DIST", default_value_t = Synthetic::DEFAULT.sizes)]
    object_sizes: SizeDistribution,

    /// Synthetic trace: random seed
    #[arg(long, value_name = "N", default_value_t = Synthetic::DEFAULT.seed)]
    seed: u64,
}

impl SyntheticArgs {
    fn spec(&self) -> Synthetic {
        Synthetic {
            requests: self.requests,
            objects: self.objects,
            alpha: self.alpha,
            sizes: self.object_sizes,
            seed: self.seed,
        }
    }
}

#[derive(Debug, Args)]
struct GenArgs {
    /// Where to write the trace; a name ending in .zst is zstd-compressed
    #[arg(long, short, value_name = "PATH")]
    output: PathBuf,

    /// Format to write [default: from the file name]
    #[arg(long, value_enum)]
    format: Option<TraceFormat>,

    #[command(flatten)]
    synthetic: SyntheticArgs,
}

/// One `--policy` element: a policy, or all of them.
#[derive(Debug, Clone)]
struct PolicySet(Vec<PolicyKind>);

/// One `--backend` element: a backend, or all of them.
#[derive(Debug, Clone)]
struct BackendSet(Vec<Backend>);

/// One `--runtime` element: a runtime, or all.
#[derive(Debug, Clone)]
struct RuntimeSet(Vec<Runtime>);

fn parse_runtimes(text: &str) -> Result<RuntimeSet, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("all") {
        return Ok(RuntimeSet(
            Runtime::ALL
                .into_iter()
                .filter(|runtime| runtime.is_built())
                .collect(),
        ));
    }
    let runtime = Runtime::ALL
        .into_iter()
        .find(|runtime| runtime.name().eq_ignore_ascii_case(text))
        .ok_or_else(|| format!("unknown runtime `{text}` (known: wasmer, wasmtime, all)"))?;
    if !runtime.is_built() {
        return Err(format!(
            "this build of wsim leaves out {0}; rebuild with `--features {0}`",
            runtime.name()
        ));
    }
    Ok(RuntimeSet(vec![runtime]))
}

/// The runtimes to run on: those asked for, or every one built.
fn choose_runtimes(asked: &[RuntimeSet]) -> Vec<Runtime> {
    if asked.is_empty() {
        Runtime::ALL
            .into_iter()
            .filter(|runtime| runtime.is_built())
            .collect()
    } else {
        distinct(asked.iter().map(|set| set.0.clone()))
    }
}

/// `wasmer (cranelift)`: a runtime and the compiler it uses, for headers.
#[cfg(feature = "wasm")]
fn runtime_and_compiler(runtime: Runtime, compiler: CompilerArg) -> String {
    format!(
        "{} ({})",
        runtime.name(),
        compiler_on(runtime, compiler).name()
    )
}

/// The compiler a runtime compiles with: `--compiler` on wasmer, Cranelift
/// on wasmtime.
#[cfg(feature = "wasm")]
const fn compiler_on(runtime: Runtime, compiler: CompilerArg) -> wsim_backends::Compiler {
    match runtime {
        Runtime::Wasmer => compiler.compiler(),
        Runtime::Wasmtime => wsim_backends::Compiler::Cranelift,
    }
}

/// One `--lookup` element: a lookup, or both.
#[derive(Debug, Clone)]
struct LookupSet(Vec<Lookup>);

/// The compilers `--compiler` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum CompilerArg {
    /// Cranelift: optimizing (the paper's choice).
    Cranelift,
    /// Singlepass: compiles fast, runs slower (needs the `singlepass` feature).
    Singlepass,
}

impl CompilerArg {
    #[cfg(feature = "wasm")]
    const fn compiler(self) -> wsim_backends::Compiler {
        match self {
            Self::Cranelift => wsim_backends::Compiler::Cranelift,
            Self::Singlepass => wsim_backends::Compiler::Singlepass,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Cranelift => "cranelift",
            Self::Singlepass => "singlepass",
        }
    }
}

fn parse_backends(text: &str) -> Result<BackendSet, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("all") {
        return Ok(BackendSet(Backend::ALL.to_vec()));
    }
    Backend::ALL
        .into_iter()
        .find(|backend| backend.name().eq_ignore_ascii_case(text))
        .map(|backend| BackendSet(vec![backend]))
        .ok_or_else(|| {
            format!(
                "unknown backend `{text}` (known: native, pair, bincode, bytemuck, batch, \
                 component, component-batch, all)"
            )
        })
}

fn parse_lookups(text: &str) -> Result<LookupSet, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "cached" => Ok(LookupSet(vec![Lookup::Cached])),
        "uncached" => Ok(LookupSet(vec![Lookup::Uncached])),
        "both" | "all" => Ok(LookupSet(vec![Lookup::Cached, Lookup::Uncached])),
        _ => Err(format!(
            "unknown lookup `{text}` (known: cached, uncached, both)"
        )),
    }
}

/// Flattens repeated list arguments, keeping the first of duplicates.
fn distinct<T: PartialEq + Clone>(sets: impl IntoIterator<Item = Vec<T>>) -> Vec<T> {
    let mut all: Vec<T> = Vec::new();
    for item in sets.into_iter().flatten() {
        if !all.contains(&item) {
            all.push(item);
        }
    }
    all
}

fn parse_policies(text: &str) -> Result<PolicySet, String> {
    if text.trim().eq_ignore_ascii_case("all") {
        return Ok(PolicySet(PolicyKind::ALL.to_vec()));
    }
    text.trim()
        .parse()
        .map(|kind| PolicySet(vec![kind]))
        .map_err(|_| format!("unknown policy `{text}` (known: fifo, lru, lfu, gdsize, all)"))
}

/// Runs a parsed command line.
pub fn execute(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Run(args) => run(&args),
        Command::Gen(args) => generate(&args),
        Command::Micro(args) => micro(&args),
        Command::Inspect(args) => inspect(&args),
    }
}

fn generate(args: &GenArgs) -> anyhow::Result<()> {
    let format = args
        .format
        .or_else(|| TraceFormat::from_path(&args.output))
        .with_context(|| {
            format!(
                "{}: cannot tell the format from the name; pass --format",
                args.output.display()
            )
        })?;
    let spec = args.synthetic.spec();
    let requests = generate_in_memory(&spec)?;
    let progress = Progress::new(Some(requests.len() as u64), "writing");
    write_trace(&requests, &args.output, format, |done| {
        progress.advance(done)
    })?;
    progress.finish();
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "wrote {} ({}): {spec}",
        args.output.display(),
        format.name()
    )?;
    Ok(())
}

fn generate_in_memory(spec: &Synthetic) -> anyhow::Result<Vec<wsim_policies::Request>> {
    let generator = spec.generate().map_err(anyhow::Error::msg)?;
    let progress = Progress::new(Some(spec.requests), "generating");
    let mut requests = Vec::with_capacity(usize::try_from(spec.requests).unwrap_or(0));
    for request in generator {
        requests.push(request);
        if requests.len() % 65_536 == 0 {
            progress.advance(65_536);
        }
    }
    progress.finish();
    Ok(requests)
}

fn open_trace(args: &RunArgs) -> anyhow::Result<Trace> {
    if let Some(path) = &args.trace {
        let file = TraceFile::new(path, args.format.format, args.format.csv_options())?;
        return Ok(Trace::from_file(file, args.ignore_size));
    }
    let spec = args.synthetic.spec();
    let requests = generate_in_memory(&spec)?;
    let name = if spec == Synthetic::DEFAULT {
        "default synthetic trace"
    } else {
        "synthetic trace"
    };
    Ok(Trace::in_memory(
        name,
        &spec.to_string(),
        requests,
        args.ignore_size,
    ))
}

/// The default sweep: five log-spaced sizes from 0.1% to 10% of the working set.
const DEFAULT_SIZES: SizeSpec = SizeSpec::Range {
    from: crate::units::Amount::Percent(0.1),
    to: crate::units::Amount::Percent(10.0),
    points: 5,
};

fn run(args: &RunArgs) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    let trace = open_trace(args)?;
    writeln!(out, "trace: {}", trace.description())?;

    let specs = if args.sizes.is_empty() {
        vec![DEFAULT_SIZES]
    } else {
        args.sizes.clone()
    };
    let working_set = if specs.iter().any(SizeSpec::needs_working_set) {
        let set = scan(&trace)?;
        let amount = if trace.ignore_size() {
            format!("{} objects", set.objects)
        } else {
            format!(
                "{} objects, {}",
                set.objects,
                Bytes(u64::try_from(set.bytes).unwrap_or(u64::MAX))
            )
        };
        writeln!(out, "working set: {amount} in {} requests", set.requests)?;
        Some(set)
    } else {
        None
    };
    let working_set_size = working_set.map(|set| {
        if trace.ignore_size() {
            set.objects
        } else {
            u64::try_from(set.bytes).unwrap_or(u64::MAX)
        }
    });
    let sizes = resolve_sizes(&specs, working_set_size)
        .map_err(anyhow::Error::msg)
        .context("--size")?;
    let unit = if trace.ignore_size() {
        " objects"
    } else {
        " bytes"
    };
    let listed: Vec<String> = sizes.iter().map(u64::to_string).collect();
    let chosen = if args.sizes.is_empty() {
        " (default: 5 log-spaced from 0.1% to 10% of the working set; --size changes them)"
    } else {
        ""
    };
    writeln!(
        out,
        "cache sizes ({}){chosen}: {}",
        unit.trim(),
        listed.join(", ")
    )?;

    let (policies, load_failures) = load_policies(args, &mut out)?;
    let backends = choose_backends(args);
    let lookups = distinct(args.lookup.iter().map(|set| set.0.clone()));
    let runtimes = choose_runtimes(&args.runtimes);
    let mut jobs = Vec::new();
    for policy in &policies {
        let fuels = fuel_settings(args, policy);
        for &capacity in &sizes {
            for &backend in &backends {
                let job = |runtime, lookup, fuel| Job {
                    policy,
                    backend,
                    lookup,
                    runtime,
                    fuel,
                    capacity,
                };
                if !backend.is_wasm() {
                    if policy.kind.is_some() {
                        jobs.push(job(None, None, None));
                    }
                } else if !policy.runs_under(backend) {
                } else if backend.is_component() {
                    if runtimes.contains(&Runtime::Wasmtime) {
                        for &fuel in &fuels {
                            jobs.push(job(Some(Runtime::Wasmtime), None, fuel));
                        }
                    }
                } else {
                    for &runtime in runtimes.iter().filter(|&&r| policy.loaded_on(r)) {
                        for &lookup in &lookups {
                            for &fuel in &fuels {
                                jobs.push(job(Some(runtime), Some(lookup), fuel));
                            }
                        }
                    }
                }
            }
        }
    }
    if jobs.is_empty() {
        report_failures(load_failures)?;
        if backends.iter().any(|backend| backend.is_component())
            && !runtimes.contains(&Runtime::Wasmtime)
        {
            bail!(
                "nothing to run: the component backends run on wasmtime, and --runtime leaves it out"
            );
        }
        bail!("nothing to run: no policy runs under the backends chosen");
    }
    if args
        .backends
        .iter()
        .flat_map(|set| &set.0)
        .any(|backend| backend.is_component())
        && !runtimes.contains(&Runtime::Wasmtime)
    {
        writeln!(
            out,
            "note: the component backends run on wasmtime, which --runtime leaves out: skipped"
        )?;
    }

    let (mut records, run_failures) = run_jobs(
        &jobs,
        &trace,
        working_set.map(|set| set.requests),
        args.no_timing,
    );
    compare_with_native(&mut records);
    for record in records.iter_mut() {
        record.compiler = match record.runtime {
            Some(Runtime::Wasmer) => Some(args.compiler.name().to_owned()),
            Some(Runtime::Wasmtime) => Some("cranelift".to_owned()),
            None => None,
        };
    }
    writeln!(out)?;
    let saved = save(&records, args);
    write_table(&records, &mut out)?;
    writeln!(out)?;
    if args.no_timing {
        writeln!(
            out,
            "mode: --no-timing: {} runs in parallel, {} at a time; no times reported",
            jobs.len(),
            rayon::current_num_threads()
        )?;
    } else {
        writeln!(
            out,
            "mode: timed, one run at a time; seconds and M req/s cover the whole run, \
             x native is the time inside the cache over native's at the same policy and size"
        )?;
    }
    let drawn = args
        .plot
        .as_deref()
        .map(|dir| crate::figures::draw_run(&records, trace.name(), dir))
        .transpose();
    if let Ok(Some(paths)) = &drawn {
        let listed: Vec<String> = paths
            .iter()
            .map(|path| path.display().to_string())
            .collect();
        writeln!(out, "figures: {}", listed.join(", "))?;
    }
    if let Some(record) = records
        .first()
        .filter(|record| record.skipped_zero_size > 0)
    {
        writeln!(
            out,
            "skipped {} requests of size 0 (every run skips them)",
            record.skipped_zero_size
        )?;
    }
    if let Some(peak) = peak_memory() {
        writeln!(out, "peak memory: {}", Bytes(peak))?;
    }
    saved?;
    drawn?;
    let mut failures = load_failures;
    failures.extend(run_failures);
    report_failures(failures)
}

/// A job that failed, and why.
struct Failure {
    /// The job in words.
    job: String,
    /// Its policy.
    policy: String,
    error: crate::Error,
    /// Runs of the same policy not attempted after this failure.
    skipped: usize,
}

impl Failure {
    fn new(policy: &str, job: String, error: crate::Error) -> Self {
        Self {
            job,
            policy: policy.to_owned(),
            error,
            skipped: 0,
        }
    }
}

/// The fuel settings a policy's WebAssembly runs take: `--fuel`'s, or by
/// default none for a built-in policy and [`DEFAULT_PLUGIN_FUEL`] for a
/// module of the user's.
fn fuel_settings(args: &RunArgs, policy: &Policy) -> Vec<Option<u64>> {
    if args.sandbox.fuel.is_empty() {
        return vec![policy.kind.is_none().then_some(DEFAULT_PLUGIN_FUEL)];
    }
    let mut settings: Vec<Option<u64>> = Vec::new();
    for &Fuel(fuel) in &args.sandbox.fuel {
        if !settings.contains(&fuel) {
            settings.push(fuel);
        }
    }
    settings
}

/// Runs `jobs`: one at a time, timed, or (`parallel`) across every core,
/// untimed. A trace error stops everything (every job would hit it); a
/// cache error fails its job and the rest go on.
fn run_jobs(
    jobs: &[Job<'_>],
    trace: &Trace,
    known_requests: Option<u64>,
    parallel: bool,
) -> (Vec<Record>, Vec<Failure>) {
    let per_job = known_requests.or_else(|| trace.len_hint());
    if parallel {
        return run_jobs_in_parallel(jobs, trace, per_job);
    }
    let progress = Progress::new(
        per_job.map(|requests| requests * jobs.len() as u64),
        "simulating",
    );
    let mut records = Vec::with_capacity(jobs.len());
    let mut failures: Vec<Failure> = Vec::new();
    for (index, job) in jobs.iter().enumerate() {
        // A policy whose guest failed once is not run again: its failure
        // is deterministic, and a guest that loops would spend its fuel
        // on every run left.
        if let Some(failure) = failures
            .iter_mut()
            .find(|failure| failure.policy == job.policy.name)
        {
            failure.skipped += 1;
            progress.advance(per_job.unwrap_or(0));
            continue;
        }
        let what = describe_job(job, trace);
        progress.set_message(format!("[{}/{}] {what}", index + 1, jobs.len()));
        match run_job(job, trace, true, &mut |requests| progress.advance(requests)) {
            Ok(record) => {
                if per_job.is_none() && index == 0 {
                    progress.set_total(record.requests * jobs.len() as u64);
                }
                if record.requests == 0 {
                    let error = crate::Error::from(wsim_traces::Error::EmptyTrace {
                        name: trace.name().to_owned(),
                        skipped: record.skipped_zero_size,
                    });
                    failures.push(Failure::new(&job.policy.name, what, error));
                    break;
                }
                records.push(record);
            }
            Err(JobError::Trace(error)) => {
                failures.push(Failure::new(&job.policy.name, what, error));
                break;
            }
            Err(JobError::Cache(error)) => {
                failures.push(Failure::new(&job.policy.name, what, error));
            }
        }
    }
    progress.finish();
    (records, failures)
}

/// Runs `jobs` on rayon's pool, one job per core at a time, in the order
/// given; times mean nothing then, so none are reported.
fn run_jobs_in_parallel(
    jobs: &[Job<'_>],
    trace: &Trace,
    per_job: Option<u64>,
) -> (Vec<Record>, Vec<Failure>) {
    use rayon::prelude::*;

    let message = format!(
        "{} runs, {} at a time",
        jobs.len(),
        rayon::current_num_threads()
    );
    let progress = Progress::new(
        per_job.map(|requests| requests * jobs.len() as u64),
        &message,
    );
    let results: Vec<(&Job<'_>, String, Result<Record, JobError>)> = jobs
        .par_iter()
        .map(|job| {
            let result = run_job(job, trace, false, &mut |requests| {
                progress.advance(requests)
            });
            (job, describe_job(job, trace), result)
        })
        .collect();
    progress.finish();
    let mut records = Vec::with_capacity(results.len());
    let mut failures: Vec<Failure> = Vec::new();
    let mut trace_failed = false;
    for (job, what, result) in results {
        let trace_error = match result {
            Ok(record) if record.requests == 0 => {
                Some(crate::Error::from(wsim_traces::Error::EmptyTrace {
                    name: trace.name().to_owned(),
                    skipped: record.skipped_zero_size,
                }))
            }
            Ok(record) => {
                records.push(record);
                None
            }
            Err(JobError::Trace(error)) => Some(error),
            Err(JobError::Cache(error)) => {
                // One failure per policy, as in a sequential run.
                match failures
                    .iter_mut()
                    .find(|failure| failure.policy == job.policy.name)
                {
                    Some(failure) => failure.skipped += 1,
                    None => failures.push(Failure::new(&job.policy.name, what.clone(), error)),
                }
                None
            }
        };
        // Every job reads the same trace: report its error once.
        if let Some(error) = trace_error.filter(|_| !trace_failed) {
            trace_failed = true;
            failures.push(Failure::new(&job.policy.name, what, error));
        }
    }
    (records, failures)
}

/// A job in words: `lru pair uncached 16 MiB`.
fn describe_job(job: &Job<'_>, trace: &Trace) -> String {
    let size = CacheSize {
        capacity: job.capacity,
        objects: trace.ignore_size(),
    };
    let fuel = job
        .fuel
        .map_or_else(String::new, |fuel| format!(" fuel {fuel}"));
    let runtime = job
        .runtime
        .map_or_else(String::new, |runtime| format!(" on {}", runtime.name()));
    let lookup = job
        .lookup
        .map_or_else(String::new, |lookup| format!(" {}", lookup.name()));
    format!(
        "{} {}{lookup}{runtime}{fuel} {size}",
        job.policy.name,
        job.backend.name()
    )
}

/// The backends to run: those asked for (all by default), with native
/// added beside WebAssembly ones as their baseline, and without the
/// WebAssembly ones when this build leaves them out and none was asked for.
fn choose_backends(args: &RunArgs) -> Vec<Backend> {
    let mut backends = if args.backends.is_empty() {
        if cfg!(feature = "wasm") && !args.no_timing {
            Backend::ALL.to_vec()
        } else {
            vec![Backend::Native]
        }
    } else {
        distinct(args.backends.iter().map(|set| set.0.clone()))
    };
    if backends.iter().any(|backend| backend.is_wasm()) && !backends.contains(&Backend::Native) {
        backends.insert(0, Backend::Native);
    }
    backends
}

/// The policies to run, with their guests compiled when a WebAssembly
/// backend will need them; and the modules of the user's that failed to
/// load, which fail alone while the rest run.
fn load_policies(
    args: &RunArgs,
    out: &mut dyn Write,
) -> anyhow::Result<(Vec<Policy>, Vec<Failure>)> {
    let builtin = if args.policies.is_empty() && !args.modules.is_empty() {
        Vec::new()
    } else if args.policies.is_empty() {
        PolicyKind::ALL.to_vec()
    } else {
        distinct(args.policies.iter().map(|set| set.0.clone()))
    };
    let backends = choose_backends(args);
    let wasm_backends: Vec<Backend> = backends
        .iter()
        .copied()
        .filter(|backend| backend.is_wasm())
        .collect();
    let mut policies: Vec<Policy> = builtin.iter().map(|&kind| Policy::builtin(kind)).collect();
    if wasm_backends.is_empty() && args.modules.is_empty() {
        return Ok((policies, Vec::new()));
    }
    let failures = compile_guests(args, &mut policies, &wasm_backends, out)?;
    Ok((policies, failures))
}

#[cfg(feature = "wasm")]
fn compile_guests(
    args: &RunArgs,
    policies: &mut Vec<Policy>,
    wasm_backends: &[Backend],
    out: &mut dyn Write,
) -> anyhow::Result<Vec<Failure>> {
    use wsim_backends::engine::Error as EngineError;
    use wsim_backends::{Engine, Limits, Module, ModuleCache, Origin, guests};

    let started = std::time::Instant::now();
    let cache = if args.sandbox.no_module_cache {
        None
    } else {
        args.sandbox
            .module_cache
            .clone()
            .or_else(ModuleCache::default_dir)
            .map(ModuleCache::new)
    };
    let limits = Limits {
        fuel: None,
        max_memory: Some(args.sandbox.max_memory),
        max_module_bytes: args.sandbox.max_module_size,
    };
    let runtimes = choose_runtimes(&args.runtimes);
    // One engine per runtime, unmetered and metered (the budget here is a
    // placeholder: each job sets its own).
    let mut engines: Vec<(Engine, Engine)> = Vec::new();
    for &runtime in &runtimes {
        let compiler = compiler_on(runtime, args.compiler);
        let engine = |fuel: Option<u64>| -> anyhow::Result<Engine> {
            let engine =
                Engine::with_runtime(runtime.engine(), compiler, Limits { fuel, ..limits })?;
            Ok(match &cache {
                Some(cache) => engine.cached(cache.clone()),
                None => engine,
            })
        };
        engines.push((engine(None)?, engine(Some(DEFAULT_PLUGIN_FUEL))?));
    }
    // Compiles what `policy`'s runs need on one runtime's engines.
    let compile_on = |policy: &mut Policy,
                      pair: &(Engine, Engine),
                      load: &dyn Fn(&Engine) -> Result<Module, EngineError>| {
        for engine in engines_wanted(args, policy, pair) {
            policy.modules.push(load(engine)?);
        }
        Ok::<(), EngineError>(())
    };
    let core_backends = wasm_backends.iter().any(|backend| !backend.is_component());
    if core_backends {
        for policy in policies.iter_mut() {
            if let Some(kind) = policy.kind {
                for engines in &engines {
                    compile_on(policy, engines, &|engine: &Engine| {
                        engine.compile(&guests::module_name(kind), guests::module_bytes(kind))
                    })?;
                }
            }
        }
    }
    #[cfg(feature = "wasmtime")]
    if wasm_backends.iter().any(|backend| backend.is_component())
        && let Some(pair) = runtimes
            .iter()
            .position(|&runtime| runtime == Runtime::Wasmtime)
            .map(|index| &engines[index])
    {
        for policy in policies.iter_mut() {
            let Some(kind) = policy.kind else { continue };
            for engine in engines_wanted(args, policy, pair) {
                policy.components.push(engine.compile_component(
                    &guests::component_name(kind),
                    guests::component_bytes(kind),
                )?);
            }
        }
    }
    let mut failures = Vec::new();
    for path in &args.modules {
        let file_name = wsim_backends::engine::module_name(path);
        let mut plugin = Policy::plugin(&file_name);
        if let Some(same) = policies.iter().find(|policy| policy.name == plugin.name) {
            let error = crate::Error::Invalid(format!(
                "{file_name}: the run already has a policy named {}; rename the file",
                same.name
            ));
            failures.push(Failure::new(
                &plugin.name,
                format!("loading {file_name}"),
                error,
            ));
            continue;
        }
        // Read once, so that every runtime runs the same bytes.
        let read = engines.first().map_or_else(
            || {
                Err(crate::Error::Invalid(
                    "no WebAssembly runtime to load it on".to_owned(),
                ))
            },
            |(plain, _)| plain.read(path).map_err(crate::Error::from),
        );
        let bytes = match read {
            Ok(read) => read,
            Err(error) => {
                failures.push(Failure::new(
                    &plugin.name,
                    format!("loading {file_name}"),
                    error,
                ));
                continue;
            }
        };
        // Each runtime on its own: a module one of them refuses (a proposal
        // it lacks, say) still runs on the others.
        let mut refused: Vec<(Runtime, EngineError)> = Vec::new();
        for (&runtime, engines) in runtimes.iter().zip(&engines) {
            if let Err(error) = compile_on(&mut plugin, engines, &|engine: &Engine| {
                engine.compile(&file_name, &bytes)
            }) {
                plugin
                    .modules
                    .retain(|module| module.runtime() != runtime.engine());
                refused.push((runtime, error));
            }
        }
        let alike = crate::inspect::alike(refused.iter().map(|(_, error)| error));
        let loaded = if refused.len() == runtimes.len() && alike {
            // Refused everywhere for one reason: one failure, as with a
            // single runtime.
            match refused.pop() {
                Some((_, error)) => Err(error.into()),
                None => Ok(()),
            }
        } else {
            for (runtime, error) in refused {
                failures.push(Failure::new(
                    &plugin.name,
                    format!("loading {file_name} on {}", runtime.name()),
                    error.into(),
                ));
            }
            if plugin.modules.is_empty() {
                continue;
            }
            Ok(())
        };
        let loaded = loaded.and_then(|()| check_plugin(args, &plugin, wasm_backends));
        match loaded {
            Ok(()) => {
                if plugin.modules.iter().any(|module| !module.is_metered()) {
                    // Only an explicit `--fuel off` gets here: without fuel
                    // nothing stops a guest that never returns.
                    writeln!(
                        out,
                        "warning: {file_name} runs without fuel (--fuel off): if it never returns, neither does wsim"
                    )?;
                }
                policies.push(plugin);
            }
            Err(error) => {
                failures.push(Failure::new(
                    &plugin.name,
                    format!("loading {file_name}"),
                    error,
                ));
            }
        }
    }
    // Every compiled guest's name and origin: core modules and components.
    #[cfg_attr(
        not(feature = "wasmtime"),
        expect(unused_mut, reason = "components are added with wasmtime")
    )]
    let mut compiled: Vec<(&str, &Origin)> = policies
        .iter()
        .flat_map(|policy| &policy.modules)
        .map(|module| (module.name(), module.origin()))
        .collect();
    #[cfg(feature = "wasmtime")]
    compiled.extend(
        policies
            .iter()
            .flat_map(|policy| &policy.components)
            .map(|component| (component.name(), component.origin())),
    );
    let from_cache = compiled
        .iter()
        .filter(|(_, origin)| **origin == Origin::Cached)
        .count();
    let place = cache.as_ref().map_or_else(
        || " (module cache off)".to_owned(),
        |cache| {
            format!(
                ", {from_cache} from the module cache in {}",
                cache.dir().display()
            )
        },
    );
    let on: Vec<String> = runtimes
        .iter()
        .map(|&runtime| runtime_and_compiler(runtime, args.compiler))
        .collect();
    writeln!(
        out,
        "guests: {} modules ready on {} in {:.0} ms{place}",
        compiled.len(),
        on.join(" and "),
        started.elapsed().as_secs_f64() * 1e3
    )?;
    let mut distrusted: Vec<&str> = Vec::new();
    for (name, origin) in &compiled {
        match origin {
            Origin::Rebuilt(reason) => writeln!(
                out,
                "note: the module cache's entry for {name} was unusable ({reason}); rebuilt"
            )?,
            Origin::Untrusted(reason) => {
                if !distrusted.contains(&reason.as_str()) {
                    distrusted.push(reason);
                    writeln!(out, "warning: module cache not used: {reason}")?;
                }
            }
            Origin::Compiled | Origin::Stored | Origin::Cached => {}
        }
    }
    writeln!(
        out,
        "sandbox: memory up to {} per guest; fuel {}",
        Bytes(args.sandbox.max_memory),
        describe_fuel(args)
    )?;
    Ok(failures)
}

/// Of one runtime's engines, unmetered and metered, those `policy`'s runs
/// need: either, or both.
#[cfg(feature = "wasm")]
fn engines_wanted<'e>(
    args: &RunArgs,
    policy: &Policy,
    (plain, metered): &'e (wsim_backends::Engine, wsim_backends::Engine),
) -> Vec<&'e wsim_backends::Engine> {
    let fuels = fuel_settings(args, policy);
    let mut wanted = Vec::new();
    if fuels.contains(&None) {
        wanted.push(plain);
    }
    if fuels.iter().any(Option::is_some) {
        wanted.push(metered);
    }
    wanted
}

/// The fuel settings in words, for the run's header.
#[cfg(feature = "wasm")]
fn describe_fuel(args: &RunArgs) -> String {
    if args.sandbox.fuel.is_empty() {
        return format!(
            "off for the built-in policies, {DEFAULT_PLUGIN_FUEL} per call for --wasm modules"
        );
    }
    let settings: Vec<String> = args
        .sandbox
        .fuel
        .iter()
        .map(|fuel| {
            fuel.0
                .map_or_else(|| "off".to_owned(), |n| format!("{n} per call"))
        })
        .collect();
    settings.join(", then ")
}

/// Checks a module of the user's exports what the backends asked for need.
#[cfg(feature = "wasm")]
fn check_plugin(
    args: &RunArgs,
    plugin: &Policy,
    wasm_backends: &[Backend],
) -> Result<(), crate::Error> {
    // Refused now rather than when its first run instantiates it.
    if let Some(module) = plugin.any_guest() {
        module.check_imports()?;
    }
    // Plugins are core modules: the component backends are for the
    // built-in policies.
    let wasm_backends: Vec<Backend> = wasm_backends
        .iter()
        .copied()
        .filter(|backend| !backend.is_component())
        .collect();
    if wasm_backends.is_empty() {
        return Err(crate::Error::Invalid(format!(
            "{}: the component backends run wsim's built-in policies only; \
             ask for pair, bincode, bytemuck or batch",
            plugin.name
        )));
    }
    if !args.backends.is_empty() {
        for &backend in &wasm_backends {
            plugin.check_exports(backend)?;
        }
    }
    let missing: Vec<(&str, &str)> = wasm_backends
        .iter()
        .filter_map(|&backend| Some((backend.name(), plugin.missing_export(backend)?)))
        .collect();
    // Some backend asked for has every export it needs.
    if missing.len() < wasm_backends.len() {
        return Ok(());
    }
    let module = plugin
        .any_guest()
        .map_or(plugin.name.as_str(), |module| module.name());
    let first = missing.first().map_or("", |&(_, export)| export);
    if missing.iter().all(|&(_, export)| export == first) {
        return Err(crate::Error::Invalid(format!(
            "{module}: lacks export `{first}`, which every backend asked for needs"
        )));
    }
    let each: Vec<String> = missing
        .iter()
        .map(|(backend, export)| format!("{backend} needs `{export}`"))
        .collect();
    Err(crate::Error::Invalid(format!(
        "{module}: exports none of the ABIs asked for ({})",
        each.join(", ")
    )))
}

#[cfg(not(feature = "wasm"))]
fn compile_guests(
    _: &RunArgs,
    _: &mut Vec<Policy>,
    wasm_backends: &[Backend],
    _: &mut dyn Write,
) -> anyhow::Result<Vec<Failure>> {
    let asked = wasm_backends
        .first()
        .map_or("WebAssembly", |backend| backend.name());
    bail!(
        "the {asked} backend (and --wasm) need WebAssembly, which this build of wsim leaves out; \
         rebuild with `--features wasmer` or `--features wasmtime` (both on by default)"
    )
}

fn scan(trace: &Trace) -> anyhow::Result<WorkingSet> {
    let progress = Progress::new(trace.len_hint(), "measuring the working set");
    let set = trace.working_set(|requests| progress.advance(requests))?;
    progress.finish();
    if set.requests == 0 {
        return Err(wsim_traces::Error::EmptyTrace {
            name: trace.name().to_owned(),
            skipped: set.skipped,
        }
        .into());
    }
    Ok(set)
}

/// Writes the records to the files asked for, all of them even if one fails.
fn save(records: &[Record], args: &RunArgs) -> anyhow::Result<()> {
    let json = args.json.as_deref().map(|path| write_json(records, path));
    let csv = args.csv.as_deref().map(|path| write_csv(records, path));
    json.transpose()?;
    csv.transpose()?;
    Ok(())
}

fn report_failures(failures: Vec<Failure>) -> anyhow::Result<()> {
    let describe = |failure: &Failure| {
        let skipped = match failure.skipped {
            0 => String::new(),
            1 => " (its 1 other run was skipped)".to_owned(),
            n => format!(" (its {n} other runs were skipped)"),
        };
        format!("{} failed: {}{skipped}", failure.job, failure.error)
    };
    let mut failures = failures.into_iter();
    let Some(first) = failures.next() else {
        return Ok(());
    };
    let others: Vec<Failure> = failures.collect();
    for failure in &others {
        let _ = writeln!(io::stderr(), "wsim: {}", describe(failure));
    }
    if others.is_empty() {
        bail!("{}", describe(&first))
    } else {
        bail!(
            "{} (and {} more failures above)",
            describe(&first),
            others.len()
        )
    }
}

#[cfg(feature = "wasm")]
fn micro(args: &MicroArgs) -> anyhow::Result<()> {
    use crate::micro::{Options, Targets, all_configs};
    use wsim_backends::{Engine, Limits, guests};

    let mut out = io::stdout().lock();
    let runtimes = choose_runtimes(&args.runtimes);
    let mut targets = Targets::default();
    for &runtime in &runtimes {
        let engine = Engine::with_runtime(
            runtime.engine(),
            compiler_on(runtime, args.compiler),
            Limits::default(),
        )?;
        targets
            .modules
            .push(engine.compile("multiply.wasm", guests::multiply_bytes())?);
        #[cfg(feature = "wasmtime")]
        if runtime == Runtime::Wasmtime {
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
        .map(|&runtime| runtime_and_compiler(runtime, args.compiler))
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
    let runs = crate::micro::runs(&targets, &configs) as u64;
    let total = runs * u64::from(options.warmup + options.reps) * options.calls;
    let progress = Progress::new(Some(total), "micro-benchmark");
    let rows = crate::micro::run(&targets, &configs, options, &mut |label| {
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
    write_micro_table(&rows, &mut out)?;
    write_micro_summary(&rows, &mut out)?;
    if let Some(check) = rows.first().map(|row| row.check) {
        writeln!(
            out,
            "check: every configuration's products summed to {check:#018x} in every repetition"
        )?;
    }
    Ok(())
}

/// The comparisons the micro-benchmark is for, in words: wsim's engine
/// against each runtime's bare call, and the Component Model against the
/// hand-written ABIs.
#[cfg(feature = "wasm")]
fn write_micro_summary(rows: &[crate::micro::Row], out: &mut dyn Write) -> io::Result<()> {
    use crate::micro::Loading;

    let mean = |runtime: &str, wanted: &dyn Fn(&crate::micro::Row) -> bool| {
        rows.iter()
            .find(|row| row.runtime == Some(runtime) && wanted(row))
            .map(|row| row.mean_ns)
    };
    let native = rows
        .iter()
        .find(|row| row.abi == "native")
        .map_or(f64::NAN, |row| row.mean_ns);
    writeln!(out)?;
    for runtime in ["wasmer", "wasmtime"] {
        let bare = mean(runtime, &|row| row.config == "bare");
        let pair = mean(runtime, &|row| {
            row.abi == "pair"
                && row.config != "bare"
                && row.cached == Some(true)
                && row.loading == Some(Loading::Preload)
                && row.srs == Some(false)
        });
        if let (Some(bare), Some(pair)) = (bare, pair) {
            writeln!(
                out,
                "{runtime}: bare call {bare:.2} ns ({:.1}x native); cached Pair through wsim's \
                 engine {pair:.2} ns, {:.3}x the bare call",
                bare / native,
                pair / bare
            )?;
        }
    }
    let pair = mean("wasmtime", &|row| row.test == Some(4));
    let batch = mean("wasmtime", &|row| row.abi == "batch");
    let component = mean("wasmtime", &|row| row.abi == "component");
    let list = mean("wasmtime", &|row| row.abi == "component list");
    if let (Some(pair), Some(component)) = (pair, component) {
        writeln!(
            out,
            "Component Model (wasmtime): a call {component:.2} ns, {:.2}x cached Pair on wasmtime \
             ({pair:.2} ns)",
            component / pair
        )?;
    }
    if let (Some(batch), Some(list)) = (batch, list) {
        writeln!(
            out,
            "Component Model lists (wasmtime): {list:.2} ns per item, {:.2}x Batch on wasmtime \
             ({batch:.2} ns per item)",
            list / batch
        )?;
    }
    Ok(())
}

#[cfg(not(feature = "wasm"))]
fn micro(_: &MicroArgs) -> anyhow::Result<()> {
    bail!(
        "the micro-benchmark calls WebAssembly guests, which this build of wsim leaves out; rebuild with `--features wasmer` or `--features wasmtime` (both on by default)"
    )
}

/// `wsim inspect`: prints the report; fails when the module runs under
/// none of the ABIs.
#[cfg(feature = "wasm")]
fn inspect(args: &InspectArgs) -> anyhow::Result<()> {
    let runtimes: Vec<(wsim_backends::Runtime, wsim_backends::Compiler)> =
        choose_runtimes(&args.runtimes)
            .into_iter()
            .map(|runtime| (runtime.engine(), compiler_on(runtime, args.compiler)))
            .collect();
    let report = crate::inspect::inspect(&args.module, &runtimes)?;
    io::stdout().lock().write_all(report.to_text().as_bytes())?;
    if let Some(path) = &args.json {
        write_json_file(&report, path)?;
    }
    if report.supported().next().is_none() {
        bail!("{}: runs under none of wsim's ABIs", report.module);
    }
    Ok(())
}

#[cfg(not(feature = "wasm"))]
fn inspect(_: &InspectArgs) -> anyhow::Result<()> {
    bail!(
        "inspecting a module needs WebAssembly, which this build of wsim leaves out; rebuild with `--features wasmer` or `--features wasmtime` (both on by default)"
    )
}

/// Writes any serializable value as pretty JSON, creating the directory.
#[cfg(feature = "wasm")]
fn write_json_file(value: &impl serde::Serialize, path: &std::path::Path) -> anyhow::Result<()> {
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).with_context(|| format!("create {}", parent.display()))?;
    }
    let text = serde_json::to_string_pretty(value)?;
    std::fs::write(path, text + "\n").with_context(|| format!("write {}", path.display()))
}

#[cfg(feature = "wasm")]
fn write_micro_table(rows: &[crate::micro::Row], out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "\n{:<4}  {:<30}  {:<8}  {:>12}  {:>12}  {:>12}  {:>9}",
        "test", "configuration", "runtime", "mean (ns)", "median (ns)", "stddev (ns)", "x native"
    )?;
    writeln!(
        out,
        "{}",
        "-".repeat(4 + 2 + 30 + 2 + 8 + 2 + 12 + 2 + 12 + 2 + 12 + 2 + 9)
    )?;
    for row in rows {
        let test = row
            .test
            .map_or_else(|| "-".to_owned(), |test| test.to_string());
        let name = row
            .config
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .trim();
        writeln!(
            out,
            "{test:<4}  {name:<30}  {:<8}  {:>12.2}  {:>12.2}  {:>12.2}  {:>9.2}",
            row.runtime.unwrap_or("-"),
            row.mean_ns,
            row.median_ns,
            row.stddev_ns,
            row.ratio_to_native
        )?;
    }
    Ok(())
}

#[cfg(feature = "wasm")]
fn micro_chart(
    rows: &[crate::micro::Row],
    path: &std::path::Path,
    host: &str,
    runtimes: &str,
) -> anyhow::Result<()> {
    use crate::plot::{Bar, BarChart, Cluster, bar_chart};

    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).with_context(|| format!("create {}", parent.display()))?;
    }
    let title = format!(
        "One multiply per call, {host} host build ({runtimes}): {} reps of {} calls",
        rows.first().map_or(0, |row| row.reps),
        rows.first().map_or(0, |row| row.calls)
    );
    // One cluster per runtime, native first.
    let mut clusters: Vec<Cluster> = Vec::new();
    for row in rows {
        let label = row.runtime.unwrap_or("native");
        let bar = Bar {
            label: row.config.clone(),
            value: row.mean_ns,
            spread: row.stddev_ns,
            annotation: format!("{:.1}", row.mean_ns),
            series: row.abi.to_owned(),
        };
        match clusters.iter_mut().find(|cluster| cluster.label == label) {
            Some(cluster) => cluster.bars.push(bar),
            None => clusters.push(Cluster {
                label: label.to_owned(),
                bars: vec![bar],
            }),
        }
    }
    bar_chart(
        &BarChart {
            title: &title,
            x_label: "runtime; bars: configuration (test number of the paper's Table 1, ABI, lookup, loading, memory)",
            y_label: "time per call (ns), error bars: one standard deviation",
            clusters,
            color_of: None,
        },
        path,
    )?;
    Ok(())
}
