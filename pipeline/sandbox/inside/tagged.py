"""The JSON of a ``function`` test's values: the arguments going in, the return value out.

Plain JSON carries None, bool, int, float (NaN and the infinities as ``NaN``, ``Infinity``),
str, list, and dicts whose keys are all str. Every other value is an object with exactly one
key, its tag:

====================  ==========================================================
``{"$tuple": […]}``   a tuple, or a namedtuple (recognised by its structure)
``{"$set": […]}``     a set; ``{"$frozenset": […]}`` a frozenset (elements in the
                      order of their JSON text, so a set always reads the same)
``{"$dict": [[k, v], …]}``  a dict whose keys are not all str (int, tuple, … keys), or
                      whose only key is one of these tags
``{"$complex": [re, im]}``  a complex number
====================  ==========================================================

``Counter``, ``defaultdict`` and ``OrderedDict`` are written as dicts. An object is read as a
tag only when it has exactly one key and that key is a tag of this table; a dict that would
look like one (``{"$set": 1}``) is written as ``$dict``, so every value reads back as itself
and no data can pass for a tag.

Types are checked exactly (``type(v) is ...``): a subclass of ``int``, ``set``, ``dict`` or
``tuple`` is refused, whatever its ``__eq__`` says, and no method of the value's own class is
called to write it. A namedtuple is a class made by :func:`collections.namedtuple` (or
``typing.NamedTuple``), known by its structure: a direct subclass of ``tuple`` whose metaclass
is ``type``, with ``_fields`` and one field accessor per field, and no comparison or
iteration methods of its own. Its items are read from the tuple's own storage.

The same code encodes in the sandbox (return values), decodes there (arguments), and decodes
the expected and returned values outside, where they are compared (:mod:`judges.values`).

>>> dumps((1, {2: {"a", "b"}}, 3 + 4j))
'{"$tuple": [1, {"$dict": [[2, {"$set": ["a", "b"]}]]}, {"$complex": [3.0, 4.0]}]}'
>>> loads(dumps({"$set": [1]})), loads('{"$set": [1], "x": 2}')
({'$set': [1]}, {'$set': [1], 'x': 2})
"""

from __future__ import annotations

import collections
import json

TAGS = ("$tuple", "$set", "$frozenset", "$dict", "$complex")
MAX_DEPTH = 200

_SCALARS = (type(None), bool, int, float, str)
_DICTS = (dict, collections.Counter, collections.defaultdict, collections.OrderedDict)
_FIELD = type(collections.namedtuple("_Probe", "x").x)
"""The type of a namedtuple's field accessor (``collections._tuplegetter``)."""
_OWN = ("__eq__", "__ne__", "__hash__", "__iter__", "__len__", "__getitem__", "__lt__",
        "__le__", "__gt__", "__ge__")


# ------------------------------------------------------------------------------ encode
def encode(value, depth: int = 0):
    """The JSON-ready form of ``value``; ``TypeError`` names what cannot be written.

    >>> encode([1, (2,), frozenset({3})])
    [1, {'$tuple': [2]}, {'$frozenset': [3]}]
    >>> encode(collections.Counter("aab")), encode({"$dict": 0})
    ({'a': 2, 'b': 1}, {'$dict': [['$dict', 0]]})
    """
    t = type(value)
    if t in _SCALARS:
        return value
    if depth >= MAX_DEPTH:
        raise TypeError("return value nested too deeply")
    d = depth + 1
    if t is list:
        return [encode(v, d) for v in value]
    if t is tuple:
        return {"$tuple": [encode(v, d) for v in value]}
    if t in _DICTS:
        items = dict.items(value)            # the base class's view: no method of theirs
        if all(type(k) is str for k in dict.keys(value)) and not (
                len(items) == 1 and next(iter(dict.keys(value))) in TAGS):
            return {k: encode(v, d) for k, v in items}
        return {"$dict": [[encode(k, d), encode(v, d)] for k, v in items]}
    if t is set or t is frozenset:
        members = sorted((encode(v, d) for v in value), key=_text)
        return {"$set" if t is set else "$frozenset": members}
    if t is complex:
        return {"$complex": [value.real, value.imag]}
    if is_namedtuple(t):
        return {"$tuple": [encode(v, d) for v in tuple.__iter__(value)]}
    raise TypeError(f"unsupported return type {t.__name__}")


