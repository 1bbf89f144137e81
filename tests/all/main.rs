//! wsim's integration tests, built as one binary (as wasmtime does) so the
//! workspace links them once.
//!
//! - `equivalence`: every backend against native on random traces;
//! - `golden`: hand-checked traces with every request's hit or miss, through
//!   every backend;
//! - `libcachesim`: hit counts on the CloudPhysics trace that libCacheSim's
//!   own simulator reports;
//! - `reference`: random traces against a naive model of DESIGN.md's contract;
//! - `readers`: every trace format, and the ways a trace can be broken;
//! - `cli`: the `wsim` binary end to end, and bad traces and CLI values;
//! - `tools`: `wsim convert` and `analyze`, the replay options, detection,
//!   binary layouts and broken lcs and vscsi files;
//! - `mrc`: `wsim mrc`, its curves against full simulations;
//! - `hostile`: hostile plugins, each a clean one-line error;
//! - `plugins`: the C policies and the Rust example crate in `examples/`, and
//!   `wsim inspect`;
//! - `check`: `wsim check`, the conformance suite for plugins;
//! - `new`: `wsim new`, a plugin project in each language from an empty
//!   directory to `wsim run`.

#![allow(
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    clippy::cast_sign_loss,
    reason = "a test fails by panicking, and its data are small by construction"
)]

mod check;
mod cli;
mod equivalence;
mod golden;
mod hostile;
mod libcachesim;
mod mrc;
mod new;
mod plugins;
mod readers;
mod reference;
mod shard;
mod support;
mod tools;
