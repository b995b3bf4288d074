"""``testlib-wcmp``: testlib's ``wcmp`` checker (sequence of tokens, exact), reproduced.

testlib separates tokens by space, tab, CR and LF only, so a vertical tab or a form feed
is part of a token (Python's ``str.split`` would treat them as whitespace). Tokens compare
exactly, case included; the first difference, extra tokens and a short output are WA with
testlib's own wording.

>>> from judges import get
>>> get("testlib-wcmp").check("1\\r\\n2", "1 2"), get("testlib-wcmp").check("1 2 3", "1 2")
((True, ''), (False, 'Participant output contains extra tokens'))
"""

from __future__ import annotations

import re

from .registry import no_param, register
from .text import clip

_BLANKS = re.compile(r"[ \t\r\n]+")


def split(text: str) -> list[str]:
    return [t for t in _BLANKS.split(text) if t]


def _ordinal(n: int) -> str:
    if n % 100 in (11, 12, 13):
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


class Wcmp:
    spec = "testlib-wcmp"
    float_eps = None

    def check(self, output: str, expected: str) -> tuple[bool, str]:
        out, exp = split(output), split(expected)
        for i, (a, b) in enumerate(zip(out, exp)):
            if a != b:
                return False, f"{_ordinal(i + 1)} words differ - expected: {clip(b)}, found: {clip(a)}"
        if len(out) > len(exp):
            return False, "Participant output contains extra tokens"
        if len(out) < len(exp):
            return False, "Unexpected EOF in the participants output"
        return True, ""


@register("testlib-wcmp")
def make(param: str | None) -> Wcmp:
    no_param("testlib-wcmp", param)
    return Wcmp()
