//! The command line: arguments ([`crate::args`]) resolved into a plan
//! ([`crate::plan`]), run ([`crate::execute`]) and reported
//! ([`crate::report`]); `wsim gen` here too, `wsim micro` and `wsim
//! inspect` with what they measure.

use std::io::{self, Write};

use anyhow::Context;
use wsim_policies::Request;
use wsim_traces::{Synthetic, Trace, TraceFormat, WorkingSet, write_trace};

use clap::{Parser, Subcommand};

#[cfg(not(feature = "wasm"))]
use crate::args::PolicyArgs;
use crate::args::{AnalyzeArgs, ConvertArgs, GenArgs, InspectArgs, MrcArgs, RunArgs, Warmup};

#[cfg(not(feature = "wasm"))]
use crate::execute::Failure;
use crate::execute::{report_failures, run_jobs};
use crate::plan::{Selection, jobs};
use crate::progress::Progress;
use crate::report::{peak_memory, write_comparison, write_csv, write_json, write_table};
use crate::run::{Policy, Record};
use crate::units::{Amount, Bytes, SizeSpec, resolve_sizes};

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
    /// Write a synthetic trace in any format wsim writes.
    Gen(GenArgs),
    /// The paper's micro-benchmark (Table 1): what one call into a guest
    /// costs under each ABI, lookup, loading and memory choice.
    Micro(crate::micro::MicroArgs),
    /// What a WebAssembly module exports, which of wsim's ABIs it runs
    /// under, and its ABI version.
    Inspect(InspectArgs),
    /// Check a policy module against the cache contract: every ABI it
    /// exports, on every runtime, replays hand-made traces under the full
    /// audit; answers must agree across ABIs and runtimes (and with
    /// --reference); bad parameters must be refused; one line per check.
    #[cfg(feature = "wasm")]
    Check(crate::check::CheckArgs),
    /// Make a policy plugin project that builds, checks and runs as it
    /// stands (in Rust, C or WebAssembly text), with its next steps.
    New(crate::new::NewArgs),
    /// Rewrite a trace in another format: oracleGeneral or lcs (next
    /// accesses computed in passes that spill to disk, so memory stays
    /// bounded), CSV, ids and the other text formats. With --num-req and
    /// --sample-ratio, a smaller trace.
    Convert(ConvertArgs),
    /// Miss-ratio curves at a fraction of a simulation per size: LRU's
    /// exactly from one pass of stack distances, LRU's by SHARDS sampling,
    /// or any policy's by miniature simulation on a spatial sample.
    Mrc(Box<MrcArgs>),
    /// Look at a trace before simulating it: requests, objects, bytes,
    /// working set, one-hit wonders, object sizes, popularity (with a
    /// fitted Zipf alpha), reuse distances and time span.
    Analyze(AnalyzeArgs),
    /// Join the --json files of a sharded sweep (`wsim run --shard K/N`)
    /// into one, in the order given; refuses a run that two files both have.
    Merge(crate::merge::MergeArgs),
}

/// Runs a parsed command line, writing its report to stdout.
pub fn execute(cli: Cli) -> anyhow::Result<()> {
    execute_to(cli, &mut io::stdout().lock())
}

/// Runs a parsed command line, writing its report to `out` (progress bars
/// go to stderr, on a terminal). The Python module passes a buffer.
pub fn execute_to(cli: Cli, out: &mut dyn Write) -> anyhow::Result<()> {
    match cli.command {
        Command::Run(args) => run(&args, out),
        Command::Gen(args) => generate(&args, out),
        Command::Micro(args) => crate::micro::command(&args, out),
        Command::Inspect(args) => inspect(&args, out),
        #[cfg(feature = "wasm")]
        Command::Check(args) => crate::check::command(&args, out),
        Command::New(args) => crate::new::command(&args, out),
        Command::Convert(args) => crate::tools::convert(&args, out),
        Command::Analyze(args) => crate::tools::analyze(&args, out),
        Command::Mrc(args) => mrc(&args, out),
        Command::Merge(args) => crate::merge::command(&args, out),
    }
}

#[cfg(feature = "wasm")]
fn inspect(args: &InspectArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    crate::inspect::command(args, out)
}

#[cfg(not(feature = "wasm"))]
fn inspect(_: &InspectArgs, _: &mut dyn Write) -> anyhow::Result<()> {
    anyhow::bail!(
        "inspecting a module needs WebAssembly, which this build of wsim leaves out; rebuild with `--features wasmer` or `--features wasmtime` (both on by default)"
    )
}

fn generate(args: &GenArgs, out: &mut dyn Write) -> anyhow::Result<()> {
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
        progress.advance(done);
    })?;
    progress.finish();
    writeln!(out, "wrote {} ({format}): {spec}", args.output.display())?;
    Ok(())
}

