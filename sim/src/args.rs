//! The command line's arguments, as clap derives them (the subcommands
//! themselves are in [`crate::cli`]). Values that name a
//! registry entry (policies, backends, runtimes, lookups, compilers, trace
//! formats) are parsed by the registries' own `clap::ValueEnum`s.

use std::path::PathBuf;

use clap::Args;
use wsim_backends::Backend;
use wsim_backends::{Compiler, LookupKind, Runtime};
use wsim_policies::PolicySpec;
use wsim_traces::binary::BinaryLayout;
use wsim_traces::sample::SpatialSampler;
use wsim_traces::{
    Column, CsvOptions, ReadOptions, Replay, SizeDistribution, Synthetic, TraceFormat,
};

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

/// What a WebAssembly guest may use, and where compiled guests are kept.
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Fuel per call into a guest (about one point per WebAssembly
    /// instruction; a call that spends it all fails), or `off`. A list runs
    /// each setting, to measure what fuel costs
    /// [default: off for the built-in policies, 1000000000 for --wasm modules]
    #[arg(long, value_name = "N|off", value_delimiter = ',', value_parser = parse_fuel)]
    pub(crate) fuel: Vec<Fuel>,

    /// Wall-clock time each run of a guest may take (e.g. 2s, 500ms),
    /// instantiation included: a guest still running then is stopped
    /// (wasmtime: epoch interruption; wasmer: its host interrupt), within
    /// about 10 ms. wasmer keeps it only in a wsim built with `--features
    /// wasmer-deadline`, which makes its every call dearer; without, a run
    /// that names no --runtime leaves wasmer out
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) deadline: Option<std::time::Duration>,

    /// Check every answer of every run against the cache contract, from the
    /// evictions the cache reports (a hit only for an object held, a miss
    /// only for one not held, evictions only of objects held, never more
    /// than the capacity held, stats that agree); a module that cannot
    /// report them (ABI version 1 or 2) is refused. The first violation
    /// stops that run [default: on for --wasm modules, which without
    /// reports get the checks that need none; off for the built-in
    /// policies]
    #[arg(long, conflicts_with = "no_audit")]
    pub(crate) audit: bool,

    /// Check no run's answers, not even a --wasm module's
    #[arg(long)]
    pub(crate) no_audit: bool,

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

fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let scale = match unit.trim() {
        "ms" => 1e-3,
        "s" | "" => 1.0,
        "min" | "m" => 60.0,
        other => return Err(format!("`{other}` is not a unit of time: ms, s or min")),
    };
    match number.parse::<f64>() {
        Ok(value) if value > 0.0 && (value * scale).is_finite() => {
            Ok(std::time::Duration::from_secs_f64(value * scale))
        }
        _ => Err(format!(
            "`{text}` is not a duration above 0, e.g. 2s or 500ms"
        )),
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
    /// Trace format, or auto: an lcs header by its magic number, else the
    /// file name's extension, else a guess from the first bytes (said on
    /// stderr) [default: auto]; zstd compression is detected from the content
    #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
    pub(crate) format: Option<FormatChoice>,

    /// A binary trace's record layout, as libCacheSim's -t takes it
    /// (implies --format binary): "format=<IQIq,obj-id-col=2,obj-size-col=3"
    /// (Python struct codes, fields numbered from 1; also time-col,
    /// next-access-col)
    #[arg(long, value_name = "TEXT")]
    pub(crate) trace_params: Option<BinaryLayout>,

    /// CSV: the id column, a header name or 1-based position [default: id]
    #[arg(long, value_name = "NAME|POS")]
    pub(crate) id_column: Option<Column>,

    /// CSV: the size column, a header name or 1-based position [default: size]
    #[arg(long, value_name = "NAME|POS")]
    pub(crate) size_column: Option<Column>,

    /// CSV: the first line is data, not a header (columns by position only)
    #[arg(long)]
    pub(crate) no_header: bool,
}

/// `--format`: a format, or `auto`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FormatChoice(pub(crate) Option<TraceFormat>);

fn parse_format(text: &str) -> Result<FormatChoice, String> {
    if text.trim().eq_ignore_ascii_case("auto") {
        return Ok(FormatChoice(None));
    }
    text.parse()
        .map(|format| FormatChoice(Some(format)))
        .map_err(|error: String| format!("{error}, or auto"))
}

impl FormatArgs {
    /// The format asked for (`--trace-params` implies `binary`); `None` to
    /// detect it.
    pub(crate) fn format(&self) -> Result<Option<TraceFormat>, String> {
        let named = self.format.and_then(|choice| choice.0);
        match (named, &self.trace_params) {
            (None, Some(_)) => Ok(Some(TraceFormat::Binary)),
            (Some(format), Some(_)) if format != TraceFormat::Binary => Err(format!(
                "--trace-params describes a binary layout, but --format is {format}"
            )),
            _ => Ok(named),
        }
    }

    /// How to read the trace, beyond its format.
    pub(crate) fn read_options(&self) -> ReadOptions {
        ReadOptions {
            csv: CsvOptions {
                id_column: self.id_column.clone(),
                size_column: self.size_column.clone(),
                has_header: !self.no_header,
                ..CsvOptions::default()
            },
            binary: self.trace_params.clone(),
            ignore_size: false,
        }
    }
}

/// Which requests of a trace a replay takes.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Replay only the first N requests of the trace (before sampling;
    /// requests of size 0, which every reader skips, do not count)
    #[arg(long, value_name = "N", value_parser = parse_positive)]
    pub(crate) num_req: Option<u64>,

    /// Replay only a spatial sample of the objects, kept whole, chosen by a
    /// hash of the id as libCacheSim's -s chooses them (one object in
    /// floor(1/R)): the same objects on every run, backend and machine.
    /// Cache sizes are not scaled
    #[arg(long, value_name = "R", value_parser = parse_sample_ratio)]
    pub(crate) sample_ratio: Option<SpatialSampler>,
}

impl ReplayArgs {
    /// The replay asked for, without a warm-up.
    pub(crate) const fn replay(&self) -> Replay {
        Replay {
            num_req: self.num_req,
            sample: self.sample_ratio,
            warmup: 0,
        }
    }
}

/// `--warmup`: requests, or a share of the replayed trace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Warmup {
    /// This many requests.
    Requests(u64),
    /// This percentage of the requests replayed.
    Percent(f64),
}

fn parse_warmup(text: &str) -> Result<Warmup, String> {
    let text = text.trim();
    if let Some(percent) = text.strip_suffix('%') {
        return match percent.trim().parse::<f64>() {
            Ok(percent) if (0.0..100.0).contains(&percent) => Ok(Warmup::Percent(percent)),
            _ => Err(format!("`{text}`: a warm-up share lies in [0%, 100%)")),
        };
    }
    text.replace('_', "")
        .parse()
        .map(Warmup::Requests)
        .map_err(|_| {
            format!("`{text}` is not a warm-up: a number of requests, or a percentage (10%)")
        })
}

fn parse_positive(text: &str) -> Result<u64, String> {
    match text.trim().replace('_', "").parse::<u64>() {
        Ok(0) => Err("must be at least 1".to_owned()),
        Ok(number) => Ok(number),
        Err(_) => Err(format!("`{text}` is not a whole number")),
    }
}

fn parse_sample_ratio(text: &str) -> Result<SpatialSampler, String> {
    let ratio: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a ratio (e.g. 0.01)"))?;
    SpatialSampler::new(ratio)
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
