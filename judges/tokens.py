"""``tokens``: the whitespace-separated tokens must match (CodeContests / testlib wcmp style)."""

from __future__ import annotations

from .registry import no_param, register
from .text import first_difference


class Tokens:
    spec = "tokens"
    float_eps = None

    def check(self, output: str, expected: str) -> tuple[bool, str]:
        out, exp = output.split(), expected.split()
        if out == exp:
            return True, ""
        return False, first_difference(out, exp, "token")


@register("tokens")
def make(param: str | None) -> Tokens:
    no_param("tokens", param)
    return Tokens()
