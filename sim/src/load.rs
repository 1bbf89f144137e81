//! Loading what the WebAssembly backends run: the built-in policies'
//! guest modules and components, and the user's `--wasm` modules, compiled
//! once per runtime (unmetered, metered, or both, as the runs' fuel
//! settings need) through the module cache.

use std::io::Write;
use std::time::Instant;

use wsim_backends::engine::Error as EngineError;
use wsim_backends::{Engine, Limits, Module, ModuleCache, Origin, Runs, Runtime, guests};

use crate::args::PolicyArgs;
use crate::execute::Failure;
use crate::plan::{DEFAULT_PLUGIN_FUEL, Selection};
use crate::run::{Auditing, Policy};
use crate::units::Bytes;

/// One runtime's engines: unmetered and metered (the budget there is a
/// placeholder: each job sets its own).
struct Engines {
    runtime: Runtime,
    plain: Engine,
    metered: Engine,
}

impl Engines {
    /// Of the two, those `policy`'s runs need: either, or both.
    fn wanted(&self, selection: &Selection, policy: &Policy) -> Vec<&Engine> {
        let fuels = selection.fuels(policy.kind.is_some());
        let mut wanted = Vec::new();
        if fuels.contains(&None) {
            wanted.push(&self.plain);
        }
        if fuels.iter().any(Option::is_some) {
            wanted.push(&self.metered);
        }
        wanted
    }

    /// Compiles what `policy`'s runs need with `load`.
    fn compile(
        &self,
        selection: &Selection,
        policy: &mut Policy,
        load: &dyn Fn(&Engine) -> Result<Module, EngineError>,
    ) -> Result<(), EngineError> {
        for engine in self.wanted(selection, policy) {
            policy.modules.push(load(engine)?);
        }
        Ok(())
    }
}

/// Compiles the guests `policies` need and loads the user's modules into
/// more policies; a module that fails to load becomes a failure while the
/// rest run. Writes what it did to `out`.
pub(crate) fn load_guests(
    args: &PolicyArgs,
    selection: &Selection,
    policies: &mut Vec<Policy>,
    out: &mut dyn Write,
) -> anyhow::Result<Vec<Failure>> {
    let started = Instant::now();
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
        deadline: args.sandbox.deadline,
    };
    let mut engines: Vec<Engines> = Vec::new();
    for &runtime in &selection.runtimes {
        let engine = |fuel: Option<u64>| -> anyhow::Result<Engine> {
            let engine = Engine::with_runtime(
                runtime,
                selection.compiler_on(runtime),
                Limits { fuel, ..limits },
            )?;
            Ok(match &cache {
                Some(cache) => engine.cached(cache.clone()),
                None => engine,
            })
        };
        engines.push(Engines {
            runtime,
            plain: engine(None)?,
            metered: engine(Some(DEFAULT_PLUGIN_FUEL))?,
        });
    }
    if selection
        .wasm_backends()
        .any(|backend| backend.runs() == Runs::Module)
    {
        for policy in policies.iter_mut() {
            if let Some(kind) = policy.kind {
                for engines in &engines {
                    engines.compile(selection, policy, &|engine: &Engine| {
                        engine.compile(&guests::module_name(kind), guests::module_bytes(kind))
                    })?;
                }
            }
        }
    }
    compile_components(selection, policies, &engines)?;
    let mut failures = Vec::new();
    for path in &args.modules {
        load_plugin(path, selection, &engines, policies, &mut failures, out)?;
    }
    report(selection, policies, cache.as_ref(), started, out)?;
    writeln!(
        out,
        "sandbox: memory up to {} per guest; fuel {}",
        Bytes(args.sandbox.max_memory),
        selection.describe_fuel()
    )?;
    Ok(failures)
}

/// The built-in policies' components, when a component backend runs.
#[cfg(feature = "wasmtime")]
fn compile_components(
    selection: &Selection,
    policies: &mut [Policy],
    engines: &[Engines],
) -> anyhow::Result<()> {
    let wanted = selection
        .wasm_backends()
        .any(|backend| backend.is_component());
    let Some(engines) = engines
        .iter()
        .find(|engines| Some(engines.runtime) == Runtime::hosting_components())
        .filter(|_| wanted)
    else {
        return Ok(());
    };
    for policy in policies.iter_mut() {
        let Some(kind) = policy.kind else { continue };
        for engine in engines.wanted(selection, policy) {
            policy.components.push(
                engine.compile_component(
                    &guests::component_name(kind),
                    guests::component_bytes(kind),
                )?,
            );
        }
    }
    Ok(())
}

