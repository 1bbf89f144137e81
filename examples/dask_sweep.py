"""Every built-in policy × a grid of cache sizes × three traces, swept on a
Dask cluster with wsim's Python module, and the miss-ratio curves drawn with
matplotlib.

    pip install ./python "dask[distributed]" matplotlib
    python examples/dask_sweep.py                      # three synthetic traces
    python examples/dask_sweep.py a.oracleGeneral b.csv c.lcs --out curves.png

It starts a LocalCluster of worker processes on this machine. On a real
cluster only the scheduler's address changes: pass ``--scheduler
tcp://scheduler:8786`` (every worker needs ``wsim`` installed and the trace
files at the same paths, say on a shared file system).
"""

import argparse
import os
import sys
import tempfile

import wsim

SIZES = ["0.1%", "0.3%", "1%", "3%", "10%", "30%"]


def synthetic_traces(directory, requests):
    """Three traces of growing skew, written by `wsim gen`."""
    paths = []
    for alpha, seed in [(0.6, 1), (0.9, 2), (1.2, 3)]:
        path = os.path.join(directory, f"zipf-{alpha}.oracleGeneral")
        wsim.cli(["gen", "--output", path, "--requests", str(requests),
                  "--objects", str(requests // 10), "--alpha", str(alpha), "--seed", str(seed)])
        paths.append(path)
    return paths


def plot(records, out):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = list(dict.fromkeys(record["trace"] for record in records))
    policies = list(dict.fromkeys(record["policy"] for record in records))
    figure, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels) + 2, 4.5), squeeze=False)
    for axis, trace in zip(axes[0], panels):
        for index, policy in enumerate(policies):
            points = sorted(
                (record["cache_size"], 1 - record["hit_ratio"])
                for record in records
                if record["trace"] == trace and record["policy"] == policy
            )
            if points:
                # 20 colours, and a second line style past them.
                axis.plot([size / 2**20 for size, _ in points], [miss for _, miss in points],
                          marker=".", color=plt.cm.tab20(index % 20),
                          linestyle="-" if index < 20 else "--", label=policy)
        axis.set_xscale("log")
        axis.set_xlabel("cache size (MiB)")
        axis.set_ylabel("miss ratio")
        axis.set_title(trace)
        axis.grid(True, which="both", alpha=0.3)
    handles, labels = axes[0][0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="center right", fontsize="small", title="policy")
    figure.suptitle("Miss ratio against cache size, every wsim policy")
    figure.tight_layout(rect=(0, 0, 1 - 1.6 / figure.get_figwidth(), 1))
    figure.savefig(out, dpi=120)
    print(f"figure: {out}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("traces", nargs="*", help="trace files [default: three synthetic traces]")
    parser.add_argument("--scheduler", help="a Dask scheduler's address [default: a LocalCluster]")
    parser.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes")
    parser.add_argument("--requests", type=int, default=200_000,
                        help="requests per synthetic trace")
    parser.add_argument("--out", default="dask-sweep.png", help="where to draw the curves")
    args = parser.parse_args()

    from distributed import Client, LocalCluster

    with tempfile.TemporaryDirectory(prefix="wsim-sweep-") as directory:
        traces = args.traces or synthetic_traces(directory, args.requests)
        jobs = wsim.plan(traces=traces, policies="all", sizes=SIZES, no_timing=True)
        print(f"{len(jobs)} jobs: {len(traces)} traces × {len(jobs) // len(traces)} policies, "
              f"{len(SIZES)} sizes each")
        if args.scheduler:
            client = Client(args.scheduler)
            cluster = None
        else:
            cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1,
                                   processes=True, dashboard_address=None)
            client = Client(cluster)
        try:
            results = wsim.sweep(jobs, client.get_executor(), progress=True)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    for failure in results.failures:
        print(f"failed: {failure}", file=sys.stderr)
    best = {}
    for record in results:
        key = (record["trace"], record["cache_size"])
        if key not in best or record["hit_ratio"] > best[key]["hit_ratio"]:
            best[key] = record
    print(f"{len(results)} runs; the best policy at each size:")
    for (trace, size), record in sorted(best.items()):
        print(f"  {trace:>24} {size / 2**20:9.2f} MiB  {record['policy']:<12} "
              f"miss ratio {1 - record['hit_ratio']:.4f}")
    plot(results, args.out)
    return 1 if results.failures else 0


if __name__ == "__main__":
    sys.exit(main())
