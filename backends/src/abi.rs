//! The host side of every ABI: how a request reaches the guest, in each
//! version of the ABI the host speaks. `docs/ABI.md` is the contract;
//! `wsim_policies::guest` the other side.

use wsim_engine::{Cached, Export, Guest, Lookup};
use wsim_policies::wire::{
    self, BINCODE_MAX_LEN, BINCODE_PAIR_MAX_LEN, EVICTION_WIRE_LEN, EvictionWire, FlagError,
    REQUEST_WIRE_LEN, REQUEST_WIRE_V1_LEN, RequestWire, RequestWireV1,
};
use wsim_policies::{Answer, Eviction, Request};

use crate::Error;
use crate::error::{answer_error, hit_or_miss, status_error};

/// The versions of the ABI the host speaks, as a guest's `abi_version`
/// says. Version 2 adds each request's next access and the policy's
/// parameters; version 3 reports admissions and evictions; version 1 and 2
/// guests run unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// Requests are `(id, size)`; `init(capacity)`.
    V1,
    /// Requests are `(id, size, next_access)`; `init(capacity, params_len)`.
    V2,
    /// Version 2, whose answers also say whether a miss was taken in and how
    /// many objects left, listed by `evicted()`.
    V3,
}

impl Version {
    /// The version `abi_version` returned, if the host speaks it.
    #[must_use]
    pub const fn from_code(code: i32) -> Option<Self> {
        match code {
            1 => Some(Self::V1),
            2 => Some(Self::V2),
            3 => Some(Self::V3),
            _ => None,
        }
    }

    /// Whether the guest reports admissions and evictions.
    #[must_use]
    pub const fn reports(self) -> bool {
        matches!(self, Self::V3)
    }

    /// Bytes of one request in the Bytemuck and Batch buffers.
    const fn record_len(self) -> usize {
        match self {
            Self::V1 => REQUEST_WIRE_V1_LEN,
            Self::V2 | Self::V3 => REQUEST_WIRE_LEN,
        }
    }
}

/// Version 3's `evicted()` export, resolved once, and the bytes of the
/// records it lists, reused across calls. The guest records evictions only
/// once `evicted()` has been called, so a run that does not audit costs it
/// nothing; once it records, every request's evictions must be drained.
#[derive(Debug)]
pub struct Evicted {
    export: Export<(), i64, Cached>,
    scratch: Vec<u8>,
    /// Whether the guest records (the host has called `evicted()`).
    recording: bool,
}

impl Evicted {
    /// Resolves `evicted()` in a version 3 guest.
    pub(crate) fn bind(guest: &mut Guest) -> Result<Self, Error> {
        Ok(Self {
            export: guest.export("evicted")?,
            scratch: Vec::new(),
            recording: false,
        })
    }

    /// Has the guest record from now on: the first `evicted()`, which lists
    /// nothing (and, for safety, anything it lists is dropped).
    fn start(&mut self, guest: &mut Guest) -> Result<(), Error> {
        if !self.recording {
            guest.call(&self.export, ())?;
            self.recording = true;
        }
        Ok(())
    }

    /// Drops what the guest recorded, after calls that did not ask for it.
    pub(crate) fn discard(&mut self, guest: &mut Guest) -> Result<(), Error> {
        if self.recording {
            guest.call(&self.export, ())?;
        }
        Ok(())
    }

    /// Appends the objects evicted by the `requests` requests served since
    /// [`start`](Self::start) or the last read, each tagged with the index of
    /// the request that evicted it; the guest's indices must be below
    /// `requests`, and there must be `expected` records when the answers
    /// counted them.
    fn read(
        &mut self,
        guest: &mut Guest,
        requests: usize,
        expected: Option<u64>,
        evictions: &mut Vec<Eviction>,
    ) -> Result<(), Error> {
        let (address, count) = wire::unpack_buffer(guest.call(&self.export, ())?);
        let broke = |what: String| Error::Protocol {
            module: guest.module().to_owned(),
            export: "evicted",
            what,
        };
        if expected.is_some_and(|expected| expected != u64::from(count)) {
            return Err(broke(format!(
                "lists {count} objects; the answers counted {}",
                expected.unwrap_or_default()
            )));
        }
        let len = count as usize * EVICTION_WIRE_LEN;
        // Checked before anything is allocated for it.
        guest.check_range(address, len, "the records `evicted` points to")?;
        self.scratch.resize(len, 0);
        guest.read(
            address,
            &mut self.scratch,
            "the records `evicted` points to",
        )?;
        for record in self.scratch.as_chunks::<EVICTION_WIRE_LEN>().0 {
            let (id, request) = bytemuck::pod_read_unaligned::<EvictionWire>(record).values();
            if request as usize >= requests {
                return Err(broke(format!(
                    "names request {request} of the {requests} served since it was last called"
                )));
            }
            evictions.push(Eviction { request, id });
        }
        Ok(())
    }
}

