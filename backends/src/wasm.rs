//! `Wasm<A, L>`: a policy inside a WebAssembly guest.

use std::marker::PhantomData;

use wsim_engine::{Cached, Export, Guest, Lookup, LookupKind, Module, Uncached};
use wsim_policies::wire::{self, ABI_VERSION, OLDEST_ABI_VERSION, STATS_WIRE_LEN};
use wsim_policies::{Answer, CachePolicy, Eviction, Request, Stats};

use crate::abi::{Abi, Evicted, StaticBuffer, Version};
use crate::error::status_error;
use crate::{CacheVisitor, Error};

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
    /// Version 3's `evicted()`, for reports; `None` for older guests.
    evicted: Option<Evicted>,
    abi: PhantomData<A>,
}

impl<A: Abi, L: Lookup> std::fmt::Debug for Wasm<A, L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wasm")
            .field("module", &self.guest.module())
            .field("abi", &std::any::type_name::<A>())
            .field("lookup", &L::NAME)
            .finish_non_exhaustive()
    }
}

impl<A: Abi, L: Lookup> Wasm<A, L> {
    /// Instantiates `module` and initializes a cache of `capacity` bytes
    /// (objects, when sizes are ignored) inside it, its policy given
    /// `params` (`key=value,...`; a version 1 module takes none).
    pub fn new(module: &Module, capacity: u64, params: &str) -> Result<Self, Error> {
        let mut guest = module.instantiate()?;
        let panic_message = module
            .exports_function("panic_message")
            .then(|| guest.export("panic_message"))
            .transpose()?;
        let version: Export<(), i32, Cached> = guest.export("abi_version")?;
        let found = guest
            .call(&version, ())
            .map_err(|error| explain(&mut guest, panic_message.as_ref(), error.into()))?;
        let Some(version) = Version::from_code(found) else {
            return Err(Error::AbiVersion {
                module: guest.module().to_owned(),
                found,
                oldest: OLDEST_ABI_VERSION,
                newest: ABI_VERSION,
            });
        };
        // Every other export is resolved before `init` runs, so a module
        // missing one fails before doing any work.
        let stats = guest.export("stats")?;
        let bound = A::bind::<L>(&mut guest, version)?;
        let evicted = version
            .reports()
            .then(|| Evicted::bind(&mut guest))
            .transpose()?;
        let code = init(&mut guest, version, capacity, params)
            .map_err(|error| explain(&mut guest, panic_message.as_ref(), error))?;
        if code != 0 {
            return Err(status_error(&guest, "init", code));
        }
        Ok(Self {
            guest,
            stats,
            panic_message,
            bound,
            evicted,
            abi: PhantomData,
        })
    }

    /// `error`, or what the guest's panic said when the error is the trap
    /// a panic ends in.
    #[cold]
    fn explain(&mut self, error: Error) -> Error {
        explain(&mut self.guest, self.panic_message.as_ref(), error)
    }

