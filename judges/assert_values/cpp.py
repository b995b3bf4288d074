"""C++: expected literals are braced lists, ``std::`` constructors (``vector``, ``set``,
``map``, ``tuple`` and ``pair``, ``optional``, ``string``, ``make_tuple`` …), casts and
``nullptr``/``std::nullopt``, converted to the element types written. The emitted line is
JSON (``{"$map": …}`` for maps, ``{"$set": …}`` for sets), compared as ``==`` would:
numbers by value (exact), containers element by element, maps and sets in any order, and
``std::nullopt`` as null.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .common import _f32, _json, _pairs_match
from .literals import _CastingParser, _char, _number, _unescape


@dataclass(frozen=True)
class CppMap:
    pairs: tuple


@dataclass(frozen=True)
class CppSet:
    items: tuple


_CPP_INTS = {"int", "long", "short", "signed", "unsigned", "size_t", "ssize_t", "ptrdiff_t",
             "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t", "uint32_t",
             "uint64_t", "intmax_t", "uintmax_t"}
_CPP_KEYWORD_TYPES = _CPP_INTS | {"char", "float", "double", "bool", "const", "wchar_t",
                                  "char16_t", "char32_t", "auto"}
_CPP_SEQ = {"vector", "list", "deque", "array", "valarray", "forward_list"}
_CPP_SETS = {"set", "multiset", "unordered_set", "unordered_multiset"}
_CPP_MAPS = {"map", "multimap", "unordered_map", "unordered_multimap"}
_CPP_TUPLES = {"tuple", "pair"}
_CPP_STD_TYPES = _CPP_SEQ | _CPP_SETS | _CPP_MAPS | _CPP_TUPLES | {
    "string", "optional", "string_view", "any", "variant"}


@dataclass(frozen=True)
class _CppType:
    name: str               # "int", "float", "double", "bool", "char", or a std:: name
    args: tuple = ()


class _CppParser(_CastingParser):
    def __init__(self, text: str):
        super().__init__(text, "cpp")

    cast_follows = ("(", "-", "+", "{")       # C++ also casts a braced list

    def cast(self, value, ty):
        return _cpp_convert(value, ty)

    def primary(self, t):
        if self.at("{"):
            self.next()
            return self.items("}", self.expr)
        if t.kind == "num":
            self.next()
            return _number(t.text, "cpp")[0]
        if t.kind == "str":
            parts = []
            while self.peek().kind == "str":
                parts.append(_unescape(self.next().text, "cpp", self.peek(-1).prefix == "r"))
            return "".join(parts)
        if t.kind == "chr":
            self.next()
            return ord(_char(t, "cpp"))
        if t.kind == "id":
            if t.text in ("true", "false"):
                self.next()
                return t.text == "true"
            if t.text in ("nullptr", "NULL"):
                self.next()
                return None
            ty = self.type_or_none()
            if ty is None:
                name = self.qualified()
                if name in ("std::nullopt",):
                    return None
                if name in ("std::make_tuple", "std::make_pair", "std::tie", "std::forward_as_tuple"):
                    self.expect("(")
                    return self.items(")", self.expr)
                raise ValueError(f"unknown name {name!r}")
            if self.take("("):
                return _cpp_construct(ty, self.items(")", self.expr), braced=False)
            if self.take("{"):
                return _cpp_construct(ty, self.items("}", self.expr), braced=True)
            raise ValueError(f"a type where a value was expected: {ty.name}")
        raise ValueError(f"unexpected {t.text!r}")

    def qualified(self) -> str:
        parts = []
        self.take("::")
        while True:
            t = self.next()
            if t.kind != "id":
                raise ValueError(f"a name expected, found {t.text!r}")
            parts.append(t.text)
            if not self.take("::"):
                return "::".join(parts)

    def type_or_none(self) -> _CppType | None:
        save = self.i
        try:
            ty = self.type_()
        except ValueError:
            ty = None
        if ty is None:
            self.i = save
        return ty

    def type_(self) -> _CppType | None:
        t = self.peek()
        if t.kind != "id":
            return None
        if t.text in _CPP_KEYWORD_TYPES:
            words = []
            while self.peek().kind == "id" and self.peek().text in _CPP_KEYWORD_TYPES:
                words.append(self.next().text)
            words = [w for w in words if w != "const"]
            while self.take("&") or self.take("*"):
                pass
            if "float" in words:
                return _CppType("float")
            if "double" in words:
                return _CppType("double")
            if "bool" in words:
                return _CppType("bool")
            if words == ["char"] or words[-1:] == ["char"] or "wchar_t" in words:
                return _CppType("char")
            return _CppType("int")
        name = self.qualified()
        short = name[5:] if name.startswith("std::") else None
        if short is None and name in _CPP_INTS:
            return _CppType("int")
        if short is None and name.startswith("Union_"):
            return _CppType("union")
        if short is None or short not in _CPP_STD_TYPES:
            return None
        args: list = []
        if self.take("<"):
            while not self.take(">"):
                if self.peek().kind == "num":
                    args.append(_number(self.next().text, "cpp")[0])
                else:
                    arg = self.type_()
                    if arg is None:
                        raise ValueError("bad template argument")
                    args.append(arg)
                if not self.take(","):
                    self.expect(">")
                    break
        while self.take("&") or self.take("*") or self.take("const"):
            pass
        return _CppType("string" if short == "string_view" else short, tuple(args))


def _cpp_convert(v, ty: _CppType):
    n = ty.name
    if n == "int":
        if isinstance(v, float):
            if math.isnan(v) or math.isinf(v):
                raise ValueError("a float that is not a number cast to an integer")
            return int(v)
        return int(v)
    if n == "char":
        return int(v)
    if n == "float":
        return _f32(float(v))
    if n == "double":
        return float(v)
    if n == "bool":
        return bool(v)
    if n == "string":
        if isinstance(v, str):
            return v
        raise ValueError("not a string")
    if n in _CPP_SEQ:
        if not isinstance(v, list):
            raise ValueError(f"not a list for std::{n}")
        return [_cpp_convert(x, ty.args[0]) if ty.args else x for x in v]
    if n in _CPP_SETS:
        items = v.items if isinstance(v, CppSet) else v
        return CppSet(tuple(_cpp_convert(x, ty.args[0]) if ty.args else x for x in items))
    if n in _CPP_TUPLES:
        if not isinstance(v, list) or (ty.args and len(ty.args) != len(v)):
            raise ValueError(f"not a {n} of {len(ty.args)}")
        return [_cpp_convert(x, t) for x, t in zip(v, ty.args)] if ty.args else v
    if n == "optional":
        return None if v is None else (_cpp_convert(v, ty.args[0]) if ty.args else v)
    if n in _CPP_MAPS:
        pairs = v.pairs if isinstance(v, CppMap) else v
        if not isinstance(pairs, (list, tuple)) or any(
                not isinstance(p, list) or len(p) != 2 for p in pairs):
            raise ValueError(f"not a list of pairs for std::{n}")
        k, w = (ty.args + (None, None))[:2]
        return CppMap(tuple((_cpp_convert(a, k) if k else a, _cpp_convert(b, w) if w else b)
                            for a, b in pairs))
    return v            # std::any, std::variant, a MultiPL-E Union_…: the value itself


def _cpp_construct(ty: _CppType, args: list, braced: bool):
    n = ty.name
    if n in _CPP_SEQ or n in _CPP_SETS:
        if not args:
            return _cpp_convert([], ty)
        if not braced and len(args) == 1 and isinstance(args[0], list):
            return _cpp_convert(args[0], ty)
        if not braced and len(args) == 2 and isinstance(args[0], int) and n in _CPP_SEQ:
            return _cpp_convert([args[1]] * args[0], ty)
        if braced:
            return _cpp_convert(args, ty)
        raise ValueError(f"cannot build std::{n} from these arguments")
    if n in _CPP_MAPS:
        if not args:
            return _cpp_convert([], ty)
        if len(args) == 1 and isinstance(args[0], (list, CppMap)) and not braced:
            return _cpp_convert(args[0], ty)
        return _cpp_convert(args, ty)
    if n in _CPP_TUPLES:
        return _cpp_convert(args, ty)
    if n == "optional":
        return None if not args else _cpp_convert(args[0], ty)
    if n == "string":
        if not args:
            return ""
        if len(args) == 1 and isinstance(args[0], str):
            return args[0]
        if len(args) == 2 and isinstance(args[0], int) and isinstance(args[1], int):
            return chr(args[1]) * args[0]
        raise ValueError("cannot build std::string from these arguments")
    if len(args) == 1:
        return _cpp_convert(args[0], ty)
    if not args and n in ("int", "char", "float", "double", "bool"):
        return _cpp_convert(0, ty)
    raise ValueError(f"cannot build {n} from {len(args)} arguments")


def _cpp_eq(a, e) -> bool:
    if e is None:
        return a is None
    if isinstance(e, CppMap):
        return (isinstance(a, dict) and isinstance(a.get("$map"), list) and len(a) == 1
                and _pairs_match([tuple(p) if isinstance(p, list) and len(p) == 2 else p
                                  for p in a["$map"]], list(e.pairs),
                                 lambda x, y: isinstance(x, tuple) and _cpp_eq(x[0], y[0])
                                 and _cpp_eq(x[1], y[1])))
    if isinstance(e, CppSet):
        return (isinstance(a, dict) and isinstance(a.get("$set"), list) and len(a) == 1
                and _pairs_match(a["$set"], list(e.items), _cpp_eq))
    if isinstance(e, (bool, int, float)):
        return isinstance(a, (bool, int, float)) and a == e
    if isinstance(e, str):
        return isinstance(a, str) and a == e
    if isinstance(e, list):
        return isinstance(a, list) and len(a) == len(e) and all(map(_cpp_eq, a, e))
    return False


def _cpp_compare(line: str, expected) -> tuple[bool, Any]:
    a = _json(line)
    return _cpp_eq(a, expected), line


def _cpp(test_block: str):
    from pipeline.sandbox.languages.cpp import assertions
    pairs = [(a, e, None) for a, e in assertions(test_block)]
    return (lambda text: _CppParser(text).value()), _cpp_compare, pairs
