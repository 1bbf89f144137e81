//! Batch: many requests per call through the static buffer.

use wsim_engine::{Export, Guest, Lookup};
use wsim_policies::wire::{self, FlagError};
use wsim_policies::{Answer, Eviction, Request};

use super::{Abi, Evicted, StaticBuffer, Version};
use crate::Error;
use crate::error::status_error;

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
        let decode = if bound.version.reports() {
            wire::decode_answer_hits
        } else {
            wire::decode_hit_flags
        };
        for batch in requests.chunks(bound.capacity) {
            let count = Self::call(guest, bound, batch)?;
            decode(&bound.scratch, count, hits).map_err(|error| flag_error(guest, error))?;
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
