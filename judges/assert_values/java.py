"""Java: expected literals are numbers (``L``, ``f``, ``d`` suffixes), strings,
characters, casts, ``new ArrayList<>(…)`` and the like, ``Arrays.asList``, ``List.of``,
``Set.of``, ``Map.of``, ``Optional``, javatuples (``Pair.with`` …) and constants such as
``Long.MAX_VALUE``. The emitted line is JSON with ``{"$optional": …}``, ``$char``,
``$tuple``, ``$map`` and ``$set`` tags, compared by the assertion's operator: ``==`` on
numbers (numeric promotion; NaN is never equal) and booleans, else ``equals``: types count,
floats bit for bit (NaN equals NaN, ``0.0`` not ``-0.0``), maps and sets in any order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .common import _f32, _is_num, _json, _pairs_match
from .literals import _CastingParser, _char, _number, _unescape


@dataclass(frozen=True)
class JavaChar:
    char: str


@dataclass(frozen=True)
class JavaOptional:
    present: bool
    value: Any = None


@dataclass(frozen=True)
class JavaTuple:
    items: tuple


@dataclass(frozen=True)
class JavaMap:
    pairs: tuple


@dataclass(frozen=True)
class JavaSet:
    items: tuple


_JAVA_INTS = {"long", "int", "short", "byte", "Long", "Integer", "Short", "Byte"}
_JAVA_TUPLES = {"Unit": 1, "Pair": 2, "Triplet": 3, "Quartet": 4, "Quintet": 5, "Sextet": 6,
                "Septet": 7, "Octet": 8, "Ennead": 9, "Decade": 10, "KeyValue": 2,
                "LabelValue": 2}
_JAVA_LISTS = {"ArrayList", "LinkedList", "List", "Vector", "Collection", "AbstractList",
               "CopyOnWriteArrayList", "Stack", "ArrayDeque", "Deque", "Queue"}
_JAVA_MAPS = {"HashMap", "Map", "TreeMap", "LinkedHashMap", "AbstractMap"}
_JAVA_SETS = {"HashSet", "Set", "TreeSet", "LinkedHashSet"}


class _JavaParser(_CastingParser):
    def __init__(self, text: str):
        super().__init__(text, "java")

    def cast(self, value, ty):
        return _java_cast(value, ty)

    def primary(self, t):
        if t.kind == "num":
            self.next()
            return _number(t.text, "java")[0]
        if t.kind == "str":
            self.next()
            return _unescape(t.text, "java")
        if t.kind == "chr":
            self.next()
            return JavaChar(_char(t, "java"))
        if t.kind != "id":
            raise ValueError(f"unexpected {t.text!r}")
        if t.text in ("true", "false"):
            self.next()
            return t.text == "true"
        if t.text == "null":
            self.next()
            return None
        if t.text == "new":
            self.next()
            ty = self.type_or_none()
            if ty is None:
                raise ValueError("a type expected after new")
            self.expect("(")
            return _java_new(ty, self.items(")", self.expr))
        parts = [self.next().text]
        while self.at(".") and self.peek(1).kind == "id":
            self.next()
            parts.append(self.next().text)
        if self.at("<"):                # Arrays.<Long>asList(…)
            self.type_args()
            parts.append(self.next().text)
        name = ".".join(parts)
        if not self.take("("):
            return _java_constant(name)
        return _java_call(name, self.items(")", self.expr))

    def type_or_none(self):
        save = self.i
        try:
            ty = self.type_()
        except ValueError:
            ty = None
        if ty is None:
            self.i = save
        return ty

    def type_(self):
        if self.peek().kind != "id" or not self.peek().text[:1].isalpha():
            return None
        parts = [self.next().text]
        while self.at(".") and self.peek(1).kind == "id":
            self.next()
            parts.append(self.next().text)
        name = parts[-1]
        known = (name in _JAVA_INTS or name in _JAVA_TUPLES or name in _JAVA_LISTS
                 or name in _JAVA_MAPS or name in _JAVA_SETS or name in (
                     "float", "double", "Float", "Double", "boolean", "Boolean", "char",
                     "Character", "String", "Object", "Optional", "Number", "CharSequence"))
        if not known:
            return None
        if self.at("<"):
            self.type_args()
        while self.at("[") and self.at("]", 1):
            self.next()
            self.next()
            name += "[]"
        return name

    def type_args(self):
        self.expect("<")
        while not self.take(">"):
            if not (self.take("?") or self.type_()):
                raise ValueError("bad type argument")
            if self.take("extends") or self.take("super"):
                self.type_()
            if not self.take(","):
                self.expect(">")
                break


def _java_cast(v, ty: str):
    if ty in ("long", "int", "short", "byte"):
        if isinstance(v, float):
            if math.isnan(v):
                return 0
            return int(v) if not math.isinf(v) else (2**63 - 1 if v > 0 else -2**63)
        if isinstance(v, JavaChar):
            return ord(v.char)
        return int(v)
    if ty in ("float",):
        return _f32(float(ord(v.char) if isinstance(v, JavaChar) else v))
    if ty in ("double",):
        return float(ord(v.char) if isinstance(v, JavaChar) else v)
    if ty == "char":
        return JavaChar(chr(v)) if isinstance(v, int) else v
    if ty in ("Long", "Integer", "Short", "Byte"):
        if not (isinstance(v, int) and not isinstance(v, bool)) and v is not None:
            raise ValueError(f"({ty}) of a value that is not an integer")
        return v
    if ty in ("Float", "Double"):
        if not isinstance(v, float) and v is not None:
            raise ValueError(f"({ty}) of a value that is not floating")
        return v
    return v


def _java_new(ty: str, args: list):
    if ty in _JAVA_LISTS:
        if not args or (len(args) == 1 and _is_num(args[0])):
            return []
        if len(args) == 1 and isinstance(args[0], (list, JavaSet)):
            return list(args[0].items if isinstance(args[0], JavaSet) else args[0])
    elif ty in _JAVA_MAPS:
        if not args or (len(args) == 1 and _is_num(args[0])):
            return JavaMap(())
        if len(args) == 1 and isinstance(args[0], JavaMap):
            return args[0]
    elif ty in _JAVA_SETS:
        if not args or (len(args) == 1 and _is_num(args[0])):
            return JavaSet(())
        if len(args) == 1 and isinstance(args[0], (list, JavaSet)):
            return _java_set(args[0].items if isinstance(args[0], JavaSet) else args[0])
    elif ty in _JAVA_TUPLES:
        if len(args) == _JAVA_TUPLES[ty]:
            return JavaTuple(tuple(args))
    elif ty == "String":
        if not args:
            return ""
        if len(args) == 1 and isinstance(args[0], str):
            return args[0]
    elif ty in _JAVA_INTS and len(args) == 1:
        return _java_cast(args[0], "long")
    elif ty in ("Float", "Double") and len(args) == 1:
        return _java_cast(args[0], ty.lower())
    elif ty == "Boolean" and len(args) == 1 and isinstance(args[0], bool):
        return args[0]
    raise ValueError(f"cannot read new {ty}(…) with {len(args)} arguments")


def _java_set(items) -> JavaSet:
    out: list = []
    for x in items:
        if not any(_java_eq(y, x) for y in out):
            out.append(x)
    return JavaSet(tuple(out))


def _java_call(name: str, args: list):
    short = name.rsplit(".", 1)
    cls, method = (short[0].rsplit(".", 1)[-1], short[1]) if len(short) == 2 else ("", name)
    if (cls, method) in (("Arrays", "asList"), ("List", "of"), ("Collections", "emptyList"),
                         ("Stream", "of")):
        return list(args)
    if (cls, method) == ("Set", "of"):
        return _java_set(args)
    if (cls, method) == ("Map", "of"):
        if len(args) % 2:
            raise ValueError("Map.of with an odd number of arguments")
        return JavaMap(tuple(zip(args[::2], args[1::2])))
    if (cls, method) == ("Map", "entry") and len(args) == 2:
        return JavaTuple(tuple(args))
    if (cls, method) in (("Collections", "emptyMap"),):
        return JavaMap(())
    if (cls, method) == ("Optional", "of") and len(args) == 1:
        if args[0] is None:
            raise ValueError("Optional.of(null)")
        return JavaOptional(True, args[0])
    if (cls, method) == ("Optional", "ofNullable") and len(args) == 1:
        return JavaOptional(args[0] is not None, args[0])
    if (cls, method) == ("Optional", "empty") and not args:
        return JavaOptional(False)
    if cls in _JAVA_TUPLES and method in ("with", "fromArray", "fromCollection"):
        items = args if method == "with" else (args[0] if args else [])
        if len(items) != _JAVA_TUPLES[cls]:
            raise ValueError(f"{cls}.{method} with {len(items)} values")
        return JavaTuple(tuple(items))
    if cls in ("Long", "Integer") and method == "valueOf" and len(args) == 1:
        return _java_cast(args[0], "long")
    if cls in ("Float", "Double") and method == "valueOf" and len(args) == 1:
        return _java_cast(args[0], cls.lower())
    if cls == "String" and method == "valueOf" and len(args) == 1 and isinstance(args[0], str):
        return args[0]
    raise ValueError(f"unknown call {name}(…)")


def _java_constant(name: str):
    consts = {"Long.MAX_VALUE": 2**63 - 1, "Long.MIN_VALUE": -2**63,
              "Integer.MAX_VALUE": 2**31 - 1, "Integer.MIN_VALUE": -2**31,
              "Double.NaN": math.nan, "Float.NaN": math.nan,
              "Double.POSITIVE_INFINITY": math.inf, "Double.NEGATIVE_INFINITY": -math.inf,
              "Float.POSITIVE_INFINITY": math.inf, "Float.NEGATIVE_INFINITY": -math.inf,
              "Double.MAX_VALUE": 1.7976931348623157e308, "Float.MAX_VALUE": _f32(3.4028234663852886e38),
              "Boolean.TRUE": True, "Boolean.FALSE": False}
    if name in consts:
        return consts[name]
    raise ValueError(f"unknown name {name!r}")


def _same_float(a: float, b: float) -> bool:
    """``Double.equals``: NaN equals NaN, 0.0 does not equal -0.0."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1, a) == math.copysign(1, b)


