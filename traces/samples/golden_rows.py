#!/usr/bin/env python3
"""Golden hit counts from libCacheSim itself, for tests/all/libcachesim.rs.

Runs each libCacheSim policy class named on the command line (as the
`libcachesim` package on PyPI names them: LRU, FIFO, Clock, S3FIFO, ...;
`CLASS=Variant` names the row after wsim's `PolicyKind` variant) over the
CloudPhysics sample trace at the eight golden capacities, sized and with
sizes ignored, and prints one Rust row per run:

    python3 -m venv /tmp/lcs && /tmp/lcs/bin/pip install libcachesim==0.3.5
    /tmp/lcs/bin/python traces/samples/golden_rows.py Clock LRU=Lru

libcachesim reports a miss ratio; hits are requests x (1 - miss ratio),
exact for a trace this short. It reads the zstd-compressed trace as it is.
"""

import os
import subprocess
import sys

import libcachesim as lcs

HERE = os.path.dirname(os.path.abspath(__file__))
TRACE = os.path.join(HERE, "cloudPhysicsIO.oracleGeneral.bin.zst")
REQUESTS = 113_872
SIZED = [16 << 20, 64 << 20, 256 << 20, 1 << 30]
OBJECTS = [500, 2_000, 8_000, 20_000]


def hits(trace, policy, capacity, ignore_size):
    reader = lcs.TraceReader(
        trace=trace,
        trace_type=lcs.TraceType.ORACLE_GENERAL_TRACE,
        reader_init_params=lcs.ReaderInitParam(ignore_obj_size=ignore_size),
    )
    miss_ratio, _ = getattr(lcs, policy)(cache_size=capacity).process_trace(reader)
    return round(REQUESTS * (1 - miss_ratio))


# Classes whose result depends on what ran before in the process:
# BeladySize draws from libCacheSim's one random generator per process, which
# wsim seeds afresh for every cache. Each of their runs gets a fresh process.
FRESH_PROCESS = {"BeladySize"}


def fresh_hits(policy, capacity, ignore_size):
    """`hits` in a new Python process."""
    out = subprocess.run(
        [sys.executable, __file__, "--one", policy, str(capacity), str(int(ignore_size))],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(out.stdout)


def main(policies):
    for named in policies:
        policy, _, variant = named.partition("=")
        for ignore_size, capacities in ((False, SIZED), (True, OBJECTS)):
            for capacity in capacities:
                if policy in FRESH_PROCESS:
                    count = fresh_hits(policy, capacity, ignore_size)
                else:
                    count = hits(TRACE, policy, capacity, ignore_size)
                flag = "true" if ignore_size else "false"
                print(f"    ({variant or policy}, {capacity:_}, {flag}, {count:_}),")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--one":
        print(hits(TRACE, sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"))
        sys.exit(0)
    if len(sys.argv) < 2:
        sys.exit(f"usage: {sys.argv[0]} POLICY... (libcachesim class names)")
    main(sys.argv[1:])
