//! Compiled modules kept on disk, so a run does not recompile a guest an
//! earlier run compiled.
//!
//! An entry's file name is a BLAKE3 hash of everything the machine code
//! depends on: the module's bytes, the runtime and its version (wasmer or
//! wasmtime, core module or component), the compiler, whether fuel metering
//! is compiled in, and the target (triple and CPU features, so a cache
//! shared between machines never hands one another's code). The file holds
//! a magic string, a BLAKE3 checksum of the payload, and the runtime's
//! serialized module. Loading checks the checksum before the runtime sees
//! a byte: a truncated or damaged entry is reported and rebuilt, never run.
//! The checksum is not a signature: whoever can write to the cache
//! directory can write an entry that passes, and an entry is machine code
//! that runs outside the sandbox. So on Unix the cache is only used when
//! the directory and the entry belong to this user and nobody else may
//! write to them; otherwise the module is compiled afresh and the cache
//! left alone ([`Origin::Untrusted`]). wsim creates the directory with
//! mode 0700. Entries are written to a temporary file (mode 0600) and
//! renamed, so a reader never sees half of one.

use std::io::Write;
use std::path::{Path, PathBuf};

/// What a compiled-module file starts with (the format's version is in it).
const MAGIC: &[u8; 8] = b"WSIMMOD1";
/// Bytes of the checksum after the magic.
const CHECKSUM_LEN: usize = 32;

/// Where a [`crate::Module`]'s machine code came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Compiled now; no cache in use.
    Compiled,
    /// Compiled now and stored in the cache.
    Stored,
    /// Loaded from the cache.
    Cached,
    /// The cache entry was unusable (the reason says why); compiled again
    /// and the entry replaced.
    Rebuilt(String),
    /// Compiled now; the cache was neither read nor written, because
    /// someone else could have written its entries (the reason says who).
    Untrusted(String),
}

/// A directory of compiled modules.
#[derive(Debug, Clone)]
pub struct ModuleCache {
    dir: PathBuf,
}

impl ModuleCache {
    /// A cache in `dir`, created when first written.
    #[must_use]
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The default place: `$WSIM_CACHE_DIR`, else `$XDG_CACHE_HOME/wsim`,
    /// else `$HOME/.cache/wsim`; `None` when none of them is set.
    #[must_use]
    pub fn default_dir() -> Option<PathBuf> {
        let var = |name| std::env::var_os(name).filter(|value| !value.is_empty());
        var("WSIM_CACHE_DIR").map(PathBuf::from).or_else(|| {
            var("XDG_CACHE_HOME")
                .map(|dir| PathBuf::from(dir).join("wsim"))
                .or_else(|| var("HOME").map(|home| PathBuf::from(home).join(".cache/wsim")))
        })
    }

    /// The directory.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The entry for a key; `extension` names the runtime that wrote it.
    pub(crate) fn path(&self, key: &blake3::Hash, extension: &str) -> PathBuf {
        self.dir.join(format!("{}.{extension}", key.to_hex()))
    }

    /// The payload of the entry at `path`, checked; `Ok(None)` when there is
    /// no entry, `Err(reason)` when there is one that must not be trusted.
    pub(crate) fn read(path: &Path) -> Result<Option<Vec<u8>>, String> {
        let file = match std::fs::read(path) {
            Ok(file) => file,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(format!("unreadable: {error}")),
        };
        let Some((magic, rest)) = file.split_first_chunk::<8>() else {
            return Err("truncated header".to_owned());
        };
        if magic != MAGIC {
            return Err("not a wsim module-cache entry".to_owned());
        }
        let Some((checksum, payload)) = rest.split_first_chunk::<CHECKSUM_LEN>() else {
            return Err("truncated header".to_owned());
        };
        if blake3::hash(payload) != blake3::Hash::from_bytes(*checksum) {
            return Err("checksum mismatch (damaged or truncated)".to_owned());
        }
        Ok(Some(payload.to_vec()))
    }

    /// Why the entry at `path` must not be read, nor the directory written:
    /// either may be written by someone other than this user. `None` when
    /// both are safe, or do not exist yet.
    pub(crate) fn distrust(&self, path: &Path) -> Option<String> {
        writable_by_others(&self.dir, "the directory")
            .or_else(|| writable_by_others(path, "the entry"))
    }

