"""Scoring a batch of completions through ``daskjudge serve`` against scoring it directly.

    python benchmarks/serve.py [--tests 2000] [--rounds 3] [--clients 64]
                               [--out benchmarks/results-serve.json]

The batch is the exam-like mix of ``workload.make_workload`` (stdio and function problems,
12–20 tests each; 70 % correct, 20 % wrong, 5 % runtime error, 5 % slow). Per round, on one
warm embedded LocalCluster (1 worker, 2 sandbox slots, full isolation where the host allows),
one after another:

* **direct**: ``pipeline.score(problems, solutions, client=...)`` on the whole batch;
* **evaluate_batch**: one ScaleBox-shaped ``POST /common_evaluate_batch`` per completion
  (``run_all_cases``), sent by ``--clients`` threads at once;
* **run_code (verl)**: verl's own ``sandbox_fusion.compute_score`` per completion, called by
  ``--clients`` threads at once with one shared semaphore of 64 (verl's
  ``sandbox_fusion_max_concurrent``): a ``POST /run_code`` per test.

Requests per second is completions / wall time of the whole batch; latency is per
completion (for ``direct`` every completion waits for the whole batch). Figures are medians
over rounds; compare ratios within one run (the machine is shared). Each service answer is
checked against the direct verdicts (``accepted`` per completion; verl's reward against the
pass fraction), and disagreements are counted.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import threading
import time
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import requests  # noqa: E402

from workload import make_workload, to_verl  # noqa: E402


def verl_sandbox_fusion():
    """verl's ``sandbox_fusion`` reward package from its files (verl's ``__init__`` needs torch)."""
    spec = importlib.util.find_spec("verl")
    if spec is None:
        raise SystemExit("verl is not installed: pip install --no-deps verl==0.9.1")
    folder = Path(list(spec.submodule_search_locations)[0]) / "utils/reward_score/sandbox_fusion"
    pkg = importlib.util.spec_from_file_location("verl_sandbox_fusion", folder / "__init__.py",
                                                 submodule_search_locations=[str(folder)])
    module = importlib.util.module_from_spec(pkg)
    sys.modules[pkg.name] = module
    pkg.loader.exec_module(module)
    return module


def scalebox_requests(problems, solutions) -> list[dict]:
    """One ``common_evaluate_batch`` body per solution, in ScaleBox's columnar test shape."""
    bodies = []
    for (completion, truth), sol in zip(to_verl(problems, solutions),
                                        solutions.itertuples(index=False)):
        cases = {"type": "function_call" if "fn_name" in truth else "stdin_stdout",
                 "input": truth["inputs"], "output": truth["outputs"],
                 "fn_name": truth.get("fn_name"), "json_input": "fn_name" in truth}
        bodies.append({"id": f"{sol.problem_id}/{sol.solution_id}", "completion": completion,
                       "config": {"language": "python", "run_timeout": 2,
                                  "provided_data": {"test_cases": cases},
                                  "extra": {"run_all_cases": True}}})
    return bodies


def _post_batch(session, url: str, body: dict) -> dict:
    return session.post(url + "/common_evaluate_batch", json=body, timeout=600).json()


def _verl_reward(session, url: str, item: tuple[str, dict]) -> float:
    global _SF
    with _LOADING:
        if _SF is None:
            _SF = verl_sandbox_fusion()
    return _SF.compute_score(url + "/run_code", _SEMAPHORE, 512, item[0], item[1], timeout=2)[0]


_SF = None
_LOADING = threading.Lock()
_SEMAPHORE = threading.Semaphore(64)        # verl's sandbox_fusion_max_concurrent default
_CALLS = {"evaluate_batch": _post_batch, "run_code_verl": _verl_reward}


def fire(kind: str, url: str, items: list, clients: int) -> tuple[float, list, list[float]]:
    """In the load process: every item from ``clients`` threads; (wall, results, latencies)."""
    call = _CALLS[kind]
    return _fan_out(lambda session, item: call(session, url, item), items, clients)


def _fan_out(fn, items, clients: int) -> tuple[float, list, list[float]]:
    """Call ``fn`` on every item from ``clients`` threads; (wall, results, latencies)."""
    local = threading.local()

    def timed(item):
        if not hasattr(local, "session"):
            local.session = requests.Session()
        t0 = time.perf_counter()
        out = fn(local.session, item)
        return out, time.perf_counter() - t0

    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        done = list(pool.map(timed, items))
    return time.perf_counter() - t0, [d[0] for d in done], [d[1] for d in done]


