"""Rust (rustc, edition 2021, -O): compiled once per source, the binary run for each test.

An ``assert`` program is MultiPL-E's: the solution, then a test block with ``fn main()``
full of ``assert_eq!``. A guard declared first thing in that ``main`` writes the completion
marker when it is dropped, unless the thread is panicking: so the marker comes only from
``main`` returning, never from a failed assertion (a panic, WA) or ``process::exit``
(which drops nothing).
"""

from __future__ import annotations

import re

from ..values import Outcome
from . import MARKER, Language, Source, register

_MAIN = re.compile(r"\bfn\s+main\s*\(\s*\)\s*\{")
_GUARD = (" struct DjCompleted; impl Drop for DjCompleted { fn drop(&mut self) {"
          " if !std::thread::panicking() { use std::io::Write; use std::os::unix::io::FromRawFd;"
          " let mut f = unsafe { std::fs::File::from_raw_fd(3) };"
          " let _ = f.write_all(b%s); } } } let _dj_completed = DjCompleted;"
          % ('"' + MARKER.replace('"', '\\"') + '"'))


def assert_program(code: str, tests: str) -> str:
    """The solution and its test block, with the guard in the block's ``main``.

    >>> "DjCompleted" in assert_program("fn f() -> i32 { 1 }", "fn main() { assert_eq!(f(), 1); }")
    True
    """
    found = _MAIN.search(tests)
    if found is None:
        return f"{code}\n{tests}"
    return f"{code}\n{tests[:found.end()]}{_GUARD}{tests[found.end():]}"


class Rust(Language):
    name = "rust"
    aliases = ("rs",)
    tools = ("rustc",)
    package = "rustc"
    compile = (("rustc", "-O", "--edition", "2021", "-o", "main", "main.rs"),)
    keep = ("main",)

    def source(self, code: str, mode: str, call: str) -> Source:
        text = assert_program(code, call) if mode == "assert" else code
        return Source({"main.rs": text}, ("{bin}/main",))

    def error_type(self, stderr: str, outcome: Outcome) -> str | None:
        if outcome.exit_code == 0 and outcome.signal is None:
            return None
        if "memory allocation of" in stderr:
            return "MemoryError"
        if re.search(r"panicked at '?assertion|assertion `?\(?left == right", stderr):
            return "AssertionError"
        return None


register(Rust())
