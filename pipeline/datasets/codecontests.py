"""CodeContests (DeepMind, CC BY 4.0): ``stdio`` problems with per-problem limits.

Two layouts are read:

- Hugging Face ``deepmind/code_contests``: ``name``, ``description``, ``public_tests``,
  ``private_tests``, ``generated_tests`` (each ``{input: [...], output: [...]}``),
  ``time_limit`` (``{seconds, nanos}``), ``memory_limit_bytes``, ``difficulty``,
  ``cf_rating``, ``solutions`` (``{language: [int], solution: [str]}``; 3 is Python 3),
  ``input_file``/``output_file`` (file I/O problems). Tests are public, then private, then
  generated; the extra columns ``n_public``, ``n_private``, ``n_generated`` give the counts.
  Python 3 solutions become reference solutions ``ref-0``, ``ref-1`` …; problem ids are the
  names.
- rLLM's layout (``{"problem", "tests": {"inputs", "outputs"}}``, the test split as its
  ``code_contests.json``): the limits are read from the ``Time Limit:`` and ``Memory Limit:``
  lines the statement ends with; problems have no name, so ids are ``cc-<row>``.

Problems that read and write files instead of stdin/stdout are left out (noted). Generated
tests' outputs come from running correct solutions and can be wrong for problems with
several valid answers; the comparison (judge) is the run config's.
"""

from __future__ import annotations

import ast
import re

from .rows import Upstream, difficulty, megabytes

DEFAULT_SOURCE = "deepmind/code_contests"
PYTHON3 = 3
SETS = ("public_tests", "private_tests", "generated_tests")

_TIME = re.compile(r"Time Limit:\s*(\{[^}]*\}|[\d.]+)")
_MEMORY = re.compile(r"Memory Limit:\s*(\d+)\s*Bytes")


def _time(value) -> float | None:
    if isinstance(value, dict):
        s = (value.get("seconds") or 0) + (value.get("nanos") or 0) / 1e9
        return float(s) if s > 0 else None
    return None


def convert(rows: list[dict], options, notes: list[str]):
    problems, solutions = [], []
    for i, row in enumerate(rows):
        if "tests" in row and "problem" in row:
            problems.append(_rllm(Upstream("codecontests", i, row), i))
            continue
        up = Upstream("codecontests", i, row, row.get("name"))
        pid = up.need("name")
        if up.get("input_file") or up.get("output_file"):
            notes.append(f"{pid}: left out, it reads or writes files instead of stdin/stdout")
            continue
        tests, counts = [], {}
        for s in SETS:
            t = up.get(s, {}) or {}
            ins, outs = list(t.get("input") or []), list(t.get("output") or [])
            if len(ins) != len(outs):
                raise up.error(f"{s} has {len(ins)} inputs but {len(outs)} outputs")
            tests += [{"input": a, "output": b} for a, b in zip(ins, outs)]
            counts[f"n_{s.split('_')[0]}"] = len(ins)
        if not tests:
            notes.append(f"{pid}: left out, no tests")
            continue
        problems.append({"problem_id": pid, "kind": "stdio", "tests": tests,
                         "time_limit_s": _time(row.get("time_limit")),
                         "memory_limit_mb": megabytes(row.get("memory_limit_bytes"), bytes_=True),
                         "difficulty": difficulty(row.get("difficulty")),
                         "cf_rating": row.get("cf_rating"), **counts})
        sols = up.get("solutions", {}) or {}
        python = [code for lang, code in zip(sols.get("language") or [], sols.get("solution") or [])
                  if lang == PYTHON3]
        solutions += [{"problem_id": pid, "solution_id": f"ref-{j}", "code": code}
                      for j, code in enumerate(python)]
    return problems, solutions


def _rllm(up: Upstream, i: int) -> dict:
    text = up.need("problem")
    t = up.need("tests", dict)
    ins, outs = list(t.get("inputs") or []), list(t.get("outputs") or [])
    if not ins or len(ins) != len(outs):
        raise up.error(f"tests must hold as many inputs as outputs, at least one "
                       f"(got {len(ins)} and {len(outs)})")
    time_s = memory = None
    m = _TIME.search(text)
    if m:
        raw = m.group(1)
        time_s = _time(ast.literal_eval(raw)) if raw.startswith("{") else float(raw) or None
    m = _MEMORY.search(text)
    if m:
        memory = megabytes(int(m.group(1)), bytes_=True)
    return {"problem_id": f"cc-{i}", "kind": "stdio", "time_limit_s": time_s,
            "memory_limit_mb": memory, "tests": [{"input": a, "output": b}
                                                 for a, b in zip(ins, outs)]}
