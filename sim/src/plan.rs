//! What `wsim run` runs where: the command line's choices resolved once
//! ([`Selection`]), and the jobs they make ([`jobs`]).

use wsim_backends::{Backend, Compiler, LookupKind, Runs, Runtime};
use wsim_policies::{PolicyKind, PolicySpec};

use crate::args::PolicyArgs;
use crate::choice::{Choice, distinct, resolve_policies};
use crate::run::{Auditing, Job, Policy};

/// Fuel for guests that `--fuel` does not set: none for the built-in
/// policies (wsim's own code, measured bare), and for `--wasm` modules
/// enough for any honest call (a Batch call of 4,096 requests, or a hash
/// table rehashing a million entries, spends far less) while a loop that
/// never ends fails in about a second.
pub const DEFAULT_PLUGIN_FUEL: u64 = 1_000_000_000;

/// Every choice of `wsim run`, resolved from its arguments once.
#[derive(Debug, Clone)]
pub struct Selection {
    /// The built-in policies to run, with their parameters.
    pub policies: Vec<PolicySpec>,
    /// Whether `--policy` was left out, so the featured handful runs, or
    /// beside `--wasm` modules [`COMPARED_WITH`].
    pub policies_by_default: bool,
    /// Whether every request must carry its next access: a policy needs it
    /// or `--next-access` asked.
    pub next_access: bool,
    /// The backends, native first whenever a WebAssembly backend runs (its
    /// baseline).
    pub backends: Vec<Backend>,
    /// How core-module backends find their exports.
    pub lookups: Vec<LookupKind>,
    /// The runtimes WebAssembly guests run on, every one built.
    pub runtimes: Vec<Runtime>,
    /// The runtimes left out because `--deadline` was given, `--runtime`
    /// was not, and this build cannot stop their guests at a deadline.
    pub runtimes_without_deadline: Vec<Runtime>,
    /// The compiler asked for, on the runtimes that have it.
    pub compiler: Compiler,
    /// `--fuel`'s settings; empty: the defaults.
    fuel: Vec<Option<u64>>,
    /// Whether `--backend` was given (rather than the default set).
    pub backends_asked: bool,
    /// `--audit` (`Some(true)`) or `--no-audit` (`Some(false)`).
    audit: Option<bool>,
}

/// The built-in policies a `--wasm` module runs beside unless `--policy`
/// says otherwise: the baselines every paper has, and LRU the one a
/// plugin's slowdown is measured against.
pub const COMPARED_WITH: [PolicyKind; 2] = [PolicyKind::Lru, PolicyKind::Fifo];

impl Selection {
    /// Resolves `args`' choices (their parsers already refused anything
    /// this build leaves out); `untimed` runs pick fewer backends by
    /// default.
    #[must_use]
    pub fn new(args: &PolicyArgs, untimed: bool) -> Self {
        let policies = if args.policies.is_empty() {
            if args.modules.is_empty() {
                PolicyKind::ALL
                    .into_iter()
                    .filter(|kind| kind.featured())
                    .map(PolicySpec::of)
                    .collect()
            } else {
                // A module of the user's is compared with the simplest
                // policies by default.
                COMPARED_WITH.into_iter().map(PolicySpec::of).collect()
            }
        } else {
            resolve_policies(&args.policies)
        };
        let next_access =
            args.next_access || policies.iter().any(|spec| spec.kind.needs_next_access());
        let mut backends = if !args.backends.is_empty() {
            Choice::resolve(&args.backends)
        } else if !args.modules.is_empty() {
            // A module of the user's runs under the core-module backends
            // alone: those, beside native, for it and the built-ins it is
            // compared with.
            Backend::built()
                .into_iter()
                .filter(|backend| backend.runs() != Runs::Component)
                .collect()
        } else if untimed {
            vec![Backend::Native]
        } else {
            Backend::built()
        };
        if backends.iter().any(|backend| backend.is_wasm()) && !backends.contains(&Backend::Native)
        {
            backends.insert(0, Backend::Native);
        }
        let mut runtimes = runtimes(&args.runtime.runtimes);
        let mut runtimes_without_deadline = Vec::new();
        let wasm_runs =
            backends.iter().any(|backend| backend.is_wasm()) || !args.modules.is_empty();
        if args.sandbox.deadline.is_some() && args.runtime.runtimes.is_empty() && wasm_runs {
            let (keeping, not): (Vec<Runtime>, Vec<Runtime>) =
                runtimes.iter().partition(|runtime| runtime.has_deadline());
            // Named runtimes stay, and so do all when none could keep the
            // deadline: the engine then refuses them in words.
            if !keeping.is_empty() {
                (runtimes, runtimes_without_deadline) = (keeping, not);
            }
        }
        let fuel = distinct(args.sandbox.fuel.iter().map(|setting| setting.0));
        Self {
            policies_by_default: args.policies.is_empty(),
            next_access,
            policies,
            backends,
            lookups: Choice::resolve(&args.lookup),
            runtimes,
            runtimes_without_deadline,
            compiler: args.runtime.compiler,
            fuel,
            backends_asked: !args.backends.is_empty(),
            audit: if args.sandbox.audit {
                Some(true)
            } else if args.sandbox.no_audit {
                Some(false)
            } else {
                None
            },
        }
    }

