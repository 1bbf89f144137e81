//! [`TraceReader`]: a [`Trace`](crate::Trace)'s requests as a replay takes
//! them: the first `--num-req` of the source, spatially sampled
//! (`--sample-ratio`), sizes ignored or not, each carrying its next access
//! when one was computed.

use std::sync::Arc;

use wsim_policies::Request;

use crate::sample::SpatialSampler;
use crate::{Error, RequestReader};

/// Which requests of a trace a replay takes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Replay {
    /// Only the first this many requests of the source (size-0 requests,
    /// which every reader skips, not counted; counted before sampling, as
    /// libCacheSim's `--num-req` is).
    pub num_req: Option<u64>,
    /// Only the objects this sampler keeps.
    pub sample: Option<SpatialSampler>,
    /// The first this many requests replayed (after the limit and the
    /// sample) warm the cache up: they are served but not counted. The
    /// reader hands them out like the others; a simulation skips counting
    /// them.
    pub warmup: u64,
}

/// Reads a [`Trace`](crate::Trace) as its [`Replay`] says, applying
/// `--ignore-size` and, when computed, each request's next access.
pub struct TraceReader {
    inner: Box<dyn RequestReader>,
    ignore_size: bool,
    next_access: Option<Arc<[i64]>>,
    replay: Replay,
    /// Requests of the source taken so far, before sampling.
    taken: u64,
    /// Requests handed out so far.
    read: usize,
    /// The clock times of the last chunk, when the source has them.
    times: Option<Vec<u64>>,
}

impl std::fmt::Debug for TraceReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TraceReader")
            .field("ignore_size", &self.ignore_size)
            .field("replay", &self.replay)
            .finish_non_exhaustive()
    }
}

impl TraceReader {
    pub(crate) fn new(
        inner: Box<dyn RequestReader>,
        ignore_size: bool,
        next_access: Option<Arc<[i64]>>,
        replay: Replay,
    ) -> Self {
        Self {
            inner,
            ignore_size,
            next_access,
            replay,
            taken: 0,
            read: 0,
            times: None,
        }
    }

    /// Fills `out` from the source with the next requests the replay
    /// takes, keeping their times in step; false once the source is done.
    fn take(&mut self, out: &mut Vec<Request>) -> Result<bool, Error> {
        let left = self
            .replay
            .num_req
            .map_or(u64::MAX, |limit| limit - self.taken);
        if left == 0 {
            out.clear();
            if let Some(times) = &mut self.times {
                times.clear();
            }
            return Ok(false);
        }
        self.inner.fill(out)?;
        let mut times = self.times.take();
        match (self.inner.times(), &mut times) {
            (Some(inner), Some(times)) => {
                times.clear();
                times.extend_from_slice(inner);
            }
            (Some(inner), None) => times = Some(inner.to_vec()),
            (None, _) => times = None,
        }
        if out.is_empty() {
            return Ok(false);
        }
        if let Ok(left) = usize::try_from(left)
            && out.len() > left
        {
            out.truncate(left);
        }
        self.taken += out.len() as u64;
        if let Some(sampler) = self.replay.sample {
            let mut kept = 0;
            for index in 0..out.len() {
                if sampler.keeps(out[index].id) {
                    out[kept] = out[index];
                    if let Some(times) = &mut times {
                        times[kept] = times[index];
                    }
                    kept += 1;
                }
            }
            out.truncate(kept);
        }
        if let Some(times) = &mut times {
            times.truncate(out.len());
        }
        self.times = times;
        Ok(true)
    }
}

impl RequestReader for TraceReader {
    fn fill(&mut self, out: &mut Vec<Request>) -> Result<(), Error> {
        // A chunk the sample leaves empty is not the end of the trace.
        while self.take(out)? && out.is_empty() {}
        if self.ignore_size {
            for request in out.iter_mut() {
                request.size = 1;
            }
        }
        if let Some(next) = &self.next_access {
            let known = next.get(self.read..).unwrap_or_default();
            for (request, &next) in out.iter_mut().zip(known) {
                request.next_access = next;
            }
        }
        self.read += out.len();
        Ok(())
    }

    fn skipped(&self) -> u64 {
        self.inner.skipped()
    }

    fn keep_times(&mut self) {
        self.inner.keep_times();
    }

    fn times(&self) -> Option<&[u64]> {
        self.times.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Trace;

    fn ids(trace: &Trace) -> Vec<u64> {
        let mut reader = trace.reader().unwrap();
        let (mut all, mut chunk) = (Vec::new(), Vec::new());
        loop {
            reader.fill(&mut chunk).unwrap();
            if chunk.is_empty() {
                return all;
            }
            all.extend(chunk.iter().map(|request| request.id));
        }
    }

    fn trace(requests: u64) -> Trace {
        let requests = (0..requests)
            .map(|index| Request::new(index % 1000, 1))
            .collect();
        Trace::in_memory("t", "t", requests, false)
    }

    #[test]
    fn num_req_takes_the_first_requests_across_chunks() {
        let limit = crate::CHUNK as u64 + 5;
        let trace = trace(3 * crate::CHUNK as u64).with_replay(Replay {
            num_req: Some(limit),
            ..Replay::default()
        });
        let expected: Vec<u64> = (0..limit).map(|index| index % 1000).collect();
        assert_eq!(ids(&trace), expected);
        assert_eq!(trace.len_hint(), Some(limit));
    }

    #[test]
    fn a_sample_keeps_whole_objects_and_counts_before_the_limit() {
        let sampler = SpatialSampler::new(0.1).unwrap();
        let all = trace(20_000);
        let sampled = all.clone().with_replay(Replay {
            sample: Some(sampler),
            ..Replay::default()
        });
        let kept = ids(&sampled);
        let expected: Vec<u64> = ids(&all)
            .into_iter()
            .filter(|&id| sampler.keeps(id))
            .collect();
        assert_eq!(kept, expected);
        // Roughly a tenth of the 1000 objects, each with all its requests.
        assert!((50..150).contains(&(kept.len() / 20)), "{}", kept.len());
        // The limit counts requests before sampling, as libCacheSim's does.
        let capped = all.with_replay(Replay {
            num_req: Some(1000),
            sample: Some(sampler),
            ..Replay::default()
        });
        let expected: Vec<u64> = (0..1000).filter(|&id| sampler.keeps(id)).collect();
        assert_eq!(ids(&capped), expected);
    }
}
