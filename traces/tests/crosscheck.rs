//! The differential cross-check against libCacheSim itself (`cargo make
//! crosscheck`): every policy with a `libcachesim` class, on random traces
//! built to reach the corners (ids over the whole u64 range, sizes from 1
//! to beyond the cache, ids requested again with new sizes, objects larger
//! than the cache, runs, scans and loops), request for request. It needs
//! the `libcachesim` package, so it is ignored by `cargo make test`;
//! `cargo make crosscheck` installs the package in a venv and runs it.

#![allow(
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    clippy::cast_sign_loss,
    reason = "a test fails by panicking, and its data are small by construction"
)]

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use wsim_policies::{Cache, EvictionPolicy, Params, PolicyKind, PolicyVisitor, Request};
use wsim_traces::{CsvOptions, RequestReader, Trace, TraceFile, TraceFormat, mix64, write_trace};

#[path = "crosscheck/formats.rs"]
mod formats;
#[path = "crosscheck/lfuda_in_libcachesim.rs"]
mod lfuda_in_libcachesim;

/// Where `cargo make crosscheck` says the venv's Python is.
const PYTHON: &str = "WSIM_LIBCACHESIM_PYTHON";

/// Names the policies to check (`twoq,slru`), when not every one.
const ONLY: &str = "WSIM_CROSSCHECK_ONLY";

/// Random traces per run, each seeded by its index.
const TRACES: u64 = 12;

/// Requests per trace.
const REQUESTS: usize = 6_000;

/// Parameters other than the defaults that the cross-check also runs:
/// `(policy, params)`, in libCacheSim's names.
const VARIANTS: &[(&str, &str)] = &[
    (
        "s3fifo",
        "small-size-ratio=0.25,ghost-size-ratio=0.5,move-to-main-threshold=1",
    ),
    ("twoq", "Ain-size-ratio=0.4,Aout-size-ratio=1.0"),
    ("slru", "n-seg=2"),
    ("slru", "n-seg=1"),
    ("lruk", "k=3"),
    ("mq", "n-queue=4,lifetime=50,Qout-size-ratio=2.0"),
    ("clockpro", "init-ratio-cold=1.0"),
    ("belady-size", "n-sample=16"),
    ("wtinylfu", "window-size=0.25"),
];

/// A small deterministic generator (splitmix64).
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix64(self.0)
    }

    /// Uniform in `0..bound` (`bound` > 0), near enough for a test.
    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }

    /// Zipf-like: rank `r` with weight about `1 / (r + 1)`.
    fn skewed(&mut self, bound: u64) -> u64 {
        let unit = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((bound as f64).powf(unit) - 1.0) as u64 % bound
    }
}

/// What one random trace looks like.
#[derive(Debug, Clone, Copy)]
struct Shape {
    seed: u64,
    /// Every size 1 (capacities then count objects).
    unit: bool,
}

impl Shape {
    /// The requests: a pool of objects with random ids and sizes, visited
    /// in phases of skewed popularity, runs of one object, scans of new
    /// ones and loops over a few, with some ids requested again under a
    /// new size.
    fn requests(self) -> Vec<Request> {
        let mut random = Random(self.seed.wrapping_mul(0x2545_f491_4f6c_dd1d));
        let objects = 50 + random.below(1_500);
        let largest = if self.unit {
            1
        } else {
            1 + random.below(1 << 16)
        };
        let mut pool: Vec<(u64, u64)> = (0..objects)
            .map(|rank| {
                let id = match rank {
                    0 => 0,
                    1 => u64::MAX,
                    _ => random.next(),
                };
                (id, 1 + random.below(largest))
            })
            .collect();
        let mut requests = Vec::with_capacity(REQUESTS);
        while requests.len() < REQUESTS {
            let phase = random.below(10);
            let length = 1 + random.below(200);
            let run = pool[random.below(objects) as usize];
            for step in 0..length {
                let (id, size) = match phase {
                    // A run: one object again and again.
                    0 => run,
                    // A scan: objects never seen before.
                    1 => (random.next(), 1 + random.below(largest)),
                    // A loop over a few objects.
                    2 => pool[(step % 7) as usize * 13 % objects as usize],
                    // An object requested again with a new size.
                    3 if !self.unit && step % 3 == 0 => {
                        let index = random.skewed(objects) as usize;
                        pool[index].1 = 1 + random.below(largest * 2);
                        pool[index]
                    }
                    _ => pool[random.skewed(objects) as usize],
                };
                requests.push(Request::new(id, size));
            }
        }
        requests.truncate(REQUESTS);
        requests
    }

