"""One path to the workers: every face's tests run through :mod:`pipeline.worker` and show
on the Verifier page's JSON route; no face decides a verdict of its own."""

from __future__ import annotations

import ast
import json
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from conftest import ROOT
from judges import VERDICTS
from pipeline.reward import RewardScorer
from pipeline.serve import Server

# The faces (DESIGN.md's layer 4) and the commands: they call the stages and add no judging.
FACES = ["pipeline/api.py", "pipeline/cli.py", "pipeline/serve.py", "pipeline/serve_protocol.py",
         "pipeline/reward.py", "pipeline/dashboard.py", "pipeline/events.py", "pipeline/report.py",
         "pipeline/groundtruth.py", "pipeline/extract.py", "pipeline/judges_cmd.py",
         "pipeline/checkpoint.py", "pipeline/plan.py", "pipeline/cluster.py", "pipeline/worker.py",
         *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pipeline" / "datasets").glob("*.py")),
         *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pipeline" / "evalsuite").glob("*.py"))]


def status(client, run: str) -> dict:
    base = client.dashboard_link.rsplit("/", 1)[0]
    with urllib.request.urlopen(f"{base}/daskjudge/status.json?run={run}", timeout=30) as r:
        return json.loads(r.read())


def test_serve_traffic_under_load_is_counted_on_the_verifier_page(client):
    stdio = {"completion": "```python\nprint(sum(map(int, input().split())))\n```",
             "config": {"language": "python", "run_timeout": 2, "extra": {"run_all_cases": True},
                        "provided_data": {"test_cases": {
                            "type": "stdin_stdout", "input": ["1 2", "3 4", "5 6"],
                            "output": ["3", "7", "10"]}}}}
    wrong = json.loads(json.dumps(stdio).replace("sum(map", "max(map"))
    runs = [{"code": f"print({i})", "language": "python"} for i in range(24)]
    with Server(client, config={"time_limit_s": 2.0}).start(port=0) as server:
        assert status(client, server.run)["state"] == "running"
        seen = []
        stop = threading.Event()

        def poll():
            while not stop.is_set():
                seen.append(status(client, server.run)["rows_done"])
                stop.wait(0.05)

        watcher = threading.Thread(target=poll)
        watcher.start()
        try:
            with ThreadPoolExecutor(16) as pool:
                answers = list(pool.map(
                    lambda b: requests.post(server.url + b[0], json=b[1], timeout=120).json(),
                    [("/run_code", b) for b in runs]
                    + [("/common_evaluate_batch", b) for b in [stdio, wrong] * 4]))
        finally:
            stop.set()
            watcher.join()
        snap = status(client, server.run)
        # 24 run_code tests and 8 requests of 3 tests: every row is counted, once.
        assert snap["rows_done"] == 24 + 8 * 3
        mine = [a["daskjudge"]["verdict"] for a in answers[:24]]
        mine += [t["verdict"] for a in answers[24:] for t in a["daskjudge"]["tests"]]
        assert {v: n for v, n in snap["verdicts"].items() if n} == \
            {v: mine.count(v) for v in set(mine)}
        assert seen == sorted(seen) and seen[-1] <= 24 + 8 * 3
    assert status(client, server.run)["state"] == "finished"


def test_a_reward_step_is_a_run_on_the_verifier_page(client):
    truth = {"inputs": ["1 2\n", "10 20\n", "-5 5\n"], "outputs": ["3\n", "30\n", "0\n"]}
    right = "```python\na, b = map(int, input().split())\nprint(a + b)\n```"
    wrong = "```python\nprint(3)\n```"
    scorer = RewardScorer(client=client)
    results = scorer.score(["apps"] * 3, [right, wrong, right + "\n"], [truth] * 3)
    assert [r["score"] for r in results] == [1.0, 0.0, 1.0]
    snap = status(client, scorer.last_step["run"])
    assert snap["state"] == "finished"
    assert snap["rows_done"] == scorer.last_step["tests"] == 6      # two unique programs
    assert snap["verdicts"]["AC"] == 4 and snap["verdicts"]["WA"] == 2
    # Each step is a run of its own.
    first = scorer.last_step["run"]
    scorer.score(["apps"], [wrong], [truth])
    assert scorer.last_step["run"] != first
    assert status(client, scorer.last_step["run"])["rows_done"] == 3


def _produced_verdicts(tree: ast.AST) -> list[int]:
    """Lines where a verdict is made rather than read: the judges' enum used, a verdict code
    assigned to something named ``verdict``, or a judging function called."""
    codes = set(VERDICTS)
    found = []

    def is_code(node) -> bool:
        if isinstance(node, ast.IfExp):
            return is_code(node.body) or is_code(node.orelse)
        if isinstance(node, ast.BoolOp):
            return any(is_code(v) for v in node.values)
        return isinstance(node, ast.Constant) and node.value in codes

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("decide", "settled", "check") \
                and isinstance(node.value, ast.Name) and node.value.id == "judges":
            found.append(node.lineno)
        elif isinstance(node, ast.Name) and node.id == "Verdict":
            found.append(node.lineno)
        elif isinstance(node, ast.Dict):
            found += [v.lineno for k, v in zip(node.keys, node.values)
                      if isinstance(k, ast.Constant) and k.value == "verdict" and is_code(v)]
        elif isinstance(node, ast.keyword) and node.arg == "verdict" and is_code(node.value):
            found.append(node.value.lineno)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and is_code(node.value):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any("verdict" in ast.unparse(t) for t in targets):
                found.append(node.lineno)
    return found


def test_no_face_makes_a_verdict():
    offenders = {}
    for name in FACES:
        lines = _produced_verdicts(ast.parse((ROOT / name).read_text()))
        if lines:
            offenders[name] = lines
    assert not offenders, f"faces that decide verdicts (only judges/ and the stages may): {offenders}"


def test_the_check_finds_a_verdict_made_in_a_face():
    # The rule a face once had: a run_code answer turned WA into AC.
    made = "ran = t['verdict'] in ('AC', 'WA')\nanswer = {'verdict': 'AC' if ran else t['verdict']}\n"
    assert _produced_verdicts(ast.parse(made)) == [2]
    assert _produced_verdicts(ast.parse("answer = {'verdict': 'AC'}\n")) == [1]
    assert _produced_verdicts(ast.parse("row.verdict = 'SE'\n")) == [1]
    assert _produced_verdicts(ast.parse("from judges import Verdict\nv = Verdict.AC\n")) == [2]
    assert _produced_verdicts(ast.parse("judges.decide('stdio', o)\n")) == [1]


def test_faces_reach_the_workers_only_through_the_worker_module():
    # run_rows / run_solutions are the only tasks that run tests; nothing else finds the
    # sandbox plugin or calls the execute stage from a face.
    for name in FACES:
        if name == "pipeline/worker.py":
            continue
        text = (ROOT / name).read_text()
        assert "execute_partition" not in text and "PLUGIN_NAME" not in text, name
        assert "daskjudge-sandbox" not in text, name
    assert Path(ROOT / "pipeline" / "worker.py").read_text().count("def run_") == 2
