#!/usr/bin/env python3
"""Per-policy speed: wsim against libCacheSim's own C loop, in one run.

    speed.py WSIM_BINARY [--requests N] [--size BYTES] [--out DIR]

Writes wsim's default synthetic trace (Zipf popularity, 1,000,000 requests
unless --requests says otherwise) as uncompressed oracleGeneral, then for
every policy with a libcachesim class, at one cache size:

- wsim natively, and under the Batch and Pair (cached) ABIs on each
  runtime, in one `wsim run` (its `--json` records);
- libcachesim 0.3.5's `process_trace` on the same file: its C loop, which
  reads the trace and serves each request, timed from Python around the
  one call.

and prints a Markdown table: native throughput in millions of requests
per second (in the cache alone, and over the whole run with the trace
read from disk, which is what `process_trace` times), its ratio to
libCacheSim's, and each sandboxed backend's in-cache time over native's.
It checks the hit counts agree before printing a number.
"""

import argparse
import json
import os
import subprocess
import sys
import time

import libcachesim as lcs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wsim")
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--size", default="64MiB")
    parser.add_argument("--out", default="target/speed")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    trace = os.path.join(args.out, "default.oracleGeneral.bin")
    subprocess.run(
        [args.wsim, "gen", "--requests", str(args.requests), "--output", trace],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    records_path = os.path.join(args.out, "speed.json")
    subprocess.run(
        [
            args.wsim, "run", "--trace", trace, "--policy", "all",
            "--backend", "native,batch,pair", "--lookup", "cached",
            "--size", args.size, "--json", records_path,
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    with open(records_path) as file:
        records = json.load(file)
    capacity = records[0]["cache_size"]

    rows = []
    runtimes = sorted({r["runtime"] for r in records if r.get("runtime")})
    for policy in dict.fromkeys(r["policy"] for r in records):
        mine = [r for r in records if r["policy"] == policy]
        native = next(r for r in mine if r["backend"] == "native")
        cls = LIBCACHESIM.get(policy)
        theirs = None
        if cls is not None:
            theirs = libcachesim_run(cls, trace, capacity)
            if theirs["hits"] != native["hits"]:
                sys.exit(f"{policy}: wsim {native['hits']} hits, libCacheSim {theirs['hits']}")
        requests = native["requests"]
        row = {
            "policy": policy,
            "native_cache_mrps": requests / native["cache_seconds"] / 1e6,
            "native_run_mrps": requests / native["seconds"] / 1e6,
            "libcachesim_mrps": theirs and requests / theirs["seconds"] / 1e6,
        }
        for backend in ("batch", "pair"):
            for runtime in runtimes:
                match = [r for r in mine if r["backend"] == backend and r["runtime"] == runtime]
                if match:
                    row[f"{backend} {runtime}"] = match[0]["slowdown_vs_native"]
        rows.append(row)
    print_table(rows, runtimes, capacity, requests)
    with open(os.path.join(args.out, "speed-table.json"), "w") as file:
        json.dump(rows, file, indent=1)


# wsim's policy names and the libcachesim classes that run them.
LIBCACHESIM = {
    "fifo": "FIFO", "lru": "LRU", "lfu": "LFU", "clock": "Clock", "sieve": "Sieve",
    "s3fifo": "S3FIFO", "arc": "ARC", "twoq": "TwoQ", "slru": "SLRU", "lirs": "LIRS",
    "lfuda": "LFUDA", "gdsf": "GDSF", "size": "Size", "mq": "MQ", "lruk": "LRUK",
    "clockpro": "ClockPro", "wtinylfu": "WTinyLFU", "belady": "Belady",
    "belady-size": "BeladySize",
}


def libcachesim_run(cls, trace, capacity):
    """Hits and seconds of libcachesim's `process_trace`, best of three,
    each in a fresh process: libCacheSim keeps one random generator per
    process (BeladySize draws from it), so a run's hits would otherwise
    depend on the runs before it."""
    best = None
    for _ in range(3):
        child = subprocess.run(
            [sys.executable, __file__, "--one", cls, trace, str(capacity)],
            check=True,
            capture_output=True,
            text=True,
        )
        hits, seconds = child.stdout.split()
        if best is None or float(seconds) < best["seconds"]:
            best = {"hits": int(hits), "seconds": float(seconds)}
    return best


def one_run(cls, trace, capacity):
    """Prints the hits and seconds of one `process_trace`."""
    reader = lcs.TraceReader(
        trace=trace,
        trace_type=lcs.TraceType.ORACLE_GENERAL_TRACE,
        reader_init_params=lcs.ReaderInitParam(ignore_obj_size=False),
    )
    cache = getattr(lcs, cls)(cache_size=capacity)
    start = time.perf_counter()
    miss_ratio, _ = cache.process_trace(reader)
    seconds = time.perf_counter() - start
    requests = reader.get_num_of_req()
    print(round(requests * (1 - miss_ratio)), seconds)


def print_table(rows, runtimes, capacity, requests):
    sandboxed = [f"{b} {r}" for b in ("batch", "pair") for r in runtimes]
    print(f"{requests:,} requests, cache {capacity:,} bytes; throughput in M requests/s;")
    print("sandboxed columns: time in the cache over native's (x native)\n")
    header = ["policy", "native (cache)", "native (run)", "libCacheSim", "native run / libCacheSim"]
    header += sandboxed
    print("| " + " | ".join(header) + " |")
    print("|" + " --- |" + " ---: |" * (len(header) - 1))
    for row in rows:
        lcs_mrps = row["libcachesim_mrps"]
        cells = [
            f"`{row['policy']}`",
            f"{row['native_cache_mrps']:.1f}",
            f"{row['native_run_mrps']:.1f}",
            f"{lcs_mrps:.1f}" if lcs_mrps else "—",
            f"{row['native_run_mrps'] / lcs_mrps:.1f}x" if lcs_mrps else "—",
        ]
        cells += [f"{row[c]:.2f}" if row.get(c) else "—" for c in sandboxed]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--one":
        one_run(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        main()
