"""wsim from Python: cache replacement policies, run natively or as sandboxed
WebAssembly plugins, on one machine or across a cluster.

Every function here runs the ``wsim`` command line's own code in this
process (no subprocess): it takes the CLI's arguments, returns the records
its ``--json`` writes, and raises :class:`WsimError` (a subclass per kind)
with its one-line message. The GIL is released while wsim works.

>>> import wsim
>>> records = wsim.simulate(None, ["lru", "s3fifo"], ["1%", "10%"])
>>> jobs = wsim.plan(traces=["a.oracleGeneral", "b.csv"], policies="all",
...                  sizes=["0.1%", "1%", "10%"])
>>> results = wsim.sweep(jobs)                            # all local cores
>>> results = wsim.sweep(jobs, client.get_executor())     # a Dask cluster
>>> wsim.to_pandas(results)
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import json
import os
import sys
import tempfile
import warnings
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _wsim

__version__: str = _wsim.__version__

__all__ = [
    "Job",
    "JobFailure",
    "PluginError",
    "PolicyError",
    "Sweep",
    "TraceError",
    "UsageError",
    "WsimError",
    "analyze",
    "cli",
    "inspect",
    "merge",
    "mrc",
    "plan",
    "policies",
    "simulate",
    "sweep",
    "to_pandas",
]

Record = Dict[str, Any]
PathLike = Union[str, "os.PathLike[str]"]
Names = Union[str, Sequence[str]]
Sizes = Union[int, str, Sequence[Union[int, str]]]


class WsimError(Exception):
    """A wsim command failed. ``str(error)`` is the CLI's one-line message
    (what ``wsim`` prints after ``wsim: error:``).

    Attributes:
        message: that message.
        kind: ``"trace"``, ``"plugin"``, ``"policy"``, ``"usage"`` or ``"other"``.
        records: the records computed before the failure (a run that failed
            at one size keeps the others), as the CLI still writes them.
        failures: each failed run's message, when runs failed.
        report: what the command printed before failing.
    """

    kind = "other"

    def __init__(
        self,
        message: str,
        *,
        records: Optional[List[Record]] = None,
        failures: Optional[List[str]] = None,
        report: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.records: List[Record] = list(records or [])
        self.failures: List[str] = list(failures or [])
        self.report = report

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # Keyword arguments survive pickling (a Dask worker's error reaches the client).
        return (type(self), (self.message,), self.__dict__)


class TraceError(WsimError):
    """A trace could not be opened, read or parsed (the message says where)."""

    kind = "trace"


class PluginError(WsimError):
    """A WebAssembly module would not load, or trapped, looped or lied."""

    kind = "plugin"


class PolicyError(WsimError):
    """A policy's parameters were refused, or its own consistency check failed."""

    kind = "policy"


class UsageError(WsimError, ValueError):
    """Arguments that name nothing or make no sense together."""

    kind = "usage"


_ERRORS = {cls.kind: cls for cls in (WsimError, TraceError, PluginError, PolicyError, UsageError)}


def _call(argv: List[str]) -> Tuple[str, Optional[WsimError]]:
    """Runs ``wsim ARGV...``: its report, and the error it ended with."""
    ok, report, kind, message, failures = _wsim.command(argv)
    if ok:
        return report, None
    error = _ERRORS.get(kind or "other", WsimError)(message or "failed", failures=failures, report=report)
    return report, error


def _with_json(argv: List[str], verbose: bool) -> Any:
    """Runs ``wsim ARGV... --json FILE`` and returns what it wrote to FILE,
    or raises its error carrying the records it still wrote."""
    with tempfile.TemporaryDirectory(prefix="wsim-") as directory:
        path = os.path.join(directory, "out.json")
        report, error = _call(argv + ["--json", path])
        written = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as file:
                written = json.load(file)
    if verbose and report:
        sys.stdout.write(report)
    if error is not None:
        if isinstance(written, list):
            error.records = written
        raise error
    return written


def _text(value: Any) -> str:
    return os.fspath(value) if isinstance(value, os.PathLike) else str(value)