fn generate_in_memory(spec: &Synthetic) -> anyhow::Result<Vec<Request>> {
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
        return Ok(
            crate::tools::open_file(path, &args.format, args.ignore_size)?
                .with_replay(args.replay.replay()),
        );
    }
    if args.format.format.is_some() || args.format.trace_params.is_some() {
        anyhow::bail!("--format and --trace-params describe a trace file: pass it with --trace");
    }
    let spec = args.synthetic.spec();
    let requests = generate_in_memory(&spec)?;
    let name = if spec == Synthetic::DEFAULT {
        "default synthetic trace"
    } else {
        "synthetic trace"
    };
    Ok(
        Trace::in_memory(name, &spec.to_string(), requests, args.ignore_size)
            .with_replay(args.replay.replay()),
    )
}

/// The trace with its warm-up, resolved to a number of requests (a share
/// needs the replayed length, which `working_set` measured or a pass here
/// does).
fn with_warmup(
    trace: Trace,
    warmup: Option<Warmup>,
    working_set: Option<WorkingSet>,
    out: &mut dyn Write,
) -> anyhow::Result<Trace> {
    let requests = match warmup {
        None | Some(Warmup::Requests(0)) => return Ok(trace),
        Some(Warmup::Requests(requests)) => requests,
        Some(Warmup::Percent(percent)) => {
            let replayed = match working_set {
                Some(set) => set.requests,
                None => scan(&trace)?.requests,
            };
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss,
                reason = "a share of a request count, rounded down"
            )]
            let share = (replayed as f64 * percent / 100.0) as u64;
            share
        }
    };
    if let Some(set) = working_set.filter(|set| requests >= set.requests) {
        anyhow::bail!(
            "--warmup {requests} leaves no request to count: the trace replays {}",
            set.requests
        );
    }
    if requests == 0 {
        return Ok(trace);
    }
    writeln!(
        out,
        "warm-up: the first {requests} requests fill the cache and are not counted"
    )?;
    let replay = wsim_traces::Replay {
        warmup: requests,
        ..trace.replay()
    };
    Ok(trace.with_replay(replay))
}

/// `wsim mrc`: the trace, the sizes (20 log-spaced from 0.01% to 100% of
/// the working set by default), then the curves.
fn mrc(args: &MrcArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let minisim = args.methods.iter().any(|method| method == "minisim");
    if !minisim && (!args.guests.policies.is_empty() || !args.guests.modules.is_empty()) {
        anyhow::bail!(
            "--policy and --wasm choose minisim's policies (exact and shards are LRU's): \
             add --method minisim"
        );
    }
    if args.replay.sample_ratio.is_some() && minisim {
        anyhow::bail!(
            "--sample-ratio and --method minisim would both sample the objects: give minisim's rate as --rate"
        );
    }
    let trace = match &args.trace {
        Some(path) => crate::tools::open_file(path, &args.format, args.ignore_size)?,
        None => {
            let spec = args.synthetic.spec();
            Trace::in_memory(
                "synthetic trace",
                &spec.to_string(),
                generate_in_memory(&spec)?,
                args.ignore_size,
            )
        }
    }
    .with_replay(args.replay.replay());
    writeln!(out, "trace: {}", trace.description())?;
    crate::tools::describe_replay(&trace, out)?;
    let grid = SizeSpec::Range {
        from: Amount::Percent(0.01),
        to: Amount::Percent(100.0),
        points: 20,
    };
    let (mut sizes, _) = sizes_of(
        &args.sizes,
        (grid, "20 log-spaced from 0.01% to 100% of the working set"),
        &trace,
        out,
    )?;
    // A curve runs from small to large, whatever order --size gave.
    sizes.sort_unstable();
    crate::mrc::command(args, trace, &sizes, out)
}

/// The default sweep: five log-spaced sizes from 0.1% to 10% of the working set.
const DEFAULT_SIZES: SizeSpec = SizeSpec::Range {
    from: Amount::Percent(0.1),
    to: Amount::Percent(10.0),
    points: 5,
};

/// The cache sizes `--size` asks for, measuring the working set first when
/// a size is relative to it; says what it found on `out`.
fn sizes(
    args: &RunArgs,
    trace: &Trace,
    out: &mut dyn Write,
) -> anyhow::Result<(Vec<u64>, Option<WorkingSet>)> {
    let default = (
        DEFAULT_SIZES,
        "5 log-spaced from 0.1% to 10% of the working set",
    );
    sizes_of(&args.sizes, default, trace, out)
}

/// The cache sizes `requested` (or `default`, described), measuring the
/// working set first when a size is relative to it; says what it found on
/// `out`.
pub(crate) fn sizes_of(
    requested: &[SizeSpec],
    default: (SizeSpec, &str),
    trace: &Trace,
    out: &mut dyn Write,
) -> anyhow::Result<(Vec<u64>, Option<WorkingSet>)> {
    let specs = if requested.is_empty() {
        vec![default.0]
    } else {
        requested.to_vec()
    };
    let working_set = if specs.iter().any(SizeSpec::needs_working_set) {
        let set = scan(trace)?;
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
        "objects"
    } else {
        "bytes"
    };
    let listed: Vec<String> = sizes.iter().map(u64::to_string).collect();
    let chosen = if requested.is_empty() {
        format!(" (default: {}; --size changes them)", default.1)
    } else {
        String::new()
    };
    writeln!(out, "cache sizes ({unit}){chosen}: {}", listed.join(", "))?;
    Ok((sizes, working_set))
}

