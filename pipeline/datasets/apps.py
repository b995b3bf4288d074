"""APPS (codeparrot/apps, MIT) and TACO (BAAI/TACO, Apache-2.0).

Rows: ``question``, ``solutions`` (JSON text: a list of Python sources), ``input_output``
(JSON text ``{"inputs", "outputs", "fn_name"?}``), ``difficulty``, ``starter_code``, ``url``;
APPS has ``problem_id``, TACO has ``time_limit`` and ``memory_limit`` text ("1 second",
"256 megabytes") and no id. Tests: stdin → stdout without ``fn_name``; with it, call-based,
outputs wrapped in a one-element list unwrapped when every output is so wrapped (the rules of
:func:`pipeline.groundtruth.problem_from_ground_truth`). Reference solutions are
``ref-0``, ``ref-1`` …. Ids: APPS ``problem_id`` as text, TACO ``taco-<row>``. Rows with no
usable tests (APPS has some with an empty ``input_output``) are left out and noted.
"""

from __future__ import annotations


from ..groundtruth import problem_from_ground_truth
from .rows import Upstream, difficulty, megabytes, seconds

DEFAULT_SOURCE = "codeparrot/apps"


def convert(rows: list[dict], options, notes: list[str]):
    problems, solutions = [], []
    for i, row in enumerate(rows):
        pid = str(row["problem_id"]) if row.get("problem_id") is not None else f"taco-{i}"
        up = Upstream("apps", i, row, pid)
        if not row.get("input_output"):
            notes.append(f"{pid}: left out, no tests (empty input_output)")
            continue
        try:
            p = problem_from_ground_truth(up.json_field("input_output"), problem_id=pid,
                                          data_source="apps")
        except ValueError as exc:
            notes.append(f"{pid}: left out, {exc}")
            continue
        p.update(time_limit_s=seconds(row.get("time_limit")),
                 memory_limit_mb=megabytes(row.get("memory_limit")),
                 difficulty=difficulty(row.get("difficulty")),
                 starter_code=row.get("starter_code") or "")
        problems.append(p)
        refs = up.json_field("solutions") if row.get("solutions") else []
        solutions += [{"problem_id": pid, "solution_id": f"ref-{j}", "code": code}
                      for j, code in enumerate(refs) if isinstance(code, str)]
    return problems, solutions
