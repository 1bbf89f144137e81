//! The backends: one list ([`Backend`], made by the registry at the end of
//! this file) and one dispatch ([`Backend::open`]) that the runner, `wsim inspect`,
//! the tests and the fuzz targets all go through.

use wsim_policies::{
    Answer, CachePolicy, Eviction, EvictionPolicy, Params, PolicyKind, PolicyVisitor, Request,
    Stats,
};

use crate::{CacheVisitor, Error, Native};

/// What a backend runs.
#[derive(Debug, Clone)]
pub enum Code {
    /// A built-in policy, for the native backend.
    Policy(PolicyKind),
    /// A compiled module and how to find its exports, for the core-module
    /// ABIs.
    #[cfg(feature = "wasm")]
    Module(wsim_engine::Module, wsim_engine::LookupKind),
    /// A compiled component, for the Component Model backends.
    #[cfg(feature = "wasmtime")]
    Component(wsim_engine::Component),
}

/// What kind of [`Code`] a backend runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runs {
    /// A built-in policy, natively.
    Native,
    /// A core module, on any runtime.
    Module,
    /// A component, on wasmtime.
    Component,
}

/// `backends! { Variant = "name" => how, ... }`: the list of backends,
/// where `how` is `native`, `abi(Type)` (a core-module ABI, `Type:
/// Abi`) or `component(Type)` (a Component Model shape, `Type: Shape`).
macro_rules! backends {
    ($($(#[doc = $about:literal])* $variant:ident = $name:literal => $how:ident $(($ty:ty))?),+ $(,)?) => {
        /// How a policy runs: natively, or inside a WebAssembly guest
        /// behind an ABI. One line each in the registry at the end of
        /// `backend.rs`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Backend {
            $($(#[doc = $about])* $variant,)+
        }

        impl Backend {
            /// How many backends there are.
            pub const COUNT: usize = [$(Self::$variant),+].len();

            /// Every backend, built or not, in report order.
            pub const ALL: [Self; Self::COUNT] = [$(Self::$variant),+];

            /// The backend's name on the command line and in reports.
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)+
                }
            }

            /// The backend in a few words (its line's doc comment), for
            /// help texts.
            #[must_use]
            pub fn about(self) -> &'static str {
                let about: &'static str = match self {
                    $(Self::$variant => concat!($($about),*),)+
                };
                about.trim()
            }

            /// What kind of code it runs.
            #[must_use]
            pub const fn runs(self) -> Runs {
                match self {
                    $(Self::$variant => backends!(@runs $how),)+
                }
            }

            /// The exports a core-module backend's ABI needs beyond those
            /// every ABI needs ([`BASE_EXPORTS`]); none for the others.
            #[must_use]
            pub const fn abi_exports(self) -> &'static [&'static str] {
                match self {
                    $(Self::$variant => backends!(@exports $how $(($ty))?),)+
                }
            }

            /// Opens a cache of `capacity` bytes (objects, when sizes are
            /// ignored) running `code` under this backend, its policy given
            /// `params` (checked against the policy's parameters), and hands
            /// it to `visitor`. Instantiating a guest happens here, before
            /// the visitor runs: time the visit, not the call.
            pub fn open<V: CacheVisitor>(
                self,
                code: &Code,
                capacity: u64,
                params: &Params,
                visitor: V,
            ) -> Result<V::Output, Error> {
                match self {
                    $(Self::$variant => backends!(@open $how $(($ty))?, self, code, capacity, params, visitor),)+
                }
            }
        }
    };
    (@exports abi($ty:ty)) => {{
        #[cfg(feature = "wasm")]
        let exports = <$ty as crate::Abi>::EXPORTS;
        #[cfg(not(feature = "wasm"))]
        let exports = &[];
        exports
    }};
    (@exports $how:ident $(($ty:ty))?) => { &[] };
    (@runs native) => { Runs::Native };
    (@runs abi) => { Runs::Module };
    (@runs component) => { Runs::Component };
    (@open native, $backend:ident, $code:ident, $capacity:ident, $params:ident, $visitor:ident) => {
        match $code {
            Code::Policy(policy) => Ok(policy.visit(OpenNative {
                capacity: $capacity,
                params: $params,
                visitor: $visitor,
            })),
            #[allow(unreachable_patterns, reason = "reached only with WebAssembly built")]
            other => Err(mismatch($backend, other)),
        }
    };
    (@open abi($ty:ty), $backend:ident, $code:ident, $capacity:ident, $params:ident, $visitor:ident) => {{
        #[cfg(feature = "wasm")]
        let opened = match $code {
            Code::Module(module, lookup) => crate::wasm::open::<$ty, V>(
                module,
                *lookup,
                $capacity,
                &$params.to_string(),
                $visitor,
            ),
            other => Err(mismatch($backend, other)),
        };
        #[cfg(not(feature = "wasm"))]
        let opened = Err(not_built($backend, $code, ($capacity, $params, $visitor)));
        opened
    }};
    (@open component($ty:ty), $backend:ident, $code:ident, $capacity:ident, $params:ident, $visitor:ident) => {{
        #[cfg(feature = "wasmtime")]
        let opened = match $code {
            Code::Component(component) => crate::component::open::<$ty, V>(
                component,
                $capacity,
                &$params.to_string(),
                $visitor,
            ),
            other => Err(mismatch($backend, other)),
        };
        #[cfg(not(feature = "wasmtime"))]
        let opened = Err(not_built($backend, $code, ($capacity, $params, $visitor)));
        opened
    }};
}

