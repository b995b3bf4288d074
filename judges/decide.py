"""From what the sandbox saw to a verdict, with DESIGN.md's precedence.

SE > TLE (wall) > OLE > TLE (CPU) > MLE > RE > WA/AC. The comparison happens here, outside
the sandbox: expected values never enter it, so nothing the program does can reach them,
and printing the right answer then hanging is TLE, never AC.
"""

from __future__ import annotations

import signal

from pipeline.sandbox.records import Record, RecordKind
from pipeline.sandbox.values import Outcome, Status

from .registry import Comparator
from .values import describe, equal, parse
from .verdict import Verdict

_NONE = Record(None)          # what an outcome without a record reads as

_SIGNALS = {signal.SIGSYS: "forbidden system call (SIGSYS)",
            signal.SIGXFSZ: "file size limit exceeded (SIGXFSZ)",
            signal.SIGSEGV: "segmentation fault (SIGSEGV)",
            signal.SIGKILL: "killed (SIGKILL)",
            signal.SIGABRT: "aborted (SIGABRT)"}


def _last_line(stderr: bytes) -> str:
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1][:500] if lines else ""


def decide(kind: str, outcome: Outcome, *, cpu_limit_s: float, expected: str,
           comparator: Comparator, test_block: str = "",
           language: str = "python") -> tuple[Verdict, str]:
    """Return ``(verdict, message)`` for one test.

    ``kind`` is the problem kind (``stdio``, ``function`` or ``assert``); ``expected`` is the
    expected stdout (``stdio``) or the expected return value as JSON (``function``);
    ``test_block`` is an ``assert`` test's code, whose expected values a compiled program's
    harness never sees (:mod:`.assert_values` compares them here).
    """
    if kind == "stdio":
        early = settled(outcome, cpu_limit_s=cpu_limit_s)
        if early is not None:
            return early
        output = outcome.stdout.decode("utf-8", "surrogateescape")
        try:
            ok, msg = comparator.check(output, expected)
        except Exception as exc:    # output a judge cannot read is the program's WA, never a crash
            ok, msg = False, f"the judge cannot read this output ({type(exc).__name__})"
        return (Verdict.AC, "") if ok else (Verdict.WA, msg)
    rec = outcome.record
    if (kind == "assert" and rec is not None and rec.kind is RecordKind.VALUES
            and outcome.status is not Status.SANDBOX_ERROR):
        return _values(outcome, rec, cpu_limit_s, test_block, language)
    return _decide(kind, outcome, cpu_limit_s, expected, comparator)


def _values(outcome: Outcome, rec: Record, cpu_limit_s, test_block, language):
    """A compiled ``assert`` test: the values its harness emitted, against the test block's."""
    from .assert_values import judge_values
    values = list(rec.values)
    try:
        n, mismatch = judge_values(language, test_block, values)
    except ValueError as exc:
        return Verdict.SE, f"the test block cannot be judged: {exc}"[:500]
    if mismatch is not None:
        # The original assert would have stopped the program here, whatever came after.
        return Verdict.WA, f"assertion {mismatch[0] + 1}: {mismatch[1]}"[:500]
    verdict, message = _decide("stdio", outcome, cpu_limit_s, None, None)
    if verdict is not None:
        return verdict, message
    if rec.type:
        return Verdict.RE, f"{rec.type}: {rec.message}"[:500]
    if len(values) < n:
        return Verdict.WA, (f"program ended before the test finished ({len(values)} of {n} "
                            f"assertions ran)")
    if len(values) > n:
        return Verdict.WA, f"{len(values)} values on the result channel for {n} assertions"
    return Verdict.AC, ""


def settled(outcome: Outcome, *, cpu_limit_s: float) -> tuple[Verdict, str] | None:
    """The verdict of a ``stdio`` test whatever its output says, or ``None`` when the
    program ended cleanly and its output must be judged (by a comparator or a checker)."""
    verdict, message = _decide("stdio", outcome, cpu_limit_s, None, None)
    return None if verdict is None else (verdict, message)


def _decide(kind, outcome, cpu_limit_s, expected, comparator):
    o, rec = outcome, outcome.record or _NONE
    if o.status is Status.SANDBOX_ERROR:
        return Verdict.SE, o.message or "sandbox error"
    if o.status is Status.WALL_TIMEOUT:
        return Verdict.TLE, f"wall time over {o.wall_s:.2f} s (cpu {o.cpu_s:.2f} s)"
    if o.status in (Status.OUTPUT_LIMIT, Status.STDERR_LIMIT):
        stream = "stdout" if o.status is Status.OUTPUT_LIMIT else "stderr"
        return Verdict.OLE, f"{stream} over the output cap"
    if o.cpu_s > cpu_limit_s or o.signal == signal.SIGXCPU:
        if o.cpu_s > cpu_limit_s:
            return Verdict.TLE, f"cpu time {o.cpu_s:.2f} s over the limit {cpu_limit_s:g} s"
        # RLIMIT_CPU counts whole seconds of one process; the kernel's figure for the run
        # can read just under the limit the process was killed at.
        return Verdict.TLE, f"killed at the cpu time limit {cpu_limit_s:g} s"
    error_type = rec.type or (_last_line(o.stderr).split(":")[0] if o.exit_code else "")
    if o.oom_killed or error_type == "MemoryError":
        return Verdict.MLE, "out of memory" + (" (OOM kill)" if o.oom_killed else "")
    if rec.kind is RecordKind.SYNTAX:
        return Verdict.CE, f"{rec.type}: {rec.message}"[:500]
    if o.signal is not None:
        return Verdict.RE, _SIGNALS.get(o.signal, f"killed by signal {o.signal}")
    if kind == "stdio":
        if o.exit_code:
            return Verdict.RE, f"exit code {o.exit_code}: {_last_line(o.stderr)}"
        return None, ""
    status = rec.kind
    if status is RecordKind.RAISED:
        message = f"{rec.type}: {rec.message}"[:500]
        if kind == "assert" and rec.type == "AssertionError":
            return Verdict.WA, message
        return Verdict.RE, message
    if status is RecordKind.EXITED or status is None:
        code = rec.exit_code if rec.exit_code is not None else o.exit_code
        how = f"exit code {code}"
        if o.exit_code and status is None:
            return Verdict.RE, f"{how}: {_last_line(o.stderr)}"
        return Verdict.WA, f"program ended before the test finished ({how})"
    if kind == "assert":
        if status is RecordKind.COMPLETED and o.exit_code == 0:
            return Verdict.AC, ""
        if status is RecordKind.GARBLED:
            return Verdict.WA, rec.message or "malformed result record"
        return Verdict.RE, f"exit code {o.exit_code} after the test code"
    if status is RecordKind.RETURNED:
        if rec.unserialisable is not None:
            return Verdict.WA, rec.unserialisable
        if o.exit_code:
            return Verdict.RE, f"exit code {o.exit_code}: {_last_line(o.stderr)}"
        if rec.value is None:
            return Verdict.WA, "the result record holds no value"
        try:
            actual = parse(rec.value)
        except (ValueError, RecursionError) as exc:
            return Verdict.WA, f"the returned value is not a value: {exc}"[:500]
        try:
            same = equal(actual, parse(expected), comparator.float_eps)
        except (ArithmeticError, RecursionError):     # a value that breaks the comparison
            same = False
        if same:
            return Verdict.AC, ""
        return Verdict.WA, describe(rec.value, expected)
    if status is RecordKind.GARBLED:
        return Verdict.WA, rec.message or "malformed result record"
    return Verdict.WA, f"unexpected result record {status.value!r}"
