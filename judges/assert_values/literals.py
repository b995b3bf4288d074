"""The lexer and parser base that each language's reader of expected literals extends.

:func:`_lex` cuts a literal into numbers, strings (raw and byte strings for Rust, prefixed
ones for C++, template strings for JavaScript), characters, names and operators, skipping
comments; :class:`_Parser` walks the tokens with a depth limit. String and character
escapes (:func:`_unescape`, :func:`_char`) and numeric literals with their suffixes
(:func:`_number`: an ``int``, a float32 or a float64, or a JavaScript BigInt) are read as
each language writes them; :class:`_CastingParser` the signs and casts C++ and Java share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .common import _f32, _is_num


@dataclass(frozen=True)
class _Tok:
    kind: str           # num, str, chr, id, op, end
    text: str
    prefix: str = ""    # b for Rust byte literals, r for raw strings


_WS = re.compile(r"(?:\s+|//[^\n]*|/\*.*?\*/)+", re.S)
_NUM = re.compile(r"(?:0[xX][0-9a-fA-F_']+|0[bB][01_']+|0[oO][0-7_]+|"
                  r"(?:\d[\d_']*(?:\.(?![.A-Za-z_])[\d_']*)?|\.\d[\d_']*)(?:[eE][+-]?\d[\d_]*)?)"
                  r"[A-Za-z0-9_]*")
_ID = re.compile(r"[A-Za-z_$][\w$]*")
_OPS = ("::", "...", "=>", "->", "..")


def _lex(text: str, lang: str) -> list[_Tok]:
    out, i, n = [], 0, len(text)
    while i < n:
        m = _WS.match(text, i)
        if m:
            i = m.end()
            continue
        c = text[i]
        prefix = ""
        if lang == "rust" and c in "br" and i + 1 < n:
            m = re.compile(r'b?r(#*)"').match(text, i)
            if m:
                end = text.find('"' + m.group(1), m.end())
                if end < 0:
                    raise ValueError("unterminated raw string")
                out.append(_Tok("str", text[m.end():end], "r"))
                i = end + 1 + len(m.group(1))
                continue
            if c == "b" and text[i + 1] in "\"'":
                prefix, i, c = "b", i + 1, text[i + 1]
        if lang == "cpp" and text.startswith(("u8\"", "L\"", "u\"", "U\""), i):
            i = text.index('"', i)
            c = '"'
        if c in "\"'`":
            j = i + 1
            while j < n and text[j] != c:
                if text[j] == "\\" and c != "`":
                    j += 1
                j += 1
            if j >= n:
                raise ValueError(f"unterminated literal at offset {i}")
            raw = c == "`"
            out.append(_Tok("chr" if c == "'" else "str", text[i + 1:j], "r" if raw else prefix))
            i = j + 1
            continue
        m = _NUM.match(text, i)
        if m and (c.isdigit() or (c == "." and i + 1 < n and text[i + 1].isdigit())):
            out.append(_Tok("num", m.group()))
            i = m.end()
            continue
        m = _ID.match(text, i)
        if m:
            out.append(_Tok("id", m.group()))
            i = m.end()
            continue
        for op in _OPS:
            if text.startswith(op, i):
                out.append(_Tok("op", op))
                i += len(op)
                break
        else:
            out.append(_Tok("op", c))
            i += 1
    out.append(_Tok("end", ""))
    return out


class _Parser:
    def __init__(self, text: str, lang: str):
        self.toks = _lex(text, lang)
        self.i = 0
        self.depth = 0

    def peek(self, k: int = 0) -> _Tok:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def next(self) -> _Tok:
        t = self.peek()
        self.i += 1
        return t

    def at(self, text: str, k: int = 0) -> bool:
        t = self.peek(k)
        return t.kind in ("op", "id") and t.text == text

    def take(self, text: str) -> bool:
        if self.at(text):
            self.i += 1
            return True
        return False

    def expect(self, text: str) -> None:
        if not self.take(text):
            raise ValueError(f"expected {text!r}, found {self.peek().text!r}")

    def done(self) -> None:
        if self.peek().kind != "end":
            raise ValueError(f"unexpected {self.peek().text!r}")

    def items(self, close: str, item) -> list:
        out = []
        while not self.take(close):
            out.append(item())
            if not self.take(","):
                self.expect(close)
                break
        return out

    def value(self):
        """The whole text as one value of the language."""
        v = self.expr()
        self.done()
        return v

    def expr(self, *context):
        """One value, nested at most 200 deep: the language's :meth:`_expr`."""
        self.depth += 1
        if self.depth > 200:
            raise ValueError("nested too deeply")
        try:
            return self._expr(*context)
        finally:
            self.depth -= 1

    def _expr(self, *context):
        raise NotImplementedError


