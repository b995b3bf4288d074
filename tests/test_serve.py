"""``daskjudge serve`` answered over real HTTP, on the session's cluster, by real clients:
verl's own ``sandbox_fusion`` reward code, and requests shaped like ScaleBox's."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from conftest import ROOT
from pipeline.serve import Server

LIMITS = {"time_limit_s": 2.0, "wall_factor": 1.5, "serve_max_body_mb": 1.0}


def load_verl_sandbox_fusion():
    """verl's ``reward_score/sandbox_fusion`` package, unchanged, without verl's heavy
    ``__init__`` (torch, ray): loaded from its files under a name of its own."""
    spec = importlib.util.find_spec("verl")
    if spec is None:        # the peer's client is the test: without it, fail, never skip
        pytest.fail("verl is not installed: pip install --no-deps verl==0.9.1 (see .ci/run)")
    folder = Path(list(spec.submodule_search_locations)[0]) / "utils/reward_score/sandbox_fusion"
    name = "verl_sandbox_fusion"
    if name not in sys.modules:
        pkg = importlib.util.spec_from_file_location(
            name, folder / "__init__.py", submodule_search_locations=[str(folder)])
        module = importlib.util.module_from_spec(pkg)
        sys.modules[name] = module
        pkg.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="module")
def server(client):
    with Server(client, config=LIMITS).start(port=0) as s:
        yield s


def post(server, path, body, **kw):
    return requests.post(server.url + path, json=body, timeout=60, **kw)


def fenced(code: str) -> str:
    return f"Here is my solution.\n\n```python\n{code}\n```\n"


# ------------------------------------------------------------------------------ verl

STDIO = {"inputs": ["1 2\n", "10 20\n", "-5 5\n"], "outputs": ["3\n", "30\n", "0\n"]}
FN = {"inputs": ["[3, 1, 2]", "[]", "[5, -1]"], "outputs": ["[1, 2, 3]", "[]", "[-1, 5]"],
      "fn_name": "sort_list"}
LEETCODE = {"inputs": ["[2, 7, 11, 15]\n9", "[3, 2, 4]\n6"], "outputs": ["[0, 1]", "[1, 2]"],
            "fn_name": "twoSum"}
TWO_SUM = """class Solution:
    def twoSum(self, nums: List[int], target: int) -> List[int]:
        seen = {}
        for i, x in enumerate(nums):
            if target - x in seen:
                return [seen[target - x], i]
            seen[x] = i
