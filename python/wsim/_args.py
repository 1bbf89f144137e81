"""Python arguments as the command line's: values, lists, switches."""

from __future__ import annotations

import os
from typing import Any, List, Mapping, Optional, Sequence, Union

from . import _wsim
from ._errors import UsageError

PathLike = Union[str, "os.PathLike[str]"]
Names = Union[str, Sequence[str]]
Sizes = Union[int, str, Sequence[Union[int, str]]]


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
