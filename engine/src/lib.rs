//! # wsim-engine
//!
//! The WebAssembly host layer: compiler choice, resource limits, loading and
//! instantiating modules, typed exports resolved once, and bounds-checked
//! copies into and out of guest memory. It knows nothing of caches.
//!
//! Empty until the WebAssembly backends land (issue 3); the workspace lists it
//! now so its place in the dependency graph is fixed from the start.
