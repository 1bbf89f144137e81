#!/usr/bin/env python3
"""What the audit costs: wsim's built-in policies audited against unaudited,
in one run, on wsim alone (no libCacheSim).

    audit_cost.py WSIM_BINARY [--reps N] [--policies LIST] [--sizes LIST]

Runs `wsim run` on its default synthetic trace (1,000,000 requests) for
each policy at the sizes, natively and under the Batch and Pair (cached)
ABIs on each runtime, with `--no-audit` and right after with `--audit`,
N times, and
prints a Markdown table: for every policy, backend and runtime, the median
in-cache time per request unaudited (ns), audited (ns), and their ratio
(the goal is at most 1.3x). Also prints the worst ratio per backend. Hit
counts must agree between the two before a number is printed.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict


def run(binary, args, out):
    command = [binary, "run", *args, "--json", out]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr}")
    with open(out) as records:
        return json.load(records)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--policies", default="lru,fifo,lfu,sieve,s3fifo,arc,twoq,slru,wtinylfu")
    parser.add_argument("--sizes", default="64MiB,1%")
    options = parser.parse_args()
    common = ["--size", options.sizes, "--backend", "native,batch,pair", "--lookup", "cached"]
    times = defaultdict(list)
    hits = {}
    with tempfile.TemporaryDirectory() as scratch:
        for rep in range(options.reps):
            print(f"rep {rep + 1}/{options.reps}", file=sys.stderr)
            # Each policy audited right after unaudited, so the two runs of a
            # pair see the same machine (this one's speed drifts by 20%).
            for policy, mode in (
                (policy, mode)
                for policy in options.policies.split(",")
                for mode in ("--no-audit", "--audit")
            ):
                args = [*common, "--policy", policy, mode]
                for record in run(options.binary, args, f"{scratch}/out.json"):
                    key = (record["policy"], record["backend"], record["runtime"] or "-",
                           record["cache_size"])
                    if hits.setdefault(key, record["hits"]) != record["hits"]:
                        sys.exit(f"{key}: hits differ between runs")
                    times[key, mode].append(record["cache_seconds"] / record["requests"] * 1e9)
    print("| policy | backend | runtime | size | unaudited ns/req | audited ns/req | ratio |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: |")
    worst = defaultdict(float)
    for key in sorted(hits):
        off = statistics.median(times[key, "--no-audit"])
        on = statistics.median(times[key, "--audit"])
        policy, backend, runtime, size = key
        ratio = on / off
        worst[backend, runtime] = max(worst[backend, runtime], ratio)
        print(f"| {policy} | {backend} | {runtime} | {size} | {off:.1f} | {on:.1f} | {ratio:.2f}x |")
    print()
    print("worst ratio per backend: " + ", ".join(
        f"{backend} {runtime} {ratio:.2f}x" for (backend, runtime), ratio in sorted(worst.items())))


if __name__ == "__main__":
    main()
