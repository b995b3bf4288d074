"""More workers, more speed: one worker with one slot against two workers with one slot
each (and one worker with two slots), on a CPU-bound workload, in one run.

    python benchmarks/scaling.py [--tests 2400] [--rounds 3] [--out benchmarks/results-scaling.json]

Each layout is a real Dask cluster (a scheduler and worker processes, as ``dask scheduler``
/ ``dask worker`` would run them) started once and warmed up; rounds are interleaved across
layouts and each figure is the median. The workload: ``--tests`` tests, each a Python
program burning about 30 ms of CPU, so the run is bound by the cores and the figure shows
what the scheduler and the pipeline add on top.

Also measured: the pipeline's overhead per row, from a trivial workload (``print(input())``)
run through ``score()`` on one slot, minus the same tests sent straight to one sandbox slot.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

BUSY = "s = 0\nfor i in range(350000):\n    s += i\nprint(sum(map(int, input().split())))\n"
LAYOUTS = {"1 worker x 1 slot": (1, 1), "2 workers x 1 slot": (2, 1),
           "1 worker x 2 slots": (1, 2)}


def cpu_workload(n_tests: int, tests_per_solution: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
    n_solutions = n_tests // tests_per_solution
    problems = [{"problem_id": f"p{i}", "kind": "stdio", "time_limit_s": 2.0,
                 "tests": [{"input": f"{i} {t}", "output": str(i + t)}
                           for t in range(tests_per_solution)]}
                for i in range(n_solutions)]
    solutions = [{"problem_id": f"p{i}", "solution_id": "s", "code": BUSY}
                 for i in range(n_solutions)]
    return pd.DataFrame(problems), pd.DataFrame(solutions)


def trivial_workload(n_tests: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    problems, solutions = cpu_workload(n_tests)
    return problems, solutions.assign(code="print(sum(map(int, input().split())))")


def per_row_overhead(n_tests: int, rounds: int) -> dict:
    """Pipeline (Dask + expand + judge + reduce) time per row beyond the sandbox's own."""
    from distributed import Client, LocalCluster

    from pipeline import score
    from pipeline.cluster import SandboxPlugin
    from pipeline.sandbox import Limits, Program, SlotPool

    problems, solutions = trivial_workload(n_tests)
    code = solutions.loc[0, "code"]
    progs = [Program(code, stdin=t["input"].encode()) for p in problems["tests"] for t in p]
    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=":0") as cluster, \
            Client(cluster) as client, SlotPool(1, isolation="full") as pool:
        client.register_plugin(SandboxPlugin("full"))
        score(problems.head(20), solutions.head(20), client=client)        # warm up
        pipe, direct = [], []
        for _ in range(rounds):
            t = time.perf_counter()
            r = score(problems, solutions, client=client)
            pipe.append(time.perf_counter() - t)
            assert r.summary["verdicts"]["AC"] == len(progs)
            t = time.perf_counter()
            for i in range(0, len(progs), 10):
                pool.run_batch(progs[i:i + 10], [Limits()] * len(progs[i:i + 10]))
            direct.append(time.perf_counter() - t)
    p, d = statistics.median(pipe), statistics.median(direct)
    return {"tests": len(progs), "pipeline_s": round(p, 3), "sandbox_only_s": round(d, 3),
            "overhead_ms_per_row": round(1000 * (p - d) / len(progs), 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tests", type=int, default=2400)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", default=str(HERE / "results-scaling.json"))
    args = ap.parse_args()

    from distributed import Client, LocalCluster

    from pipeline import score
    from pipeline.cluster import SandboxPlugin

    problems, solutions = cpu_workload(args.tests)
    clusters = {}
    for name, (workers, slots) in LAYOUTS.items():
        cluster = LocalCluster(n_workers=workers, threads_per_worker=slots,
                               dashboard_address=":0")
        client = Client(cluster)
        client.register_plugin(SandboxPlugin("full"))
        score(problems.head(20), solutions.head(20), client=client)        # warm up
        clusters[name] = (cluster, client)
    times: dict[str, list[float]] = {name: [] for name in LAYOUTS}
    verdicts = set()
    try:
        for r in range(args.rounds):
            for name, (_, client) in clusters.items():
                t = time.perf_counter()
                res = score(problems, solutions, client=client)
                times[name].append(time.perf_counter() - t)
                verdicts.add(tuple(sorted(res.summary["verdicts"].items())))
                print(f"round {r + 1}: {name}: {times[name][-1]:.1f} s", file=sys.stderr)
    finally:
        for cluster, client in clusters.values():
            client.close()
            cluster.close()
    med = {name: statistics.median(t) for name, t in times.items()}
    base = med["1 worker x 1 slot"]
    result = {
        "tests": int(sum(len(t) for t in problems["tests"])), "rounds": args.rounds,
        "median_s": {k: round(v, 2) for k, v in med.items()},
        "tests_per_s": {k: round(args.tests / v, 1) for k, v in med.items()},
        "speedup_vs_1x1": {k: round(base / v, 2) for k, v in med.items()},
        "runs_s": {k: [round(x, 2) for x in v] for k, v in times.items()},
        "same_verdicts_every_run": len(verdicts) == 1,
        "overhead": per_row_overhead(min(args.tests, 2000), args.rounds),
    }
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