def _listed(value: Any) -> List[Any]:
    if value is None:
        return []
    if isinstance(value, (str, int, os.PathLike)):
        return [value]
    return list(value)


# Options given once per item rather than as one comma-separated list.
_REPEATED = {"wasm"}
# Options the functions set themselves.
_MANAGED = {"json"}


def _flags(options: Mapping[str, Any]) -> List[str]:
    """``{"no_timing": True, "fuel": "off", "runtime": ["wasmer"]}`` as
    ``--no-timing --fuel off --runtime wasmer``; ``None`` and ``False`` leave
    a flag out."""
    argv: List[str] = []
    for name, value in options.items():
        if name in _MANAGED:
            raise UsageError(f"`{name}` is set by wsim's Python functions: they return what it would write")
        if value is None or value is False:
            continue
        flag = "--" + name.replace("_", "-")
        if value is True:
            argv.append(flag)
        elif name in _REPEATED:
            for item in _listed(value):
                argv += [flag, _text(item)]
        elif isinstance(value, (list, tuple)):
            argv += [flag, ",".join(_text(item) for item in value)]
        else:
            argv += [flag, _text(value)]
    return argv


def policies(featured: bool = False) -> List[str]:
    """The built-in policies' names, as ``--policy`` takes them; with
    ``featured``, the handful ``wsim run`` runs by default."""
    return list(_wsim.policy_names(featured))


def simulate(
    trace: Optional[PathLike] = None,
    policies: Optional[Names] = None,
    sizes: Optional[Sizes] = None,
    *,
    backends: Optional[Names] = None,
    ignore_size: bool = False,
    format: Optional[str] = None,
    wasm: Optional[Union[PathLike, Sequence[PathLike]]] = None,
    runtime: Optional[Names] = None,
    verbose: bool = False,
    **options: Any,
) -> List[Record]:
    """Replays ``trace`` through ``policies`` at ``sizes``: ``wsim run``.

    Args:
        trace: a trace file in any format wsim reads; ``None`` is the built-in
            synthetic trace (``requests=``, ``alpha=``, ``seed=``... shape it).
        policies: names with parameters (``"s3fifo:small-size-ratio=0.2"``),
            ``"all"``, or ``None`` for the CLI's default handful.
        sizes: bytes (``4096``), sizes (``"64MiB"``), shares of the working set
            (``"1%"``) or ranges (``"1MiB..1GiB:8"``); objects with ``ignore_size``.
        backends: ``"native"`` (the default), ``"batch"``, ``"pair"``... With
            ``wasm`` and no backends, the modules' own (the CLI's default).
        ignore_size: count every request as size 1.
        format: the trace's format when its name does not tell.
        wasm: policy modules of your own, run beside the policies.
        runtime: ``"wasmer"``, ``"wasmtime"`` or both.
        verbose: print the CLI's report (its table) to stdout.
        **options: any other ``wsim run`` option, underscores for dashes:
            ``no_timing=True``, ``warmup="10%"``, ``fuel="off"``,
            ``sample_ratio=0.01``, ``csv="out.csv"``, ``plot="figures"``.

    Returns:
        One dict per run, with exactly the fields of ``wsim run --json``.

    Raises:
        WsimError: its subclass says the kind; ``error.records`` holds the
            runs that finished.
    """
    if backends is None and wasm is None:
        backends = "native"
    argv = ["run"] + _flags(
        {
            "trace": trace,
            "policy": _listed(policies) or None,
            "size": _listed(sizes) or None,
            "backend": _listed(backends) or None,
            "ignore_size": ignore_size,
            "format": format,
            "wasm": wasm,
            "runtime": _listed(runtime) or None,
            **options,
        }
    )
    records: List[Record] = _with_json(argv, verbose)
    return records


