"""``lines`` (the default): line by line, ignoring the whitespace at both ends of each line.

Carriage returns are removed and trailing blank lines ignored; otherwise the number of lines
and every line must match. This accepts what every judge accepts (a missing final newline,
trailing spaces, CRLF) and nothing that changes the answer (an extra or missing line).
"""

from __future__ import annotations

from .registry import no_param, register
from .text import SequenceComparator


def normalise(text: str) -> list[str]:
    lines = [line.strip() for line in text.replace("\r", "").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


class Lines(SequenceComparator):
    spec, unit = "lines", "line"

    def split(self, text: str) -> list[str]:
        return normalise(text)


@register("lines")
def make(param: str | None) -> Lines:
    no_param("lines", param)
    return Lines()
