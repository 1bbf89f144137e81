//! `wsim check PLUGIN`: a conformance suite for a policy module. Every ABI
//! it exports, on every runtime, replays hand-made traces under the full
//! audit; their answers must agree with one another, and with a reference
//! policy when one is given; the module must refuse parameters it does not
//! take, and run within the default fuel and a modest memory cap. One line
//! per check, pass or fail with the reason; the exit status says whether
//! all passed.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use std::ops::Bound;
use wsim_backends::{
    Audit, Backend, CacheVisitor, Code, Engine, Limits, LookupKind, Module, Replay, Runs, Runtime,
};

use wsim_policies::conformance::{Trace as CheckTrace, traces};
use wsim_policies::{Answer, CachePolicy, Eviction, ParamKind, Parameter, Params, PolicySpec};

use crate::args::RuntimeArgs;
use crate::plan::DEFAULT_PLUGIN_FUEL;

/// `wsim check`'s arguments.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The module (.wasm, or WebAssembly text)
    #[arg(value_name = "FILE.wasm")]
    pub(crate) module: PathBuf,

    /// A built-in policy (or another module) that must answer every request
    /// of the check traces as the module does; the first divergence is
    /// printed
    #[arg(long, value_name = "POLICY|FILE.wasm")]
    pub(crate) reference: Option<String>,

    #[command(flatten)]
    pub(crate) runtime: RuntimeArgs,
}

/// A memory cap the check traces fit in many times over.
const SMALL_MEMORY: u64 = 64 << 20;

/// Requests per `access_reported` call: small, so Batch's calls are short
/// and a violation is found near where it happens.
const CALL: usize = 100;

/// The checks' results, in order.
#[derive(Default)]
struct Checks {
    lines: Vec<(String, Result<(), String>)>,
}

impl Checks {
    fn add(&mut self, name: impl Into<String>, result: Result<(), String>) {
        self.lines.push((name.into(), result));
    }

    fn failed(&self) -> usize {
        self.lines
            .iter()
            .filter(|(_, result)| result.is_err())
            .count()
    }

    fn to_text(&self) -> String {
        let mut text = String::new();
        for (name, result) in &self.lines {
            // Writing to a String cannot fail.
            let _ = match result {
                Ok(()) => writeln!(text, "pass  {name}"),
                Err(why) => writeln!(text, "FAIL  {name}: {why}"),
            };
        }
        text
    }
}

/// Replays a trace through the opened cache, reporting, under the audit.
/// The replay goes on past a violation (the audit stops there), so its
/// answers can still be compared with the other ABIs'.
struct Audited<'a> {
    name: &'a str,
    trace: &'a CheckTrace,
}

/// A replay, and the audit's first violation in it, if any.
type AuditedReplay = (Replay, Option<String>);

impl CacheVisitor for Audited<'_> {
    type Output = Result<AuditedReplay, String>;

    fn visit<C: CachePolicy>(self, mut cache: C) -> Self::Output
    where
        wsim_backends::Error: From<C::Error>,
    {
        let error = |error: C::Error| wsim_backends::Error::from(error).to_string();
        let mut audit = Some(Audit::new(self.name, self.trace.capacity, cache.reports()));
        let mut violation = None;
        let (mut answers, mut evictions) = (Vec::new(), Vec::new());
        let mut replay = Replay {
            hits: Vec::new(),
            stats: wsim_policies::Stats::default(),
            answers: Vec::new(),
            evictions: Vec::new(),
        };
        for (call, requests) in self.trace.requests.chunks(CALL).enumerate() {
            cache
                .access_reported(requests, &mut answers, &mut evictions)
                .map_err(error)?;
            if let Some(checked) = &mut audit
                && let Err(broken) = checked.check(requests, &answers, &evictions)
            {
                violation = Some(broken.to_string());
                audit = None;
            }
            let first = u32::try_from(call * CALL).unwrap_or(u32::MAX);
            replay
                .hits
                .extend(answers.iter().map(|answer| answer.is_hit()));
            replay.answers.extend_from_slice(&answers);
            replay
                .evictions
                .extend(evictions.iter().map(|&gone| Eviction {
                    request: first + gone.request,
                    ..gone
                }));
        }
        replay.stats = cache.stats().map_err(error)?;
        if let Some(audit) = audit
            && let Err(broken) = audit.check_stats(&replay.stats)
        {
            violation = Some(broken.to_string());
        }
        Ok((replay, violation))
    }
}

