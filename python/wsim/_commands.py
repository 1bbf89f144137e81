"""The commands: each runs the CLI's own code in this process (the GIL
released) and returns what its ``--json`` writes."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from . import _wsim
from ._args import Names, PathLike, Sizes, _flags, _listed, _names, _text
from ._errors import _ERRORS, Record, WsimError


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


def to_pandas(records: Iterable[Record]) -> "Any":
    """The records as a ``pandas.DataFrame``, one row per run (needs pandas)."""
    try:
        import pandas
    except ImportError as error:
        raise ImportError("wsim.to_pandas needs pandas: pip install pandas") from error
    return pandas.DataFrame.from_records(list(records))
