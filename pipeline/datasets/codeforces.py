"""open-r1/codeforces (CC BY 4.0): Codeforces problems with official tests and checkers.

Rows: ``id`` ("2063A"), ``time_limit`` (seconds), ``memory_limit`` (MB), ``rating``,
``tags``, ``official_tests`` (``[{input, output}]``), ``official_tests_complete``,
``input_mode`` ("stdio" | "file"), ``generated_checker`` (Python source or null),
``examples``. Tests are the official tests (rows without any fall back to the examples,
noted). A generated checker becomes the problem's special judge with open-r1's contract
(``checker:openr1``: ``checker.py input answer output``, prints 1 or 100 for a pass) when the
judge is available; otherwise it is kept in the ``generated_checker`` column and noted.
File-I/O problems are left out. Generated tests live in separate files upstream and are not
read. ``rating`` is the difficulty.

Interactive problems are the rows with an ``interaction_format``. They are kept when the
row carries an interactor (``interactor``: its source, testlib's contract; its language
from ``interactor_language``, else C++ when it has an ``#include``, else Python) and
official tests (each test's input is the interactor's ``INPUT``): they become ``interactive``
problems. Without an interactor, or with the statement's examples only (a transcript, not
an input), an interactive problem is left out, and the conversion says so: judged as
``stdio`` against its examples it would fail every correct program.
"""

from __future__ import annotations

import judges
from judges.checker import language

from .rows import Upstream, difficulty, megabytes, seconds

DEFAULT_SOURCE = "open-r1/codeforces"
DEFAULT_SUBSET = "verifiable"
CHECKER = "checker:openr1"


def _have_checker() -> bool:
    try:
        judges.get(CHECKER)
        return True
    except judges.JudgeSpecError:
        return False


def convert(rows: list[dict], options, notes: list[str]):
    problems, unused_checkers = [], 0
    use_checker = _have_checker()
    for i, row in enumerate(rows):
        up = Upstream("codeforces", i, row, row.get("id"))
        pid = str(up.need("id"))
        if (row.get("input_mode") or "stdio") != "stdio":
            notes.append(f"{pid}: left out, input_mode {row['input_mode']!r}")
            continue
        if (row.get("interaction_format") or "").strip():
            p = _interactive(pid, row, notes)
            if p is not None:
                problems.append(p)
            continue
        tests = list(row.get("official_tests") or [])
        if not tests:
            tests = list(row.get("examples") or [])
            if not tests:
                notes.append(f"{pid}: left out, no official tests and no examples")
                continue
            notes.append(f"{pid}: no official tests, judged on the statement's examples")
        checker = row.get("generated_checker") or None
        p = {"problem_id": pid, "kind": "stdio",
             "tests": [{"input": t.get("input"), "output": t.get("output")} for t in tests],
             "time_limit_s": seconds(row.get("time_limit")),
             "memory_limit_mb": megabytes(row.get("memory_limit")),
             "difficulty": difficulty(row.get("rating")),
             "official_tests_complete": row.get("official_tests_complete")}
        if checker and use_checker:
            p.update(judge=CHECKER, checker=checker)
        elif checker:
            p["generated_checker"] = checker
            unused_checkers += 1
        problems.append(p)
    if unused_checkers:
        notes.append(f"{unused_checkers} generated checker(s) kept but not used: the "
                     f"{CHECKER!r} judge is not available")
    return problems, []


def _interactive(pid: str, row: dict, notes: list[str]) -> dict | None:
    """An interactive row as an ``interactive`` problem, or ``None`` (noted) when it cannot
    be judged."""
    source = row.get("interactor") or None
    if not source:
        notes.append(f"{pid}: left out, interactive and the row carries no interactor")
        return None
    tests = list(row.get("official_tests") or [])
    if not tests:
        notes.append(f"{pid}: left out, interactive and no official tests (the examples are "
                     f"transcripts, not the interactor's input)")
        return None
    return {"problem_id": pid, "kind": "interactive",
            "tests": [{"input": t.get("input"), "output": t.get("output") or ""} for t in tests],
            "interactor": source,
            "interactor_language": row.get("interactor_language") or language(source),
            "time_limit_s": seconds(row.get("time_limit")),
            "memory_limit_mb": megabytes(row.get("memory_limit")),
            "difficulty": difficulty(row.get("rating")),
            "official_tests_complete": row.get("official_tests_complete")}
