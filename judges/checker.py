"""``checker``: a special judge, untrusted code run in the sandbox handed to it.

The checker's source is the problem's ``checker`` column (Python). Each check is a separate
sandboxed run from the candidate's: the candidate has ended, and its scratch directory is
gone, before the expected output is placed in the checker's. The checker gets three files in
its working directory and their names on its command line, in the order of its contract:

==================  ==================================  ========================================
spec                argv                                verdict
==================  ==================================  ========================================
``checker``         ``input output answer`` (testlib)   exit 0 AC, 1 WA, 2 WA (presentation),
                                                        7 points (``quitp``: the score in [0, 1]
                                                        at the start of its stderr, after
                                                        ``points``), anything else SE (3 is
                                                        testlib's FAIL)
``checker:cms``     ``input answer output`` (CMS/IOI)   exit 0 and a score on stdout: 1 AC,
                                                        0 ≤ score < 1 WA with that score as
                                                        the test's points; anything else SE
``checker:openr1``  ``input answer output`` (open-r1)   exit 0 and stdout ``1`` or ``100`` AC,
                                                        another number WA; anything else SE
==================  ==================================  ========================================

Points (a partially correct output) make the test WA with the checker's score in its
``score`` column (:mod:`.score`); full points are AC. Points that cannot be read or lie
outside [0, 1] are the checker's failure: SE.

A checker that does not compile, raises, is killed, runs out of its own limits
(:func:`limits`) or breaks its contract never gives AC. It is checked again on the reference
answer: when it passes there, the failure was caused by the contestant's output, which is
WA (the crash in the message); when it fails there too, SE with a message (SE is retried
and never counted as a pass or a fail).

A checker is Python, or C++ when its source has an ``#include``: the sandbox's ``cpp``
language then compiles it once per source (``pipeline.sandbox.build``) and runs the binary
for each check. Its standard library is the host's; ``testlib.h`` is not bundled.
"""

from __future__ import annotations

import math
import signal
from typing import Callable, Sequence

from pipeline.sandbox.records import RecordKind
from pipeline.sandbox.values import Limits, Outcome, Program, Status

from .registry import JudgeSpecError, register
from .score import Scored, from_points, split_points
from .verdict import Verdict

INPUT, OUTPUT, ANSWER = "input.txt", "output.txt", "answer.txt"
_ARGV = {"testlib": (INPUT, OUTPUT, ANSWER), "cms": (INPUT, ANSWER, OUTPUT),
         "openr1": (INPUT, ANSWER, OUTPUT)}

Run = Callable[[list[Program], list[Limits]], list[Outcome]]
"""The sandbox handed to a checker: runs programs, one outcome each (``SlotPool.run_batch``)."""


def limits(time_limit_s: float = 5.0, memory_limit_mb: int = 512) -> Limits:
    """A checker's own limits: CPU seconds and MiB per check, wall ``2 × time + 1``."""
    return Limits(cpu_s=time_limit_s, wall_s=2 * time_limit_s + 1, memory_mb=memory_limit_mb,
                  processes=4, stdout_cap=1 << 20, stderr_cap=1 << 20, stderr_keep=4096)


def language(source: str) -> str:
    """``cpp`` for a source with an ``#include``, else ``python``.

    >>> language("#include <cstdio>\\nint main() {}"), language("import sys")
    ('cpp', 'python')
    """
    return "cpp" if "#include" in source else "python"


def _tail(data: bytes, n: int = 300) -> str:
    text = data.decode("utf-8", "replace").strip()
    return text if len(text) <= n else "…" + text[-n:]


