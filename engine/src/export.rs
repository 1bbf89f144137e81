//! Typed exports, found once or on every call.

use std::borrow::Cow;

use wasmer::{RuntimeError, Store, TypedFunction, WasmTypeList};

use crate::{Error, Guest};

/// How a backend finds an export: once, or on every call. Implemented by
/// [`Cached`] and [`Uncached`] only.
pub trait Lookup: Sized + Send + 'static {
    /// `cached` or `uncached`.
    const NAME: &'static str;
    /// What [`Export`] keeps of the resolved function.
    type Kept<P: Params, R: Results>: Clone + Send;
    /// Keeps (or drops) the function resolved at load.
    fn keep<P: Params, R: Results>(function: TypedFunction<P, R>) -> Self::Kept<P, R>;
    /// The function to call now.
    fn function<'e, P: Params, R: Results>(
        guest: &Guest,
        export: &'e Export<P, R, Self>,
    ) -> Result<Cow<'e, TypedFunction<P, R>>, Error>;
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
    type Kept<P: Params, R: Results> = TypedFunction<P, R>;

    fn keep<P: Params, R: Results>(function: TypedFunction<P, R>) -> TypedFunction<P, R> {
        function
    }

    #[inline]
    fn function<'e, P: Params, R: Results>(
        _: &Guest,
        export: &'e Export<P, R, Self>,
    ) -> Result<Cow<'e, TypedFunction<P, R>>, Error> {
        Ok(Cow::Borrowed(&export.kept))
    }
}

impl Lookup for Uncached {
    const NAME: &'static str = "uncached";
    type Kept<P: Params, R: Results> = ();

    fn keep<P: Params, R: Results>(_: TypedFunction<P, R>) {}

    #[inline]
    fn function<'e, P: Params, R: Results>(
        guest: &Guest,
        export: &'e Export<P, R, Self>,
    ) -> Result<Cow<'e, TypedFunction<P, R>>, Error> {
        guest.typed_function(export.name).map(Cow::Owned)
    }
}

/// A function export of signature `P -> R`, resolved and type-checked at
/// load, found again per call or not as `L` says.
pub struct Export<P: Params, R: Results, L: Lookup> {
    name: &'static str,
    kept: L::Kept<P, R>,
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

/// Result lists an export can return.
pub trait Results: WasmTypeList + Clone + Send + 'static {}

impl<T: WasmTypeList + Clone + Send + 'static> Results for T {}

/// Parameter lists an export can take: wasmer's typed calls are one method
/// per arity, and this trait picks the right one for a tuple.
pub trait Params: WasmTypeList + Clone + Send + 'static {
    /// Calls `function` with these parameters.
    fn call<R: Results>(
        self,
        function: &TypedFunction<Self, R>,
        store: &mut Store,
    ) -> Result<R, RuntimeError>;
}

impl Params for () {
    #[inline]
    fn call<R: Results>(
        self,
        function: &TypedFunction<Self, R>,
        store: &mut Store,
    ) -> Result<R, RuntimeError> {
        function.call(store)
    }
}

macro_rules! single_params {
    ($($ty:ty),*) => {$(
        impl Params for $ty {
            #[inline]
            fn call<R: Results>(self, function: &TypedFunction<Self, R>, store: &mut Store) -> Result<R, RuntimeError> {
                function.call(store, self)
            }
        }
    )*};
}

macro_rules! pair_params {
    ($(($a:ty, $b:ty)),*) => {$(
        impl Params for ($a, $b) {
            #[inline]
            fn call<R: Results>(self, function: &TypedFunction<Self, R>, store: &mut Store) -> Result<R, RuntimeError> {
                function.call(store, self.0, self.1)
            }
        }
    )*};
}

single_params!(i32, i64);
pair_params!((i32, i32), (i64, i64), (i32, i64), (i64, i32));
