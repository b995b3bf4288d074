"""What a special judge costs per test, against a plain comparator, on the same rows.

    python benchmarks/judging_cost.py [--tests 2000] [--rounds 3]
                                      [--out benchmarks/results-judges.json]

One workload (``pair_sum_any``-style problems: any valid pair of positions; the solution
prints the first pair, which is also the expected output) scored twice per round on one
warm embedded cluster with full isolation: once judged by the ``lines`` comparator, once by
the problem's Python checker (testlib contract, run in its own sandboxed child per test).
Rounds alternate the two and each figure is the median over rounds. Also measured: one check
on its own, through the sandbox (a batch of 32 checks per round trip, as the pipeline sends
them), against the comparator called in process.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

SOLUTION = """n, t = map(int, input().split())
a = list(map(int, input().split()))
pos = {}
for j, x in enumerate(a):
    if t - x in pos:
        print(pos[t - x] + 1, j + 1)
        break
    pos.setdefault(x, j)
else:
    print(-1)
"""


def checker_source() -> str:
    for line in (ROOT / "data" / "checkers" / "problems.jsonl").read_text().splitlines():
        row = json.loads(line)
        if row["problem_id"] == "pair_sum_any":
            return row["checker"]
    raise SystemExit("data/checkers/problems.jsonl has no pair_sum_any")


def first_pair(a: list[int], t: int) -> str:
    pos: dict[int, int] = {}
    for j, x in enumerate(a):
        if t - x in pos:
            return f"{pos[t - x] + 1} {j + 1}\n"
        pos.setdefault(x, j)
    return "-1\n"


def workload(n_tests: int, per_problem: int = 20, n: int = 50, seed: int = 7):
    rng = random.Random(seed)
    problems, solutions = [], []
    for p in range(max(1, n_tests // per_problem)):
        tests = []
        for _ in range(per_problem):
            a = [rng.randint(-100, 100) for _ in range(n)]
            t = rng.randint(-150, 150)
            tests.append({"input": f"{n} {t}\n{' '.join(map(str, a))}\n",
                          "output": first_pair(a, t)})
        problems.append({"problem_id": f"p{p}", "kind": "stdio", "tests": tests})
        solutions.append({"problem_id": f"p{p}", "solution_id": "s", "code": SOLUTION})
    return problems, solutions


def check_alone(source: str, n: int = 320) -> dict:
    """Median cost of one check: the checker in the sandbox vs the comparator in process."""
    from judges import get
    from pipeline.sandbox import SlotPool

    items = [("5 7\n1 6 3 4 2\n", b"1 2\n", "1 2\n")] * 32
    checker, lines = get("checker"), get("lines")
    with SlotPool(1, isolation="full") as pool:
        checker.judge(pool.run_batch, source, items)              # warm up
        per_check = []
        for _ in range(n // 32):
            t = time.perf_counter()
            verdicts = checker.judge(pool.run_batch, source, items)
            per_check.append((time.perf_counter() - t) / len(items))
            assert all(v.value == "AC" for v, _ in verdicts), verdicts[:1]
    t = time.perf_counter()
    for _ in range(10000):
        lines.check("1 2\n", "1 2\n")
    return {"checker_ms": 1000 * statistics.median(per_check),
            "lines_us": 1e6 * (time.perf_counter() - t) / 10000}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tests", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", default=str(HERE / "results-judges.json"))
    args = ap.parse_args()

    from distributed import Client, LocalCluster

    from pipeline import score
    from pipeline.worker import SandboxPlugin

    source = checker_source()
    problems, solutions = workload(args.tests)
    with_checker = [dict(p, judge="checker", checker=source) for p in problems]
    n = sum(len(p["tests"]) for p in problems)
    results: dict = {"tests": n, "rounds": args.rounds, "cpus": os.cpu_count(), "timings": []}
    results["check_alone"] = check_alone(source)
    print(json.dumps(results["check_alone"]))

    cluster = LocalCluster(n_workers=1, threads_per_worker=os.cpu_count(), processes=True,
                           dashboard_address=":0")
    client = Client(cluster)
    client.register_plugin(SandboxPlugin("full"))
    try:
        score(problems[:2], solutions[:2], client=client)               # warm the slots
        for r in range(args.rounds):
            row = {"round": r}
            for name, table in (("lines", problems), ("checker", with_checker)):
                t = time.perf_counter()
                res = score(table, solutions, client=client)
                row[f"{name}_s"] = time.perf_counter() - t
                assert res.summary["verdicts"]["AC"] == n, (name, res.summary["verdicts"])
            results["timings"].append(row)
            print(json.dumps(row))
    finally:
        client.close()
        cluster.close()
    med = {k: statistics.median(x[k] for x in results["timings"])
           for k in ("lines_s", "checker_s")}
    results["median_s"] = med
    results["ms_per_test"] = {k[:-2]: 1000 * v / n for k, v in med.items()}
    results["checker_over_lines"] = med["checker_s"] / med["lines_s"]
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps({k: results[k] for k in ("median_s", "ms_per_test", "checker_over_lines")}))


if __name__ == "__main__":
    main()
