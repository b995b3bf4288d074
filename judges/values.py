"""Structural comparison of a function's return value with the expected JSON value.

Both sides arrive as JSON, so a returned tuple is already a list (tuples equal lists, as
DESIGN.md asks). Booleans never equal numbers; ints and floats compare as numbers, within
the problem's float tolerance when its judge is ``float:EPS``, exactly otherwise.
"""

from __future__ import annotations

import math
from decimal import Decimal

from .floats import close
from .text import clip


def equal(actual, expected, eps: float | None = None) -> bool:
    """Compare JSON-decoded values.

    >>> equal([1, 2.0000001], [1, 2], 1e-6), equal(True, 1), equal({"a": [1]}, {"a": [1]})
    (True, False, True)
    >>> equal(float("nan"), 10 ** 400), equal(1e300, 10 ** 400, 1e-6)
    (False, False)
    """
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(actual) is type(expected) and actual == expected
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        if isinstance(expected, int) and isinstance(actual, int):
            return actual == expected
        if eps is None:
            # ``==`` between an int and a float is exact in Python; ``math.isnan`` of an
            # int over 1e308 raises (OverflowError), so NaN is asked of floats only.
            return actual == expected or (isinstance(actual, float) and isinstance(expected, float)
                                          and math.isnan(actual) and math.isnan(expected))
        return _close(actual, expected, eps)
    if isinstance(expected, list):
        return (isinstance(actual, list) and len(actual) == len(expected)
                and all(equal(a, b, eps) for a, b in zip(actual, expected)))
    if isinstance(expected, dict):
        return (isinstance(actual, dict) and actual.keys() == expected.keys()
                and all(equal(actual[k], expected[k], eps) for k in expected))
    return type(actual) is type(expected) and actual == expected


def _close(actual, expected, eps: float) -> bool:
    """Within ``eps`` (absolute or relative), where an int may be too large for a double:
    ``float(10 ** 400)`` raises, so such a pair is compared as exact decimals (a returned
    NaN or float against an expected ``10 ** 400`` stopped the run)."""
    try:
        return close(float(actual), float(expected), eps)
    except OverflowError:
        pass
    if any(isinstance(x, float) and not math.isfinite(x) for x in (actual, expected)):
        return False                            # inf or NaN is never a finite integer
    a, b = Decimal(actual), Decimal(expected)   # both exact: an int, or a finite double
    diff = abs(a - b)
    return diff <= Decimal(eps) or diff <= Decimal(eps) * abs(b)


def describe(actual_json: str, expected_json: str) -> str:
    return f"expected {clip(expected_json)}, got {clip(actual_json)}"
