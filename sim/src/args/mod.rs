//! The command line's arguments, as clap derives them (the subcommands
//! themselves are in [`crate::cli`]). Values that name a
//! registry entry (policies, backends, runtimes, lookups, compilers, trace
//! formats) are parsed by the registries' own `clap::ValueEnum`s.

use std::path::PathBuf;

use clap::Args;
use wsim_backends::Backend;
use wsim_backends::{Compiler, LookupKind, Runtime};
use wsim_policies::PolicySpec;
use wsim_traces::TraceFormat;

use crate::choice::{Choice, PolicyParser, choice, one};
use crate::units::SizeSpec;

mod sandbox;
mod trace;

pub use sandbox::SandboxArgs;
pub(crate) use trace::Warmup;
pub use trace::{FormatArgs, ReplayArgs, SyntheticArgs};
use trace::{parse_positive, parse_warmup};

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
    pub(crate) replay: ReplayArgs,

    /// Serve the first N requests (or P% of those replayed) to warm the
    /// cache up without counting them: hits, bytes and evictions count
    /// from the request after
    #[arg(long, value_name = "N|P%", value_parser = parse_warmup)]
    pub(crate) warmup: Option<Warmup>,

    #[command(flatten)]
    pub(crate) synthetic: SyntheticArgs,

    #[command(flatten)]
    pub(crate) guests: PolicyArgs,

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

    /// Run only the K-th of N slices of the sweep, for a batch scheduler's
    /// array jobs (K from 1); a slice is whole policy-and-size pairs, so each
    /// keeps its native baseline. `wsim merge` joins the slices' --json files
    #[arg(long, value_name = "K/N")]
    pub(crate) shard: Option<crate::plan::Shard>,
}

/// The policies to run and where: built-in policies, `--wasm` modules,
/// backends, runtimes and the sandbox's limits, as `run` and `mrc` take them.
#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// Policies: a comma-separated list, all, or none (--wasm modules
    /// alone); a policy's parameters follow its name, each as :key=value
    /// (s3fifo:small-size-ratio=0.2) [default: a handful, named in the
    /// run's header; LRU and FIFO beside --wasm modules, to compare with]
    #[arg(long = "policy", value_name = "LIST", value_delimiter = ',',
          value_parser = PolicyParser)]
    pub(crate) policies: Vec<Choice<PolicySpec>>,

    /// Give every request its next access (the 1-based index of the
    /// object's next request) for trace formats that do not store it, for
    /// --wasm modules that read it; a built-in policy that needs it turns
    /// this on
    #[arg(long)]
    pub(crate) next_access: bool,

    /// Backends: a comma-separated list, or all [default: all; with
    /// --no-timing native; with --wasm modules the core-module backends;
    /// in `mrc` native, and batch on one runtime for --wasm modules]. Native always runs beside WebAssembly
    /// backends, as the baseline of their slowdowns; the component
    /// backends run on wasmtime
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
    /// (in `mrc`, the fastest one unless --backend says)
    #[arg(long = "wasm", value_name = "PATH")]
    pub(crate) modules: Vec<PathBuf>,

    #[command(flatten)]
    pub(crate) sandbox: SandboxArgs,
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The trace to read
    #[arg(value_name = "IN")]
    pub(crate) input: PathBuf,

    /// Where to write it; a name ending in .zst is zstd-compressed
    #[arg(value_name = "OUT")]
    pub(crate) output: PathBuf,

    /// Format to write: oracle-general or lcs (next accesses computed),
    /// csv, ids, webcachesim, arc, lirs [default: from OUT's name]
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub(crate) to: Option<TraceFormat>,

    #[command(flatten)]
    pub(crate) format: FormatArgs,

    #[command(flatten)]
    pub(crate) replay: ReplayArgs,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// The trace to analyse
    #[arg(value_name = "TRACE")]
    pub(crate) trace: PathBuf,

    #[command(flatten)]
    pub(crate) format: FormatArgs,

    #[command(flatten)]
    pub(crate) replay: ReplayArgs,

    /// Count every request as size 1
    #[arg(long)]
    pub(crate) ignore_size: bool,

    /// Also write the analysis as JSON to PATH
    #[arg(long, value_name = "PATH")]
    pub(crate) json: Option<PathBuf>,

    /// Draw the popularity (rank against frequency) and reuse-distance
    /// figures into DIR
    #[arg(long, value_name = "DIR")]
    pub(crate) plot: Option<PathBuf>,
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

