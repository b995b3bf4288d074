"""daskjudge against verl's prime_code and a no-isolation floor, on the same workloads, in one run.

    python benchmarks/compare.py [--tests 6000] [--rounds 3] [--rl-rounds 1]
                                 [--out benchmarks/results.json]

Rounds are interleaved (daskjudge, floor, prime_code, then again), and each figure is the
median over rounds: the machine is shared and noisy. Reported:

* per-test overhead of the sandbox: median latency of a trivial test on one slot, run one
  after another (fork, confine, run, kill, reap, report);
* trivial throughput on 2 cores: the sandbox alone (2 slots) and the whole pipeline
  (Parquet-shaped tables → Dask → verdict tables);
* the mixed workload (``workload.make_workload``): wall time of daskjudge (full isolation,
  warm cluster, every test run), the floor, and prime_code as verl calls it; the ratios;
* the RL-style workload (``make_workload(rl=True)``: fewer correct answers and one infinite
  loop in twenty): daskjudge with early exit (the binary-reward mode) against prime_code as
  verl calls it (prime_code spends its 6 s + 10 × 10 s timeouts on every hung solution);
* fidelity: daskjudge's per-test verdicts against the floor's, prime_code's scores against
  the truth, and whether daskjudge's verdicts are identical in every round.

Needs ``pip install --no-deps verl`` for prime_code (see ``peers.py``); without it that column
is skipped and said so.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import peers  # noqa: E402
from workload import make_trivial, make_workload, to_verl  # noqa: E402


def sandbox_overhead(n: int = 400) -> dict:
    """Per-test cost of the sandbox on a trivial program, and the throughput of two slots.

    ``single``: one test per round trip (what one isolated call costs end to end).
    ``batched``: ten tests of one solution per round trip, as the pipeline sends them; still
    a fresh, confined child per test.
    """
    from pipeline.sandbox import Limits, Program, SlotPool

    prog, lim = Program("print(input())", stdin=b"1\n"), Limits()
    batch = ([prog] * 10, [lim] * 10)
    with SlotPool(2, isolation="full") as pool:
        slot = pool.slots[0]
        for _ in range(50):
            slot.run(prog, lim)
        single, batched = [], []
        for _ in range(n):
            t = time.perf_counter()
            slot.run(prog, lim)
            single.append((time.perf_counter() - t) * 1000)
        for _ in range(n // 10):
            t = time.perf_counter()
            slot.run_batch(*batch)
            batched.append((time.perf_counter() - t) * 100)

        def work(k):
            for _ in range(k // 10):
                pool.run_batch(*batch)
        m = 6000
        t = time.perf_counter()
        threads = [threading.Thread(target=work, args=(m // 2,)) for _ in range(2)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        per_min = m / (time.perf_counter() - t) * 60
        single.sort()
        return {"level": pool.level, "single_ms_median": statistics.median(single),
                "single_ms_p90": single[int(0.9 * len(single))],
                "batched_ms_median": statistics.median(batched),
                "sandbox_tests_per_min": per_min}


def n_tests(problems, solutions) -> int:
    sizes = {p: len(t) for p, t in zip(problems["problem_id"], problems["tests"])}
    return int(sum(sizes[p] for p in solutions["problem_id"]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tests", type=int, default=6000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--rl-rounds", type=int, default=1)
    ap.add_argument("--out", default=str(HERE / "results.json"))
    args = ap.parse_args()

    from distributed import Client, LocalCluster

    from pipeline import score
    from pipeline.worker import SandboxPlugin

    try:
        peers.load_verl_reward_score()
        have_verl = True
    except ImportError as exc:
        print(f"prime_code skipped: {exc}", file=sys.stderr)
        have_verl = False

    mixed = make_workload(args.tests)
    trivial = make_trivial(args.tests)
    n_mixed, n_trivial = n_tests(*mixed), n_tests(*trivial)
    results: dict = {"tests_mixed": n_mixed, "tests_trivial": n_trivial, "rounds": args.rounds,
                     "cpus": os.cpu_count(), "timings": []}
    print(f"mixed workload: {len(mixed[1])} solutions, {n_mixed} tests; trivial: {n_trivial} tests")

    if args.rounds:
        results["sandbox"] = sandbox_overhead()
        print(f"sandbox: {results['sandbox']}")

    t0 = time.perf_counter()
    cluster = LocalCluster(n_workers=1, threads_per_worker=os.cpu_count(), processes=True,
                           dashboard_address=":0")
    client = Client(cluster)
    client.register_plugin(SandboxPlugin("full"))
    results["cluster_start_s"] = time.perf_counter() - t0
    verdict_runs = []
    try:
        for r in range(args.rounds):
            row: dict = {"round": r}
            t = time.perf_counter()
            res = score(*trivial, client=client)
            row["daskjudge_trivial_s"] = time.perf_counter() - t
            assert res.summary["verdicts"]["AC"] == n_trivial, res.summary["verdicts"]

            t = time.perf_counter()
            res = score(*mixed, client=client)
            row["daskjudge_mixed_s"] = time.perf_counter() - t
            verdict_runs.append(res.tests["verdict"].astype(str).tolist())
            dj = res

            t = time.perf_counter()
            floor = peers.floor_run(*mixed)
            row["floor_mixed_s"] = time.perf_counter() - t
            t = time.perf_counter()
            peers.floor_run(*trivial)
            row["floor_trivial_s"] = time.perf_counter() - t

            if have_verl:
                items = to_verl(*mixed)
                t = time.perf_counter()
                prime = peers.prime_code_run(items)
                row["prime_mixed_s"] = time.perf_counter() - t
                t = time.perf_counter()
                peers.prime_code_run(to_verl(*trivial))
                row["prime_trivial_s"] = time.perf_counter() - t
            results["timings"].append(row)
            print(json.dumps(row))
        rl = make_workload(args.tests, rl=True)
        results["tests_rl"] = n_rl = n_tests(*rl)
        results["rl_timings"] = []
        for r in range(args.rl_rounds if have_verl else 0):
            row = {"round": r}
            t = time.perf_counter()
            res_rl = score(*rl, client=client, config={"early_exit": True})
            row["daskjudge_rl_s"] = time.perf_counter() - t
            t = time.perf_counter()
            res_rl_all = score(*rl, client=client)
            row["daskjudge_rl_all_tests_s"] = time.perf_counter() - t
            t = time.perf_counter()
            peers.floor_run(*rl, early_exit=True)
            row["floor_rl_s"] = time.perf_counter() - t
            t = time.perf_counter()
            prime_rl = peers.prime_code_run(to_verl(*rl))
            row["prime_rl_s"] = time.perf_counter() - t
            results["rl_timings"].append(row)
            print(json.dumps(row))
        if results["rl_timings"]:
            rl_med = {k: statistics.median(x[k] for x in results["rl_timings"])
                      for k in results["rl_timings"][0] if k != "round"}
            results["rl_median_s"] = rl_med
            results["rl_prime_vs_daskjudge"] = rl_med["prime_rl_s"] / rl_med["daskjudge_rl_s"]
            results["rl_prime_vs_daskjudge_all_tests"] = (rl_med["prime_rl_s"]
                                                          / rl_med["daskjudge_rl_all_tests_s"])
            results["rl_daskjudge_vs_floor"] = rl_med["daskjudge_rl_s"] / rl_med["floor_rl_s"]
            results["rl_daskjudge_all_tests_verdicts"] = res_rl_all.summary["verdicts"]
            acc = res_rl.solutions["accepted"].astype(bool).tolist()
            results["rl_prime_false_positives"] = sum(p == 1.0 and not a for p, a in zip(prime_rl, acc))
            results["rl_daskjudge_verdicts"] = res_rl.summary["verdicts"]
    finally:
        client.close()
        cluster.close()

    if results["timings"]:
        med = {k: statistics.median(r[k] for r in results["timings"])
               for k in results["timings"][0] if k != "round"}
        results["median_s"] = med
        results["tests_per_s"] = {k.replace("_s", ""): (n_mixed if "mixed" in k else n_trivial) / v
                                  for k, v in med.items()}
        ratios = {"daskjudge_vs_floor_mixed": med["daskjudge_mixed_s"] / med["floor_mixed_s"]}
        if have_verl:
            ratios["prime_vs_daskjudge_mixed"] = med["prime_mixed_s"] / med["daskjudge_mixed_s"]
            ratios["prime_vs_daskjudge_trivial"] = med["prime_trivial_s"] / med["daskjudge_trivial_s"]
        results["ratios"] = ratios

        # Fidelity.
        flat_floor = [ok for per_solution in floor for ok in per_solution]
        dj_pass = [v == "AC" for v in verdict_runs[-1]]
        results["daskjudge_agrees_with_floor"] = sum(a == b for a, b in zip(dj_pass, flat_floor))
        results["verdicts_identical_across_rounds"] = all(v == verdict_runs[0] for v in verdict_runs)
        if have_verl:
            accepted = dj.solutions["accepted"].astype(bool).tolist()
            results["prime_false_positives"] = sum(p == 1.0 and not a for p, a in zip(prime, accepted))
            results["prime_false_negatives"] = sum(p != 1.0 and a for p, a in zip(prime, accepted))
            results["solutions"] = len(accepted)
    print(json.dumps({k: v for k, v in results.items() if k != "timings"}, indent=2))
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