/// What a backend made of a sequence of requests: each one's hit flag, and
/// the counters at the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replay {
    /// One flag per request, `true` on a hit.
    pub hits: Vec<bool>,
    /// The cache's counters after the last request.
    pub stats: Stats,
    /// What the cache reported of the second half of the requests
    /// ([`Replay::reported_from`] on): an answer per request.
    pub answers: Vec<Answer>,
    /// And the objects evicted, each with its request's index counted from
    /// the start of the second half.
    pub evictions: Vec<Eviction>,
}

impl Replay {
    /// Where the reported half of `requests` starts: the first half goes
    /// through `access_batch`, the second through `access_reported`, so a
    /// replay exercises both and the switch from one to the other.
    #[must_use]
    pub const fn reported_from(requests: usize) -> usize {
        requests / 2
    }
}

/// Serves half the requests in one `access_batch`, the rest in one
/// `access_reported`, and checks the cache after.
struct ReplayAll<'a> {
    requests: &'a [Request],
}

impl CacheVisitor for ReplayAll<'_> {
    type Output = Result<Replay, Error>;

    fn visit<C: CachePolicy>(self, mut cache: C) -> Self::Output
    where
        Error: From<C::Error>,
    {
        let (plain, reported) = self
            .requests
            .split_at(Replay::reported_from(self.requests.len()));
        let mut hits = Vec::with_capacity(self.requests.len());
        cache.access_batch(plain, &mut hits)?;
        let (mut answers, mut evictions) = (Vec::new(), Vec::new());
        cache.access_reported(reported, &mut answers, &mut evictions)?;
        hits.extend(answers.iter().map(|answer| answer.is_hit()));
        let stats = cache.stats()?;
        cache.check_invariants()?;
        Ok(Replay {
            hits,
            stats,
            answers,
            evictions,
        })
    }
}

/// The exports every core-module ABI needs.
pub const BASE_EXPORTS: [&str; 3] = ["abi_version", "init", "stats"];