/// Opening the cache is the whole probe.
struct Opened;

impl CacheVisitor for Opened {
    type Output = ();
    fn visit<C: CachePolicy>(self, _: C) {}
}

/// A way to run the module: an ABI on a runtime.
struct Way {
    label: String,
    backend: Backend,
    module: Module,
}

/// `wsim check`: runs every check and prints one line each; fails when any
/// does.
pub fn command(args: &CheckArgs, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    let runtimes: Vec<Runtime> = crate::plan::runtimes(&args.runtime.runtimes);
    let mut checks = Checks::default();
    let name = wsim_backends::engine::module_name(&args.module);
    let limits = Limits {
        fuel: Some(DEFAULT_PLUGIN_FUEL),
        ..Limits::default()
    };
    // A file that cannot be read, or a reference that is neither a policy
    // nor a module, is a mistake in the command, not a failed check.
    let reference = args
        .reference
        .as_deref()
        .map(|reference| Reference::new(reference, &limits))
        .transpose()?;
    let mut read = None;
    let mut modules = Vec::new();
    for runtime in runtimes {
        let compiler = runtime.compiler_for(args.runtime.compiler);
        let engine = Engine::with_runtime(runtime, compiler, limits)?;
        let bytes = match &read {
            Some(bytes) => bytes,
            None => read.insert(engine.read(&args.module)?),
        };
        let loaded = engine.compile(&name, bytes);
        checks.add(
            format!("loads on {runtime} ({compiler})"),
            loaded.as_ref().map(drop).map_err(ToString::to_string),
        );
        if let Ok(module) = loaded {
            modules.push(module);
        }
    }
    let ways = ways(&modules, &mut checks);
    if let Some(module) = modules.first() {
        checks.add(
            "reports its evictions (ABI version 3), so every rule can be checked",
            if module.exports_function("evicted") {
                Ok(())
            } else {
                Err("no `evicted` export: only the checks that need no reports run".to_owned())
            },
        );
        checks.add(
            "refuses parameters it does not take",
            refuses_bad_parameters(module),
        );
        let named = wsim_backends::policy_name(module);
        checks.add(
            match &named {
                Ok(Some(policy)) => format!("names its policy: {policy}"),
                Ok(None) => "names its policy: no `name` export, so its rows take the file's name"
                    .to_owned(),
                Err(_) => "names its policy".to_owned(),
            },
            named.map(drop).map_err(|error| error.to_string()),
        );
    }
    let traces = traces();
    for trace in &traces {
        let mut replays: Vec<(&str, Replay)> = Vec::new();
        for way in &ways {
            let code = Code::Module(way.module.clone(), LookupKind::Cached);
            let replayed = way
                .backend
                .open(
                    &code,
                    trace.capacity,
                    &Params::default(),
                    Audited { name: &name, trace },
                )
                .map_err(|error| error.to_string())
                .and_then(|replayed| replayed);
            let result = match &replayed {
                Ok((_, None)) => Ok(()),
                Ok((_, Some(violation))) => Err(violation.clone()),
                Err(error) => Err(error.clone()),
            };
            checks.add(
                format!("the contract on {}: {}", trace.name, way.label),
                result,
            );
            if let Ok((replay, _)) = replayed {
                replays.push((&way.label, replay));
            }
        }
        if let Some(((first, expected), rest)) = replays.split_first() {
            let differs = rest.iter().find_map(|(label, replay)| {
                divergence(trace, replay, expected).map(|at| (label, at))
            });
            checks.add(
                format!("the same answers on every ABI and runtime: {}", trace.name),
                match differs {
                    None => Ok(()),
                    Some((label, at)) => Err(format!("{label} and {first} differ {at}")),
                },
            );
            if let Some(reference) = &reference {
                checks.add(
                    format!("agrees with {}: {}", reference.name, trace.name),
                    reference.replay(trace).and_then(|theirs| {
                        match divergence(trace, expected, &theirs) {
                            None => Ok(()),
                            Some(at) => {
                                Err(format!("the module and {} differ {at}", reference.name))
                            }
                        }
                    }),
                );
            }
        }
    }
    if let (Some(module), Some(bytes), Some(longest)) = (
        modules.first(),
        &read,
        traces.iter().max_by_key(|trace| trace.requests.len()),
    ) {
        checks.add(
            format!(
                "runs {} within a memory cap of {} MiB",
                longest.name,
                SMALL_MEMORY >> 20
            ),
            within_small_memory(bytes, module, &name, longest),
        );
    }
    std::io::Write::write_all(out, checks.to_text().as_bytes())?;
    let failed = checks.failed();
    if failed > 0 {
        anyhow::bail!("{name}: {failed} of {} checks failed", checks.lines.len());
    }
    std::io::Write::write_all(
        out,
        format!("{name}: all {} checks passed\n", checks.lines.len()).as_bytes(),
    )?;
    Ok(())
}

