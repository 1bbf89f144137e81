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

from . import _wsim
from ._commands import analyze, cli, inspect, merge, mrc, policies, simulate, to_pandas
from ._errors import PluginError, PolicyError, TraceError, UsageError, WsimError
from ._sweep import Job, JobFailure, Sweep, plan, sweep

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

# Public names print, and pickle, as `wsim.X`.
for _public in (Job, JobFailure, Sweep, WsimError, TraceError, PluginError, PolicyError, UsageError):
    _public.__module__ = __name__
del _public
