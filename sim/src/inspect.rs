//! `wsim inspect FILE.wasm`: what a module exports, which of wsim's ABIs it
//! runs under, and its ABI version, without running a trace through it.

use std::fmt::Write as _;
use std::path::Path;

use wsim_backends::{
    Backend, CacheVisitor, Cached, Code, Compiler, Engine, Limits, LookupKind, Module, Runs,
    Runtime, Version,
};
use wsim_policies::wire::{ABI_VERSION, OLDEST_ABI_VERSION};
use wsim_policies::{CachePolicy, Params};

use crate::args::InspectArgs;
use crate::report::write_json_file;

/// Fuel for each call `inspect` makes (`abi_version`, `init`): plenty for a
/// well-behaved guest, little enough that a hostile one ends at once.
const INSPECT_FUEL: u64 = 100_000_000;

/// The capacity of the cache `inspect` asks each ABI to make: 1 MiB.
const PROBE_CAPACITY: u64 = 1 << 20;

/// What `inspect` found.
#[derive(Debug, serde::Serialize)]
pub struct Report {
    /// The file's name.
    pub module: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Each runtime asked, and whether the module loads on it.
    pub runtimes: Vec<Loading>,
    /// What `abi_version()` returned, if it could be called.
    pub abi_version: Option<i32>,
    /// Why it could not be, if so.
    pub abi_version_error: Option<String>,
    /// What its rows are called: the name its `name` export gives, else
    /// the file's stem.
    pub policy_name: String,
    /// Where that name came from: `name export` or `file name`, or why the
    /// export's name could not be used.
    pub policy_name_from: String,
    /// Imports, as `module.name` (wsim refuses any).
    pub imports: Vec<String>,
    /// Exports: name and WebAssembly type.
    pub exports: Vec<Export>,
    /// Each ABI on each runtime the module loads on, and whether the module
    /// runs under it there.
    pub abis: Vec<AbiSupport>,
}

/// Whether the module loads on one runtime.
#[derive(Debug, serde::Serialize)]
pub struct Loading {
    /// The runtime's name.
    pub runtime: &'static str,
    /// The compiler it compiled with.
    pub compiler: &'static str,
    /// `None` when it loads; otherwise why not.
    pub error: Option<String>,
}

/// One export.
#[derive(Debug, serde::Serialize)]
pub struct Export {
    /// Its name.
    pub name: String,
    /// Its type, as the runtime writes it.
    pub ty: String,
}

/// Whether the module runs under one ABI on one runtime.
#[derive(Debug, serde::Serialize)]
pub struct AbiSupport {
    /// The ABI's name.
    pub abi: &'static str,
    /// The runtime's name.
    pub runtime: &'static str,
    /// `None` when it runs; otherwise why not.
    pub error: Option<String>,
}

impl Report {
    /// The ABIs the module runs under on some runtime, each once.
    pub fn supported(&self) -> impl Iterator<Item = &'static str> + '_ {
        let mut seen = Vec::new();
        self.abis
            .iter()
            .filter(|support| support.error.is_none())
            .map(|support| support.abi)
            .filter(move |abi| {
                let new = !seen.contains(abi);
                seen.push(*abi);
                new
            })
    }

