"""Comparators registered by name and built from a spec such as ``float:1e-6``.

A spec is ``NAME`` or ``NAME:PARAM``. Every spec is checked when a config or a problems
table is loaded, so a typo fails before the first test runs, not at row 10,000.
"""

from __future__ import annotations

from typing import Callable, Protocol


class Comparator(Protocol):
    """Compares a program's stdout with the expected output."""

    spec: str
    float_eps: float | None
    """Tolerance for floats in function return values; ``None`` compares them exactly."""

    def check(self, output: str, expected: str) -> tuple[bool, str]:
        """``(passed, message)``; the message says where the first difference is."""


class JudgeSpecError(ValueError):
    """An unknown judge name or a bad parameter."""


_FACTORIES: dict[str, Callable[[str | None], Comparator]] = {}


def register(name: str):
    """Register ``factory(param) -> Comparator`` under ``name``.

    >>> @register("always-equal")
    ... def always(param):
    ...     class Always:
    ...         spec, float_eps = "always-equal", None
    ...         def check(self, output, expected): return True, ""
    ...     return Always()
    >>> get("always-equal").check("a", "b")
    (True, '')
    >>> del _FACTORIES["always-equal"]
    """
    def deco(factory):
        _FACTORIES[name] = factory
        return factory
    return deco


def get(spec: str) -> Comparator:
    """Build the comparator for ``spec``.

    >>> get("float:1e-6").check("0.3333333", "0.333333333")
    (True, '')
    >>> get("nope")
    Traceback (most recent call last):
    ...
    judges.registry.JudgeSpecError: unknown judge 'nope'; known: checker, codecontests, exact, float, lcb, lines, openr1, ran, sandboxfusion, testlib-wcmp, tokens, unordered, yesno
    """
    if not isinstance(spec, str) or not spec:
        raise JudgeSpecError(f"judge must be a non-empty string, got {spec!r}")
    name, _, param = spec.partition(":")
    factory = _FACTORIES.get(name)
    if factory is None:
        raise JudgeSpecError(f"unknown judge {name!r}; known: {', '.join(names())}")
    return factory(param or None)


def names() -> list[str]:
    return sorted(_FACTORIES)


def no_param(name: str, param: str | None) -> None:
    if param is not None:
        raise JudgeSpecError(f"judge {name!r} takes no parameter, got {param!r}")