def _java_eq(a, e) -> bool:
    if e is None:
        return a is None
    if isinstance(e, bool):
        return isinstance(a, bool) and a == e
    if isinstance(e, int):
        return isinstance(a, int) and not isinstance(a, bool) and a == e
    if isinstance(e, float):
        return isinstance(a, float) and _same_float(a, e)
    if isinstance(e, str):
        return isinstance(a, str) and a == e
    if isinstance(e, JavaChar):
        return isinstance(a, dict) and len(a) == 1 and a.get("$char") == e.char
    if isinstance(e, list):
        return isinstance(a, list) and len(a) == len(e) and all(map(_java_eq, a, e))
    if isinstance(e, JavaOptional):
        got = a.get("$optional") if isinstance(a, dict) and len(a) == 1 else None
        if not isinstance(got, list) or len(got) != (1 if e.present else 0):
            return False
        return not e.present or _java_eq(got[0], e.value)
    if isinstance(e, JavaTuple):
        got = a.get("$tuple") if isinstance(a, dict) and len(a) == 1 else None
        return (isinstance(got, list) and len(got) == len(e.items)
                and all(map(_java_eq, got, e.items)))
    if isinstance(e, JavaMap):
        got = a.get("$map") if isinstance(a, dict) and len(a) == 1 else None
        return isinstance(got, list) and _pairs_match(
            [tuple(p) if isinstance(p, list) and len(p) == 2 else p for p in got], list(e.pairs),
            lambda x, y: isinstance(x, tuple) and _java_eq(x[0], y[0]) and _java_eq(x[1], y[1]))
    if isinstance(e, JavaSet):
        got = a.get("$set") if isinstance(a, dict) and len(a) == 1 else None
        return isinstance(got, list) and _pairs_match(got, list(e.items), _java_eq)
    return False


def _java_compare(op: str, line: str, expected) -> tuple[bool, Any]:
    a = _json(line)
    if op == "==" and _is_num(expected) and _is_num(a):
        return a == expected, line      # numeric promotion; NaN is never equal
    if op == "==" and isinstance(expected, JavaChar) and _is_num(a):
        return a == ord(expected.char), line
    return _java_eq(a, expected), line


def _java(test_block: str):
    from pipeline.sandbox.languages.java import comparisons
    pairs = [(a, e, op) for a, op, e in comparisons(test_block)]
    return (lambda text: _JavaParser(text).value()), _java_compare, pairs
