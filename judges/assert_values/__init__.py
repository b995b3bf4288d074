"""``assert`` tests in compiled languages, judged outside the sandbox from emitted values.

The harness of a C++, JavaScript, Java, Go or Rust ``assert`` build (see
:mod:`pipeline.sandbox.languages`) evaluates the left-hand side of each assertion of the
test block in order and writes its value as one line on the result descriptor; the
right-hand sides never enter the sandbox. Here each expected expression is read as a value
of its language and compared with the emitted line the way the original assertion would
have compared them:

=========== ================================== =============================================
language    emitted line                       comparison
=========== ================================== =============================================
cpp         JSON (``{"$map": …}`` for maps)    ``==``: numbers by value (exact), containers
                                               element by element, ``std::nullopt`` as null
javascript  JSON with ``{"$js": …}`` tags      ``assert.deepEqual`` (loose, as Node 20)
java        JSON with ``{"$optional": …}`` …   ``==`` on numbers and booleans, else
                                               ``equals`` (types count, floats bit for bit)
go          ``fmt.Sprintf("%v")`` as a string  the expected literal rendered as ``%v`` would
rust        ``format!("{:?}")`` as a string    ``assert_eq!``: both sides parsed, maps as maps
=========== ================================== =============================================

>>> block = "}\\nint main() {\\n  auto candidate = f;\\n  assert(candidate(1) == (2));\\n  assert(candidate(2) == (4));\\n}\\n"
>>> judge_values("cpp", block, ["2", "5"])
(2, (1, 'candidate(2) gave 5, expected (4)'))
>>> judge_values("cpp", block, ["2"])
(2, None)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields, is_dataclass
from typing import Any, Callable

# The types of the values that expected_values returns are importable from here.
from .cpp import CppMap, CppSet, _cpp
from .go import GoValue, _go
from .java import JavaChar, JavaMap, JavaOptional, JavaSet, JavaTuple, _java
from .javascript import UNDEFINED, JsBigInt, _javascript
from .rust import RustChar, RustEnum, RustMap, RustSet, RustStruct, RustTuple, _rust

MESSAGE_PART = 160
"""Characters of one expression or value quoted in a mismatch message."""


def judge_values(language: str, test_block: str,
                 values: list[str]) -> tuple[int, tuple[int, str] | None]:
    """``(number of assertions, first mismatch as (index, message) or None)``.

    Only the values that were emitted are compared (fewer values than assertions, or more,
    are the caller's to judge). Never raises for ``values``; a test block (or an expected
    literal in it) that cannot be read raises ``ValueError``.
    """
    if not isinstance(test_block, str):
        raise ValueError("the test block is not text")
    checks = _checks(_canonical(language), test_block)
    lines = _lines(values)
    for i, (check, line) in enumerate(zip(checks, lines)):
        if len(line) > check.longest:
            # Never equal, and parsing it would cost the judge far more than the program.
            got = f"a value of {len(line)} characters"
            ok = False
        else:
            try:
                ok, shown = check.compare(line)
            except Exception:               # noqa: BLE001 — a value is never the judge's error
                ok, shown = False, None
            got = "an unreadable value " + _short(line) if shown is None else _short(shown)
        if not ok:
            return len(checks), (i, f"{_short(check.actual)} gave {got}, "
                                    f"expected {_short(check.expected)}")
    return len(checks), None


def expected_values(language: str, test_block: str) -> list[Any]:
    """The expected side of each assertion as read here (for tests and messages)."""
    return [c.value for c in _checks(_canonical(language), test_block)]


# ----------------------------------------------------------------------------- plumbing
@dataclass(frozen=True)
class _Check:
    actual: str
    expected: str
    value: Any
    compare_line: Callable[[str, Any], tuple[bool, Any]]
    longest: int
    """Characters past which a line cannot be this value, however it is written."""

    def compare(self, line: str) -> tuple[bool, Any]:
        return self.compare_line(line, self.value)


def _width(v, depth: int = 0) -> int:
    """Roughly the characters of ``v`` written out (for :attr:`_Check.longest`)."""
    if depth > 200:
        return 0
    if isinstance(v, (list, tuple)):
        return 2 + sum(_width(x, depth + 1) + 2 for x in v)
    if isinstance(v, dict):
        return 2 + sum(_width(k, depth + 1) + _width(x, depth + 1) + 4 for k, x in v.items())
    if is_dataclass(v) and not isinstance(v, type):
        return 2 + len(type(v).__name__) + sum(_width(getattr(v, f.name), depth + 1) + 2
                                               for f in fields(v))
    if isinstance(v, str):
        return len(v) + 2
    return len(repr(v))


def _canonical(language: str) -> str:
    from pipeline.sandbox.languages import get
    if not isinstance(language, str):
        raise ValueError(f"the language is not a name: {language!r}")
    try:
        lang = get(language)
    except KeyError as exc:
        raise ValueError(str(exc.args[0])) from None
    if lang is None or lang.name not in _LANGUAGES:
        raise ValueError(f"no emitted-value judge for {language!r}")
    return lang.name


@functools.lru_cache(maxsize=512)
def _checks(lang: str, test_block: str) -> tuple[_Check, ...]:
    parse, compare, pairs = _LANGUAGES[lang](test_block)
    checks = []
    for i, (actual, expected, extra) in enumerate(pairs):
        try:
            value = parse(expected)
        except (ValueError, IndexError, KeyError, OverflowError, RecursionError) as exc:
            raise ValueError(f"assertion {i + 1}: cannot read the expected value "
                             f"{_short(expected)}: {exc}") from None
        # escapes (a control character in a Rust string) write one character as up to 8
        checks.append(_Check(actual, expected, value,
                             functools.partial(compare, extra) if extra else compare,
                             16 * _width(value) + 4096))
    return tuple(checks)


def _lines(values) -> list[str]:
    try:
        items = list(values) if not isinstance(values, (str, bytes)) else []
    except TypeError:
        return []
    out = []
    for v in items:
        if isinstance(v, bytes):
            v = v.decode("utf-8", "replace")
        if not isinstance(v, str):
            try:
                v = repr(v)
            except Exception:               # noqa: BLE001
                v = object.__repr__(v)
        out.append(v)
    return out


def _short(text: Any) -> str:
    text = text if isinstance(text, str) else repr(text)
    # A value line read as JSON may spell a lone surrogate ("\udcff"), which the run's
    # result table cannot store (it stopped the run): messages are valid UTF-8.
    text = " ".join(text.encode("utf-8", "replace").decode().split())
    return text if len(text) <= MESSAGE_PART else text[:MESSAGE_PART - 1] + "…"


_LANGUAGES = {"cpp": _cpp, "java": _java, "javascript": _javascript, "go": _go, "rust": _rust}
