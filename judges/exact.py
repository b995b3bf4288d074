"""``exact``: byte for byte, after removing carriage returns."""

from __future__ import annotations

from .registry import no_param, register
from .text import clip


class Exact:
    spec = "exact"
    float_eps = None

    def check(self, output: str, expected: str) -> tuple[bool, str]:
        out, exp = output.replace("\r", ""), expected.replace("\r", "")
        if out == exp:
            return True, ""
        i = next((i for i, (a, b) in enumerate(zip(out, exp)) if a != b), min(len(out), len(exp)))
        return False, f"differs at character {i}: expected {clip(exp[i:i + 20])}, got {clip(out[i:i + 20])}"


@register("exact")
def make(param: str | None) -> Exact:
    no_param("exact", param)
    return Exact()
