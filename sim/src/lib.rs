//! # wsim
//!
//! A trace-driven cache simulator whose replacement policies run natively
//! or, with the WebAssembly backends, as sandboxed plugins; and a study of
//! what that sandbox costs.
//!
//! This library is the `wsim` binary's engine room: the runner that
//! replays a trace (read by `wsim-traces`) through a
//! [`CachePolicy`](wsim_policies::CachePolicy) ([`run`]), and the table,
//! JSON and CSV reports ([`report`]).

pub mod args;
pub mod choice;
pub mod cli;
mod error;
pub mod execute;
pub mod figures;
#[cfg(feature = "wasm")]
pub mod inspect;
#[cfg(feature = "wasm")]
mod load;
pub mod micro;
pub mod plan;
pub mod plot;
pub mod progress;
pub mod report;
pub mod run;
pub mod units;

pub use error::Error;
