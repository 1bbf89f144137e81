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
        let version: Export<(), i32, Cached> = guest.export("abi_version")?;
        let found = guest.call(&version, ())?;
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
        let code = guest.call(&init, capacity as i64)?;
        if code != 0 {
            return Err(status_error(&guest, "init", code));
        }
        A::after_init(&mut guest, &mut bound)?;
        Ok(Self {
            guest,
            stats,
            bound,
            abi: PhantomData,
        })
    }
}

impl<A: Abi, L: Lookup> CachePolicy for Wasm<A, L> {
    type Error = Error;

    #[inline]
    fn access(&mut self, request: Request) -> Result<bool, Error> {
        A::access(&mut self.guest, &mut self.bound, request)
    }

    fn access_batch(&mut self, requests: &[Request], hits: &mut Vec<bool>) -> Result<(), Error> {
        A::access_batch(&mut self.guest, &mut self.bound, requests, hits)
    }

    fn stats(&mut self) -> Result<Stats, Error> {
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
