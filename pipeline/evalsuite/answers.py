"""A model's answer to what is judged: reasoning cut out, truncation noted, code taken out.

Reasoning models write their thinking before the answer (``<think>…</think>``); code in it
is drafts, so it is cut out before extraction, by the ``sample.reasoning`` patterns (regexes,
DOTALL, applied in order; the default also cuts a ``<think>`` block never closed because the
answer was cut off). A truncated answer (``finish_reason`` ``length``) is recorded as such
and, with ``on_truncated: judge``, judged on the code it has; with ``fail``, judged as an
empty program.

>>> a = answer("<think>maybe ```python\\nx = 0\\n```</think>Final:\\n```python\\nx = 1\\n```",
...            "stop", patterns=("<think>.*?</think>", "<think>.*"))
>>> a["reasoning_cut"], a["code"], a["truncated"]
(True, 'x = 1\\n', False)
>>> answer("<think>still thinking ```python\\nx = 0", "length",
...        patterns=("<think>.*?</think>", "<think>.*"))["code"] is None
True
"""

from __future__ import annotations

import re

from ..extract import extract_code


def strip_reasoning(text: str, patterns) -> str:
    """``text`` without what the patterns match.

    >>> strip_reasoning("<think>a</think>b<think>c", ("<think>.*?</think>", "<think>.*"))
    'b'
    """
    for pattern in patterns:
        text = re.sub(pattern, "", text, flags=re.DOTALL)
    return text


def answer(text: str, finish_reason: str | None, *, patterns=(), language: str = "python",
           rule: str = "last_block", on_truncated: str = "judge") -> dict:
    """What one sample gives: the text judged (``completion``), the code found in it (None
    when there is none), and whether it was truncated or had reasoning cut out."""
    stripped = strip_reasoning(text, patterns)
    truncated = finish_reason == "length"
    judged = "" if truncated and on_truncated == "fail" else stripped
    return {"completion": judged, "code": extract_code(stripped, language=language, rule=rule),
            "truncated": truncated, "reasoning_cut": stripped != text}
