//! The one error type of `wsim-backends`, and the words for a guest's
//! status codes.

#[cfg(feature = "wasm")]
use wsim_engine::Guest;
#[cfg(feature = "wasm")]
use wsim_policies::wire::{self, Status};

/// Everything that can go wrong running a policy under a backend.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Loading, calling or touching the guest failed.
    #[cfg(feature = "wasm")]
    #[error(transparent)]
    Engine(#[from] wsim_engine::Error),
    /// An export returned a status code instead of a result.
    #[error("{module}: export `{export}` returned {code}: {meaning}")]
    Status {
        /// The module.
        module: String,
        /// The export.
        export: &'static str,
        /// The code it returned.
        code: i32,
        /// What the code means.
        meaning: String,
    },
    /// The guest speaks a version of the ABI the host does not.
    #[error(
        "{module}: export `abi_version` says ABI version {found}; this wsim speaks versions {oldest} to {newest}"
    )]
    AbiVersion {
        /// The module.
        module: String,
        /// The version the guest exports.
        found: i32,
        /// The oldest version the host speaks.
        oldest: i32,
        /// The newest.
        newest: i32,
    },
    /// Guest code panicked (a Rust guest aborts with an `unreachable` trap;
    /// its `panic_message` export said why).
    #[error("{module}: export `{export}` panicked: {message}")]
    Panic {
        /// The module.
        module: String,
        /// The export called.
        export: String,
        /// What the guest's panic said.
        message: String,
    },
    /// A cache broke the cache contract: the audit's first violation.
    #[error("{module}: failed the audit {at}: {rule}")]
    Audit {
        /// The module or policy.
        module: String,
        /// Where: the request's index and id, or the end of the run.
        at: String,
        /// The rule broken.
        rule: String,
    },
    /// A policy's own consistency check failed.
    #[error(transparent)]
    Policy(#[from] wsim_policies::Error),
    /// A backend asked for what it cannot run: a native run of a module of
    /// the user's, say, or a backend this build leaves out.
    #[error("{0}")]
    Unsupported(String),
    /// The guest answered something the ABI does not allow.
    #[error("{module}: export `{export}` broke the ABI: {what}")]
    Protocol {
        /// The module.
        module: String,
        /// The export.
        export: &'static str,
        /// How.
        what: String,
    },
}

impl From<core::convert::Infallible> for Error {
    fn from(never: core::convert::Infallible) -> Self {
        match never {}
    }
}

/// The error for an export that returned status `code`.
#[cfg(feature = "wasm")]
pub(crate) fn status_error(guest: &Guest, export: &'static str, code: i32) -> Error {
    let meaning = Status::from_code(code).map_or_else(
        || "not a status the ABI defines".to_owned(),
        |status| status.meaning().to_owned(),
    );
    Error::Status {
        module: guest.module().to_owned(),
        export,
        code,
        meaning,
    }
}

/// Reads an `access*` result in `version`: 1 hit, 0 miss (version 3: the
/// low bits of [`wire::encode_answer`]); anything else a status.
#[cfg(feature = "wasm")]
#[inline]
pub(crate) fn hit_or_miss(
    guest: &Guest,
    export: &'static str,
    version: crate::Version,
    code: i32,
) -> Result<bool, Error> {
    if version.reports() {
        return wire::decode_answer(code)
            .map(|(answer, _)| answer.is_hit())
            .ok_or_else(|| answer_error(guest, export, code));
    }
    match code {
        0 => Ok(false),
        1 => Ok(true),
        code => Err(status_error(guest, export, code)),
    }
}

/// The error for a version 3 answer code that names no answer.
#[cfg(feature = "wasm")]
#[cold]
pub(crate) fn answer_error(guest: &Guest, export: &'static str, code: i32) -> Error {
    if code < 0 {
        return status_error(guest, export, code);
    }
    Error::Protocol {
        module: guest.module().to_owned(),
        export,
        what: format!("returned {code}, whose low bits (3) say both a hit and a miss taken in"),
    }
}
