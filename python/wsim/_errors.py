"""``WsimError`` and its subclasses: one per kind of failure."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

Record = Dict[str, Any]


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
