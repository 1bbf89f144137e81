//! The audit: the host's own account of what a cache holds, built from what
//! the cache reports, against which every answer is checked (`docs/ABI.md`,
//! "The audit").
//!
//! A cache that [reports](wsim_policies::CachePolicy::reports) (native, or
//! a guest of ABI version 3) gets the full audit: a hit only for an object
//! it holds, a miss only for one it does not, nothing larger than the
//! capacity taken in, evictions only of objects held, bytes held never
//! above the capacity, and final stats that agree with the account. One
//! that does not gets every check that needs no report: a hit only for an
//! object it may have taken in (requested before, no larger than the
//! capacity), and stats within what its misses allow.
//!
//! Refusing a miss is allowed (S3-FIFO, SLRU, 2Q, W-TinyLFU, GDSF, CLOCK-Pro
//! and LIRS all do, by their rules), but a cache that takes in none of the
//! objects that fit caches nothing, and fails.

mod held;
mod pipeline;
mod seen;

pub use self::pipeline::Pipeline;

use wsim_policies::{Answer, Eviction, Request, Stats};

use self::held::Held;
use self::seen::Seen;
use crate::Error;

/// How many requests ahead the full audit prefetches the slot a lookup
/// will probe: enough to cover a memory access behind a few requests'
/// work.
const PREFETCH_AHEAD: usize = 8;

/// The host's account of one run, and the checks against it.
#[derive(Debug)]
pub struct Audit {
    /// The module or policy, for errors.
    name: String,
    capacity: u64,
    /// Whether the cache reports (the full audit).
    full: bool,
    /// Full: the objects held, each with the size it was taken in at.
    held: Held,
    /// Full: the sum of their sizes.
    bytes: u128,
    /// Partial: every id requested so far no larger than the capacity,
    /// which the cache may hold.
    may_hold: Seen,
    /// Requests audited so far.
    served: u64,
    /// Full: objects taken in and evicted.
    admitted: u64,
    evicted: u64,
    /// Misses of objects no larger than the capacity.
    fitting_misses: u64,
}

impl Audit {
    /// An empty account of a cache of `capacity` bytes (objects, when sizes
    /// are ignored) named `name`; `full` when the cache reports.
    #[must_use]
    pub fn new(name: &str, capacity: u64, full: bool) -> Self {
        Self {
            name: name.to_owned(),
            capacity,
            full,
            held: Held::new(),
            bytes: 0,
            may_hold: Seen::new(),
            served: 0,
            admitted: 0,
            evicted: 0,
            fitting_misses: 0,
        }
    }

    /// Whether this is the full audit.
    #[must_use]
    pub const fn is_full(&self) -> bool {
        self.full
    }

    #[cold]
    fn violation(&self, index: usize, request: &Request, rule: String) -> Error {
        Error::Audit {
            module: self.name.clone(),
            at: format!(
                "at request {} (id {})",
                self.served + index as u64,
                request.id
            ),
            rule,
        }
    }

    /// Checks what the cache answered to `requests` and reported evicting
    /// (as [`CachePolicy::access_reported`] gives them), in order, and
    /// updates the account.
    ///
    /// [`CachePolicy::access_reported`]: wsim_policies::CachePolicy::access_reported
    pub fn check(
        &mut self,
        requests: &[Request],
        answers: &[Answer],
        evictions: &[Eviction],
    ) -> Result<(), Error> {
        let mut evicted = evictions.iter().enumerate().peekable();
        for (index, (request, &answer)) in requests.iter().zip(answers).enumerate() {
            if self.full {
                if let Some(ahead) = requests.get(index + PREFETCH_AHEAD) {
                    self.held.prefetch(ahead.id);
                }
                self.check_full(index, request, answer)?;
                while let Some((at, eviction)) =
                    evicted.next_if(|(_, eviction)| eviction.request as usize == index)
                {
                    // Victims are old objects, whose slots have gone cold.
                    if let Some(ahead) = evictions.get(at + PREFETCH_AHEAD) {
                        self.held.prefetch(ahead.id);
                    }
                    let Some(size) = self.held.remove(eviction.id) else {
                        return Err(self.violation(
                            index,
                            request,
                            format!("evicted object {}, which it does not hold", eviction.id),
                        ));
                    };
                    self.bytes -= u128::from(size);
                    self.evicted += 1;
                }
                if self.bytes > u128::from(self.capacity) {
                    return Err(self.violation(
                        index,
                        request,
                        format!(
                            "holds {} bytes, above the capacity of {}",
                            self.bytes, self.capacity
                        ),
                    ));
                }
            } else {
                self.check_partial(index, request, answer)?;
            }
            if !answer.is_hit() && request.size <= self.capacity {
                self.fitting_misses += 1;
            }
        }
        if let Some((_, eviction)) = evicted.next() {
            return Err(Error::Audit {
                module: self.name.clone(),
                at: format!("in the call from request {}", self.served),
                rule: format!(
                    "reported an eviction by request {} out of order or past the {} requests served",
                    eviction.request,
                    requests.len()
                ),
            });
        }
        self.served += requests.len() as u64;
        Ok(())
    }

