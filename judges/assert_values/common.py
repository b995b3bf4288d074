"""What the language modules share: numbers (``_is_num``, rounding to float32 with
``_f32``, and ``_shortest_digits``, the shortest digits that read back as a float, behind
JavaScript's and Go's printing of floats), reading an emitted line as JSON, and matching
the items of a map or a set in any order (``_pairs_match``).
"""

from __future__ import annotations

import json
import math
import struct
from decimal import Decimal


def _pairs_match(actual: list, expected: list, eq) -> bool:
    """Same size, and each expected item matched by a distinct actual one (maps, sets)."""
    if len(actual) != len(expected):
        return False
    left = list(actual)
    for e in expected:
        for j, a in enumerate(left):
            if eq(a, e):
                del left[j]
                break
        else:
            return False
    return True


def _f32(x: float) -> float:
    if math.isnan(x) or math.isinf(x):
        return x
    try:
        return struct.unpack("f", struct.pack("f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def _is_num(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _json(line: str):
    return json.loads(line)


def _shortest_digits(x: float, bits: int = 64) -> tuple[str, int]:
    """The shortest digits that read back as ``|x|`` (a float64, or a float32 when ``bits``
    is 32) and their exponent: ``|x| = int(digits) × 10^exp``."""
    x = abs(x)
    text = repr(x)
    if bits == 32:
        for p in range(1, 10):
            text = f"{x:.{p - 1}e}"
            if _f32(float(text)) == x:
                break
    _, digits, exp = Decimal(text).as_tuple()
    full = "".join(map(str, digits)).lstrip("0")
    short = full.rstrip("0")
    return (short, exp + len(full) - len(short)) if short else ("0", 0)
