"""``checker``: a special judge, untrusted code run in the sandbox handed to it.

The checker's source is the problem's ``checker`` column (Python). Each check is a separate
sandboxed run from the candidate's: the candidate has ended, and its scratch directory is
gone, before the expected output is placed in the checker's. The checker gets three files in
its working directory and their names on its command line, in the order of its contract:

==================  ==================================  ========================================
spec                argv                                verdict
==================  ==================================  ========================================
``checker``         ``input output answer`` (testlib)   exit 0 AC, 1 WA, 2 WA (presentation),
                                                        anything else SE (3 is testlib's FAIL)
``checker:cms``     ``input answer output`` (CMS/IOI)   exit 0 and a score on stdout: 1 AC,
                                                        0 ≤ score < 1 WA; anything else SE
``checker:openr1``  ``input answer output`` (open-r1)   exit 0 and stdout ``1`` or ``100`` AC,
                                                        another number WA; anything else SE
==================  ==================================  ========================================

A checker that does not compile, raises, is killed, runs out of its own limits
(:func:`limits`) or breaks its contract gives SE with a message, never AC: SE is retried and
never counted as a pass or a fail.

A checker is Python, or C++ when its source has an ``#include``. A C++ checker is compiled
once per process (cached by the hash of its source) by ``g++`` run in the sandbox, and its
binary is then placed beside the three files of each check and started by a small launcher.
Its standard library is the host's; ``testlib.h`` is not bundled.
"""

from __future__ import annotations

import hashlib
import math
import signal
import threading
from collections import OrderedDict
from typing import Callable, Sequence

from pipeline.sandbox.values import Limits, Outcome, Program

from .registry import JudgeSpecError, register
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


# Run in the sandbox: compile the checker placed in scratch, send the binary back on stdout.
_COMPILE = """import subprocess, sys
r = subprocess.run(["g++", "-O2", "-std=c++17", "-o", "checker", "checker.cpp"],
                   stdin=subprocess.DEVNULL, capture_output=True)
if r.returncode:
    sys.stderr.buffer.write(r.stderr[-3000:])
    sys.exit(1)
sys.stdout.buffer.write(open("checker", "rb").read())
"""
# Run in the sandbox: make the placed (read-only) binary executable and become it.
_LAUNCH = """import os, shutil, sys
shutil.copyfile("checker.bin", "checker")
os.chmod("checker", 0o700)
os.execv("./checker", ["checker", *sys.argv[1:]])
"""
_COMPILE_LIMITS = Limits(cpu_s=60, wall_s=180, memory_mb=2048, processes=16, file_size_mb=64,
                         stdout_cap=64 << 20, stderr_keep=4096)
_BINARIES: OrderedDict[str, bytes | str] = OrderedDict()   # by source hash, least recent first
_KEEP_BINARIES = 256                                        # ~50 MB at 200 KB a binary
_COMPILING = threading.Lock()


def language(source: str) -> str:
    """``cpp`` for a source with an ``#include``, else ``python``.

    >>> language("#include <cstdio>\\nint main() {}"), language("import sys")
    ('cpp', 'python')
    """
    return "cpp" if "#include" in source else "python"


def compiled(run: Run, source: str) -> bytes | str:
    """The binary of a C++ checker (compiled once per process), or why it did not compile."""
    key = hashlib.sha256(source.encode("utf-8", "surrogateescape")).hexdigest()
    with _COMPILING:
        if key in _BINARIES:
            _BINARIES.move_to_end(key)
        else:
            program = Program(_COMPILE, mode="script",
                              files={"checker.cpp": source.encode("utf-8", "surrogateescape")})
            [o] = run([program], [_COMPILE_LIMITS])
            if o.status == "exited" and o.exit_code == 0 and o.stdout:
                _BINARIES[key] = o.stdout
            elif o.status == "sandbox_error":
                return f"sandbox error while compiling: {o.message}"   # not cached: retried
            else:
                _BINARIES[key] = (f"{o.status}, exit code {o.exit_code}: "
                                  f"{_tail(o.stderr, 600) or (o.record or {}).get('message', '')}")
            while len(_BINARIES) > _KEEP_BINARIES:
                _BINARIES.popitem(last=False)
        return _BINARIES[key]


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

    def program(self, source: str, test_input: str, output: bytes, expected: str,
                binary: bytes | None = None) -> Program:
        """The sandboxed run that checks one output (``binary``: a compiled C++ checker)."""
        files = {INPUT: test_input.encode("utf-8", "surrogateescape"), OUTPUT: output,
                 ANSWER: expected.encode("utf-8", "surrogateescape")}
        if binary is not None:
            files["checker.bin"] = binary
            source = _LAUNCH
        return Program(source, mode="script", files=files, argv=_ARGV[self.contract])

    def judge(self, run: Run, source: str, items: Sequence[tuple[str, bytes, str]],
              limit: Limits | None = None) -> list[tuple[Verdict, str]]:
        """Check ``(input, program output, expected output)`` items; one verdict each.

        >>> from pipeline.sandbox import SlotPool
        >>> src = "import sys; a, b = (open(f).read().split() for f in sys.argv[2:]); sys.exit(a != b)"
        >>> with SlotPool(1) as pool:
        ...     Checker("testlib").judge(pool.run_batch, src, [("", b"1 2", "1  2"), ("", b"1", "2")])
        [(<Verdict.AC: 'AC'>, ''), (<Verdict.WA: 'WA'>, 'checker: exit code 1')]
        """
        if not items:
            return []
        limit = limit or limits()
        binary = None
        if language(source) == "cpp":
            binary = compiled(run, source)
            if isinstance(binary, str):
                return [(Verdict.SE, f"checker does not compile: {binary}"[:800])] * len(items)
        programs = [self.program(source, *item, binary=binary) for item in items]
        return [self.verdict(o, limit) for o in run(programs, [limit] * len(programs))]

    def verdict(self, o: Outcome, limit: Limits) -> tuple[Verdict, str]:
        """The test's verdict from the checker's outcome."""
        rec = o.record or {}
        if o.status == "sandbox_error":
            return Verdict.SE, f"checker: sandbox error: {o.message}"
        if o.status == "wall_timeout":
            return Verdict.SE, f"checker hung: wall time over {o.wall_s:.1f} s"
        if o.status in ("output_limit", "stderr_limit"):
            return Verdict.SE, "checker printed more than its output cap"
        over = o.cpu_s > limit.cpu_s or o.signal == signal.SIGXCPU
        if over or o.signal is not None or o.oom_killed:
            how = (f"cpu time {o.cpu_s:.2f} s over its limit {limit.cpu_s:g} s"
                   if over else "out of memory" if o.oom_killed
                   else f"killed by signal {o.signal}")
            return Verdict.SE, f"checker failed: {how}"
        status = rec.get("status")
        if status == "syntax":
            return Verdict.SE, f"checker does not compile: {rec.get('type')}: {rec.get('message', '')}"[:500]
        if status == "raised":
            return Verdict.SE, f"checker crashed: {rec.get('type')}: {rec.get('message', '')}"[:500]
        if status not in ("completed", "exited", None):
            return Verdict.SE, f"checker: unexpected result record {status!r}"
        code = o.exit_code
        if self.contract == "testlib":
            if code == 0:
                return Verdict.AC, ""
            if code in (1, 2):
                what = "checker" if code == 1 else "checker (presentation)"
                detail = _tail(o.stderr) or _tail(o.stdout)
                return Verdict.WA, f"{what}: {detail}" if detail else f"{what}: exit code {code}"
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
        return Verdict.WA, f"checker: score {score:g} {_tail(o.stderr)}".strip()


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