/// A way of passing requests into a guest. Implemented by [`Pair`],
/// [`Bincode`], [`Bytemuck`] and [`Batch`].
pub trait Abi: Sized + Send + 'static {
    /// The exports this ABI needs, beyond `abi_version`, `init` and `stats`.
    const EXPORTS: &'static [&'static str];
    /// What a loaded guest keeps for this ABI: its exports and any state.
    type Bound<L: Lookup>: Send;

    /// Resolves this ABI's exports, in `version`, in a fresh guest.
    fn bind<L: Lookup>(guest: &mut Guest, version: Version) -> Result<Self::Bound<L>, Error>;

    /// The export a one-request call names in errors.
    const ACCESS: &'static str;

    /// The version of the ABI the guest speaks.
    fn version<L: Lookup>(bound: &Self::Bound<L>) -> Version;

    /// Serves one request and returns the guest's answer code.
    fn code<L: Lookup>(
        guest: &mut Guest,
        bound: &mut Self::Bound<L>,
        request: Request,
    ) -> Result<i32, Error>;

    /// Serves one request.
    #[inline]
    fn access<L: Lookup>(
        guest: &mut Guest,
        bound: &mut Self::Bound<L>,
        request: Request,
    ) -> Result<bool, Error> {
        let code = Self::code(guest, bound, request)?;
        hit_or_miss(guest, Self::ACCESS, Self::version(bound), code)
    }

    /// Serves requests in order; one call each unless the ABI batches.
    fn access_batch<L: Lookup>(
        guest: &mut Guest,
        bound: &mut Self::Bound<L>,
        requests: &[Request],
        hits: &mut Vec<bool>,
    ) -> Result<(), Error> {
        hits.clear();
        for &request in requests {
            hits.push(Self::access(guest, bound, request)?);
        }
        Ok(())
    }

    /// Serves requests in order from a version 3 guest, replacing `answers`
    /// and `evictions` as [`CachePolicy::access_reported`] says: one call
    /// each unless the ABI batches, and one `evicted()` for them all.
    ///
    /// [`CachePolicy::access_reported`]: wsim_policies::CachePolicy::access_reported
    fn access_reported<L: Lookup>(
        guest: &mut Guest,
        bound: &mut Self::Bound<L>,
        evicted: &mut Evicted,
        requests: &[Request],
        answers: &mut Vec<Answer>,
        evictions: &mut Vec<Eviction>,
    ) -> Result<(), Error> {
        answers.clear();
        evictions.clear();
        evicted.start(guest)?;
        let mut counted = 0_u64;
        for &request in requests {
            let code = Self::code(guest, bound, request)?;
            let Some((answer, count)) = wire::decode_answer(code) else {
                return Err(answer_error(guest, Self::ACCESS, code));
            };
            counted += u64::from(count);
            answers.push(answer);
        }
        evicted.read(guest, requests.len(), Some(counted), evictions)
    }
}

/// Pair: the request as wasm arguments, `access(id: i64, size: i64,
/// next_access: i64) -> i32` (version 1: `access(id, size)`).
#[derive(Debug, Clone, Copy)]
pub struct Pair;

/// The `access` export of the Pair ABI, in the guest's version.
#[derive(Debug)]
pub(crate) enum PairAccess<L: Lookup> {
    /// `access(id, size)`.
    V1(Export<(i64, i64), i32, L>),
    /// `access(id, size, next_access)` (versions 2 and 3).
    V2(Export<(i64, i64, i64), i32, L>),
}

/// What the Pair ABI keeps.
#[derive(Debug)]
pub struct PairBound<L: Lookup> {
    access: PairAccess<L>,
    version: Version,
}

