"""The RL reward called exactly as verl calls it, on a real cluster with real sandboxes."""

from __future__ import annotations

import asyncio
import json
import math
import os
import signal
import threading
import time

import pandas as pd
import pytest

from conftest import in_ci
from pipeline import reward
from pipeline.config import ConfigError
from pipeline.reward import NO_CODE, RewardInfraError, RewardScorer

KEYS = {"score", "acc", "verdict", "passed", "total", "first_failure", "time_s", "duplicate"}


def fenced(code: str) -> str:
    return f"Let me think about it.\n\n```python\n{code}\n```\n\nThis runs in O(n)."


APPS_STDIO = {"inputs": ["1 2\n", "10 20\n", "-5 5\n"], "outputs": ["3\n", "30\n", "0\n"]}
APPS_FN = {"inputs": [[[3, 1, 2]], [[5]], [[]]], "outputs": [[[1, 2, 3]], [[5]], [[]]],
           "fn_name": "sort_list"}
PRIME_INTELLECT = [{"type": "stdin_stdout", "input": "4\n", "output": "16\n"},
                   {"type": "stdin_stdout", "input": "-3\n", "output": "9\n"}]
LCB = [{"input": "\"abc\"", "output": "\"cba\"", "testtype": "functional"},
       {"input": "\"\"", "output": "\"\"", "testtype": "functional"}]
LCB_INFO = {"split": "test", "index": 7, "metadata": json.dumps({"func_name": "reverse"})}
CANONICAL = {"kind": "function", "entry_point": "half", "judge": "float:1e-6",
             "tests": [{"input": "[3]", "output": "1.5"}, {"input": "[1]", "output": "0.5"}]}

# (data_source, ground_truth, extra_info, right code, wrong code)
SHAPES = {
    "apps-stdio": ("apps", APPS_STDIO, {"index": 0},
                   "a, b = map(int, input().split())\nprint(a + b)", "print(3)"),
    "taco-fn": ("taco", APPS_FN, {"index": 1},
                "def sort_list(xs):\n    return sorted(xs)", "def sort_list(xs):\n    return xs"),
    "primeintellect": ("primeintellect", PRIME_INTELLECT, None,
                       "print(int(input()) ** 2)", "print(int(input()) * 4)"),
    "primeintellect-fn": ("primeintellect",
                          [{"type": "function_call", "fn_name": "mul", "input": [2, 3],
                            "output": [6]},
                           {"type": "function_call", "fn_name": "mul", "input": [0, 5],
                            "output": [0]}], None,
                          "def mul(a, b):\n    return a * b", "def mul(a, b):\n    return a + b"),
    "livecodebench": ("livecodebench", LCB, LCB_INFO,
                      "class Solution:\n    def reverse(self, s: str) -> str:\n"
                      "        return s[::-1]",
                      "class Solution:\n    def reverse(self, s: str) -> str:\n        return s"),
    "canonical": ("mine", CANONICAL, None, "def half(x):\n    return x / 2",
                  "def half(x):\n    return x // 2"),
}


@pytest.fixture(scope="module")
def scorer(client):
    """The process-wide scorer, on the session's cluster."""
    s = reward.configure({"time_limit_s": 1.0, "wall_factor": 1.5}, client=client)
    yield s
    reward.configure()          # leave a fresh (unstarted) default scorer behind


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_compute_score_as_verl_calls_it(scorer, shape):
    source, gt, info, right, wrong = SHAPES[shape]
    # verl's reward loop: keyword arguments, JSON-string ground truth, extra_info with the
    # keys it adds, and its own extra keyword arguments.
    info = dict(info or {}, num_turns=None, rollout_reward_scores={})
    call = dict(data_source=source, ground_truth=json.dumps(gt), extra_info=info,
                reward_router_address=None, reward_model_tokenizer=None)
    good = reward.compute_score(solution_str=fenced(right), **call)
    bad = reward.compute_score(solution_str=fenced(wrong), **call)
    assert set(good) == KEYS == set(bad)
    assert (good["score"], good["acc"], good["verdict"], good["first_failure"]) == \
        (1.0, 1.0, "AC", -1)
    assert good["passed"] == good["total"] == len(
        gt["inputs"] if isinstance(gt, dict) and "inputs" in gt else
        gt["tests"] if isinstance(gt, dict) else gt)
    assert (bad["score"], bad["acc"]) == (0.0, 0.0) and bad["verdict"] == "WA"
    assert 0 <= bad["first_failure"] < bad["total"] and bad["passed"] < bad["total"]