#[derive(Debug, Args)]
pub struct MrcArgs {
    /// The trace [default: the built-in synthetic trace]
    #[arg(long, value_name = "PATH", conflicts_with = "synthetic")]
    pub(crate) trace: Option<PathBuf>,

    #[command(flatten)]
    pub(crate) format: FormatArgs,

    #[command(flatten)]
    pub(crate) replay: ReplayArgs,

    #[command(flatten)]
    pub(crate) synthetic: SyntheticArgs,

    /// Methods, comma-separated: exact (LRU, one pass of stack distances),
    /// shards (LRU on a spatial sample, distances scaled), minisim (each
    /// --policy and --wasm module simulated on a spatial sample at sizes
    /// scaled by --rate)
    #[arg(long = "method", value_name = "LIST", value_delimiter = ',', default_value = "exact",
          value_parser = ["exact", "shards", "minisim"])]
    pub(crate) methods: Vec<String>,

    /// Sampling rate of shards (default 0.01) and minisim (default 0.05)
    #[arg(long, value_name = "R", value_parser = parse_rate)]
    pub(crate) rate: Option<f64>,

    /// Report a sample's own ratios: no SHARDS_adj for shards at a fixed
    /// rate (which counts the difference between the requests expected of
    /// the sample and those it had as hits from the shortest distance it
    /// measured, as libCacheSim's profiler does), and minisim's misses over
    /// the sample's requests rather than over those expected of it
    #[arg(long)]
    pub(crate) no_adjust: bool,

    /// shards: keep at most K objects, lowering the rate as needed
    /// (fixed-size SHARDS) instead of a fixed rate
    #[arg(long, value_name = "K", value_parser = parse_positive_usize)]
    pub(crate) max_objects: Option<usize>,

    /// minisim's policies (--policy, --wasm) and where they run
    /// (--backend: native by default, the module backends for --wasm);
    /// exact and shards are LRU's
    #[command(flatten)]
    pub(crate) guests: PolicyArgs,

    /// Cache sizes, as `run` takes them
    /// [default: 0.01%..100%:20, twenty sizes over the working set]
    #[arg(
        long = "size",
        value_name = "LIST",
        value_delimiter = ',',
        allow_hyphen_values = true
    )]
    pub(crate) sizes: Vec<SizeSpec>,

    /// Count every request as size 1, so sizes count objects
    #[arg(long)]
    pub(crate) ignore_size: bool,

    /// Also simulate each curve's policy in full at five of the sizes and
    /// report each method's mean absolute error
    #[arg(long)]
    pub(crate) compare: bool,

    /// Also write every point as JSON to PATH
    #[arg(long, value_name = "PATH")]
    pub(crate) json: Option<PathBuf>,

    /// Also write every point as CSV to PATH
    #[arg(long, value_name = "PATH")]
    pub(crate) csv: Option<PathBuf>,

    /// Draw the curves into DIR (mrc.svg, cache size on a log axis)
    #[arg(long, value_name = "DIR")]
    pub(crate) plot: Option<PathBuf>,
}

fn parse_rate(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(rate) if rate > 0.0 && rate <= 1.0 => Ok(rate),
        _ => Err(format!("`{text}`: a rate lies in (0, 1]")),
    }
}

fn parse_positive_usize(text: &str) -> Result<usize, String> {
    parse_positive(text)
        .and_then(|number| usize::try_from(number).map_err(|error| error.to_string()))
}
