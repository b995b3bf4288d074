"""``openr1``: open-r1's ``code_reward`` comparison, reproduced with its truncation.

The program's stdout is read in text mode (so ``\\r\\n`` and a lone ``\\r`` become ``\\n``)
and stripped; the expected output is not. Both are split on ``\\n`` and the lines paired
with ``zip``, each pair equal after stripping. ``zip`` stops at the shorter side, so:

- an output that is a prefix of the expected lines passes (``1`` against ``1\\n2``);
- extra output lines pass when the expected output has no final newline (``1\\n2\\n3``
  against ``1\\n2``), and fail when it has one (the expected side's trailing ``""`` meets
  the extra line);
- an empty output fails unless the expected output's first line is blank.

>>> from judges import get
>>> get("openr1").check("1\\n", "1\\n2\\n"), get("openr1").check("1\\n2\\n3", "1\\n2")
((True, ''), (True, ''))
"""

from __future__ import annotations

from .registry import no_param, register
from .text import clip


class OpenR1:
    spec = "openr1"
    float_eps = None

    def check(self, output: str, expected: str) -> tuple[bool, str]:
        out = output.replace("\r\n", "\n").replace("\r", "\n").strip().split("\n")
        for i, (a, b) in enumerate(zip(out, expected.split("\n"))):
            if a.strip() != b.strip():
                return False, f"line {i + 1}: expected {clip(b.strip())}, got {clip(a.strip())} (openr1)"
        return True, ""


@register("openr1")
def make(param: str | None) -> OpenR1:
    no_param("openr1", param)
    return OpenR1()
