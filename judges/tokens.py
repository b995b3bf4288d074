"""``tokens``: the whitespace-separated tokens must match (CodeContests / testlib wcmp style)."""

from __future__ import annotations

from .registry import no_param, register
from .text import SequenceComparator


class Tokens(SequenceComparator):
    spec, unit = "tokens", "token"

    def split(self, text: str) -> list[str]:
        return text.split()


@register("tokens")
def make(param: str | None) -> Tokens:
    no_param("tokens", param)
    return Tokens()
