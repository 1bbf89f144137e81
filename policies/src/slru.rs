//! SLRU: segmented LRU, objects climbing a ladder of LRU lists.

use core::ops::Bound;

use crate::lists::{Entry, Lists, Queue};
use crate::{EvictionLog, EvictionPolicy, Held, ParamKind, Parameter, Params, Request, Victim};

/// `n-seg` LRU segments of equal size: a hit moves an object one segment
/// up, and a full segment pushes its least recent object one segment down;
/// the cache evicts from the lowest segment.
///
/// Karedla, Love and Wherry, "Caching Strategies to Improve Disk System
/// Performance" (IEEE Computer, 1994), generalised from two segments to
/// `n-seg`, as libcachesim 0.3.5's `SLRU` runs it (each segment gets
/// `capacity / n-seg` bytes, in integer division):
/// 1. a missed object larger than a segment is refused;
/// 2. a missed object enters the most recent end of the lowest segment
///    with room for it, which is not always the lowest (while the cache
///    fills, new objects land in higher segments); if none has room it
///    enters segment 0 anyway, which may then hold more than its share;
/// 3. a hit in the top segment moves the object to its most recent end;
///    a hit elsewhere moves it to the most recent end of the next segment
///    up, and while the object's segment holds more than its share, that
///    segment is cooled;
/// 4. cooling segment `i > 0` moves its least recent object to the most
///    recent end of segment `i - 1`, which is cooled in turn while over
///    its share; cooling segment 0 evicts (so a hit can evict);
/// 5. to evict, take the least recent object of the lowest segment that
///    holds any bytes.
#[derive(Debug, Clone)]
pub struct Slru {
    /// Each object's segment.
    lists: Lists<u8>,
    /// Lowest first.
    segments: Vec<Queue>,
    /// Every segment's share.
    share: u64,
    /// Objects a hit's cooling evicted, for reports.
    log: EvictionLog,
}

const N_SEG: Parameter = Parameter {
    name: "n-seg",
    kind: ParamKind::Integer,
    default: "4",
    about: "number of LRU segments, each an equal share of the capacity",
    // libCacheSim does not check it; 0 divides by zero there, and its
    // `seg-size` form caps the count at 16 (`SLRU_MAX_N_SEG`).
    range: (Bound::Included(1.0), Bound::Included(16.0)),
};

fn victim(entry: &Entry<u8>) -> Victim {
    Victim {
        id: entry.id,
        size: entry.size,
    }
}

impl Slru {
    fn bytes_of(&self, segment: usize) -> u64 {
        self.segments[segment].bytes
    }

    /// Moves `node` from the segment it is on to the most recent end of
    /// `to`.
    fn shift(&mut self, node: u32, to: usize) {
        let from = usize::from(self.lists.entry(node).meta);
        self.lists.unlink(&mut self.segments[from], node);
        #[expect(
            clippy::cast_possible_truncation,
            reason = "at most 16 segments, checked by the parameter's range"
        )]
        let tag = to as u8;
        *self.lists.meta_mut(node) = tag;
        self.lists.link(&mut self.segments[to], node);
    }

    /// Makes segment `segment` give up its least recent object.
    fn cool(&mut self, segment: usize) {
        if segment == 0 {
            if let Some(victim) = self.evict_lowest() {
                self.log.record(victim.id);
            }
            return;
        }
        let Some(node) = self.segments[segment].oldest() else {
            return;
        };
        self.shift(node, segment - 1);
        while self.bytes_of(segment - 1) > self.share {
            self.cool(segment - 1);
        }
    }

    fn evict_lowest(&mut self) -> Option<Victim> {
        let segment = self.segments.iter().position(|queue| queue.bytes > 0)?;
        let entry = self.lists.take_oldest(&mut self.segments[segment])?;
        Some(victim(&entry))
    }
}

impl EvictionPolicy for Slru {
    const NAME: &'static str = "slru";
    const LIBCACHESIM: &'static str = "SLRU";
    const PARAMETERS: &'static [Parameter] = &[N_SEG];

    fn configure(capacity: u64, params: &Params) -> Self {
        let count = params.integer(&N_SEG).clamp(1, 16).unsigned_abs();
        Self {
            lists: Lists::default(),
            segments: (0..count).map(|_| Queue::default()).collect(),
            share: capacity / count,
            log: EvictionLog::default(),
        }
    }

    #[inline]
    fn hit(&mut self, request: &Request) -> bool {
        let Some(node) = self.lists.find(request.id) else {
            return false;
        };
        let segment = usize::from(self.lists.entry(node).meta);
        let top = self.segments.len() - 1;
        if segment == top {
            self.lists.refresh(&mut self.segments[top], node);
            return true;
        }
        self.shift(node, segment + 1);
        // The object is the most recent of its segment and no larger than
        // a share, so cooling never moves or evicts it; look it up anew
        // all the same rather than trust a node that might have gone.
        while let Some(node) = self.lists.find(request.id) {
            let segment = usize::from(self.lists.entry(node).meta);
            if self.bytes_of(segment) <= self.share {
                break;
            }
            self.cool(segment);
        }
        true
    }

