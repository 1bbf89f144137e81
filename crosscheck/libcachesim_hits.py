#!/usr/bin/env python3
"""libCacheSim's answer for every request of a trace, for wsim's cross-check.

    libcachesim_hits.py TRACE [TYPE [key=value,...]] < jobs

TRACE is a trace file (by default oracleGeneral; wsim writes one per
random trace); TYPE names its libcachesim TraceType (LCS_TRACE, VSCSI_TRACE,
BIN_TRACE, ...) and the pairs set its ReaderInitParam fields
(binary_fmt_str=<IQI, obj_id_field=2, ...). Each line of stdin is a job,
`CLASS CAPACITY [key=value,...]`: a libcachesim class (S3FIFO, TwoQ, ...),
a capacity in bytes and the policy's parameters under libCacheSim's own
names (wsim's). For each job one line goes to stdout, a `0` or `1` per
request: miss or hit. The job `REQUESTS` prints instead every request as
libCacheSim reads it, `id:size` separated by spaces (ids unsigned). The
trace is read with libcachesim's own reader, so next accesses (Belady) come
as libCacheSim reads them.
"""

import os
import subprocess
import sys

import libcachesim as lcs

# libCacheSim draws from one random generator per process, seeded once
# (0xdeadbeef), as wsim seeds one per cache: a class that draws follows
# wsim's draws only as the first cache to draw in its process, so each of
# its jobs runs in a fresh process (marked by FRESH in its environment).
FRESH_PROCESS = {"BeladySize"}
FRESH = "WSIM_LIBCACHESIM_FRESH_PROCESS"

# libCacheSim's parameter names, as the Python classes spell their
# keyword arguments where the rule (lower case, `-` to `_`) does not.
KEYWORDS = {
    "ain_size_ratio": "a_in_size_ratio",
    "aout_size_ratio": "a_out_size_ratio",
    "n_sample": "n_samples",
}


def keyword(key):
    name = key.strip().lower().replace("-", "_")
    return KEYWORDS.get(name, name)


def value(text):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


# Classes whose Python constructor takes no parameters although the C
# policy does: their parameters go to the C init function as the text
# libCacheSim parses (`n-seg=2`).
C_PARAMS = {
    "SLRU": "SLRU_init",
}


def cache(line):
    fields = line.split()
    policy, capacity = fields[0], int(fields[1])
    if len(fields) > 2 and policy in C_PARAMS:
        from libcachesim import cache as classes

        init = getattr(classes, C_PARAMS[policy])
        common = classes._create_common_params(capacity)
        return classes.CacheBase(init(common, fields[2]))
    params = {}
    if len(fields) > 2:
        for pair in fields[2].split(","):
            key, _, text = pair.partition("=")
            params[keyword(key)] = value(text)
    return getattr(lcs, policy)(cache_size=capacity, **params)


def reader(trace, kind, params):
    fields = dict(pair.partition("=")[::2] for pair in filter(None, params.split(",")))
    # The format string goes to the constructor: the C struct keeps a pointer
    # to it, which an attribute set afterwards leaves dangling.
    init = lcs.ReaderInitParam(binary_fmt_str=fields.pop("binary_fmt_str", ""))
    for key, text in fields.items():
        setattr(init, key, value(text))
    kind = getattr(lcs.TraceType, kind)
    return lcs.TraceReader(trace=trace, trace_type=kind, reader_init_params=init)


def hits(trace, kind, params, line):
    if line.split()[0] == "REQUESTS":
        return " ".join(
            f"{request.obj_id % 2**64}:{request.obj_size}"
            for request in reader(trace, kind, params)
        )
    simulated = cache(line)
    return "".join(
        "1" if simulated.get(request) else "0" for request in reader(trace, kind, params)
    )


def in_fresh_process(trace, kind, params, line):
    child = subprocess.run(
        [sys.executable, __file__, trace, kind, params],
        input=line,
        capture_output=True,
        text=True,
        env={**os.environ, FRESH: "1"},
    )
    if child.returncode != 0:
        sys.stderr.write(child.stderr)
        sys.exit(f"{line.strip()}: the fresh process failed ({child.returncode})")
    return child.stdout.strip()


def main(trace, kind="ORACLE_GENERAL_TRACE", params=""):
    for line in sys.stdin:
        if not line.strip():
            continue
        if line.split()[0] in FRESH_PROCESS and not os.environ.get(FRESH):
            print(in_fresh_process(trace, kind, params, line), flush=True)
        else:
            print(hits(trace, kind, params, line), flush=True)


if __name__ == "__main__":
    if not 2 <= len(sys.argv) <= 4:
        sys.exit(
            f"usage: {sys.argv[0]} TRACE [TYPE [key=value,...]] < jobs "
            "(CLASS CAPACITY [key=value,...] per line)"
        )
    main(*sys.argv[1:])
