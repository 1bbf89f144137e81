//! Differential: an arbitrary request sequence and capacity through one
//! policy of the registry natively and under every core-module backend of
//! the registry (cached lookups, wasmer). Every hit or miss and the final
//! `Stats` must match native's exactly; native's invariants must hold.

#![no_main]

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use wsim_backends::{Backend, Code, Compiler, Engine, LookupKind, Module, Runs, guests};
use wsim_policies::{Params, PolicyKind, Request};

#[derive(Debug, Arbitrary)]
struct Input {
    policy: u8,
    capacity: u16,
    /// Small ids, so requests repeat and hit.
    requests: Vec<(u8, u16)>,
    /// A few ids and sizes from the edges of the range.
    extremes: Vec<(u64, u64)>,
}

/// Each built-in guest, compiled once per fuzzing process.
fn modules() -> &'static [Module] {
    static MODULES: OnceLock<Vec<Module>> = OnceLock::new();
    MODULES.get_or_init(|| {
        let engine = Engine::new(Compiler::Cranelift).expect("cranelift is built");
        PolicyKind::ALL
            .iter()
            .map(|&kind| {
                engine
                    .compile(&guests::module_name(kind), guests::module_bytes(kind))
                    .expect("the built-in guests compile")
            })
            .collect()
    })
}

fuzz_target!(|input: Input| {
    let policy = PolicyKind::ALL[usize::from(input.policy) % PolicyKind::COUNT];
    let module = &modules()[policy.index()];
    let capacity = u64::from(input.capacity) + 1;
    let requests: Vec<Request> = input
        .requests
        .iter()
        .map(|&(id, size)| Request::new(u64::from(id), u64::from(size % 512) + 1))
        .chain(
            input
                .extremes
                .iter()
                .take(8)
                .map(|&(id, size)| Request::new(id, size.max(1))),
        )
        .take(4096)
        .collect();
    // Each request carries its next access, as a run gives it to a
    // future-aware policy (Belady), so the guests must carry it across too.
    let next = wsim_traces::next_accesses(requests.iter().map(|request| request.id));
    let requests: Vec<Request> = requests
        .iter()
        .zip(next)
        .map(|(request, next)| request.next_at(next))
        .collect();
    let params = Params::default();
    let native = Backend::Native
        .replay(&Code::Policy(policy), capacity, &params, &requests)
        .unwrap_or_else(|error| panic!("{policy} native: {error}"));
    let code = Code::Module(module.clone(), LookupKind::Cached);
    for backend in Backend::built() {
        if backend.runs() != Runs::Module {
            continue;
        }
        let wasm = backend
            .replay(&code, capacity, &params, &requests)
            .unwrap_or_else(|error| panic!("{policy} {backend}: {error}"));
        assert_eq!(wasm.stats, native.stats, "{policy} {backend}: stats differ");
        assert_eq!(wasm.hits, native.hits, "{policy} {backend}: hits differ");
    }
});
