"""agentica-org/DeepCoder-Preview-Dataset (MIT); configs primeintellect, taco, lcbv5, codeforces.

Rows: ``problem`` (statement), ``tests`` (JSON text whose shape depends on the config:
PrimeIntellect test list, APPS/TACO object, LiveCodeBench test list, or a list of
``{input, output}``), ``metadata`` (JSON text; ``func_name`` for LiveCodeBench functional
problems), ``starter_code`` (lcbv5). Tests are converted by
:func:`pipeline.groundtruth.problem_from_ground_truth`, which recognises the shape. Rows have
no id: problems are ``deepcoder-<row>`` (``<config>-<row>`` when ``subset`` is given).
"""

from __future__ import annotations

from ..groundtruth import problem_from_ground_truth
from .rows import Upstream

DEFAULT_SOURCE = "agentica-org/DeepCoder-Preview-Dataset"
DEFAULT_SUBSET = "lcbv5"


def convert(rows: list[dict], options, notes: list[str]):
    problems = []
    for i, row in enumerate(rows):
        pid = f"deepcoder-{i}"
        up = Upstream("deepcoder", i, row, pid)
        tests = up.json_field("tests", literal=True)
        try:
            p = problem_from_ground_truth(tests, problem_id=pid, data_source="deepcoder",
                                          extra_info={"metadata": row.get("metadata") or "{}"})
        except ValueError as exc:
            raise up.error(str(exc)) from None
        p.update(question=row.get("problem"), starter_code=row.get("starter_code") or "")
        problems.append(p)
    return problems, []
