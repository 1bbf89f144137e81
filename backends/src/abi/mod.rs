//! The host side of every ABI: how a request reaches the guest, in each
//! version of the ABI the host speaks. `docs/ABI.md` is the contract;
//! `wsim_policies::guest` the other side. This file holds what every ABI
//! shares (the versions, the [`Abi`] trait, the static buffer); the
//! one-request ABIs, Batch and version 3's eviction list have a file each.

mod batch;
mod evicted;
mod one;

use wsim_engine::{Cached, Export, Guest, Lookup};
use wsim_policies::wire::{self, REQUEST_WIRE_LEN, REQUEST_WIRE_V1_LEN};
use wsim_policies::{Answer, Eviction, Request};

pub use self::batch::Batch;
pub use self::evicted::Evicted;
pub use self::one::{Bincode, Bytemuck, Pair};
use crate::Error;
use crate::error::{answer_error, hit_or_miss};

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
