//! `analyze` against libCacheSim's own trace analyzer (`cargo make
//! crosscheck`), on the CloudPhysics sample and on a random trace whose
//! sizes change between requests and include size 0. Every number the two
//! both measure is compared: requests, objects, bytes, working set,
//! one-hit wonders, the full popularity curve, the Zipf fit, size
//! percentiles, cold requests and reuse distances (see
//! `crosscheck/libcachesim_analyze.py` for where each of libCacheSim's
//! comes from). It needs the `libcachesim` package, so it is ignored by
//! `cargo make test`.

#![allow(
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    clippy::cast_sign_loss,
    reason = "a test fails by panicking, and its data are small by construction"
)]

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

use wsim_policies::Request;
use wsim_traces::{
    Analysis, CsvOptions, SizePercentiles, Trace, TraceFile, TraceFormat, analyze, mix64,
    write_trace,
};

/// Where `cargo make crosscheck` says the venv's Python is.
const PYTHON: &str = "WSIM_LIBCACHESIM_PYTHON";

/// libCacheSim's numbers for the trace at `path` (uncompressed
/// oracleGeneral): name → the words after it.
fn libcachesim(python: &str, path: &Path) -> HashMap<String, Vec<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let workdir = path.with_extension("libcachesim");
    let output = Command::new(python)
        .arg(root.join("crosscheck/libcachesim_analyze.py"))
        .arg(path)
        .arg(&workdir)
        .output()
        .unwrap_or_else(|error| panic!("{PYTHON}={python}: {error}"));
    assert!(
        output.status.success(),
        "libcachesim_analyze.py failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace().map(str::to_owned);
            Some((words.next()?, words.collect()))
        })
        .collect()
}

/// Compares `ours` with libCacheSim's analysis of the same trace.
fn compare(ours: &Analysis, theirs: &HashMap<String, Vec<String>>) {
    let one = |name: &str| -> &str { &theirs[name][0] };
    let number = |name: &str| -> u128 { one(name).parse().unwrap() };
    let numbers = |name: &str| -> Vec<u64> {
        theirs[name]
            .iter()
            .map(|word| word.parse().unwrap())
            .collect()
    };
    assert_eq!(u128::from(ours.requests), number("requests"));
    assert_eq!(u128::from(ours.objects), number("objects"));
    assert_eq!(ours.bytes_requested, number("bytes_requested"));
    assert_eq!(ours.working_set_bytes, number("working_set_bytes"));
    assert_eq!(u128::from(ours.one_hit_wonders), number("one_hit_wonders"));
    // libCacheSim's mean sizes, truncated: per request and per object.
    let means = numbers("mean_sizes");
    assert_eq!(
        ours.bytes_requested / u128::from(ours.requests),
        u128::from(means[0])
    );
    assert_eq!(
        ours.working_set_bytes / u128::from(ours.objects),
        u128::from(means[1])
    );
    if let Some(span) = ours.time_span {
        assert_eq!(u128::from(span.span), number("time_span"));
    }

    // libCacheSim prints alpha and R² to 4 decimals.
    let zipf = ours.zipf.unwrap();
    let alpha: f64 = one("zipf_alpha").parse().unwrap();
    let r2: f64 = one("zipf_r2").parse().unwrap();
    assert!(
        (zipf.alpha - alpha).abs() <= 5.1e-5,
        "alpha {zipf:?}, libCacheSim {alpha}"
    );
    assert!(
        (zipf.r2 - r2).abs() <= 5.1e-5,
        "R² {zipf:?}, libCacheSim {r2}"
    );
    // The same fit to full precision; the two sum differently (raw powers,
    // deviations from the means), so they differ in the last digits only.
    let full: Vec<f64> = theirs["zipf_full"]
        .iter()
        .map(|word| word.parse().unwrap())
        .collect();
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
    assert!(
        close(zipf.alpha, full[0]) && close(zipf.intercept, full[1]) && close(zipf.r2, full[2]),
        "{zipf:?}, libCacheSim's linreg {full:?}"
    );

    // Each sampled rank's frequency, read from libCacheSim's runs of equal
    // frequency.
    let mut by_rank = Vec::new();
    for run in &theirs["frequencies"] {
        let (frequency, count) = run.split_once(':').unwrap();
        let (frequency, count): (u64, usize) = (frequency.parse().unwrap(), count.parse().unwrap());
        by_rank.extend(std::iter::repeat_n(frequency, count));
    }
    assert_eq!(by_rank.len() as u64, ours.objects);
    for point in &ours.popularity {
        assert_eq!(
            point.frequency,
            by_rank[point.rank as usize - 1],
            "rank {}",
            point.rank
        );
    }
    assert_eq!(ours.popularity.last().unwrap().rank, ours.objects);

    let percentiles = |sizes: SizePercentiles| {
        vec![
            sizes.min, sizes.p25, sizes.p50, sizes.p75, sizes.p90, sizes.p99, sizes.max,
        ]
    };
    assert_eq!(percentiles(ours.object_sizes), numbers("object_sizes"));
    assert_eq!(percentiles(ours.request_sizes), numbers("request_sizes"));

    assert_eq!(u128::from(ours.reuse_distance.cold), number("reuse_cold"));
    assert_eq!(ours.reuse_distance.log2_buckets, numbers("reuse_log2"));
}

