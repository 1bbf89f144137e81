"""The installed `wsim` module against the `wsim` command line, on one
machine and on a Dask cluster."""

import concurrent.futures
import json
import pickle
import threading
import time
import warnings

import pytest

import wsim
from conftest import run_cli

# What tells one run from another, and what it counted.
KEY = ("trace", "policy", "backend", "lookup", "runtime", "compiler", "fuel", "cache_size")
COUNTS = ("requests", "hits", "bytes_hit", "evictions", "objects", "bytes_held")


def counted(records):
    return [tuple(record[field] for field in KEY + COUNTS) for record in records]


def cli_json(wsim_cli, tmp_path, *args):
    path = tmp_path / "cli.json"
    done = run_cli(wsim_cli, *args, "--json", str(path))
    assert done.returncode == 0, done.stderr
    return json.loads(path.read_text())


def test_simulate_equals_the_cli_hit_for_hit(wsim_cli, traces, tmp_path):
    trace = traces[0]
    expected = cli_json(
        wsim_cli, tmp_path, "run", "--trace", trace, "--policy", "lru,s3fifo,arc,lirs",
        "--size", "1%,10%,4096", "--backend", "native",
    )
    records = wsim.simulate(trace, ["lru", "s3fifo", "arc", "lirs"], ["1%", "10%", 4096])
    assert [set(record) for record in records] == [set(record) for record in expected]
    assert counted(records) == counted(expected)
    assert len(records) == 12 and all(record["hits"] > 0 for record in records)


def test_simulate_on_webassembly_and_the_built_in_trace(wsim_cli, tmp_path):
    args = dict(requests=20000, objects=2000, seed=7, ignore_size=True)
    expected = cli_json(
        wsim_cli, tmp_path, "run", "--requests", "20000", "--objects", "2000", "--seed", "7",
        "--ignore-size", "--policy", "sieve,lfu", "--size", "5%", "--backend", "native,batch",
        "--runtime", "wasmtime", "--no-timing",
    )
    records = wsim.simulate(
        None, "sieve,lfu", "5%", backends=["native", "batch"], runtime="wasmtime",
        no_timing=True, **args,
    )
    assert counted(records) == counted(expected)
    assert {record["backend"] for record in records} == {"native", "batch"}


def test_errors_carry_the_cli_message(wsim_cli, tmp_path):
    cases = [
        (["run", "--trace", str(tmp_path / "missing.oracleGeneral")],
         dict(trace=tmp_path / "missing.oracleGeneral"), wsim.TraceError),
        (["run", "--policy", "no-such-policy"], dict(policies="no-such-policy"), wsim.UsageError),
        (["run", "--size", "12 parsecs"], dict(sizes="12 parsecs"), wsim.UsageError),
        (["run", "--policy", "s3fifo:bogus=1", "--requests", "100"],
         dict(policies="s3fifo:bogus=1", requests=100), wsim.UsageError),
        # clap's message over several lines, on one.
        (["run", "--trace", "t.csv", "--requests", "100"],
         dict(trace="t.csv", requests=100), wsim.UsageError),
        (["run", "--size", "0"], dict(sizes=0), wsim.UsageError),
        (["run", "--policy", "none"], dict(policies=[]), wsim.UsageError),
    ]
    for argv, kwargs, kind in cases:
        done = run_cli(wsim_cli, *argv, "--backend", "native")
        assert done.returncode != 0
        # The CLI's `wsim: error: MESSAGE`, or clap's `error: MESSAGE` over
        # the lines before its usage.
        lines = done.stderr.strip().splitlines()
        cli_message = next(
            (line[len("wsim: error: "):] for line in lines if line.startswith("wsim: error: ")),
            None,
        )
        if cli_message is None:
            before_usage = []
            for line in lines:
                if not line.strip() or line.startswith("Usage:"):
                    break
                before_usage.append(line.strip())
            cli_message = " ".join(before_usage)[len("error: "):]
        with pytest.raises(kind) as raised:
            wsim.simulate(**kwargs)
        assert str(raised.value) == cli_message
        assert raised.value.message == cli_message


def test_a_malformed_trace_says_where(tmp_path):
    trace = tmp_path / "bad.csv"
    trace.write_text("id,size\n1,100\n2,oops\n")
    with pytest.raises(wsim.TraceError, match=r"bad.csv:3: size `oops`"):
        wsim.simulate(trace, "lru", 1000)


def trapping_module(wsim_cli, tmp_path):
    """`wsim new`'s FIFO in WebAssembly text, made to trap on every access."""
    done = run_cli(wsim_cli, "new", "--lang", "wat", "--dir", str(tmp_path / "trap"), "trap")
    assert done.returncode == 0, done.stderr
    module = tmp_path / "trap" / "trap.wat"
    # Its first statement, after its locals.
    first = "(local $evicted i32)"
    text = module.read_text()
    assert text.count(first) == 1
    module.write_text(text.replace(first, first + " unreachable"))
    return module


