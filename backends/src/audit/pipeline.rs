//! [`Pipeline`]: the audit on a thread of its own, a chunk behind the cache.
//!
//! The audit does about as much work per request as a simple policy does
//! (a table probe, and an insert or a remove per admission and eviction).
//! On its own thread it overlaps the cache's next chunk instead of adding to
//! it: a timed run, which has the machine to itself, then pays little more
//! than the copy of each chunk and the guest's reports. A violation still
//! stops the run, at most one chunk later, and names the exact request.

use std::sync::mpsc::{Receiver, SyncSender, channel, sync_channel};
use std::thread::JoinHandle;

use wsim_policies::{Answer, Eviction, Request};

use super::Audit;
use crate::Error;

/// One chunk to check: the requests, and what the cache reported.
#[derive(Default)]
struct Chunk {
    requests: Vec<Request>,
    answers: Vec<Answer>,
    evictions: Vec<Eviction>,
}

/// An [`Audit`] checking chunks on its own thread, in order.
#[derive(Debug)]
pub struct Pipeline {
    /// Chunks to check; `None` once the worker has been joined.
    to_check: Option<SyncSender<Chunk>>,
    /// Chunks checked, their buffers to reuse.
    checked: Receiver<Chunk>,
    worker: Option<JoinHandle<Result<Audit, Error>>>,
}

impl std::fmt::Debug for Chunk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chunk")
            .field("requests", &self.requests.len())
            .finish_non_exhaustive()
    }
}

impl Pipeline {
    /// Starts `audit` on a thread of its own.
    pub fn new(mut audit: Audit) -> Result<Self, Error> {
        // Two chunks in flight at most: the cache stays at most that far
        // ahead of the audit.
        let (to_check, queued) = sync_channel::<Chunk>(2);
        let (done, checked) = channel();
        let worker = std::thread::Builder::new()
            .name("wsim-audit".to_owned())
            .spawn(move || {
                for chunk in queued {
                    audit.check(&chunk.requests, &chunk.answers, &chunk.evictions)?;
                    // The sender may have finished with us; nothing to reuse.
                    let _ = done.send(chunk);
                }
                Ok(audit)
            });
        let worker = worker.map_err(|error| {
            Error::Unsupported(format!("cannot start the audit's thread: {error}"))
        })?;
        Ok(Self {
            to_check: Some(to_check),
            checked,
            worker: Some(worker),
        })
    }

    /// Queues `requests` and what the cache reported of them for checking;
    /// `answers` and `evictions` are taken (left empty, to be refilled). An
    /// error is the first violation, found in this chunk or an earlier one.
    pub fn check(
        &mut self,
        requests: &[Request],
        answers: &mut Vec<Answer>,
        evictions: &mut Vec<Eviction>,
    ) -> Result<(), Error> {
        if self.worker.as_ref().is_some_and(JoinHandle::is_finished) {
            return self.join().map(drop);
        }
        let mut chunk = self.checked.try_recv().unwrap_or_default();
        chunk.requests.clear();
        chunk.requests.extend_from_slice(requests);
        core::mem::swap(&mut chunk.answers, answers);
        core::mem::swap(&mut chunk.evictions, evictions);
        let sent = self
            .to_check
            .as_ref()
            .is_some_and(|to_check| to_check.send(chunk).is_ok());
        if sent {
            return Ok(());
        }
        // The worker stopped: at a violation.
        self.join().map(drop)
    }

    /// Waits for every chunk queued to be checked; the audit, for its check
    /// of the final stats, or the first violation.
    pub fn finish(mut self) -> Result<Audit, Error> {
        self.join()
    }

    fn join(&mut self) -> Result<Audit, Error> {
        self.to_check = None;
        let worker = self
            .worker
            .take()
            .ok_or_else(|| Error::Unsupported("the audit has already stopped".to_owned()))?;
        worker
            .join()
            .unwrap_or_else(|_| Err(Error::Unsupported("the audit's thread panicked".to_owned())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A violation in a chunk queued earlier stops the pipeline: the next
    /// call, or `finish`, returns it, naming the request across chunks.
    #[test]
    fn a_violation_is_reported_with_its_request_a_chunk_later() {
        let mut pipeline = Pipeline::new(Audit::new("liar", 100, true)).unwrap();
        let first: Vec<Request> = (0..10).map(|id| Request::new(id, 1)).collect();
        let mut answers = vec![Answer::Admitted; 10];
        let mut evictions = Vec::new();
        pipeline
            .check(&first, &mut answers, &mut evictions)
            .unwrap();
        assert!(answers.is_empty(), "the answers were taken");
        // Ids 0 to 9 hit; 50, at the second chunk's index 3, was never
        // taken in.
        let mut second = first.clone();
        second[3] = Request::new(50, 1);
        let mut answers = vec![Answer::Hit; 10];
        let queued = pipeline.check(&second, &mut answers, &mut evictions);
        let error = match queued {
            Err(error) => error,
            Ok(()) => pipeline.finish().unwrap_err(),
        };
        assert_eq!(
            error.to_string(),
            "liar: failed the audit at request 13 (id 50): answered a hit for an object it does \
             not hold"
        );
    }

    /// Honest chunks come back as the audit, ready for the final stats.
    #[test]
    fn honest_chunks_finish_with_the_account() {
        let mut pipeline = Pipeline::new(Audit::new("honest", 4, true)).unwrap();
        for round in 0..3_u64 {
            let requests: Vec<Request> = (0..4).map(|id| Request::new(id, 1)).collect();
            let answer = if round == 0 {
                Answer::Admitted
            } else {
                Answer::Hit
            };
            let mut answers = vec![answer; 4];
            pipeline
                .check(&requests, &mut answers, &mut Vec::new())
                .unwrap();
        }
        let audit = pipeline.finish().unwrap();
        let stats = wsim_policies::Stats {
            requests: 12,
            hits: 8,
            bytes_requested: 12,
            bytes_hit: 8,
            evictions: 0,
            objects: 4,
            bytes_held: 4,
        };
        audit.check_stats(&stats).unwrap();
    }
}
