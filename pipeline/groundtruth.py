"""Turn a verl-style ``ground_truth`` into one canonical problems row (DESIGN.md "problems").

RL datasets in verl's parquet layout keep a problem's tests in ``reward_model.ground_truth``,
in whatever shape the source dataset used. :func:`problem_from_ground_truth` reads them all:

- APPS / TACO: ``{"inputs": [...], "outputs": [...], "fn_name"?: str}``. Without ``fn_name``
  the tests are stdin → stdout (an input or output given as a list of lines is joined with
  newlines). With ``fn_name`` an input is either the list of positional arguments (APPS) or
  text with one JSON argument per line (what verl's prime_code reads), and an output is the
  return value or its JSON text. APPS/TACO wrap return values in a one-element list: when
  *every* output of the problem is given as a one-element list the wrapping is removed (a
  problem whose outputs differ in length was not wrapped, so it is kept as is). Outputs given
  as JSON text are taken as the value itself.
- PrimeIntellect / SYNTHETIC-1: a list of ``{"type": "stdin_stdout" | "function_call",
  "input", "output", "fn_name"?}`` (or the ``{"language", "test_cases": [...]}`` object around
  it); function inputs and outputs follow the APPS rules.
- LiveCodeBench: a list of ``{"input", "output", "testtype": "stdin" | "functional"}``; a
  functional test's input is one JSON value per line and its output JSON. The function's name
  comes from ``extra_info`` (``fn_name``, ``func_name`` or ``entry_point``, also inside an
  ``extra_info["metadata"]`` object or JSON string).
- A plain list of ``{"input", "output"}``: stdin → stdout (Codeforces samples, rllm).
- canonical: ``{"kind", "tests", "entry_point"?, "judge"?, ...}``, validated and passed on.

``ground_truth`` may be a JSON string (or a Python literal, as some PrimeIntellect rows are) or
the parsed object; numpy arrays (what pandas gives for nested Parquet lists) are lists here.
Function problems from these datasets get :data:`PRELUDE` (LeetCode-style starters use
``List``, ``defaultdict`` … without importing them). Pickled test encodings are never
decoded: unpickling runs code.

>>> row = problem_from_ground_truth('{"inputs": ["1 2\\\\n"], "outputs": ["3\\\\n"]}',
...                                 problem_id="apps-1")
>>> row["kind"], row["tests"]
('stdio', [{'input': '1 2\\n', 'output': '3\\n'}])
>>> problem_from_ground_truth({"inputs": [[1, 2]], "outputs": [[3]], "fn_name": "add"},
...                           problem_id="apps-2")["tests"]
[{'input': '[1, 2]', 'output': '3'}]
"""

from __future__ import annotations

import ast
import json
from typing import Any

from . import io

FIELDS = tuple(io.PROBLEMS.names)

PRELUDE = ("from typing import *\nfrom collections import *\nfrom heapq import *\n"
           "from bisect import *\nfrom itertools import *\nfrom functools import *\n"
           "import math, re, string, sys\n")
"""Imports placed before solutions of function problems taken from RL datasets."""

SHAPES = ("apps", "primeintellect", "livecodebench", "stdio_list", "canonical")


def problem_from_ground_truth(ground_truth: Any, *, problem_id: str, data_source: str | None = None,
                              extra_info: dict | None = None) -> dict:
    """One canonical problems row from ``ground_truth`` in any shape the module names.

    ``data_source`` only appears in messages (the shape is recognised from the data).
    Raises ``ValueError`` ("ground_truth for problem X: ...") when the shape is unknown or
    a test is unusable.

    >>> lcb = [{"input": "[1,2]\\n3", "output": "true", "testtype": "functional"}]
    >>> row = problem_from_ground_truth(json.dumps(lcb), problem_id="lcb-1",
    ...                                 extra_info={"metadata": '{"func_name": "has"}'})
    >>> row["kind"], row["entry_point"], row["tests"][0]["input"]
    ('function', 'has', '[[1, 2], 3]')
    >>> problem_from_ground_truth("[]", problem_id="x")
    Traceback (most recent call last):
    ...
    ValueError: ground_truth for problem 'x': an empty list of tests
    """
    where = f"ground_truth for problem {problem_id!r}" + (
        f" ({data_source})" if data_source else "")
    try:
        row = _convert(_parse(ground_truth), extra_info or {})
    except _Bad as exc:
        raise ValueError(f"{where}: {exc}") from None
    row = {name: row.get(name) for name in FIELDS} | {"problem_id": problem_id}
    try:
        table = io.read_problems([row])
    except io.InputError as exc:
        detail = str(exc).split("), ", 1)[-1]       # drop "<problems list> row 0 (problem_id …)"
        raise ValueError(f"{where}: {detail}") from None
    return {name: table.column(name)[0].as_py() for name in FIELDS}


