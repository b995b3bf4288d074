"""``interactive``: the verdict of a test from what the program and its interactor did.

The interactor is the problem's own code (testlib's contract): it ran beside the program,
read the test's input from ``INPUT``, talked with the program, may have written a message
to ``OUTPUT``, and decided by its exit code. The sandbox reports both ends
(:class:`~pipeline.sandbox.values.Outcome` and its ``interactor``); this module reads them
in this order, the first that applies deciding:

1. **SE** — the sandbox failed, or the interactor broke its own limits (CPU, memory, its
   output caps, or the wall backstop when the hang was its own), did not compile, or
   said FAIL (exit code 3).
2. **SE** — the interactor failed (below) while the program still ran and had not closed
   its output: the sandbox shows the program the interactor's end only after recording
   it, so a program that then fails on the end of its input cannot hide the failure.
3. **The program's own end**, as for any ``stdio`` program: TLE (CPU, or the wall
   backstop: a program that never ends, or one idle while the interactor waits for it),
   OLE, MLE, CE, RE (a signal or a non-zero exit code, even after the interactor decided).
4. **How the interactor ended.** A crash (an uncaught exception, a signal) is SE, with its
   error, unless it crashed on the end of its input (``EOFError``; SIGPIPE or
   ``BrokenPipeError``), which only the program can cause by ending or closing its output
   early: WA. Else its exit code: 0 AC; 1 WA; 2 WA (presentation); 7 points, read from the
   start of its ``OUTPUT`` message, else of its stderr (testlib's ``points 0.5 …``), in
   [0, 1]: 1 is AC, less is WA with those points, none readable SE; any other code SE.

Why a crash is SE and not WA: a checker that crashes on a program's output is run again on
the reference answer, and a crash there too is the checker's bug. An interactor cannot be
run again so: its input from the program was this program's conversation, and no reference
conversation exists. A crash mid-conversation may be the program's malformed line or the
interactor's bug; it cannot be told which, so it is neither a pass nor a fail. An
interactor that rejects malformed output with exit code 1 or 2 (as testlib's ``ouf`` does)
never crashes on it.
"""

from __future__ import annotations

import signal

from pipeline.sandbox.records import RecordKind
from pipeline.sandbox.values import Interactor, Limits, Outcome, Status

from .checker import language as checker_language
from .decide import settled
from .score import Scored, from_points, split_points
from .verdict import Verdict

_EOF_ERRORS = ("EOFError", "BrokenPipeError")
INPUT, OUTPUT, ANSWER = "input.txt", "output.txt", "answer.txt"


def limits(time_limit_s: float = 5.0, memory_limit_mb: int = 512) -> Limits:
    """An interactor's own limits: CPU seconds and MiB per test (the wall backstop is the
    program's: the two end together)."""
    return Limits(cpu_s=time_limit_s, memory_mb=memory_limit_mb, processes=4,
                  stdout_cap=1 << 20, stderr_cap=1 << 20, stderr_keep=4096)


def interactor(source: str, language: str | None, test_input: str, answer: str = "",
               limit: Limits | None = None) -> Interactor:
    """The interactor of one test: ``interactor INPUT OUTPUT``, and ``ANSWER`` after them
    when the test has an expected output (testlib's optional answer file). With no
    ``language``, as for a checker: C++ when the source has an ``#include``, else Python.

    >>> interactor("pass", None, "7\\n").argv, interactor("pass", "cpp", "7\\n", "42").argv
    (('input.txt', 'output.txt'), ('input.txt', 'output.txt', 'answer.txt'))
    """
    files = {INPUT: test_input.encode("utf-8", "surrogateescape")}
    argv: tuple[str, ...] = (INPUT, OUTPUT)
    if answer:
        files[ANSWER] = answer.encode("utf-8", "surrogateescape")
        argv += (ANSWER,)
    return Interactor(source, language=language or checker_language(source), files=files, argv=argv,
                      output=OUTPUT, limits=limit or limits())


def _tail(data: bytes, n: int = 300) -> str:
    text = data.decode("utf-8", "replace").strip()
    return text if len(text) <= n else "…" + text[-n:]


def _said(i: Outcome) -> str:
    """What the interactor said: its message file, else its stderr."""
    return _tail(i.output_file) or _tail(i.stderr)


def _failed(i: Outcome, cpu_limit_s: float) -> str | None:
    """Why the interactor itself failed (SE), or ``None``."""
    rec = i.record
    if i.status is Status.SANDBOX_ERROR:
        return f"sandbox error: {i.message}"
    if i.status is Status.WALL_TIMEOUT:
        return f"hung at the wall backstop ({i.message})"
    if i.status in (Status.OUTPUT_LIMIT, Status.STDERR_LIMIT):
        stream = "stderr" if i.status is Status.STDERR_LIMIT else "output"
        return f"its {stream} passed its cap"
    if i.cpu_s > cpu_limit_s or i.signal == signal.SIGXCPU:
        return f"cpu time {i.cpu_s:.2f} s over its limit {cpu_limit_s:g} s"
    if i.oom_killed and i.signal == signal.SIGKILL:
        return "out of memory (OOM kill)"
    if rec is not None and rec.kind is RecordKind.SYNTAX:
        return f"does not compile: {rec.type}: {rec.message}"[:500]
    if rec is not None and rec.kind is RecordKind.RAISED and rec.type == "MemoryError":
        return "out of memory (MemoryError)"
    if _exit_code(i) == 3:
        return f"FAIL (exit code 3): {_said(i)}"
    return None