"""


@pytest.mark.parametrize("tests, code, reward, statuses", [
    (STDIO, "a, b = map(int, input().split())\nprint(a + b)", 1.0, {"success"}),
    (STDIO, "a, b = map(int, input().split())\nprint(a + b if a > 0 else 1)", 2 / 3,
     {"success", "wrong_answer"}),
    (STDIO, "raise SystemExit(3)", 0.0, {"runtime_error"}),
    (STDIO, "while True:\n    pass", 0.0, {"timeout"}),
    (FN, "def sort_list(xs):\n    return sorted(xs)", 1.0, {"success"}),
    (FN, "def sort_list(xs):\n    return xs", 1 / 3, {"success", "wrong_answer"}),
    (LEETCODE, TWO_SUM, 1.0, {"success"}),
    (LEETCODE, TWO_SUM.replace("[seen[target - x], i]", "[i, seen[target - x]]"), 0.0,
     {"wrong_answer"}),
], ids=["stdio-right", "stdio-partly", "stdio-exit", "stdio-hang", "fn-right", "fn-partly",
        "leetcode-right", "leetcode-wrong"])
def test_verl_sandbox_fusion_reward(server, tests, code, reward, statuses):
    sandbox_fusion = load_verl_sandbox_fusion()
    score, meta = sandbox_fusion.compute_score(
        server.url + "/run_code", threading.Semaphore(8), 1024, fenced(code),
        json.dumps(tests), timeout=1)
    assert score == pytest.approx(reward)
    assert {m["status"] for m in meta} == statuses
    assert all(m["api_request_error"] is None for m in meta)


def test_run_code_answer_in_sandboxfusion_shape(server):
    r = post(server, "/run_code", {"code": "import sys\nx = input()\nprint(x[::-1])\n"
                                           "print('err', file=sys.stderr)\nsys.exit(4)",
                                   "language": "python", "stdin": "abc", "run_timeout": 5,
                                   "memory_limit_MB": -1, "files": {}, "fetch_files": []})
    assert r.status_code == 200
    a = r.json()
    assert a["status"] == "Failed" and a["compile_result"] is None
    run = a["run_result"]
    assert (run["status"], run["return_code"], run["stdout"], run["stderr"]) == \
        ("Finished", 4, "cba\n", "err\n")
    assert run["execution_time"] > 0
    assert a["daskjudge"]["verdict"] == "RE" and "exit code 4" in a["daskjudge"]["message"]

    hang = post(server, "/run_code", {"code": "while True: pass", "language": "python",
                                      "run_timeout": 0.5}).json()
    assert (hang["status"], hang["run_result"]["status"], hang["daskjudge"]["verdict"]) == \
        ("Failed", "TimeLimitExceeded", "TLE")
    hog = post(server, "/run_code", {"code": "x = bytearray(400 << 20)", "language": "python",
                                     "memory_limit_MB": 64}).json()
    assert (hog["status"], hog["daskjudge"]["verdict"]) == ("Failed", "MLE")


# ------------------------------------------------------------------------------ ScaleBox

def scalebox(code: str, test_cases: dict, run_all: bool = True, **config) -> dict:
    """The body ScaleBox's clients (its eval suite, its verl reward) post."""
    return {"completion": fenced(code), "id": 17,
            "config": {"language": "python", "compile_timeout": 10, "run_timeout": 10,
                       "provided_data": {"test_cases": test_cases},
                       "extra": {"run_all_cases": run_all, "total_timeout": 30}, **config}}


ADD = {"type": "stdin_stdout", "input": ["1 2", "3 4", "5 6"], "output": ["3", "7", "11"],
       "fn_name": None}


def test_common_evaluate_batch_stdio(server):
    good = post(server, "/common_evaluate_batch",
                scalebox("a, b = map(int, input().split())\nprint(a + b)", ADD)).json()
    assert good["accepted"] is True and good["id"] == 17
    assert good["extracted_code"] == "a, b = map(int, input().split())\nprint(a + b)\n"
    assert len(good["tests"]) == 3
    for t, stdin, out in zip(good["tests"], ADD["input"], ADD["output"]):
        assert t["passed"] is True
        assert t["exec_info"]["status"] == "Success"
        assert t["exec_info"]["run_result"]["status"] == "Finished"
        assert t["exec_info"]["run_result"]["stdout"] == out + "\n"
        assert t["test_info"] == {"input": {"stdin": stdin}, "output": {"stdout": out}}
    assert good["daskjudge"]["verdict"] == "AC" and good["daskjudge"]["n_passed"] == 3

    # Wrong on the second test only; every test is run and reported.
    bad = post(server, "/common_evaluate_batch",
               scalebox("a, b = map(int, input().split())\nprint(3 if a == 1 else a * b)",
                        ADD)).json()
    assert bad["accepted"] is False
    assert [t["passed"] for t in bad["tests"]] == [True, False, False]
    assert [t["verdict"] for t in bad["daskjudge"]["tests"]] == ["AC", "WA", "WA"]
    # ScaleBox's verl reward: 1.0 if accepted, else the fraction of tests passed.
    assert sum(t["passed"] for t in bad["tests"]) / len(bad["tests"]) == pytest.approx(1 / 3)


def test_common_evaluate_batch_stops_at_first_failure_without_run_all_cases(server):
    a = post(server, "/common_evaluate_batch",
             scalebox("a, b = map(int, input().split())\nprint(a - b if a == 3 else a + b)",
                      ADD, run_all=False)).json()
    assert a["accepted"] is False
    assert [t["passed"] for t in a["tests"]] == [True, False]
    assert [t["verdict"] for t in a["daskjudge"]["tests"]] == ["AC", "WA", "SKIP"]


