//! The one error type of the `wsim` library.

use std::io;
use std::path::PathBuf;

/// Everything that can go wrong reading traces, running and reporting.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened or created.
    #[error("{path}: {error}", path = path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        error: io::Error,
    },
    /// Reading, writing or generating a trace failed.
    #[error(transparent)]
    Trace(#[from] wsim_traces::Error),
    /// Writing a report or a figure failed.
    #[error("{path}: write failed: {error}", path = path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        error: io::Error,
    },
    /// A policy's own consistency check failed after a run.
    #[error(transparent)]
    Policy(#[from] wsim_policies::Error),
    /// A backend failed: a guest trapped, misbehaved or would not load.
    #[error(transparent)]
    Guest(#[from] wsim_backends::Error),
    /// A module could not be compiled or loaded.
    #[error(transparent)]
    Engine(#[from] wsim_backends::engine::Error),
    /// A run stopped by a guest's failure, with how far it got.
    #[error("{error} (the run had served at least {served} requests)")]
    Stopped {
        /// What stopped it.
        error: Box<Self>,
        /// Requests served before.
        served: u64,
    },
    /// A value that makes no sense, such as an empty size list.
    #[error("{0}")]
    Invalid(String),
}

impl From<core::convert::Infallible> for Error {
    fn from(never: core::convert::Infallible) -> Self {
        match never {}
    }
}