def mrc(
    trace: Optional[PathLike] = None,
    *,
    methods: Optional[Names] = None,
    sizes: Optional[Sizes] = None,
    policies: Optional[Names] = None,
    ignore_size: bool = False,
    verbose: bool = False,
    **options: Any,
) -> List[Record]:
    """Miss-ratio curves: ``wsim mrc``. ``methods`` are ``"exact"`` and
    ``"shards"`` (LRU's, one pass each) and ``"minisim"`` (any policy's, on a
    sample); other options as ``wsim mrc`` takes them (``rate=0.01``). One
    dict per point, as ``wsim mrc --json`` writes."""
    argv = ["mrc"] + _flags(
        {
            "trace": trace,
            "method": _listed(methods) or None,
            "size": _listed(sizes) or None,
            "policy": _listed(policies) or None,
            "ignore_size": ignore_size,
            **options,
        }
    )
    points: List[Record] = _with_json(argv, verbose)
    return points


def analyze(trace: PathLike, *, verbose: bool = False, **options: Any) -> Dict[str, Any]:
    """A trace's requests, objects, bytes, working set, one-hit wonders,
    sizes, popularity and reuse: ``wsim analyze``, as its ``--json``."""
    analysis: Dict[str, Any] = _with_json(["analyze", _text(trace)] + _flags(options), verbose)
    return analysis


def inspect(path: PathLike, *, verbose: bool = False, **options: Any) -> Dict[str, Any]:
    """What a WebAssembly module exports, the ABIs it runs under and its ABI
    version: ``wsim inspect``, as its ``--json``. A module that runs under
    none raises :class:`WsimError`."""
    report: Dict[str, Any] = _with_json(["inspect", _text(path)] + _flags(options), verbose)
    return report


def merge(inputs: Sequence[PathLike], output: PathLike) -> None:
    """Joins the ``--json`` files of a sharded sweep (``wsim run --shard
    K/N``) into ``output``, in the order given: ``wsim merge``."""
    cli(["merge"] + [_text(path) for path in inputs] + ["-o", _text(output)])


def cli(argv: Sequence[Any]) -> str:
    """Runs any wsim command, ``wsim.cli(["convert", "in.csv", "out.lcs"])``,
    and returns what it printed; raises :class:`WsimError` if it fails."""
    report, error = _call([_text(arg) for arg in argv])
    if error is not None:
        raise error
    return report


@dataclasses.dataclass(frozen=True)
class Job:
    """One trace and one policy, at every size and backend of a sweep:
    picklable, so any executor can ship it to a worker."""

    trace: Optional[str]
    policy: str
    sizes: Tuple[Union[int, str], ...] = ()
    backends: Tuple[str, ...] = ("native",)
    options: Tuple[Tuple[str, Any], ...] = ()

    def run(self) -> List[Record]:
        """Its records (:func:`simulate`); raises :class:`WsimError`."""
        return simulate(
            self.trace,
            [self.policy],
            list(self.sizes) or None,
            backends=list(self.backends),
            **dict(self.options),
        )

    def __str__(self) -> str:
        extra = "".join(f" {name}={value}" for name, value in self.options)
        trace = self.trace if self.trace is not None else "the built-in trace"
        sizes = ",".join(str(size) for size in self.sizes) or "default sizes"
        return f"{self.policy} on {trace} at {sizes} ({','.join(self.backends)}){extra}"


@dataclasses.dataclass(frozen=True)
class JobFailure:
    """A job that failed: the job (its whole configuration), the error's kind
    and one-line message, and each failed run's message."""

    job: Job
    kind: str
    message: str
    failures: Tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.job}: {self.message}"


class Sweep(list):  # type: ignore[type-arg]
    """A sweep's records in the order of its jobs (a list), with
    ``failures``: each job that failed, with its configuration."""

    failures: List[JobFailure]

    def __init__(self, records: Iterable[Record] = (), failures: Iterable[JobFailure] = ()) -> None:
        super().__init__(records)
        self.failures = list(failures)


def _frozen(value: Any) -> Any:
    return tuple(_frozen(item) for item in value) if isinstance(value, (list, tuple)) else value