_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", '"': '"', "'": "'",
                   "a": "\a", "b": "\b", "f": "\f", "v": "\v", "?": "?", "`": "`", "$": "$"}


def _unescape(body: str, lang: str, raw: bool = False) -> str:
    """A literal's body as text. Bytes written as escapes (``\\xff``) in C++ and Go join the
    UTF-8 of the rest and are decoded with replacement, as the emitted values are."""
    if raw:
        return body
    out = bytearray()
    units16 = lang in ("java", "javascript")
    pending16: list[int] = []

    def flush16():
        if pending16:
            out.extend(b"".join(u.to_bytes(2, "little") for u in pending16)
                       .decode("utf-16-le", "replace").encode())
            pending16.clear()

    i, n = 0, len(body)
    while i < n:
        c = body[i]
        if c != "\\" or i + 1 >= n:
            flush16()
            out.extend(c.encode("utf-8", "surrogatepass"))
            i += 1
            continue
        e = body[i + 1]
        i += 2
        if e == "\n" or (e == "\r" and lang in ("javascript", "rust")):
            if lang == "rust":
                while i < n and body[i] in " \t\r\n":
                    i += 1
            continue
        if e == "x":
            m = re.compile(r"[0-9a-fA-F]{1,2}" if lang != "cpp" else r"[0-9a-fA-F]+").match(body, i)
            if not m:
                raise ValueError("bad \\x escape")
            i = m.end()
            code = int(m.group(), 16)
            if units16:
                pending16.append(code)
            elif lang == "rust":
                out.extend(chr(code).encode())
            else:
                flush16()
                out.append(code & 0xFF)
            continue
        if e == "u" and i < n and body[i] == "{":
            j = body.index("}", i)
            flush16()
            out.extend(chr(int(body[i + 1:j].replace("_", ""), 16)).encode("utf-8", "surrogatepass"))
            i = j + 1
            continue
        if e in "uU":
            width = 4 if e == "u" else 8
            code = int(body[i:i + width], 16)
            i += width
            if units16 and code <= 0xFFFF:
                pending16.append(code)
            else:
                flush16()
                out.extend(chr(code).encode("utf-8", "surrogatepass"))
            continue
        if e in "01234567" and lang in ("cpp", "go", "java", "javascript") and not (
                e == "0" and (i >= n or body[i] not in "01234567")):
            m = re.compile(r"[0-7]{1,3}").match(body, i - 1)
            i = m.end()
            code = int(m.group(), 8)
            if units16:
                pending16.append(code)
            else:
                flush16()
                out.append(code & 0xFF)
            continue
        if e in _SIMPLE_ESCAPES:
            flush16()
            out.extend(_SIMPLE_ESCAPES[e].encode())
            continue
        if lang == "javascript":        # an unknown escape is the character itself
            flush16()
            out.extend(e.encode("utf-8", "surrogatepass"))
            continue
        raise ValueError(f"unknown escape \\{e}")
    flush16()
    return out.decode("utf-8", "replace")


def _int_text(text: str, lang: str = "cpp") -> int:
    t = text.replace("_", "").replace("'", "")
    if t[:2].lower() == "0x":
        return int(t[2:], 16)
    if t[:2].lower() == "0b":
        return int(t[2:], 2)
    if t[:2].lower() == "0o":
        return int(t[2:], 8)
    if len(t) > 1 and t[0] == "0" and t.isdigit() and lang != "rust":
        return int(t, 8)                # 010 is eight, except in Rust
    return int(t)


