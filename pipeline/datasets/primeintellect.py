"""PrimeIntellect verifiable-coding-problems and SYNTHETIC-1 (Apache-2.0).

Problem rows: ``problem_id``, ``source``, ``task_type`` ("verifiable_code"), ``prompt``,
``gold_standard_solution`` (a fenced answer, may be null), ``verification_info`` (JSON text
— some rows only parse as a Python literal — or a struct:
``{"language", "test_cases": [{"type": "stdin_stdout" | "function_call", "input", "output",
"fn_name"?}]}``) and ``metadata`` (JSON text ``{difficulty, time_limit, memory_limit, …}``).
Tests are converted by :func:`pipeline.groundtruth.problem_from_ground_truth`. The gold
solution, when it is Python, becomes the reference solution ``gold``.

SYNTHETIC-1's response-level rows (``response_id``, ``llm_response``, ``score``) give one
problem per ``problem_id`` and one solution per response (code taken from the response's
last Python block, solution id = ``response_id``), so a run re-scores the responses;
the upstream ``score`` is kept beside each solution for comparison. Rows of another
``task_type`` are left out.
"""

from __future__ import annotations

from ..extract import extract_code
from ..groundtruth import problem_from_ground_truth
from .rows import Upstream, difficulty, megabytes, seconds

DEFAULT_SOURCE = "PrimeIntellect/verifiable-coding-problems"
DEFAULT_SUBSET = None


def convert(rows: list[dict], options, notes: list[str]):
    problems: dict[str, dict] = {}
    solutions = []
    skipped: dict[str, int] = {}
    for i, row in enumerate(rows):
        up = Upstream("primeintellect", i, row, row.get("problem_id"))
        pid = up.need("problem_id")
        task = row.get("task_type", "verifiable_code")
        if task != "verifiable_code":
            skipped[task] = skipped.get(task, 0) + 1
            continue
        info = up.json_field("verification_info", literal=True)
        language = info.get("language", "python") if isinstance(info, dict) else "python"
        if pid not in problems:
            meta = up.json_field("metadata", literal=True) if row.get("metadata") else {}
            meta = meta if isinstance(meta, dict) else {}
            try:
                p = problem_from_ground_truth(info, problem_id=pid, data_source="primeintellect")
            except ValueError as exc:
                raise up.error(str(exc)) from None
            p.update(time_limit_s=seconds(meta.get("time_limit")),
                     memory_limit_mb=megabytes(meta.get("memory_limit")),
                     difficulty=difficulty(meta.get("difficulty")),
                     source_dataset=row.get("source"), language=language)
            problems[pid] = p
            gold = row.get("gold_standard_solution")
            code = extract_code(gold, language="python") if gold and language == "python" else None
            if code and "llm_response" not in row:
                solutions.append({"problem_id": pid, "solution_id": "gold", "code": code})
        if "llm_response" in row:
            code = extract_code(row.get("llm_response") or "", language=language)
            solutions.append({"problem_id": pid, "solution_id": str(up.need("response_id")),
                              "code": code or "", "language": "python",
                              "upstream_score": row.get("score")})
    for task, n in skipped.items():
        notes.append(f"{n} row(s) of task_type {task!r} left out")
    return list(problems.values()), solutions
