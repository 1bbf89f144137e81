//! The guest modules `build.rs` built from `wsim-policies`, one per policy
//! of the registry (and one component each, with wasmtime), embedded in the
//! binary so it runs anywhere with nothing beside it.

use wsim_policies::PolicyKind;

// `MODULES` (and `COMPONENTS`): each policy's guest, indexed like
// `PolicyKind::ALL`; an array of `PolicyKind::COUNT`, so a guest missing
// from it does not compile.
include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// The `.wasm` bytes of a built-in policy's guest.
#[must_use]
pub fn module_bytes(policy: PolicyKind) -> &'static [u8] {
    MODULES[policy.index()]
}

/// The module name errors use for a built-in policy's guest.
#[must_use]
pub fn module_name(policy: PolicyKind) -> String {
    format!("{policy}.wasm")
}

/// The micro-benchmark's multiply guest (`guests/multiply.rs`).
#[must_use]
pub fn multiply_bytes() -> &'static [u8] {
    include_bytes!(concat!(env!("OUT_DIR"), "/multiply.wasm"))
}

/// A hostile fixture for tests: a FIFO guest that panics on its 1,000th
/// admission (`guests/panicky.rs`), to prove a panic in guest code becomes
/// an error naming it.
#[doc(hidden)]
#[must_use]
pub fn panicky_bytes() -> &'static [u8] {
    include_bytes!(concat!(env!("OUT_DIR"), "/panicky.wasm"))
}

/// The Component Model guest of a built-in policy: the same policy source,
/// exported through the WIT world `wsim:policy/policy` by wit-bindgen and
/// made a component by `build.rs`.
#[cfg(feature = "wasmtime")]
#[must_use]
pub fn component_bytes(policy: PolicyKind) -> &'static [u8] {
    COMPONENTS[policy.index()]
}

/// The component name errors use for a built-in policy's component.
#[cfg(feature = "wasmtime")]
#[must_use]
pub fn component_name(policy: PolicyKind) -> String {
    format!("{policy}.component.wasm")
}

/// The micro-benchmark's multiply as a component (`guests/multiply_component.rs`).
#[cfg(feature = "wasmtime")]
#[must_use]
pub fn multiply_component_bytes() -> &'static [u8] {
    include_bytes!(concat!(env!("OUT_DIR"), "/multiply.component.wasm"))
}