    /// How a policy's runs are audited: as `--audit` or `--no-audit` say, or
    /// by default a module of the user's as far as it reports and a
    /// built-in policy not at all.
    #[must_use]
    pub const fn auditing(&self, builtin: bool) -> Auditing {
        match self.audit {
            Some(true) => Auditing::Required,
            Some(false) => Auditing::Off,
            None if builtin => Auditing::Off,
            None => Auditing::AsReported,
        }
    }

    /// The fuel settings a policy's WebAssembly runs take: `--fuel`'s, or by
    /// default none for a built-in policy and [`DEFAULT_PLUGIN_FUEL`] for a
    /// module of the user's.
    #[must_use]
    pub fn fuels(&self, builtin: bool) -> Vec<Option<u64>> {
        if self.fuel.is_empty() {
            vec![(!builtin).then_some(DEFAULT_PLUGIN_FUEL)]
        } else {
            self.fuel.clone()
        }
    }

    /// The fuel settings in words, for the run's header.
    #[must_use]
    pub fn describe_fuel(&self) -> String {
        if self.fuel.is_empty() {
            return format!(
                "off for the built-in policies, {DEFAULT_PLUGIN_FUEL} per call for --wasm modules"
            );
        }
        let settings: Vec<String> = self
            .fuel
            .iter()
            .map(|fuel| fuel.map_or_else(|| "off".to_owned(), |n| format!("{n} per call")))
            .collect();
        settings.join(", then ")
    }

    /// The compiler `runtime` compiles with.
    #[must_use]
    pub fn compiler_on(&self, runtime: Runtime) -> Compiler {
        runtime.compiler_for(self.compiler)
    }

    /// The WebAssembly backends chosen.
    pub fn wasm_backends(&self) -> impl Iterator<Item = Backend> + '_ {
        self.backends
            .iter()
            .copied()
            .filter(|backend| backend.is_wasm())
    }

    /// A note that `--deadline` left runtimes out, when it did.
    #[must_use]
    pub fn deadline_note(&self) -> Option<String> {
        let names: Vec<&str> = self
            .runtimes_without_deadline
            .iter()
            .map(|runtime| runtime.name())
            .collect();
        let features: Vec<&str> = self
            .runtimes_without_deadline
            .iter()
            .filter_map(|runtime| runtime.deadline_feature())
            .collect();
        (!names.is_empty()).then(|| {
            format!(
                "note: --deadline leaves out {}: this build cannot stop its guests at a deadline \
                 (`--features {}` builds that, at a cost to every call)",
                names.join(", "),
                features.join(",")
            )
        })
    }

    /// The runtime hosting components, when a component backend was asked
    /// for but cannot run because `--runtime` leaves that runtime out.
    #[must_use]
    pub fn components_left_out(&self) -> Option<Runtime> {
        let host = Runtime::hosting_components()?;
        (self.backends.iter().any(|backend| backend.is_component())
            && !self.runtimes.contains(&host))
        .then_some(host)
    }
}