impl Backend {
    /// The first export this core-module backend needs that `module`
    /// lacks; `None` when it has them all, or the backend runs no module.
    #[must_use]
    pub fn missing_export(self, module: &wsim_engine::Module) -> Option<&'static str> {
        if self.runs() != Runs::Module {
            return None;
        }
        BASE_EXPORTS
            .iter()
            .chain(self.abi_exports())
            .copied()
            .find(|export| !module.exports_function(export))
    }

    /// Serves `requests` in order, in one `access_batch` call (which the
    /// backends that do not batch serve request by request), from a fresh
    /// cache of `capacity` running `code`; checks the cache's invariants
    /// where the host can see them. What the equivalence tests and the
    /// fuzz targets compare backends by. `params` are the policy's.
    pub fn replay(
        self,
        code: &Code,
        capacity: u64,
        params: &Params,
        requests: &[Request],
    ) -> Result<Replay, Error> {
        self.open(code, capacity, params, ReplayAll { requests })?
    }

    /// Whether the backend runs a WebAssembly guest.
    #[must_use]
    pub const fn is_wasm(self) -> bool {
        !matches!(self.runs(), Runs::Native)
    }

    /// Whether the backend runs a component (Component Model, wasmtime).
    #[must_use]
    pub const fn is_component(self) -> bool {
        matches!(self.runs(), Runs::Component)
    }

    /// Whether this build of wsim includes the backend.
    #[must_use]
    pub const fn is_built(self) -> bool {
        match self.runs() {
            Runs::Native => true,
            Runs::Module => cfg!(feature = "wasm"),
            Runs::Component => cfg!(feature = "wasmtime"),
        }
    }

    /// The backends this build includes.
    #[must_use]
    pub fn built() -> Vec<Self> {
        Self::ALL
            .into_iter()
            .filter(|backend| backend.is_built())
            .collect()
    }
}

impl core::fmt::Display for Backend {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// Opens a native cache of the visited policy.
struct OpenNative<'a, V> {
    capacity: u64,
    params: &'a Params,
    visitor: V,
}

impl<V: CacheVisitor> PolicyVisitor for OpenNative<'_, V> {
    type Output = V::Output;

    fn visit<P: EvictionPolicy + 'static>(self) -> V::Output {
        self.visitor
            .visit(Native::<P>::with_params(self.capacity, self.params))
    }
}

/// The error for `code` handed to a backend that runs something else.
#[cold]
fn mismatch(backend: Backend, code: &Code) -> Error {
    let what = match code {
        Code::Policy(policy) => format!("the built-in policy {policy}"),
        #[cfg(feature = "wasm")]
        Code::Module(module, _) => format!("{} (a WebAssembly module)", module.name()),
        #[cfg(feature = "wasmtime")]
        Code::Component(component) => format!("{} (a component)", component.name()),
    };
    let needs = match backend.runs() {
        Runs::Native => "a built-in policy",
        Runs::Module => "a WebAssembly module",
        Runs::Component => "a component (the built-in policies only)",
    };
    Error::Unsupported(format!("the {backend} backend runs {needs}, not {what}"))
}

/// The error for a backend this build leaves out.
#[cfg(not(all(feature = "wasm", feature = "wasmtime")))]
#[cold]
fn not_built<T>(backend: Backend, _: &Code, _unused: T) -> Error {
    let rebuild = match backend.runs() {
        Runs::Component => "`--features wasmtime`",
        Runs::Native | Runs::Module => "`--features wasmer` or `--features wasmtime`",
    };
    Error::Unsupported(format!(
        "the {backend} backend is not in this build of wsim; rebuild with {rebuild}"
    ))
}

#[cfg(feature = "clap")]
impl clap::ValueEnum for Backend {
    fn value_variants<'a>() -> &'a [Self] {
        &Self::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()).help(self.about()))
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Backend {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

// The backends, one line each: `Variant = "name" => how`, in report
// order, each with its help text. A core-module ABI is its `Abi` type in
// `abi/` and one line here; a Component Model shape its `Shape` type in
// `component.rs` and one line here.
backends! {
    /// Ordinary Rust code, a direct call per request: the baseline.
    Native = "native" => native,
    /// The request as two wasm arguments: `access(id, size)`.
    Pair = "pair" => abi(crate::Pair),
    /// The request bincode-encoded into a buffer the guest allocates per call.
    Bincode = "bincode" => abi(crate::Bincode),
    /// The request as a C struct copied into a static guest buffer.
    Bytemuck = "bytemuck" => abi(crate::Bytemuck),
    /// Thousands of requests per call through the static buffer.
    Batch = "batch" => abi(crate::Batch),
    /// The Component Model (wasmtime): `access(req)` per request.
    Component = "component" => component(crate::PerRequest),
    /// The Component Model (wasmtime): `access-batch(list<request>)` per chunk.
    ComponentBatch = "component-batch" => component(crate::Listed),
}
