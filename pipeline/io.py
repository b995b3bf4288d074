"""Read and validate problems and solutions; write result tables with explicit Arrow schemas.

Inputs may be Parquet (a file or a folder of files), JSONL, a pandas or Dask dataframe, or
an Arrow table. Bad input raises :class:`InputError` naming the file, the row and the
column, before any work is sent to the cluster.

>>> problems = read_problems([{"problem_id": "p", "kind": "stdio",
...                            "tests": [{"input": "1", "output": "1"}]}])
>>> problems.column("entry_point").to_pylist()
[None]
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

import judges
from .sandbox.inside.tagged import decode
from .sandbox.records import loads

KINDS = ("stdio", "function", "assert", "interactive")
LANGUAGES = ("python", "cpp", "java", "javascript", "go", "rust")
"""Canonical names (``pipeline.sandbox.languages`` also takes aliases such as ``c++``)."""

TEST = pa.struct([("input", pa.string()), ("output", pa.string())])
SUBTASK = pa.struct([("points", pa.float64()), ("tests", pa.list_(pa.int64()))])

PROBLEMS = pa.schema([
    ("problem_id", pa.string()), ("kind", pa.string()), ("tests", pa.list_(TEST)),
    ("entry_point", pa.string()), ("judge", pa.string()), ("checker", pa.string()),
    ("time_limit_s", pa.float64()), ("memory_limit_mb", pa.int64()), ("prelude", pa.string()),
    ("signature", pa.string()),
    # ``interactive``: the interactor's source and language; IOI subtasks (any kind).
    ("interactor", pa.string()), ("interactor_language", pa.string()),
    ("subtasks", pa.list_(SUBTASK)),
])
SOLUTIONS = pa.schema([
    ("problem_id", pa.string()), ("solution_id", pa.string()), ("language", pa.string()),
    ("code", pa.string()),
])
REQUIRED = {"problems": ("problem_id", "kind", "tests"),
            "solutions": ("problem_id", "solution_id", "code")}

# Results.
TESTS_OUT = pa.schema([
    ("problem_id", pa.string()), ("solution_id", pa.string()), ("test_index", pa.int32()),
    ("verdict", pa.string()), ("time_s", pa.float64()), ("wall_s", pa.float64()),
    ("memory_mb", pa.float64()), ("message", pa.string()),
    # The program's output, first ``keep_output`` bytes (null unless the config asks).
    ("stdout", pa.string()), ("stderr", pa.string()),
    # How the program ended (null when it did not run: SKIP, SE, or killed by a limit).
    ("exit_code", pa.int32()), ("signal", pa.int32()),
    # In [0, 1]: 1 AC, the judge's points, else 0; null for SE and SKIP.
    ("score", pa.float64()),
])
SOLUTIONS_OUT = pa.schema([
    ("problem_id", pa.string()), ("solution_id", pa.string()), ("language", pa.string()),
    ("n_tests", pa.int32()), ("n_passed", pa.int32()), ("pass_fraction", pa.float64()),
    ("accepted", pa.bool_()), ("verdict", pa.string()),
    # The first test (by index) that is not AC, null when all are; CPU seconds of all tests.
    ("first_failure", pa.int32()), ("time_s", pa.float64()),
    # Points (IOI subtasks; see pipeline.reduce), null when any test is SE.
    ("score", pa.float64()), ("max_score", pa.float64()),
])
PROBLEMS_OUT = pa.schema([
    ("problem_id", pa.string()), ("n_solutions", pa.int32()), ("n_judged", pa.int32()),
    ("n_accepted", pa.int32()), ("pass_rate", pa.float64()), ("mean_pass_fraction", pa.float64()),
    ("max_score", pa.float64()), ("mean_score", pa.float64()),
])


class InputError(ValueError):
    """Input that cannot be scored. The message names the file, the row and the column."""


# --------------------------------------------------------------------------------- reading

def _rows(source: Any, what: str) -> tuple[list[dict], str, list[str]]:
    """Return (rows, name for messages, column names) for any supported source."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        name = str(source)
        if not path.exists():
            raise InputError(f"{name}: no such file or folder")
        if path.is_dir() or path.suffix == ".parquet":
            try:
                table = pq.read_table(path)
            except (pa.ArrowInvalid, OSError) as exc:
                raise InputError(f"{name}: not a readable Parquet file: {exc}") from None
            return table.to_pylist(), name, table.column_names
        if path.suffix in (".jsonl", ".ndjson", ".json"):
            rows = []
            with path.open(encoding="utf-8") as f:
                for i, line in enumerate(f):
                    if not line.strip():
                        continue
                    try:
                        row = json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise InputError(f"{name} line {i + 1}: invalid JSON: {exc.msg}") from None
                    if not isinstance(row, dict):
                        raise InputError(f"{name} line {i + 1}: expected a JSON object")
                    rows.append(row)
            columns = list(dict.fromkeys(k for r in rows for k in r))
            return rows, name, columns
        raise InputError(f"{name}: unknown format (use .parquet, a Parquet folder, or .jsonl)")
    if isinstance(source, pa.Table):
        return source.to_pylist(), f"<{what} table>", source.column_names
    if hasattr(source, "compute") and hasattr(source, "npartitions"):
        source = source.compute()
    if isinstance(source, pd.DataFrame):
        table = pa.Table.from_pandas(source, preserve_index=False)
        return table.to_pylist(), f"<{what} dataframe>", table.column_names
    if isinstance(source, list):
        columns = list(dict.fromkeys(k for r in source for k in r))
        return [dict(r) for r in source], f"<{what} list>", columns
    raise InputError(f"{what}: cannot read a {type(source).__name__}; give a path, a pandas "
                     f"or Dask dataframe, or an Arrow table")


