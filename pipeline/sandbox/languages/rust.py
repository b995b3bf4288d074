"""Rust (rustc, edition 2021, -O): compiled once per source, the binary run for each test.

An ``assert`` program is MultiPL-E's solution with a generated ``fn main()`` in place of the
test block's: it evaluates each ``assert_eq!``'s left-hand side in order and writes
``format!("{:?}", value)`` as one JSON string per line on the result descriptor at once
(through fully qualified ``::std`` paths, which no macro or item of the program can
shadow). The right-hand sides never enter the program: the judges parse both sides and
compare outside (:mod:`judges.assert_values`), so a ``PartialEq`` of the program's own
decides nothing, and a program that leaves early (``process::exit``, a panic) has emitted
fewer values.
"""

from __future__ import annotations

import re

from ..values import Outcome
from . import Language, Source, register
from .syntax import block, call_args, mask, split_top, statements

_MAIN = re.compile(r"\bfn\s+main\s*\(\s*\)\s*\{")
_ASSERT_EQ = re.compile(r"\s*assert_eq\s*!\s*\(")
_ALIAS = re.compile(r"\s*let\s+(?:mut\s+)?(\w+)\s*=\s*&?\s*([A-Za-z_][\w:]*)\s*\Z")
_EMITTER = """
mod dj_values {
    pub fn emit<T: ::std::fmt::Debug + ?Sized>(value: &T) {
        use ::std::io::Write;
        use ::std::os::unix::io::FromRawFd;
        let text = ::std::format!("{:?}", value);
        let mut line = ::std::string::String::with_capacity(text.len() + 3);
        line.push('"');
        for c in text.chars() {
            match c {
                '"' => line.push_str("\\\\\\""),
                '\\\\' => line.push_str("\\\\\\\\"),
                c if (c as u32) < 0x20 => line.push_str(&::std::format!("\\\\u{:04x}", c as u32)),
                c => line.push(c),
            }
        }
        line.push_str("\\"\\n");
        let mut out = ::std::mem::ManuallyDrop::new(unsafe { ::std::fs::File::from_raw_fd(3) });
        let _ = out.write_all(line.as_bytes());
    }
}
"""


def _steps(tests: str) -> tuple[str, list[str], list[tuple[str, str]]]:
    masked = mask(tests, "rust")
    start, brace, end = block(tests, masked, _MAIN)
    if tests[end + 1:].strip():
        raise ValueError("code after the test block's main")
    steps, pairs = [], []
    for piece, mpiece in statements(tests[brace + 1:end], masked[brace + 1:end]):
        args = call_args(piece, mpiece, _ASSERT_EQ)
        if args is not None:
            parts = [p.strip() for p in split_top(args, ",", "rust")]
            if parts and not parts[-1]:
                parts.pop()                     # a trailing comma
            if len(parts) < 2 or not parts[0] or not parts[1]:
                raise ValueError(f"not an assert_eq!(ACTUAL, EXPECTED): {piece.strip()[:200]}")
            pairs.append((parts[0], parts[1]))
            steps.append(f"crate::dj_values::emit(&{parts[0]});")
        elif _ALIAS.match(mpiece) and "\n" not in piece.strip():
            steps.append(piece.strip() + ";")
        else:
            raise ValueError(f"not an assert_eq! or an alias in main: {piece.strip()[:200]}")
    if not pairs:
        raise ValueError("no assert_eq!(...) in the test block's main")
    return tests[:start], steps, pairs


def assertions(test_block: str) -> list[tuple[str, str]]:
    """The ``(actual, expected)`` expressions of a MultiPL-E Rust test block, in order.

    >>> assertions("}\\n\\nfn main() {\\n    let candidate = f;\\n"
    ...            "    assert_eq!(candidate(vec![1, 2]), (Some(1), None));\\n}\\n")
    [('candidate(vec![1, 2])', '(Some(1), None)')]
    """
    return _steps(test_block)[2]


def assert_program(code: str, tests: str) -> str:
    """The solution and a ``main`` that emits the Debug text of each assertion's left side.

    >>> "crate::dj_values::emit(&candidate(2));" in assert_program(
    ...     "fn f(x: i32) -> i32 { x", "}\\nfn main() { let candidate = f; assert_eq!(candidate(2), 3); }")
    True
    """
    try:
        head, steps, _ = _steps(tests)
    except ValueError:
        # An unreadable block emits nothing; the judges report it (SE), not the program.
        found = _MAIN.search(mask(tests, "rust"))
        head, steps = (tests[:found.start()] if found else ""), []
    body = "".join(f"    {s}\n" for s in steps)
    return f"{code}\n{head}fn main() {{\n{body}}}\n{_EMITTER}"


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
