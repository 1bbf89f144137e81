//! SIEVE as a wsim policy plugin: the policy in `sieve.rs`, and one line
//! that exports it under every wsim ABI when built for wasm32.

mod sieve;

pub use sieve::Sieve;

wsim_policies::export_policy!(Sieve);
