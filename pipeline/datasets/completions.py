"""Model completions in, a solutions table out: code extraction and many samples per problem.

A completions file (JSONL or Parquet) has a problem id column (``problem_id``, ``task_id``,
``question_id`` or ``id``) and a text column (``completion``, ``response``, ``output``,
``generation``, ``code``, ``text``, ``solution`` or ``llm_response``); a text value may be a
list of samples (``code_list``, ``completions``, ``samples``, ``outputs`` columns hold lists
too). Each sample becomes one solution: code taken out by :func:`pipeline.extract.extract_code`
with the run's ``extract`` rule (columns that already hold code, ``code``, ``solution`` and
``code_list``, are taken whole); a sample with no code is an empty program
(``on_missing: empty``, judged and failed) or left out (``skip``). Solution ids are the row's
``solution_id`` (or ``sample_id``) when given, else the sample's index within its problem.

For benchmarks whose completions continue the prompt (HumanEval, HumanEval+, MultiPL-E), the
problem's ``prompt`` is put before the code, as their harnesses do.

>>> import pyarrow as pa
>>> probs = pa.table({"problem_id": ["HumanEval/0"], "prompt": ["def f():\\n"]})
>>> t, stats = to_solutions([{"task_id": "HumanEval/0", "completion": "    return 1\\n"},
...                          {"task_id": "HumanEval/0", "completion": "no code"}],
...                         probs, rule="whole", on_missing="empty", prepend_prompt=True)
>>> t.column("code").to_pylist(), stats["missing"]
(['def f():\\n    return 1\\n', 'def f():\\nno code'], 0)
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from ..extract import RULES, extract_code
from ..io import SOLUTIONS, InputError

ID_COLUMNS = ("problem_id", "task_id", "question_id", "id")
TEXT_COLUMNS = ("completion", "response", "output", "generation", "code", "text", "solution",
                "llm_response", "code_list", "completions", "samples", "outputs")
CODE_COLUMNS = ("code", "solution", "code_list")
"""Columns that hold programs already taken out of the answers (LiveCodeBench's
``code_list``): used whole, whatever the extraction rule."""


def _pick(columns: list[str], choices: tuple[str, ...], what: str, name: str) -> str:
    for c in choices:
        if c in columns:
            return c
    raise InputError(f"{name}: no {what} column; expected one of {', '.join(choices)}")


def to_solutions(rows: list[dict], problems: pa.Table, *, rule: str = "last_block",
                 on_missing: str = "empty", prepend_prompt: bool = False,
                 language: str = "python", name: str = "completions") -> tuple[pa.Table, dict]:
    """``(solutions table, counts)`` for rows of model outputs."""
    if rule not in RULES:
        raise InputError(f"extract rule {rule!r} is unknown; one of {', '.join(RULES)}")
    if on_missing not in ("empty", "skip"):
        raise InputError(f"on_missing must be 'empty' or 'skip', got {on_missing!r}")
    if not rows:
        raise InputError(f"{name}: no rows")
    columns = list(dict.fromkeys(k for r in rows for k in r))
    id_col = _pick(columns, ID_COLUMNS, "problem id", name)
    text_col = _pick(columns, TEXT_COLUMNS, "completion text", name)
    if text_col in CODE_COLUMNS:
        rule = "whole"
    prompts = {}
    if prepend_prompt and "prompt" in problems.column_names:
        prompts = dict(zip(problems.column("problem_id").to_pylist(),
                           problems.column("prompt").to_pylist()))
    out: dict[str, list] = {"problem_id": [], "solution_id": [], "language": [], "code": []}
    counts: dict[str, int] = {}
    stats = {"rows": len(rows), "samples": 0, "missing": 0, "skipped": 0}
    for i, row in enumerate(rows):
        pid = row.get(id_col)
        if pid is None:
            raise InputError(f"{name} row {i}, column {id_col!r}: is missing (null)")
        pid = str(pid)
        texts = row.get(text_col)
        many = isinstance(texts, (list, tuple)) or hasattr(texts, "tolist")
        texts = list(texts) if many else [texts]
        given = row.get("solution_id", row.get("sample_id"))
        for j, text in enumerate(texts):
            if text is not None and not isinstance(text, str):
                raise InputError(f"{name} row {i}, column {text_col!r}: must be text, got "
                                 f"{type(text).__name__}")
            stats["samples"] += 1
            code = extract_code(text or "", language=language, rule=rule)
            if code is None:
                stats["missing"] += 1
                if on_missing == "skip":
                    stats["skipped"] += 1
                    continue
                code = ""
            elif pid in prompts and prompts[pid]:
                code = prompts[pid] + code
            if given is not None and not many:
                sid = str(given)
            else:
                sid = str(counts.get(pid, 0))
                counts[pid] = counts.get(pid, 0) + 1
            for col, value in zip(out, (pid, sid, language, code)):
                out[col].append(value)
    return pa.table(out, schema=SOLUTIONS), stats


def read_completions(source: Any) -> list[dict]:
    """Rows of a completions file (JSONL, JSON, Parquet or a folder of them)."""
    from .source import read_rows

    return read_rows(source)
