//! `wsim inspect FILE.wasm`: what a module exports, which of wsim's ABIs it
//! runs under, and its ABI version, without running a trace through it.

use std::fmt::Write as _;
use std::path::Path;

use wsim_backends::{
    Abi, Batch, Bincode, Bytemuck, Cached, Compiler, Engine, Limits, Module, Pair, Wasm,
};
use wsim_policies::wire::ABI_VERSION;

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
    /// What `abi_version()` returned, if it could be called.
    pub abi_version: Option<i32>,
    /// Why it could not be, if so.
    pub abi_version_error: Option<String>,
    /// Imports, as `module.name` (wsim refuses any).
    pub imports: Vec<String>,
    /// Exports: name and WebAssembly type.
    pub exports: Vec<Export>,
    /// Each ABI, and whether the module runs under it.
    pub abis: Vec<AbiSupport>,
}

/// One export.
#[derive(Debug, serde::Serialize)]
pub struct Export {
    /// Its name.
    pub name: String,
    /// Its type, as wasmer writes it.
    pub ty: String,
}

/// Whether the module runs under one ABI.
#[derive(Debug, serde::Serialize)]
pub struct AbiSupport {
    /// The ABI's name.
    pub abi: &'static str,
    /// `None` when it runs; otherwise why not.
    pub error: Option<String>,
}

impl Report {
    /// The ABIs the module runs under.
    pub fn supported(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.abis
            .iter()
            .filter(|support| support.error.is_none())
            .map(|support| support.abi)
    }

    /// The report as text, for the terminal.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = writeln!(text, "{}: {} bytes", self.module, self.bytes);
        let _ = match (self.abi_version, &self.abi_version_error) {
            (Some(version), _) => writeln!(
                text,
                "ABI version: {version}{}",
                if version == ABI_VERSION {
                    " (this wsim speaks it)".to_owned()
                } else {
                    format!(" (this wsim speaks {ABI_VERSION})")
                }
            ),
            (None, Some(error)) => writeln!(text, "ABI version: unknown ({error})"),
            (None, None) => writeln!(text, "ABI version: unknown"),
        };
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
        for support in &self.abis {
            let _ = match &support.error {
                None => writeln!(text, "  {:8}  yes", support.abi),
                Some(error) => writeln!(text, "  {:8}  no: {error}", support.abi),
            };
        }
        text
    }
}

/// Loads `path` and finds out what it is. Errors only when the file cannot
/// be read or compiled; everything else goes into the report.
pub fn inspect(path: &Path, compiler: Compiler) -> Result<Report, crate::Error> {
    let limits = Limits {
        fuel: Some(INSPECT_FUEL),
        ..Limits::default()
    };
    let module = Engine::with_limits(compiler, limits)?.load(path)?;
    let bytes = std::fs::metadata(path).map_or(0, |metadata| metadata.len());
    let (abi_version, abi_version_error) = match abi_version(&module) {
        Ok(version) => (Some(version), None),
        Err(error) => (None, Some(error)),
    };
    Ok(Report {
        module: module.name().to_owned(),
        bytes,
        abi_version,
        abi_version_error,
        imports: module.imports(),
        exports: module
            .exports()
            .into_iter()
            .map(|(name, ty)| Export { name, ty })
            .collect(),
        abis: vec![
            probe::<Pair>(&module),
            probe::<Bincode>(&module),
            probe::<Bytemuck>(&module),
            probe::<Batch>(&module),
        ],
    })
}

/// Calls `abi_version()` in a fresh instance.
fn abi_version(module: &Module) -> Result<i32, String> {
    let mut guest = module.instantiate().map_err(|error| error.to_string())?;
    let export = guest
        .export::<(), i32, Cached>("abi_version")
        .map_err(|error| error.to_string())?;
    guest.call(&export, ()).map_err(|error| error.to_string())
}

/// Whether the module runs under ABI `A`: instantiated, checked and
/// initialized exactly as a run would.
fn probe<A: Abi>(module: &Module) -> AbiSupport {
    let error = Wasm::<A, Cached>::new(module, PROBE_CAPACITY)
        .err()
        .map(|error| {
            // The module's name starts every error; the report names it once.
            let text = error.to_string();
            let prefix = format!("{}: ", module.name());
            text.strip_prefix(&prefix)
                .map_or(text.clone(), str::to_owned)
        });
    AbiSupport {
        abi: A::NAME,
        error,
    }
}
