"""C++ (GNU g++, C++17, -O2): compiled once per source, the binary run for each test.

``#include <bits/stdc++.h>`` as a program's first include is read from a precompiled header
(:func:`pch`): 0.5 s of CPU per compile instead of 2.9 s (measured on the project machine).
The header is the toolchain's, not the program's, so it is built on the host, once per
machine and compiler, and the sandbox sees it read-only at ``/pch``.

An ``assert`` program is MultiPL-E's: the solution, then the test block with its own
``int main()``. Two lines are added around them: glibc's ``__assert_fail`` is replaced by
one that reports ``AssertionError`` on the result descriptor (so a failed ``assert`` is WA,
not an abort), and a guard object is declared first thing in the test block's ``main``,
whose destructor writes the completion marker. Destructors of locals run only when
``main`` returns, never on ``exit()`` or an abort, so a program that leaves early does not
pass.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import subprocess
import tempfile
import threading
from pathlib import Path

from ..values import Outcome
from . import MARKER, Language, Source, register

FLAGS = ("-std=c++17", "-O2", "-pipe", "-DONLINE_JUDGE")

_MAIN = re.compile(r"\bint\s+main\s*\(\s*(void)?\s*\)\s*\{")
_LEADING = re.compile(r"\A(?:[ \t]*(?:#[^\n]*|//[^\n]*)?\n)*")

_REPORT = r"""
#include <unistd.h>
extern "C" void __assert_fail(const char *expr, const char *file, unsigned int line,
                              const char *fn) noexcept {
  static const char rec[] = "{\"status\":\"raised\",\"type\":\"AssertionError\"}";
  (void)!write(3, rec, sizeof rec - 1);
  (void)!write(2, "Assertion failed: ", 18);
  for (const char *p = expr; *p; ++p) (void)!write(2, p, 1);
  (void)!write(2, "\n", 1);
  _exit(1);
}
struct DjCompleted {
  ~DjCompleted() { (void)!write(3, "%s", %d); }
};
""" % (MARKER.replace('"', '\\"'), len(MARKER))


def assert_program(code: str, tests: str) -> str:
    """The solution and its test block as one translation unit, with the harness.

    >>> src = assert_program("#include <cassert>\\nint f() { return 1; }", "int main() { assert(f() == 1); }")
    >>> src.index("#include <cassert>") < src.index("__assert_fail") < src.index("DjCompleted dj_completed")
    True
    """
    lead = _LEADING.match(code).end()          # keep the includes first: the PCH needs it
    program = code[:lead] + _REPORT + code[lead:] + "\n"
    found = _MAIN.search(tests)
    if found is None:
        # No main to guard: nothing ever reports completion, so the test cannot pass.
        return program + tests
    return (program + tests[:found.end()] + " DjCompleted dj_completed;"
            + tests[found.end():])


class Cpp(Language):
    name = "cpp"
    aliases = ("c++", "cpp17", "gnu++17", "cxx")
    tools = ("g++",)
    package = "g++"
    keep = ("main",)

    def source(self, code: str, mode: str, call: str) -> Source:
        text = assert_program(code, call) if mode == "assert" else code
        return Source({"main.cpp": text}, ("{bin}/main",))

    def compile_commands(self, pch: str | None) -> tuple[tuple[str, ...], ...]:
        include = ("-I", pch, "-Winvalid-pch") if pch else ()
        return (("g++", *FLAGS, *include, "-o", "main", "main.cpp"),)

    def error_type(self, stderr: str, outcome: Outcome) -> str | None:
        if "std::bad_alloc" in stderr:
            return "MemoryError"
        return None


LANGUAGE = register(Cpp())

PCH_ROOT = "/pch"
"""Where the sandbox sees :func:`pch_root`."""
_PCH_LOCK = threading.Lock()


def pch_root() -> Path:
    """The host folder of precompiled headers (bound read-only into every sandbox)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "daskjudge" / "pch"


def pch(level: str | None) -> str | None:
    """The ``-I`` folder holding ``bits/stdc++.h.gch`` for :data:`FLAGS`, as a program
    compiled at isolation ``level`` sees it; built on first use. ``None`` when it cannot
    be built (compiles then read the header itself)."""
    cpp = LANGUAGE
    if cpp.missing():
        return None
    tag = hashlib.sha256((cpp.version + repr(FLAGS)).encode()).hexdigest()[:16]
    folder = pch_root() / tag
    gch = folder / "bits" / "stdc++.h.gch"
    with _PCH_LOCK:
        if not gch.exists() and not _build_pch(gch):
            return None
    return f"{PCH_ROOT}/{tag}" if level in ("full", "rootless") else str(folder)


def _build_pch(gch: Path) -> bool:
    try:
        gch.parent.mkdir(parents=True, exist_ok=True)
        with open(pch_root() / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)            # one build per machine
            if gch.exists():
                return True
            pre = subprocess.run(["g++", *FLAGS, "-x", "c++", "-E", "-"], capture_output=True,
                                 input=b"#include <bits/stdc++.h>\n", timeout=120)
            m = re.search(rb'^# 1 "([^"]+/bits/stdc\+\+\.h)"', pre.stdout, re.M)
            if m is None:
                return False
            fd, tmp = tempfile.mkstemp(dir=gch.parent, suffix=".gch")
            os.close(fd)
            r = subprocess.run(["g++", *FLAGS, "-x", "c++-header", m.group(1).decode(),
                                "-o", tmp], capture_output=True, timeout=600)
            if r.returncode:
                os.unlink(tmp)
                return False
            os.chmod(tmp, 0o644)
            os.replace(tmp, gch)
            return True
    except (OSError, subprocess.SubprocessError):
        return False
