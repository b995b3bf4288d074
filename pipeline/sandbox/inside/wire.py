"""Values between the trusted test process and the candidate's process.

The test process (:mod:`.tester`) never holds an object the candidate made: what crosses is
data, encoded here as JSON, and decoded on the test's side into fresh objects of builtin
types only, so no ``__eq__``, ``__bool__`` or ``__hash__`` of the candidate's ever runs where
the assertion is evaluated. JSON carries None, bool, int, float (NaN and infinities too),
str and list as they are; every other value is an object ``{"$": tag, ...}``:

=====  =====================================  =====  ===================================
``t``  tuple                                   ``d``  dict (``v``: key/value pairs)
``s``  set                                     ``fs`` frozenset
``b``  bytes (``v``: latin-1 text)             ``ba`` bytearray
``c``  complex (``v``: [real, imag])           ``D``  Decimal (``v``: its text)
``F``  Fraction (``v``: [num, den])            ``r``  range (``v``: [start, stop, step])
``od`` OrderedDict                             ``C``  Counter
``dd`` defaultdict (``f``: builtin factory)    ``dq`` deque (``m``: maxlen)
``nt`` namedtuple (``n``, ``f``: names)        ``m``  a module of :data:`PURE_MODULES`, by
                                                      name (re-imported)
``B``  a builtin type or pure function, by     ``h``  a handle: any other object, left in
       name                                           the candidate's process (``i``: its id)
=====  =====================================  =====  ===================================

Exact types only: a subclass of ``int`` or ``list`` is a handle, never its base type.

Frames on the two pipes are a u32 length and the JSON text.

>>> decode(encode(({1, 2}, {"a": b"x"}, 3 + 4j), None), None)
({1, 2}, {'a': b'x'}, (3+4j))
"""

from __future__ import annotations

import builtins
import collections
import decimal
import fractions
import importlib
import json
import keyword
import os
import struct

from .frames import read_exact

_LEN = struct.Struct("<I")
MAX_FRAME = 1 << 30
_DEPTH = 500
# What crosses by name is called where it lands: in the test process, on the test's own
# values, with the test's privileges. Only what computes on its arguments and nothing else
# may: ``breakpoint`` named as ``Solution`` ran pdb there, which executed a ``.pdbrc`` the
# solution had written, and a solution's module named ``unittest.__main__`` ran test
# discovery over scratch on import; either found the test's secret in its frames and wrote
# ``completed``. Any other builtin or module crosses as a handle, and runs where it came from.
_PURE_BUILTINS = frozenset((
    "abs", "aiter", "all", "anext", "any", "ascii", "bin", "bool", "bytearray", "bytes",
    "callable", "chr", "classmethod", "complex", "dict", "divmod", "enumerate", "filter",
    "float", "format", "frozenset", "hash", "hex", "id", "int", "isinstance", "issubclass",
    "iter", "len", "list", "map", "max", "memoryview", "min", "next", "object", "oct", "ord",
    "pow", "property", "range", "repr", "reversed", "round", "set", "slice", "sorted",
    "staticmethod", "str", "sum", "super", "tuple", "type", "zip"))
PURE_MODULES = frozenset((
    "array", "bisect", "cmath", "collections", "collections.abc", "copy", "datetime",
    "decimal", "fractions", "functools", "hashlib", "heapq", "itertools", "json", "math",
    "numbers", "operator", "random", "re", "statistics", "string", "struct", "textwrap",
    "time", "unicodedata"))
"""Modules that cross by name and are re-imported by the test process (a ``math`` the
solution patched stays patched only in its own process)."""
# The builtin types and functions as they were before any candidate ran (this module is
# imported by the runner), held strongly: a test passes ``int`` to ``remove_datatype``
# (MBPP 533), and an object cannot pose as one of these, whatever its process patched.
_BUILTINS = {name: v for name, v in vars(builtins).items()
             if name in _PURE_BUILTINS or (type(v) is type and issubclass(v, BaseException))}
_BUILTIN_NAMES = {id(v): (name, v) for name, v in _BUILTINS.items()}


class NotPlain(Exception):
    """The value holds an object that is not data (it crosses as a handle)."""


