//! The parameter and result lists a typed export can have, and what each
//! runtime asks of them.

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

impl WasmTypes for (i64, i64, i64) {
    const TYPES: &'static [&'static str] = &["I64", "I64", "I64"];
}

impl Params for (i64, i64, i64) {
    #[cfg(feature = "wasmer")]
    #[inline]
    fn call_wasmer<R: Results>(
        self,
        function: &wasmer::TypedFunction<Self, R>,
        store: &mut wasmer::Store,
    ) -> Result<R, wasmer::RuntimeError> {
        function.call(store, self.0, self.1, self.2)
    }
}
