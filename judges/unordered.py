"""``unordered[:lines|:tokens]``: the output as a multiset, for "print in any order" problems.

``unordered`` or ``unordered:lines`` compares the lines (normalised as the ``lines`` judge
does: ends of lines stripped, CR removed, trailing blank lines dropped) as a multiset;
``unordered:tokens`` compares the whitespace-separated tokens as a multiset. Multiplicity
counts: ``1 2 2`` is not ``2 1``, the false positive of APPS-style set comparisons.

>>> from judges import get
>>> get("unordered").check("b\\na\\n", "a\\nb\\n"), get("unordered:tokens").check("2 1", "1 2 2")[0]
((True, ''), False)
"""

from __future__ import annotations

from collections import Counter

from .lines import normalise
from .registry import JudgeSpecError, register
from .text import clip

_UNITS = {"lines": ("line", normalise), "tokens": ("token", str.split)}


class Unordered:
    float_eps = None

    def __init__(self, by: str):
        self.spec = f"unordered:{by}"
        self.unit, self.split = _UNITS[by]

    def check(self, output: str, expected: str) -> tuple[bool, str]:
        out, exp = Counter(self.split(output)), Counter(self.split(expected))
        if out == exp:
            return True, ""
        missing, extra = exp - out, out - exp
        if missing:
            item = next(iter(missing))
            return False, f"expected {self.unit} {clip(item)} {exp[item]} time(s), got {out[item]}"
        item = next(iter(extra))
        return False, f"unexpected {self.unit} {clip(item)} ({out[item]} time(s), expected {exp[item]})"


@register("unordered")
def make(param: str | None) -> Unordered:
    """``unordered`` (lines), ``unordered:lines`` or ``unordered:tokens``."""
    by = param or "lines"
    if by not in _UNITS:
        raise JudgeSpecError(f"judge 'unordered' takes 'lines' or 'tokens', got {param!r}")
    return Unordered(by)