def _exit_code(i: Outcome) -> int | None:
    rec = i.record
    if rec is not None and rec.kind is RecordKind.COMPLETED:
        return 0 if i.exit_code in (0, None) else i.exit_code
    if rec is not None and rec.kind is RecordKind.EXITED and rec.exit_code is not None:
        return rec.exit_code
    return i.exit_code


def decide(outcome: Outcome, *, cpu_limit_s: float, interactor_cpu_s: float) -> Scored:
    """The verdict (and points) of one interactive test.

    ``cpu_limit_s`` is the program's CPU limit, ``interactor_cpu_s`` the interactor's.

    >>> from pipeline.sandbox.values import Outcome, Status
    >>> ran = lambda code, **kw: Outcome(Status.EXITED, exit_code=0,
    ...                                  interactor=Outcome(Status.EXITED, exit_code=code, **kw))
    >>> decide(ran(0), cpu_limit_s=1, interactor_cpu_s=1).verdict.value
    'AC'
    >>> decide(ran(1, stderr=b"wrong guess"), cpu_limit_s=1, interactor_cpu_s=1).message
    'interactor: wrong guess'
    >>> decide(ran(7, output_file=b"0.5 too many queries"), cpu_limit_s=1, interactor_cpu_s=1)
    Scored(verdict=<Verdict.WA: 'WA'>, message='partial score 0.5: too many queries', points=0.5)
    >>> decide(ran(3), cpu_limit_s=1, interactor_cpu_s=1).verdict.value
    'SE'
    """
    o, i = outcome, outcome.interactor
    if o.status is Status.SANDBOX_ERROR:
        return Scored(Verdict.SE, o.message or "sandbox error")
    if i is None:
        return Scored(Verdict.SE, "the interactor did not run")
    why = _failed(i, interactor_cpu_s)
    if why is not None:
        return Scored(Verdict.SE, f"interactor {why}"[:500])
    if o.status is Status.STOPPED:
        return Scored(Verdict.SE, f"the program was stopped: {o.message}"[:500])
    own = _ended(i)
    if own.verdict is Verdict.SE and i.ended_first:
        # It failed while the program still ran and talked: what the program did next
        # (often: fail on the end of its input) is a consequence.
        return own
    if o.status is Status.WALL_TIMEOUT and o.message:
        return Scored(Verdict.TLE, f"wall time over {o.wall_s:.2f} s (cpu {o.cpu_s:.2f} s): "
                                   f"{o.message}"[:500])
    early = settled(o, cpu_limit_s=cpu_limit_s)
    if early is not None:
        return Scored(*early)
    return own


def _ended(i: Outcome) -> Scored:
    """The verdict the interactor's own end gives: its crash, or its exit code."""
    rec = i.record
    if rec is not None and rec.kind is RecordKind.RAISED:
        if rec.type in _EOF_ERRORS:
            return Scored(Verdict.WA, f"the program ended (or closed its output) before the "
                                      f"interactor was done ({rec.type})")
        return Scored(Verdict.SE, f"interactor crashed: {rec.type}: {rec.message}"[:500])
    if i.signal == signal.SIGPIPE:
        return Scored(Verdict.WA, "the program ended before the interactor was done (SIGPIPE)")
    if i.signal is not None:
        return Scored(Verdict.SE, f"interactor killed by signal {i.signal}: {_tail(i.stderr)}"[:500])
    if i.status is Status.STOPPED:
        return Scored(Verdict.SE, "the interactor was stopped before it decided")
    code = _exit_code(i)
    if code == 0:
        return Scored(Verdict.AC, "")
    if code in (1, 2):
        what = "interactor" if code == 1 else "interactor (presentation)"
        said = _said(i)
        return Scored(Verdict.WA, f"{what}: {said}" if said else f"{what}: exit code {code}")
    if code == 7:
        points, said = split_points(i.output_file.decode("utf-8", "replace"))
        if points is None:
            points, said = split_points(i.stderr.decode("utf-8", "replace"))
        if points is None:
            return Scored(Verdict.SE, f"interactor gave points (exit code 7) but no score in "
                                      f"[0, 1]: {_said(i)!r}"[:500])
        return from_points(points, _tail(said.encode()))
    return Scored(Verdict.SE, f"interactor failed (exit code {code}): {_said(i)}"[:500])