/// Every core-module ABI on every runtime the module runs under; one check
/// per ABI it has none of.
fn ways(modules: &[Module], checks: &mut Checks) -> Vec<Way> {
    let mut ways = Vec::new();
    for backend in Backend::ALL {
        if backend.runs() != Runs::Module {
            continue;
        }
        for module in modules {
            if backend.missing_export(module).is_some() {
                continue;
            }
            let code = Code::Module(module.clone(), LookupKind::Cached);
            let opened = backend.open(&code, 1 << 20, &Params::default(), Opened);
            let label = format!("{backend} ({})", module.runtime());
            checks.add(
                format!("initializes under {label}"),
                opened.as_ref().map(drop).map_err(ToString::to_string),
            );
            if opened.is_ok() {
                ways.push(Way {
                    label,
                    backend,
                    module: module.clone(),
                });
            }
        }
    }
    if ways.is_empty() {
        checks.add(
            "runs under at least one ABI",
            Err("it runs under none of pair, bincode, bytemuck and batch".to_owned()),
        );
    }
    ways
}

/// Where two replays of `trace` first differ, in words; `None` if they
/// agree.
fn divergence(trace: &CheckTrace, ours: &Replay, theirs: &Replay) -> Option<String> {
    let request = |index: usize| {
        trace
            .requests
            .get(index)
            .map_or_else(String::new, |request| {
                format!("(id {}, {} bytes)", request.id, request.size)
            })
    };
    let word = |answer: Option<&Answer>| match answer {
        Some(Answer::Hit) => "a hit",
        Some(Answer::Admitted) => "a miss taken in",
        Some(Answer::Refused) => "a miss not taken in",
        Some(Answer::Missed) => "a miss",
        None => "nothing",
    };
    let reported =
        !ours.answers.contains(&Answer::Missed) && !theirs.answers.contains(&Answer::Missed);
    let length = ours.hits.len().max(theirs.hits.len());
    for index in 0..length {
        let (a, b) = (ours.answers.get(index), theirs.answers.get(index));
        let same = if reported {
            a == b
        } else {
            ours.hits.get(index) == theirs.hits.get(index)
        };
        if !same {
            return Some(format!(
                "at request {index} {}: {} against {}",
                request(index),
                word(a),
                word(b)
            ));
        }
    }
    if reported && ours.evictions != theirs.evictions {
        let at = ours
            .evictions
            .iter()
            .zip(&theirs.evictions)
            .find(|(a, b)| a != b)
            .map_or_else(
                // One list is the other and more: the first extra one.
                || {
                    let longer = if ours.evictions.len() > theirs.evictions.len() {
                        &ours.evictions
                    } else {
                        &theirs.evictions
                    };
                    let shorter = ours.evictions.len().min(theirs.evictions.len());
                    longer
                        .get(shorter)
                        .map_or(0, |extra| extra.request as usize)
                },
                |(a, _)| a.request as usize,
            );
        return Some(format!("in what request {at} {} evicted", request(at)));
    }
    if ours.stats != theirs.stats {
        return Some(format!(
            "in their stats at the end: {:?} against {:?}",
            ours.stats, theirs.stats
        ));
    }
    None
}

/// A parameter no policy takes, which `init` must refuse.
const NO_SUCH_PARAMETER: Parameter = Parameter {
    name: "wsim-check-no-such-parameter",
    kind: ParamKind::Integer,
    default: "0",
    about: "a parameter no policy takes",
    range: (Bound::Unbounded, Bound::Unbounded),
};