def test_ground_truth_read_back_from_a_verl_parquet_file(scorer, tmp_path):
    # The layout verl's RLHF dataset reads: pandas gives nested columns back as dicts and
    # numpy arrays.
    rows = []
    for name, (source, gt, info, right, _) in sorted(SHAPES.items()):
        rows.append({"data_source": source,
                     "prompt": [{"role": "user", "content": f"solve {name}"}],
                     "ability": "code",
                     "reward_model": {"style": "rule", "ground_truth": json.dumps(gt)},
                     "extra_info": {"index": 0, "split": "train",
                                    "metadata": (info or {}).get("metadata", "{}")},
                     "right": fenced(right)})
    path = tmp_path / "train.parquet"
    pd.DataFrame(rows).to_parquet(path)
    data = pd.read_parquet(path)
    results = reward.compute_scores(
        data_sources=data["data_source"].to_numpy(), solution_strs=data["right"].tolist(),
        ground_truths=[r["ground_truth"] for r in data["reward_model"]],
        extra_infos=list(data["extra_info"]))
    assert [r["verdict"] for r in results] == ["AC"] * len(rows)
    # A canonical ground truth stored as a struct comes back with numpy arrays inside.
    struct = pd.DataFrame([{"gt": CANONICAL}])
    struct.to_parquet(tmp_path / "c.parquet")
    gt = pd.read_parquet(tmp_path / "c.parquet")["gt"][0]
    assert not isinstance(gt["tests"], list)
    assert reward.compute_score("mine", fenced("def half(x): return x / 2"), gt)["score"] == 1.0


