"""``codecontests``: DeepMind CodeContests' ``OutputsMatch``, reproduced with its quirks.

Both outputs are split on any of space, ``\\n``, ``\\t``, ``\\r`` and ``\\v`` (empty pieces
dropped; a form feed is *not* a separator) and every token is lowercased (ASCII only). Equal
token lists match. Otherwise the counts must be equal and each pair match: if either token
is not a number, as text; else, since every number also parses as a double, as doubles
with ``|a - b| < 1e-5`` (absolute only). Consequences kept on purpose:

- fully case-insensitive (``Hello`` equals ``HELLO``), line structure ignored;
- integers are compared as doubles, so ``10**18`` and ``10**18 + 1`` match (false positive),
  and large values differing in the sixth significant digit do not;
- ``nan`` never matches ``nan`` and ``inf`` never matches ``inf`` unless the whole token
  lists are identical (``inf - inf`` is NaN);
- numbers are what ``absl::SimpleAtod`` accepts: an optional ``+``, then C ``strtod``-style
  decimal (``1e5``, ``.5``, ``5.``), ``inf``/``infinity``/``nan``; out-of-range values become
  infinities. (Its branch for two 32-bit integers is never reached: every integer is also a
  double.)

>>> from judges import get
>>> get("codecontests").check("YES 1000000000000000001", "yes 1000000000000000000")
(True, '')
"""

from __future__ import annotations

import re

from .registry import no_param, register
from .text import first_difference

_SEPARATORS = re.compile(r"[ \n\t\r\v]+")
_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# What absl::SimpleAtod accepts (std::from_chars, general format, after one optional '+').
# ASCII digits only, as strtod reads them (``\\d`` alone also matches other scripts' digits).
# ``\d+(?:\.\d*)?`` rather than ``\d+\.?\d*``, which backtracks quadratically on a long
# run of digits that is not a number (see judges.floats).
_DOUBLE = re.compile(r"\+?-?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?|inf(?:inity)?|nan(?:\([0-9a-z_]*\))?)\Z",
                     re.ASCII)
PRECISION = 1e-5


def split(text: str) -> list[str]:
    return [t.translate(_LOWER) for t in _SEPARATORS.split(text) if t]


def _double(token: str) -> float | None:
    if not _DOUBLE.match(token):
        return None
    body = token[1:] if token.startswith("+") else token
    body = re.sub(r"nan\(.*\)", "nan", body)
    try:
        return float(body)              # Python overflows to inf, as absl does
    except ValueError:
        return None


def values_match(a: str, b: str) -> bool:
    x, y = _double(a), _double(b)
    if x is None or y is None:
        return a == b
    return abs(x - y) < PRECISION     # NaN compares False, as in C++


class CodeContests:
    spec = "codecontests"
    float_eps = None

    def check(self, output: str, expected: str) -> tuple[bool, str]:
        out, exp = split(output), split(expected)
        if out == exp:
            return True, ""
        why = first_difference(out, exp, "token", values_match)
        return why is None, f"{why} (codecontests)" if why else ""


@register("codecontests")
def make(param: str | None) -> CodeContests:
    no_param("codecontests", param)
    return CodeContests()