impl Pair {
    /// Calls `access` and returns its code.
    #[inline]
    #[expect(clippy::cast_possible_wrap, reason = "the i64s carry u64 bits")]
    fn call_one<L: Lookup>(
        guest: &mut Guest,
        bound: &mut PairBound<L>,
        request: Request,
    ) -> Result<i32, Error> {
        let (id, size) = (request.id as i64, request.size as i64);
        Ok(match &bound.access {
            PairAccess::V2(access) => guest.call(access, (id, size, request.next_access))?,
            PairAccess::V1(access) => guest.call(access, (id, size))?,
        })
    }
}

impl Abi for Pair {
    const EXPORTS: &'static [&'static str] = &["access"];
    type Bound<L: Lookup> = PairBound<L>;

    fn bind<L: Lookup>(guest: &mut Guest, version: Version) -> Result<Self::Bound<L>, Error> {
        let access = match version {
            Version::V1 => PairAccess::V1(guest.export("access")?),
            Version::V2 | Version::V3 => PairAccess::V2(guest.export("access")?),
        };
        Ok(PairBound { access, version })
    }

    const ACCESS: &'static str = "access";

    fn version<L: Lookup>(bound: &Self::Bound<L>) -> Version {
        bound.version
    }

    #[inline]
    fn code<L: Lookup>(
        guest: &mut Guest,
        bound: &mut Self::Bound<L>,
        request: Request,
    ) -> Result<i32, Error> {
        Self::call_one(guest, bound, request)
    }
}

/// Bincode: the request bincode-encoded into a buffer the guest allocates
/// for each call: `alloc(len) -> ptr`, then `access_bincode(ptr, len)`.
#[derive(Debug, Clone, Copy)]
pub struct Bincode;

/// The exports the Bincode ABI keeps, and the version it encodes in.
#[derive(Debug)]
pub struct BincodeExports<L: Lookup> {
    alloc: Export<i32, i32, L>,
    access: Export<(i32, i32), i32, L>,
    version: Version,
}

impl Bincode {
    /// Encodes `request`, calls `alloc` and `access_bincode`, and returns
    /// the latter's code.
    #[inline]
    fn call_one<L: Lookup>(
        guest: &mut Guest,
        exports: &mut BincodeExports<L>,
        request: Request,
    ) -> Result<i32, Error> {
        let mut encoded = [0; BINCODE_MAX_LEN];
        let len = match exports.version {
            Version::V2 | Version::V3 => wire::encode_bincode(request, &mut encoded),
            Version::V1 => {
                let mut pair = [0; BINCODE_PAIR_MAX_LEN];
                let len = wire::encode_bincode_pair(request.id, request.size, &mut pair);
                encoded[..len].copy_from_slice(&pair[..len]);
                len
            }
        };
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_possible_wrap,
            reason = "at most 27"
        )]
        let len_param = len as i32;
        let pointer = guest.call(&exports.alloc, len_param)?;
        let address = u32::try_from(pointer)
            .ok()
            .filter(|&address| address != 0)
            .ok_or_else(|| Error::Protocol {
                module: guest.module().to_owned(),
                export: "alloc",
                what: format!("returned {pointer}, not an address"),
            })?;
        guest.write(address, &encoded[..len], "the buffer `alloc` returned")?;
        Ok(guest.call(&exports.access, (pointer, len_param))?)
    }
}

impl Abi for Bincode {
    const EXPORTS: &'static [&'static str] = &["alloc", "access_bincode"];
    type Bound<L: Lookup> = BincodeExports<L>;

    fn bind<L: Lookup>(guest: &mut Guest, version: Version) -> Result<Self::Bound<L>, Error> {
        Ok(BincodeExports {
            alloc: guest.export("alloc")?,
            access: guest.export("access_bincode")?,
            version,
        })
    }

    const ACCESS: &'static str = "access_bincode";

    fn version<L: Lookup>(bound: &Self::Bound<L>) -> Version {
        bound.version
    }

    #[inline]
    fn code<L: Lookup>(
        guest: &mut Guest,
        bound: &mut Self::Bound<L>,
        request: Request,
    ) -> Result<i32, Error> {
        Self::call_one(guest, bound, request)
    }
}