    /// Drops the evictions a guest recorded (once `access_reported` has
    /// started its recording) for calls that did not report them.
    #[inline]
    fn discard_evictions(&mut self) -> Result<(), Error> {
        match &mut self.evicted {
            Some(evicted) => evicted
                .discard(&mut self.guest)
                .map_err(|error| self.explain(error)),
            None => Ok(()),
        }
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

/// The longest name the `name` export may give.
const NAME_LIMIT: u32 = 64;

/// The policy's name from the module's optional `name` export (UTF-8,
/// address and length packed like `buffer()`): `None` when the module has
/// no such export or it returns 0. A name must be 1 to 64 letters, digits,
/// `-`, `_`, `.` or `+`, so it is safe in a table, a file name and a
/// terminal.
pub fn policy_name(module: &Module) -> Result<Option<String>, Error> {
    if !module.exports_function("name") {
        return Ok(None);
    }
    let mut guest = module.instantiate()?;
    let export: Export<(), i64, Cached> = guest.export("name")?;
    let packed = guest.call(&export, ())?;
    if packed == 0 {
        return Ok(None);
    }
    let broke = |what: String| Error::Protocol {
        module: module.name().to_owned(),
        export: "name",
        what,
    };
    let (pointer, len) = wire::unpack_buffer(packed);
    if len == 0 || len > NAME_LIMIT {
        return Err(broke(format!(
            "a name of {len} bytes; a name has 1 to {NAME_LIMIT}"
        )));
    }
    let mut bytes = vec![0; len as usize];
    guest.read(pointer, &mut bytes, "the name `name` points to")?;
    match String::from_utf8(bytes) {
        Ok(name)
            if name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.+".contains(c)) =>
        {
            Ok(Some(name))
        }
        _ => Err(broke(
            "a name must be letters, digits, `-`, `_`, `.` or `+`".to_owned(),
        )),
    }
}

/// Calls `init` as `version` has it: version 2 with the parameters written
/// at the start of the static buffer, version 1 with the capacity alone
/// (and no parameters to give). Returns what `init` returned.
#[expect(clippy::cast_possible_wrap, reason = "the i64 carries the u64's bits")]
fn init(guest: &mut Guest, version: Version, capacity: u64, params: &str) -> Result<i32, Error> {
    match version {
        Version::V1 => {
            if !params.is_empty() {
                return Err(Error::Unsupported(format!(
                    "{}: speaks ABI version 1, which passes no parameters (`{params}`)",
                    guest.module()
                )));
            }
            let init: Export<i64, i32, Cached> = guest.export("init")?;
            Ok(guest.call(&init, capacity as i64)?)
        }
        Version::V2 | Version::V3 => {
            let init: Export<(i64, i32), i32, Cached> = guest.export("init")?;
            let buffer = StaticBuffer::fetch(guest, params.len())?;
            guest.write(buffer.address, params.as_bytes(), "the static buffer")?;
            let len = i32::try_from(params.len())
                .map_err(|_| Error::Unsupported(format!("{} bytes of parameters", params.len())))?;
            Ok(guest.call(&init, (capacity as i64, len))?)
        }
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
        let hit = A::access(&mut self.guest, &mut self.bound, request)
            .map_err(|error| self.explain(error))?;
        self.discard_evictions()?;
        Ok(hit)
    }

    fn access_batch(&mut self, requests: &[Request], hits: &mut Vec<bool>) -> Result<(), Error> {
        A::access_batch(&mut self.guest, &mut self.bound, requests, hits)
            .map_err(|error| self.explain(error))?;
        self.discard_evictions()
    }

    fn reports(&self) -> bool {
        self.evicted.is_some()
    }

    fn access_reported(
        &mut self,
        requests: &[Request],
        answers: &mut Vec<Answer>,
        evictions: &mut Vec<Eviction>,
    ) -> Result<(), Error> {
        let Some(evicted) = &mut self.evicted else {
            return wsim_policies::unreported(self, requests, answers, evictions);
        };
        A::access_reported(
            &mut self.guest,
            &mut self.bound,
            evicted,
            requests,
            answers,
            evictions,
        )
        .map_err(|error| self.explain(error))
    }

    fn stats(&mut self) -> Result<Stats, Error> {
        self.read_stats().map_err(|error| self.explain(error))
    }
}

/// Opens `module` under the ABI `A` with exports found as `lookup` says,
/// its policy given `params` (`key=value,...`), for
/// [`Backend::open`](crate::Backend::open).
pub(crate) fn open<A: Abi, V: CacheVisitor>(
    module: &Module,
    lookup: LookupKind,
    capacity: u64,
    params: &str,
    visitor: V,
) -> Result<V::Output, Error> {
    Ok(match lookup {
        LookupKind::Cached => visitor.visit(Wasm::<A, Cached>::new(module, capacity, params)?),
        LookupKind::Uncached => visitor.visit(Wasm::<A, Uncached>::new(module, capacity, params)?),
    })
}