def plan(
    traces: Sequence[Optional[PathLike]] = (None,),
    policies: Optional[Names] = None,
    sizes: Optional[Sizes] = None,
    backends: Names = ("native",),
    **options: Any,
) -> List[Job]:
    """The jobs of a sweep: one per trace and policy (each at every size and
    backend), traces first. ``policies="all"`` is every built-in policy;
    ``None`` the CLI's default handful. ``options`` are :func:`simulate`'s
    (``ignore_size=True``, ``no_timing=True``, ``warmup="10%"``...)."""
    if isinstance(traces, (str, os.PathLike)):
        traces = [traces]
    names = _listed(policies)
    if names == ["all"]:
        names = list(_wsim.policy_names(False))
    elif not names:
        names = list(_wsim.policy_names(featured=True))
    frozen_options = tuple(sorted((name, _frozen(value)) for name, value in options.items()))
    for name, _ in frozen_options:
        if name in _MANAGED or name in {"trace", "policy", "size", "backend"}:
            raise UsageError(f"`{name}` is one of plan's own arguments")
    return [
        Job(
            trace=None if trace is None else _text(trace),
            policy=str(policy),
            sizes=tuple(_listed(sizes)),
            backends=tuple(_listed(backends)),
            options=frozen_options,
        )
        for trace in traces
        for policy in names
    ]


def _run_job(job: Job) -> Tuple[List[Record], Optional[JobFailure]]:
    """A job's records, or what it kept and why it failed: never raises, so
    a worker's answer always comes back."""
    try:
        return job.run(), None
    except WsimError as error:
        return error.records, JobFailure(job, error.kind, error.message, tuple(error.failures))


def sweep(
    jobs: Sequence[Job],
    executor: Optional[concurrent.futures.Executor] = None,
    *,
    progress: Optional[bool] = None,
) -> Sweep:
    """Runs ``jobs`` and returns their records in the order of the jobs.

    Args:
        jobs: from :func:`plan`.
        executor: any ``concurrent.futures.Executor``: a Dask client's
            ``get_executor()``, Ray's, a ``ProcessPoolExecutor``. ``None``
            runs them on every local core (threads: wsim releases the GIL).
            Jobs that run at once share the machine, so compare times only
            from a sweep that ran one job at a time (or pass
            ``no_timing=True`` to :func:`plan` for hit ratios alone).
        progress: print ``done/total`` to stderr as jobs finish; by default
            when stderr is a terminal.

    A job that fails does not stop the others: it joins ``result.failures``
    with its configuration, its finished runs stay among the records, and a
    warning names the first.
    """
    jobs = list(jobs)
    own = executor is None
    pool = executor or concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1)
    show = sys.stderr.isatty() if progress is None else progress
    try:
        futures = [pool.submit(_run_job, job) for job in jobs]
        if show:
            for done, _ in enumerate(concurrent.futures.as_completed(futures), 1):
                sys.stderr.write(f"\rwsim sweep: {done}/{len(jobs)} jobs done")
                sys.stderr.flush()
            sys.stderr.write("\n")
        result = Sweep()
        for job, future in zip(jobs, futures):
            try:
                records, failure = future.result()
            except Exception as error:  # the executor failed: a worker died, or could not unpickle
                records, failure = [], JobFailure(job, "executor", f"{type(error).__name__}: {error}")
            result.extend(records)
            if failure is not None:
                result.failures.append(failure)
    finally:
        if own:
            pool.shutdown()
    if result.failures:
        first = result.failures[0]
        more = f" (and {len(result.failures) - 1} more: see .failures)" if len(result.failures) > 1 else ""
        warnings.warn(f"wsim sweep: {len(result.failures)} of {len(jobs)} jobs failed; {first}{more}", stacklevel=2)
    return result


def to_pandas(records: Iterable[Record]) -> "Any":
    """The records as a ``pandas.DataFrame``, one row per run (needs pandas)."""
    try:
        import pandas
    except ImportError as error:
        raise ImportError("wsim.to_pandas needs pandas: pip install pandas") from error
    return pandas.DataFrame.from_records(list(records))
