//! Differential: an arbitrary request sequence and capacity through every
//! policy natively and under each WebAssembly ABI (cached lookups; Batch in
//! one `access_batch`, the others request by request). Every hit or miss and
//! the final `Stats` must match native's exactly.

#![no_main]

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use wsim_backends::{
    Abi, Batch, Bincode, Bytemuck, Cached, Compiler, Engine, Module, Native, Pair, Wasm, guests,
};
use wsim_policies::{CachePolicy, EvictionPolicy, PolicyKind, PolicyVisitor, Request, Stats};

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
fn modules() -> &'static [(PolicyKind, Module)] {
    static MODULES: OnceLock<Vec<(PolicyKind, Module)>> = OnceLock::new();
    MODULES.get_or_init(|| {
        let engine = Engine::new(Compiler::Cranelift).expect("cranelift is built");
        PolicyKind::ALL
            .iter()
            .map(|&kind| {
                let module = engine
                    .compile(&guests::module_name(kind), guests::module_bytes(kind))
                    .expect("the built-in guests compile");
                (kind, module)
            })
            .collect()
    })
}

struct NativeReplay<'a> {
    capacity: u64,
    requests: &'a [Request],
}

impl PolicyVisitor for NativeReplay<'_> {
    type Output = (Vec<bool>, Stats);
    fn visit<P: EvictionPolicy + 'static>(self) -> Self::Output {
        let mut native = Native::<P>::new(self.capacity);
        let hits = self
            .requests
            .iter()
            .map(|&request| {
                let Ok(hit) = native.access(request);
                hit
            })
            .collect();
        if let Err(error) = native.cache().check_invariants() {
            panic!("{}: {error}", P::NAME);
        }
        let Ok(stats) = native.stats();
        (hits, stats)
    }
}

fn replay<A: Abi>(module: &Module, capacity: u64, requests: &[Request]) -> (Vec<bool>, Stats) {
    let mut wasm = Wasm::<A, Cached>::new(module, capacity).expect("instantiate");
    let mut hits = Vec::with_capacity(requests.len());
    if A::NAME == "batch" {
        wasm.access_batch(requests, &mut hits)
            .expect("access_batch");
    } else {
        for &request in requests {
            hits.push(wasm.access(request).expect("access"));
        }
    }
    (hits, wasm.stats().expect("stats"))
}

fuzz_target!(|input: Input| {
    let modules = modules();
    let (kind, module) = &modules[usize::from(input.policy) % modules.len()];
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
    let native = kind.visit(NativeReplay {
        capacity,
        requests: &requests,
    });
    for (name, wasm) in [
        ("pair", replay::<Pair>(module, capacity, &requests)),
        ("bincode", replay::<Bincode>(module, capacity, &requests)),
        ("bytemuck", replay::<Bytemuck>(module, capacity, &requests)),
        ("batch", replay::<Batch>(module, capacity, &requests)),
    ] {
        assert_eq!(wasm.1, native.1, "{kind:?} {name}: stats differ");
        assert_eq!(wasm.0, native.0, "{kind:?} {name}: hits differ");
    }
});
