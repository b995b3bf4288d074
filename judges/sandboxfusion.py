"""``sandboxfusion``: verl's SandboxFusion comparison: exact, after removing trailing
newlines from both sides and nothing else.

Trailing spaces, inner whitespace, carriage returns and float formatting all count, so a
CRLF answer fails where every judge accepts it.

>>> from judges import get
>>> get("sandboxfusion").check("3\\n\\n", "3"), get("sandboxfusion").check("3 \\n", "3\\n")[0]
((True, ''), False)
"""

from __future__ import annotations

from .registry import no_param, register
from .text import clip


class SandboxFusion:
    spec = "sandboxfusion"
    float_eps = None

    def check(self, output: str, expected: str) -> tuple[bool, str]:
        out, exp = output.rstrip("\n"), expected.rstrip("\n")
        if out == exp:
            return True, ""
        i = next((i for i, (a, b) in enumerate(zip(out, exp)) if a != b), min(len(out), len(exp)))
        return False, (f"differs at character {i}: expected {clip(exp[i:i + 20])}, "
                       f"got {clip(out[i:i + 20])} (sandboxfusion)")


@register("sandboxfusion")
def make(param: str | None) -> SandboxFusion:
    no_param("sandboxfusion", param)
    return SandboxFusion()