def test_a_failed_run_keeps_the_records_already_made(wsim_cli, tmp_path):
    # LRU's and FIFO's runs finish; the module that traps fails only its own.
    module = trapping_module(wsim_cli, tmp_path)
    with pytest.raises(wsim.PluginError) as raised:
        wsim.simulate(None, None, "1%", wasm=module, runtime="wasmtime", requests=5000,
                      objects=500, no_timing=True)
    assert "unreachable" in str(raised.value) and raised.value.failures
    assert {record["policy"] for record in raised.value.records} == {"lru", "fifo"}


def test_plan_is_picklable_and_sweeps_in_job_order(traces):
    jobs = wsim.plan(traces=traces[:2], policies=["lru", "fifo"], sizes=["1%", "10%"],
                     no_timing=True)
    assert [(job.trace, job.policy) for job in jobs] == [
        (traces[0], "lru"), (traces[0], "fifo"), (traces[1], "lru"), (traces[1], "fifo"),
    ]
    assert pickle.loads(pickle.dumps(jobs)) == jobs
    result = wsim.sweep(jobs)
    assert result.failures == []
    assert [(record["policy"], record["cache_size"] > 0) for record in result] == [
        ("lru", True), ("lru", True), ("fifo", True), ("fifo", True),
    ] * 2
    # The same runs one job at a time give the same counts.
    alone = [record for job in jobs for record in job.run()]
    assert counted(result) == counted(alone)


