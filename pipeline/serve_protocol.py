"""The HTTP shapes of SandboxFusion and ScaleBox, turned into daskjudge rows and back.

Two requests are understood:

- SandboxFusion's ``run_code``: one program, one stdin → a problem with one ``stdio`` test.
  The answer keeps SandboxFusion's fields (``status`` ``Success`` | ``Failed`` |
  ``SandboxError``; ``run_result`` with ``status`` ``Finished`` | ``TimeLimitExceeded`` |
  ``Error``, ``execution_time`` (wall seconds), ``return_code``, ``stdout``, ``stderr``).
- ScaleBox's ``common_evaluate_batch``: one completion and all test cases of a problem, the
  cases packed in columns (``{type, input: [...], output: [...], fn_name, json_input}``) →
  one problem (``stdio``, ``function`` or ``assert``) and one solution. The answer keeps
  ScaleBox's ``EvalResult`` fields (``accepted``, ``tests[]`` of ``passed`` / ``exec_info`` /
  ``test_info`` …).

Both answers carry daskjudge's own result in an extra ``daskjudge`` field (verdicts, CPU
time, memory). Nothing here judges: the rows are judged by the pipeline's stages on the
cluster, and this module only translates. A request that cannot be translated raises
:class:`BadRequest`, whose message names the field.

>>> job = run_code_job({"code": "print(input())", "language": "python", "stdin": "hi"}, "r1")
>>> job.problem["kind"], job.problem["tests"], job.problem["time_limit_s"]
('stdio', [{'input': 'hi', 'output': ''}], 10.0)
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from . import io
from .extract import extract_code
from .groundtruth import problem_from_ground_truth

LANGUAGES = ("python",)
"""Languages the sandbox runs today (SandboxFusion's ``python`` runner key)."""

DEFAULT_RUN_TIMEOUT_S = 10.0        # SandboxFusion's and ScaleBox's default run_timeout
MAX_RUN_TIMEOUT_S = 300.0           # ScaleBox's per-request budget; a slot is held this long
TEST_INFO_CHARS = 1000              # ScaleBox truncates echoed test data to this (return_full_case)


class BadRequest(ValueError):
    """A request daskjudge cannot run; the message names the field (HTTP 400)."""


@dataclass
class Job:
    """One request as daskjudge rows: a problem, a solution's code, and how to answer."""

    endpoint: str                       # "run_code" or "common_evaluate_batch"
    problem: dict                       # a canonical problems row (DESIGN.md)
    code: str
    early_exit: bool = False
    echo: dict = field(default_factory=dict)
    """What the answer repeats from the request (id, extracted code, test cases)."""

    @property
    def n_tests(self) -> int:
        return len(self.problem["tests"])


# ------------------------------------------------------------------------------ requests

def _need(body: Any, key: str, kind: type | tuple, where: str = "", required: bool = True,
          default: Any = None) -> Any:
    if not isinstance(body, dict):
        raise BadRequest(f"{where or 'the request body'} must be a JSON object")
    value = body.get(key)
    if value is None:
        if required:
            raise BadRequest(f"field {where + key!r} is required")
        return default
    if not isinstance(value, kind) or (kind in (int, float, (int, float)) and isinstance(value, bool)):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise BadRequest(f"field {where + key!r} must be {names}, got {type(value).__name__}")
    return value


def _language(value: str, where: str) -> str:
    if value not in LANGUAGES:
        raise BadRequest(f"field {where!r}: language {value!r} is not supported; daskjudge "
                         f"runs {', '.join(LANGUAGES)}")
    return value


def _timeout(body: dict, key: str, where: str, default: float) -> float:
    value = float(_need(body, key, (int, float), where, required=False, default=default))
    if not math.isfinite(value) or value <= 0 or value > MAX_RUN_TIMEOUT_S:
        raise BadRequest(f"field {where + key!r} must be a number of seconds in "
                         f"(0, {MAX_RUN_TIMEOUT_S:g}], got {value!r}")
    return value


def _memory(body: dict, key: str, where: str) -> int | None:
    value = _need(body, key, (int, float), where, required=False, default=-1)
    if value == -1 or value == 0:
        return None                     # SandboxFusion's "no limit": the config's default
    if value < 0 or not math.isfinite(value):
        raise BadRequest(f"field {where + key!r} must be a positive number of MiB or -1, "
                         f"got {value!r}")
    return int(value)


def run_code_job(body: Any, problem_id: str) -> Job:
    """A SandboxFusion ``run_code`` request → a :class:`Job` of one ``stdio`` test.

    ``compile_timeout`` is accepted and unused (Python is not compiled). ``files``,
    ``fetch_files`` and pytest ``args`` are refused when not empty.

    >>> run_code_job({"code": "x", "language": "cpp"}, "r")
    Traceback (most recent call last):
    ...
    pipeline.serve_protocol.BadRequest: field 'language': language 'cpp' is not supported; daskjudge runs python
    """
    code = _need(body, "code", str)
    _language(_need(body, "language", str), "language")
    stdin = _need(body, "stdin", str, required=False, default="")
    for key in ("files", "fetch_files", "args"):
        extra = body.get(key)
        if extra and (not isinstance(extra, dict) or any(v is not None for v in extra.values())):
            raise BadRequest(f"field {key!r} is not supported by daskjudge (programs get no "
                             f"files); send it empty")
    _timeout(body, "compile_timeout", "", DEFAULT_RUN_TIMEOUT_S)
    problem = {"problem_id": problem_id, "kind": "stdio",
               "tests": [{"input": stdin, "output": ""}], "judge": "ran",
               "time_limit_s": _timeout(body, "run_timeout", "", DEFAULT_RUN_TIMEOUT_S),
               "memory_limit_mb": _memory(body, "memory_limit_MB", "")}
    _validate(problem)
    return Job("run_code", problem, code)


def evaluate_batch_job(body: Any, problem_id: str, extract_rule: str = "last_block") -> Job:
    """A ScaleBox ``common_evaluate_batch`` request → a :class:`Job` of one problem.

    ``config.provided_data.test_cases`` is ScaleBox's columnar object. ``stdin_stdout``
    and ``function_call`` cases are read as APPS/TACO ground truth
    (:func:`pipeline.groundtruth.problem_from_ground_truth`); as in ScaleBox, a function
    test's expected value is ``output[i][0]``, or with ``json_input`` its input is text of
    one JSON argument per line and its output JSON text. ``assert`` takes
    HumanEval's ``test`` + ``entry_point`` (``check(entry_point)`` is called) or MultiPL-E's
    ``tests``. The code is the completion's last fenced block (``extract`` rule), else the
    whole completion. Without ``config.extra.run_all_cases`` the tests stop at the first
    failure, as ScaleBox's do.

    >>> body = {"completion": "```python\\nprint(sum(map(int, input().split())))\\n```",
    ...         "config": {"language": "python", "provided_data": {"test_cases": {
    ...             "type": "stdin_stdout", "input": ["1 2", "3 4"], "output": ["3", "7"]}}}}
    >>> job = evaluate_batch_job(body, "p1")
    >>> job.problem["kind"], job.n_tests, job.code, job.early_exit
    ('stdio', 2, 'print(sum(map(int, input().split())))\\n', True)
    """
    completion = _need(body, "completion", str)
    config = _need(body, "config", dict)
    _language(_need(config, "language", str, "config."), "config.language")
    if config.get("custom_extract_logic"):
        raise BadRequest("field 'config.custom_extract_logic' is not supported: daskjudge "
                         "does not run client code outside the sandbox")
    extra = _need(config, "extra", dict, "config.", required=False, default={})
    if extra.get("special_judge_program"):
        raise BadRequest("field 'config.extra.special_judge_program' is not supported by "
                         "this endpoint; give the problem a daskjudge judge instead")
    data = _need(config, "provided_data", dict, "config.")
    cases = _need(data, "test_cases", dict, "config.provided_data.")
    kind = cases.get("type")
    if kind is None:
        kind = "function_call" if cases.get("fn_name") else "stdin_stdout"
    if kind == "assert":
        row = _assert_problem(cases)
    elif kind in ("stdin_stdout", "function_call"):
        truth = {"inputs": cases.get("input"), "outputs": cases.get("output")}
        if kind == "function_call":
            truth["fn_name"] = cases.get("fn_name")
            if not cases.get("json_input") and isinstance(truth["outputs"], list):
                # ScaleBox expects ``output[i][0]`` as given: handed over as its JSON text
                # so that an expected string such as "123" stays a string.
                truth["outputs"] = [json.dumps(o[0] if isinstance(o, list) and o else o)
                                    for o in truth["outputs"]]
        try:
            row = problem_from_ground_truth(truth, problem_id=problem_id)
        except ValueError as exc:
            detail = str(exc).split(": ", 1)[-1]
            raise BadRequest(f"field 'config.provided_data.test_cases': {detail}") from None
    else:
        raise BadRequest(f"field 'config.provided_data.test_cases.type' must be stdin_stdout, "
                         f"function_call or assert; got {kind!r}")
    row["problem_id"] = problem_id
    row["time_limit_s"] = _timeout(config, "run_timeout", "config.", DEFAULT_RUN_TIMEOUT_S)
    _timeout(config, "compile_timeout", "config.", DEFAULT_RUN_TIMEOUT_S)
    row["memory_limit_mb"] = _memory(config, "mem_limit", "config.")
    _validate(row)
    code = extract_code(completion, language="python", rule=extract_rule)
    extracted = "fenced" if code is not None else ("heuristic" if completion.strip() else "empty")
    if code is None:
        code = completion
    echo = {"id": body.get("id", 0), "extracted_code": code, "extracted_type": extracted,
            "cases": cases, "kind": kind, "full_case": bool(extra.get("return_full_case"))}
    return Job("common_evaluate_batch", row, code, early_exit=not extra.get("run_all_cases"),
               echo=echo)


def _assert_problem(cases: dict) -> dict:
    if isinstance(cases.get("test"), str) and isinstance(cases.get("entry_point"), str):
        test = f"{cases['test']}\n\ncheck({cases['entry_point']})\n"     # HumanEval
    elif isinstance(cases.get("tests"), str):
        test = cases["tests"]                                            # MultiPL-E
    else:
        raise BadRequest("field 'config.provided_data.test_cases': assert cases need 'test' "
                         "and 'entry_point' (HumanEval) or 'tests' (MultiPL-E)")
    return {"kind": "assert", "tests": [{"input": test, "output": ""}],
            "entry_point": cases.get("entry_point")}


def _validate(row: dict) -> None:
    try:
        io.read_problems([row])
    except io.InputError as exc:
        raise BadRequest(str(exc).split("), ", 1)[-1]) from None


# ------------------------------------------------------------------------------ answers

def _run_result(t: dict) -> dict:
    """One judged test (a row of the worker's results) in SandboxFusion's shapes."""
    if t["verdict"] == "SE":
        return {"status": "SandboxError", "message": t["message"] or "sandbox error",
                "run_result": {"status": "Error", "execution_time": t["wall_s"],
                               "return_code": None, "stdout": t["stdout"], "stderr": t["stderr"]}}
    timed_out = t["verdict"] == "TLE"
    code = t["exit_code"] if t["signal"] is None else -t["signal"]
    ok = not timed_out and code == 0
    return {"status": "Success" if ok else "Failed", "message": "",
            "run_result": {"status": "TimeLimitExceeded" if timed_out else "Finished",
                           "execution_time": t["wall_s"], "return_code": code,
                           "stdout": t["stdout"], "stderr": t["stderr"]}}


def _exec_info(t: dict) -> dict:
    r = _run_result(t)
    return {"status": r["status"], "message": r["message"], "compile_result": None,
            "run_result": r["run_result"], "executor_pod_name": None, "files": {}}


def _mine(t: dict) -> dict:
    return {"verdict": t["verdict"], "message": t["message"], "cpu_s": t["time_s"],
            "wall_s": t["wall_s"], "memory_mb": t["memory_mb"]}


def run_code_answer(t: dict) -> dict:
    """SandboxFusion's ``RunCodeResponse`` for a ``run_code`` job's one judged test.

    run_code has no expected output: its test is judged by the ``ran`` judge (AC when the
    program ran to its end with exit code 0; TLE, MLE, OLE, RE, CE, SE as ever).

    >>> t = {"verdict": "AC", "message": "", "time_s": 0.01, "wall_s": 0.02,
    ...      "memory_mb": 9.0, "exit_code": 0, "signal": None, "stdout": "hi\\n", "stderr": ""}
    >>> a = run_code_answer(t)
    >>> a["status"], a["run_result"]["status"], a["run_result"]["stdout"], a["daskjudge"]["verdict"]
    ('Success', 'Finished', 'hi\\n', 'AC')
    """
    answer = _exec_info(t)
    answer["daskjudge"] = _mine(t)
    return answer


def _short(value: Any, full: bool) -> Any:
    if full or not isinstance(value, str) or len(value) <= TEST_INFO_CHARS:
        return value
    return value[:TEST_INFO_CHARS] + "..."


def _test_info(job: Job, i: int) -> dict:
    cases, full = job.echo["cases"], job.echo["full_case"]
    if job.echo["kind"] == "assert":
        return {k: _short(v, full) for k, v in cases.items()}
    inp, out = cases["input"][i], cases["output"][i]
    if job.echo["kind"] == "stdin_stdout":
        return {"input": {"stdin": _short(inp, full)}, "output": {"stdout": _short(out, full)}}
    return {"type": "function_call", "fn_name": cases.get("fn_name"),
            "input": _short(inp, full), "output": _short(out, full)}


def evaluate_batch_answer(job: Job, tests: list[dict], solution: dict) -> dict:
    """ScaleBox's ``EvalResult`` for a job's judged tests (in test order) and its
    solution's row (:func:`pipeline.reduce.solutions_table`, the one rule of every face).

    ``accepted`` is ScaleBox's: every test passed (a test that ended in SE did not).
    ``tests`` stops at the first failure unless the request asked for ``run_all_cases``;
    the ``daskjudge`` field has every test's verdict, and ``accepted`` null when some test
    ended in SE (an infrastructure failure is neither a pass nor a fail).
    """
    shown = []
    for i, t in enumerate(tests):
        if t["verdict"] == "SKIP":
            break
        shown.append({"passed": t["verdict"] == "AC", "exec_info": _exec_info(t),
                      "test_info": _test_info(job, i)})
    return {"id": job.echo["id"], "accepted": solution["accepted"] is True,
            "extracted_code": job.echo["extracted_code"], "full_code": None, "test_code": None,
            "tests": shown, "extracted_type": job.echo["extracted_type"], "extra": None,
            "daskjudge": {"verdict": solution["verdict"], "accepted": solution["accepted"],
                          "n_tests": solution["n_tests"], "n_passed": solution["n_passed"],
                          "pass_fraction": solution["pass_fraction"],
                          "tests": [_mine(t) for t in tests]}}


def dumps(obj: Any) -> str:
    """JSON text for an answer; NaN (not JSON) is written as null.

    >>> dumps({"a": float("nan"), "b": [1.5]})
    '{"a": null, "b": [1.5]}'
    """
    return json.dumps(_nan_to_none(obj), default=str)


def _nan_to_none(obj: Any) -> Any:
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _nan_to_none(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_nan_to_none(v) for v in obj]
    return obj
