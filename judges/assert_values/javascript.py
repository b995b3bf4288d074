"""JavaScript: expected literals are numbers (all float64), BigInts (``1n``), strings,
arrays (holes included), object literals and ``undefined``, ``null``, ``NaN``,
``Infinity`` and the ``Number.`` constants. The emitted line is JSON with ``{"$js": …}``
tags for what JSON cannot say (``undefined``, NaN, infinities, holes, BigInts); any other
tagged value is opaque and equals no literal. The comparison is Node 20's
``assert.deepEqual`` (legacy loose mode): primitives by ``==`` with its coercions, NaN
equal to NaN, arrays element by element, objects by their own keys.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from .common import _json, _shortest_digits
from .literals import _number, _Parser, _unescape


class _Undefined:
    def __repr__(self):
        return "undefined"


UNDEFINED = _Undefined()
_HOLE = object()


@dataclass(frozen=True)
class JsBigInt:
    value: int


@dataclass(frozen=True)
class _JsOpaque:
    """A value no literal can equal (a function, a Map, an array with extra keys …)."""
    what: str


class _JsParser(_Parser):
    def __init__(self, text: str):
        super().__init__(text, "javascript")

    def _expr(self):
        t = self.peek()
        if self.take("-"):
            v = self.expr()
            if isinstance(v, JsBigInt):
                return JsBigInt(-v.value)
            if not isinstance(v, float):
                raise ValueError("minus before a value that is not a number")
            return -v
        if self.take("+"):
            v = self.expr()
            if not isinstance(v, float):
                raise ValueError("plus before a value that is not a number")
            return v
        if self.take("("):
            v = self.expr()
            self.expect(")")
            return v
        if self.take("["):
            out = []
            while not self.take("]"):
                if self.at(","):
                    self.next()
                    out.append(_HOLE)
                    continue
                out.append(self.expr())
                if not self.take(","):
                    self.expect("]")
                    break
            return out
        if self.take("{"):
            obj: dict = {}
            while not self.take("}"):
                k = self.next()
                if k.kind == "str":
                    key = _unescape(k.text, "javascript", k.prefix == "r")
                elif k.kind == "id":
                    key = k.text
                elif k.kind == "num":
                    key = _js_number_key(_number(k.text, "javascript")[0])
                else:
                    raise ValueError(f"bad object key {k.text!r}")
                self.expect(":")
                obj[key] = self.expr()
                if not self.take(","):
                    self.expect("}")
                    break
            return obj
        if t.kind == "num":
            self.next()
            v, kind = _number(t.text, "javascript")
            return JsBigInt(v) if kind == "bigint" else float(v)
        if t.kind in ("str", "chr"):
            self.next()
            return _unescape(t.text, "javascript", t.prefix == "r")
        if t.kind == "id":
            self.next()
            consts = {"true": True, "false": False, "null": None, "undefined": UNDEFINED,
                      "NaN": math.nan, "Infinity": math.inf}
            if t.text in consts:
                return consts[t.text]
            if t.text == "Number" and self.take("."):
                name = self.next().text
                more = {"NaN": math.nan, "POSITIVE_INFINITY": math.inf,
                        "NEGATIVE_INFINITY": -math.inf, "MAX_SAFE_INTEGER": 2.0**53 - 1,
                        "MIN_SAFE_INTEGER": -(2.0**53 - 1)}
                if name in more:
                    return more[name]
            raise ValueError(f"unknown name {t.text!r}")
        raise ValueError(f"unexpected {t.text!r}")


def _js_number_key(x: float) -> str:
    """``String(x)`` for a JS number (a numeric object key)."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    digits, exp = _shortest_digits(x)
    sign = "-" if x < 0 else ""
    k, n = len(digits), exp + len(digits)     # value = 0.digits × 10^n
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    e = n - 1
    mant = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{sign}{mant}e{'+' if e >= 0 else '-'}{abs(e)}"


def _js_from_line(v, depth: int = 0):
    """An emitted JSON value in this module's JavaScript model."""
    if depth > 400:
        raise ValueError("nested too deeply")
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, list):
        return [_js_from_line(x, depth + 1) for x in v]
    if isinstance(v, dict):
        tag = v.get("$js")
        if tag is None:
            return {k: _js_from_line(x, depth + 1) for k, x in v.items()}
        simple = {"undefined": UNDEFINED, "NaN": math.nan, "Infinity": math.inf,
                  "-Infinity": -math.inf, "hole": _HOLE}
        if tag in simple and len(v) == 1:
            return simple[tag]
        if tag == "bigint":
            return JsBigInt(int(v["v"]))
        if tag == "object":
            return {k: _js_from_line(x, depth + 1) for k, x in v["v"]}
        return _JsOpaque(str(tag))
    raise ValueError("not a JSON value")