def test_batch_as_verls_batch_manager_calls_it(scorer):
    source, gt, info, right, wrong = SHAPES["apps-stdio"]
    gt = json.dumps(gt)
    solutions = [fenced(right),                                  # right
                 fenced(wrong),                                  # wrong
                 "I am not sure how to solve this.",             # no code at all
                 fenced("while True:\n    pass"),                # never ends
                 fenced(right).replace("Let me", "Now let me"),  # same code, other words
                 fenced("a, b = map(int, input().split()\nprint(a + b)")]   # syntax error
    n = len(solutions)
    extras = [{"index": i} for i in range(n)]
    results = reward.compute_scores(data_sources=["apps"] * n, solution_strs=solutions,
                                    ground_truths=[gt] * n, extra_infos=extras,
                                    reward_router_address=None)
    assert [r["verdict"] for r in results] == ["AC", "WA", "WA", "TLE", "AC", "CE"]
    assert [r["score"] for r in results] == [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    assert [r["duplicate"] for r in results] == [False] * 4 + [True, False]
    assert results[4]["time_s"] == results[0]["time_s"]         # the same judgement, shared
    assert results[3]["passed"] == 0 and results[3]["first_failure"] == 0
    step = scorer.last_step
    assert (step["rollouts"], step["judged"], step["duplicates"]) == (6, 5, 1)
    assert step["tests"] == 5 * 3 and step["test_verdicts"]["TLE"] == 3


def test_no_code_is_skipped_when_asked(scorer):
    gt = json.dumps({"inputs": ["1\n"], "outputs": ["\n"]})
    # An empty program prints nothing: with on_missing: empty it passes a test whose
    # expected output is empty; skip never runs it and scores 0.
    as_empty = reward.compute_score("apps", "no code here", gt)
    assert as_empty["verdict"] == "AC" and as_empty["score"] == 1.0
    skipped = reward.compute_score("apps", "no code here", gt, on_missing="skip")
    assert (skipped["verdict"], skipped["score"], skipped["total"]) == (NO_CODE, 0.0, 1)
    assert scorer.last_step["judged"] == 0 and scorer.last_step["tests"] == 0


def test_reward_modes_and_early_exit(scorer):
    gt = json.dumps({"inputs": ["1\n", "2\n", "3\n", "4\n"], "outputs": ["1\n", "2\n", "0\n", "4\n"]})
    code = fenced("print(input())")
    binary = reward.compute_score("apps", code, gt)
    fraction = reward.compute_score("apps", code, gt, reward="fraction")
    cheap = reward.compute_score("apps", code, gt, early_exit=True)
    assert (binary["score"], binary["passed"], binary["first_failure"]) == (0.0, 3, 2)
    assert (fraction["score"], fraction["acc"], fraction["passed"]) == (0.75, 0.0, 3)
    assert (cheap["score"], cheap["passed"], cheap["first_failure"]) == (0.0, 2, 2)
    assert scorer.last_step["test_verdicts"] == {"AC": 2, "WA": 1, "SKIP": 1}
    with pytest.raises(ConfigError, match="fraction needs every test"):
        reward.compute_score("apps", code, gt, reward="fraction", early_exit=True)
    with pytest.raises(ConfigError, match="reward.mode must be one of binary, fraction"):
        reward.compute_score("apps", code, gt, reward="partial")
    with pytest.raises(ConfigError, match="isolation cannot change per call"):
        reward.compute_score("apps", code, gt, isolation="none")


def test_bad_ground_truth_names_the_rollout(scorer):
    with pytest.raises(ValueError, match=r"rollout 1 \(data_source apps\): ground_truth for "
                                         r"this rollout.*2 inputs but 1 outputs"):
        reward.compute_scores(["apps", "apps"], ["x", "y"],
                              [APPS_STDIO, {"inputs": ["1", "2"], "outputs": ["1"]}])
    with pytest.raises(ValueError, match="2 solution_strs but 1 data_sources"):
        reward.compute_scores(["apps"], ["x", "y"], [APPS_STDIO, APPS_STDIO])


def test_async_calls_are_judged_as_one_batch(scorer):
    source, gt, info, right, wrong = SHAPES["livecodebench"]

    async def one(i: int) -> dict:
        # verl's reward loop: a task per rollout, each decoding its tokens in the default
        # executor before it awaits the reward.
        loop = asyncio.get_running_loop()
        text = await loop.run_in_executor(None, lambda: fenced(right if i % 2 else wrong))
        return await reward.compute_score_async(data_source=source, solution_str=text,
                                                ground_truth=json.dumps(gt), extra_info=info)

    async def step(n: int) -> list[dict]:
        return await asyncio.gather(*(one(i) for i in range(n)))

    results = asyncio.run(step(16))
    assert [r["score"] for r in results] == [0.0, 1.0] * 8
    assert scorer.last_step["rollouts"] == 16 and scorer.last_step["judged"] == 2

    async def mixed_kwargs() -> list[dict]:
        # Calls with different keyword arguments go in different batches.
        gt4 = json.dumps({"inputs": ["1\n", "2\n"], "outputs": ["1\n", "3\n"]})
        calls = [reward.compute_score_async("apps", fenced("print(input())"), gt4,
                                            reward="fraction" if i % 2 else "binary")
                 for i in range(6)]
        return await asyncio.gather(*calls)

    assert [r["score"] for r in asyncio.run(mixed_kwargs())] == [0.0, 0.5] * 3


def test_a_long_lived_scorer_keeps_its_cluster_and_warm_slots(client):
    from pipeline.worker import sandbox_info

    def slots():
        return [s for info in client.run(sandbox_info).values() for s in info["slots"]]

    with RewardScorer({"early_exit": True}, client=client) as scorer:
        before = slots()
        results = []
        for step in range(2):
            sols = [fenced(f"print(sum(map(int, input().split())) + {step * i % 2})")
                    for i in range(8)]
            results.append(scorer.score(["apps"] * 8, sols, [APPS_STDIO] * 8))
            assert scorer.client is client
        after = slots()
    assert [r["score"] for r in results[0]] == [1.0] * 8
    assert [r["score"] for r in results[1]] == [1.0, 0.0] * 4
    assert [s["restarts"] for s in after] == [s["restarts"] for s in before]
    assert all(s["alive"] for s in after)
    assert sum(s["tests"] for s in after) - sum(s["tests"] for s in before) == 3 + 3 + 1


def test_lazy_scorer_connects_to_the_scheduler_in_the_environment(client, monkeypatch):
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", client.scheduler.address)
    reward.configure()                              # a fresh default scorer, not started
    try:
        r = reward.compute_score("primeintellect", fenced("print(int(input()) ** 2)"),
                                 PRIME_INTELLECT)
        assert r["score"] == 1.0
        assert reward.get_scorer().client.scheduler.address == client.scheduler.address
    finally:
        reward.configure()


def _runner_pids(dask_worker) -> list[int]:
    from pipeline.worker import PLUGIN_NAME

    return [s.runner_pid for s in dask_worker.plugins[PLUGIN_NAME].pool.slots]


def test_sandbox_failures_are_never_a_zero():
    """Kill the sandbox runners mid-test on a cluster without retries: SE, not 0."""
    from distributed import Client, LocalCluster

    sleeper = fenced("import time\ntime.sleep(3)\nprint(3)")
    gt = {"inputs": ["1 2\n"], "outputs": ["3\n"]}
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=True,
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        config = {"retries": 0, "time_limit_s": 5.0,
                  "isolation": "full" if in_ci() else "auto"}
        with RewardScorer(config, client=client) as scorer:

            def kill_runners_soon():
                time.sleep(1.0)
                for pids in client.run(_runner_pids).values():
                    for pid in pids:
                        try:
                            os.kill(pid, signal.SIGKILL)
                        except ProcessLookupError:
                            pass            # a slot whose runner died last round

            for on_se in ("raise", "nan"):
                killer = threading.Thread(target=kill_runners_soon)
                killer.start()
                try:
                    if on_se == "raise":
                        with pytest.raises(RewardInfraError, match="could not be judged"):
                            scorer.score(["apps"], [sleeper], [gt])
                    else:
                        (r,) = scorer.score(["apps"], [sleeper], [gt], on_se="nan")
                        assert r["verdict"] == "SE"
                        assert math.isnan(r["score"]) and math.isnan(r["acc"])
                finally:
                    killer.join()
            # The slots came back: the next step is judged normally.
            assert scorer.score(["apps"], [fenced("print(3)")], [gt])[0]["score"] == 1.0


def test_loaded_by_file_path_as_verl_loads_a_custom_reward_file(client):
    """verl (custom_reward_function.path = a file) execs the file as a module that is not in
    sys.modules; its functions then travel to the workers by value."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(f"custom_module_{hash(reward.__file__)}",
                                                  reward.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.__name__ not in sys.modules and module is not reward
    module.configure(client=client)
    try:
        results = module.compute_scores(["apps"] * 2, [fenced("print(3)"), fenced("print(4)")],
                                        [{"inputs": ["1 2\n"], "outputs": ["3\n"]}] * 2)
        assert [r["score"] for r in results] == [1.0, 0.0]
    finally:
        module.configure()
