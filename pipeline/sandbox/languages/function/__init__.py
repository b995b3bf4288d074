"""The ``function`` kind in C++, Java, JavaScript, Go and Rust: a harness calls the solution.

The build is the solution and a ``main`` generated from the problem's signature
(:mod:`.signature`) by the language's harness module (:mod:`.cpp`, :mod:`.java`,
:mod:`.javascript`, :mod:`.go`, :mod:`.rust`); it depends on no test, so every test of a
solution shares one build. Each test's arguments are checked against the signature here,
outside the sandbox, and reach the build on stdin as a JSON array (:func:`arguments`). The
harness reads them with its own small JSON reader, calls the solution (a top-level
function, or a method of ``Solution`` on a fresh instance), and writes the JSON of the return
value as one line on the result descriptor (fd 3) — nothing else: the expected value never
enters the sandbox, the judges compare outside exactly as for Python
(:mod:`judges.values`), and what the program prints on stdout is never read as its result.

Whatever the program itself writes on fd 3 is as good as returning it, and a line of its
own beside the harness's makes the channel hold two lines, which is no value (WA).

A signature or a test that no harness can be made for is the problem's failure, not the
program's: SE with ``signature not supported: …`` or ``test arguments do not fit the
signature: …``, before anything is compiled or run.
"""

from __future__ import annotations

import json
from dataclasses import replace

from ...records import Record, RecordKind, loads
from ...values import Outcome, Program
from . import cpp, go, java, javascript, rust
from .signature import (UNSERIALISABLE, Signature, Unsupported, choose, int_bits, parse,
                        spell)

HARNESSES = {"cpp": cpp, "java": java, "javascript": javascript, "go": go, "rust": rust}


def signature_for(language: str, entry_point: str | None, text: str | None) -> Signature:
    """The signature a ``language`` solution is called by (:class:`Unsupported` if none).

    >>> signature_for("javascript", "f", None).params
    ()
    """
    if not entry_point:
        raise Unsupported("the problem has no entry_point")
    chosen = choose(text, language)
    if chosen is None:
        if language == "javascript":        # untyped: the arguments go as they are
            return Signature("javascript", entry_point, (), None)
        raise Unsupported("the problem has neither a signature nor starter code to read "
                          "the parameter types from")
    sig = parse(chosen, entry_point)
    if sig.returns is None and language != "javascript":
        raise Unsupported(f"the {sig.language} signature has no types for {language}")
    return sig


def prepare(language: str, programs: list[Program]):
    """``(source, None, inputs)`` for tests of one solution (same code, entry point and
    signature): the build's source, and per test the stdin bytes or why its arguments do not
    fit; ``(None, why, [])`` when no harness can be made."""
    first = programs[0]
    try:
        sig = signature_for(language, first.entry_point, first.signature)
        source = HARNESSES[language].source(first.code, sig, first.entry_point)
    except Unsupported as exc:
        return None, f"signature not supported: {exc}"[:2000], []
    inputs: list[bytes | str] = []
    for p in programs:
        try:
            inputs.append(arguments(language, sig, p.call))
        except Unsupported as exc:
            inputs.append(f"test arguments do not fit the signature: {exc}"[:2000])
    return source, None, inputs


def with_inputs(programs: list[Program], inputs: list) -> list[Program]:
    """The programs whose arguments fit, each with its arguments as stdin."""
    return [replace(p, stdin=x) for p, x in zip(programs, inputs) if isinstance(x, bytes)]


# ------------------------------------------------------------------------- arguments
def arguments(language: str, sig: Signature, call: str) -> bytes:
    """A test's arguments checked against ``sig`` for ``language``, as the harness reads
    them: a JSON array, ASCII only (every other character escaped), keyword arguments put
    in the signature's order.

    >>> s = parse("int f(vector<int> a, string s)", "f")
    >>> arguments("cpp", s, '{"s": "é", "a": [-1, 2]}')
    b'[[-1, 2], "\\\\u00e9"]'
    >>> arguments("cpp", s, '[[1], 2]')
    Traceback (most recent call last):
    ...
    pipeline.sandbox.languages.function.signature.Unsupported: argument 2 (s): expected a string, got 2
    """
    try:
        args = loads(call)
    except (ValueError, RecursionError):
        raise Unsupported("the test input is not JSON") from None
    names = [p.name for p in sig.params]
    if isinstance(args, dict):
        if not names and args:
            raise Unsupported("keyword arguments need a signature with the parameter names")
        unknown = sorted(set(args) - set(names))
        missing = [n for n in names if n not in args]
        if unknown or missing:
            raise Unsupported(f"keyword arguments {unknown} unknown, {missing} missing")
        args = [args[n] for n in names]
    if not isinstance(args, list):
        raise Unsupported("the test input is neither a JSON array nor an object")
    if sig.returns is not None and len(args) != len(sig.params):
        raise Unsupported(f"the test gives {len(args)} arguments, {sig.name} takes "
                          f"{len(sig.params)}")
    for i, (value, param) in enumerate(zip(args, sig.params)):
        why = _fits(value, sig, param.type, language)
        if why:
            raise Unsupported(f"argument {i + 1} ({param.name}): {why}")
    return json.dumps(args, ensure_ascii=True, allow_nan=True).encode()