def _js_type(x) -> str:
    if x is UNDEFINED:
        return "undefined"
    if x is None:
        return "null"
    if isinstance(x, bool):
        return "boolean"
    if isinstance(x, float):
        return "number"
    if isinstance(x, str):
        return "string"
    if isinstance(x, JsBigInt):
        return "bigint"
    return "object" if isinstance(x, (list, dict, _JsOpaque)) else "other"


_JS_SPACE = " \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008" \
            "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


def _js_to_number(s: str) -> float:
    """``Number(s)`` for a string."""
    t = s.strip(_JS_SPACE)
    if not t:
        return 0.0
    m = re.fullmatch(r"0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)", t)
    if m:
        base = 16 if m.group(1) else 8 if m.group(2) else 2
        return float(int(next(g for g in m.groups() if g), base))
    m = re.fullmatch(r"([+-]?)(Infinity|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)", t)
    if not m:
        return math.nan
    sign = -1.0 if m.group(1) == "-" else 1.0
    return sign * (math.inf if m.group(2) == "Infinity" else float(m.group(2)))


def _js_string_to_bigint(s: str) -> int | None:
    t = s.strip(_JS_SPACE)
    if not t:
        return 0
    m = re.fullmatch(r"0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|([+-]?\d+)", t)
    if not m:
        return None
    if m.group(4):
        return int(m.group(4))
    base = 16 if m.group(1) else 8 if m.group(2) else 2
    return int(next(g for g in m.groups() if g), base)


def _js_loose(x, y) -> bool:
    """``x == y`` for two primitives."""
    tx, ty = _js_type(x), _js_type(y)
    if tx == ty:
        if tx in ("undefined", "null"):
            return True
        return x == y
    if {tx, ty} == {"undefined", "null"}:
        return True
    if tx == "number" and ty == "string":
        return x == _js_to_number(y)
    if tx == "string" and ty == "number":
        return _js_to_number(x) == y
    if tx == "bigint" and ty == "string":
        n = _js_string_to_bigint(y)
        return n is not None and n == x.value
    if tx == "string" and ty == "bigint":
        return _js_loose(y, x)
    if tx == "boolean":
        return _js_loose(1.0 if x else 0.0, y)
    if ty == "boolean":
        return _js_loose(x, 1.0 if y else 0.0)
    if {tx, ty} == {"bigint", "number"}:
        b, n = (x, y) if tx == "bigint" else (y, x)
        return math.isfinite(n) and n == int(n) and int(n) == b.value
    return False


def _js_deep_equal(a, e) -> bool:
    """Node's ``assert.deepEqual`` (legacy loose mode) of an emitted value and a literal."""
    ao, eo = _js_type(a) == "object", _js_type(e) == "object"
    if not ao and not eo:
        if _js_type(a) == "other" or _js_type(e) == "other":
            return False
        both_nan = (isinstance(a, float) and isinstance(e, float)
                    and math.isnan(a) and math.isnan(e))
        return _js_loose(a, e) or both_nan
    if ao != eo or isinstance(a, _JsOpaque) or isinstance(e, _JsOpaque):
        return False
    if isinstance(e, list):
        if not isinstance(a, list) or len(a) != len(e):
            return False
        for x, y in zip(a, e):
            if (x is _HOLE) != (y is _HOLE):
                return False
            if x is not _HOLE and not _js_deep_equal(x, y):
                return False
        return True
    if isinstance(e, dict):
        return (isinstance(a, dict) and len(a) == len(e)
                and all(k in a and _js_deep_equal(a[k], v) for k, v in e.items()))
    return False


def _js_compare(line: str, expected) -> tuple[bool, Any]:
    a = _js_from_line(_json(line))
    return _js_deep_equal(a, expected), line


def _javascript(test_block: str):
    from pipeline.sandbox.languages.javascript import assertions
    pairs = [(a, e, None) for a, e in assertions(test_block)]
    return (lambda text: _JsParser(text).value()), _js_compare, pairs