    /// Capacities from a sliver of the working set to most of it, plus a
    /// few tiny ones (where policies' integer shares round to nothing).
    fn capacities(self, requests: &[Request]) -> Vec<u64> {
        let mut seen = rustc_hash::FxHashSet::default();
        let working_set: u64 = requests
            .iter()
            .filter(|request| seen.insert(request.id))
            .map(|request| request.size)
            .sum();
        let mut capacities: Vec<u64> = [100, 20, 5, 2]
            .iter()
            .map(|divisor| (working_set / divisor).max(1))
            .collect();
        if self.unit {
            capacities.extend([3, 10, 25]);
        }
        capacities.sort_unstable();
        capacities.dedup();
        capacities
    }
}

/// One policy at one capacity with one set of parameters.
#[derive(Debug, Clone)]
struct Job {
    policy: PolicyKind,
    class: &'static str,
    capacity: u64,
    params: String,
}

impl Job {
    /// wsim's hit flags, natively, checking the invariants as it goes.
    fn wsim(&self, requests: &[Request]) -> Vec<bool> {
        struct Run<'a> {
            job: &'a Job,
            requests: &'a [Request],
        }
        impl PolicyVisitor for Run<'_> {
            type Output = Vec<bool>;
            fn visit<P: EvictionPolicy + 'static>(self) -> Vec<bool> {
                let params = Params::parse(&self.job.params, P::PARAMETERS)
                    .unwrap_or_else(|error| panic!("{}: {error}", P::NAME));
                let mut cache = Cache::<P>::with_params(self.job.capacity, &params);
                let mut hits = Vec::with_capacity(self.requests.len());
                for (index, &request) in self.requests.iter().enumerate() {
                    hits.push(cache.access(request));
                    if index % 500 == 0
                        && let Err(error) = cache.check_invariants()
                    {
                        panic!("{} after request {index}: {error}", self.job);
                    }
                }
                hits
            }
        }
        self.policy.visit(Run {
            job: self,
            requests,
        })
    }
}

impl std::fmt::Display for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}) at {}", self.policy, self.class, self.capacity)?;
        if !self.params.is_empty() {
            write!(f, " with {}", self.params)?;
        }
        Ok(())
    }
}

/// The jobs for one trace: every policy with a libcachesim class at every
/// capacity, and the parameter variants.
fn jobs(capacities: &[u64], requests: &[Request]) -> Vec<Job> {
    let only = std::env::var(ONLY).unwrap_or_default();
    let chosen =
        |policy: PolicyKind| only.is_empty() || only.split(',').any(|name| name == policy.name());
    let mut jobs = Vec::new();
    for policy in PolicyKind::ALL.into_iter().filter(|&policy| chosen(policy)) {
        let Some(class) = policy.libcachesim() else {
            continue;
        };
        let mut param_sets = vec![String::new()];
        param_sets.extend(
            VARIANTS
                .iter()
                .filter(|(name, params)| *name == policy.name() && !params.is_empty())
                .map(|(_, params)| (*params).to_owned()),
        );
        for params in param_sets {
            for &capacity in capacities {
                if libcachesim_refuses(policy, capacity, &params, requests) {
                    continue;
                }
                jobs.push(Job {
                    policy,
                    class,
                    capacity,
                    params: params.clone(),
                });
            }
        }
    }
    jobs
}

/// Whether libCacheSim refuses to make this cache (and ends the process),
/// or cannot serve these requests with it (LFUDA and WTinyLFU: below).
/// S3-FIFO when its small or main queue would get no bytes. wsim makes it,
/// and it caches nothing; there is nothing to compare that with.
fn libcachesim_refuses(
    policy: PolicyKind,
    capacity: u64,
    params: &str,
    requests: &[Request],
) -> bool {
    // LFUDA crashes (a NULL dereference) when an eviction finds its
    // min-frequency list empty, and crawls when frequencies explode in a
    // small cache; wsim runs on (lfuda.rs). A replay of its C code says
    // which runs do either.
    if policy.name() == "lfuda" {
        let failure = lfuda_in_libcachesim::fails(capacity, requests);
        if let Some(why) = &failure {
            eprintln!("crosscheck: lfuda at {capacity} not compared: libCacheSim {why}");
        }
        return failure.is_some();
    }
    // WTinyLFU's main SLRU aborts on a segment of 0 bytes, which a main
    // cache (the capacity less the window) under 5 bytes gets.
    if policy.name() == "wtinylfu" {
        let ratio = params
            .split(',')
            .find_map(|pair| pair.strip_prefix("window-size="))
            .map_or(0.01, |ratio| ratio.parse().unwrap());
        let main = capacity - (capacity as f64 * ratio) as u64;
        return ((1.0 / 5.0) * main as f64) as u64 == 0;
    }
    if policy.name() != "s3fifo" {
        return false;
    }
    let ratio = params
        .split(',')
        .find_map(|pair| pair.strip_prefix("small-size-ratio="))
        .map_or(0.1, |ratio| ratio.parse().unwrap());
    let small = (capacity as f64 * ratio) as u64;
    small == 0 || small >= capacity
}

