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
    """A WebAssembly module would not load, lacks an export its ABI needs,
    or trapped, looped or lied."""

    kind = "plugin"


class PolicyError(WsimError):
    """A policy's own consistency check failed after a run (parameters it
    does not take are refused with the arguments: :class:`UsageError`)."""

    kind = "policy"


class UsageError(WsimError, ValueError):
    """Arguments that name nothing, make no sense together or would run
    nothing (a policy's parameters included)."""

    kind = "usage"


_ERRORS = {cls.kind: cls for cls in (WsimError, TraceError, PluginError, PolicyError, UsageError)}


def _call(argv: List[str]) -> Tuple[str, Optional[WsimError]]:
    """Runs ``wsim ARGV...``: its report, and the error it ended with."""
    ok, report, kind, message, failures = _wsim.command(argv)
    if ok:
        return report, None
    error = _ERRORS.get(kind or "other", WsimError)(message or "failed", failures=failures, report=report)
    return report, error


def _with_json(argv: List[str], verbose: bool, operands: Sequence[Any] = ()) -> Any:
    """Runs ``wsim ARGV... --json FILE -- OPERANDS...`` and returns what it
    wrote to FILE, or raises its error carrying the records it still wrote."""
    with tempfile.TemporaryDirectory(prefix="wsim-") as directory:
        path = os.path.join(directory, "out.json")
        after = ["--"] + [_text(operand) for operand in operands] if operands else []
        report, error = _call(argv + ["--json", path] + after)
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
    """A path or value as the command line takes it (numpy's numbers too)."""
    if isinstance(value, (bytes, os.PathLike)):
        return os.fsdecode(value)
    return str(value.item() if hasattr(value, "item") and not isinstance(value, str) else value)


def _is_flag(value: Any) -> bool:
    """A bool, Python's or numpy's."""
    return isinstance(value, bool) or type(value).__name__ == "bool_"


def _listed(value: Any) -> List[Any]:
    """``None`` as nothing, a string, path or number as one item, anything
    else iterable as its items."""
    if value is None:
        return []
    if isinstance(value, (str, bytes, os.PathLike)) or not hasattr(value, "__iter__"):
        return [value]
    return list(value)


def _names(value: Optional[Names]) -> Optional[List[str]]:
    """Policy names, ``"lru,fifo"`` split at its commas as ``--policy``
    splits it; ``None`` when not given, and an empty list as ``none``."""
    if value is None:
        return None
    names = [name.strip() for item in _listed(value) for name in _text(item).split(",")]
    names = [name for name in names if name]
    return names or ["none"]


# Options given once per item rather than as one comma-separated list.
_REPEATED = {"wasm"}
# Options the functions set themselves, or that print instead of returning.
_MANAGED = {"json": "they return what it would write", "help": "see help(wsim) or wsim.cli([COMMAND, '--help'])",
            "version": "see wsim.__version__"}


def _flags(subcommand: str, options: Mapping[str, Any]) -> List[str]:
    """``{"no_timing": True, "fuel": "off", "runtime": ["wasmer"]}`` as
    ``--no-timing --fuel off --runtime wasmer``: a switch (an option that
    takes no value) is given when truthy; ``None`` leaves an option out."""
    switches = set(_wsim.switches(subcommand))
    argv: List[str] = []
    for name, value in options.items():
        if name in _MANAGED:
            raise UsageError(f"`{name}` is not an option of wsim's Python functions: {_MANAGED[name]}")
        if value is None:
            continue
        long = name.replace("_", "-")
        flag = "--" + long
        if long in switches or _is_flag(value):
            if value:
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
        "run",
        {
            "trace": trace,
            "policy": _names(policies),
            "size": _listed(sizes) or None,
            "backend": _listed(backends) or None,
            "ignore_size": bool(ignore_size),
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
        "mrc",
        {
            "trace": trace,
            "method": _listed(methods) or None,
            "size": _listed(sizes) or None,
            "policy": _names(policies),
            "ignore_size": bool(ignore_size),
            **options,
        }
    )
    points: List[Record] = _with_json(argv, verbose)
    return points


def analyze(trace: PathLike, *, verbose: bool = False, **options: Any) -> Dict[str, Any]:
    """A trace's requests, objects, bytes, working set, one-hit wonders,
    sizes, popularity and reuse: ``wsim analyze``, as its ``--json``."""
    analysis: Dict[str, Any] = _with_json(["analyze"] + _flags("analyze", options), verbose, [trace])
    return analysis


def inspect(path: PathLike, *, verbose: bool = False, **options: Any) -> Dict[str, Any]:
    """What a WebAssembly module exports, the ABIs it runs under and its ABI
    version: ``wsim inspect``, as its ``--json``. A module that runs under
    none raises :class:`WsimError`."""
    report: Dict[str, Any] = _with_json(["inspect"] + _flags("inspect", options), verbose, [path])
    return report


def merge(inputs: Sequence[PathLike], output: PathLike) -> None:
    """Joins the ``--json`` files of a sharded sweep (``wsim run --shard
    K/N``) into ``output``, in the order given: ``wsim merge``."""
    cli(["merge", "-o", _text(output), "--"] + [_text(path) for path in _listed(inputs)])


def cli(argv: Sequence[Any]) -> str:
    """Runs any wsim command, ``wsim.cli(["convert", "in.csv", "out.lcs"])``,
    and returns what it printed (its help, with ``--help``); raises
    :class:`WsimError` if it fails."""
    report, error = _call([_text(arg) for arg in argv])
    if error is not None:
        raise error
    return report