def test_common_evaluate_batch_function_call_and_assert(server):
    cases = {"type": "function_call", "fn_name": "sort_twisted",
             "input": [[[1, 3, 2]], [[7, 9]]], "output": [[[1, 2, 3]], [[7, 9]]]}
    right = "def sort_twisted(xs):\n    return sorted(xs)"
    a = post(server, "/common_evaluate_batch", scalebox(right, cases)).json()
    assert a["accepted"] is True and [t["passed"] for t in a["tests"]] == [True, True]
    assert a["tests"][0]["test_info"]["input"] == [[1, 3, 2]]
    wrong = post(server, "/common_evaluate_batch",
                 scalebox("def sort_twisted(xs):\n    return xs", cases)).json()
    assert [t["passed"] for t in wrong["tests"]] == [False, True]

    # The expected value is output[i][0] exactly: the string "123" is not the number 123.
    digits = {"type": "function_call", "fn_name": "digits", "input": [[123], [7]],
              "output": [["123"], ["7"]]}
    assert post(server, "/common_evaluate_batch",
                scalebox("def digits(n):\n    return str(n)", digits)).json()["accepted"]
    assert not post(server, "/common_evaluate_batch",
                    scalebox("def digits(n):\n    return n", digits)).json()["accepted"]

    # LiveCodeBench's convention: json_input text, one JSON argument per line.
    lcb = {"type": "function_call", "fn_name": "twoSum", "json_input": True,
           "input": LEETCODE["inputs"], "output": LEETCODE["outputs"]}
    assert post(server, "/common_evaluate_batch", scalebox(TWO_SUM, lcb)).json()["accepted"]

    # HumanEval's assert tests, as ScaleBox's eval suite checks its endpoint.
    humaneval = {"type": "assert", "entry_point": "add",
                 "test": "def check(candidate):\n    assert candidate(2, 3) == 5\n"}
    ok = post(server, "/common_evaluate_batch",
              scalebox("def add(a, b):\n    return a + b", humaneval)).json()
    assert ok["accepted"] is True
    no = post(server, "/common_evaluate_batch",
              scalebox("def add(a, b):\n    return a - b", humaneval)).json()
    assert no["accepted"] is False and no["daskjudge"]["verdict"] == "WA"


# ------------------------------------------------------------------------------ limits

@pytest.mark.parametrize("body, field", [
    ("not json", "not JSON"),
    ({"language": "python"}, "'code'"),
    ({"code": "print(1)", "language": "cpp"}, "runs python"),
    ({"code": "print(1)", "language": "python", "run_timeout": -1}, "'run_timeout'"),
    ({"code": "print(1)", "language": "python", "files": {"a.txt": "aGk="}}, "'files'"),
    ([1, 2], "JSON object"),
])
def test_malformed_run_code_is_400(server, body, field):
    data = body if isinstance(body, str) else json.dumps(body)
    r = requests.post(server.url + "/run_code", data=data, timeout=30)
    assert r.status_code == 400
    assert field in r.json()["detail"]


def test_malformed_evaluate_batch_is_400(server):
    no_tests = scalebox("print(1)", {})
    no_tests["config"]["provided_data"] = {}
    r = post(server, "/common_evaluate_batch", no_tests)
    assert r.status_code == 400 and "'config.provided_data.test_cases'" in r.json()["detail"]
    uneven = scalebox("print(1)", {"type": "stdin_stdout", "input": ["1", "2"], "output": ["1"]})
    r = post(server, "/common_evaluate_batch", uneven)
    assert r.status_code == 400 and "2 inputs but 1 outputs" in r.json()["detail"]