    fn check_full(&mut self, index: usize, request: &Request, answer: Answer) -> Result<(), Error> {
        // One probe of the table per request, and one branch on the answer
        // (which the cache's own branch on hit or miss predicts no better).
        if answer == Answer::Admitted {
            if request.size > self.capacity {
                let rule = format!(
                    "took in an object of {} bytes, larger than the capacity of {}",
                    request.size, self.capacity
                );
                return Err(self.violation(index, request, rule));
            }
            if !self.held.insert_new(request.id, request.size) {
                return Err(self.miss_held(index, request));
            }
            self.bytes += u128::from(request.size);
            self.admitted += 1;
            return Ok(());
        }
        let holds = self.held.contains(request.id);
        if holds != answer.is_hit() {
            return Err(if holds {
                self.miss_held(index, request)
            } else {
                self.violation(
                    index,
                    request,
                    "answered a hit for an object it does not hold".to_owned(),
                )
            });
        }
        Ok(())
    }

    #[cold]
    fn miss_held(&self, index: usize, request: &Request) -> Error {
        self.violation(
            index,
            request,
            "answered a miss for an object it holds".to_owned(),
        )
    }

    fn check_partial(
        &mut self,
        index: usize,
        request: &Request,
        answer: Answer,
    ) -> Result<(), Error> {
        if answer.is_hit() && !self.may_hold.contains(request.id) {
            return Err(self.violation(
                index,
                request,
                "answered a hit for an object never taken in (never requested before, or only \
                 when larger than the capacity)"
                    .to_owned(),
            ));
        }
        if request.size <= self.capacity {
            self.may_hold.insert(request.id);
        }
        Ok(())
    }

    /// Checks the cache's final `stats` against the account.
    pub fn check_stats(&self, stats: &Stats) -> Result<(), Error> {
        let fail = |rule: String| {
            Err(Error::Audit {
                module: self.name.clone(),
                at: format!("at the end of the run ({} requests)", self.served),
                rule,
            })
        };
        if stats.bytes_held > self.capacity {
            return fail(format!(
                "its stats say {} bytes held, above the capacity of {}",
                stats.bytes_held, self.capacity
            ));
        }
        if stats.objects == 0 && stats.bytes_held > 0 {
            return fail(format!(
                "its stats say {} bytes held by no objects",
                stats.bytes_held
            ));
        }
        let admitted = if self.full {
            self.admitted
        } else {
            stats.objects.saturating_add(stats.evictions)
        };
        if self.fitting_misses > 0 && admitted == 0 {
            return fail(format!(
                "took in none of the {} missed objects that fit in the capacity: it caches nothing",
                self.fitting_misses
            ));
        }
        if self.full {
            let held = self.held.len() as u64;
            if stats.objects != held {
                return fail(format!(
                    "its stats say {} objects held; it took in {} and evicted {}, so holds {held}",
                    stats.objects, self.admitted, self.evicted
                ));
            }
            if stats.evictions != self.evicted {
                return fail(format!(
                    "its stats say {} evictions; it reported {}",
                    stats.evictions, self.evicted
                ));
            }
        } else if admitted > self.fitting_misses {
            return fail(format!(
                "its stats say {} objects held and {} evicted, more than the {} missed objects \
                 it could have taken in",
                stats.objects, stats.evictions, self.fitting_misses
            ));
        }
        Ok(())
    }
}
