"""Structural comparison of a function's return value with the expected JSON value.

Both sides arrive as JSON, so a returned tuple is already a list (tuples equal lists, as
DESIGN.md asks). Booleans never equal numbers; ints and floats compare as numbers, within
the problem's float tolerance when its judge is ``float:EPS``, exactly otherwise.
"""

from __future__ import annotations

import math

from .floats import close
from .text import clip


def equal(actual, expected, eps: float | None = None) -> bool:
    """Compare JSON-decoded values.

    >>> equal([1, 2.0000001], [1, 2], 1e-6), equal(True, 1), equal({"a": [1]}, {"a": [1]})
    (True, False, True)
    """
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(actual) is type(expected) and actual == expected
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        if isinstance(expected, int) and isinstance(actual, int):
            return actual == expected
        if eps is None:
            return actual == expected or (math.isnan(actual) and math.isnan(expected))
        return close(float(actual), float(expected), eps)
    if isinstance(expected, list):
        return (isinstance(actual, list) and len(actual) == len(expected)
                and all(equal(a, b, eps) for a, b in zip(actual, expected)))
    if isinstance(expected, dict):
        return (isinstance(actual, dict) and actual.keys() == expected.keys()
                and all(equal(actual[k], expected[k], eps) for k in expected))
    return type(actual) is type(expected) and actual == expected


def describe(actual_json: str, expected_json: str) -> str:
    return f"expected {clip(expected_json)}, got {clip(actual_json)}"
