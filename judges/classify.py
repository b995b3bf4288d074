"""Decide from a problem statement how its outputs must be judged.

Fast heuristics first: phrases that problem setters use for multiple valid answers ("print
any of them"), float tolerance ("absolute or relative error does not exceed 10^{-6}"),
free order ("in any order"), case-free yes/no, and interaction ("flush the output"). Only
when none matches, and an LLM is given, the LLM is asked (prompt in
``configs/judges/classify.md``).

=============  ===================  ====================================================
category       suggested judge      why
=============  ===================  ====================================================
exact          (the default)        one correct output
float          ``float:EPS``        a tolerance; the comparator is exact and free
yesno          ``yesno``            YES/yes/Yes all accepted
any_order      ``checker``          order free, but lines or tokens? a checker knows
multiple       ``checker``          several valid answers: only a checker can tell
interactive    (kind interactive)   needs an interactor (its own column), not a checker
=============  ===================  ====================================================
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from .llm import LLM, LLMError

CATEGORIES = ("exact", "float", "yesno", "any_order", "multiple", "interactive")
PROMPT = Path(__file__).resolve().parents[1] / "configs" / "judges" / "classify.md"

_RULES = [  # (category, pattern); the first category that matches wins
    ("interactive", r"\binteractive (problem|task)|\binteractor\b|\bflush(ing)? the output|"
                    r"\bfflush\b|stdout\.flush|\bafter (printing|each query)\b.*\bflush"),
    ("multiple", r"\b(if|when) there (are|is|exist) (several|multiple|many|more than one)"
                 r"( possible| valid| correct| optimal)? (answers?|solutions?|ways|outputs?)\b|"
                 r"\b(print|output) any( one)? of them\b|\b(print|output) any (valid|correct|"
                 r"possible|such|suitable|optimal)\b|\bany (valid|correct) (answer|solution|"
                 r"output) (will be|is) (accepted|considered)\b|\bmultiple (valid |correct )?"
                 r"(answers|solutions) (are|may be) (accepted|possible)\b"),
    ("any_order", r"\bin (any|arbitrary) order\b|\border (does not|doesn't) matter\b"),
    ("float", r"\b(absolute|relative) (or (absolute|relative) )?error\b|\bprecision of\b|"
              r"\bwithin (an? )?(absolute |relative )?(error|tolerance)\b"),
    ("yesno", r"\b(yes|no)\b.{0,80}\bin any (letter )?case\b|\bany case\b.{0,80}\b(yes|no)\b|"
              r"\bcase[- ]insensitive\b"),
]
_EPS = [re.compile(r"10\s*\^\s*[{(]?\s*[-−–]\s*(\d+)"),
        re.compile(r"10\s*[-−–]\s*(\d+)\b(?=[^.\d])"),
        re.compile(r"\b1e[-−](\d+)\b", re.I)]


@dataclass(frozen=True)
class Classification:
    category: str
    judge: str | None
    """The judge to use (``None``: keep the default comparator, or unsupported)."""
    reason: str
    source: str
    """``heuristic`` or ``llm`` (or ``none`` when neither decided)."""

    @property
    def needs_checker(self) -> bool:
        return self.judge == "checker"

    def to_dict(self) -> dict:
        return asdict(self)


def tolerance(statement: str, default: float = 1e-6) -> float:
    """The error bound a statement states, e.g. ``10^{-9}``.

    >>> tolerance("Your answer is accepted if its absolute error is at most 10^{-9}.")
    1e-09
    """
    for pattern in _EPS:
        m = pattern.search(statement)
        if m and 1 <= int(m.group(1)) <= 15:
            return 10.0 ** -int(m.group(1))
    return default


def suggest(category: str, statement: str) -> str | None:
    if category == "float":
        return f"float:{tolerance(statement):g}"
    return {"yesno": "yesno", "any_order": "checker", "multiple": "checker"}.get(category)


def heuristic(statement: str) -> Classification | None:
    """The category the statement's wording shows, or ``None``.

    >>> heuristic("If there are several answers, print any of them.").category
    'multiple'
    >>> heuristic("Print the sum.") is None
    True
    """
    text = " ".join(statement.split())
    for category, pattern in _RULES:
        m = re.search(pattern, text, re.I)
        if m:
            return Classification(category, suggest(category, statement),
                                  f"statement says {m.group(0)!r}", "heuristic")
    return None


def _parse(answer: str) -> dict | None:
    m = re.search(r"\{.*\}", answer, re.S)
    if not m:
        return None
    try:
        data = json.loads(m.group(0))
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("category") not in CATEGORIES:
        return None
    return data


def classify(statement: str, llm: LLM | None = None, *, prompt: Path = PROMPT,
             attempts: int = 2) -> Classification:
    """Heuristics, then the LLM if one is given and the heuristics found nothing.

    >>> classify("Print the answer with absolute or relative error at most 1e-9.").judge
    'float:1e-09'
    """
    found = heuristic(statement)
    if found is not None or llm is None:
        return found or Classification("exact", None, "no phrase for a special judge", "heuristic")
    template = Path(prompt).read_text()
    messages = [{"role": "user", "content": template.replace("{statement}", statement)}]
    for _ in range(attempts):
        try:
            answer = llm.chat(messages)
        except LLMError as exc:
            return Classification("exact", None, f"no phrase matched; LLM failed: {exc}", "none")
        data = _parse(answer)
        if data is not None:
            category = data["category"]
            return Classification(category, suggest(category, statement),
                                  str(data.get("reason", ""))[:300], "llm")
        messages += [{"role": "assistant", "content": answer},
                     {"role": "user", "content": "Answer with one JSON object "
                      f"{{\"category\": ..., \"reason\": ...}}, category one of {', '.join(CATEGORIES)}."}]
    return Classification("exact", None, "no phrase matched; LLM gave no valid answer", "none")
