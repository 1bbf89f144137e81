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
//! that runs outside the sandbox. So on Unix the directory is opened and
//! checked on the open handle (this user's, and nobody else may write to
//! it), and the entry opened relative to that handle, without following a
//! symbolic link, and checked the same way before a byte is read: nothing
//! can be swapped in between. A directory that fails is not used at all
//! ([`Origin::Untrusted`]); an entry that fails is rebuilt. wsim creates
//! the directory with mode 0700. Entries are written to a temporary file
//! (mode 0600) and renamed, so a reader never sees half of one.

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

    /// The payload of the entry at `path` (in this cache's directory),
    /// checked; `Ok(None)` when there is no entry.
    pub(crate) fn read(&self, path: &Path) -> Result<Option<Vec<u8>>, Refusal> {
        use std::io::Read as _;

        let Some(mut file) = open_entry(&self.dir, path)? else {
            return Ok(None);
        };
        let mut entry = Vec::new();
        file.read_to_end(&mut entry)
            .map_err(|error| Refusal::Unusable(format!("unreadable: {error}")))?;
        let Some((magic, rest)) = entry.split_first_chunk::<8>() else {
            return Err(Refusal::Unusable("truncated header".to_owned()));
        };
        if magic != MAGIC {
            return Err(Refusal::Unusable(
                "not a wsim module-cache entry".to_owned(),
            ));
        }
        let Some((checksum, payload)) = rest.split_first_chunk::<CHECKSUM_LEN>() else {
            return Err(Refusal::Unusable("truncated header".to_owned()));
        };
        if blake3::hash(payload) != blake3::Hash::from_bytes(*checksum) {
            return Err(Refusal::Unusable(
                "checksum mismatch (damaged or truncated)".to_owned(),
            ));
        }
        Ok(Some(payload.to_vec()))
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

/// Why a cache entry is not read.
pub(crate) enum Refusal {
    /// The directory may hold what someone else wrote: the cache is not
    /// used at all.
    Untrusted(String),
    /// The entry is damaged, or not safe to read: it is rebuilt.
    Unusable(String),
}

/// Opens the entry at `path` in `dir`, on Unix only once both are checked
/// on their open handles; `Ok(None)` when either does not exist.
#[cfg(unix)]
fn open_entry(dir: &Path, path: &Path) -> Result<Option<std::fs::File>, Refusal> {
    use std::os::fd::{AsRawFd as _, FromRawFd as _, OwnedFd};
    use std::os::unix::ffi::OsStrExt as _;
    use std::os::unix::fs::OpenOptionsExt as _;

    let untrusted = |why: String| {
        Refusal::Untrusted(format!(
            "the directory {} {why}; use a directory of your own that nobody else may \
             write to (`chmod go-w`), or --module-cache DIR",
            dir.display()
        ))
    };
    // O_DIRECTORY: anything else (a FIFO that would block the open, say)
    // fails at once.
    let directory = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_CLOEXEC | libc::O_NONBLOCK)
        .open(dir);
    let directory = match directory {
        Ok(directory) => directory,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) if error.raw_os_error() == Some(libc::ENOTDIR) => {
            return Err(untrusted("is not a directory".to_owned()));
        }
        Err(error) => return Err(untrusted(format!("cannot be opened: {error}"))),
    };
    let metadata = directory
        .metadata()
        .map_err(|error| untrusted(format!("cannot be examined: {error}")))?;
    if !metadata.is_dir() {
        return Err(untrusted("is not a directory".to_owned()));
    }
    if let Some(why) = writable_by_others(&metadata) {
        return Err(untrusted(why));
    }
    let name = path
        .file_name()
        .and_then(|name| std::ffi::CString::new(name.as_bytes()).ok())
        .ok_or_else(|| Refusal::Unusable(format!("{} names no file", path.display())))?;
    // Non-blocking, so that a FIFO put in place of an entry cannot stall the
    // open, and no controlling terminal from a device; neither affects a
    // regular file, and anything else is refused below before it is read.
    let flags =
        libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_CLOEXEC | libc::O_NONBLOCK | libc::O_NOCTTY;
    // SAFETY: `name` is a NUL-terminated string and `directory` an open
    // file descriptor, both alive for the whole call; openat reads them and
    // returns a new descriptor or -1.
    let fd = unsafe { libc::openat(directory.as_raw_fd(), name.as_ptr(), flags) };
    if fd < 0 {
        let error = std::io::Error::last_os_error();
        return match error.raw_os_error() {
            Some(libc::ENOENT) => Ok(None),
            Some(libc::ELOOP) => Err(Refusal::Unusable(
                "a symbolic link, which is never followed".to_owned(),
            )),
            _ => Err(Refusal::Unusable(format!("unreadable: {error}"))),
        };
    }
    // SAFETY: `fd` was just returned by openat, is open, and nothing else
    // owns it.
    let file = std::fs::File::from(unsafe { OwnedFd::from_raw_fd(fd) });
    let metadata = file
        .metadata()
        .map_err(|error| Refusal::Unusable(format!("cannot be examined: {error}")))?;
    if !metadata.is_file() {
        return Err(Refusal::Unusable("not a regular file".to_owned()));
    }
    if let Some(why) = writable_by_others(&metadata) {
        return Err(Refusal::Unusable(format!("the entry {why}")));
    }
    Ok(Some(file))
}

/// Elsewhere, file ownership is not checked.
#[cfg(not(unix))]
fn open_entry(_: &Path, path: &Path) -> Result<Option<std::fs::File>, Refusal> {
    match std::fs::File::open(path) {
        Ok(file) => Ok(Some(file)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(Refusal::Unusable(format!("unreadable: {error}"))),
    }
}

/// Why a file or directory, by its metadata, may hold what someone other
/// than this user wrote: another user owns it, or its group or everyone
/// may write to it. `None` when it is this user's alone.
#[cfg(unix)]
fn writable_by_others(metadata: &std::fs::Metadata) -> Option<String> {
    use std::os::unix::fs::MetadataExt as _;

    // SAFETY: geteuid takes nothing, touches no memory and cannot fail.
    let user = unsafe { libc::geteuid() };
    if metadata.uid() != user {
        return Some(format!(
            "belongs to user {}, not to this user ({user})",
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
        return Some(format!("may be written by {who} (mode {mode:o})"));
    }
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
    let damaged = match cache.read(&path) {
        Ok(None) => None,
        Ok(Some(payload)) => match deserialize(&payload) {
            Ok(module) => return Ok((module, Origin::Cached)),
            Err(reason) => Some(reason),
        },
        Err(Refusal::Unusable(reason)) => Some(reason),
        // Neither read nor written.
        Err(Refusal::Untrusted(reason)) => return Ok((compile()?, Origin::Untrusted(reason))),
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
