"""Go: expected literals are constants, conversions (``float64(1)``), ``nil`` and
composite literals (``[]int{…}``, ``[...]T{…}`` with indexed elements, ``map[K]V{…}``),
each typed by where it stands and rendered as ``fmt.Sprintf("%v")`` would print it: maps
sorted by key, floats as ``%g`` with the shortest digits. The emitted line is the actual
value's ``%v`` text as a JSON string, and the two texts must be equal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .common import _f32, _is_num, _json, _shortest_digits
from .literals import _char, _number, _Parser, _unescape


_GO_INTS = {"int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32",
            "uint64", "uintptr", "byte", "rune"}
_GO_BASIC = _GO_INTS | {"float32", "float64", "string", "bool", "complex64", "complex128"}


@dataclass(frozen=True)
class _GoType:
    kind: str           # basic, slice, array, map, iface
    name: str = ""      # the basic type's name
    elem: Any = None
    key: Any = None


_IFACE = _GoType("iface")


@dataclass(frozen=True)
class GoValue:
    """A typed Go value: ``text`` is what ``fmt.Sprintf("%v")`` prints for it."""
    text: str
    sort_key: Any = None


class _GoParser(_Parser):
    def __init__(self, text: str):
        super().__init__(text, "go")

    def value(self) -> str:
        v = self.expr(_IFACE)
        self.done()
        return v.text       # the ``%v`` rendering

    def type_(self) -> _GoType:
        if self.take("["):
            if self.take("]"):
                return _GoType("slice", elem=self.type_())
            if self.take("..."):
                self.expect("]")
                return _GoType("array", elem=self.type_())
            n = self.next()
            if n.kind != "num":
                raise ValueError("bad array length")
            self.expect("]")
            return _GoType("array", elem=self.type_())
        if self.take("map"):
            self.expect("[")
            key = self.type_()
            self.expect("]")
            return _GoType("map", elem=self.type_(), key=key)
        if self.take("interface"):
            self.expect("{")
            self.expect("}")
            return _IFACE
        t = self.next()
        if t.kind == "id" and t.text == "any":
            return _IFACE
        if t.kind == "id" and t.text in _GO_BASIC:
            return _GoType("basic", name={"byte": "uint8", "rune": "int32"}.get(t.text, t.text))
        raise ValueError(f"unknown Go type {t.text!r}")

    def starts_type(self) -> bool:
        t = self.peek()
        return (t.text == "[" or (t.kind == "id" and t.text in ("map", "interface", "any"))
                or (t.kind == "id" and t.text in _GO_BASIC))

    def _expr(self, ctx: _GoType) -> GoValue:
        if self.at("-") or self.at("+"):
            minus = self.next().text == "-"
            const = self.constant()
            if not _is_num(const):
                raise ValueError("a sign before a value that is not a number")
            return _go_const(-const if minus else const, ctx, "float" if isinstance(const, float) else "int")
        if self.take("("):
            v = self.expr(ctx)
            self.expect(")")
            return v
        if self.at("{"):
            if ctx.kind in ("slice", "array", "map"):
                return self.composite(ctx)
            raise ValueError("a composite literal without its type")
        t = self.peek()
        if t.kind in ("num", "str", "chr"):
            return self.literal(ctx)
        if t.kind == "id" and t.text == "nil":
            self.next()
            if ctx.kind == "iface":
                return GoValue("<nil>", (0, 0))
            if ctx.kind == "slice":
                return GoValue("[]")
            if ctx.kind == "map":
                return GoValue("map[]")
            raise ValueError("nil of a basic type")
        if t.kind == "id" and t.text in ("true", "false"):
            self.next()
            if ctx.kind not in ("iface",) and not (ctx.kind == "basic" and ctx.name == "bool"):
                raise ValueError("a bool where another type is expected")
            return GoValue(t.text, (1, t.text == "true"))
        if self.starts_type():
            ty = self.type_()
            if self.at("{"):
                if ty.kind == "basic" or ty.kind == "iface":
                    raise ValueError("a composite literal of a basic type")
                return self.composite(ty)
            self.expect("(")                        # a conversion: float64(1)
            v = self.expr(ty)
            self.expect(")")
            return v
        raise ValueError(f"unexpected {t.text!r}")

    def constant(self):
        t = self.next()
        if t.kind == "num":
            return _number(t.text, "go")[0]
        if t.kind == "chr":
            return ord(_char(t, "go"))
        if t.text == "(":
            v = self.constant()
            self.expect(")")
            return v
        raise ValueError(f"a number expected, found {t.text!r}")

    def literal(self, ctx: _GoType) -> GoValue:
        t = self.next()
        if t.kind == "str":
            s = _unescape(t.text, "go", t.prefix == "r")
            if ctx.kind == "basic" and ctx.name != "string":
                raise ValueError("a string where another type is expected")
            return GoValue(s, (3, s))
        if t.kind == "chr":
            return _go_const(ord(_char(t, "go")), ctx, "rune")
        value, kind = _number(t.text, "go")
        return _go_const(value, ctx, "float" if kind == "f64" else "int")

    def composite(self, ty: _GoType) -> GoValue:
        self.expect("{")
        if ty.kind == "map":
            pairs = []
            while not self.take("}"):
                k = self.expr(ty.key)
                self.expect(":")
                pairs.append((k, self.expr(ty.elem)))
                if not self.take(","):
                    self.expect("}")
                    break
            pairs.sort(key=lambda p: p[0].sort_key if p[0].sort_key is not None else (9, p[0].text))
            return GoValue("map[" + " ".join(f"{k.text}:{v.text}" for k, v in pairs) + "]")
        items: dict[int, GoValue] = {}
        at = 0
        while not self.take("}"):
            if self.peek().kind == "num" and self.at(":", 1):
                at = _number(self.next().text, "go")[0]
                self.next()
            items[at] = self.expr(ty.elem)
            at += 1
            if not self.take(","):
                self.expect("}")
                break
        size = max(items) + 1 if items else 0
        zero = _go_zero(ty.elem)
        return GoValue("[" + " ".join(items[i].text if i in items else zero
                                      for i in range(size)) + "]")


def _go_zero(ty: _GoType) -> str:
    if ty.kind == "iface":
        return "<nil>"
    if ty.kind == "slice":
        return "[]"
    if ty.kind == "map":
        return "map[]"
    if ty.kind == "basic":
        return {"string": "", "bool": "false"}.get(ty.name, "0")
    return "[]"


def _go_const(value, ctx: _GoType, kind: str) -> GoValue:
    """An untyped constant given the type of where it stands."""
    if ctx.kind == "iface":
        name = {"int": "int", "float": "float64", "rune": "int32"}[kind]
    elif ctx.kind == "basic":
        name = ctx.name
    else:
        raise ValueError("a number where a composite value is expected")
    if name in ("float32", "float64"):
        v = float(value)
        if name == "float32":
            v = _f32(v)
        return GoValue(_go_float(v, 32 if name == "float32" else 64), (2, v))
    if name in _GO_INTS or name in ("int32", "uint8"):
        if isinstance(value, float):
            if value != int(value):
                raise ValueError("a fraction where an integer is expected")
            value = int(value)
        return GoValue(str(value), (2, value))
    if name.startswith("complex"):
        return GoValue(f"({_go_float(float(value), 64)}+0i)")
    raise ValueError(f"a number where a {name} is expected")


def _go_float(x: float, bits: int) -> str:
    """``fmt.Sprintf("%v", x)`` for a float64 (or float32): ``%g`` with the shortest digits,
    in exponent form when the exponent is below -4 or at least 6 (``1e+06``, ``100000``).

    >>> [_go_float(v, 64) for v in (1e6, 1e5, 0.0001, 1e-5, 123456789.0, -0.0, 2.5)]
    ['1e+06', '100000', '0.0001', '1e-05', '1.23456789e+08', '-0', '2.5']
    """
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    sign = "-" if math.copysign(1, x) < 0 else ""
    if x == 0:
        return sign + "0"
    digits, exp = _shortest_digits(x, bits)
    e = exp + len(digits) - 1                # exponent of the first digit
    if e < -4 or e >= 6:
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mant}e{'+' if e >= 0 else '-'}{abs(e):02d}"
    if e >= len(digits) - 1:
        return sign + digits + "0" * (e - len(digits) + 1)
    if e >= 0:
        return sign + digits[:e + 1] + "." + digits[e + 1:]
    return sign + "0." + "0" * (-e - 1) + digits


def _go_compare(line: str, expected: str) -> tuple[bool, Any]:
    a = _json(line)
    if not isinstance(a, str):
        return False, None
    return a == expected, a


def _go(test_block: str):
    from pipeline.sandbox.languages.go import assertions
    pairs = [(a, e, None) for a, e in assertions(test_block)]
    return (lambda text: _GoParser(text).value()), _go_compare, pairs
