//! {{Type}} natively, before it goes into the sandbox: the cache contract on
//! the hand-made traces `wsim check` uses, and a trace checked by hand.
//! `cargo test` runs them.

use wsim_policies::conformance;
use wsim_policies::{Params, Request};
use {{crate}}::{{Type}};

#[test]
fn keeps_the_cache_contract() {
    if let Err(why) = conformance::check::<{{Type}}>() {
        panic!("{why}");
    }
}

/// Two objects fit; ids 1 2 1 3 2 1, each of size 1. Work out by hand what
/// your policy answers, and write it here: FIFO takes 1 and 2 in, hits 1,
/// evicts 1 (the first in) for 3, hits 2, and misses 1.
#[test]
fn a_trace_checked_by_hand() {
    let requests: Vec<Request> = [1, 2, 1, 3, 2, 1]
        .into_iter()
        .map(|id| Request::new(id, 1))
        .collect();
    let hits = conformance::replay::<{{Type}}>(2, &Params::default(), &requests)
        .unwrap_or_else(|why| panic!("{why}"));
    assert_eq!(hits, [false, false, true, false, true, false]);
}