fn run(args: &RunArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let selection = Selection::new(&args.guests, args.no_timing);
    let trace = open_trace(args)?;
    writeln!(out, "trace: {}", trace.description())?;
    crate::tools::describe_replay(&trace, out)?;
    let (sizes, working_set) = sizes(args, &trace, out)?;
    let trace = with_warmup(trace, args.warmup, working_set, out)?;
    let trace = if selection.next_access {
        let progress = Progress::new(trace.len_hint(), "finding each request's next access");
        let trace = trace.with_next_access(|requests| progress.advance(requests))?;
        progress.finish();
        trace
    } else {
        trace
    };
    if selection.policies_by_default {
        let names: Vec<String> = selection.policies.iter().map(ToString::to_string).collect();
        if args.guests.modules.is_empty() {
            writeln!(
                out,
                "policies: {} (a handful; --policy all runs every one of the {})",
                names.join(", "),
                wsim_policies::PolicyKind::COUNT
            )?;
        } else {
            writeln!(
                out,
                "policies: {} beside the --wasm modules, to compare with (--policy none runs \
                 the modules alone; --policy all beside every one of the {})",
                names.join(", "),
                wsim_policies::PolicyKind::COUNT
            )?;
        }
    }
    let mut policies: Vec<Policy> = selection.policies.iter().map(Policy::builtin).collect();
    let load_failures =
        if selection.wasm_backends().next().is_some() || !args.guests.modules.is_empty() {
            load_guests(&args.guests, &selection, &mut policies, out)?
        } else {
            Vec::new()
        };
    let jobs = jobs(&selection, &policies, &sizes);
    if jobs.is_empty() {
        report_failures(load_failures)?;
        if let Some(host) = selection.components_left_out() {
            anyhow::bail!(
                "nothing to run: the component backends run on {host}, and --runtime leaves it out"
            );
        }
        if selection.policies.is_empty() && args.guests.modules.is_empty() {
            anyhow::bail!(
                "nothing to run: --policy none runs the --wasm modules alone, and none was given"
            );
        }
        anyhow::bail!("nothing to run: no policy runs under the backends chosen");
    }
    let jobs = match args.shard {
        Some(shard) => {
            let (kept, mine, pairs) = shard.slice(jobs);
            writeln!(
                out,
                "shard {shard}: {mine} of the sweep's {pairs} policy-and-size pairs, {} runs \
                 (`wsim merge` joins the shards' --json files)",
                kept.len()
            )?;
            if kept.is_empty() {
                // An array job with more tasks than pairs: an empty slice, not an error.
                report_failures(load_failures)?;
                return save(&[], args);
            }
            kept
        }
        None => jobs,
    };
    if let Some(note) = selection.deadline_note() {
        writeln!(out, "{note}")?;
    }
    if let Some(host) = selection
        .components_left_out()
        .filter(|_| selection.backends_asked)
    {
        writeln!(
            out,
            "note: the component backends run on {host}, which --runtime leaves out: skipped"
        )?;
    }
    let (mut records, run_failures) = run_jobs(
        &jobs,
        &trace,
        working_set.map(|set| set.requests),
        args.no_timing,
    );
    let plugins: Vec<&str> = policies
        .iter()
        .filter(|policy| policy.kind.is_none())
        .map(|policy| policy.name.as_str())
        .collect();
    crate::record::compare_with_lru(&mut records, &plugins);
    writeln!(out)?;
    let saved = save(&records, args);
    write_table(&records, out)?;
    writeln!(out)?;
    write_comparison(&records, &plugins, out)?;
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
        if records
            .iter()
            .any(|record| record.slowdown_vs_lru.is_some())
        {
            writeln!(
                out,
                "x native of a --wasm module (marked lru): its time inside the cache over the \
                 built-in LRU's on the same backend and size; the module runs with fuel by \
                 default and the built-ins without (--fuel off, or a list, compares alike)"
            )?;
        }
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

#[cfg(feature = "wasm")]
pub(crate) use crate::load::load_guests;

/// Without WebAssembly there is nothing to load: say what to rebuild with.
#[cfg(not(feature = "wasm"))]
pub(crate) fn load_guests(
    _: &PolicyArgs,
    selection: &Selection,
    _: &mut Vec<Policy>,
    _: &mut dyn Write,
) -> anyhow::Result<Vec<Failure>> {
    let asked = selection
        .wasm_backends()
        .next()
        .map_or("WebAssembly", |backend| backend.name());
    anyhow::bail!(
        "the {asked} backend (and --wasm) need WebAssembly, which this build of wsim leaves out; \
         rebuild with `--features wasmer` or `--features wasmtime` (both on by default)"
    )
}

pub(crate) fn scan(trace: &Trace) -> anyhow::Result<WorkingSet> {
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
