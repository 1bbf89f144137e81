#!/usr/bin/env python3
"""What the sandbox costs, and where it goes: issue 20's goals, measured.

    sandbox_cost.py WSIM_BINARY [--reps N] [--policies LIST] [--sizes LIST]
                    [--backends LIST] [--json FILE]
    sandbox_cost.py --from FILE    (the tables of an earlier --json)

Runs `wsim run` on its default synthetic trace (1,000,000 requests) for each
built-in policy at the sizes (64 MiB and 1% of the working set by default),
natively and under Batch, cached Pair and component-batch on every runtime,
one process per policy so that each ratio divides two timings taken seconds
apart, N times. A ratio is in-cache time over native's in the same process;
the median of the N is reported. Hits must agree across the reps and with
native before anything is printed.

Prints, as Markdown:
  1. the goal table: per backend and runtime, the goal, the median and worst
     ratio over every policy and size (naming the worst), and how many
     (policy, size) cells meet the goal;
  2. the breakdown, per runtime: of the time a request spends beyond
     native's, how much is the calling machinery (from `wsim micro`: a
     Batch item's or a cached Pair call's cost over a native call, the guest
     doing one multiply) and how much the guest's own code running slower
     than native (the rest), as medians over the policies;
  3. every policy's ratios.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict

# Issue 20's goals: the largest in-cache ratio over native, per backend and
# runtime.
GOALS = {
    ("batch", "wasmtime"): 1.10,
    ("batch", "wasmer"): 1.20,
    ("pair", "wasmtime"): 1.5,
    ("pair", "wasmer"): 2.0,
    ("component-batch", "wasmtime"): 1.2,
}


def run_json(binary, args, out):
    command = [binary, *args, "--json", out]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr}")
    with open(out) as records:
        return json.load(records)


def policies_of(binary):
    """Every built-in policy, from the possible values `wsim run --help`
    lists for --policy (wide, so no line wraps)."""
    done = subprocess.run([binary, "run", "--help"], capture_output=True, text=True,
                          check=True, env={**os.environ, "COLUMNS": "1000"})
    lines = done.stdout.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip().startswith("--policy <")),
                 None)
    if start is None:
        sys.exit("`wsim run --help` has no --policy: is this wsim?")
    names = []
    for line in lines[start + 1:]:
        words = line.split()
        # The next argument's header (`      --backend <LIST>`, indented
        # less than the values' `          - fifo`) ends the list.
        indent = len(line) - len(line.lstrip())
        if line.strip().startswith("-") and indent < 8:
            break
        if len(words) >= 2 and words[0] == "-":
            name = words[1].rstrip(":")
            if name not in ("all", "none"):
                names.append(name)
    if not names:
        sys.exit("found no policy in `wsim run --help`'s list for --policy")
    return names


def micro_costs(binary, scratch):
    """Per runtime: ns a request costs beyond a native call, as machinery
    alone (the guest multiplies): {(backend, runtime): ns}."""
    rows = run_json(binary, ["micro"], f"{scratch}/micro.json")
    native = next(row["median_ns"] for row in rows if row["abi"] == "native")
    costs = {}
    for row in rows:
        if row["abi"] == "batch":
            costs["batch", row["runtime"]] = row["median_ns"] - native
        elif (row["abi"] == "pair" and row["cached"] and row["loading"] == "preload"
              and row["srs"] is False):
            costs["pair", row["runtime"]] = row["median_ns"] - native
        elif row["abi"] == "component list":
            costs["component-batch", row["runtime"]] = row["median_ns"] - native
        elif row["config"] == "bare":
            costs["bare", row["runtime"]] = row["median_ns"] - native
    return costs


def measure(options):
    """Runs the micro-benchmark and every policy's runs; returns the saved
    form: median ratios, native times and the machinery's costs."""
    policies = (policies_of(options.binary) if options.policies == "all"
                else options.policies.split(","))
    common = ["run", "--size", options.sizes, "--backend", options.backends,
              "--lookup", "cached"]
    ratios = defaultdict(list)
    native_ns = defaultdict(list)
    hits = {}
    with tempfile.TemporaryDirectory() as scratch:
        print("micro-benchmark (the calling machinery alone)", file=sys.stderr, flush=True)
        machinery = micro_costs(options.binary, scratch)
        for rep in range(options.reps):
            for number, policy in enumerate(policies, 1):
                print(f"rep {rep + 1}/{options.reps}: {policy} ({number}/{len(policies)})",
                      file=sys.stderr, flush=True)
                records = run_json(options.binary, [*common, "--policy", policy],
                                   f"{scratch}/run.json")
                native = {r["cache_size"]: r for r in records if r["backend"] == "native"}
                for record in records:
                    size = record["cache_size"]
                    if record["hits"] != native[size]["hits"]:
                        sys.exit(f"{policy} {record['backend']} {record['runtime']} at {size}: "
                                 f"{record['hits']} hits against native's {native[size]['hits']}")
                    if record["backend"] == "native":
                        native_ns[policy, size].append(
                            record["cache_seconds"] / record["requests"] * 1e9)
                        continue
                    key = (record["backend"], record["runtime"], policy, size)
                    if hits.setdefault(key, record["hits"]) != record["hits"]:
                        sys.exit(f"{key}: hits differ between reps")
                    ratios[key].append(record["cache_seconds"] / native[size]["cache_seconds"])
    return {
        "reps": options.reps,
        "policies": policies,
        "ratios": [{"backend": b, "runtime": r, "policy": p, "cache_size": s,
                    "median_ratio": statistics.median(v), "ratios": v}
                   for (b, r, p, s), v in sorted(ratios.items())],
        "native_ns": [{"policy": p, "cache_size": s, "median_ns": statistics.median(v)}
                      for (p, s), v in sorted(native_ns.items())],
        "machinery_ns": [{"kind": k, "runtime": r, "ns": v}
                         for (k, r), v in sorted(machinery.items())],
    }