/// Starts the helper on `trace` (oracleGeneral) with `jobs` on its stdin.
fn libcachesim(python: &str, trace: &Path, jobs: &[Job]) -> Child {
    libcachesim_reading(python, trace, ("ORACLE_GENERAL_TRACE", ""), jobs)
}

/// Starts the helper on `trace`, read as libcachesim's `TraceType` named
/// `kind.0` with reader parameters `kind.1`, with `jobs` on its stdin.
fn libcachesim_reading(python: &str, trace: &Path, kind: (&str, &str), jobs: &[Job]) -> Child {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crosscheck/libcachesim_hits.py");
    let mut child = Command::new(python)
        .arg(&script)
        .arg(trace)
        .arg(kind.0)
        .arg(kind.1)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("{PYTHON}={python}: {error}"));
    let mut input = String::new();
    for job in jobs {
        let params = job.params.replace(' ', "");
        writeln!(input, "{} {} {params}", job.class, job.capacity).unwrap();
    }
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child
}

/// Where the traces are kept, so a difference can be replayed by hand.
fn trace_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("crosscheck");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The first request where the two disagree, described.
fn first_difference(requests: &[Request], ours: &[bool], theirs: &[bool]) -> Option<String> {
    let word = |hit: bool| if hit { "hit" } else { "miss" };
    if ours.len() != theirs.len() {
        return Some(format!(
            "libCacheSim answered {} requests of {}",
            theirs.len(),
            ours.len()
        ));
    }
    let index = ours.iter().zip(theirs).position(|(a, b)| a != b)?;
    let differing = ours.iter().zip(theirs).filter(|(a, b)| a != b).count();
    let request = requests[index];
    Some(format!(
        "first differs at request {index} (id {}, size {}): wsim {}, libCacheSim {}; \
         {differing} requests differ in all, wsim {} hits, libCacheSim {}",
        request.id,
        request.size,
        word(ours[index]),
        word(theirs[index]),
        ours.iter().filter(|&&hit| hit).count(),
        theirs.iter().filter(|&&hit| hit).count(),
    ))
}

/// Every request of the trace at `path`, as a run reads it.
fn read_back(path: &Path) -> Vec<Request> {
    let file = TraceFile::new(path, None, CsvOptions::default()).unwrap();
    let mut reader = Trace::from_file(file, false).reader().unwrap();
    let (mut all, mut chunk) = (Vec::new(), Vec::new());
    loop {
        reader.fill(&mut chunk).unwrap();
        if chunk.is_empty() {
            return all;
        }
        all.extend_from_slice(&chunk);
    }
}

#[test]
#[ignore = "needs the libcachesim package: run it with `cargo make crosscheck`"]
fn every_policy_agrees_with_libcachesim_request_for_request() {
    let python = std::env::var(PYTHON).unwrap_or_else(|_| {
        panic!("{PYTHON} names no Python with libcachesim: run `cargo make crosscheck`")
    });
    let dir = trace_dir();
    let mut differences = Vec::new();
    let mut compared = 0usize;
    for seed in 0..TRACES {
        let shape = Shape {
            seed,
            unit: seed % 3 == 2,
        };
        let path = dir.join(format!("seed-{seed}.oracleGeneral.bin"));
        write_trace(&shape.requests(), &path, TraceFormat::OracleGeneral, |_| {}).unwrap();
        // Read back as a run reads it, next accesses and all.
        let requests = read_back(&path);
        let jobs = jobs(&shape.capacities(&requests), &requests);
        let child = libcachesim(&python, &path, &jobs);
        let ours: Vec<Vec<bool>> = jobs.iter().map(|job| job.wsim(&requests)).collect();
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "libcachesim_hits.py failed on {} ({}): {}",
            path.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        let theirs: Vec<Vec<bool>> = BufReader::new(&output.stdout[..])
            .lines()
            .map(|line| line.unwrap().bytes().map(|flag| flag == b'1').collect())
            .collect();
        assert_eq!(
            theirs.len(),
            jobs.len(),
            "libcachesim_hits.py answered too few jobs"
        );
        for ((job, ours), theirs) in jobs.iter().zip(&ours).zip(&theirs) {
            compared += requests.len();
            if let Some(difference) = first_difference(&requests, ours, theirs) {
                differences.push(format!(
                    "{job}, trace seed {seed} ({}): {difference}",
                    path.display()
                ));
            }
        }
        eprintln!(
            "crosscheck: trace seed {seed}: {} jobs, {} differ so far",
            jobs.len(),
            differences.len()
        );
    }
    assert!(
        differences.is_empty(),
        "{} of the runs differ from libCacheSim ({compared} requests compared):\n{}",
        differences.len(),
        differences.join("\n")
    );
    eprintln!("crosscheck: {compared} requests agree with libCacheSim");
}

