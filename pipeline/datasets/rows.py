"""Small helpers shared by the adapters: field access with errors that name the row."""

from __future__ import annotations

import ast
import re
import json
from typing import Any

from ..io import InputError


class Upstream:
    """One upstream row, for messages: ``Upstream("mbpp", 3, row).need("code")``.

    >>> Upstream("mbpp", 0, {"code": "x = 1"}).need("code")
    'x = 1'
    >>> Upstream("mbpp", 0, {}).need("code")
    Traceback (most recent call last):
    ...
    pipeline.io.InputError: mbpp row 0: field 'code' is missing
    """

    def __init__(self, fmt: str, index: int, row: dict, key: str | None = None):
        self.fmt, self.index, self.row, self.key = fmt, index, row, key

    def error(self, problem: str) -> InputError:
        at = f"{self.fmt} row {self.index}" + (f" ({self.key})" if self.key else "")
        return InputError(f"{at}: {problem}")

    def need(self, field: str, kind: type | tuple = str) -> Any:
        value = self.row.get(field)
        if value is None:
            raise self.error(f"field {field!r} is missing")
        if not isinstance(value, kind):
            raise self.error(f"field {field!r} must be {_names(kind)}, got "
                             f"{type(value).__name__}")
        return value

    def get(self, field: str, default: Any = None) -> Any:
        value = self.row.get(field)
        return default if value is None else value

    def json_field(self, field: str, *, literal: bool = False) -> Any:
        """A field that holds JSON text (or the parsed value already, as Parquet structs do).

        ``literal``: also accept a Python literal (some PrimeIntellect rows only parse so).
        """
        value = self.row.get(field)
        if value is None:
            raise self.error(f"field {field!r} is missing")
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            if literal:
                try:
                    return ast.literal_eval(value)
                except (ValueError, SyntaxError, MemoryError, RecursionError):
                    pass
            raise self.error(f"field {field!r} is not valid JSON: {exc.msg}") from None


def _names(kind) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(k.__name__ for k in kinds)


def lines_text(value: Any) -> str:
    """Test text given as a string or as a list of lines (APPS, TACO).

    >>> lines_text(["1 2", "3"]), lines_text("1 2\\n")
    ('1 2\\n3', '1 2\\n')
    """
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return value if isinstance(value, str) else str(value)


_NUMBER = re.compile(r"(\d+(?:\.\d+)?)")


def seconds(value: Any) -> float | None:
    """A time limit given as a number or text ("1 second", "2.5 s"); None when unknown.

    >>> seconds("2 seconds"), seconds(1.5), seconds(None), seconds("0")
    (2.0, 1.5, None, None)
    """
    if isinstance(value, str):
        m = _NUMBER.search(value)
        value = float(m.group(1)) if m else None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return float(value)
    return None


def megabytes(value: Any, *, bytes_: bool = False) -> int | None:
    """A memory limit as whole MiB; text ("256 megabytes") or a number (MB, or bytes).

    Byte counts in these datasets are decimal ("256000000" for the judge's 256 MB), so they
    are divided by 10^6.

    >>> megabytes("256 megabytes"), megabytes(256000000, bytes_=True), megabytes(None)
    (256, 256, None)
    """
    if isinstance(value, str):
        m = _NUMBER.search(value)
        value = float(m.group(1)) if m else None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return max(1, round(value / 1e6)) if bytes_ else max(1, round(value))
    return None


def difficulty(value: Any) -> str | None:
    """Difficulty as text (sources use strings or small integers), None when absent."""
    return None if value is None or value == "" else str(value)