/// The runtimes `--runtime` names (its parser refuses one this build leaves
/// out), or every one built.
#[must_use]
pub fn runtimes(asked: &[Choice<Runtime>]) -> Vec<Runtime> {
    if asked.is_empty() {
        Runtime::built()
    } else {
        Choice::resolve(asked)
    }
}

/// Every job `selection` makes of `policies` at `sizes`, in report order:
/// by policy, then size, then backend (native first), runtime, lookup and
/// fuel.
#[must_use]
pub fn jobs<'p>(selection: &Selection, policies: &'p [Policy], sizes: &[u64]) -> Vec<Job<'p>> {
    let mut jobs = Vec::new();
    for policy in policies {
        let fuels = selection.fuels(policy.kind.is_some());
        let auditing = selection.auditing(policy.kind.is_some());
        for &capacity in sizes {
            for &backend in &selection.backends {
                if !policy.runs_under(backend) {
                    continue;
                }
                let job = |runtime: Option<Runtime>, lookup, fuel| Job {
                    policy,
                    backend,
                    lookup,
                    runtime,
                    compiler: runtime.map(|runtime| selection.compiler_on(runtime)),
                    fuel,
                    capacity,
                    auditing,
                };
                match backend.runs() {
                    Runs::Native => jobs.push(job(None, None, None)),
                    Runs::Component => {
                        if let Some(runtime) = Runtime::hosting_components()
                            .filter(|runtime| selection.runtimes.contains(runtime))
                        {
                            for &fuel in &fuels {
                                jobs.push(job(Some(runtime), None, fuel));
                            }
                        }
                    }
                    Runs::Module => {
                        for &runtime in selection
                            .runtimes
                            .iter()
                            .filter(|&&runtime| policy.loaded_on(runtime))
                        {
                            for &lookup in &selection.lookups {
                                for &fuel in &fuels {
                                    jobs.push(job(Some(runtime), Some(lookup), fuel));
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    jobs
}

/// `--shard K/N`: the K-th of N slices of a sweep, for a batch scheduler's
/// array jobs. A slice is a run of whole policy-and-size pairs in report
/// order, so each pair keeps its native baseline and the slices' records,
/// joined in order K = 1..N, are the whole sweep's in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// K, from 1.
    pub index: usize,
    /// N.
    pub count: usize,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let wrong =
            || format!("`{text}` is not a shard: K/N, with 1 <= K <= N (1/4 is the first of four)");
        let (index, count) = text.trim().split_once('/').ok_or_else(wrong)?;
        let index: usize = index.trim().parse().map_err(|_| wrong())?;
        let count: usize = count.trim().parse().map_err(|_| wrong())?;
        if index == 0 || index > count {
            return Err(wrong());
        }
        Ok(Self { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// This slice of `jobs` (in report order), and how many policy-and-size
    /// pairs it and the whole sweep have.
    #[must_use]
    pub fn slice<'p>(&self, jobs: Vec<Job<'p>>) -> (Vec<Job<'p>>, usize, usize) {
        let pair = |job: &Job<'p>| (job.policy.name.as_str(), job.capacity);
        // Each job's pair's position; jobs of a pair are next to each other.
        let mut pairs = 0;
        let mut positions = Vec::with_capacity(jobs.len());
        for (index, job) in jobs.iter().enumerate() {
            if index == 0 || pair(&jobs[index - 1]) != pair(job) {
                pairs += 1;
            }
            positions.push(pairs - 1);
        }
        // Pair i goes to slice ⌊i·N/P⌋; in 128 bits, as K and N are anyone's.
        let bound = |k: usize| {
            let bound = (pairs as u128 * k as u128) / self.count as u128;
            usize::try_from(bound).unwrap_or(pairs)
        };
        let (first, end) = (bound(self.index - 1), bound(self.index));
        let kept: Vec<Job<'p>> = jobs
            .into_iter()
            .zip(positions)
            .filter(|(_, position)| (first..end).contains(position))
            .map(|(job, _)| job)
            .collect();
        (kept, end - first, pairs)
    }
}
