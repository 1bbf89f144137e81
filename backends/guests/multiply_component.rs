//! The micro-benchmark's multiply as a component of the WIT world
//! `wsim:policy/multiply`: the work is one instruction, so what is measured
//! is the Component Model call around it.

// `backends/build.rs` builds this file inside a package it generates, with
// a copy of `backends/wit` beside the package's directory.
wit_bindgen::generate!({
    path: "../wit",
    world: "multiply",
});

struct Multiply;

impl Guest for Multiply {
    fn multiply(a: u64, b: u64) -> u64 {
        a.wrapping_mul(b)
    }

    fn multiply_list(pairs: Vec<(u64, u64)>) -> Vec<u64> {
        pairs.iter().map(|&(a, b)| a.wrapping_mul(b)).collect()
    }
}

export!(Multiply);