/// libCacheSim's hit flags (or, for the `REQUESTS` job, its requests as
/// `id:size` words) for each job, reading `trace` as `kind`.
fn libcachesim_answers(
    python: &str,
    trace: &Path,
    kind: (&str, &str),
    jobs: &[Job],
) -> Vec<String> {
    let child = libcachesim_reading(python, trace, kind, jobs);
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "libcachesim_hits.py failed on {} ({}): {}",
        trace.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let answers: Vec<String> = BufReader::new(&output.stdout[..])
        .lines()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        answers.len(),
        jobs.len(),
        "libcachesim_hits.py answered too few jobs"
    );
    answers
}

#[test]
#[ignore = "needs the libcachesim package: run it with `cargo make crosscheck`"]
fn every_format_reads_as_libcachesim_reads_it() {
    let python = std::env::var(PYTHON).unwrap_or_else(|_| {
        panic!("{PYTHON} names no Python with libcachesim: run `cargo make crosscheck`")
    });
    let dir = trace_dir();
    let mut differences = Vec::new();
    let mut files_checked = 0;
    // One trace per format: every format's rules are met in its first few
    // thousand records, and each file costs minutes of libCacheSim's time.
    for seed in [100] {
        let shape = Shape { seed, unit: false };
        let files = formats::files(&python, &dir, shape);
        let mut little_endian = None;
        for file in &files {
            let name = file.path.display();
            let (requests, skipped) = file.read();
            assert_eq!(skipped, file.skips, "{name}: requests skipped");
            files_checked += 1;
            if file.kind.is_empty() {
                // The big-endian layout holds the little-endian one's records.
                let same: &Vec<Request> = little_endian.as_ref().unwrap();
                let ids_and_sizes = |requests: &[Request]| -> Vec<(u64, u64)> {
                    requests.iter().map(|r| (r.id, r.size)).collect()
                };
                assert_eq!(ids_and_sizes(&requests), ids_and_sizes(same), "{name}");
                continue;
            }
            if file.format == TraceFormat::Binary {
                little_endian = Some(requests.clone());
            }
            let kind = (file.kind, file.params.as_str());
            let read = Job {
                policy: PolicyKind::ALL[0],
                class: "REQUESTS",
                capacity: 0,
                params: String::new(),
            };
            let theirs = libcachesim_answers(&python, &file.path, kind, &[read]);
            let ours: Vec<String> = requests
                .iter()
                .map(|r| format!("{}:{}", r.id, r.size))
                .collect();
            let theirs: Vec<&str> = theirs[0].split_whitespace().collect();
            if ours != theirs {
                let at = ours.iter().zip(&theirs).position(|(a, b)| a != b);
                differences.push(format!(
                    "{name}: wsim reads {} requests, libCacheSim {}; first different at {at:?}",
                    ours.len(),
                    theirs.len()
                ));
                continue;
            }
            let working_set: u64 = {
                let mut seen = rustc_hash::FxHashSet::default();
                requests
                    .iter()
                    .filter(|r| seen.insert(r.id))
                    .map(|r| r.size)
                    .sum()
            };
            let capacities = [working_set / 20, working_set / 4];
            // A format without next accesses gives libCacheSim's Belady
            // nothing to go by (it crawls): wsim computes them, libCacheSim
            // does not, so there is nothing to compare.
            let carries_next = requests.iter().any(|r| r.next_access != Request::NEVER);
            let jobs: Vec<Job> = jobs(&capacities, &requests)
                .into_iter()
                .filter(|job| carries_next || !job.policy.needs_next_access())
                .collect();
            let theirs = libcachesim_answers(&python, &file.path, kind, &jobs);
            for (job, theirs) in jobs.iter().zip(theirs) {
                let theirs: Vec<bool> = theirs.bytes().map(|flag| flag == b'1').collect();
                if let Some(difference) = first_difference(&requests, &job.wsim(&requests), &theirs)
                {
                    differences.push(format!("{job} on {name}: {difference}"));
                }
            }
        }
    }
    assert!(
        differences.is_empty(),
        "{} differences from libCacheSim:\n{}",
        differences.len(),
        differences.join("\n")
    );
    eprintln!(
        "crosscheck: {files_checked} trace files read as libCacheSim reads them, every policy's hits equal"
    );
}
