"""More workers, more speed: one worker with one slot against two workers with one slot
each (and one worker with two slots), on a CPU-bound workload, in one run; and the same
tests sent straight to one and two sandbox slots with no Dask, which is what the cores give.

    python benchmarks/scaling.py [--tests 2000] [--rounds 5] [--out benchmarks/results-scaling.json]

Each layout is a real Dask cluster (a scheduler and worker processes, started as the
embedded cluster starts them) started once and warmed up; rounds are interleaved across
layouts, in a rotated order each round, and each figure is the median. The workload:
``--tests`` tests, each a Python program burning about 55 ms of CPU, so the run is bound by
the cores and the figure shows what the scheduler and the pipeline add on top.

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
# The same tests sent straight to a pool of slots, no Dask: what the machine gives.
DIRECT = {"sandbox alone, 1 slot": 1, "sandbox alone, 2 slots": 2}


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


class Direct:
    """Run the workload's tests straight on ``n`` sandbox slots, ten at a time per slot."""

    def __init__(self, n: int, problems: pd.DataFrame, solutions: pd.DataFrame):
        from concurrent.futures import ThreadPoolExecutor

        from pipeline.sandbox import Limits, Program, SlotPool
        code = dict(zip(solutions["problem_id"], solutions["code"]))
        tests = [(code[pid], t) for pid, ts in zip(problems["problem_id"], problems["tests"])
                 for t in ts]
        self.batches = [([Program(c, stdin=t["input"].encode()) for c, t in tests[i:i + 10]],
                         [t["output"] for _, t in tests[i:i + 10]])
                        for i in range(0, len(tests), 10)]
        self.limits = [Limits(cpu_s=2.0)] * 10
        self.pool = SlotPool(n, isolation="full").start()
        self.threads = ThreadPoolExecutor(n)

    def run(self) -> int:
        """Run every test; return how many printed the expected answer."""
        def batch(b):
            outs = self.pool.run_batch(b[0], self.limits[:len(b[0])])
            return sum(o.stdout.decode().strip() == want for o, want in zip(outs, b[1]))
        return sum(self.threads.map(batch, self.batches))

    def close(self) -> None:
        self.threads.shutdown()
        self.pool.close()


def per_row_overhead(n_tests: int, rounds: int) -> dict:
    """Pipeline (Dask + expand + judge + reduce) time per row beyond the sandbox's own."""
    from distributed import Client

    from pipeline import score
    from pipeline.cluster import local_cluster
    from pipeline.worker import SandboxPlugin
    from pipeline.sandbox import Limits, Program, SlotPool

    problems, solutions = trivial_workload(n_tests)
    code = solutions.loc[0, "code"]
    progs = [Program(code, stdin=t["input"].encode()) for p in problems["tests"] for t in p]
    with local_cluster(1, 1, dashboard=":0") as cluster, Client(cluster) as client, \
            SlotPool(1, isolation="full") as pool:
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
    ap.add_argument("--tests", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--out", default=str(HERE / "results-scaling.json"))
    args = ap.parse_args()

    from distributed import Client

    from pipeline import score
    from pipeline.cluster import local_cluster
    from pipeline.worker import SandboxPlugin

    problems, solutions = cpu_workload(args.tests)
    clusters = {}
    for name, (workers, slots) in LAYOUTS.items():
        cluster = local_cluster(workers, slots, dashboard=":0")
        client = Client(cluster)
        client.register_plugin(SandboxPlugin("full"))
        score(problems.head(20), solutions.head(20), client=client)        # warm up
        clusters[name] = (cluster, client)
    direct = {name: Direct(n, problems, solutions) for name, n in DIRECT.items()}
    names = list(clusters) + list(direct)
    times: dict[str, list[float]] = {name: [] for name in names}
    verdicts, direct_ok = set(), set()
    try:
        for r in range(args.rounds):
            # Rotated so that no layout always runs right after the same one.
            for name in names[r % len(names):] + names[:r % len(names)]:
                t = time.perf_counter()
                if name in direct:
                    direct_ok.add(direct[name].run())
                else:
                    res = score(problems, solutions, client=clusters[name][1])
                    verdicts.add(tuple(sorted(res.summary["verdicts"].items())))
                times[name].append(time.perf_counter() - t)
                print(f"round {r + 1}: {name}: {times[name][-1]:.1f} s", file=sys.stderr)
    finally:
        for cluster, client in clusters.values():
            client.close()
            cluster.close()
        for d in direct.values():
            d.close()
    med = {name: statistics.median(t) for name, t in times.items()}
    base = med["1 worker x 1 slot"]
    result = {
        "tests": int(sum(len(t) for t in problems["tests"])), "rounds": args.rounds,
        "median_s": {k: round(v, 2) for k, v in med.items()},
        "tests_per_s": {k: round(args.tests / v, 1) for k, v in med.items()},
        "speedup_vs_1x1": {k: round(base / v, 2) for k, v in med.items()},
        # The same ratio within each round: the machine's speed drifts between rounds.
        "speedup_per_round": {k: [round(a / b, 2) for a, b in
                                  zip(times["1 worker x 1 slot"], v)] for k, v in times.items()},
        # Dask against the bare slots with as many slots: 1.0 is all the cores give.
        "efficiency_vs_sandbox_alone": {
            "1 worker x 1 slot": round(med["sandbox alone, 1 slot"] / base, 3),
            "2 workers x 1 slot": round(med["sandbox alone, 2 slots"]
                                        / med["2 workers x 1 slot"], 3),
            "1 worker x 2 slots": round(med["sandbox alone, 2 slots"]
                                        / med["1 worker x 2 slots"], 3)},
        "runs_s": {k: [round(x, 2) for x in v] for k, v in times.items()},
        "same_verdicts_every_run": len(verdicts) == 1,
        "sandbox_alone_all_correct": direct_ok == {args.tests},
        "overhead": per_row_overhead(min(args.tests, 2000), args.rounds),
    }
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