class _Row:
    """Error messages for one row."""

    def __init__(self, name: str, index: int, key: str | None):
        self.prefix = f"{name} row {index}" + (f" ({key})" if key else "")

    def fail(self, column: str, problem: str) -> InputError:
        return InputError(f"{self.prefix}, column {column!r}: {problem}")


def _text(row: dict, column: str, where: _Row, required: bool) -> str | None:
    value = row.get(column)
    if value is None or (isinstance(value, float) and value != value):
        if required:
            raise where.fail(column, "is missing (null)")
        return None
    if not isinstance(value, str):
        raise where.fail(column, f"must be a string, got {type(value).__name__} {value!r:.40}")
    if required and not value:
        raise where.fail(column, "is empty")
    return value


def _number(row: dict, column: str, where: _Row, kind: type) -> Any:
    value = row.get(column)
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise where.fail(column, f"must be a number, got {type(value).__name__} {value!r:.40}")
    if value <= 0:
        raise where.fail(column, f"must be positive, got {value}")
    if kind is int and float(value) != int(value):
        raise where.fail(column, f"must be a whole number, got {value}")
    return kind(value)


def _check_columns(columns: list[str], what: str, name: str) -> None:
    missing = [c for c in REQUIRED[what] if c not in columns]
    if missing:
        raise InputError(f"{name}: missing column(s) {', '.join(map(repr, missing))}; "
                         f"{what} need {', '.join(REQUIRED[what])}")


def _tests(row: dict, kind: str, where: _Row) -> list[dict]:
    tests = row.get("tests")
    if hasattr(tests, "tolist"):
        tests = tests.tolist()
    if not isinstance(tests, (list, tuple)):
        raise where.fail("tests", f"must be a list of {{input, output}}, got {type(tests).__name__}")
    if not tests:
        raise where.fail("tests", "is empty; a problem needs at least one test")
    out = []
    for j, t in enumerate(tests):
        if not isinstance(t, dict) or "input" not in t:
            raise where.fail(f"tests[{j}]", "must be an object with 'input' and 'output'")
        inp, exp = t.get("input"), t.get("output")
        if not isinstance(inp, str) or not isinstance(exp, (str, type(None))):
            raise where.fail(f"tests[{j}]", "input and output must be strings")
        exp = exp or ""
        if kind == "function":
            for part, text in (("input", inp), ("output", exp)):
                try:
                    value = loads(text)         # integers of any size
                except json.JSONDecodeError as exc:
                    raise where.fail(f"tests[{j}].{part}", f"invalid JSON: {exc.msg}") from None
                except (ValueError, RecursionError) as exc:
                    raise where.fail(f"tests[{j}].{part}", f"invalid JSON: {exc}") from None
                if part == "input" and not isinstance(value, (list, dict)):
                    raise where.fail(f"tests[{j}].input", "must be a JSON array of arguments "
                                     "or a JSON object of keyword arguments")
                values = [value] if part == "output" else (
                    list(value.values()) if isinstance(value, dict) else value)
                try:
                    for v in values:
                        decode(v)           # tuples, sets, … are tagged objects (DESIGN.md)
                except (ValueError, RecursionError) as exc:
                    raise where.fail(f"tests[{j}].{part}", f"not a value: {exc}") from None
        out.append({"input": inp, "output": exp})
    return out


