//! Scratch: where exact MRC time goes (not committed).
use rustc_hash::FxHashMap;
use std::time::Instant;
use wsim_policies::{Cache, Lru, Request};
use wsim_traces::mrc::LruStack;

fn main() {
    let n = 4_000_000u64;
    let spec = wsim_traces::Synthetic {
        requests: n,
        objects: 400_000,
        ..wsim_traces::Synthetic::DEFAULT
    };
    let reqs: Vec<Request> = spec
        .generate()
        .unwrap()
        .map(|r| Request::new(r.id, 1))
        .collect();
    let t = Instant::now();
    let mut map: FxHashMap<u64, usize> = FxHashMap::default();
    let mut x = 0usize;
    for (i, r) in reqs.iter().enumerate() {
        if let Some(p) = map.insert(r.id, i) {
            x ^= p;
        }
    }
    println!("map only      {:.3} s ({x})", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let mut stack = LruStack::default();
    let mut y = 0u64;
    for r in &reqs {
        if let Some(d) = stack.access(r.id, 1).unwrap() {
            y ^= d;
        }
    }
    println!("LruStack      {:.3} s ({y})", t.elapsed().as_secs_f64());
    if std::env::args().nth(1).as_deref() == Some("stack") {
        for _ in 0..3 {
            let t = Instant::now();
            let mut stack = LruStack::default();
            let mut y = 0u64;
            let mut ds = Vec::new();
            for c in reqs.chunks(4096) {
                stack.access_all(c, &mut ds).unwrap();
                for d in &ds {
                    if let Some(d) = d {
                        y ^= d;
                    }
                }
            }
            println!("LruStack all  {:.3} s ({y})", t.elapsed().as_secs_f64());
        }
        return;
    }
    for cap in [39u64, 1862, 90002, 385_327] {
        let t = Instant::now();
        let mut cache = Cache::<Lru>::new(cap);
        let mut h = 0;
        for &r in &reqs {
            if cache.access(r) {
                h += 1;
            }
        }
        println!(
            "Cache<Lru> {cap:>7} {:.3} s ({h})",
            t.elapsed().as_secs_f64()
        );
    }
}
