"""Structural comparison of a function's return value with the expected value.

Both sides arrive as JSON text in the encoding of :mod:`pipeline.sandbox.inside.tagged`
(tuples, sets, complex numbers and dicts with other keys than str are tagged) and are read
with :func:`parse`. The rules (DESIGN.md):

- tuples equal lists (a namedtuple is a tuple);
- sets (and frozensets) equal sets with the same members, in any order;
- dicts (``Counter``, ``defaultdict`` and ``OrderedDict`` among them) equal dicts with the
  same keys, in any order, and equal values under each key;
- booleans never equal numbers; ints, floats and complex numbers compare as numbers: two ints
  exactly, otherwise within the problem's float tolerance when its judge is ``float:EPS``
  (real and imaginary parts each), exactly without one;
- everything else (strings, None) exactly.

Set members and dict keys are matched exactly (1 and 1.0 are the same key, as in Python, but
True and 1 are not); when that fails and the judge has a tolerance, set members holding
floats are matched one to one within it.
"""

from __future__ import annotations

from pipeline.sandbox.inside.tagged import decode
from pipeline.sandbox.records import Digits, loads

from .floats import close
from .text import clip

MATCH_LIMIT = 256
"""Members of a set matched one to one within a tolerance; larger sets compare exactly."""


def parse(text: str):
    """The value of a JSON text of the function encoding; ``ValueError`` if it is none.

    >>> parse('{"$set": [1, 2]}'), parse('[1, {"$tuple": [2]}]')
    ({1, 2}, [1, (2,)])
    """
    try:
        return decode(loads(text))
    except RecursionError:
        raise ValueError("value nested too deeply") from None
    except TypeError as exc:
        raise ValueError(str(exc)) from None


def _kind(v) -> str:
    t = type(v)
    if t is bool:
        return "bool"
    if t in (int, float, complex):
        return "number"
    if t is Digits:
        return "digits"             # an integer too long for int(): compared as its digits
    if t is list or t is tuple:
        return "sequence"
    if t is set or t is frozenset:
        return "set"
    if t is dict:
        return "map"
    return "other"


def equal(actual, expected, eps: float | None = None) -> bool:
    """Compare decoded values by the rules above.

    >>> equal([1, 2.0000001], (1, 2), 1e-6), equal(True, 1), equal({"a": [1]}, {"a": [1]})
    (True, False, True)
    >>> equal({1, 2}, {2, 1}), equal({1, 2}, [1, 2]), equal({(1, 2): 3}, {(1, 2): 3})
    (True, False, True)
    >>> equal(float("nan"), 10 ** 400), equal(1e300, 10 ** 400, 1e-6)
    (False, False)
    >>> equal({0.1 + 0.2}, {0.3}), equal({0.1 + 0.2}, {0.3}, 1e-9), equal(1 + 2j, 1 + 2.0000001j, 1e-6)
    (False, True, True)
    """
    kind = _kind(expected)
    if _kind(actual) != kind:
        return False
    if kind == "bool":
        return actual == expected
    if kind == "number":
        return _numbers(actual, expected, eps)
    if kind == "sequence":
        return len(actual) == len(expected) and all(
            equal(a, b, eps) for a, b in zip(actual, expected))
    if kind == "set":
        return _sets(actual, expected, eps)
    if kind == "map":
        if len(actual) != len(expected):
            return False
        mine = {canonical(k): v for k, v in actual.items()}
        for k, v in expected.items():
            c = canonical(k)
            if c not in mine or not equal(mine[c], v, eps):
                return False
        return True
    return type(actual) is type(expected) and actual == expected


def _numbers(a, b, eps) -> bool:
    if type(a) is int and type(b) is int:
        return a == b
    if eps is None:
        return a == b or (a != a and b != b)            # NaN equals NaN
    try:
        if type(a) is complex or type(b) is complex:
            a, b = complex(a), complex(b)
            return close(a.real, b.real, eps) and close(a.imag, b.imag, eps)
        return close(float(a), float(b), eps)
    except OverflowError:                               # an int too large for a double
        return a == b


def canonical(v):
    """A hashable form of a decoded value in which equal members and keys are equal:
    tuples as lists, sets as frozensets, numbers by value, booleans apart from numbers.

    >>> canonical((1, [2.0])) == canonical([1.0, (2,)]), canonical(True) == canonical(1)
    (True, False)
    """
    kind = _kind(v)
    if kind == "sequence":
        return ("sequence", tuple(canonical(x) for x in v))
    if kind == "set":
        return ("set", frozenset(canonical(x) for x in v))
    if kind == "map":
        return ("map", frozenset((canonical(k), canonical(x)) for k, x in v.items()))
    if kind == "digits":
        return ("digits", str(v))
    return (kind, v)


def _sets(actual, expected, eps) -> bool:
    if len(actual) != len(expected):
        return False
    mine = {canonical(x) for x in actual}
    if mine == {canonical(x) for x in expected}:
        return True
    if eps is None or len(expected) > MATCH_LIMIT or not _inexact(expected):
        return False
    # One-to-one matching within the tolerance (augmenting paths): the members are few.
    candidates = [[j for j, b in enumerate(expected) if equal(a, b, eps)] for a in actual]
    owner: dict[int, int] = {}

    def place(i: int, seen: set) -> bool:
        for j in candidates[i]:
            if j not in seen:
                seen.add(j)
                if j not in owner or place(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    return all(place(i, set()) for i in range(len(candidates)))


def _inexact(values) -> bool:
    """Whether any member holds a float or a complex number (only those have a tolerance)."""
    stack = list(values)
    while stack:
        v = stack.pop()
        t = type(v)
        if t is float or t is complex:
            return True
        if t in (list, tuple, set, frozenset):
            stack.extend(v)
    return False


def describe(actual_json: str, expected_json: str) -> str:
    return f"expected {clip(expected_json)}, got {clip(actual_json)}"