fn dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("analyze");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn python() -> String {
    std::env::var(PYTHON).unwrap_or_else(|_| {
        panic!("{PYTHON} names no Python with libcachesim: run `cargo make crosscheck`")
    })
}

#[test]
#[ignore = "needs the libcachesim package: run it with `cargo make crosscheck`"]
fn the_sample_trace_agrees_with_libcachesim() {
    let python = python();
    let sample =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/cloudPhysicsIO.oracleGeneral.bin.zst");
    // libCacheSim reads it uncompressed; wsim reads the sample as it is.
    let plain = dir().join("cloudPhysicsIO.oracleGeneral.bin");
    let mut out = File::create(&plain).unwrap();
    zstd::stream::copy_decode(File::open(&sample).unwrap(), &mut out).unwrap();
    let file = TraceFile::new(&sample, None, CsvOptions::default()).unwrap();
    let ours = analyze(&Trace::from_file(file, false), |_| {}).unwrap();
    compare(&ours, &libcachesim(&python, &plain));
}

#[test]
#[ignore = "needs the libcachesim package: run it with `cargo make crosscheck`"]
fn a_trace_whose_sizes_change_agrees_with_libcachesim() {
    let python = python();
    // 3000 objects, skewed so the top one has the 200 requests libCacheSim
    // wants before it fits; each request of an object may take a new size,
    // and one in 50 has size 0 (both skip those).
    let requests: Vec<Request> = (0..30_000u64)
        .map(|i| {
            let draw = mix64(i);
            let unit = (draw >> 11) as f64 / (1u64 << 53) as f64;
            let id = 3000f64.powf(unit) as u64;
            let size = if draw.is_multiple_of(50) {
                0
            } else if draw.is_multiple_of(7) {
                1 + mix64(draw) % 100_000
            } else {
                1 + mix64(id) % 100_000
            };
            Request::new(mix64(id ^ 0xabc), size)
        })
        .collect();
    let path = dir().join("changing.oracleGeneral.bin");
    write_trace(&requests, &path, TraceFormat::OracleGeneral, |_| {}).unwrap();
    let file = TraceFile::new(&path, None, CsvOptions::default()).unwrap();
    let ours = analyze(&Trace::from_file(file, false), |_| {}).unwrap();
    assert!(ours.skipped_zero_size > 0);
    assert!(ours.bytes_requested > ours.working_set_bytes);
    compare(&ours, &libcachesim(&python, &path));
}