#[cfg(not(feature = "wasmtime"))]
#[expect(
    clippy::unnecessary_wraps,
    reason = "the same signature as with wasmtime"
)]
const fn compile_components(_: &Selection, _: &mut [Policy], _: &[Engines]) -> anyhow::Result<()> {
    Ok(())
}

/// Loads the module at `path` on each runtime on its own (a module one of
/// them refuses, for a proposal it lacks, still runs on the others) and
/// adds it to `policies`, or its failure to `failures`.
fn load_plugin(
    path: &std::path::Path,
    selection: &Selection,
    engines: &[Engines],
    policies: &mut Vec<Policy>,
    failures: &mut Vec<Failure>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let file_name = wsim_backends::engine::module_name(path);
    let mut plugin = Policy::plugin(&file_name);
    let loading = format!("loading {file_name}");
    // Read once, so that every runtime runs the same bytes.
    let read = engines.first().map_or_else(
        || {
            Err(crate::Error::Invalid(
                "no WebAssembly runtime to load it on".to_owned(),
            ))
        },
        |engines| engines.plain.read(path).map_err(crate::Error::from),
    );
    let bytes = match read {
        Ok(bytes) => bytes,
        Err(error) => {
            failures.push(Failure::new(&plugin.name, loading, error));
            return Ok(());
        }
    };
    let mut refused: Vec<(Runtime, EngineError)> = Vec::new();
    for engines in engines {
        if let Err(error) = engines.compile(selection, &mut plugin, &|engine: &Engine| {
            engine.compile(&file_name, &bytes)
        }) {
            plugin
                .modules
                .retain(|module| module.runtime() != engines.runtime);
            refused.push((engines.runtime, error));
        }
    }
    let alike = crate::inspect::alike(refused.iter().map(|(_, error)| error));
    let loaded = if refused.len() == engines.len() && alike {
        // Refused everywhere for one reason: one failure, as with a single
        // runtime.
        refused.pop().map_or(Ok(()), |(_, error)| Err(error.into()))
    } else {
        for (runtime, error) in refused {
            failures.push(Failure::new(
                &plugin.name,
                format!("loading {file_name} on {runtime}"),
                error.into(),
            ));
        }
        if plugin.modules.is_empty() {
            return Ok(());
        }
        Ok(())
    };
    let checked = loaded.and_then(|()| check_plugin(selection, &plugin));
    if checked.is_ok() && plugin.modules.iter().any(|module| !module.is_metered()) {
        // Only an explicit `--fuel off` gets here: without fuel nothing
        // stops a guest that never returns, from its `name` export on.
        writeln!(
            out,
            "warning: {file_name} runs without fuel (--fuel off): if it never returns, neither does wsim"
        )?;
    }
    match checked.and_then(|()| name_plugin(&mut plugin, &file_name, selection, policies, out)) {
        Ok(()) => {
            if selection.auditing(false) == Auditing::AsReported && !reports(&plugin) {
                writeln!(
                    out,
                    "warning: {file_name} does not report its evictions (no `evicted` export: ABI \
                     version 1 or 2), so it gets only the audit's checks that need no reports; \
                     the full audit needs version 3"
                )?;
            }
            policies.push(plugin);
        }
        Err(error) => failures.push(Failure::new(&plugin.name, loading, error)),
    }
    Ok(())
}

/// Names `plugin` by the name its module exports (`name`), or else by its
/// file's stem: the first of them no policy of the run has, built in
/// (`selection`'s, wherever their runs are kept) or loaded before it. A
/// `name` export that breaks the ABI costs a warning, not the run.
fn name_plugin(
    plugin: &mut Policy,
    file_name: &str,
    selection: &Selection,
    policies: &[Policy],
    out: &mut dyn Write,
) -> Result<(), crate::Error> {
    let exported = match plugin.any_module().map(wsim_backends::policy_name) {
        Some(Ok(name)) => name,
        Some(Err(error)) => {
            // A note the terminal could not take is no reason to fail.
            let _ = writeln!(out, "warning: {error}; the file names it");
            None
        }
        None => None,
    };
    let taken = |name: &str| {
        policies.iter().any(|policy| policy.name == name)
            || selection
                .policies
                .iter()
                .any(|spec| spec.to_string() == name)
    };
    let stem = plugin.name.clone();
    match exported.iter().chain([&stem]).find(|name| !taken(name)) {
        Some(name) => {
            if let Some(exported) = exported.as_ref().filter(|&exported| exported != name) {
                let _ = writeln!(
                    out,
                    "note: {file_name} calls its policy {exported}, which the run already has: its rows say {name}"
                );
            }
            plugin.name.clone_from(name);
            Ok(())
        }
        None => Err(crate::Error::Invalid(format!(
            "{file_name}: the run already has a policy named {stem}; rename the file"
        ))),
    }
}

