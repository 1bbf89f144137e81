"""Sweeps: picklable jobs, run on every local core or any
``concurrent.futures`` executor (a Dask cluster's), failures kept apart."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import os
import sys
import warnings
from typing import Any, Iterable, List, Optional, Sequence, Tuple, Union

from . import _wsim
from ._args import _MANAGED, Names, PathLike, Sizes, _listed, _names, _text
from ._commands import simulate
from ._errors import Record, UsageError, WsimError


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