class Broken(BaseException):
    """The other side sent something that is not a frame of this protocol."""


def write_frame(fd: int, obj) -> None:
    data = json.dumps(obj, separators=(",", ":"), allow_nan=True).encode()
    view = memoryview(_LEN.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def read_frame(fd: int):
    """The next frame's JSON value; ``None`` at end of stream; :class:`Broken` if garbled."""
    head = read_exact(fd, _LEN.size)
    if head is None:
        return None
    (n,) = _LEN.unpack(head)
    if n > MAX_FRAME:
        raise Broken("frame too large")
    data = read_exact(fd, n)
    if data is None:
        return None
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        raise Broken("frame is not JSON") from None


# ------------------------------------------------------------------------------- encode
_NATIVE = (type(None), bool, int, float, str)


def encode(value, handle, depth: int = 0):
    """The wire form of ``value``. ``handle(obj)`` gives the id of an object that is not
    data (the candidate's side); with ``handle=None``, such an object raises
    :class:`NotPlain`."""
    t = type(value)
    if t in _NATIVE:
        return value
    if depth > _DEPTH:
        raise NotPlain("nested too deeply")
    d = depth + 1
    try:
        if t is list:
            return [encode(v, handle, d) for v in value]
        if t is tuple:
            return {"$": "t", "v": [encode(v, handle, d) for v in value]}
        if t is dict:
            return {"$": "d", "v": _pairs(value, handle, d)}
        if t is set or t is frozenset:
            return {"$": "s" if t is set else "fs", "v": [encode(v, handle, d) for v in value]}
        if t is bytes or t is bytearray:
            return {"$": "b" if t is bytes else "ba", "v": value.decode("latin-1")}
        if t is complex:
            return {"$": "c", "v": [value.real, value.imag]}
        if t is range:
            return {"$": "r", "v": [value.start, value.stop, value.step]}
        tag = _special(value, t)
        if tag is not None:
            return tag(value, handle, d)
        if t is type(os) and value.__name__ in PURE_MODULES:
            return {"$": "m", "n": value.__name__}
        known = _BUILTIN_NAMES.get(id(value))
        if known is not None and known[1] is value:
            return {"$": "B", "n": known[0]}
    except NotPlain:
        if handle is None:
            raise
    if handle is None:
        raise NotPlain(f"a {t.__name__} is not data")
    return {"$": "h", "i": handle(value)}


def _pairs(mapping, handle, depth):
    return [[encode(k, handle, depth), encode(v, handle, depth)] for k, v in mapping.items()]


def _special(value, t):
    """Encoders for the standard library's value types (looked up by exact type)."""
    if t is decimal.Decimal:
        return lambda v, h, d: {"$": "D", "v": str(v)}
    if t is fractions.Fraction:
        return lambda v, h, d: {"$": "F", "v": [v.numerator, v.denominator]}
    if t is collections.OrderedDict:
        return lambda v, h, d: {"$": "od", "v": _pairs(v, h, d)}
    if t is collections.Counter:
        return lambda v, h, d: {"$": "C", "v": _pairs(v, h, d)}
    if t is collections.defaultdict:
        def dd(v, h, d):
            f = v.default_factory
            if f is not None and (type(f) is not type or f.__module__ != "builtins"
                                  or f.__name__ not in _FACTORIES):
                raise NotPlain("defaultdict with a factory that is not a builtin type")
            return {"$": "dd", "f": None if f is None else f.__name__, "v": _pairs(v, h, d)}
        return dd
    if t is collections.deque:
        return lambda v, h, d: {"$": "dq", "m": v.maxlen, "v": [encode(x, h, d) for x in v]}
    if (issubclass(t, tuple) and t.__bases__ == (tuple,) and isinstance(getattr(t, "_fields", None), tuple)
            and all(type(f) is str for f in t._fields)):
        return lambda v, h, d: {"$": "nt", "n": t.__name__, "f": list(t._fields),
                                "v": [encode(x, h, d) for x in v]}
    return None


_FACTORIES = {"int": int, "float": float, "str": str, "list": list, "dict": dict, "set": set,
              "tuple": tuple, "bool": bool, "frozenset": frozenset, "bytes": bytes,
              "complex": complex}


# ------------------------------------------------------------------------------- decode
def decode(obj, remote, depth: int = 0):
    """A fresh value of builtin types from its wire form; handles become ``remote(id)``
    (``remote=None``: a handle is :class:`Broken`). Anything off-protocol is :class:`Broken`."""
    t = type(obj)
    if t in _NATIVE:
        return obj
    if depth > _DEPTH + 2:
        raise Broken("nested too deeply")
    d = depth + 1
    if t is list:
        return [decode(v, remote, d) for v in obj]
    if t is not dict:
        raise Broken(f"unexpected {t.__name__}")
    tag = obj.get("$")
    v = obj.get("v")
    try:
        if tag == "t":
            return tuple(_items(v, remote, d))
        if tag in ("d", "od", "C", "dd"):
            pairs = [(decode(k, remote, d), decode(x, remote, d)) for k, x in _list(v, pair=True)]
            if tag == "d":
                return dict(pairs)
            if tag == "od":
                return collections.OrderedDict(pairs)
            if tag == "C":
                return collections.Counter(dict(pairs))
            f = obj.get("f")
            if f is not None and f not in _FACTORIES:
                raise Broken("defaultdict factory")
            return collections.defaultdict(_FACTORIES.get(f), pairs)
        if tag == "s":
            return set(_items(v, remote, d))
        if tag == "fs":
            return frozenset(_items(v, remote, d))
        if tag in ("b", "ba") and type(v) is str:
            data = v.encode("latin-1")
            return data if tag == "b" else bytearray(data)
        if tag == "c" and _numbers(v, 2):
            return complex(v[0], v[1])
        if tag == "D" and type(v) is str:
            return decimal.Decimal(v)
        if tag == "F" and _numbers(v, 2, int) and v[1] != 0:
            return fractions.Fraction(v[0], v[1])
        if tag == "r" and _numbers(v, 3, int) and v[2] != 0:
            return range(*v)
        if tag == "dq":
            m = obj.get("m")
            if m is not None and (type(m) is not int or m < 0):
                raise Broken("deque maxlen")
            return collections.deque(_items(v, remote, d), m)
        if tag == "nt":
            return _namedtuple(obj, remote, d)
        if tag == "m" and obj.get("n") in PURE_MODULES:
            return importlib.import_module(obj["n"])      # the test's own copy, never theirs
        if tag == "B" and obj.get("n") in _BUILTINS:
            return _BUILTINS[obj["n"]]
        if tag == "h" and type(obj.get("i")) is int and remote is not None:
            return remote(obj["i"])
    except (TypeError, ValueError, ArithmeticError, ImportError, RecursionError) as exc:
        raise Broken(f"bad {tag!r}: {type(exc).__name__}") from None
    raise Broken(f"unknown tag {tag!r}")


def _list(v, pair=False):
    if type(v) is not list or (pair and not all(type(p) is list and len(p) == 2 for p in v)):
        raise Broken("expected a list")
    return v


def _items(v, remote, depth):
    return [decode(x, remote, depth) for x in _list(v)]


def _numbers(v, n, kind=(int, float)):
    return (type(v) is list and len(v) == n
            and all(type(x) in (kind if isinstance(kind, tuple) else (kind,)) for x in v))


_NT_CACHE: dict = {}


def _namedtuple(obj, remote, depth):
    name, fields = obj.get("n"), obj.get("f")
    if (type(name) is not str or not name.isidentifier() or type(fields) is not list
            or not all(type(f) is str and f.isidentifier() and not f.startswith("_")
                       for f in fields) or len(set(fields)) != len(fields)):
        raise Broken("namedtuple names")
    key = (name, tuple(fields))
    cls = _NT_CACHE.get(key)
    if cls is None:
        if keyword.iskeyword(name) or any(keyword.iskeyword(f) for f in fields):
            raise Broken("namedtuple names")
        cls = _NT_CACHE[key] = collections.namedtuple(name, fields)
    values = _items(obj.get("v"), remote, depth)
    if len(values) != len(fields):
        raise Broken("namedtuple arity")
    return cls(*values)
