"""``lcb``: LiveCodeBench's stdin/stdout rule, reproduced for comparison with its scores.

The whole output is stripped, split on ``\\n`` and every line stripped; the line counts must
match (so an inner blank line counts, trailing ones do not). Each line must be equal as text,
or else both lines split on whitespace must parse token by token as ``Decimal`` and the two
lists be equal: ``1.0`` equals ``1``, but ``0.333333`` is not ``0.3333333`` (no tolerance,
LiveCodeBench issues 129 and 133). Quirks kept on purpose:

- no float tolerance at all, only exact decimal equality;
- ``nan`` matches ``nan`` only as identical text (a ``Decimal`` NaN never equals itself), and
  ``inf`` equals ``Infinity``;
- ``Decimal`` accepts underscores, so ``1_000`` equals ``1000``;
- a signalling NaN (``sNaN``) makes LiveCodeBench's comparison raise, which it scores as a
  runtime error; here it is a mismatch.

>>> from judges import get
>>> get("lcb").check("1.0 2\\n", "1 2.00"), get("lcb").check("0.3333333", "0.333333")[0]
((True, ''), False)
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from .registry import no_param, register
from .text import first_difference


def stripped_lines(text: str) -> list[str]:
    return [line.strip() for line in text.strip().split("\n")]


def _decimals(line: str) -> list[Decimal] | None:
    try:
        return [Decimal(token) for token in line.split()]
    except (InvalidOperation, ValueError):
        return None


def line_equal(out: str, exp: str) -> bool:
    if out == exp:
        return True
    a, b = _decimals(out), _decimals(exp)
    if a is None or b is None:
        return False
    try:
        return a == b
    except InvalidOperation:        # sNaN
        return False


class LiveCodeBench:
    spec = "lcb"
    float_eps = None

    def check(self, output: str, expected: str) -> tuple[bool, str]:
        why = first_difference(stripped_lines(output), stripped_lines(expected), "line",
                               line_equal)
        return why is None, f"{why} (lcb)" if why else ""


@register("lcb")
def make(param: str | None) -> LiveCodeBench:
    no_param("lcb", param)
    return LiveCodeBench()
