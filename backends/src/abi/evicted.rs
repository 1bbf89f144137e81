//! Version 3's eviction list: the `evicted()` export, read once per chunk.

use wsim_engine::{Cached, Export, Guest};
use wsim_policies::Eviction;
use wsim_policies::wire::{self, EVICTION_WIRE_LEN, EvictionWire};

use crate::Error;

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
    pub(super) fn start(&mut self, guest: &mut Guest) -> Result<(), Error> {
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
    pub(super) fn read(
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
