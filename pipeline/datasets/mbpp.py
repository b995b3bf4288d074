"""MBPP (Google Research, CC BY 4.0), full (974 tasks) and sanitized (427) releases.

``assert`` kind: each upstream assert is one test, run after the solution. Full rows:
``task_id`` (int), ``text``, ``code``, ``test_list``, ``test_setup_code``,
``challenge_test_list``; sanitized rows have ``prompt``, ``code``, ``test_imports`` and
``test_list``. The setup code (full) or imports (sanitized) run before every assert. The
challenge asserts are not part of the published protocol and are left out. ``code`` is the
reference solution (solution id ``reference``). Problem ids are the upstream task ids as text.

A local file holds every split; ``split`` keeps the conventional id ranges (``test`` is
11–510, ``validation`` 511–600, ``train`` 601–974, ``prompt`` 1–10). The function name is
not a field: it is read from the first assert.

>>> entry_point(["assert set(similar_elements((3, 4), (4,))) == set((4,))"])
'similar_elements'
"""

from __future__ import annotations

import ast
import builtins

from ..io import InputError
from .rows import Upstream

DEFAULT_SOURCE = "google-research-datasets/mbpp"
DEFAULT_SUBSET = "full"
SPLITS = {"prompt": (1, 10), "test": (11, 510), "validation": (511, 600), "train": (601, 974)}


def entry_point(asserts: list[str], code: str | None = None) -> str | None:
    """The first called name in the asserts that the reference ``code`` defines, else the
    first that is not a builtin (task 126's function is named ``sum``: the test must call
    the solution's, and only the entry point may shadow a builtin)."""
    defined: set[str] = set()
    try:
        defined = {n.name for n in ast.parse(code or "").body
                   if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    except SyntaxError:
        pass
    calls = []
    for text in asserts:
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        calls += [n.func.id for n in ast.walk(tree)
                  if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
    for name in calls:
        if name in defined:
            return name
    for text in asserts:
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and not hasattr(builtins, node.func.id):
                return node.func.id
    return None


def convert(rows: list[dict], options, notes: list[str]):
    keep = SPLITS.get(options.split) if options.split else None
    if options.split and keep is None:
        raise InputError(f"mbpp: unknown split {options.split!r}; one of {', '.join(SPLITS)}")
    problems, solutions = [], []
    for i, row in enumerate(rows):
        up = Upstream("mbpp", i, row, f"task_id {row.get('task_id')}")
        task = up.need("task_id", int)
        if keep and not keep[0] <= task <= keep[1]:
            continue
        asserts = list(up.need("test_list", list))
        if not asserts:
            raise up.error("test_list is empty")
        if "test_imports" in row:          # sanitized
            setup = "\n".join(up.get("test_imports", []))
            text = up.get("prompt", "")
        else:
            setup = up.get("test_setup_code", "")
            text = up.get("text", "")
        head = f"{setup}\n" if setup.strip() else ""
        pid = str(task)
        problems.append({"problem_id": pid, "kind": "assert", "entry_point": entry_point(asserts, row.get("code")),
                         "tests": [{"input": head + a, "output": ""} for a in asserts],
                         "text": text})
        if row.get("code"):
            solutions.append({"problem_id": pid, "solution_id": "reference", "code": row["code"]})
    return problems, solutions
