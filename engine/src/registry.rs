//! The macro that turns the runtime list in `lib.rs` into everything that
//! enumerates runtimes: the modules, [`Runtime`](crate::Runtime), and the
//! enums that hold one runtime's engine, module, instance or function with
//! the one `match` per operation that forwards to its
//! [`WasmRuntime`](crate::runtime::WasmRuntime).

/// `runtimes! { Variant => module::Type if "feature" compiles [Compiler, ...]
/// components yes|no deadline [always|"feature"], ... }`: one line per
/// runtime, built when its cargo feature (also its name) is on, with the
/// compilers it has (the first its default), whether it hosts components
/// (the Component Model), and whether its wall-clock deadline is always
/// built or only with a cargo feature of its own.
macro_rules! runtimes {
    ($($variant:ident => $module:ident :: $runtime:ident if $feature:literal
       compiles [$($compiler:ident),+] components $components:ident
       deadline $deadline:tt),+ $(,)?) => {
        $(
            #[cfg(feature = $feature)]
            mod $module;
        )+

        /// The WebAssembly runtimes wsim can host guests on, built or not
        /// (see [`is_built`](Self::is_built)). One line each in the
        /// registry at the top of this crate's `lib.rs`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Runtime {
            $(
                #[doc = concat!("`", $feature, "`, built with the cargo feature of that name.")]
                $variant,
            )+
        }

        impl Runtime {
            /// How many runtimes there are.
            pub const COUNT: usize = [$(Self::$variant),+].len();

            /// Every runtime, built or not, in report order.
            pub const ALL: [Self; Self::COUNT] = [$(Self::$variant),+];

            /// The runtime's name (and its cargo feature's).
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $feature,)+
                }
            }

            /// Whether this build includes the runtime.
            #[must_use]
            pub const fn is_built(self) -> bool {
                match self {
                    $(Self::$variant => cfg!(feature = $feature),)+
                }
            }

            /// Whether the runtime hosts components (the Component Model),
            /// built or not.
            #[must_use]
            pub const fn hosts_components(self) -> bool {
                match self {
                    $(Self::$variant => runtimes!(@yes $components),)+
                }
            }

            /// The cargo feature that builds the runtime's deadline, when
            /// it is not always built.
            #[must_use]
            pub const fn deadline_feature(self) -> Option<&'static str> {
                match self {
                    $(Self::$variant => runtimes!(@feature $deadline),)+
                }
            }

            /// Whether this build can stop the runtime's guests at a
            /// wall-clock deadline (`Limits.deadline`).
            #[must_use]
            pub const fn has_deadline(self) -> bool {
                match self {
                    $(Self::$variant => runtimes!(@built $deadline),)+
                }
            }

            /// The compilers the runtime has (built or not), its default
            /// first.
            #[must_use]
            pub const fn compilers(self) -> &'static [Compiler] {
                match self {
                    $(Self::$variant => &[$(Compiler::$compiler),+],)+
                }
            }
        }

        /// One runtime's engine.
        #[derive(Clone)]
        pub(crate) enum EngineInner {
            $(
                #[cfg(feature = $feature)]
                $variant(<$module::$runtime as WasmRuntime>::Engine),
            )+
        }

        /// One runtime's compiled module, with the engine it was compiled by.
        #[derive(Clone)]
        pub(crate) enum ModuleInner {
            $(
                #[cfg(feature = $feature)]
                $variant(
                    <$module::$runtime as WasmRuntime>::Engine,
                    <$module::$runtime as WasmRuntime>::Module,
                ),
            )+
        }

        /// One runtime's instance.
        pub(crate) enum GuestInner {
            $(
                #[cfg(feature = $feature)]
                $variant(<$module::$runtime as WasmRuntime>::Guest),
            )+
        }

        /// One runtime's typed function.
        #[derive(Clone)]
        pub(crate) enum FunctionInner<P: Params, R: Results> {
            $(
                #[cfg(feature = $feature)]
                $variant(<$module::$runtime as WasmRuntime>::Function<P, R>),
            )+
            /// What there is with no runtime built: nothing (`Infallible`).
            #[cfg(not(any($(feature = $feature),+)))]
            Never(core::convert::Infallible, core::marker::PhantomData<fn() -> (P, R)>),
        }

        /// One runtime's bare typed function and store.
        pub(crate) enum BareInner<P: Params, R: Results> {
            $(
                #[cfg(feature = $feature)]
                $variant(<$module::$runtime as WasmRuntime>::Bare<P, R>),
            )+
            /// What there is with no runtime built: nothing (`Infallible`).
            #[cfg(not(any($(feature = $feature),+)))]
            Never(core::convert::Infallible, core::marker::PhantomData<fn() -> (P, R)>),
        }

        impl EngineInner {
            /// An engine of `runtime` for `compiler` and `limits`.
            pub(crate) fn new(
                runtime: Runtime,
                compiler: Compiler,
                limits: &Limits,
            ) -> Result<Self, Error> {
                if limits.deadline.is_some() && !runtime.has_deadline() {
                    return Err(Error::DeadlineNotBuilt {
                        runtime: runtime.name(),
                        feature: runtime.deadline_feature().unwrap_or(runtime.name()),
                    });
                }
                match runtime {
                    $(
                        #[cfg(feature = $feature)]
                        Runtime::$variant => {
                            <$module::$runtime as WasmRuntime>::engine(compiler, limits)
                                .map(Self::$variant)
                        }
                    )+
                    #[allow(unreachable_patterns, reason = "reached only when a runtime is left out")]
                    other => Err(Error::RuntimeNotBuilt {
                        runtime: other.name(),
                    }),
                }
            }

            /// Whether one engine of `runtime` for `limits` compiles any
            /// number of modules.
            pub(crate) fn serves_many(runtime: Runtime, limits: &Limits) -> bool {
                match runtime {
                    $(
                        #[cfg(feature = $feature)]
                        Runtime::$variant => {
                            <$module::$runtime as WasmRuntime>::engine_serves_many(limits)
                        }
                    )+
                    #[allow(unreachable_patterns, reason = "reached only when a runtime is left out")]
                    _ => false,
                }
            }

            /// Compiles `bytes` with this engine.
            pub(crate) fn compile(
                &self,
                compiler: Compiler,
                limits: &Limits,
                cache: Option<&ModuleCache>,
                name: &str,
                bytes: &[u8],
            ) -> Result<(ModuleInner, Origin), Error> {
                match *self {
                    $(
                        #[cfg(feature = $feature)]
                        Self::$variant(ref engine) => {
                            let (module, origin) = <$module::$runtime as WasmRuntime>::compile(
                                engine, compiler, limits, cache, name, bytes,
                            )?;
                            Ok((ModuleInner::$variant(engine.clone(), module), origin))
                        }
                    )+
                }
            }
        }

        impl ModuleInner {
            pub(crate) fn imports(&self) -> Vec<String> {
                match *self {
                    $(
                        #[cfg(feature = $feature)]
                        Self::$variant(_, ref module) => {
                            <$module::$runtime as WasmRuntime>::imports(module)
                        }
                    )+
                }
            }

            pub(crate) fn exports(&self, metered: bool) -> Vec<(String, String)> {
                match *self {
                    $(
                        #[cfg(feature = $feature)]
                        Self::$variant(_, ref module) => {
                            <$module::$runtime as WasmRuntime>::exports(module, metered)
                        }
                    )+
                }
            }

            pub(crate) fn exports_function(&self, name: &str) -> bool {
                match *self {
                    $(
                        #[cfg(feature = $feature)]
                        Self::$variant(_, ref module) => {
                            <$module::$runtime as WasmRuntime>::exports_function(module, name)
                        }
                    )+
                }
            }

            pub(crate) fn initial_pages(&self) -> Option<u64> {
                match *self {
                    $(
                        #[cfg(feature = $feature)]
                        Self::$variant(_, ref module) => {
                            <$module::$runtime as WasmRuntime>::initial_pages(module)
                        }
                    )+
                }
            }

            pub(crate) fn instantiate(&self, limits: &Limits, name: &str) -> Result<GuestInner, Error> {
                match *self {
                    $(
                        #[cfg(feature = $feature)]
                        Self::$variant(ref engine, ref module) => {
                            <$module::$runtime as WasmRuntime>::instantiate(engine, module, limits, name)
                                .map(GuestInner::$variant)
                        }
                    )+
                }
            }

            pub(crate) fn bare<P: Params, R: Results>(
                &self,
                name: &str,
            ) -> Result<BareInner<P, R>, String> {
                match *self {
                    $(
                        #[cfg(feature = $feature)]
                        Self::$variant(ref engine, ref module) => {
                            <$module::$runtime as WasmRuntime>::bare(engine, module, name)
                                .map(BareInner::$variant)
                        }
                    )+
                }
            }
        }

        impl GuestInner {
            pub(crate) fn typed_function<P: Params, R: Results>(
                &mut self,
                name: &str,
            ) -> Result<FunctionInner<P, R>, ExportProblem> {
                match *self {
                    $(
                        #[cfg(feature = $feature)]
                        Self::$variant(ref mut guest) => {
                            <$module::$runtime as WasmRuntime>::typed_function(guest, name)
                                .map(FunctionInner::$variant)
                        }
                    )+
                }
            }

            // `always`: with plain `#[inline]` the match over runtimes stayed a
            // call of its own and cost 3 ns per call on wasmer (measured by `wsim
            // micro`: 1.09x the bare call against 1.03x).
            #[inline(always)]
            pub(crate) fn call<P: Params, R: Results>(
                &mut self,
                function: &FunctionInner<P, R>,
                params: P,
            ) -> Result<R, CallFailure> {
                match (self, function) {
                    $(
                        #[cfg(feature = $feature)]
                        (Self::$variant(guest), FunctionInner::$variant(function)) => {
                            <$module::$runtime as WasmRuntime>::call(guest, function, params)
                        }
                    )+
                    #[allow(unreachable_patterns, reason = "reached only with two runtimes built")]
                    _ => Err(CallFailure::Trap(
                        "called with an export of another runtime's guest".to_owned(),
                    )),
                }
            }

            pub(crate) fn memory_size(&self) -> u64 {
                match *self {
                    $(
                        #[cfg(feature = $feature)]
                        Self::$variant(ref guest) => <$module::$runtime as WasmRuntime>::memory_size(guest),
                    )+
                }
            }

            #[inline]
            pub(crate) fn write(&mut self, offset: u64, bytes: &[u8]) -> bool {
                match *self {
                    $(
                        #[cfg(feature = $feature)]
                        Self::$variant(ref mut guest) => {
                            <$module::$runtime as WasmRuntime>::write(guest, offset, bytes)
                        }
                    )+
                }
            }

            #[inline]
            pub(crate) fn read(&self, offset: u64, buffer: &mut [u8]) -> bool {
                match *self {
                    $(
                        #[cfg(feature = $feature)]
                        Self::$variant(ref guest) => {
                            <$module::$runtime as WasmRuntime>::read(guest, offset, buffer)
                        }
                    )+
                }
            }
        }

        impl<P: Params, R: Results> FunctionInner<P, R> {
            /// The runtime the function belongs to.
            pub(crate) const fn runtime(&self) -> Runtime {
                match *self {
                    $(
                        #[cfg(feature = $feature)]
                        Self::$variant(_) => Runtime::$variant,
                    )+
                    #[cfg(not(any($(feature = $feature),+)))]
                    Self::Never(never, _) => match never {},
                }
            }
        }

        impl<P: Params, R: Results> BareInner<P, R> {
            /// Calls the function `count` times with `params(i)`, handing
            /// each result to `result`. The runtime is matched once, outside
            /// the loop, so every call is the runtime's own and nothing else.
            #[inline]
            pub(crate) fn call_each(
                &mut self,
                count: u64,
                mut params: impl FnMut(u64) -> P,
                mut result: impl FnMut(R),
            ) -> Result<(), String> {
                match *self {
                    $(
                        #[cfg(feature = $feature)]
                        Self::$variant(ref mut bare) => {
                            for index in 0..count {
                                result(<$module::$runtime as WasmRuntime>::call_bare(
                                    bare,
                                    params(index),
                                )?);
                            }
                            Ok(())
                        }
                    )+
                    #[cfg(not(any($(feature = $feature),+)))]
                    Self::Never(never, _) => match never {},
                }
            }
        }
    };
    (@yes yes) => { true };
    (@yes no) => { false };
    (@feature always) => { None };
    (@feature $feature:literal) => { Some($feature) };
    (@built always) => { true };
    (@built $feature:literal) => { cfg!(feature = $feature) };
}
