"""Verdict codes and the order in which they win."""

from __future__ import annotations

from enum import Enum


class Verdict(str, Enum):
    """The outcome of one test, as DESIGN.md defines it."""

    AC = "AC"      #: accepted
    WA = "WA"      #: wrong answer, presentation error, or missing result record
    TLE = "TLE"    #: CPU or wall time over the limit
    MLE = "MLE"    #: memory over the limit, including an OOM kill
    OLE = "OLE"    #: output over the cap
    RE = "RE"      #: non-zero exit, signal, forbidden syscall, uncaught exception
    CE = "CE"      #: compile (syntax) error
    SE = "SE"      #: the sandbox or judge failed, not the program; never a pass or a fail
    SKIP = "SKIP"  #: not run: an earlier test failed and early exit is on

    def __str__(self) -> str:
        return self.value


ALL = tuple(v.value for v in Verdict)
