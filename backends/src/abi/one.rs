//! The ABIs that pass one request per call: Pair (wasm arguments),
//! Bincode (an encoded buffer the guest allocates) and Bytemuck (a record
//! in the static buffer).

use wsim_engine::{Export, Guest, Lookup};
use wsim_policies::Request;
use wsim_policies::wire::{
    self, BINCODE_MAX_LEN, BINCODE_PAIR_MAX_LEN, RequestWire, RequestWireV1,
};

use super::{Abi, StaticBuffer, Version};
use crate::Error;

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

    /// Calls `access` and returns its code.
    #[inline]
    #[expect(clippy::cast_possible_wrap, reason = "the i64s carry u64 bits")]
    fn code<L: Lookup>(
        guest: &mut Guest,
        bound: &mut Self::Bound<L>,
        request: Request,
    ) -> Result<i32, Error> {
        let (id, size) = (request.id as i64, request.size as i64);
        Ok(match &bound.access {
            PairAccess::V2(access) => guest.call(access, (id, size, request.next_access))?,
            PairAccess::V1(access) => guest.call(access, (id, size))?,
        })
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

    /// Encodes `request`, calls `alloc` and `access_bincode`, and returns
    /// the latter's code.
    #[inline]
    fn code<L: Lookup>(
        guest: &mut Guest,
        exports: &mut Self::Bound<L>,
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

    /// Copies `request` into the static buffer, calls `access_bytemuck` and
    /// returns its code.
    #[inline]
    fn code<L: Lookup>(
        guest: &mut Guest,
        bound: &mut Self::Bound<L>,
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