def test_a_failing_job_keeps_the_others(traces, tmp_path):
    missing = str(tmp_path / "missing.oracleGeneral")
    jobs = wsim.plan(traces=[traces[0], missing, traces[1]], policies=["sieve"], sizes=["5%"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = wsim.sweep(jobs)
    assert [record["trace"] for record in result] == [
        wsim.simulate(trace, "sieve", "5%")[0]["trace"] for trace in (traces[0], traces[1])
    ]
    [failure] = result.failures
    assert failure.job == jobs[1] and failure.job.trace == missing
    assert failure.kind == "trace" and "missing.oracleGeneral" in failure.message
    assert any("1 of 3 jobs failed" in str(warning.message) for warning in caught)


def test_plan_splits_policies_and_gives_modules_their_own_jobs(wsim_cli, tmp_path):
    module = trapping_module(wsim_cli, tmp_path)
    jobs = wsim.plan(None, "lru, s3fifo:small-size-ratio=0.2", "1%", backends=["native", "pair"],
                     wasm=[module], runtime="wasmtime", requests=2000)
    assert [(job.policy, job.module, job.backends) for job in jobs] == [
        ("lru", None, ("native", "pair")),
        ("s3fifo:small-size-ratio=0.2", None, ("native", "pair")),
        ("none", str(module), ("pair",)),
    ]
    assert [job.trace for job in jobs] == [None] * 3
    assert len(wsim.plan("one.csv", "lru")) == 1
    with pytest.raises(wsim.UsageError, match="nothing to plan"):
        wsim.plan("one.csv", [])
    with pytest.raises(wsim.UsageError, match="`size`"):
        wsim.plan("one.csv", "lru", size="1%")
    with pytest.warns(UserWarning, match="1 of 3 jobs failed"):
        result = wsim.sweep(jobs)
    assert [(record["policy"], record["backend"]) for record in result] == [
        ("lru", "native"), ("lru", "pair"),
        ("s3fifo:small-size-ratio=0.2", "native"), ("s3fifo:small-size-ratio=0.2", "pair"),
    ]
    [failure] = result.failures
    assert failure.job == jobs[2] and failure.kind == "plugin"
    assert "unreachable" in failure.message


class RefusingExecutor(concurrent.futures.ThreadPoolExecutor):
    """Refuses every other job, as a client closing mid-sweep would."""

    def __init__(self):
        super().__init__(max_workers=2)
        self.count = 0

    def submit(self, fn, *args, **kwargs):
        self.count += 1
        if self.count % 2 == 0:
            raise RuntimeError("cannot schedule new futures after shutdown")
        return super().submit(fn, *args, **kwargs)


def test_a_job_the_executor_refuses_keeps_the_others(traces):
    jobs = wsim.plan(traces[0], ["lru", "fifo", "sieve"], "5%")
    with RefusingExecutor() as executor, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = wsim.sweep(jobs, executor)
    assert [record["policy"] for record in result] == ["lru", "sieve"]
    [failure] = result.failures
    assert failure.job.policy == "fifo" and failure.kind == "executor"
    assert "cannot schedule" in failure.message


def test_errors_and_failures_pickle(tmp_path):
    with pytest.raises(wsim.TraceError) as raised:
        wsim.simulate(tmp_path / "nothing.csv")
    copy = pickle.loads(pickle.dumps(raised.value))
    assert type(copy) is wsim.TraceError and copy.message == raised.value.message
    job = wsim.plan(traces=["x"], policies="lru")[0]
    failure = wsim.JobFailure(job, "trace", "x: gone")
    assert pickle.loads(pickle.dumps(failure)) == failure


def test_sweep_on_a_dask_cluster_equals_the_local_sweep(traces):
    import distributed
    jobs = wsim.plan(traces=traces, policies=["lru", "s3fifo", "lfu", "twoq"],
                     sizes=["0.5%", "5%"], ignore_size=True, no_timing=True)
    local = wsim.sweep(jobs)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            remote = wsim.sweep(jobs, client.get_executor())
            workers = client.run(lambda: __import__("os").getpid())
    assert len(workers) == 2
    assert remote.failures == [] and local.failures == []
    assert counted(remote) == counted(local)
    assert len(remote) == len(jobs) * 2


def test_the_gil_is_released_while_simulating():
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    ticker = threading.Thread(target=tick)
    ticker.start()
    try:
        time.sleep(0.05)
        start = time.perf_counter()
        wsim.simulate(None, ["lru", "arc", "lirs", "s3fifo"], ["1%", "5%", "10%"],
                      requests=300000, objects=30000)
        end = time.perf_counter()
    finally:
        stop.set()
        ticker.join()
    during = [tick for tick in ticks if start < tick < end]
    # Holding the GIL, the ticker would run at most at a switch or two; released,
    # it ticks all along (about every millisecond).
    assert end - start > 0.05, "a simulation long enough to tell"
    assert len(during) >= 20 and during[-1] - during[0] > 0.5 * (end - start), (len(during), end - start)


def test_mrc_analyze_and_inspect_give_the_cli_json(wsim_cli, traces, tmp_path):
    trace = traces[1]
    assert wsim.analyze(trace) == cli_json(wsim_cli, tmp_path, "analyze", trace)
    points = wsim.mrc(trace, methods=["exact"], sizes=["1%", "10%"], ignore_size=True)
    expected = cli_json(wsim_cli, tmp_path, "mrc", "--trace", trace, "--method", "exact",
                        "--size", "1%,10%", "--ignore-size")
    drop = ("seconds",)
    assert [{k: v for k, v in p.items() if k not in drop} for p in points] == [
        {k: v for k, v in p.items() if k not in drop} for p in expected
    ]
    done = run_cli(wsim_cli, "new", "--lang", "wat", "--dir", str(tmp_path / "mine"), "mine")
    assert done.returncode == 0, done.stderr
    module = tmp_path / "mine" / "mine.wat"
    report = wsim.inspect(module)
    assert report == cli_json(wsim_cli, tmp_path, "inspect", str(module))
    assert report["abi_version"] >= 1


def test_shards_merge_into_the_whole_sweep(wsim_cli, traces, tmp_path):
    args = ["run", "--trace", traces[2], "--policy", "lru,fifo,sieve", "--size", "1%,3%,9%",
            "--no-timing"]
    whole = cli_json(wsim_cli, tmp_path, *args)
    parts = []
    for k in (1, 2, 3, 4):
        path = tmp_path / f"part-{k}.json"
        done = run_cli(wsim_cli, *args, "--shard", f"{k}/4", "--json", str(path))
        assert done.returncode == 0, done.stderr
        assert f"shard {k}/4" in done.stdout
        parts.append(path)
    merged = tmp_path / "merged.json"
    wsim.merge(parts, merged)
    assert counted(json.loads(merged.read_text())) == counted(whole)
    with pytest.raises(wsim.WsimError, match="both have the run"):
        wsim.merge([parts[0], parts[0]], tmp_path / "twice.json")


def test_arguments_as_python_gives_them(traces):
    import numpy

    plain = wsim.simulate(traces[0], ["lru"], [4096, "1%"], ignore_size=True, no_timing=True)
    given = wsim.simulate(
        traces[0], ("lru",), [numpy.int64(4096), "1%"],
        ignore_size=numpy.bool_(True), no_timing=1,
    )
    assert counted(given) == counted(plain)
    assert counted(wsim.simulate(traces[0], "lru", numpy.int64(4096), ignore_size=True)) == \
        counted(plain[:1])
    with pytest.raises(wsim.UsageError, match="`json` is not an option"):
        wsim.simulate(json="out.json")


def test_to_pandas(traces):
    frame = wsim.to_pandas(wsim.simulate(traces[0], "lru", ["1%", "10%"]))
    assert list(frame["policy"]) == ["lru", "lru"] and "hit_ratio" in frame.columns