@dataclasses.dataclass(frozen=True)
class Job:
    """One trace and one policy (or one ``--wasm`` module), at every size and
    backend of a sweep: picklable, so any executor can ship it to a worker."""

    trace: Optional[str]
    #: A built-in policy with its parameters, or ``"none"`` in a module's job.
    policy: str
    sizes: Tuple[Union[int, str], ...] = ()
    #: ``None``: the module's own ABIs (the CLI's default with ``--wasm``).
    backends: Optional[Tuple[str, ...]] = ("native",)
    options: Tuple[Tuple[str, Any], ...] = ()
    #: The module a module's job runs (alone: ``--policy none``).
    module: Optional[str] = None

    def run(self) -> List[Record]:
        """Its records (:func:`simulate`); raises :class:`WsimError`."""
        return simulate(
            self.trace,
            [self.policy],
            list(self.sizes) or None,
            backends=None if self.backends is None else list(self.backends),
            wasm=self.module,
            **dict(self.options),
        )

    def __str__(self) -> str:
        extra = "".join(f" {name}={value}" for name, value in self.options)
        trace = self.trace if self.trace is not None else "the built-in trace"
        sizes = ",".join(str(size) for size in self.sizes) or "default sizes"
        what = self.module if self.module is not None else self.policy
        backends = ",".join(self.backends) if self.backends is not None else "its ABIs"
        return f"{what} on {trace} at {sizes} ({backends}){extra}"


@dataclasses.dataclass(frozen=True)
class JobFailure:
    """A job that failed: the job (its whole configuration), the error's kind
    (a :class:`WsimError`'s, or ``"executor"`` when the executor could not
    run it or bring its answer back) and one-line message, and each failed
    run's message."""

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
    traces: Union[Optional[PathLike], Sequence[Optional[PathLike]]] = None,
    policies: Optional[Names] = None,
    sizes: Optional[Sizes] = None,
    backends: Names = ("native",),
    *,
    wasm: Optional[Union[PathLike, Sequence[PathLike]]] = None,
    **options: Any,
) -> List[Job]:
    """The jobs of a sweep: one per trace and policy, and per trace and
    ``wasm`` module, each at every size and backend; traces first.

    ``traces`` is a path, a list of them, or ``None`` (the built-in trace).
    ``policies`` are names as :func:`simulate` takes them (``"lru,fifo"``
    is two jobs), ``"all"`` every built-in policy, ``None`` the CLI's
    default handful, ``[]`` none (the modules alone). A module's job runs
    it alone on its own ABIs (or on ``backends`` other than native).
    ``options`` are :func:`simulate`'s (``ignore_size=True``,
    ``no_timing=True``, ``warmup="10%"``...).
    """
    if traces is None or isinstance(traces, (str, bytes, os.PathLike)):
        traces = [traces]
    names = _names(policies)
    if names is None:
        names = list(_wsim.policy_names(featured=True))
    elif names == ["all"]:
        names = list(_wsim.policy_names(False))
    elif names == ["none"]:
        names = []
    modules = [_text(module) for module in _listed(wasm)]
    frozen_options = tuple(sorted((name, _frozen(value)) for name, value in options.items()))
    for name, _ in frozen_options:
        if name in _MANAGED or name in {"trace", "policy", "size", "backend"}:
            raise UsageError(f"`{name}` is not an option of plan: it is one of its own arguments, or printed")
    if not names and not modules:
        raise UsageError("nothing to plan: no policy, and no wasm module")
    sizes_given = tuple(_listed(sizes))
    backends_given = tuple(_text(backend) for backend in _listed(backends))
    module_backends = tuple(backend for backend in backends_given if backend != "native") or None
    jobs: List[Job] = []
    for trace in traces:
        trace_text = None if trace is None else _text(trace)
        jobs += [Job(trace_text, name, sizes_given, backends_given, frozen_options) for name in names]
        jobs += [
            Job(trace_text, "none", sizes_given, module_backends, frozen_options, module=module)
            for module in modules
        ]
    return jobs


def _run_job(job: Job) -> Tuple[List[Record], Optional[JobFailure]]:
    """A job's records, or what it kept and why it failed: never raises, so
    a worker's answer always comes back."""
    try:
        return job.run(), None
    except WsimError as error:
        return error.records, JobFailure(job, error.kind, error.message, tuple(error.failures))


def _show_progress(futures: List["concurrent.futures.Future[Any]"]) -> None:
    """``done/total`` on stderr as jobs finish: redrawn in place on a
    terminal, a line at every tenth of the jobs otherwise (a log)."""
    terminal = sys.stderr.isatty()
    step = max(1, len(futures) // 10)
    for done, _ in enumerate(concurrent.futures.as_completed(futures), 1):
        if terminal:
            sys.stderr.write(f"\rwsim sweep: {done}/{len(futures)} jobs done")
        elif done % step == 0 or done == len(futures):
            sys.stderr.write(f"wsim sweep: {done}/{len(futures)} jobs done\n")
        sys.stderr.flush()
    if terminal:
        sys.stderr.write("\n")


def _executor_failure(job: Job, error: BaseException) -> JobFailure:
    return JobFailure(job, "executor", f"{type(error).__name__}: {error}")


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
        # A submit that fails (a closed client) fails its job, not the sweep.
        submitted: List[Union["concurrent.futures.Future[Any]", JobFailure]] = []
        for job in jobs:
            try:
                submitted.append(pool.submit(_run_job, job))
            except Exception as error:
                submitted.append(_executor_failure(job, error))
        futures = [item for item in submitted if not isinstance(item, JobFailure)]
        if show and futures:
            _show_progress(futures)
        result = Sweep()
        for job, item in zip(jobs, submitted):
            if isinstance(item, JobFailure):
                records, failure = [], item
            else:
                try:
                    records, failure = item.result()
                except Exception as error:  # a worker died, or its answer could not travel
                    records, failure = [], _executor_failure(job, error)
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