/// The first core-module ABI `module` runs under.
fn first_abi(module: &Module) -> Option<Backend> {
    Backend::ALL
        .into_iter()
        .find(|backend| backend.runs() == Runs::Module && backend.missing_export(module).is_none())
}

/// `init` with a parameter no policy takes must be refused.
fn refuses_bad_parameters(module: &Module) -> Result<(), String> {
    let backend = first_abi(module).ok_or("no ABI to call `init` through")?;
    let code = Code::Module(module.clone(), LookupKind::Cached);
    let params = Params::parse(
        &format!("{}=1", NO_SUCH_PARAMETER.name),
        &[NO_SUCH_PARAMETER],
    )?;
    match backend.open(&code, 1 << 20, &params, Opened) {
        Err(_) => Ok(()),
        Ok(()) => Err(format!("`init` accepted `{params}`")),
    }
}

/// The longest check trace, under a memory cap of [`SMALL_MEMORY`], on the
/// module's first runtime and ABI.
fn within_small_memory(
    bytes: &[u8],
    module: &Module,
    name: &str,
    trace: &CheckTrace,
) -> Result<(), String> {
    let backend = first_abi(module).ok_or("no ABI to run it under")?;
    let limits = Limits {
        fuel: Some(DEFAULT_PLUGIN_FUEL),
        max_memory: Some(SMALL_MEMORY),
        ..Limits::default()
    };
    let engine = Engine::with_runtime(module.runtime(), module.compiler(), limits)
        .map_err(|error| error.to_string())?;
    let capped = engine
        .compile(name, bytes)
        .map_err(|error| error.to_string())?;
    let code = Code::Module(capped, LookupKind::Cached);
    backend
        .open(
            &code,
            trace.capacity,
            &Params::default(),
            Audited { name, trace },
        )
        .map_err(|error| error.to_string())
        .and_then(|replayed| replayed)
        .and_then(|(_, violation)| violation.map_or(Ok(()), Err))
}

/// What the module is compared with: a built-in policy, natively, or
/// another module under its first ABI.
struct Reference {
    name: String,
    against: Against,
}

/// What a reference runs.
enum Against {
    /// A built-in policy, natively, with its parameters.
    Policy(PolicySpec),
    /// Another module, under its first ABI.
    Module(Backend, Module),
}

impl Reference {
    /// A module when `text` names a file, else a built-in policy with its
    /// parameters (`s3fifo:small-size-ratio=0.2`).
    fn new(text: &str, limits: &Limits) -> anyhow::Result<Self> {
        let path = PathBuf::from(text);
        if !path.exists() {
            let spec: PolicySpec = text.parse().map_err(|why: String| {
                anyhow::anyhow!("--reference `{text}`: no such file, nor a built-in policy: {why}")
            })?;
            return Ok(Self {
                name: spec.to_string(),
                against: Against::Policy(spec),
            });
        }
        let name = wsim_backends::engine::module_name(&path);
        let runtime = Runtime::built()
            .first()
            .copied()
            .ok_or_else(|| anyhow::anyhow!("this build has no WebAssembly runtime"))?;
        let engine = Engine::with_runtime(runtime, runtime.compilers()[0], *limits)?;
        let module = engine.compile(&name, &engine.read(&path)?)?;
        let backend = first_abi(&module)
            .ok_or_else(|| anyhow::anyhow!("{name}: runs under none of wsim's ABIs"))?;
        // Called by its policy's name, as a run's rows call it.
        let name = wsim_backends::policy_name(&module)
            .ok()
            .flatten()
            .unwrap_or(name);
        Ok(Self {
            name,
            against: Against::Module(backend, module),
        })
    }

    fn replay(&self, trace: &CheckTrace) -> Result<Replay, String> {
        let (backend, code, params) = match &self.against {
            Against::Policy(spec) => (
                Backend::Native,
                Code::Policy(spec.kind),
                spec.params.clone(),
            ),
            Against::Module(backend, module) => (
                *backend,
                Code::Module(module.clone(), LookupKind::Cached),
                Params::default(),
            ),
        };
        backend
            .open(
                &code,
                trace.capacity,
                &params,
                Audited {
                    name: &self.name,
                    trace,
                },
            )
            .map_err(|error| error.to_string())
            .and_then(|replayed| replayed)
            .map(|(replay, _)| replay)
    }
}
