"""``float:EPS``: tokens; numbers within absolute or relative EPS (testlib rcmp semantics).

Two integer tokens compare exactly as big integers: parsing ``10**18`` and ``10**18 + 1`` as
doubles makes them equal, CodeContests' bug. Otherwise both tokens must parse as floats and
satisfy ``|a - b| <= EPS`` or ``|a - b| <= EPS * |b|``; NaN equals NaN and infinities must
match in sign. Any other token compares exactly.
"""

from __future__ import annotations

import math
import re

from .registry import JudgeSpecError, register
from .text import first_difference

_INT = re.compile(r"[+-]?\d+\Z")


def close(a: float, b: float, eps: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    diff = abs(a - b)
    return diff <= eps or diff <= eps * abs(b)


def token_equal(out: str, exp: str, eps: float) -> bool:
    if out == exp:
        return True
    if _INT.match(out) and _INT.match(exp):
        return int(out) == int(exp)
    try:
        return close(float(out), float(exp), eps)
    except ValueError:
        return False


class Floats:
    def __init__(self, eps: float):
        self.float_eps = eps
        self.spec = f"float:{eps:g}"

    def check(self, output: str, expected: str) -> tuple[bool, str]:
        why = first_difference(output.split(), expected.split(), "token",
                               lambda a, b: token_equal(a, b, self.float_eps))
        return why is None, f"{why} (eps {self.float_eps:g})" if why else ""


@register("float")
def make(param: str | None) -> Floats:
    """``float:EPS`` with EPS a positive number, e.g. ``float:1e-6`` (the default EPS)."""
    if param is None:
        return Floats(1e-6)
    try:
        eps = float(param)
    except ValueError:
        raise JudgeSpecError(f"judge 'float' needs a number, e.g. float:1e-6; got {param!r}") from None
    if not (eps > 0 and math.isfinite(eps)):
        raise JudgeSpecError(f"judge 'float' needs a positive EPS, got {param!r}")
    return Floats(eps)
