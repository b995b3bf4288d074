"""Classify, generate and validate special judges, end to end: a real OpenAI-compatible
HTTP server (started here, serving recorded answers, good and bad), the real sandbox, the
command line, and the pipeline scoring with the checkers that were kept."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from conftest import ROOT
from judges.checker import limits
from judges.classify import classify
from judges.generate import extract_code, generate
from judges.llm import LLM, LLMError
from judges.validate import mutants, validate
from pipeline import score
from pipeline.cli import main as cli

CHECKERS = ROOT / "data" / "checkers"
RECORDED = json.loads((Path(__file__).parent / "llm" / "recorded.json").read_text())
KEY = "test-key-123"


class Endpoint:
    """An OpenAI-compatible chat-completions server answering from recorded responses.

    The answer to a conversation is chosen by a keyword of its first message and by how many
    answers the conversation already holds, so a retry gets the next recorded answer.
    """

    def __init__(self):
        self.requests: list[dict] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                endpoint.requests.append({"path": self.path, "auth": self.headers.get("Authorization"),
                                          "body": body})
                if self.path != "/v1/chat/completions":
                    return self._send(404, {"error": {"message": "not found"}})
                if self.headers.get("Authorization") != f"Bearer {KEY}":
                    return self._send(401, {"error": {"message": "bad key"}})
                content = endpoint.answer(body["messages"])
                if content is None:
                    return self._send(400, {"error": {"message": "no recorded answer"}})
                self._send(200, {"id": "chatcmpl-1", "object": "chat.completion",
                                 "model": body["model"],
                                 "choices": [{"index": 0, "finish_reason": "stop",
                                              "message": {"role": "assistant", "content": content}}]})

            def _send(self, code, data):
                raw = json.dumps(data).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def answer(self, messages: list[dict]) -> str | None:
        first = messages[0]["content"]
        table = RECORDED["classify" if first.startswith("You decide") else "generate"]
        n = sum(m["role"] == "assistant" for m in messages)
        for keyword, answers in table.items():
            if keyword in first:
                return answers[n] if n < len(answers) else answers[-1]
        return None

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def endpoint():
    e = Endpoint()
    yield e
    e.close()


@pytest.fixture()
def llm(endpoint):
    return LLM(endpoint.url, "recorded-model", KEY, retries=0)


def _problems() -> list[dict]:
    return [json.loads(line) for line in (CHECKERS / "problems.jsonl").read_text().splitlines()]


def _references() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in (CHECKERS / "solutions.jsonl").read_text().splitlines():
        s = json.loads(line)
        if s["expected_verdict"] == "AC":
            out.setdefault(s["problem_id"], []).append(s["code"])
    return out


def _tests(problem: dict) -> list[tuple[str, str]]:
    return [(t["input"], t["output"]) for t in problem["tests"]]


# ----------------------------------------------------------------------------- classify

@pytest.mark.parametrize("statement,category,judge", [
    ("If there are multiple answers, print any of them.", "multiple", "checker"),
    ("Output any valid permutation.", "multiple", "checker"),
    ("Print the numbers in any order.", "any_order", "checker"),
    ("The answer is considered correct if its absolute or relative error does not exceed "
     "10^{-9}.", "float", "float:1e-09"),
    ("Print the distance with relative error at most 1e-4.", "float", "float:0.0001"),
    ("Print YES or NO. You may print each letter in any case.", "yesno", "yesno"),
    ("This is an interactive problem. After printing a query, flush the output.",
     "interactive", None),
    ("If there are several answers, print any. This is an interactive problem.",
     "interactive", None),
    ("Print the sum of a and b.", "exact", None),
])
def test_heuristics(statement, category, judge):
    c = classify(statement)
    assert (c.category, c.judge, c.source) == (category, judge, "heuristic")


def test_llm_second_only_when_no_phrase_matches(endpoint, llm):
    before = len(endpoint.requests)
    assert classify("Print any of them if there are several answers.", llm).source == "heuristic"
    assert len(endpoint.requests) == before                 # heuristics answered: no request
    c = classify("Find a shortest route through the city.", llm)
    assert (c.category, c.judge, c.source) == ("multiple", "checker", "llm")
    c = classify("Print the sum of the numbers.", llm)       # first answer is not JSON: retried
    assert (c.category, c.source) == ("exact", "llm")
    assert endpoint.requests[-1]["body"]["model"] == "recorded-model"
    assert len(endpoint.requests[-1]["body"]["messages"]) == 3


def test_llm_errors_are_clear(endpoint):
    with pytest.raises(LLMError, match="HTTP 401"):
        LLM(endpoint.url, "m", "wrong-key", retries=0).chat([{"role": "user", "content": "x"}])
    with pytest.raises(LLMError, match="HTTP 404"):
        LLM(endpoint.url + "/nope", "m", KEY, retries=0).chat([{"role": "user", "content": "x"}])
    c = classify("Compute a thing.", LLM("http://127.0.0.1:9/v1", "m", retries=0, timeout_s=2))
    assert c.source == "none" and "LLM failed" in c.reason


# ----------------------------------------------------------------------------- validate

def test_validation_accepts_the_hand_written_checkers(pool):
    refs = _references()
    for p in _problems():
        report = validate(p["checker"], _tests(p), refs[p["problem_id"]], pool.run_batch,
                          spec=p["judge"], order_matters=p["problem_id"] != "divisors_any_order")
        assert report.accepted, (p["problem_id"], report.failures)
        assert report.references == len(refs[p["problem_id"]]) and report.mutants >= 8


@pytest.mark.parametrize("problem,answer,needle", [
    (0, RECORDED["generate"]["a_i + a_j = t"][0], "accepts a wrong output"),       # accepts all
    (0, RECORDED["generate"]["a_i + a_j = t"][1], "checker crashed: RuntimeError"),
    (2, RECORDED["generate"]["divisors of n"][0], "rejects the reference"),       # order-bound
    (0, "```python\nimport sys, time\nopen(sys.argv[2]); time.sleep(60)\n```", "checker hung"),
    (1, "```python\nimport sys, random\nopen(sys.argv[2])\nsys.exit(random.random() < 0.5)\n```",
     ""),                                                                          # a coin
])
def test_validation_rejects_bad_checkers(pool, problem, answer, needle):
    p = _problems()[problem]
    report = validate(extract_code(answer), _tests(p), _references()[p["problem_id"]],
                      pool.run_batch, checker_limit=limits(time_limit_s=0.3))
    assert not report.accepted
    assert any(needle in f for f in report.failures), report.failures


def test_validation_notes_a_reference_that_fails_on_its_own(pool):
    p = _problems()[0]
    report = validate(p["checker"], _tests(p), ["raise SystemExit(3)"], pool.run_batch)
    assert report.accepted and len(report.notes) == len(p["tests"])


def test_mutants_keep_layout_and_skip_order_when_free():
    m = mutants("1 2\n3\n", order_matters=False)
    assert "lines reversed" not in m and m["number perturbed"] == "1 2\n4\n"
    assert mutants("2.5\n")["number perturbed"] == "3.75\n"


# ----------------------------------------------------------------------------- generate

def test_generate_retries_until_a_checker_validates(endpoint, llm, pool):
    p = _problems()[0]
    refs = _references()[p["problem_id"]]
    got = generate(p["statement"], _tests(p), llm, attempts=4,
                   validate=lambda src: validate(src, _tests(p), refs, pool.run_batch))
    assert got.source is not None and got.attempts == 4 and got.report.accepted
    assert "accepts a wrong output" in got.errors[0]
    assert "checker crashed" in got.errors[1]
    assert "no Python code block" in got.errors[2]
    # Each retry told the model what was wrong with its previous answer.
    last = endpoint.requests[-1]["body"]["messages"]
    assert len(last) == 7 and "not usable" in last[-1]["content"]
    assert len(got.prompt_sha256) == 64 and got.model == "recorded-model"


def test_generate_gives_up_after_its_attempts(llm, pool):
    p = _problems()[0]
    got = generate(p["statement"], _tests(p), llm, attempts=2,
                   validate=lambda src: validate(src, _tests(p), [], pool.run_batch))
    assert got.source is None and len(got.errors) == 2


# ----------------------------------------------------------------------------- end to end

def test_cli_classify_generate_validate_then_score(endpoint, client, tmp_path, monkeypatch):
    monkeypatch.setenv("DJ_TEST_LLM_KEY", KEY)
    config = tmp_path / "judges.yaml"
    config.write_text(f"llm_base_url: {endpoint.url}\nllm_model: recorded-model\n"
                      f"llm_api_key_env: DJ_TEST_LLM_KEY\nchecker_attempts: 4\n")
    # The sample problems without their checkers: what a data set looks like at first.
    bare = tmp_path / "bare.jsonl"
    with bare.open("w") as f:
        for p in _problems():
            f.write(json.dumps(dict(p, judge=None, checker=None)) + "\n")
    refs = ["--references", str(CHECKERS / "solutions.jsonl"), "--only", "expected_verdict=AC"]

    classified = tmp_path / "classified.jsonl"
    assert cli(["judges", "classify", "--problems", str(bare), "--out", str(classified),
                "--config", str(config)]) == 0
    rows = {r["problem_id"]: r for r in map(json.loads, classified.read_text().splitlines())}
    assert rows["pair_sum_any"]["judge_category"] == "multiple"
    assert rows["circle_area"]["judge_suggested"] == "float:1e-06"
    assert rows["divisors_any_order"]["judge_category"] == "any_order"

    generated = tmp_path / "generated.parquet"
    assert cli(["judges", "generate", "--problems", str(classified), "--out", str(generated),
                "--config", str(config), *refs]) == 0
    table = pd.read_parquet(generated).set_index("problem_id")
    assert table.loc["circle_area", "judge"] == "float:1e-06"          # a comparator, no LLM
    for pid, attempts in (("pair_sum_any", 4), ("divisors_any_order", 2)):
        row = table.loc[pid]
        assert row["judge"] == "checker" and "sys.argv" in row["checker"]
        report = json.loads(row["checker_validation"])
        assert report["accepted"] and report["attempts"] == attempts
        assert row["checker_model"] == "recorded-model" and len(row["checker_prompt_sha256"]) == 64

    # Validating the stored checkers again keeps them; a planted bad one is removed.
    planted = tmp_path / "planted.jsonl"
    rows = pq.read_table(generated).to_pylist()
    for r in rows:
        if r["problem_id"] == "divisors_any_order":
            r["checker"] = extract_code(RECORDED["generate"]["a_i + a_j = t"][0])  # accepts all
    planted.write_text("".join(json.dumps(r) + "\n" for r in rows))
    validated = tmp_path / "validated.jsonl"
    assert cli(["judges", "validate", "--problems", str(planted), "--out", str(validated),
                "--config", str(config), *refs]) == 1
    final = {r["problem_id"]: r for r in map(json.loads, validated.read_text().splitlines())}
    assert final["pair_sum_any"]["judge"] == "checker"
    assert final["divisors_any_order"]["judge"] is None
    assert final["divisors_any_order"]["checker_rejected"]
    assert "accepts a wrong output" in final["divisors_any_order"]["checker_validation"]

    # The generated checkers score the solutions through the pipeline as the hand-written ones.
    solutions = pd.read_json(CHECKERS / "solutions.jsonl", lines=True)
    r = score(generated, solutions, client=client)
    s = r.solutions
    wrong = s[s["verdict"].astype(str) != s["expected_verdict"].astype(str)]
    assert wrong.empty, wrong[["problem_id", "solution_id", "verdict", "expected_verdict"]]


def test_cli_generate_without_an_endpoint_is_a_config_error(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("OPENAI_MODEL", raising=False)
    code = cli(["judges", "generate", "--problems", str(CHECKERS / "problems.jsonl"),
                "--out", str(tmp_path / "x.jsonl")])
    assert code == 2 and "no LLM endpoint" in capsys.readouterr().err


def test_cli_missing_statement_names_row_and_column(tmp_path, capsys):
    code = cli(["judges", "classify", "--problems", str(ROOT / "data" / "sample" / "problems.jsonl"),
                "--out", str(tmp_path / "x.jsonl"), "--no-llm"])
    assert code == 2 and "row 0 (problem_id 'sum_two'), column 'statement'" in capsys.readouterr().err