def _fits(value, sig: Signature, t, language: str) -> str | None:
    kind = t.kind
    if kind == "any":
        return None
    if kind == "list":
        if type(value) is not list:
            return f"expected a list, got {_show(value)}"
        for x in value:
            why = _fits(x, sig, t.item, language)
            if why:
                return why
        return None
    if kind in ("int", "long"):
        if type(value) is not int:
            return f"expected an integer, got {_show(value)}"
        bits = int_bits(sig, t, language)
        top = 1 << 53 if bits == 53 else (1 << (bits - 1)) - 1    # 53: a double's exact range
        if not -top - (bits != 53) <= value <= top:
            return f"{value} does not fit {_spelled(sig, t, language)} ({bits}-bit)"
        return None
    if kind == "double":
        return None if type(value) in (int, float) else f"expected a number, got {_show(value)}"
    if kind == "bool":
        return None if type(value) is bool else f"expected a boolean, got {_show(value)}"
    if type(value) is not str:
        return f"expected a {'string' if kind == 'string' else 'character'}, got {_show(value)}"
    if kind == "char":
        if len(value) != 1:
            return f"expected one character, got {_show(value)}"
        limit = {"cpp": 0x80, "java": 0x10000}.get(language)
        if language == "go" and _spelled(sig, t, "go") == "byte":
            limit = 0x80
        if limit is not None and ord(value) >= limit:
            return f"{value!r} does not fit a {language} char"
    if language in ("cpp", "go", "rust") and any(0xD800 <= ord(c) < 0xE000 for c in value):
        return "a lone surrogate has no UTF-8 form"
    return None


def _spelled(sig, t, language) -> str:
    if language == "javascript":
        return "a JavaScript number exactly"
    try:
        return spell(sig, t, language)
    except Unsupported:
        return t.kind


def _show(value) -> str:
    text = json.dumps(value) if not isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:60] + "…"


# ------------------------------------------------------------------------- record
def record(outcome: Outcome, error_type: str | None) -> Record | None:
    """The record of a run from its result channel: the one line the harness wrote.

    >>> from pipeline.sandbox.values import Status
    >>> record(Outcome(Status.EXITED, exit_code=0, raw_record=b'[1, 2]\\n'), None)
    Record(kind=<RecordKind.RETURNED: 'returned'>, value='[1, 2]')
    >>> record(Outcome(Status.EXITED, exit_code=0, raw_record=b'[1]\\n[2]\\n'), None).kind
    <RecordKind.GARBLED: 'garbled'>
    """
    raw = outcome.raw_record if isinstance(outcome.raw_record, (bytes, bytearray)) else b""
    line, newline, rest = bytes(raw).partition(b"\n")
    if line.strip() and newline and not rest:
        return Record(RecordKind.RETURNED, value=line.decode("utf-8", "replace"))
    err = outcome.stderr.decode("utf-8", "replace")
    if error_type:
        return Record(RecordKind.RAISED, type=error_type, message=err.strip()[-500:])
    if not raw:
        at = err.rfind(UNSERIALISABLE)
        if at >= 0 and outcome.exit_code == 0:
            why = err[at + len(UNSERIALISABLE):].split("\n", 1)[0]
            return Record(RecordKind.RETURNED,
                          unserialisable=f"unsupported return value: {why}"[:500])
        return None                          # ended before returning: the exit says how
    if outcome.exit_code or outcome.signal is not None:
        return None
    return Record(RecordKind.GARBLED, message="the result channel holds something other than "
                                              "one value (did the program write on fd 3?)")