class Checker:
    """A special-judge contract; :meth:`judge` runs a checker over several outputs."""

    float_eps = None

    def __init__(self, contract: str):
        self.contract = contract
        self.spec = "checker" if contract == "testlib" else f"checker:{contract}"

    def check(self, output: str, expected: str) -> tuple[bool, str]:
        raise TypeError("a checker needs a sandbox and the test input: use Checker.judge")

    def program(self, source: str, test_input: str, output: bytes, expected: str) -> Program:
        """The sandboxed run that checks one output."""
        files = {INPUT: test_input.encode("utf-8", "surrogateescape"), OUTPUT: output,
                 ANSWER: expected.encode("utf-8", "surrogateescape")}
        return Program(source, mode="script", files=files, argv=_ARGV[self.contract],
                       language=language(source))

    def judge(self, run: Run, source: str, items: Sequence[tuple[str, bytes, str]],
              limit: Limits | None = None) -> list[tuple[Verdict, str]]:
        """Check ``(input, program output, expected output)`` items; one verdict each
        (:meth:`judge_scored` gives the checker's points too).

        >>> from pipeline.sandbox import SlotPool
        >>> src = "import sys; a, b = (open(f).read().split() for f in sys.argv[2:]); sys.exit(a != b)"
        >>> with SlotPool(1) as pool:
        ...     Checker("testlib").judge(pool.run_batch, src, [("", b"1 2", "1  2"), ("", b"1", "2")])
        [(<Verdict.AC: 'AC'>, ''), (<Verdict.WA: 'WA'>, 'checker: exit code 1')]
        """
        return [(s.verdict, s.message) for s in self.judge_scored(run, source, items, limit)]

    def judge_scored(self, run: Run, source: str, items: Sequence[tuple[str, bytes, str]],
                     limit: Limits | None = None) -> list[Scored]:
        """:meth:`judge` with the points each check gave (``None`` where it gave none)."""
        if not items:
            return []
        limit = limit or limits()
        programs = [self.program(source, *item) for item in items]
        outcomes = run(programs, [limit] * len(programs))
        verdicts = [self.scored(o, limit) for o in outcomes]
        # A checker that fails on a contestant's output is SE only if it fails on the
        # reference answer too: else a wrong program that makes it crash escapes its WA
        # (and with ``on_se: raise`` stops the run).
        failed = [i for i, (v, _, _), o in zip(range(len(items)), verdicts, outcomes)
                  if v is Verdict.SE and o.status is not Status.SANDBOX_ERROR]
        if failed:
            refs = [self.program(source, items[i][0], items[i][2].encode("utf-8", "surrogateescape"),
                                 items[i][2]) for i in failed]
            for i, o in zip(failed, run(refs, [limit] * len(refs))):
                if self.scored(o, limit).verdict is Verdict.AC:
                    verdicts[i] = Scored(Verdict.WA, f"{verdicts[i][1]} (on this output only; "
                                                     f"the reference answer passes)"[:500])
        return verdicts

    def verdict(self, o: Outcome, limit: Limits) -> tuple[Verdict, str]:
        """The test's verdict from the checker's outcome."""
        return tuple(self.scored(o, limit)[:2])

    def scored(self, o: Outcome, limit: Limits) -> Scored:
        """The test's verdict and points from the checker's outcome."""
        return Scored(*self._scored(o, limit))

    def _scored(self, o: Outcome, limit: Limits) -> tuple:
        rec = o.record
        if o.status is Status.SANDBOX_ERROR:
            return Verdict.SE, f"checker: sandbox error: {o.message}"
        if o.status is Status.WALL_TIMEOUT:
            return Verdict.SE, f"checker hung: wall time over {o.wall_s:.1f} s"
        if o.status in (Status.OUTPUT_LIMIT, Status.STDERR_LIMIT):
            return Verdict.SE, "checker printed more than its output cap"
        over = o.cpu_s > limit.cpu_s or o.signal == signal.SIGXCPU
        if over or o.signal is not None or o.oom_killed:
            how = (f"cpu time {o.cpu_s:.2f} s over its limit {limit.cpu_s:g} s"
                   if over else "out of memory" if o.oom_killed
                   else f"killed by signal {o.signal}")
            return Verdict.SE, f"checker failed: {how}"
        status = rec.kind if rec is not None else None
        if status is RecordKind.SYNTAX:
            return Verdict.SE, f"checker does not compile: {rec.type}: {rec.message}"[:500]
        if status is RecordKind.RAISED:
            return Verdict.SE, f"checker crashed: {rec.type}: {rec.message}"[:500]
        if status not in (RecordKind.COMPLETED, RecordKind.EXITED, None):
            return Verdict.SE, f"checker: unexpected result record {status.value!r}"
        code = o.exit_code
        if self.contract == "testlib":
            if code == 0:
                return Verdict.AC, ""
            if code in (1, 2):
                what = "checker" if code == 1 else "checker (presentation)"
                detail = _tail(o.stderr) or _tail(o.stdout)
                return Verdict.WA, f"{what}: {detail}" if detail else f"{what}: exit code {code}"
            if code == 7:                   # testlib's quitp: "points 0.5 message" on stderr
                points, said = split_points(o.stderr.decode("utf-8", "replace"))
                if points is None:
                    return Verdict.SE, (f"checker gave points (exit code 7) but no score in "
                                        f"[0, 1]: {_tail(o.stderr, 100)!r}")
                return from_points(points, f"checker: {_tail(said.encode())}")
            return Verdict.SE, (f"checker failed (exit code {code}"
                                + (", testlib FAIL" if code == 3 else "") + f"): {_tail(o.stderr)}")
        if code != 0:
            return Verdict.SE, f"checker failed (exit code {code}): {_tail(o.stderr)}"
        text = o.stdout.decode("utf-8", "replace").strip()
        token = text.split()[0] if text.split() else ""
        try:
            score = float(token)
        except ValueError:
            return Verdict.SE, f"checker printed no score: {text[:100]!r}"
        if self.contract == "openr1":
            if token in ("1", "100"):
                return Verdict.AC, ""
            return Verdict.WA, f"checker: {token} {_tail(o.stderr)}".strip()
        if not (math.isfinite(score) and 0 <= score <= 1):
            return Verdict.SE, f"checker printed a score outside [0, 1]: {token}"
        if score == 1:
            return Verdict.AC, ""
        if score > 0:
            return from_points(score, f"checker: {_tail(o.stderr)}")
        return Verdict.WA, f"checker: score {score:g} {_tail(o.stderr)}".strip(), score


@register("checker")
def make(param: str | None) -> Checker:
    """``checker`` (testlib order), ``checker:testlib``, ``checker:cms`` or ``checker:openr1``."""
    contract = param or "testlib"
    if contract not in _ARGV:
        raise JudgeSpecError(f"judge 'checker' takes one of {', '.join(_ARGV)}, got {param!r}")
    return Checker(contract)


def is_checker(spec: str | None) -> bool:
    """Whether a judge spec names a special judge.

    >>> is_checker("checker:cms"), is_checker("lines"), is_checker(None)
    (True, False, False)
    """
    return bool(spec) and spec.partition(":")[0] == "checker"
