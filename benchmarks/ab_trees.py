"""The pipeline on two checkouts of daskjudge, taking turns: what a change costs.

    git worktree add /tmp/before <commit>          # the checkout to compare against
    python benchmarks/ab_trees.py --baseline /tmp/before [--turns 2] [--rounds 3]
                                  [--out benchmarks/results-ab.json]

Each turn runs the baseline checkout, then this one, each in a fresh process with its own
warm embedded LocalCluster (1 worker, 2 threads, 2 slots, full isolation), timing the
``trivial`` and ``mixed`` workloads of ``compare.py`` (``workload.py``) ``--rounds`` times.
Reported: the median wall time per workload and checkout over all rounds, and the ratio
this ÷ baseline. Alternating turns spreads the machine's drift over both sides.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def measure(rounds: int, tests: int) -> dict:
    """In this process: the workloads on the ``pipeline`` found first on ``sys.path``."""
    sys.path.insert(0, str(HERE))
    from distributed import Client, LocalCluster
    from workload import make_trivial, make_workload

    from pipeline import score
    from pipeline.worker import SandboxPlugin

    workloads = {"trivial": make_trivial(tests), "mixed": make_workload(tests)}
    times: dict[str, list[float]] = {k: [] for k in workloads}
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=True, dashboard_address=":0",
                      resources={"sandbox": 2}) as cluster, Client(cluster) as client:
        client.register_plugin(SandboxPlugin("full"))
        p, s = workloads["trivial"]
        score(p, s.iloc[:100], client=client, config={"isolation": "full"})      # warm
        for _ in range(rounds):
            for name, (p, s) in workloads.items():
                t = time.perf_counter()
                score(p, s, client=client, config={"isolation": "full"})
                times[name].append(time.perf_counter() - t)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--baseline", help="a checkout of daskjudge to compare against")
    ap.add_argument("--turns", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--tests", type=int, default=6000)
    ap.add_argument("--out", default=str(HERE / "results-ab.json"))
    ap.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(args.rounds, args.tests)))
        return
    if not args.baseline:
        ap.error("--baseline is required")
    trees = {"baseline": Path(args.baseline).resolve(), "this": HERE.parent}
    times: dict = {side: {"trivial": [], "mixed": []} for side in trees}
    for turn in range(args.turns):
        for side, root in trees.items():
            env = dict(os.environ, PYTHONPATH=str(root))
            out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--measure",
                                  "--rounds", str(args.rounds), "--tests", str(args.tests)],
                                 cwd=root, env=env, capture_output=True, text=True, check=True)
            got = json.loads(out.stdout.strip().splitlines()[-1])
            for name, values in got.items():
                times[side][name] += values
            print(f"turn {turn} {side}: " + ", ".join(
                f"{k} {statistics.median(v):.2f} s" for k, v in got.items()), flush=True)
    med = {side: {k: round(statistics.median(v), 2) for k, v in w.items()}
           for side, w in times.items()}
    result = {"tests": args.tests, "turns": args.turns, "rounds": args.rounds, "median_s": med,
              "this_over_baseline": {k: round(med["this"][k] / med["baseline"][k], 3)
                                     for k in med["this"]},
              "times_s": {side: {k: [round(x, 2) for x in v] for k, v in w.items()}
                          for side, w in times.items()}}
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: result[k] for k in ("median_s", "this_over_baseline")}, indent=2))


if __name__ == "__main__":
    main()