    /// Stores `payload` at `path`, atomically.
    pub(crate) fn write(&self, path: &Path, payload: &[u8]) -> std::io::Result<()> {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&self.dir)?;
        let mut temporary = tempfile::NamedTempFile::new_in(&self.dir)?;
        temporary.write_all(MAGIC)?;
        temporary.write_all(blake3::hash(payload).as_bytes())?;
        temporary.write_all(payload)?;
        temporary.as_file().sync_data()?;
        temporary.persist(path).map_err(|error| error.error)?;
        Ok(())
    }
}

/// Why `path` (`what` names it) may hold what someone other than this user
/// wrote: it belongs to another user, or its group or everyone may write
/// to it. `None` when it is this user's alone, or does not exist.
#[cfg(unix)]
fn writable_by_others(path: &Path, what: &str) -> Option<String> {
    use std::os::unix::fs::MetadataExt;

    // Following symbolic links: what matters is what would be read.
    let metadata = std::fs::metadata(path).ok()?;
    // SAFETY: geteuid takes nothing, touches no memory and cannot fail.
    let user = unsafe { libc::geteuid() };
    if metadata.uid() != user {
        return Some(format!(
            "{what} {} belongs to user {}, not to this user ({user})",
            path.display(),
            metadata.uid()
        ));
    }
    let mode = metadata.mode() & 0o777;
    if mode & 0o022 != 0 {
        let who = if mode & 0o002 != 0 {
            "everyone"
        } else {
            "its group"
        };
        return Some(format!(
            "{what} {} may be written by {who} (mode {mode:o})",
            path.display()
        ));
    }
    None
}

/// Elsewhere, file ownership is not checked.
#[cfg(not(unix))]
fn writable_by_others(_: &Path, _: &str) -> Option<String> {
    None
}

/// What a module's machine code depends on besides its bytes: the cache
/// key is made of these.
pub(crate) struct KeyParts<'a> {
    /// The runtime, its version, and what it compiles (module or
    /// component), e.g. `wasmtime 48.0.0 component`.
    pub(crate) runtime: &'a str,
    /// The compiler.
    pub(crate) compiler: &'a str,
    /// Whether fuel metering is compiled in.
    pub(crate) metered: bool,
    /// The target and CPU features, or a hash of the runtime's settings
    /// that covers them.
    pub(crate) target: &'a str,
    /// The entry file's extension.
    pub(crate) extension: &'a str,
}

/// The key of a module's compiled form: everything its machine code depends
/// on.
pub(crate) fn key(bytes: &[u8], parts: &KeyParts<'_>) -> blake3::Hash {
    let mut hasher = blake3::Hasher::new();
    for part in [
        MAGIC.as_slice(),
        parts.runtime.as_bytes(),
        parts.compiler.as_bytes(),
        if parts.metered {
            b"metered"
        } else {
            b"unmetered"
        },
        parts.target.as_bytes(),
    ] {
        // Length-prefixed, so no two different part lists hash alike.
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher.update(bytes);
    hasher.finalize()
}

/// Finds a compiled module in `cache`, or compiles and stores it. The entry
/// is only handed to `deserialize` once its checksum matched, and only from
/// a directory nobody else may write to. A store that
/// fails leaves the module compiled and the run going: the cache only saves
/// time.
pub(crate) fn through<M>(
    cache: &ModuleCache,
    bytes: &[u8],
    parts: &KeyParts<'_>,
    deserialize: impl FnOnce(&[u8]) -> Result<M, String>,
    compile: impl FnOnce() -> Result<M, crate::Error>,
    serialize: impl FnOnce(&M) -> Option<Vec<u8>>,
) -> Result<(M, Origin), crate::Error> {
    let path = cache.path(&key(bytes, parts), parts.extension);
    if let Some(reason) = cache.distrust(&path) {
        return Ok((compile()?, Origin::Untrusted(reason)));
    }
    let damaged = match ModuleCache::read(&path) {
        Ok(None) => None,
        Ok(Some(payload)) => match deserialize(&payload) {
            Ok(module) => return Ok((module, Origin::Cached)),
            Err(reason) => Some(reason),
        },
        Err(reason) => Some(reason),
    };
    let module = compile()?;
    let stored = serialize(&module).is_some_and(|payload| cache.write(&path, &payload).is_ok());
    let origin = match (damaged, stored) {
        (Some(reason), _) => Origin::Rebuilt(reason),
        (None, true) => Origin::Stored,
        (None, false) => Origin::Compiled,
    };
    Ok((module, origin))
}
