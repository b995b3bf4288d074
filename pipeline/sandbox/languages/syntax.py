"""Just enough C-family lexing to cut a test block into statements and expressions.

Every function works on a *masked* copy of the text (:func:`mask`): the same length, with
the insides of string and character literals and all comments blanked, so brackets,
separators and keywords found in it are real code, and offsets index the original text.
Pure, standard library only: the judges use it outside the sandbox too.

>>> text = 'f("a)", 1) == g(\\'(\\') // )'
>>> m = mask(text, "cpp")
>>> len(m) == len(text), m[close(m, 1) + 1:].split("==")[0]
(True, ' ')
>>> split_top('a(1, 2), "x, y", [3, 4]', ",", "js")
['a(1, 2)', ' "x, y"', ' [3, 4]']
"""

from __future__ import annotations

import re

_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = {v: k for k, v in _OPEN.items()}

_COMMENT = r"//[^\n]*|/\*.*?\*/"
_DQ = r'"(?:\\.|[^"\\])*"'           # raw newlines allowed: MultiPL-E has one such string
_PATTERNS = {
    "cpp": re.compile(r'R"([^()\\ ]{0,16})\((?:.|\n)*?\)\1"|' + _DQ + r"|'(?:\\.|[^'\\\n])+'|"
                      + _COMMENT, re.S),
    "java": re.compile(r'"""(?:\\.|.)*?"""|' + _DQ + r"|'(?:\\.|[^'\\\n])+'|" + _COMMENT, re.S),
    "js": re.compile(_DQ + r"|'(?:\\.|[^'\\])*'|`(?:\\.|[^`\\])*`|" + _COMMENT, re.S),
    "go": re.compile(_DQ + r"|`[^`]*`|'(?:\\.|[^'\\\n])+'|" + _COMMENT, re.S),
    # a lone ' is a lifetime or a label, not a literal
    "rust": re.compile(r'b?r(#*)"(?:.|\n)*?"\1|b?' + _DQ
                       + r"|b?'(?:\\u\{[0-9a-fA-F]+\}|\\.|[^'\\\n])'|" + _COMMENT, re.S),
}


def mask(text: str, lang: str) -> str:
    """``text`` with literal contents and comments blanked (quotes kept; same length)."""
    def blank(m: re.Match) -> str:
        s = m.group()
        if s.startswith("/"):
            return re.sub(r"[^\n]", " ", s)
        q = len(s) - len(s.lstrip("bRr#")) + 1             # prefix and opening quote
        return s[:q] + re.sub(r"[^\n]", "_", s[q:-1]) + s[-1]
    return _PATTERNS[lang].sub(blank, text)


def close(masked: str, at: int) -> int:
    """Index of the bracket that closes the one at ``at`` in a masked text; ``ValueError``
    when they do not balance."""
    stack = []
    for i in range(at, len(masked)):
        c = masked[i]
        if c in _OPEN:
            stack.append(_OPEN[c])
        elif c in _CLOSE:
            if not stack or stack.pop() != c:
                raise ValueError(f"unbalanced {c!r} at offset {i}")
            if not stack:
                return i
    raise ValueError(f"{masked[at]!r} at offset {at} is never closed")


def split_top(text: str, sep: str, lang: str, masked: str | None = None) -> list[str]:
    """``text`` cut at each ``sep`` outside brackets and literals."""
    m = mask(text, lang) if masked is None else masked
    parts, depth, start, i = [], 0, 0, 0
    while i < len(m):
        c = m[i]
        if c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            depth -= 1
        elif depth == 0 and m.startswith(sep, i):
            parts.append(text[start:i])
            i += len(sep)
            start = i
            continue
        i += 1
    parts.append(text[start:])
    return parts


def block(text: str, masked: str, header: re.Pattern) -> tuple[int, int, int]:
    """``(start, open, close)`` of the first ``header …{ … }`` (``header`` ends at the
    brace); ``ValueError`` when there is none."""
    found = header.search(masked)
    if found is None:
        raise ValueError(f"no {header.pattern!r} in the test block")
    brace = found.end() - 1
    return found.start(), brace, close(masked, brace)


def call_args(stmt: str, masked: str, name: re.Pattern) -> str | None:
    """The argument text of a statement that is exactly one call ``name(…)``, else ``None``."""
    found = name.match(masked)
    if found is None:
        return None
    end = close(masked, found.end() - 1)
    if masked[end + 1:].strip():
        return None
    return stmt[found.end():end]


def statements(text: str, masked: str, sep: str = ";") -> list[tuple[str, str]]:
    """The non-empty top-level statements of ``text`` as ``(text, masked)`` pairs."""
    out, at = [], 0
    for piece in split_top(text, sep, "cpp", masked):
        mpiece = masked[at:at + len(piece)]
        at += len(piece) + len(sep)
        if mpiece.strip():
            out.append((piece, mpiece))
    return out
