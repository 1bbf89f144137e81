//! Typed exports, found once or on every call, on either runtime.

use std::borrow::Cow;

use crate::{Error, Guest};

/// A typed function handle of one runtime. Made by [`Guest::export`] and
/// only ever called on the guest that made it.
pub struct Function<P: Params, R: Results>(pub(crate) FunctionInner<P, R>);

pub(crate) enum FunctionInner<P: Params, R: Results> {
    #[cfg(feature = "wasmer")]
    Wasmer(wasmer::TypedFunction<P, R>),
    #[cfg(feature = "wasmtime")]
    Wasmtime(wasmtime::TypedFunc<P, R>),
}

impl<P: Params, R: Results> std::fmt::Debug for Function<P, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match &self.0 {
            #[cfg(feature = "wasmer")]
            FunctionInner::Wasmer(_) => "Function(wasmer)",
            #[cfg(feature = "wasmtime")]
            FunctionInner::Wasmtime(_) => "Function(wasmtime)",
        })
    }
}

impl<P: Params, R: Results> Clone for Function<P, R> {
    fn clone(&self) -> Self {
        Self(match &self.0 {
            #[cfg(feature = "wasmer")]
            FunctionInner::Wasmer(function) => FunctionInner::Wasmer(function.clone()),
            #[cfg(feature = "wasmtime")]
            FunctionInner::Wasmtime(function) => FunctionInner::Wasmtime(function.clone()),
        })
    }
}

/// How a backend finds an export: once, or on every call. Implemented by
/// [`Cached`] and [`Uncached`] only.
pub trait Lookup: Sized + Send + 'static {
    /// `cached` or `uncached`.
    const NAME: &'static str;
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
    type Kept<P: Params, R: Results> = ();

    fn keep<P: Params, R: Results>(_: Function<P, R>) {}

    #[inline]
    fn function<'e, P: Params, R: Results>(
        guest: &mut Guest,
        export: &'e Export<P, R, Self>,
    ) -> Result<Cow<'e, Function<P, R>>, Error> {
        guest.typed_function(export.name).map(Cow::Owned)
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

/// The wasm value types of a parameter or result list, for error messages.
pub trait WasmTypes {
    /// The types, as wasm spells them (`I64`).
    const TYPES: &'static [&'static str];

    /// `[I64, I64]`.
    #[must_use]
    fn describe() -> String {
        format!("[{}]", Self::TYPES.join(", "))
    }
}

/// What wasmer asks of a typed function's parameters or results; nothing
/// when wasmer is not built.
#[cfg(feature = "wasmer")]
pub trait WasmerTypes: wasmer::WasmTypeList {}
#[cfg(feature = "wasmer")]
impl<T: wasmer::WasmTypeList> WasmerTypes for T {}
/// What wasmer asks of a typed function's parameters or results; nothing
/// when wasmer is not built.
#[cfg(not(feature = "wasmer"))]
pub trait WasmerTypes {}
#[cfg(not(feature = "wasmer"))]
impl<T> WasmerTypes for T {}

/// What wasmtime asks of a typed function's parameters; nothing when
/// wasmtime is not built.
#[cfg(feature = "wasmtime")]
pub trait WasmtimeParams: wasmtime::WasmParams {}
#[cfg(feature = "wasmtime")]
impl<T: wasmtime::WasmParams> WasmtimeParams for T {}
/// What wasmtime asks of a typed function's parameters; nothing when
/// wasmtime is not built.
#[cfg(not(feature = "wasmtime"))]
pub trait WasmtimeParams {}
#[cfg(not(feature = "wasmtime"))]
impl<T> WasmtimeParams for T {}

/// What wasmtime asks of a typed function's results; nothing when wasmtime
/// is not built.
#[cfg(feature = "wasmtime")]
pub trait WasmtimeResults: wasmtime::WasmResults {}
#[cfg(feature = "wasmtime")]
impl<T: wasmtime::WasmResults> WasmtimeResults for T {}
/// What wasmtime asks of a typed function's results; nothing when wasmtime
/// is not built.
#[cfg(not(feature = "wasmtime"))]
pub trait WasmtimeResults {}
#[cfg(not(feature = "wasmtime"))]
impl<T> WasmtimeResults for T {}

/// Result lists an export can return.
pub trait Results: WasmTypes + WasmerTypes + WasmtimeResults + Clone + Send + 'static {}

impl<T: WasmTypes + WasmerTypes + WasmtimeResults + Clone + Send + 'static> Results for T {}

/// Parameter lists an export can take. wasmer's typed calls are one method
/// per arity, and this trait picks the right one for a tuple; wasmtime
/// takes the tuple as it is.
pub trait Params: WasmTypes + WasmerTypes + WasmtimeParams + Clone + Send + 'static {
    /// Calls `function` with these parameters.
    #[cfg(feature = "wasmer")]
    fn call_wasmer<R: Results>(
        self,
        function: &wasmer::TypedFunction<Self, R>,
        store: &mut wasmer::Store,
    ) -> Result<R, wasmer::RuntimeError>;
}

impl WasmTypes for () {
    const TYPES: &'static [&'static str] = &[];
}

impl Params for () {
    #[cfg(feature = "wasmer")]
    #[inline]
    fn call_wasmer<R: Results>(
        self,
        function: &wasmer::TypedFunction<Self, R>,
        store: &mut wasmer::Store,
    ) -> Result<R, wasmer::RuntimeError> {
        function.call(store)
    }
}

macro_rules! single_params {
    ($($ty:ty => $name:literal),*) => {$(
        impl WasmTypes for $ty {
            const TYPES: &'static [&'static str] = &[$name];
        }

        impl Params for $ty {
            #[cfg(feature = "wasmer")]
            #[inline]
            fn call_wasmer<R: Results>(
                self,
                function: &wasmer::TypedFunction<Self, R>,
                store: &mut wasmer::Store,
            ) -> Result<R, wasmer::RuntimeError> {
                function.call(store, self)
            }
        }
    )*};
}

macro_rules! pair_params {
    ($(($a:ty, $b:ty) => [$first:literal, $second:literal]),*) => {$(
        impl WasmTypes for ($a, $b) {
            const TYPES: &'static [&'static str] = &[$first, $second];
        }

        impl Params for ($a, $b) {
            #[cfg(feature = "wasmer")]
            #[inline]
            fn call_wasmer<R: Results>(
                self,
                function: &wasmer::TypedFunction<Self, R>,
                store: &mut wasmer::Store,
            ) -> Result<R, wasmer::RuntimeError> {
                function.call(store, self.0, self.1)
            }
        }
    )*};
}

single_params!(i32 => "I32", i64 => "I64");
pair_params!(
    (i32, i32) => ["I32", "I32"],
    (i64, i64) => ["I64", "I64"],
    (i32, i64) => ["I32", "I64"],
    (i64, i32) => ["I64", "I32"]
);