def is_namedtuple(cls) -> bool:
    """Whether ``cls`` is a plain namedtuple class, read from its structure alone.

    >>> P = collections.namedtuple("P", "x y")
    >>> class Q(P): pass
    >>> class R(tuple): _fields = ("x",)
    >>> is_namedtuple(P), is_namedtuple(Q), is_namedtuple(R)
    (True, False, False)
    """
    if type(cls) is not type or cls.__bases__ != (tuple,):
        return False                    # a metaclass of its own could run code on lookups
    own = cls.__dict__
    fields = own.get("_fields")
    if type(fields) is not tuple or not all(type(f) is str for f in fields):
        return False
    if any(name in own for name in _OWN):
        return False
    return all(type(own.get(f)) is _FIELD for f in fields)


def _text(encoded) -> str:
    return json.dumps(encoded, allow_nan=True, sort_keys=True)


def dumps(value) -> str:
    """``value`` as the JSON text of this encoding (``TypeError`` if it cannot be)."""
    return json.dumps(encode(value), allow_nan=True)


# ------------------------------------------------------------------------------ decode
def decode(obj, depth: int = 0, key: bool = False):
    """The value a JSON-decoded ``obj`` stands for; ``ValueError`` if it stands for none.

    ``key``: the value must be hashable (a set member or a dict key), so lists and tuples
    become tuples and sets frozensets; a dict there is an error.

    >>> decode({"$dict": [[[1, 2], {"$set": [3]}]]})
    {(1, 2): {3}}
    """
    if type(obj) in _SCALARS or isinstance(obj, str):     # str subclass: a long integer
        return obj
    if depth >= MAX_DEPTH + 2:
        raise ValueError("value nested too deeply")
    d = depth + 1
    if type(obj) is list:
        items = [decode(v, d, key) for v in obj]
        return tuple(items) if key else items
    if type(obj) is not dict:
        raise ValueError(f"unexpected {type(obj).__name__}")
    if len(obj) == 1:
        tag, v = next(iter(obj.items()))
        if tag in TAGS:
            return _tagged(tag, v, d, key)
    if key:
        raise ValueError("a dict cannot be a set member or a dict key")
    return {k: decode(v, d) for k, v in obj.items()}


def _tagged(tag: str, v, depth: int, key: bool):
    if type(v) is not list:
        raise ValueError(f"{tag} needs a list")
    if tag == "$tuple":
        return tuple(decode(x, depth, key) for x in v)
    if tag in ("$set", "$frozenset"):
        members = [decode(x, depth, True) for x in v]
        return frozenset(members) if key or tag == "$frozenset" else set(members)
    if tag == "$complex":
        if len(v) != 2 or not all(type(x) in (int, float) for x in v):
            raise ValueError("$complex needs [real, imag]")
        return complex(v[0], v[1])
    if key:
        raise ValueError("a dict cannot be a set member or a dict key")
    if not all(type(p) is list and len(p) == 2 for p in v):
        raise ValueError("$dict needs [key, value] pairs")
    return {decode(k, depth, True): decode(x, depth) for k, x in v}


def loads(text: str | bytes, parse_int=None):
    """The value of a JSON text of this encoding (``ValueError`` if it is not one)."""
    try:
        return decode(json.loads(text, parse_int=parse_int))
    except RecursionError:
        raise ValueError("value nested too deeply") from None
    except TypeError as exc:            # an unhashable member built from hostile input
        raise ValueError(str(exc)) from None