def shape_of(ground_truth: Any) -> str:
    """Which of :data:`SHAPES` ``ground_truth`` is in (``ValueError`` when none).

    >>> shape_of({"inputs": ["1"], "outputs": ["1"]}), shape_of([{"type": "stdin_stdout"}])
    ('apps', 'primeintellect')
    """
    try:
        return _shape(_parse(ground_truth))
    except _Bad as exc:
        raise ValueError(f"ground_truth: {exc}") from None


class _Bad(ValueError):
    pass


def _plain(value: Any) -> Any:
    """numpy arrays and scalars (from pandas-read Parquet) as lists and Python values."""
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        value = value.tolist()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _parse(ground_truth: Any) -> Any:
    if isinstance(ground_truth, bytes):
        ground_truth = ground_truth.decode("utf-8")
    if isinstance(ground_truth, str):
        try:
            return _plain(json.loads(ground_truth))
        except json.JSONDecodeError as exc:
            try:
                return _plain(ast.literal_eval(ground_truth))
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                raise _Bad(f"not JSON ({exc.msg} at character {exc.pos}) "
                           f"nor a Python literal") from None
    if ground_truth is None:
        raise _Bad("is missing (None)")
    return _plain(ground_truth)


def _shape(gt: Any) -> str:
    if isinstance(gt, dict):
        if "kind" in gt and "tests" in gt:
            return "canonical"
        if "inputs" in gt or "outputs" in gt:
            return "apps"
        if "test_cases" in gt:
            return "primeintellect"
        raise _Bad(f"an object with keys {sorted(gt)[:8]}; expected APPS/TACO "
                   f"{{inputs, outputs, fn_name?}}, {{test_cases: [...]}} or canonical "
                   f"{{kind, tests, ...}}")
    if isinstance(gt, list):
        if not gt:
            raise _Bad("an empty list of tests")
        for j, t in enumerate(gt):
            if not isinstance(t, dict):
                raise _Bad(f"test {j} is a {type(t).__name__}, expected an object")
        if any("testtype" in t for t in gt):
            return "livecodebench"
        if any("type" in t for t in gt):
            return "primeintellect"
        return "stdio_list"
    raise _Bad(f"a {type(gt).__name__}; expected an object or a list of tests")


def _convert(gt: Any, extra_info: dict) -> dict:
    shape = _shape(gt)
    if shape == "canonical":
        return dict(gt)
    if shape == "apps":
        return _apps(gt)
    if shape == "primeintellect":
        return _primeintellect(gt["test_cases"] if isinstance(gt, dict) else gt)
    if shape == "livecodebench":
        return _livecodebench(gt, extra_info)
    return {"kind": "stdio", "tests": [_stdio(t.get("input"), t.get("output"), j)
                                       for j, t in enumerate(gt)]}


