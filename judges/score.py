"""Points: a test's score in [0, 1], and the points a special judge or an interactor gives.

A test scores 1.0 when AC, its judge's points when the judge gave some (testlib's
``quitp``, exit code 7 with the points in its message; CMS's float on stdout), 0.0 for
any other verdict, and nothing (null) for SE and SKIP, which are not judged. A points
value that cannot be read, or lies outside [0, 1], is the judge's failure (SE), never a
score.

>>> score_of(Verdict.AC), score_of(Verdict.WA), score_of(Verdict.WA, 0.5), score_of(Verdict.SE)
(1.0, 0.0, 0.5, None)
>>> parse_points("points 0.25 two of eight"), parse_points("1"), parse_points("1.5"), parse_points("ok")
(0.25, 1.0, None, None)
"""

from __future__ import annotations

import math
from typing import NamedTuple

from .verdict import Verdict


class Scored(NamedTuple):
    """A test's verdict, its message, and the points its judge gave (``None``: none given,
    the verdict's own score applies)."""

    verdict: Verdict
    message: str
    points: float | None = None


def score_of(verdict: Verdict | None, points: float | None = None) -> float | None:
    """The test's score: ``None`` for SE/SKIP (or no verdict), else the judge's points, or
    1.0 for AC and 0.0 for any other verdict."""
    if verdict is None or verdict in (Verdict.SE, Verdict.SKIP):
        return None
    if points is not None:
        return float(points)
    return 1.0 if verdict is Verdict.AC else 0.0


def parse_points(text: str) -> float | None:
    """The points at the start of a judge's message: a number in [0, 1], after testlib's
    ``points`` word if it is there; ``None`` when there is none."""
    return split_points(text)[0]


def split_points(text: str) -> tuple[float | None, str]:
    """``(points, the rest of the message)``; points ``None`` as in :func:`parse_points`.

    >>> split_points("points 0.5 three of six\\n")
    (0.5, 'three of six')
    """
    words = text.split(None, 1)
    if words and words[0].lower() == "points":
        words = text.split(None, 2)[1:]
    if not words:
        return None, text.strip()
    try:
        value = float(words[0])
    except ValueError:
        return None, text.strip()
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        return None, text.strip()
    return value, (words[1] if len(words) > 1 else "").strip()


def from_points(points: float, message: str) -> Scored:
    """The verdict of a test its judge gave ``points``: AC at full points, else WA with the
    points (partially correct).

    >>> from_points(1.0, "fine"), from_points(0.5, "half")
    (Scored(verdict=<Verdict.AC: 'AC'>, message='', points=1.0), Scored(verdict=<Verdict.WA: 'WA'>, message='partial score 0.5: half', points=0.5))
    """
    if points >= 1.0:
        return Scored(Verdict.AC, "", 1.0)
    return Scored(Verdict.WA, f"partial score {points:g}: {message}".strip().rstrip(":")[:500],
                  points)