def _subtasks(row: dict, n_tests: int, where: _Row) -> list[dict] | None:
    """IOI subtasks: ``[{points, tests}]``, points ≥ 0 adding up to more than 0, each a
    non-empty list of distinct test indices of this problem."""
    value = row.get("subtasks")
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "tolist"):
        value = value.tolist()
    if not isinstance(value, (list, tuple)) or not value:
        raise where.fail("subtasks", "must be a non-empty list of {points, tests}")
    out, total = [], 0.0
    for k, st in enumerate(value):
        if not isinstance(st, dict) or "points" not in st or "tests" not in st:
            raise where.fail(f"subtasks[{k}]", "must be an object with 'points' and 'tests'")
        points = st["points"]
        if (isinstance(points, bool) or not isinstance(points, (int, float))
                or not math.isfinite(points) or points < 0):
            raise where.fail(f"subtasks[{k}].points", f"must be a number ≥ 0, got {points!r:.40}")
        tests = st["tests"]
        if hasattr(tests, "tolist"):
            tests = tests.tolist()
        if not isinstance(tests, (list, tuple)) or not tests:
            raise where.fail(f"subtasks[{k}].tests", "must be a non-empty list of test indices")
        for t in tests:
            if isinstance(t, bool) or not isinstance(t, int):
                raise where.fail(f"subtasks[{k}].tests", f"test indices are integers, got {t!r:.40}")
            if not 0 <= t < n_tests:
                raise where.fail(f"subtasks[{k}].tests", f"test index {t} is out of range: the "
                                 f"problem has {n_tests} test(s), 0 to {n_tests - 1}")
        if len(set(tests)) != len(tests):
            raise where.fail(f"subtasks[{k}].tests", "lists a test more than once")
        out.append({"points": float(points), "tests": [int(t) for t in tests]})
        total += points
    if total <= 0:
        raise where.fail("subtasks", "the points add up to 0: nothing could be scored")
    return out


def _interactor(row: dict, kind: str, judge: str | None, where: _Row) -> tuple:
    """``interactive``: the interactor's source (required) and its language (a language
    the sandbox runs, default python); neither belongs to another kind."""
    source = _text(row, "interactor", where, required=kind == "interactive")
    language = _text(row, "interactor_language", where, required=False)
    if kind != "interactive":
        for column, value in (("interactor", source), ("interactor_language", language)):
            if value is not None:
                raise where.fail(column, f"is for interactive problems, not {kind!r}")
        return None, None
    if judge is not None:
        raise where.fail("judge", "an interactive problem is judged by its interactor; leave "
                         "'judge' empty")
    if language is not None:
        language = _canonical(language)
        if language not in LANGUAGES:
            raise where.fail("interactor_language", f"language {language!r} is not supported; "
                             f"supported: {', '.join(LANGUAGES)}")
    return source, language


def _signature(row: dict, kind: str, where: _Row) -> str | None:
    """The signature a compiled ``function`` solution is called by: the ``signature`` column,
    else the starter code (LiveCodeBench keeps LeetCode's in ``starter_code``). It is read
    only when a compiled solution needs it: a Python solution never does."""
    signature = _text(row, "signature", where, required=False)
    if signature is None and kind == "function" and isinstance(row.get("starter_code"), str):
        signature = row["starter_code"] or None
    return signature


