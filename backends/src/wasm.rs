//! `Wasm<A, L>`: a policy inside a WebAssembly guest.

use std::marker::PhantomData;

use wsim_engine::{Cached, Export, Guest, Lookup, Module};
use wsim_policies::wire::{self, ABI_VERSION, STATS_WIRE_LEN, Status};
use wsim_policies::{CachePolicy, Request, Stats};

use crate::abi::Abi;

/// Everything that can go wrong running a policy in a guest.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Loading, calling or touching the guest failed.
    #[error(transparent)]
    Engine(#[from] wsim_engine::Error),
    /// An export returned a status code instead of a result.
    #[error("{module}: export `{export}` returned {code}: {meaning}")]
    Status {
        /// The module.
        module: String,
        /// The export.
        export: &'static str,
        /// The code it returned.
        code: i32,
        /// What the code means.
        meaning: String,
    },
    /// The guest speaks another version of the ABI.
    #[error(
        "{module}: export `abi_version` says ABI version {found}; this wsim speaks version {expected}"
    )]
    AbiVersion {
        /// The module.
        module: String,
        /// The version the guest exports.
        found: i32,
        /// The version the host speaks.
        expected: i32,
    },
    /// Guest code panicked (a Rust guest aborts with an `unreachable` trap;
    /// its `panic_message` export said why).
    #[error("{module}: export `{export}` panicked: {message}")]
    Panic {
        /// The module.
        module: String,
        /// The export called.
        export: String,
        /// What the guest's panic said.
        message: String,
    },
    /// The guest answered something the ABI does not allow.
    #[error("{module}: export `{export}` broke the ABI: {what}")]
    Protocol {
        /// The module.
        module: String,
        /// The export.
        export: &'static str,
        /// How.
        what: String,
    },
}

/// The error for an export that returned status `code`.
pub(crate) fn status_error(guest: &Guest, export: &'static str, code: i32) -> Error {
    let meaning = Status::from_code(code).map_or_else(
        || "not a status the ABI defines".to_owned(),
        |status| status.meaning().to_owned(),
    );
    Error::Status {
        module: guest.module().to_owned(),
        export,
        code,
        meaning,
    }
}

/// Reads an `access*` result: 1 hit, 0 miss, anything else a status.
#[inline]
pub(crate) fn hit_or_miss(guest: &Guest, export: &'static str, code: i32) -> Result<bool, Error> {
    match code {
        0 => Ok(false),
        1 => Ok(true),
        code => Err(status_error(guest, export, code)),
    }
}

/// A policy running inside a WebAssembly guest, reached through the ABI `A`
/// with exports looked up as `L` says.
///
/// Loading checks the guest's ABI version, resolves and type-checks every
/// export `A` needs (and `init`, `stats`), and initializes the cache; after
/// that the hot path is `A`'s calls and bounds-checked copies, nothing else.
pub struct Wasm<A: Abi, L: Lookup> {
    guest: Guest,
    stats: Export<(), i32, L>,
    /// The optional `panic_message` export, asked after a trap.
    panic_message: Option<Export<(), i64, Cached>>,
    bound: A::Bound<L>,
    abi: PhantomData<A>,
}

impl<A: Abi, L: Lookup> std::fmt::Debug for Wasm<A, L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wasm")
            .field("module", &self.guest.module())
            .field("abi", &A::NAME)
            .field("lookup", &L::NAME)
            .finish_non_exhaustive()
    }
}

impl<A: Abi, L: Lookup> Wasm<A, L> {
    /// Instantiates `module` and initializes a cache of `capacity` bytes
    /// (objects, when sizes are ignored) inside it.
    pub fn new(module: &Module, capacity: u64) -> Result<Self, Error> {
        let mut guest = module.instantiate()?;
        let panic_message = module
            .exports_function("panic_message")
            .then(|| guest.export("panic_message"))
            .transpose()?;
        let version: Export<(), i32, Cached> = guest.export("abi_version")?;
        let found = guest
            .call(&version, ())
            .map_err(|error| explain(&mut guest, panic_message.as_ref(), error.into()))?;
        if found != ABI_VERSION {
            return Err(Error::AbiVersion {
                module: guest.module().to_owned(),
                found,
                expected: ABI_VERSION,
            });
        }
        // Every other export is resolved before `init` runs, so a module
        // missing one fails before doing any work.
        let init: Export<i64, i32, Cached> = guest.export("init")?;
        let stats = guest.export("stats")?;
        let mut bound = A::bind::<L>(&mut guest)?;
        #[expect(clippy::cast_possible_wrap, reason = "the i64 carries the u64's bits")]
        let code = guest
            .call(&init, capacity as i64)
            .map_err(|error| explain(&mut guest, panic_message.as_ref(), error.into()))?;
        if code != 0 {
            return Err(status_error(&guest, "init", code));
        }
        A::after_init(&mut guest, &mut bound)
            .map_err(|error| explain(&mut guest, panic_message.as_ref(), error))?;
        Ok(Self {
            guest,
            stats,
            panic_message,
            bound,
            abi: PhantomData,
        })
    }

    /// `error`, or what the guest's panic said when the error is the trap
    /// a panic ends in.
    #[cold]
    fn explain(&mut self, error: Error) -> Error {
        explain(&mut self.guest, self.panic_message.as_ref(), error)
    }

    /// The stats, before the host checks them.
    fn read_stats(&mut self) -> Result<Stats, Error> {
        let address = self.guest.call(&self.stats, ())?;
        let Ok(address) = u32::try_from(address) else {
            return Err(status_error(&self.guest, "stats", address));
        };
        let mut record = [0; STATS_WIRE_LEN];
        self.guest
            .read(address, &mut record, "the stats record `stats` points to")?;
        Ok(wire::decode_stats(&record))
    }
}

/// Turns a trap into [`Error::Panic`] when the guest left a panic message;
/// any other error, or a guest without one, passes through unchanged.
#[cold]
fn explain(
    guest: &mut Guest,
    panic_message: Option<&Export<(), i64, Cached>>,
    error: Error,
) -> Error {
    let Error::Engine(wsim_engine::Error::Trap { export, .. }) = &error else {
        return error;
    };
    let Some(export_handle) = panic_message else {
        return error;
    };
    let Ok(packed) = guest.call(export_handle, ()) else {
        return error;
    };
    let (pointer, len) = wire::unpack_buffer(packed);
    if len == 0 {
        return error;
    }
    // The guest's word is only read within its memory and within reason.
    let mut message = vec![0; (len as usize).min(1024)];
    if guest
        .read(
            pointer,
            &mut message,
            "the message `panic_message` points to",
        )
        .is_err()
    {
        return error;
    }
    Error::Panic {
        module: guest.module().to_owned(),
        export: export.clone(),
        // Control characters (newlines, terminal escapes) from the guest
        // never reach the user's terminal.
        message: String::from_utf8_lossy(&message)
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect(),
    }
}

impl<A: Abi, L: Lookup> CachePolicy for Wasm<A, L> {
    type Error = Error;

    #[inline]
    fn access(&mut self, request: Request) -> Result<bool, Error> {
        A::access(&mut self.guest, &mut self.bound, request).map_err(|error| self.explain(error))
    }

    fn access_batch(&mut self, requests: &[Request], hits: &mut Vec<bool>) -> Result<(), Error> {
        A::access_batch(&mut self.guest, &mut self.bound, requests, hits)
            .map_err(|error| self.explain(error))
    }

    fn stats(&mut self) -> Result<Stats, Error> {
        self.read_stats().map_err(|error| self.explain(error))
    }
}
