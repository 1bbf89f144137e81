//! # wsim
//!
//! A trace-driven cache simulator whose replacement policies run natively
//! or, with the WebAssembly backends, as sandboxed plugins; and a study of
//! what that sandbox costs.
//!
//! This library is the `wsim` binary's engine room. Its key choice is that
//! a command line is resolved once into what runs where, then run, then
//! reported, with nothing patched after: [`args`] (clap derive; every list
//! of names comes from a registry's `ValueEnum` through [`choice`]) →
//! [`plan`] (the [`Selection`](plan::Selection) and its jobs) → [`execute`]
//! and [`run`] (each job a [`Backend::open`](wsim_backends::Backend::open)
//! of a trace read by `wsim-traces`, making a complete
//! [`Record`](run::Record)) → [`report`] and [`figures`]. [`micro`] is the
//! paper's micro-benchmark, with its own command and table.
//!
//! # Cargo features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `wasmer` | yes | wasmer (Cranelift), the guest modules |
//! | `wasmtime` | yes | wasmtime (Cranelift), the Component Model backends |
//! | `singlepass` | no | wasmer's Singlepass compiler |
//! | `wasmer-deadline` | no | `--deadline` on wasmer (its host interrupt, which makes every wasmer call dearer) |

pub mod args;
#[cfg(feature = "wasm")]
pub mod check;
pub mod choice;
pub mod cli;
mod error;
pub mod execute;
pub mod figures;
#[cfg(feature = "wasm")]
pub mod inspect;
#[cfg(feature = "wasm")]
mod load;
pub mod merge;
pub mod micro;
pub mod mrc;
pub mod new;
pub mod plan;
pub mod plot;
pub mod progress;
pub mod record;
pub mod report;
pub mod run;
pub mod tools;
pub mod units;

pub use error::{Error, ErrorKind};