def read_problems(source: Any) -> pa.Table:
    """Read and validate a problems table; return it with the canonical schema first.

    Extra columns are kept, after the canonical ones.
    """
    rows, name, columns = _rows(source, "problems")
    _check_columns(columns, "problems", name)
    seen: dict[str, int] = {}
    clean = []
    for i, row in enumerate(rows):
        where = _Row(name, i, None)
        pid = _text(row, "problem_id", where, required=True)
        where = _Row(name, i, f"problem_id {pid!r}")
        if pid in seen:
            raise where.fail("problem_id", f"duplicate id, first seen in row {seen[pid]}")
        seen[pid] = i
        kind = _text(row, "kind", where, required=True)
        if kind not in KINDS:
            raise where.fail("kind", f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
        entry = _text(row, "entry_point", where, required=kind == "function")
        judge = _text(row, "judge", where, required=False)
        if judge is not None:
            try:
                judges.get(judge)
            except judges.JudgeSpecError as exc:
                raise where.fail("judge", str(exc)) from None
        checker = _text(row, "checker", where, required=judges.is_checker(judge))
        if judges.is_checker(judge) and kind != "stdio":
            raise where.fail("judge", f"a checker judges stdio problems only, not {kind!r}")
        interactor, interactor_language = _interactor(row, kind, judge, where)
        tests = _tests(row, kind, where)
        out = dict(row)
        out.update(problem_id=pid, kind=kind, tests=tests, entry_point=entry,
                   judge=judge, checker=checker,
                   time_limit_s=_number(row, "time_limit_s", where, float),
                   memory_limit_mb=_number(row, "memory_limit_mb", where, int),
                   prelude=_text(row, "prelude", where, required=False),
                   signature=_signature(row, kind, where),
                   interactor=interactor, interactor_language=interactor_language,
                   subtasks=_subtasks(row, len(tests), where))
        clean.append(out)
    return _table(clean, PROBLEMS, columns, name)


def read_solutions(source: Any, problems: pa.Table | None = None) -> pa.Table:
    """Read and validate a solutions table, against ``problems`` when given."""
    rows, name, columns = _rows(source, "solutions")
    _check_columns(columns, "solutions", name)
    known = set(problems.column("problem_id").to_pylist()) if problems is not None else None
    seen: dict[tuple[str, str], int] = {}
    clean = []
    for i, row in enumerate(rows):
        where = _Row(name, i, None)
        pid = _text(row, "problem_id", where, required=True)
        sid = row.get("solution_id")
        if isinstance(sid, int) and not isinstance(sid, bool):
            sid = str(sid)                      # numeric sample indices are common
        row = dict(row, solution_id=sid)
        sid = _text(row, "solution_id", where, required=True)
        where = _Row(name, i, f"problem_id {pid!r}, solution_id {sid!r}")
        if known is not None and pid not in known:
            raise where.fail("problem_id", "no problem with this id in the problems table")
        if (pid, sid) in seen:
            raise where.fail("solution_id", f"duplicate within its problem, first seen in row "
                             f"{seen[(pid, sid)]}")
        seen[(pid, sid)] = i
        lang = _text(row, "language", where, required=False) or "python"
        lang = _canonical(lang)
        if lang not in LANGUAGES:
            raise where.fail("language", f"language {lang!r} is not supported; supported: "
                             f"{', '.join(LANGUAGES)}")
        code = row.get("code")
        if not isinstance(code, str):
            raise where.fail("code", f"must be a string, got {type(code).__name__}")
        clean.append(dict(row, problem_id=pid, solution_id=sid, language=lang, code=code))
    return _table(clean, SOLUTIONS, columns, name)


def _canonical(language: str) -> str:
    from .sandbox import languages
    try:
        plugin = languages.get(language)
    except KeyError:
        return language
    return plugin.name if plugin else "python"


def _table(rows: list[dict], schema: pa.Schema, columns: list[str], name: str) -> pa.Table:
    extras = [c for c in columns if c not in schema.names]
    data = {f.name: pa.array([r.get(f.name) for r in rows], f.type) for f in schema}
    for c in extras:
        try:
            data[c] = pa.array([r.get(c) for r in rows])
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise InputError(f"{name}: extra column {c!r} has mixed types: {exc}") from None
    return pa.table(data)


# --------------------------------------------------------------------------------- writing

def to_pandas(table: pa.Table) -> pd.DataFrame:
    """Arrow-backed pandas: nested and string types stay typed through Dask."""
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def empty(schema: pa.Schema) -> pd.DataFrame:
    """An empty frame with exactly the dtypes a partition function returns (Dask ``meta``)."""
    return to_pandas(schema.empty_table())


def conform(df: pd.DataFrame, schema: pa.Schema) -> pd.DataFrame:
    """Cast a partition's result to ``schema`` (Dask checks column names, not dtypes)."""
    table = pa.Table.from_pandas(df[schema.names], schema=schema, preserve_index=False)
    return to_pandas(table)


def write_table(df: pd.DataFrame, path: str | Path, schema: pa.Schema) -> Path:
    """Write ``df`` with ``schema`` for its canonical columns; extra columns follow.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "s.parquet"
    >>> df = pd.DataFrame({"problem_id": ["p"], "solution_id": ["a"], "language": ["python"],
    ...                    "code": ["print(1)"], "note": ["kept"]})
    >>> _ = write_table(df, path, SOLUTIONS)
    >>> pd.read_parquet(path).columns.tolist()
    ['problem_id', 'solution_id', 'language', 'code', 'note']
    """
    extras = [c for c in df.columns if c not in schema.names]
    table = pa.Table.from_pandas(df[schema.names], schema=schema, preserve_index=False)
    for c in extras:
        table = table.append_column(c, pa.Array.from_pandas(df[c]) if not isinstance(
            df[c].dtype, pd.ArrowDtype) else pa.array(df[c].array))
    return write_parquet(table, path)


def write_parquet(table: pa.Table, path: str | Path) -> Path:
    """Write ``table`` to ``path``: the one way daskjudge writes a Parquet file.

    Atomically (a reader never sees half a file), and without the pandas metadata that
    ``from_pandas`` attaches: it names the writer's in-memory dtypes (``ArrowDtype`` such as
    ``list<item: struct<...>>[pyarrow]``), which ``pandas.read_parquet`` cannot rebuild. The
    Arrow schema alone is the contract, and pandas, pyarrow, DuckDB and Polars all read it.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "t.parquet"
    >>> table = pa.Table.from_pandas(to_pandas(pa.table({"tests": [[{"input": "1",
    ...                                                               "output": "1"}]]})))
    >>> pd.read_parquet(write_parquet(table, path))["tests"][0][0]["output"]
    '1'
    """
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table.replace_schema_metadata(None), tmp)
    tmp.replace(path)
    return path