def render(saved):
    """Prints the goal table, the breakdown and the per-policy table."""
    median = {(x["backend"], x["runtime"], x["policy"], x["cache_size"]): x["median_ratio"]
              for x in saved["ratios"]}
    native_median = {(x["policy"], x["cache_size"]): x["median_ns"] for x in saved["native_ns"]}
    machinery = {(x["kind"], x["runtime"]): x["ns"] for x in saved["machinery_ns"]}
    print(f"In-cache time over native's in the same process, median of {saved['reps']} runs, "
          f"{len(saved['policies'])} policies at {len({k[1] for k in native_median})} sizes:")
    print()
    print("| backend | runtime | goal | median | worst | cells within the goal |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    cells = defaultdict(list)
    for (backend, runtime, policy, size), ratio in median.items():
        cells[backend, runtime].append((ratio, policy, size))
    for (backend, runtime), values in sorted(cells.items()):
        goal = GOALS.get((backend, runtime))
        worst = max(values)
        within = sum(ratio <= goal for ratio, _, _ in values) if goal else None
        print(f"| {backend} | {runtime} | {f'{goal:.2f}x' if goal else '-'} "
              f"| {statistics.median(v[0] for v in values):.2f}x "
              f"| {worst[0]:.2f}x ({worst[1]}, {size_name(worst[2])}) "
              f"| {f'{within} of {len(values)}' if goal else '-'} |")
    print()
    print("Where a request's time beyond native goes (medians over every policy and size):")
    print()
    print("| backend | runtime | native ns/req | sandboxed ns/req | calling machinery ns "
          "(`wsim micro`) | guest code and the rest, ns | that over native's |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for (backend, runtime), values in sorted(cells.items()):
        cost = machinery.get((backend, runtime))
        if cost is None:
            continue
        # Within noise of a native call, a Batch item can come out cheaper
        # than one: the machinery costs at least nothing.
        cost = max(cost, 0.0)
        natives = [native_median[policy, size] for _, policy, size in values]
        sandboxed = [ratio * native_median[policy, size] for ratio, policy, size in values]
        rest = [s - n - cost for s, n in zip(sandboxed, natives)]
        code_ratio = [(n + r) / n for n, r in zip(natives, rest)]
        print(f"| {backend} | {runtime} | {statistics.median(natives):.1f} "
              f"| {statistics.median(sandboxed):.1f} | {cost:.1f} "
              f"| {statistics.median(rest):.1f} | {statistics.median(code_ratio):.2f}x |")
    print()
    print("bare typed call, ns over a native call: " + ", ".join(
        f"{runtime} {ns:.1f}" for (kind, runtime), ns in sorted(machinery.items())
        if kind == "bare"))
    print()
    columns = sorted(cells)
    sizes = sorted({size for _, size in native_median}, reverse=True)
    print("Per policy, in-cache time over native's at " + " / ".join(map(size_name, sizes)) + ":")
    print()
    print("| policy | native ns/req | " + " | ".join(f"{b} {r}" for b, r in columns) + " |")
    print("| --- | ---: | " + " | ".join("---:" for _ in columns) + " |")
    for policy in saved["policies"]:
        natives = " / ".join(f"{native_median[policy, size]:.0f}" for size in sizes)
        row = [" / ".join(f"{median[b, r, policy, size]:.2f}" for size in sizes)
               for b, r in columns]
        print(f"| `{policy}` | {natives} | " + " | ".join(row) + " |")


def size_name(size):
    """A cache size as the tables print it."""
    return f"{size >> 20} MiB" if size % (1 << 20) == 0 else f"{size / (1 << 20):.1f} MiB"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary", nargs="?")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--policies", default="all")
    parser.add_argument("--sizes", default="64MiB,1%")
    parser.add_argument("--backends", default="native,batch,pair,component-batch")
    parser.add_argument("--json", help="also write the measurements here")
    parser.add_argument("--from", dest="saved", help="print the tables of a --json file; run nothing")
    options = parser.parse_args()
    if options.saved:
        with open(options.saved) as saved:
            render(json.load(saved))
        return
    if not options.binary:
        parser.error("the wsim binary is needed, unless --from is given")
    saved = measure(options)
    if options.json:
        with open(options.json, "w") as out:
            json.dump(saved, out, indent=1)
    render(saved)


if __name__ == "__main__":
    main()