def _text(value: Any, what: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "\n".join(value)
    if value is None:
        raise _Bad(f"{what} is missing")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise _Bad(f"{what} must be text (or a list of lines), got {type(value).__name__}")


def _stdio(inp: Any, out: Any, j: int) -> dict:
    if isinstance(inp, list):                       # lines: a stdin file ends with a newline
        inp = _text(inp, f"test {j} input") + "\n"
    return {"input": _text(inp, f"test {j} input"), "output": _text(out, f"test {j} output")}


def _json(value: Any, what: str) -> str:
    try:
        return json.dumps(value)
    except (TypeError, ValueError) as exc:
        raise _Bad(f"{what} is not JSON-serialisable: {exc}") from None


def _unwrap(outputs: list) -> list:
    """Remove APPS/TACO's one-element-list wrapping when every output has it."""
    if outputs and all(isinstance(o, list) and len(o) == 1 for o in outputs):
        return [o[0] for o in outputs]
    return outputs


def _function(name: Any, inputs: list, outputs: list) -> dict:
    """Function tests from APPS-style inputs (argument lists or JSON lines) and outputs."""
    if not isinstance(name, str) or not name:
        raise _Bad(f"function tests need a function name, got {name!r}")
    args = [_arguments(value, j) for j, value in enumerate(inputs)]
    values = [_value(value) for value in _unwrap(outputs)]
    tests = [{"input": _json(a, f"test {j} input"), "output": _json(o, f"test {j} output")}
             for j, (a, o) in enumerate(zip(args, values))]
    return {"kind": "function", "entry_point": name, "tests": tests, "prelude": PRELUDE}


def _arguments(value: Any, j: int) -> list:
    """An argument list, or text holding one JSON argument per line."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return value                                # keyword arguments
    if isinstance(value, str):
        try:
            return [json.loads(line) for line in value.split("\n") if line.strip()]
        except json.JSONDecodeError as exc:
            raise _Bad(f"test {j} input: text must hold one JSON argument per line "
                       f"({exc.msg}); give a list for plain string arguments") from None
    return [value]


def _value(value: Any) -> Any:
    """A return value given as JSON text is parsed; anything else is the value."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _apps(gt: dict) -> dict:
    inputs, outputs = gt.get("inputs"), gt.get("outputs")
    if not isinstance(inputs, list) or not isinstance(outputs, list):
        raise _Bad("APPS/TACO 'inputs' and 'outputs' must both be lists")
    if len(inputs) != len(outputs):
        raise _Bad(f"APPS/TACO has {len(inputs)} inputs but {len(outputs)} outputs")
    if not inputs:
        raise _Bad("APPS/TACO has no tests")
    if gt.get("fn_name"):
        return _function(gt["fn_name"], inputs, outputs)
    return {"kind": "stdio", "tests": [_stdio(i, o, j)
                                       for j, (i, o) in enumerate(zip(inputs, outputs))]}


def _primeintellect(tests: Any) -> dict:
    if not isinstance(tests, list) or not tests:
        raise _Bad("PrimeIntellect 'test_cases' must be a non-empty list")
    types = {t.get("type") for t in tests if isinstance(t, dict)}
    if not types <= {"stdin_stdout", "function_call"} or len(types) != 1:
        raise _Bad(f"PrimeIntellect tests must all be 'stdin_stdout' or all "
                   f"'function_call'; got types {sorted(map(str, types))}")
    if types == {"stdin_stdout"}:
        return {"kind": "stdio", "tests": [_stdio(t.get("input"), t.get("output"), j)
                                           for j, t in enumerate(tests)]}
    names = {t.get("fn_name") for t in tests} - {None, ""}
    if len(names) > 1:
        raise _Bad(f"PrimeIntellect function tests name several functions {sorted(names)}")
    return _function(next(iter(names), None), [t.get("input") for t in tests],
                     [t.get("output") for t in tests])


def _lcb_name(extra_info: dict) -> str | None:
    sources = [extra_info]
    meta = extra_info.get("metadata")
    if isinstance(meta, str):
        try:
            meta = json.loads(meta)
        except json.JSONDecodeError:
            meta = None
    if isinstance(meta, dict):
        sources.append(meta)
    for source in sources:
        for key in ("fn_name", "func_name", "entry_point"):
            if source.get(key):
                return source[key]
    return None


def _livecodebench(tests: list, extra_info: dict) -> dict:
    types = {t.get("testtype") for t in tests}
    if not types <= {"stdin", "functional"} or len(types) != 1:
        raise _Bad(f"LiveCodeBench tests must all be 'stdin' or all 'functional'; "
                   f"got testtype {sorted(map(str, types))}")
    if types == {"stdin"}:
        return {"kind": "stdio", "tests": [_stdio(t.get("input"), t.get("output"), j)
                                           for j, t in enumerate(tests)]}
    name = _lcb_name(_plain(extra_info))
    if name is None:
        raise _Bad("LiveCodeBench functional tests need the function name in extra_info "
                   "('fn_name', or 'func_name' in extra_info['metadata'])")
    return _function(name, [_text(t.get("input"), f"test {j} input") for j, t in enumerate(tests)],
                     [_text(t.get("output"), f"test {j} output") for j, t in enumerate(tests)])
