"""One RL training step's rewards: daskjudge's batched reward against verl's prime_code.

    python benchmarks/reward_step.py [--prompts 64] [--samples 8] [--rounds 3] [--hung 0]
                                     [--out benchmarks/results-reward.json]

A step is ``prompts × samples`` rollouts (GRPO-style groups) over problems of the workload
families (``workload.FAMILIES``), 8–14 tests each. Each rollout is a completion with a fenced
python block, dealt from a deck of 50 % correct, 35 % wrong (some only after test 10), 10 %
runtime error and 5 % correct but slow; every rollout's code differs in a comment, except
that one rollout in ten repeats an earlier one of its group exactly (a duplicate).
``--hung N`` makes N rollouts loop forever.

Per round, on the same 2 cores, one after another:

* daskjudge ``binary``: :func:`pipeline.reward.compute_scores` with ``early_exit`` (the
  cheap mode for a binary reward) on a warm scorer (embedded LocalCluster, full isolation;
  its start-up is reported, not counted);
* daskjudge ``fraction``: the same call with ``reward: fraction`` (every test run);
* prime_code as verl calls it (``peers.prime_code_run``: ``default_compute_score`` →
  ``prime_code.compute_score(continuous=True)`` in a ``ProcessPoolExecutor(2)``).

Step latency is the wall time of the call; the figure is the median over rounds. The truth
is the no-isolation floor's per-test results (``peers.floor_run``); every rollout whose
prime_code reward disagrees with the binary truth is listed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import peers  # noqa: E402
from workload import _LOOP, FAMILIES, _frames, _problem_row, to_verl  # noqa: E402

DECK = ["correct"] * 10 + ["wrong"] * 7 + ["error"] * 2 + ["slow"]


def make_step(prompts: int = 64, samples: int = 8, hung: int = 0, seed: int = 0,
              duplicate_rate: float = 0.1):
    """``(problems, rollouts)`` frames for one step; rollouts carry ``category`` and ``group``."""
    rng = random.Random(seed)
    names = list(FAMILIES)
    weights = [FAMILIES[n][3] for n in names]
    problems, rollouts = [], []
    deck: list[str] = []
    for g in range(prompts):
        name = rng.choices(names, weights)[0]
        kind, entry, family, _ = FAMILIES[name]
        tests, variants = family(rng, rng.randint(8, 14))
        pid = f"{name}-{g:03d}"
        problems.append(_problem_row(pid, kind, tests, entry))
        group: list[dict] = []
        for j in range(samples):
            if group and rng.random() < duplicate_rate:
                group.append(dict(group[rng.randrange(len(group))], solution_id=f"r{j}"))
                continue
            if not deck:
                deck = DECK[:]
                rng.shuffle(deck)
            category = deck.pop()
            code = rng.choice(variants[category]) + f"# sample {g}.{j}\n"
            group.append({"problem_id": pid, "solution_id": f"r{j}", "language": "python",
                          "code": code, "category": category})
        rollouts += group
    for i in rng.sample(range(len(rollouts)), hung):
        rollouts[i] = dict(rollouts[i], code=_LOOP + rollouts[i]["code"], category="hung")
    return _frames(problems, rollouts)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--prompts", type=int, default=64)
    ap.add_argument("--samples", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--hung", type=int, default=0)
    ap.add_argument("--out", default=str(HERE / "results-reward.json"))
    args = ap.parse_args()

    from pipeline import reward

    peers.load_verl_reward_score()
    problems, rollouts = make_step(args.prompts, args.samples, args.hung)
    items = to_verl(problems, rollouts)
    completions = [c for c, _ in items]
    truths = [json.dumps(gt) for _, gt in items]    # verl parquet rows hold JSON text
    sources = ["codecontests"] * len(items)
    n = len(items)
    sizes = {p: len(t) for p, t in zip(problems["problem_id"], problems["tests"])}
    n_tests = sum(sizes[p] for p in rollouts["problem_id"])
    print(f"step: {n} rollouts, {len(problems)} problems, {n_tests} tests, categories "
          f"{dict(Counter(rollouts['category']))}")

    t = time.perf_counter()
    scorer = reward.configure({"isolation": "full", "dashboard": ":0"}).start()
    out: dict = {"rollouts": n, "problems": len(problems), "tests": n_tests, "cpus": os.cpu_count(),
                 "categories": dict(Counter(rollouts["category"])), "hung": args.hung,
                 "scorer_start_s": time.perf_counter() - t, "rounds": []}
    runs: dict[str, list] = {}
    try:
        for r in range(args.rounds):
            row: dict = {"round": r}
            for mode, kw in (("binary", {"early_exit": True}), ("fraction", {"reward": "fraction"})):
                scorer._problems.clear()            # each step parses its ground truths anew
                t = time.perf_counter()
                res = reward.compute_scores(sources, completions, truths, None, **kw)
                row[f"daskjudge_{mode}_s"] = time.perf_counter() - t
                row[f"daskjudge_{mode}_step"] = {k: scorer.last_step[k] for k in
                                                 ("judged", "duplicates", "tests",
                                                  "test_verdicts")}
                runs.setdefault(mode, []).append(res)
            t = time.perf_counter()
            prime = peers.prime_code_run(items, processes=2)
            row["prime_code_s"] = time.perf_counter() - t
            runs.setdefault("prime", []).append(prime)
            out["rounds"].append(row)
            print(json.dumps(row))
    finally:
        scorer.close()

    floor = peers.floor_run(problems, rollouts)
    truth = [all(f) for f in floor]
    med = {k: statistics.median(x[k] for x in out["rounds"])
           for k in out["rounds"][0] if k.endswith("_s")}
    out["median_s"] = med
    out["prime_vs_daskjudge_binary"] = med["prime_code_s"] / med["daskjudge_binary_s"]
    out["prime_vs_daskjudge_fraction"] = med["prime_code_s"] / med["daskjudge_fraction_s"]

    # Fidelity: every round's rewards against the floor's all-pass truth.
    def wrong(scores: list[float]) -> list[int]:
        return [i for i, (s, ok) in enumerate(zip(scores, truth)) if (s == 1.0) != ok]

    out["daskjudge_binary_disagreements"] = [len(wrong([x["score"] for x in res]))
                                             for res in runs["binary"]]
    out["daskjudge_fraction_acc_disagreements"] = [len(wrong([x["acc"] for x in res]))
                                                   for res in runs["fraction"]]
    fractions = [sum(f) / len(f) for f in floor]
    out["daskjudge_fraction_vs_floor_fraction"] = [
        sum(abs(x["score"] - f) > 1e-9 for x, f in zip(res, fractions)) for res in runs["fraction"]]
    out["prime_disagreements_per_round"] = [len(wrong(p)) for p in runs["prime"]]
    listed = []
    for i in sorted(set().union(*(wrong(p) for p in runs["prime"]))):
        row = rollouts.iloc[i]
        passed = floor[i]
        listed.append({
            "rollout": i, "problem": row["problem_id"], "category": row["category"],
            "tests": len(passed), "floor_passed": sum(passed),
            "first_failing_test": passed.index(False) if False in passed else None,
            "truth": 1.0 if truth[i] else 0.0,
            "prime_code": [p[i] for p in runs["prime"]],
            "daskjudge": runs["binary"][-1][i]["score"],
            "daskjudge_verdict": runs["binary"][-1][i]["verdict"]})
    out["prime_disagreements"] = listed
    out["prime_partial_credit"] = sum(0.0 < s < 1.0 for s in runs["prime"][-1])
    print(json.dumps({k: v for k, v in out.items() if k not in ("rounds", "prime_disagreements")},
                     indent=2))
    for d in listed:
        print(json.dumps(d))
    Path(args.out).write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