/// Whether a module of the user's reports its evictions (ABI version 3).
fn reports(plugin: &Policy) -> bool {
    plugin
        .any_module()
        .is_some_and(|module| module.exports_function("evicted"))
}

/// Checks a module of the user's exports what the backends asked for need.
fn check_plugin(selection: &Selection, plugin: &Policy) -> Result<(), crate::Error> {
    if selection.auditing(false) == Auditing::Required && !reports(plugin) {
        return Err(crate::Error::Module(format!(
            "{}: --audit needs a module that reports its evictions (an `evicted` export, ABI \
             version 3); this one does not",
            plugin.name
        )));
    }
    // Refused now rather than when its first run instantiates it.
    if let Some(module) = plugin.any_module() {
        module.check_imports()?;
    }
    // Plugins are core modules: the component backends are for the
    // built-in policies.
    let backends: Vec<_> = selection
        .wasm_backends()
        .filter(|backend| backend.runs() == Runs::Module)
        .collect();
    if backends.is_empty() {
        return Err(crate::Error::Module(format!(
            "{}: a module of yours runs under the core-module backends only ({}), \
             and none was asked for (the component backends run wsim's built-in policies)",
            plugin.name,
            wsim_backends::Backend::built()
                .iter()
                .filter(|backend| backend.runs() == Runs::Module)
                .map(|backend| backend.name())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let Some(module) = plugin.any_module() else {
        return Err(crate::Error::Module(format!(
            "{}: no WebAssembly module loaded",
            plugin.name
        )));
    };
    let missing: Vec<(&str, &str)> = backends
        .iter()
        .filter_map(|&backend| Some((backend.name(), backend.missing_export(module)?)))
        .collect();
    if selection.backends_asked
        && let Some((backend, export)) = missing.first()
    {
        return Err(crate::Error::Module(format!(
            "{}: the {backend} backend needs export `{export}`, which the module lacks",
            module.name()
        )));
    }
    // Some backend asked for has every export it needs.
    if missing.len() < backends.len() {
        return Ok(());
    }
    let first = missing.first().map_or("", |&(_, export)| export);
    if missing.iter().all(|&(_, export)| export == first) {
        return Err(crate::Error::Module(format!(
            "{}: lacks export `{first}`, which every backend asked for needs",
            module.name()
        )));
    }
    let each: Vec<String> = missing
        .iter()
        .map(|(backend, export)| format!("{backend} needs `{export}`"))
        .collect();
    Err(crate::Error::Module(format!(
        "{}: exports none of the ABIs asked for ({})",
        module.name(),
        each.join(", ")
    )))
}

/// Says how many guests are ready, where they came from, and what the
/// module cache made of them.
fn report(
    selection: &Selection,
    policies: &[Policy],
    cache: Option<&ModuleCache>,
    started: Instant,
    out: &mut dyn Write,
) -> std::io::Result<()> {
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
    let place = cache.map_or_else(
        || " (module cache off)".to_owned(),
        |cache| {
            format!(
                ", {from_cache} from the module cache in {}",
                cache.dir().display()
            )
        },
    );
    let on: Vec<String> = selection
        .runtimes
        .iter()
        .map(|&runtime| format!("{runtime} ({})", selection.compiler_on(runtime)))
        .collect();
    // Policies, not artefacts: one file compiles once per runtime (and
    // fuel setting), a built-in also as a component.
    let guests = policies
        .iter()
        .filter(|policy| !policy.modules.is_empty() || policy.has_components())
        .count();
    writeln!(
        out,
        "guests: {guests} {} ready on {} in {:.0} ms ({} compiled{place})",
        if guests == 1 { "policy" } else { "policies" },
        on.join(" and "),
        started.elapsed().as_secs_f64() * 1e3,
        compiled.len()
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
    Ok(())
}
