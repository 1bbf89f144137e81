#!/usr/bin/env python3
"""libCacheSim's analysis of a trace, for wsim's `analyze` cross-check.

    libcachesim_analyze.py TRACE WORKDIR

TRACE is an uncompressed oracleGeneral file. libCacheSim's TraceAnalyzer
runs on it with WORKDIR as its working directory (it appends its summary to
a file `stat` there) and writes its other files as WORKDIR/trace.*. Lines
`NAME VALUE...` go to stdout, each from libCacheSim:

    requests, objects                      stat: "number of requests",
                                           "number of objects"
    working_set_bytes                      the reader's get_working_set_size
    bytes_requested                        sum of obj_size over the reader
    mean_sizes REQ OBJ                     stat: "object size weighted by
                                           req/obj" (truncated means)
    one_hit_wonders                        stat: first of "X-hit"
    time_span                              stat: "time span"
    zipf_alpha, zipf_r2                    stat: "popularity: Zipf alpha=..,
                                           R2=.." (4 decimals)
    zipf_full ALPHA INTERCEPT R2           the same fit to full precision:
                                           libCacheSim's linreg (raw sums,
                                           traceAnalyzer/utils/include/
                                           linReg.h) redone here on its
                                           trace.popularity
    frequencies F:N...                     trace.popularity: N objects
                                           requested F times, most first
    object_sizes                           trace.size obj_cnt histogram,
                                           as min p25 p50 p75 p90 p99 max
                                           (nearest rank)
    request_sizes                          the same of the reader's
                                           requests' sizes
    reuse_cold                             trace.reuse: virtual time -1
    reuse_log2 B0 B1...                    reuse distances of the reader's
                                           requests in log2 buckets

libCacheSim buckets reuse distances by log base 1.5 only, so the log2
buckets are counted here from the reader's requests, after checking that
the same distances in base-1.5 buckets give libCacheSim's own histogram.
The request sizes are counted here too: libcachesim 0.3.5 writes the
per-object histogram under trace.size's "req_cnt" heading as well (both
sections are equal and sum to the number of objects).

The reader's get_num_of_req counts size-0 records too; the analyzer and
the reader's iteration skip them, as wsim does, so requests come from the
analyzer.
"""

import math
import os
import re
import sys

import libcachesim as lcs


def section(path, heading):
    """The `key:count` lines of a libCacheSim dump under the `#` line
    containing `heading`."""
    found, heading = {}, None
    with open(path) as lines:
        for line in lines:
            line = line.strip()
            if line.startswith("#"):
                heading = line
                found[heading] = {}
            elif line:
                key, count = line.split(":")
                found[heading][int(key)] = int(count)
    (lines,) = (counts for name, counts in found.items() if heading in name)
    return lines


def percentiles(histogram):
    """min p25 p50 p75 p90 p99 max of `size -> count`, nearest rank."""
    sizes = sorted(histogram)
    total = sum(histogram.values())
    out = [sizes[0]]
    for percent in (25, 50, 75, 90, 99):
        rank = max(1, -(-percent * total // 100))
        seen = 0
        for size in sizes:
            seen += histogram[size]
            if seen >= rank:
                out.append(size)
                break
    out.append(sizes[-1])
    return out


def linreg(runs):
    """alpha, intercept and R² of ln(frequency) on ln(rank), every rank,
    as libCacheSim's linreg sums them."""
    x, y = [], []
    for frequency, count in runs:
        for _ in range(count):
            x.append(math.log(len(x) + 1))
            y.append(math.log(frequency))
    n = len(x)
    sx, sy = sum(x), sum(y)
    sxx = sum(a * a for a in x)
    sxy = sum(a * b for a, b in zip(x, y))
    syy = sum(b * b for b in y)
    denominator = n * sxx - sx * sx
    slope = (n * sxy - sx * sy) / denominator
    intercept = (sy * sxx - sx * sxy) / denominator
    r = (sxy - sx * sy / n) / math.sqrt((sxx - sx * sx / n) * (syy - sy * sy / n))
    return -slope, intercept, r * r


def main():
    trace, workdir = os.path.abspath(sys.argv[1]), sys.argv[2]
    os.makedirs(workdir, exist_ok=True)
    os.chdir(workdir)
    if os.path.exists("stat"):
        os.remove("stat")
    base = os.path.join(workdir, "trace")

    reader = lcs.TraceReader(trace, lcs.TraceType.ORACLE_GENERAL_TRACE)
    lcs.TraceAnalyzer(reader, base).run()
    stat = open("stat").read()

    reader = lcs.TraceReader(trace, lcs.TraceType.ORACLE_GENERAL_TRACE)
    objects, working_set = reader.get_working_set_size()
    n_req, n_obj = re.search(r"number of requests: (\d+), number of objects: (\d+)", stat).groups()
    print("requests", n_req)
    print("objects", n_obj)
    print("working_set_bytes", working_set)
    if int(n_obj) != objects:
        sys.exit(f"get_working_set_size counts {objects} objects, the analyzer {n_obj}")
    print("mean_sizes", *re.search(r"weighted by req/obj: (\d+)/(\d+)", stat).groups())

    # Reuse distances from the reader's requests, 1-based indices as
    # libCacheSim's analyzer counts them.
    last, log2, base15, cold, requested, sizes = {}, {}, {}, 0, 0, {}
    reader.reset()
    index = 0
    for index, req in enumerate(reader, start=1):
        requested += req.obj_size
        sizes[req.obj_size] = sizes.get(req.obj_size, 0) + 1
        previous = last.get(req.obj_id)
        last[req.obj_id] = index
        if previous is None:
            cold += 1
            continue
        distance = index - previous
        bucket = distance.bit_length() - 1
        log2[bucket] = log2.get(bucket, 0) + 1
        bucket = int(math.log(distance) / math.log(1.5))
        base15[bucket] = base15.get(bucket, 0) + 1
    print("bytes_requested", requested)
    if index != int(n_req):
        sys.exit(f"the reader yields {index} requests, the analyzer counts {n_req}")

    vtime = section(base + ".reuse", "reuse virtual time")
    theirs_cold = vtime.pop(-1)
    if (vtime, theirs_cold) != (base15, cold):
        sys.exit("reuse distances counted here disagree with libCacheSim's trace.reuse")
    print("reuse_cold", theirs_cold)
    print("reuse_log2", *(log2.get(k, 0) for k in range(max(log2) + 1)))

    print("one_hit_wonders", re.search(r"X-hit[^:]*: (\d+)\(", stat).group(1))
    print("time_span", re.search(r"time span: (\d+)", stat).group(1))
    zipf = re.search(r"Zipf alpha=([-\d.]+), R2=([-\d.]+)", stat)
    print("zipf_alpha", zipf.group(1))
    print("zipf_r2", zipf.group(2))

    frequencies = section(base + ".popularity", "freq (sorted):cnt")
    runs = sorted(frequencies.items(), reverse=True)
    print("frequencies", *(f"{f}:{n}" for f, n in runs))
    print("zipf_full", *linreg(runs))

    by_object = section(base + ".size", "object_size: obj_cnt")
    print("object_sizes", *percentiles(by_object))
    print("request_sizes", *percentiles(sizes))


if __name__ == "__main__":
    main()
