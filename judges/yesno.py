"""``yesno``: tokens, with the words yes and no compared without regard to case.

Judges accept ``Yes``, ``YES`` and ``yes`` alike when a statement asks for yes or no
(testlib's ``yesno`` checker, open-r1's Codeforces comparison); every other token must match
exactly, so ``Yes`` against ``Possible`` or ``1`` against ``01`` stays wrong.

>>> from judges import get
>>> get("yesno").check("YES\\nno", "Yes No")
(True, '')
"""

from __future__ import annotations

from .registry import no_param, register
from .text import first_difference

_WORDS = ("yes", "no")


def token_equal(out: str, exp: str) -> bool:
    return out == exp or (out.lower() in _WORDS and out.lower() == exp.lower())


class YesNo:
    spec = "yesno"
    float_eps = None

    def check(self, output: str, expected: str) -> tuple[bool, str]:
        why = first_difference(output.split(), expected.split(), "token", token_equal)
        return why is None, why or ""


@register("yesno")
def make(param: str | None) -> YesNo:
    no_param("yesno", param)
    return YesNo()