def test_oversized_request_is_413_and_wrong_method_405(server):
    big = {"code": "print(1)", "language": "python", "stdin": "x" * (1 << 20)}
    r = post(server, "/run_code", big)
    assert r.status_code == 413 and r.json()["error"] == "request_too_large"
    # The server still answers afterwards.
    assert post(server, "/run_code", {"code": "print(1)", "language": "python"}).status_code == 200
    r = requests.get(server.url + "/run_code", timeout=30)
    assert r.status_code == 405 and r.json()["error"]
    assert requests.get(server.url + "/v1/ping", timeout=30).json() == "pong"


def test_bearer_token(client):
    with Server(client, config=LIMITS, token="s3cret").start(port=0) as s:
        body = {"code": "print(1)", "language": "python"}
        missing = post(s, "/run_code", body)
        wrong = post(s, "/run_code", body, headers={"Authorization": "Bearer nope"})
        right = post(s, "/run_code", body, headers={"Authorization": "Bearer s3cret"})
        assert missing.status_code == wrong.status_code == 401
        assert missing.json()["error"] == "unauthorized"
        assert missing.headers["WWW-Authenticate"].startswith("Bearer")
        assert right.status_code == 200 and right.json()["run_result"]["stdout"] == "1\n"


def test_too_many_requests_is_429(client):
    with Server(client, config=LIMITS | {"serve_max_requests": 1}).start(port=0) as s:
        slow = ThreadPoolExecutor(1).submit(
            post, s, "/run_code", {"code": "import time; time.sleep(1.5)", "language": "python"})
        deadline = time.monotonic() + 30
        while s.active == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        r = post(s, "/run_code", {"code": "print(1)", "language": "python"})
        assert r.status_code == 429 and "serve_max_requests" in r.json()["detail"]
        assert slow.result().json()["status"] == "Success"


def test_64_concurrent_requests_all_answered(server):
    def one(i: int) -> tuple[int, dict]:
        if i % 4 == 3:
            cases = {"type": "stdin_stdout", "input": [f"{i} {j}" for j in range(5)],
                     "output": [str(i + j) for j in range(5)]}
            code = "a, b = map(int, input().split())\nprint(a + b)" if i % 8 == 3 else \
                "a, b = map(int, input().split())\nprint(a * b)"
            return i, post(server, "/common_evaluate_batch", scalebox(code, cases)).json()
        return i, post(server, "/run_code", {"code": "n = int(input())\nprint(n * n)",
                                             "language": "python", "stdin": str(i)}).json()

    batches = server.batcher.batches
    with ThreadPoolExecutor(64) as pool:
        answers = dict(pool.map(one, range(64)))
    assert len(answers) == 64
    for i, a in answers.items():
        if i % 4 == 3:
            right = i % 8 == 3
            expect = [True] * 5 if right else [i * j == i + j for j in range(5)]
            assert [t["passed"] for t in a["tests"]] == expect, i
            assert a["accepted"] is all(expect)
        else:
            assert a["status"] == "Success" and a["run_result"]["stdout"] == f"{i * i}\n", i
    # Requests were gathered: far fewer submissions than requests.
    assert server.batcher.batches - batches < 64


# ------------------------------------------------------------------------------ CLI

def test_cli_serve_on_a_running_cluster(client):
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "serve", "--port", "0",
         "--scheduler", client.scheduler_info()["address"]],
        cwd=ROOT, stderr=subprocess.PIPE, text=True,
        env=os.environ | {"DASKJUDGE_TOKEN": "t0k"})
    try:
        line = ""
        deadline = time.monotonic() + 120
        while "daskjudge serve: http" not in line and time.monotonic() < deadline:
            line = proc.stderr.readline()
            assert line or proc.poll() is None, "daskjudge serve exited early"
        url = line.split()[2]
        assert url.startswith("http://127.0.0.1:")
        r = requests.post(url + "/run_code", json={"code": "print(6 * 7)", "language": "python"},
                          headers={"Authorization": "Bearer t0k"}, timeout=60)
        assert r.json()["run_result"]["stdout"] == "42\n"
        assert requests.post(url + "/run_code", json={}, timeout=60).status_code == 401
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 0
