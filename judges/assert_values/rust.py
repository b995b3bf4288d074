"""Rust: expected literals are expressions as tests write them: ``vec![…]``, arrays
(``[x; n]`` too), tuples, ``String::from``, ``HashMap::from`` and ``HashSet::from``,
``Some``/``None``/``Ok``/``Err``, tuple and unit structs, ``as`` casts, constants such as
``i32::MAX`` and conversions such as ``.to_string()``. The emitted line is the actual
value's ``format!("{:?}")`` text as a JSON string, read back by :class:`_DebugParser`, and
compared as ``assert_eq!`` would: numbers by value, booleans never numbers, structs and
enums by name and fields, maps and sets in any order (an empty map equals an empty set,
both printed ``{}``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .common import _f32, _is_num, _json, _pairs_match
from .literals import _char, _number, _Parser, _unescape


@dataclass(frozen=True)
class RustChar:
    char: str


@dataclass(frozen=True)
class RustTuple:
    items: tuple


@dataclass(frozen=True)
class RustEnum:
    """``Some(x)``, ``None``, ``Ok(x)``, ``Err(x)``, or a tuple struct or unit struct."""
    name: str
    items: tuple = ()


@dataclass(frozen=True)
class RustStruct:
    name: str
    fields: tuple


@dataclass(frozen=True)
class RustMap:
    pairs: tuple


@dataclass(frozen=True)
class RustSet:
    items: tuple


_RUST_CONSTS = {"f64::NAN": math.nan, "f32::NAN": math.nan, "f64::INFINITY": math.inf,
                "f32::INFINITY": math.inf, "f64::NEG_INFINITY": -math.inf,
                "f32::NEG_INFINITY": -math.inf, "f64::MAX": 1.7976931348623157e308,
                "f64::MIN": -1.7976931348623157e308, "f64::EPSILON": 2.220446049250313e-16,
                **{f"{t}::MAX": 2**(b - 1) - 1 for t, b in (("i8", 8), ("i16", 16), ("i32", 32),
                                                            ("i64", 64), ("isize", 64), ("i128", 128))},
                **{f"{t}::MIN": -2**(b - 1) for t, b in (("i8", 8), ("i16", 16), ("i32", 32),
                                                         ("i64", 64), ("isize", 64), ("i128", 128))},
                **{f"{t}::MAX": 2**b - 1 for t, b in (("u8", 8), ("u16", 16), ("u32", 32),
                                                      ("u64", 64), ("usize", 64), ("u128", 128))},
                **{f"{t}::MIN": 0 for t in ("u8", "u16", "u32", "u64", "usize", "u128")}}
_RUST_INT_TYPES = {"i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64",
                   "u128", "usize"}


class _RustParser(_Parser):
    """Rust literals as written in a test (``vec![…]``, ``String::from(…)`` …)."""

    def __init__(self, text: str):
        super().__init__(text, "rust")

    def _expr(self):
        v = self.unary()
        while self.take("as"):
            v = _rust_cast(v, self.type_name())
        return v

    def type_name(self) -> str:
        t = self.next()
        if t.kind != "id":
            raise ValueError("a type expected after as")
        return t.text

    def unary(self):
        if self.take("-"):
            v = self.unary()
            if not _is_num(v):
                raise ValueError("minus before a value that is not a number")
            return -v
        if self.take("&"):
            self.take("mut")
            return self.unary()
        if self.take("*"):
            return self.unary()
        return self.postfix(self.primary())

    def postfix(self, v):
        while self.at(".") and self.peek(1).kind == "id":
            self.next()
            method = self.next().text
            if self.at("::"):                       # .collect::<Vec<_>>()
                self.next()
                self.generic_args()
            self.expect("(")
            args = self.items(")", self.expr)
            if args:
                raise ValueError(f"unknown method call .{method}(…)")
            if method in ("to_string", "to_owned", "into", "clone", "to_vec", "into_iter",
                          "iter", "collect", "cloned", "copied", "unwrap") and not (
                    method == "unwrap" and not isinstance(v, RustEnum)):
                if method == "unwrap":
                    if v.name not in ("Some", "Ok") or len(v.items) != 1:
                        raise ValueError("unwrap of a value that is not Some or Ok")
                    v = v.items[0]
                continue
            raise ValueError(f"unknown method .{method}()")
        return v

    def generic_args(self):
        self.expect("<")
        depth = 1
        while depth:
            t = self.next()
            if t.kind == "end":
                raise ValueError("unclosed <")
            depth += (t.text == "<") - (t.text == ">")

    def primary(self):
        t = self.peek()
        if t.kind == "num":
            self.next()
            return _number(t.text, "rust")[0]
        if t.kind == "str":
            self.next()
            s = _unescape(t.text, "rust", t.prefix == "r")
            return list(s.encode()) if t.prefix == "b" else s
        if t.kind == "chr":
            self.next()
            c = _char(t, "rust")
            return ord(c) if t.prefix == "b" else RustChar(c)
        if self.take("("):
            if self.take(")"):
                return RustTuple(())
            first = self.expr()
            if self.take(")"):
                return first
            self.expect(",")
            return RustTuple((first, *self.items(")", self.expr)))
        if self.take("["):
            return self.array("]")
        if t.kind == "id":
            return self.path()
        raise ValueError(f"unexpected {t.text!r}")

    def array(self, close: str):
        if self.take(close):
            return []
        first = self.expr()
        if self.take(";"):
            n = self.expr()
            self.expect(close)
            if not isinstance(n, int) or n < 0 or n > 10**6:
                raise ValueError("bad repeat count")
            return [first] * n
        if self.take(close):
            return [first]
        self.expect(",")
        return [first, *self.items(close, self.expr)]

    def path(self):
        parts = [self.next().text]
        while self.at("::"):
            self.next()
            if self.at("<"):
                self.generic_args()
                continue
            t = self.next()
            if t.kind != "id":
                raise ValueError("bad path")
            parts.append(t.text)
        name = "::".join(parts)
        last = parts[-1]
        if name in ("true", "false"):
            return name == "true"
        if name in _RUST_CONSTS:
            return _RUST_CONSTS[name]
        if self.take("!"):
            opener = self.next().text
            closer = {"[": "]", "(": ")", "{": "}"}.get(opener)
            if closer is None or last != "vec":
                raise ValueError(f"unknown macro {name}!")
            return self.array(closer)
        if self.at("<"):                            # Vec::<i32>::new written as Vec<…>
            raise ValueError("a type where a value was expected")
        if not self.take("("):
            if last == "None" and len(parts) <= 3:
                return RustEnum("None")
            if last[:1].isupper():
                return RustEnum(last)
            raise ValueError(f"unknown name {name!r}")
        args = self.items(")", self.expr)
        owner = parts[-2] if len(parts) >= 2 else ""
        if last in ("Some", "Ok", "Err") and len(args) == 1:
            return RustEnum(last, (args[0],))
        if last == "from" and owner == "String" and len(args) == 1 and isinstance(args[0], str):
            return args[0]
        if last == "new" and owner == "String" and not args:
            return ""
        if last in ("new", "with_capacity") and owner in ("Vec", "VecDeque"):
            return []
        if last in ("new", "with_capacity") and owner in ("HashMap", "BTreeMap"):
            return RustMap(())
        if last in ("new", "with_capacity") and owner in ("HashSet", "BTreeSet"):
            return RustSet(())
        if last == "from" and owner in ("Vec", "VecDeque") and len(args) == 1 and isinstance(args[0], list):
            return args[0]
        if last in ("from", "from_iter") and owner in ("HashMap", "BTreeMap") and len(args) == 1:
            pairs = args[0]
            if not isinstance(pairs, list) or any(
                    not isinstance(p, RustTuple) or len(p.items) != 2 for p in pairs):
                raise ValueError(f"{owner}::from needs a list of pairs")
            return RustMap(tuple(p.items for p in pairs))
        if last in ("from", "from_iter") and owner in ("HashSet", "BTreeSet") and len(args) == 1:
            return _rust_set(args[0])
        if last == "new" and owner in ("Box", "Rc", "Arc", "RefCell", "Cell") and len(args) == 1:
            return args[0]
        if last[:1].isupper() and len(parts) <= 2:
            return RustEnum(last, tuple(args))
        raise ValueError(f"unknown call {name}(…)")


def _rust_set(items) -> RustSet:
    out: list = []
    for x in items if isinstance(items, list) else []:
        if not any(_rust_eq(y, x) for y in out):
            out.append(x)
    return RustSet(tuple(out))


def _rust_cast(v, ty: str):
    if not _is_num(v) and not isinstance(v, (bool, RustChar)):
        raise ValueError(f"cannot cast to {ty}")
    if isinstance(v, RustChar):
        v = ord(v.char)
    if ty in ("f64", "f32"):
        return float(v) if ty == "f64" else _f32(float(v))
    if ty in _RUST_INT_TYPES:
        if isinstance(v, float):
            return 0 if math.isnan(v) else int(v) if math.isfinite(v) else v
        return int(v)
    if ty == "char" and isinstance(v, int):
        return RustChar(chr(v))
    raise ValueError(f"cannot cast to {ty}")


class _DebugParser(_Parser):
    """Rust ``{:?}`` text."""

    def __init__(self, text: str):
        super().__init__(text, "rust")

    def _expr(self):
        t = self.next()
        if t.text == "-":
            v = self.expr()
            if not _is_num(v):
                raise ValueError("minus before a value that is not a number")
            return -v
        if t.kind == "num":
            return _number(t.text, "rust")[0]
        if t.kind == "str":
            return _unescape(t.text, "rust")
        if t.kind == "chr":
            return RustChar(_char(t, "rust"))
        if t.text == "[":
            return self.items("]", self.expr)
        if t.text == "(":
            if self.take(")"):
                return RustTuple(())
            first = self.expr()
            if self.take(")"):
                return first
            self.expect(",")
            return RustTuple((first, *self.items(")", self.expr)))
        if t.text == "{":
            if self.take("}"):
                return RustMap(())
            first = self.expr()
            if self.take(":"):
                pairs = [(first, self.expr())]
                while self.take(","):
                    if self.at("}"):
                        break
                    k = self.expr()
                    self.expect(":")
                    pairs.append((k, self.expr()))
                self.expect("}")
                return RustMap(tuple(pairs))
            items = [first]
            while self.take(","):
                if self.at("}"):
                    break
                items.append(self.expr())
            self.expect("}")
            return RustSet(tuple(items))
        if t.kind == "id":
            consts = {"true": True, "false": False, "inf": math.inf, "NaN": math.nan}
            if t.text in consts:
                return consts[t.text]
            if self.take("("):
                return RustEnum(t.text, tuple(self.items(")", self.expr)))
            if self.take("{"):
                fields = []
                while not self.take("}"):
                    name = self.next()
                    if name.kind not in ("id", "num"):
                        raise ValueError("bad field name")
                    self.expect(":")
                    fields.append((name.text, self.expr()))
                    if not self.take(","):
                        self.expect("}")
                        break
                return RustStruct(t.text, tuple(fields))
            return RustEnum(t.text)
        raise ValueError(f"unexpected {t.text!r}")


def _rust_eq(a, e) -> bool:
    if isinstance(e, bool) or isinstance(a, bool):
        return isinstance(a, bool) and isinstance(e, bool) and a == e
    if _is_num(e):
        return _is_num(a) and a == e
    if isinstance(e, str):
        return isinstance(a, str) and a == e
    if isinstance(e, RustChar):
        return isinstance(a, RustChar) and a == e
    if isinstance(e, list):
        return isinstance(a, list) and len(a) == len(e) and all(map(_rust_eq, a, e))
    if isinstance(e, RustTuple):
        return (isinstance(a, RustTuple) and len(a.items) == len(e.items)
                and all(map(_rust_eq, a.items, e.items)))
    if isinstance(e, RustEnum):
        return (isinstance(a, RustEnum) and a.name == e.name and len(a.items) == len(e.items)
                and all(map(_rust_eq, a.items, e.items)))
    if isinstance(e, RustStruct):
        return (isinstance(a, RustStruct) and a.name == e.name and len(a.fields) == len(e.fields)
                and all(x[0] == y[0] and _rust_eq(x[1], y[1]) for x, y in zip(a.fields, e.fields)))
    if isinstance(e, RustMap):
        if isinstance(a, RustSet) and not a.items and not e.pairs:
            return True
        return isinstance(a, RustMap) and _pairs_match(
            list(a.pairs), list(e.pairs), lambda x, y: _rust_eq(x[0], y[0]) and _rust_eq(x[1], y[1]))
    if isinstance(e, RustSet):
        if isinstance(a, RustMap) and not a.pairs and not e.items:
            return True
        return isinstance(a, RustSet) and _pairs_match(list(a.items), list(e.items), _rust_eq)
    return False


def _rust_compare(line: str, expected) -> tuple[bool, Any]:
    text = _json(line)
    if not isinstance(text, str):
        return False, None
    return _rust_eq(_DebugParser(text).value(), expected), text


def _rust(test_block: str):
    from pipeline.sandbox.languages.rust import assertions
    pairs = [(a, e, None) for a, e in assertions(test_block)]
    return (lambda text: _RustParser(text).value()), _rust_compare, pairs
