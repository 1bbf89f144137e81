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
    /// A module of the user's lacks what its ABI or the run needs, or broke
    /// the cache contract in a way the host saw.
    #[error("{0}")]
    Module(String),
}

impl From<core::convert::Infallible> for Error {
    fn from(never: core::convert::Infallible) -> Self {
        match never {}
    }
}

/// What kind of thing went wrong, for callers that sort errors (the Python
/// module raises a subclass of `WsimError` per kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A trace could not be opened, read or parsed.
    Trace,
    /// A WebAssembly module would not load, trapped, looped or lied.
    Plugin,
    /// A policy's parameters or its own consistency check.
    Policy,
    /// Arguments that make no sense together, or name nothing.
    Usage,
    /// Anything else (a report that could not be written, say).
    Other,
}

impl ErrorKind {
    /// The kind of `error`: the first cause in its chain that says. An
    /// error of words alone (`anyhow::bail!`) is the command line's own
    /// check of its arguments: usage.
    #[must_use]
    pub fn of(error: &anyhow::Error) -> Self {
        error
            .chain()
            .find_map(Self::of_cause)
            .unwrap_or(Self::Usage)
    }

    /// The kind of one of this crate's errors.
    #[must_use]
    pub fn of_error(error: &Error) -> Self {
        match error {
            Error::Trace(_) => Self::Trace,
            // Opening or writing a report, not a trace.
            Error::Open { .. } | Error::Write { .. } => Self::Other,
            Error::Policy(_) => Self::Policy,
            Error::Guest(_) | Error::Engine(_) | Error::Module(_) => Self::Plugin,
            Error::Stopped { error, .. } => Self::of_error(error),
            Error::Invalid(_) => Self::Usage,
        }
    }

    fn of_cause(cause: &(dyn std::error::Error + 'static)) -> Option<Self> {
        if let Some(error) = cause.downcast_ref::<Error>() {
            return Some(Self::of_error(error));
        }
        if let Some(failed) = cause.downcast_ref::<crate::execute::RunsFailed>() {
            return Some(failed.kind);
        }
        if cause.is::<wsim_traces::Error>() {
            Some(Self::Trace)
        } else if cause.is::<wsim_backends::Error>() || cause.is::<wsim_backends::engine::Error>() {
            Some(Self::Plugin)
        } else if cause.is::<wsim_policies::Error>() {
            Some(Self::Policy)
        } else if cause.is::<clap::Error>() {
            Some(Self::Usage)
        } else if cause.is::<std::io::Error>() || cause.is::<serde_json::Error>() {
            Some(Self::Other)
        } else {
            None
        }
    }
}
