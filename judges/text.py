"""Helpers shared by the text comparators."""

from __future__ import annotations

import operator
from typing import Callable


def clip(s: str, n: int = 60) -> str:
    return repr(s if len(s) <= n else s[:n] + "…")


def first_difference(out: list[str], exp: list[str], what: str,
                     equal: Callable[[str, str], bool] = operator.eq) -> str | None:
    """Why ``out`` is not ``exp`` unit by unit (the first unequal one, else the counts), or
    ``None`` when every unit is ``equal`` and the counts match.

    >>> first_difference(["1", "2"], ["1", "3"], "token")
    "token 2: expected '3', got '2'"
    >>> first_difference(["1"], ["1", "3"], "line")
    'expected 2 lines, got 1'
    >>> first_difference(["1.0"], ["1"], "token", lambda a, b: float(a) == float(b)) is None
    True
    """
    for i, (a, b) in enumerate(zip(out, exp)):
        if not equal(a, b):
            return f"{what} {i + 1}: expected {clip(b)}, got {clip(a)}"
    if len(out) != len(exp):
        return f"expected {len(exp)} {what}s, got {len(out)}"
    return None


class SequenceComparator:
    """Compare two texts as sequences of units (lines, tokens) after ``split``."""

    spec = ""
    unit = ""
    float_eps = None

    def split(self, text: str) -> list[str]:
        raise NotImplementedError

    def check(self, output: str, expected: str) -> tuple[bool, str]:
        out, exp = self.split(output), self.split(expected)
        if out == exp:
            return True, ""
        return False, first_difference(out, exp, self.unit)
