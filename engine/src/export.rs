//! Typed exports, found once or on every call, on either runtime.

use std::borrow::Cow;

use crate::types::{Params, Results};
use crate::{Error, FunctionInner, Guest};

/// A typed function handle of one runtime. Made by [`Guest::export`] and
/// only ever called on the guest that made it.
#[derive(Clone)]
pub struct Function<P: Params, R: Results>(pub(crate) FunctionInner<P, R>);

impl<P: Params, R: Results> std::fmt::Debug for Function<P, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Function({})", self.0.runtime())
    }
}

/// The lookups as values, for command lines and reports: each names one
/// [`Lookup`] type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LookupKind {
    /// [`Cached`].
    Cached,
    /// [`Uncached`].
    Uncached,
}

impl LookupKind {
    /// Every lookup, in report order.
    pub const ALL: [Self; 2] = [Self::Cached, Self::Uncached];

    /// The lookup's name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Cached => Cached::NAME,
            Self::Uncached => Uncached::NAME,
        }
    }

    /// The lookup in a few words, for help texts.
    #[must_use]
    pub const fn about(self) -> &'static str {
        match self {
            Self::Cached => "each export resolved once, at load, its handle kept",
            Self::Uncached => "each export looked up by name on every call",
        }
    }
}

impl std::fmt::Display for LookupKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How a backend finds an export: once, or on every call. Implemented by
/// [`Cached`] and [`Uncached`] only.
pub trait Lookup: Sized + Send + 'static {
    /// `cached` or `uncached`.
    const NAME: &'static str;
    /// This lookup as a value.
    const KIND: LookupKind;
    /// What [`Export`] keeps of the resolved function.
    type Kept<P: Params, R: Results>: Clone + Send;
    /// Keeps (or drops) the function resolved at load.
    fn keep<P: Params, R: Results>(function: Function<P, R>) -> Self::Kept<P, R>;
    /// The function to call now.
    fn function<'e, P: Params, R: Results>(
        guest: &mut Guest,
        export: &'e Export<P, R, Self>,
    ) -> Result<Cow<'e, Function<P, R>>, Error>;
}

/// Exports resolved once, at load, and the typed handle kept: the hot path
/// is the call and nothing else.
#[derive(Debug, Clone, Copy)]
pub struct Cached;

/// Exports looked up by name on every call (and type-checked again), as the
/// paper's uncached configurations did. Still checked once at load, so a
/// missing export fails there and not mid-run.
#[derive(Debug, Clone, Copy)]
pub struct Uncached;

impl Lookup for Cached {
    const NAME: &'static str = "cached";
    const KIND: LookupKind = LookupKind::Cached;
    type Kept<P: Params, R: Results> = Function<P, R>;

    fn keep<P: Params, R: Results>(function: Function<P, R>) -> Function<P, R> {
        function
    }

    #[inline]
    fn function<'e, P: Params, R: Results>(
        _: &mut Guest,
        export: &'e Export<P, R, Self>,
    ) -> Result<Cow<'e, Function<P, R>>, Error> {
        Ok(Cow::Borrowed(&export.kept))
    }
}

impl Lookup for Uncached {
    const NAME: &'static str = "uncached";
    const KIND: LookupKind = LookupKind::Uncached;
    type Kept<P: Params, R: Results> = ();

    fn keep<P: Params, R: Results>(_: Function<P, R>) {}

    #[inline]
    fn function<'e, P: Params, R: Results>(
        guest: &mut Guest,
        export: &'e Export<P, R, Self>,
    ) -> Result<Cow<'e, Function<P, R>>, Error> {
        guest
            .typed_function(export.name)
            .map(|function| Cow::Owned(Function(function)))
    }
}

/// A function export of signature `P -> R`, resolved and type-checked at
/// load, found again per call or not as `L` says.
pub struct Export<P: Params, R: Results, L: Lookup> {
    name: &'static str,
    pub(crate) kept: L::Kept<P, R>,
}

impl<P: Params, R: Results, L: Lookup> Clone for Export<P, R, L> {
    fn clone(&self) -> Self {
        Self {
            name: self.name,
            kept: self.kept.clone(),
        }
    }
}

impl<P: Params, R: Results, L: Lookup> std::fmt::Debug for Export<P, R, L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Export")
            .field("name", &self.name)
            .field("lookup", &L::NAME)
            .finish()
    }
}

impl<P: Params, R: Results, L: Lookup> Export<P, R, L> {
    pub(crate) const fn new(name: &'static str, kept: L::Kept<P, R>) -> Self {
        Self { name, kept }
    }

    /// The export's name.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        self.name
    }
}

/// Exports are resolved and called through the guest that holds them.
impl Guest {
    /// Resolves and type-checks the function export `name`, to be looked up
    /// again on every call or not as `L` says.
    pub fn export<P: Params, R: Results, L: Lookup>(
        &mut self,
        name: &'static str,
    ) -> Result<Export<P, R, L>, Error> {
        let function = Function(self.typed_function::<P, R>(name)?);
        Ok(Export::new(name, L::keep(function)))
    }

    /// Calls an export; a trap becomes [`Error::Trap`] naming it, running
    /// out of fuel [`Error::FuelExhausted`].
    #[inline(always)]
    pub fn call<P: Params, R: Results, L: Lookup>(
        &mut self,
        export: &Export<P, R, L>,
        params: P,
    ) -> Result<R, Error> {
        let function = L::function(self, export)?;
        self.call_function(export.name(), &function.0, params)
    }
}