    /// The report as text, for the terminal.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = writeln!(text, "{}: {} bytes", self.module, self.bytes);
        let named = |loading: &Loading| format!("{} ({})", loading.runtime, loading.compiler);
        let loads: Vec<String> = self
            .runtimes
            .iter()
            .filter(|loading| loading.error.is_none())
            .map(named)
            .collect();
        let _ = writeln!(text, "loads on: {}", loads.join(", "));
        for loading in &self.runtimes {
            if let Some(error) = &loading.error {
                let _ = writeln!(text, "does not load on {}: {error}", named(loading));
            }
        }
        let _ = match (self.abi_version, &self.abi_version_error) {
            (Some(version), _) => writeln!(
                text,
                "ABI version: {version}{}",
                if Version::from_code(version).is_some() {
                    " (this wsim speaks it)".to_owned()
                } else {
                    format!(" (this wsim speaks {OLDEST_ABI_VERSION} to {ABI_VERSION})")
                }
            ),
            (None, Some(error)) => writeln!(text, "ABI version: unknown ({error})"),
            (None, None) => writeln!(text, "ABI version: unknown"),
        };
        let _ = writeln!(
            text,
            "policy name: {} (from its {})",
            self.policy_name, self.policy_name_from
        );
        if let Some(version) = self.abi_version.and_then(Version::from_code) {
            let _ = writeln!(
                text,
                "audit: {}",
                if version.reports() {
                    "full (it reports its evictions)"
                } else {
                    "partial: the checks that need no reports (ABI version 3 reports evictions)"
                }
            );
        }
        if self.imports.is_empty() {
            let _ = writeln!(text, "imports: none");
        } else {
            let _ = writeln!(
                text,
                "imports: {} (wsim gives guests no imports: it will not run)",
                self.imports.join(", ")
            );
        }
        let _ = writeln!(text, "exports:");
        let width = self
            .exports
            .iter()
            .map(|export| export.name.len())
            .max()
            .unwrap_or(0);
        for export in &self.exports {
            let _ = writeln!(text, "  {:width$}  {}", export.name, export.ty);
        }
        let _ = writeln!(text, "ABIs:");
        let mut abis: Vec<&'static str> = self.abis.iter().map(|support| support.abi).collect();
        abis.dedup();
        for abi in abis {
            let on: Vec<&AbiSupport> = self
                .abis
                .iter()
                .filter(|support| support.abi == abi)
                .collect();
            let verdict = |support: &AbiSupport| match &support.error {
                None => "yes".to_owned(),
                Some(error) => format!("no: {error}"),
            };
            // One verdict when the runtimes agree, which they should.
            let line = if on.windows(2).all(|pair| pair[0].error == pair[1].error) {
                on.first()
                    .map_or_else(String::new, |support| verdict(support))
            } else {
                let each: Vec<String> = on
                    .iter()
                    .map(|support| format!("{}: {}", support.runtime, verdict(support)))
                    .collect();
                each.join("; ")
            };
            let _ = writeln!(text, "  {abi:8}  {line}");
        }
        text
    }
}

/// Loads `path` on each runtime (with its compiler) and finds out what it
/// is. Errors only when a runtime cannot be set up, the file cannot be
/// read, or it loads on none of them; everything else goes into the report.
pub fn inspect(path: &Path, runtimes: &[(Runtime, Compiler)]) -> Result<Report, crate::Error> {
    let limits = Limits {
        fuel: Some(INSPECT_FUEL),
        ..Limits::default()
    };
    let mut loaded = Vec::new();
    let mut refused = Vec::new();
    let mut loadings = Vec::new();
    let name = wsim_backends::engine::module_name(path);
    let mut read = None;
    for &(runtime, compiler) in runtimes {
        let engine = Engine::with_runtime(runtime, compiler, limits)?;
        // Read once: every runtime judges the same bytes.
        let bytes = match &read {
            Some(read) => read,
            None => read.insert(engine.read(path)?),
        };
        let compiled = engine.compile(&name, bytes);
        loadings.push(Loading {
            runtime: runtime.name(),
            compiler: compiler.name(),
            error: compiled
                .as_ref()
                .err()
                .map(|error| without_name(&error.to_string(), &name)),
        });
        match compiled {
            Ok(module) => loaded.push(module),
            Err(error) => refused.push((runtime, error)),
        }
    }
    let Some(first) = loaded.first() else {
        return Err(nowhere(refused));
    };
    let bytes = read.map_or(0, |bytes| bytes.len() as u64);
    let (abi_version, abi_version_error) = match abi_version(first) {
        Ok(version) => (Some(version), None),
        Err(error) => (None, Some(error)),
    };
    let stem = crate::run::file_stem(&name);
    let (policy_name, policy_name_from) = match wsim_backends::policy_name(first) {
        Ok(Some(exported)) => (exported, "`name` export".to_owned()),
        Ok(None) => (stem, "file name: it exports no `name`".to_owned()),
        Err(error) => (
            stem,
            format!("file name: {}", without_name(&error.to_string(), &name)),
        ),
    };
    let mut abis = Vec::new();
    for backend in Backend::ALL {
        if backend.runs() == Runs::Module {
            abis.extend(loaded.iter().map(|module| probe(backend, module)));
        }
    }
    Ok(Report {
        module: name,
        bytes,
        runtimes: loadings,
        abi_version,
        abi_version_error,
        policy_name,
        policy_name_from,
        imports: first.imports(),
        exports: first
            .exports()
            .into_iter()
            .map(|(name, ty)| Export { name, ty })
            .collect(),
        abis,
    })
}