def _p95(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=20)[-1] if len(xs) > 1 else xs[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tests", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--out", default=str(HERE / "results-serve.json"))
    args = ap.parse_args()

    from pipeline import cluster, score
    from pipeline.config import Config
    from pipeline.serve import Server

    problems, solutions = make_workload(args.tests, seed=1)
    verl_items = to_verl(problems, solutions)
    bodies = scalebox_requests(problems, solutions)
    n = len(solutions)
    n_tests = int(problems.set_index("problem_id").loc[solutions["problem_id"], "tests"]
                  .map(len).sum())
    verl_sandbox_fusion()                       # fail now, not in the load process
    # The clients run in a process of their own: in this one they would take the GIL from
    # the server and the scheduler they are measuring.
    load = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    load.submit(fire, "evaluate_batch", "", [], 1).result()        # started before timing
    cfg = Config.load(overrides={"workers": 1, "dashboard": ":0", "serve_max_requests": 4096})
    print(f"{n} completions, {n_tests} tests; {args.clients} clients", file=sys.stderr)

    t0 = time.perf_counter()
    with cluster.connect(cfg) as client, Server(client, cfg).start(port=0) as server:
        startup = time.perf_counter() - t0
        url = server.url
        runs: dict[str, list[dict]] = {"direct": [], "evaluate_batch": [], "run_code_verl": []}
        for r in range(args.rounds):
            t1 = time.perf_counter()
            result = score(problems, solutions, client=client, config=cfg)
            wall = time.perf_counter() - t1
            truth = result.solutions.set_index(["problem_id", "solution_id"])
            keys = list(zip(solutions["problem_id"], solutions["solution_id"]))
            accepted = [bool(truth.loc[k, "accepted"]) for k in keys]
            fraction = [float(truth.loc[k, "pass_fraction"]) for k in keys]
            runs["direct"].append({"wall_s": wall, "latency_median_s": wall,
                                   "latency_p95_s": wall, "disagree": 0})

            wall, answers, lat = load.submit(fire, "evaluate_batch", url, bodies,
                                             args.clients).result()
            disagree = sum(a["accepted"] != want for a, want in zip(answers, accepted))
            runs["evaluate_batch"].append({"wall_s": wall, "latency_median_s":
                                           statistics.median(lat), "latency_p95_s": _p95(lat),
                                           "disagree": disagree})

            wall, rewards, lat = load.submit(fire, "run_code_verl", url, verl_items,
                                             args.clients).result()
            disagree = sum(abs(got - want) > 1e-9 for got, want in zip(rewards, fraction))
            runs["run_code_verl"].append({"wall_s": wall, "latency_median_s":
                                          statistics.median(lat), "latency_p95_s": _p95(lat),
                                          "disagree": disagree})
            print(f"round {r + 1}: " + "  ".join(
                f"{k} {v[-1]['wall_s']:.2f} s" for k, v in runs.items()), file=sys.stderr)

    summary = {}
    for name, rounds in runs.items():
        wall = statistics.median(x["wall_s"] for x in rounds)
        summary[name] = {
            "wall_s": round(wall, 3), "completions_per_s": round(n / wall, 1),
            "latency_median_s": round(statistics.median(x["latency_median_s"] for x in rounds), 3),
            "latency_p95_s": round(statistics.median(x["latency_p95_s"] for x in rounds), 3),
            "disagree": [x["disagree"] for x in rounds]}
    for name in ("evaluate_batch", "run_code_verl"):
        summary[name]["wall_vs_direct"] = round(summary[name]["wall_s"] /
                                                summary["direct"]["wall_s"], 2)
    out = {"command": " ".join(["python", "benchmarks/serve.py"] + sys.argv[1:]),
           "completions": n, "tests": n_tests, "clients": args.clients, "rounds": args.rounds,
           "startup_s": round(startup, 2), "isolation": server.info and sorted(
               {str(i.get("level")) for i in server.info.values()}),
           "runs": runs, "summary": summary}
    load.shutdown()
    Path(args.out).write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
