"""Judges: comparators picked by name, and the mapping from a sandbox outcome to a verdict.

>>> from judges import get, Verdict
>>> get("lines").check("1 2 \\r\\n3", "1 2\\n3\\n")
(True, '')
"""

from . import (checker, codecontests, exact, floats, lcb, lines, openr1,  # noqa: F401
               ran, sandboxfusion, tokens, unordered, wcmp, yesno)  # (register the comparators)
from . import interactor, score  # noqa: F401
from .checker import Checker, is_checker
from .decide import decide, settled
from .registry import Comparator, JudgeSpecError, get, names, register
from .score import Scored, score_of
from .values import equal
from .verdict import ALL as VERDICTS
from .verdict import Verdict

__all__ = ["Checker", "Comparator", "JudgeSpecError", "Verdict", "VERDICTS", "decide", "equal", "get",
           "is_checker", "names", "register", "Scored", "score_of", "settled"]
