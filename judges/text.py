"""Helpers shared by the text comparators."""

from __future__ import annotations


def clip(s: str, n: int = 60) -> str:
    return repr(s if len(s) <= n else s[:n] + "…")


def first_difference(out: list[str], exp: list[str], what: str) -> str:
    for i, (a, b) in enumerate(zip(out, exp)):
        if a != b:
            return f"{what} {i + 1}: expected {clip(b)}, got {clip(a)}"
    return f"expected {len(exp)} {what}s, got {len(out)}"


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