/// Where a guest's static buffer lies, as `buffer()` said once at load.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StaticBuffer {
    pub(crate) address: u32,
    len: u32,
}

impl StaticBuffer {
    /// Calls `buffer()` and checks the buffer lies inside guest memory and
    /// holds at least `min_len` bytes.
    pub(crate) fn fetch(guest: &mut Guest, min_len: usize) -> Result<Self, Error> {
        let buffer: Export<(), i64, Cached> = guest.export("buffer")?;
        let (address, len) = wire::unpack_buffer(guest.call(&buffer, ())?);
        if (len as usize) < min_len {
            return Err(Error::Protocol {
                module: guest.module().to_owned(),
                export: "buffer",
                what: format!("a buffer of {len} bytes is smaller than {min_len}"),
            });
        }
        guest.check_range(address, len as usize, "the buffer `buffer` returned")?;
        Ok(Self { address, len })
    }
}

/// Bytemuck: the request as a `#[repr(C)]` struct copied into a static
/// guest buffer whose address `buffer()` gave once, then
/// `access_bytemuck()`.
#[derive(Debug, Clone, Copy)]
pub struct Bytemuck;

/// What the Bytemuck ABI keeps.
#[derive(Debug)]
pub struct BytemuckBound<L: Lookup> {
    buffer: StaticBuffer,
    access: Export<(), i32, L>,
    version: Version,
}

impl Abi for Bytemuck {
    const EXPORTS: &'static [&'static str] = &["buffer", "access_bytemuck"];
    type Bound<L: Lookup> = BytemuckBound<L>;

    fn bind<L: Lookup>(guest: &mut Guest, version: Version) -> Result<Self::Bound<L>, Error> {
        Ok(BytemuckBound {
            buffer: StaticBuffer::fetch(guest, version.record_len())?,
            access: guest.export("access_bytemuck")?,
            version,
        })
    }

    const ACCESS: &'static str = "access_bytemuck";

    fn version<L: Lookup>(bound: &Self::Bound<L>) -> Version {
        bound.version
    }

    #[inline]
    fn code<L: Lookup>(
        guest: &mut Guest,
        bound: &mut Self::Bound<L>,
        request: Request,
    ) -> Result<i32, Error> {
        Self::call_one(guest, bound, request)
    }
}

impl Bytemuck {
    /// Copies `request` into the static buffer, calls `access_bytemuck` and
    /// returns its code.
    #[inline]
    fn call_one<L: Lookup>(
        guest: &mut Guest,
        bound: &mut BytemuckBound<L>,
        request: Request,
    ) -> Result<i32, Error> {
        let address = bound.buffer.address;
        match bound.version {
            Version::V2 | Version::V3 => guest.write(
                address,
                bytemuck::bytes_of(&RequestWire::new(request)),
                "the static buffer",
            )?,
            Version::V1 => guest.write(
                address,
                bytemuck::bytes_of(&RequestWireV1::new(request)),
                "the static buffer",
            )?,
        }
        Ok(guest.call(&bound.access, ())?)
    }
}

/// Batch: up to `len / (record + 1)` requests copied into the static buffer,
/// one `access_batch(n)` call, and `n` hit flags read back from right after
/// them. Not in the paper: its future work, batching to cut calls.
#[derive(Debug, Clone, Copy)]
pub struct Batch;

/// What the Batch ABI keeps.
#[derive(Debug)]
pub struct BatchBound<L: Lookup> {
    buffer: StaticBuffer,
    /// Requests per call: what the buffer holds with their flags.
    capacity: usize,
    access: Export<i32, i32, L>,
    version: Version,
    /// Encoded requests, then the flags read back; reused across calls.
    scratch: Vec<u8>,
}

