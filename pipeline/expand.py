"""Expand (solution × problem) into one row per (solution, test case).

Pure Arrow/pandas, run per partition of the solutions table with the (small, broadcast)
problems table; every row carries what its test needs, with the problem's judge and limits
already resolved, so the execute stage reads nothing else. A partition row may carry
``test_start``/``test_stop`` (a slice of the problem's tests): that is how the planner
(:mod:`pipeline.plan`) spreads one solution with many expensive tests over several workers.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .config import Config
from .io import PROBLEMS, empty

class Row(NamedTuple):
    """One expanded row: a (solution, test) pair with all that its run and its judging
    need, the problem's nulls already resolved from the config (the execute stage's input)."""

    problem_id: str
    solution_id: str
    language: str
    code: str
    kind: str
    entry_point: str | None
    judge: str
    prelude: str | None
    time_limit_s: float
    memory_limit_mb: int
    test_index: int
    input: str
    expected: str
    checker: str | None
    interactor: str | None
    interactor_language: str | None
    signature: str | None
    """``function`` in a compiled language: the signature its harness is generated from."""


_TYPES = {"problem_id": pa.string(), "solution_id": pa.string(), "language": pa.string(),
          "code": pa.string(), "kind": pa.string(), "entry_point": pa.string(),
          "judge": pa.string(), "prelude": pa.string(), "time_limit_s": pa.float64(),
          "memory_limit_mb": pa.int64(), "test_index": pa.int32(), "input": pa.string(),
          "expected": pa.string(), "checker": pa.string(), "interactor": pa.string(),
          "interactor_language": pa.string(), "signature": pa.string()}
ROWS = pa.schema([(name, _TYPES[name]) for name in Row._fields])
"""The expanded rows' Arrow schema: :class:`Row`'s fields, in its order."""
META = empty(ROWS)


def resolve(problems: pa.Table, config: Config) -> pd.DataFrame:
    """The problems a run needs, nulls replaced by the config's judge and limits.

    >>> from pipeline.io import read_problems
    >>> p = read_problems([{"problem_id": "a", "kind": "stdio",
    ...                     "tests": [{"input": "", "output": "1"}]}])
    >>> resolve(p, Config().replace(judge="tokens")).loc[0, "judge"]
    'tokens'
    """
    t = problems.select(PROBLEMS.names)
    fill = {"judge": config.judge.comparator, "time_limit_s": config.judge.time_limit_s,
            "memory_limit_mb": config.judge.memory_limit_mb}
    for col, value in fill.items():
        i = t.schema.get_field_index(col)
        t = t.set_column(i, col, pc.fill_null(t.column(col), pa.scalar(value, t.schema.field(col).type)))
    return t.to_pandas(types_mapper=pd.ArrowDtype)


def expand_partition(solutions: pd.DataFrame, problems: pd.DataFrame) -> pd.DataFrame:
    """One row per (solution, test), in solution order then test order.

    >>> from pipeline.io import read_problems, read_solutions
    >>> p = resolve(read_problems([{"problem_id": "a", "kind": "stdio", "tests": [
    ...     {"input": "1", "output": "1"}, {"input": "2", "output": "2"}]}]), Config())
    >>> s = read_solutions([{"problem_id": "a", "solution_id": "x", "code": "print(input())"}])
    >>> expand_partition(s.to_pandas(), p)[["solution_id", "test_index", "input"]].values.tolist()
    [['x', 0, '1'], ['x', 1, '2']]
    >>> part = s.to_pandas().assign(test_start=1, test_stop=2)
    >>> expand_partition(part, p)[["solution_id", "test_index", "input"]].values.tolist()
    [['x', 1, '2']]
    """
    if len(solutions) == 0:
        return META.copy()
    sol = pa.Table.from_pandas(solutions[["problem_id", "solution_id", "language", "code"]],
                               preserve_index=False)
    prob = pa.Table.from_pandas(problems, preserve_index=False)
    position = {pid: i for i, pid in enumerate(prob.column("problem_id").to_pylist())}
    missing = [p for p in sol.column("problem_id").to_pylist() if p not in position]
    if missing:
        raise KeyError(f"solutions for unknown problems: {sorted(set(missing))[:5]}")
    per_solution = prob.take(pa.array([position[p] for p in sol.column("problem_id").to_pylist()]))
    tests = per_solution.column("tests").combine_chunks()
    lengths = pc.list_value_length(tests).to_numpy(zero_copy_only=False).astype(np.int64)
    first = np.zeros(len(lengths), np.int64)
    if "test_start" in solutions.columns:
        first = np.minimum(solutions["test_start"].to_numpy(np.int64), lengths)
        lengths = np.clip(solutions["test_stop"].to_numpy(np.int64), first, lengths) - first
    parents = pa.array(np.repeat(np.arange(len(lengths)), lengths))
    starts = np.cumsum(lengths) - lengths
    test_index = np.arange(int(lengths.sum())) - np.repeat(starts, lengths) + np.repeat(first, lengths)
    offsets = tests.offsets.to_numpy()[:-1] - tests.offsets[0].as_py()
    flat = pc.list_flatten(tests).take(pa.array(np.repeat(offsets, lengths) + test_index))
    left = sol.take(parents)
    right = per_solution.drop_columns(["problem_id", "tests"]).take(parents)
    columns = {name: left.column(name) for name in left.column_names}
    columns.update({name: right.column(name) for name in right.column_names})
    columns["test_index"] = pa.array(test_index, pa.int32())
    columns["input"] = pc.struct_field(flat, "input")
    columns["expected"] = pc.struct_field(flat, "output")
    return pa.table(columns).select(ROWS.names).cast(ROWS).to_pandas(types_mapper=pd.ArrowDtype)


def rows_of(frame: pd.DataFrame) -> list[Row]:
    """An expanded partition as :class:`Row` values (nulls as None).

    >>> from pipeline.io import read_problems, read_solutions
    >>> p = resolve(read_problems([{"problem_id": "a", "kind": "stdio",
    ...                             "tests": [{"input": "1", "output": "1"}]}]), Config())
    >>> s = read_solutions([{"problem_id": "a", "solution_id": "x", "code": "print(1)"}])
    >>> row = rows_of(expand_partition(s.to_pandas(), p))[0]
    >>> row.solution_id, row.judge, row.prelude
    ('x', 'lines', None)
    """
    columns = [pa.array(frame[name]).to_pylist() for name in Row._fields]
    return [Row(*values) for values in zip(*columns)]
