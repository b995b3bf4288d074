"""Reading a result record: bytes a sandboxed process wrote, trusted for nothing.

A record is what the Python harness reports on its result channel (``returned``,
``raised``, ``exited``, ``syntax``, ``completed``). The bytes come from inside the sandbox,
and in ``function`` mode from the very process that ran the candidate, so they are parsed
as hostile input: any bytes give a dict with known keys of known types, or ``None`` for
none at all, and never raise. Before this, a record that was valid JSON but not an object,
or held an integer over Python's 4300-digit limit, stopped a whole run.

>>> parse(b'{"status": "returned", "value": "[1, 2]"}')
{'status': 'returned', 'value': '[1, 2]'}
>>> parse(b'[1]')["status"], parse(b'{"status": "completed"}', nonce="ab")["status"]
('garbled', 'garbled')
>>> parse(b'{"status": "completed", "nonce": "ab"}', nonce="ab")
{'status': 'completed'}
"""

from __future__ import annotations

import json

_TEXT = {"status": 64, "type": 200, "message": 2000, "unserialisable": 2000}
# Large enough for any result within the stdout cap; the value is parsed by the judges.
_VALUE = "value"


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


def garbled(why: str) -> dict:
    return {"status": "garbled", "message": why}


def parse(raw: bytes, nonce: str | None = None) -> dict | None:
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
    rec: dict = {}
    for key, cap in _TEXT.items():
        if isinstance(obj.get(key), str):     # a lone surrogate ("\udcff") stopped the run's table
            rec[key] = obj[key][:cap].encode("utf-8", "replace").decode()
    if isinstance(obj.get(_VALUE), str):
        rec[_VALUE] = obj[_VALUE]
    code = obj.get("exit_code")
    if type(code) is int and 0 <= code <= 255:
        rec["exit_code"] = code
    elif "exit_code" in obj:
        rec["exit_code"] = 1
    return rec