def _number(text: str, lang: str) -> tuple[int | float, str]:
    """A numeric literal's value and its kind: ``int``, ``f32`` or ``f64``."""
    m = re.fullmatch(r"(0[xX][0-9a-fA-F_']+|0[bB][01_']+|0[oO][0-7_]+|[\d_'.]+(?:[eE][+-]?[\d_]+)?)"
                     r"([A-Za-z][A-Za-z0-9_]*)?", text)
    if not m:
        raise ValueError(f"bad number {text!r}")
    body, suffix = m.group(1), (m.group(2) or "")
    hexa = body[:2].lower() in ("0x", "0b", "0o")
    if hexa and lang == "cpp" and suffix and suffix[0] in "fF":
        raise ValueError(f"bad number {text!r}")
    floating = not hexa and ("." in body or "e" in body.lower())
    s = suffix.lower()
    if lang == "rust":
        if s in ("f32", "f64"):
            floating = True
        elif s and not re.fullmatch(r"[iu](8|16|32|64|128|size)", s):
            raise ValueError(f"bad suffix {suffix!r}")
        kind = ("f32" if s == "f32" else "f64") if floating else "int"
    elif lang == "java":
        if s in ("f", "d"):
            floating = True
        elif s not in ("", "l"):
            raise ValueError(f"bad suffix {suffix!r}")
        kind = ("f32" if s == "f" else "f64") if floating else "int"
    elif lang == "cpp":
        if floating:
            if s not in ("", "f", "l"):
                raise ValueError(f"bad suffix {suffix!r}")
            kind = "f32" if s == "f" else "f64"
        else:
            if not re.fullmatch(r"(u?(l|ll|z)?|(l|ll|z)u?)", s):
                raise ValueError(f"bad suffix {suffix!r}")
            kind = "int"
    elif lang == "javascript":
        if s == "n" and not floating:
            return _int_text(body), "bigint"
        if s:
            raise ValueError(f"bad suffix {suffix!r}")
        kind = "f64"
        if not floating:
            digits = body.replace("_", "")
            legacy_octal = re.fullmatch(r"0[0-7]+", digits)
            return float(int(digits, 8) if legacy_octal else _int_text(digits)
                         if hexa else int(digits)), kind
    else:  # go
        if s:
            raise ValueError(f"bad suffix {suffix!r}")
        kind = "f64" if floating else "int"
    if floating:
        value = float(body.replace("_", "").replace("'", ""))
        return (_f32(value) if kind == "f32" else value), kind
    return _int_text(body, lang), kind


def _char(tok: _Tok, lang: str) -> str:
    text = _unescape(tok.text, lang)
    if len(text) != 1:
        raise ValueError(f"bad character literal '{tok.text}'")
    return text


def _negate(v):
    if _is_num(v):
        return -v
    if isinstance(v, bool):
        return -int(v)
    raise ValueError("minus before a value that is not a number")


class _CastingParser(_Parser):
    """C++ and Java: signs, ``(T) value`` casts and parentheses before a primary value."""

    cast_follows = ("(", "-", "+")
    """Tokens after ``(T)`` that make it a cast rather than a parenthesised value."""

    def type_or_none(self):
        raise NotImplementedError

    def cast(self, value, ty):
        raise NotImplementedError

    def primary(self, t: _Tok):
        raise NotImplementedError

    def _expr(self):
        if self.take("-"):
            return _negate(self.expr())
        if self.take("+"):
            return self.expr()
        if self.at("("):
            save = self.i
            self.next()
            ty = self.type_or_none()
            if ty is not None and self.take(")"):
                nxt = self.peek()
                if nxt.kind in ("num", "str", "chr", "id") or nxt.text in self.cast_follows:
                    return self.cast(self.expr(), ty)
            self.i = save + 1
            v = self.expr()
            self.expect(")")
            return v
        return self.primary(self.peek())

