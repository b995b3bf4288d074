"""``float:EPS``: tokens; numbers within absolute or relative EPS (testlib rcmp semantics).

A number is ASCII: ``[+-]digits[.digits][e[+-]digits]`` (or ``nan``/``inf``). ``\\d`` and
``float()`` also take Arabic-Indic or full-width digits and ``4_2``, which once let such
output pass for 42. Two integer tokens compare exactly as big integers, by their canonical
digits (``int()`` stops at 4300 digits, and parsing ``10**18`` and ``10**18 + 1`` as doubles
makes them equal, CodeContests' bug). Otherwise both tokens must be numbers and satisfy
``|a - b| <= EPS`` or ``|a - b| <= EPS * |b|``, as decimals when a double would overflow
(``10**400`` and ``2e400`` are both ``inf`` as doubles); NaN equals NaN, infinities must
match in sign, and neither equals a number written in digits (``inf`` is not ``1e400``).
Any other token compares exactly.
"""

from __future__ import annotations

import decimal
import math
import re

from .registry import JudgeSpecError, register
from .text import first_difference

_INT = re.compile(r"[+-]?[0-9]+\Z", re.ASCII)
# ``[0-9]+(?:\.[0-9]*)?``, not ``[0-9]+\.?[0-9]*``: with both runs able to take the same
# digits, a 20,000-digit token that ends in a letter took the judge 10 s to refuse (quadratic
# backtracking), and one of the 16 MiB an output may hold would have taken it days.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z"
                     r"|[+-]?(?:nan|inf|infinity)\Z", re.ASCII | re.IGNORECASE)
_SPECIAL = ("nan", "inf", "infinity")
_EXACT = decimal.Context(prec=100, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)


def close(a: float, b: float, eps: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    diff = abs(a - b)
    return diff <= eps or diff <= eps * abs(b)


def canonical_int(token: str) -> str:
    """An ASCII integer token's canonical digits: ``+007`` → ``7``, ``-0`` → ``0``."""
    sign = "-" if token.startswith("-") else ""
    digits = token.lstrip("+-").lstrip("0") or "0"
    return sign + digits if digits != "0" else "0"


def token_equal(out: str, exp: str, eps: float) -> bool:
    """Whether an output token matches the expected token under ``float:EPS``.

    >>> token_equal("+42", "42", 1e-6), token_equal("\u0664\u0662", "42", 1e-6)
    (True, False)
    >>> token_equal(str(10 ** 400), "2e400", 1e-6), token_equal("1.0000001", "1", 1e-6)
    (False, True)
    >>> token_equal("inf", "1e400", 1e-6), token_equal("1e999", "inf", 1e-6), token_equal("-INF", "-inf", 1e-6)
    (False, False, True)
    """
    if out == exp:
        return True
    if _INT.match(out) and _INT.match(exp):
        return canonical_int(out) == canonical_int(exp)
    if not (_NUMBER.match(out) and _NUMBER.match(exp)):
        return False
    a, b = float(out), float(exp)
    special = [t.lstrip("+-").lower() in _SPECIAL for t in (out, exp)]
    if special[0] != special[1]:
        # ``inf`` is no number of digits, however many: as doubles ``inf`` matched an
        # expected ``1e400`` (both overflow) and ``1e999`` an expected ``inf``.
        return False
    if not special[0] and (math.isinf(a) or math.isinf(b)):
        try:
            da, db = _EXACT.create_decimal(out), _EXACT.create_decimal(exp)
            diff = _EXACT.subtract(da, db).copy_abs()
            return diff <= decimal.Decimal(eps) or diff <= _EXACT.multiply(
                decimal.Decimal(eps), db.copy_abs())
        except decimal.DecimalException:
            return False
    return close(a, b, eps)


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