impl Abi for Batch {
    const EXPORTS: &'static [&'static str] = &["buffer", "access_batch"];
    type Bound<L: Lookup> = BatchBound<L>;

    fn bind<L: Lookup>(guest: &mut Guest, version: Version) -> Result<Self::Bound<L>, Error> {
        let record = version.record_len();
        let buffer = StaticBuffer::fetch(guest, record + 1)?;
        Ok(BatchBound {
            buffer,
            capacity: buffer.len as usize / (record + 1),
            access: guest.export("access_batch")?,
            version,
            scratch: Vec::with_capacity(buffer.len as usize),
        })
    }

    const ACCESS: &'static str = "access_batch";

    fn version<L: Lookup>(bound: &Self::Bound<L>) -> Version {
        bound.version
    }

    /// A batch of one: its flag, checked, is the answer code (version 3:
    /// its answer bits; before, 1 hit or 0 miss).
    fn code<L: Lookup>(
        guest: &mut Guest,
        bound: &mut Self::Bound<L>,
        request: Request,
    ) -> Result<i32, Error> {
        let count = Self::call(guest, bound, &[request])?;
        let mut answers = Vec::with_capacity(1);
        let flags = &bound.scratch;
        let checked = if bound.version.reports() {
            wire::decode_answer_flags(flags, count, &mut answers)
        } else {
            wire::decode_hit_flags(flags, count, &mut Vec::with_capacity(1))
        };
        checked.map_err(|error| flag_error(guest, error))?;
        Ok(flags.first().copied().map_or(0, i32::from))
    }

    fn access_batch<L: Lookup>(
        guest: &mut Guest,
        bound: &mut Self::Bound<L>,
        requests: &[Request],
        hits: &mut Vec<bool>,
    ) -> Result<(), Error> {
        hits.clear();
        let mut answers = Vec::new();
        for batch in requests.chunks(bound.capacity) {
            let count = Self::call(guest, bound, batch)?;
            let flags = &bound.scratch;
            if bound.version.reports() {
                answers.clear();
                wire::decode_answer_flags(flags, count, &mut answers)
                    .map_err(|error| flag_error(guest, error))?;
                hits.extend(answers.iter().map(|answer| answer.is_hit()));
            } else {
                wire::decode_hit_flags(flags, count, hits)
                    .map_err(|error| flag_error(guest, error))?;
            }
        }
        Ok(())
    }

    fn access_reported<L: Lookup>(
        guest: &mut Guest,
        bound: &mut Self::Bound<L>,
        evicted: &mut Evicted,
        requests: &[Request],
        answers: &mut Vec<Answer>,
        evictions: &mut Vec<Eviction>,
    ) -> Result<(), Error> {
        answers.clear();
        evictions.clear();
        evicted.start(guest)?;
        for batch in requests.chunks(bound.capacity) {
            let count = Self::call(guest, bound, batch)?;
            wire::decode_answer_flags(&bound.scratch, count, answers)
                .map_err(|error| flag_error(guest, error))?;
        }
        evicted.read(guest, requests.len(), None, evictions)
    }
}

impl Batch {
    /// Copies `batch` (at most the buffer's capacity) into the static
    /// buffer, calls `access_batch`, reads the flags back into the bound
    /// scratch and returns the hits it counted.
    fn call<L: Lookup>(
        guest: &mut Guest,
        bound: &mut BatchBound<L>,
        batch: &[Request],
    ) -> Result<i32, Error> {
        let record = bound.version.record_len();
        let scratch = &mut bound.scratch;
        let encoded = match bound.version {
            Version::V2 | Version::V3 => wire::encode_batch(batch, scratch),
            Version::V1 => wire::encode_batch_v1(batch, scratch),
        };
        guest.write(bound.buffer.address, encoded, "the static buffer")?;
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_possible_wrap,
            reason = "at most the buffer's capacity"
        )]
        let count = guest.call(&bound.access, batch.len() as i32)?;
        if count < 0 {
            return Err(status_error(guest, "access_batch", count));
        }
        #[expect(
            clippy::cast_possible_truncation,
            reason = "inside the buffer, whose length is a u32"
        )]
        let flags_at = bound.buffer.address + (batch.len() * record) as u32;
        scratch.resize(batch.len(), 0);
        guest.read(flags_at, scratch, "the hit flags")?;
        Ok(count)
    }
}

/// The error for flags `access_batch` wrote that the ABI does not allow.
fn flag_error(guest: &Guest, error: FlagError) -> Error {
    Error::Protocol {
        module: guest.module().to_owned(),
        export: "access_batch",
        what: match error {
            FlagError::NotAFlag(bad) => format!("flag {bad} is not one the ABI defines"),
            FlagError::Miscounted { returned, flagged } => {
                format!("returned {returned} hits but flagged {flagged}")
            }
        },
    }
}