/// The error for a module no runtime would load: the one reason when they
/// agree, else each runtime's.
fn nowhere(mut refused: Vec<(Runtime, wsim_backends::engine::Error)>) -> crate::Error {
    if alike(refused.iter().map(|(_, error)| error))
        && let Some((_, error)) = refused.pop()
    {
        return error.into();
    }
    let each: Vec<String> = refused
        .iter()
        .map(|(runtime, error)| format!("on {}: {error}", runtime.name()))
        .collect();
    crate::Error::Module(format!("loads on no runtime: {}", each.join("; ")))
}

/// Whether the runtimes' errors all say the same: then one is reported,
/// not each.
pub(crate) fn alike<'e, E: std::fmt::Display + 'e>(errors: impl Iterator<Item = &'e E>) -> bool {
    let mut texts = errors.map(ToString::to_string);
    let first = texts.next();
    texts.all(|text| Some(text) == first)
}

/// `text` without the module's name in front: the report names it once.
fn without_name(text: &str, module: &str) -> String {
    text.strip_prefix(&format!("{module}: "))
        .unwrap_or(text)
        .to_owned()
}

/// Calls `abi_version()` in a fresh instance.
fn abi_version(module: &Module) -> Result<i32, String> {
    let mut guest = module.instantiate().map_err(|error| error.to_string())?;
    let export = guest
        .export::<(), i32, Cached>("abi_version")
        .map_err(|error| error.to_string())?;
    guest.call(&export, ()).map_err(|error| error.to_string())
}

/// Whether the module runs under `backend`'s ABI: instantiated, checked and
/// initialized exactly as a run would.
fn probe(backend: Backend, module: &Module) -> AbiSupport {
    /// Opening the cache is the whole probe.
    struct Opened;
    impl CacheVisitor for Opened {
        type Output = ();
        fn visit<C: CachePolicy>(self, _: C) {}
    }
    let code = Code::Module(module.clone(), LookupKind::Cached);
    let error = backend
        .open(&code, PROBE_CAPACITY, &Params::default(), Opened)
        .err()
        .map(|error| without_name(&error.to_string(), module.name()));
    AbiSupport {
        abi: backend.name(),
        runtime: module.runtime().name(),
        error,
    }
}

/// `wsim inspect`: prints the report; fails when the module runs under
/// none of the ABIs.
pub fn command(args: &InspectArgs, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    let runtimes: Vec<(Runtime, Compiler)> = crate::plan::runtimes(&args.runtime.runtimes)
        .into_iter()
        .map(|runtime| (runtime, runtime.compiler_for(args.runtime.compiler)))
        .collect();
    let report = inspect(&args.module, &runtimes)?;
    out.write_all(report.to_text().as_bytes())?;
    if let Some(path) = &args.json {
        write_json_file(&report, path)?;
    }
    if report.supported().next().is_none() {
        anyhow::bail!("{}: runs under none of wsim's ABIs", report.module);
    }
    Ok(())
}
