"""MultiPL-E (HumanEval and MBPP translated to ~20 languages): ``assert`` problems.

Rows: ``name`` ("HumanEval_23_strlen"), ``language``, ``prompt``, ``tests`` (the language's
test harness, e.g. a C++ ``main`` of asserts), ``stop_tokens``. As in MultiPL-E, a program is
``prompt + completion`` and the test code follows it; it passes when the whole runs to the
end. The problem's language is kept in the extra column ``language``; there are no reference
solutions.

The sandbox runs Python today, so these problems are converted but can only be scored once
the language's runner exists. Licence: MultiPL-E's GitHub licence forbids use as ML training
data; use it for evaluation only.
"""

from __future__ import annotations

from .rows import Upstream

DEFAULT_SOURCE = "nuprl/MultiPL-E"
PREPEND_PROMPT = True


def convert(rows: list[dict], options, notes: list[str]):
    problems = []
    for i, row in enumerate(rows):
        up = Upstream("multipl-e", i, row, row.get("name"))
        problems.append({"problem_id": up.need("name"), "kind": "assert",
                         "tests": [{"input": up.need("tests"), "output": ""}],
                         "language": up.need("language"), "prompt": up.need("prompt")})
    return problems, []
