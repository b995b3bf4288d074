"""Result records: what a run reports besides its output, parsed as hostile input.

A record is what a harness reports on its result channel: the Python harness's
``returned``, ``raised``, ``exited``, ``syntax`` or ``completed``, or a compiled assert's
emitted ``values``. The bytes come from inside the sandbox, and in ``function`` mode from
the very process that ran the candidate, so :func:`parse` reads them as hostile input: any
bytes give a :class:`Record` of known fields and types, or ``None`` for none at all, and
never raise. Before this, a record that was valid JSON but not an object, or held an
integer over Python's 4300-digit limit, stopped a whole run.

>>> parse(b'{"status": "returned", "value": "[1, 2]"}')
Record(kind=<RecordKind.RETURNED: 'returned'>, value='[1, 2]')
>>> parse(b'[1]').kind, parse(b'{"status": "completed"}', nonce="ab").kind
(<RecordKind.GARBLED: 'garbled'>, <RecordKind.GARBLED: 'garbled'>)
>>> parse(b'{"status": "completed", "nonce": "ab"}', nonce="ab").kind
<RecordKind.COMPLETED: 'completed'>
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from enum import Enum


class RecordKind(str, Enum):
    """What a harness reported."""

    RETURNED = "returned"     #: ``function``: the call returned (``value``, or ``unserialisable``)
    RAISED = "raised"         #: an uncaught exception (``type``, ``message``)
    EXITED = "exited"         #: the program exited before the test ended (``exit_code``)
    SYNTAX = "syntax"         #: it does not compile (``type``, ``message``)
    COMPLETED = "completed"   #: the test ran to its end
    VALUES = "values"         #: a compiled ``assert``: the actual values, one per assertion
    GARBLED = "garbled"       #: bytes that are no record of any kind (``message`` says why)


@dataclass(frozen=True)
class Record:
    """A result record of known fields (the only shape the judges read)."""

    kind: RecordKind
    value: str | None = None
    """``returned``: the JSON text of the return value (parsed by the judges)."""
    unserialisable: str | None = None
    """``returned``: why the return value could not be sent (not a whitelisted type)."""
    type: str | None = None
    """``raised``/``syntax``/``values``: the error's name, if any."""
    message: str = ""
    exit_code: int | None = None
    values: tuple[str, ...] = ()
    """``values``: what the harness emitted, one text per assertion that ran."""

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self)
                          if getattr(self, f.name) != f.default)
        return f"Record({shown})"


_TEXT = {"type": 200, "message": 2000, "unserialisable": 2000}


class Digits(str):
    """An integer too long for ``int()`` under Python's digit limit, kept as its canonical
    digits (sign, no leading zeros): two compare equal exactly when the integers do."""


def big_int(text: str):
    """``int(text)`` for JSON integer text of any length (``json.loads(parse_int=...)``).

    >>> big_int("12"), type(big_int("1" * 5000)).__name__
    (12, 'Digits')
    """
    if len(text) <= 4000:
        return int(text)
    sign = "-" if text.startswith("-") else ""
    digits = text.lstrip("+-").lstrip("0") or "0"
    return Digits(sign + digits if digits != "0" else "0")


def loads(text: str | bytes):
    """``json.loads`` that accepts integers of any size (see :class:`Digits`)."""
    return json.loads(text, parse_int=big_int)


def garbled(why: str) -> Record:
    return Record(RecordKind.GARBLED, message=why)


def parse(raw: bytes, nonce: str | None = None) -> Record | None:
    """The record in ``raw``; with ``nonce``, only a record carrying it is believed.

    ``nonce`` is the per-test secret handed to the trusted test process only: a record
    without it was written by something else (the program) and is ``garbled``.
    """
    if not raw:
        return None
    try:
        obj = loads(raw)
    except (ValueError, RecursionError):
        return garbled("the result record is not JSON")
    if not isinstance(obj, dict) or not isinstance(obj.get("status"), str):
        return garbled("the result record is not an object with a status")
    if nonce is not None and obj.get("nonce") != nonce:
        return garbled("the result record does not carry this test's secret")
    try:
        kind = RecordKind(obj["status"])
    except ValueError:
        return garbled(f"unexpected result record {obj['status'][:64]!r}")
    if kind in (RecordKind.VALUES, RecordKind.GARBLED):
        return garbled(f"unexpected result record {kind.value!r}")   # never from a harness
    # A lone surrogate ("\udcff") in a text stopped the run's table: texts are made UTF-8.
    rec: dict = {key: obj[key][:cap].encode("utf-8", "replace").decode()
                 for key, cap in _TEXT.items() if isinstance(obj.get(key), str)}
    if isinstance(obj.get("value"), str):
        rec["value"] = obj["value"]      # any size within the output cap; judged outside
    code = obj.get("exit_code")
    if type(code) is int and 0 <= code <= 255:
        rec["exit_code"] = code
    elif "exit_code" in obj:
        rec["exit_code"] = 1
    return Record(kind, **rec)