    #[inline]
    fn admissible(&mut self, request: &Request) -> bool {
        request.size <= self.share
    }

    fn evict(&mut self, _incoming: &Request) -> Option<Victim> {
        self.evict_lowest()
    }

    fn admit(&mut self, request: &Request) -> bool {
        let size = request.size;
        let lowest_with_room = self
            .segments
            .iter()
            .position(|queue| queue.bytes + size <= self.share);
        let segment = lowest_with_room.unwrap_or(0);
        #[expect(
            clippy::cast_possible_truncation,
            reason = "at most 16 segments, checked by the parameter's range"
        )]
        let tag = segment as u8;
        self.lists
            .push(&mut self.segments[segment], request.id, size, tag);
        true
    }

    fn len(&self) -> usize {
        self.lists.len()
    }

    fn bytes(&self) -> u64 {
        self.segments.iter().map(|queue| queue.bytes).sum()
    }

    fn evicted_elsewhere(&mut self) -> Option<&mut EvictionLog> {
        Some(&mut self.log)
    }

    fn audit(&self) -> Result<Held, String> {
        let mut listed = 0;
        for (segment, queue) in self.segments.iter().enumerate() {
            let name = format!("segment {segment}");
            let entries = self.lists.audit(queue, &name)?;
            if let Some(entry) = entries
                .iter()
                .find(|entry| usize::from(entry.meta) != segment)
            {
                return Err(format!(
                    "object {} is on {name}, tagged {}",
                    entry.id, entry.meta
                ));
            }
            // Only segment 0 may be left above its share (step 2).
            if segment > 0 && queue.bytes > self.share {
                return Err(format!(
                    "{name} holds {} bytes, above its share of {}",
                    queue.bytes, self.share
                ));
            }
            listed += entries.len();
        }
        if listed != self.lists.len() {
            return Err(format!(
                "{} objects indexed, {listed} on segments",
                self.lists.len()
            ));
        }
        Ok(Held {
            objects: self.lists.len() as u64,
            bytes: u128::from(self.bytes()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{outcomes, unit};

    fn run(capacity: u64, params: &str, trace: &[(u64, u64)]) -> String {
        outcomes::<Slru>(capacity, params, trace)
    }

    #[test]
    fn new_objects_fill_the_lowest_segment_with_room() {
        // C = 4, segments of 1: 1..4 land in segments 0..3. 1 hits and
        // climbs to 1, cooling 2 down to 0; 5 evicts 2 (segment 0's);
        // 1 climbs to 2, cooling 3 to 1; 2 and 6 each evict segment 0's
        // only object; 1 climbs to the top, cooling 4 to 2.
        // Checked with libcachesim 0.3.5.
        let trace = unit(&[1, 2, 3, 4, 1, 5, 1, 2, 6, 1]);
        assert_eq!(run(4, "", &trace), "MMMMHMHMMH");
        // 5 evicts 1 and enters segment 0; 4 hits in the top segment, 3
        // climbs there. Had every new object entered segment 0 (one byte),
        // each would have evicted the one before, and 4 and 3 would miss.
        assert_eq!(run(4, "", &unit(&[1, 2, 3, 4, 5, 4, 3])), "MMMMMHH");
    }

    #[test]
    fn a_hit_can_evict_through_the_cooling_cascade() {
        // C = 5, n-seg = 2: segments of 2. 1, 2 fill segment 0, 3, 4
        // segment 1; 5 finds no room and enters segment 0 anyway (3
        // bytes). 1 climbs: segment 1 (3 bytes) cools 3 down onto segment
        // 0, still 3 bytes: cooling segment 0 evicts its oldest, 2, so the
        // hit evicts and 2 then misses. Checked with libcachesim 0.3.5.
        assert_eq!(run(5, "n-seg=2", &unit(&[1, 2, 3, 4, 5, 1, 2])), "MMMMMHM");
        // C = 4: the same climbs stay within segment 0's share.
        assert_eq!(
            run(4, "n-seg=2", &unit(&[1, 2, 3, 4, 1, 2, 3, 4])),
            "MMMMHHHH"
        );
        // One segment is plain LRU.
        assert_eq!(run(3, "n-seg=1", &unit(&[1, 2, 3, 1, 4, 2, 1])), "MMMHMMH");
        // Objects larger than a segment are never cached.
        assert_eq!(
            run(8, "", &[(0, 3), (0, 3), (u64::MAX, 2), (u64::MAX, 2)]),
            "MMMH"
        );
        assert_eq!(run(3, "", &unit(&[7, 7])), "MM");
    }
}
