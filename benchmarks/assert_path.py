"""What the split ``assert`` path costs per test: HumanEval's 164 canonical solutions on
their tests, through one sandbox slot (full isolation), two ways in alternating rounds.

    python benchmarks/assert_path.py [--rounds 5] [--out benchmarks/results-assert.json]

* **split** (what daskjudge does): the candidate's process and a trusted test process that
  runs the test code and calls the solution across a pipe (SECURITY.md).
* **one process** (the design before it): the solution and then its test code in one forked
  interpreter, run as a script; the same work, forgeable.

Reported per test: wall time of the round trip, and CPU time of the test's processes as
the kernel counts them (median over rounds); the ratio split ÷ one process; and, as the
reference point, a trivial ``stdio`` test on the same slot.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--out", default=str(Path(__file__).with_name("results-assert.json")))
    args = ap.parse_args()

    from pipeline import datasets
    from pipeline.sandbox import Limits, Program, RecordKind, SlotPool

    he = datasets.load("humaneval")
    tests = {p["problem_id"]: (p["tests"][0]["input"], p["entry_point"])
             for p in he.problems.to_pylist()}
    codes = {s["problem_id"]: s["code"] for s in he.solutions.to_pylist()}
    ways = {
        "split": [Program(codes[pid], mode="assert", call=test, entry_point=entry)
                  for pid, (test, entry) in tests.items()],
        "one_process": [Program(f"{codes[pid]}\n{test}", mode="script")
                        for pid, (test, entry) in tests.items()],
        "trivial_stdio": [Program("print(input())", stdin=b"x\n")] * len(tests),
    }
    limits = Limits(cpu_s=10)
    wall: dict[str, list[float]] = {k: [] for k in ways}
    cpu: dict[str, list[float]] = {k: [] for k in ways}
    with SlotPool(1, isolation="auto") as pool:
        level = pool.level
        for _ in range(args.rounds):
            for name, programs in ways.items():
                start = time.perf_counter()
                outcomes = [pool.run(p, limits) for p in programs]   # one round trip each
                wall[name].append((time.perf_counter() - start) / len(programs))
                cpu[name].append(sum(o.cpu_s for o in outcomes) / len(programs))
                bad = [o for o in outcomes if name != "trivial_stdio"
                       and (o.record is None or o.record.kind is not RecordKind.COMPLETED)]
                if bad:
                    raise SystemExit(f"{name}: {len(bad)} canonical solutions did not pass: "
                                     f"{bad[0].record}")
    ms = {k: {"wall_ms": round(statistics.median(v) * 1000, 2),
              "cpu_ms": round(statistics.median(cpu[k]) * 1000, 2)} for k, v in wall.items()}
    result = {"isolation": level, "tests": len(tests), "rounds": args.rounds, "per_test": ms,
              "split_over_one_process_wall": round(ms["split"]["wall_ms"] / ms["one_process"]["wall_ms"], 2),
              "split_minus_one_process_wall_ms": round(ms["split"]["wall_ms"] - ms["one_process"]["wall_ms"], 2)}
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
