//! The command line's arguments, as clap derives them (the subcommands
//! themselves are in [`crate::cli`]). Values that name a
//! registry entry (policies, backends, runtimes, lookups, compilers, trace
//! formats) are parsed by the registries' own `clap::ValueEnum`s.

use std::path::PathBuf;

use clap::Args;
use wsim_backends::Backend;
use wsim_backends::{Compiler, LookupKind, Runtime};
use wsim_policies::PolicySpec;
use wsim_traces::{Column, CsvOptions, SizeDistribution, Synthetic, TraceFormat};

use crate::choice::{Choice, PolicyParser, choice, one};
use crate::units::SizeSpec;

/// Runtimes and the compiler on them, as `run`, `micro` and `inspect`
/// take them.
#[derive(Debug, Args)]
pub struct RuntimeArgs {
    /// Runtimes for WebAssembly guests: a comma-separated list, or all
    /// [default: all this build has]
    #[arg(long = "runtime", value_name = "LIST", value_delimiter = ',',
          value_parser = choice::<Runtime>("runtime"))]
    pub(crate) runtimes: Vec<Choice<Runtime>>,

    /// The compiler for WebAssembly guests on runtimes that have it
    /// (wasmtime always uses Cranelift)
    #[arg(long, value_name = "COMPILER", default_value = "cranelift",
          value_parser = one::<Compiler>("compiler"))]
    pub(crate) compiler: Compiler,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The module (.wasm, or WebAssembly text)
    #[arg(value_name = "FILE.wasm")]
    pub(crate) module: PathBuf,

    /// Also write the report as JSON to PATH
    #[arg(long, value_name = "PATH")]
    pub(crate) json: Option<PathBuf>,

    #[command(flatten)]
    pub(crate) runtime: RuntimeArgs,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The trace to replay [default: the built-in synthetic trace]
    #[arg(long, value_name = "PATH", conflicts_with = "synthetic")]
    pub(crate) trace: Option<PathBuf>,

    #[command(flatten)]
    pub(crate) format: FormatArgs,

    #[command(flatten)]
    pub(crate) synthetic: SyntheticArgs,

    /// Policies: a comma-separated list, or all; a policy's parameters
    /// follow its name, each as :key=value (s3fifo:small-size-ratio=0.2)
    /// [default: a handful, named in the run's header; none when --wasm
    /// gives modules]
    #[arg(long = "policy", value_name = "LIST", value_delimiter = ',',
          value_parser = PolicyParser)]
    pub(crate) policies: Vec<Choice<PolicySpec>>,

    /// Give every request its next access (the 1-based index of the
    /// object's next request) for trace formats that do not store it, for
    /// --wasm modules that read it; a built-in policy that needs it turns
    /// this on
    #[arg(long)]
    pub(crate) next_access: bool,

    /// Backends: a comma-separated list, or all [default: all]. Native
    /// always runs beside WebAssembly backends, as the baseline of their
    /// slowdowns; the component backends run on wasmtime
    #[arg(long = "backend", value_name = "LIST", value_delimiter = ',',
          value_parser = choice::<Backend>("backend"))]
    pub(crate) backends: Vec<Choice<Backend>>,

    /// How WebAssembly backends find their exports: cached (once, at load),
    /// uncached (by name on every call), or both
    #[arg(long, value_name = "LIST", value_delimiter = ',', default_value = "cached",
          value_parser = choice::<LookupKind>("lookup").all_as(&["both", "all"]))]
    pub(crate) lookup: Vec<Choice<LookupKind>>,

    #[command(flatten)]
    pub(crate) runtime: RuntimeArgs,

    /// A policy module of your own: any WebAssembly module exporting wsim's
    /// ABI (docs/ABI.md). Repeatable. It runs under every ABI it exports
    #[arg(long = "wasm", value_name = "PATH")]
    pub(crate) modules: Vec<PathBuf>,

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
    pub(crate) sizes: Vec<SizeSpec>,

    /// Count every request as size 1, so capacities count objects
    #[arg(long)]
    pub(crate) ignore_size: bool,

    /// Also write every result as a JSON array to PATH
    #[arg(long, value_name = "PATH")]
    pub(crate) json: Option<PathBuf>,

    /// Also write every result as CSV to PATH
    #[arg(long, value_name = "PATH")]
    pub(crate) csv: Option<PathBuf>,

    /// Draw the figures into DIR: hit and byte hit ratio against cache size
    /// (the paper's Figure 9) and, for timed runs, time per policy and
    /// backend at each size (Figure 10)
    #[arg(long, value_name = "DIR")]
    pub(crate) plot: Option<PathBuf>,

    /// Hit ratios only: run every configuration in parallel on every core and
    /// report no times (native only, unless --backend says otherwise)
    #[arg(long)]
    pub(crate) no_timing: bool,

    #[command(flatten)]
    pub(crate) sandbox: SandboxArgs,
}

/// What a WebAssembly guest may use, and where compiled guests are kept.
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Fuel per call into a guest (about one point per WebAssembly
    /// instruction; a call that spends it all fails), or `off`. A list runs
    /// each setting, to measure what fuel costs
    /// [default: off for the built-in policies, 1000000000 for --wasm modules]
    #[arg(long, value_name = "N|off", value_delimiter = ',', value_parser = parse_fuel)]
    pub(crate) fuel: Vec<Fuel>,

    /// Memory each guest instance may grow to (e.g. 256MiB, 4GiB)
    #[arg(long, value_name = "SIZE", default_value = "1GiB", value_parser = parse_memory_cap)]
    pub(crate) max_memory: u64,

    /// Largest module file --wasm accepts
    #[arg(long, value_name = "SIZE", default_value = "32MiB", value_parser = parse_nonzero_bytes)]
    pub(crate) max_module_size: u64,

    /// Keep compiled guests in DIR [default: $WSIM_CACHE_DIR, else
    /// $XDG_CACHE_HOME/wsim, else ~/.cache/wsim]
    #[arg(long, value_name = "DIR", conflicts_with = "no_module_cache")]
    pub(crate) module_cache: Option<PathBuf>,

    /// Compile every guest afresh and keep nothing on disk
    #[arg(long)]
    pub(crate) no_module_cache: bool,
}

/// One `--fuel` setting: a budget per call, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fuel(pub(crate) Option<u64>);

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
pub struct FormatArgs {
    /// Trace format [default: from the file name]; zstd compression is
    /// detected from the content
    #[arg(long, value_enum, requires = "trace")]
    pub(crate) format: Option<TraceFormat>,

    /// CSV: the id column, a header name or 1-based position [default: id]
    #[arg(long, value_name = "NAME|POS", requires = "trace")]
    pub(crate) id_column: Option<Column>,

    /// CSV: the size column, a header name or 1-based position [default: size]
    #[arg(long, value_name = "NAME|POS", requires = "trace")]
    pub(crate) size_column: Option<Column>,

    /// CSV: the first line is data, not a header (columns by position only)
    #[arg(long, requires = "trace")]
    pub(crate) no_header: bool,
}

impl FormatArgs {
    pub(crate) fn csv_options(&self) -> CsvOptions {
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
pub struct SyntheticArgs {
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
    pub(crate) const fn spec(&self) -> Synthetic {
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
pub struct GenArgs {
    /// Where to write the trace; a name ending in .zst is zstd-compressed
    #[arg(long, short, value_name = "PATH")]
    pub(crate) output: PathBuf,

    /// Format to write [default: from the file name]
    #[arg(long, value_enum)]
    pub(crate) format: Option<TraceFormat>,

    #[command(flatten)]
    pub(crate) synthetic: SyntheticArgs,
}
