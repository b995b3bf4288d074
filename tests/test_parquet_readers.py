"""Every kind of Parquet file daskjudge writes opens in plain pandas, pyarrow, DuckDB and
Polars: the files are made by the real commands and writers, then read as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow.parquet as pq
import pytest

from conftest import ROOT, SAMPLE
from pipeline import score
from pipeline.checkpoint import OutputFolder
from pipeline.evalsuite.store import write_table as write_completions

ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(
    p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}

KINDS = ["convert/problems", "convert/solutions", "run/tests", "run/solutions", "run/problems",
         "checkpoint", "completions", "judges/problems"]


def cli(*args):
    proc = subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=ROOT, env=ENV,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]


@pytest.fixture(scope="module")
def files(client, tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("parquet")
    cli("convert", "--format", "humaneval", "--out", str(tmp / "convert"))
    result = score(SAMPLE / "problems.jsonl", SAMPLE / "solutions.jsonl", client=client,
                   out=tmp / "run")
    with OutputFolder(tmp / "ckpt") as folder:
        folder.start("fingerprint", [[]], resume=False)
        folder.save(0, result.tests)
    write_completions([{"model": "m", "benchmark": "sample", "problem_id": "two_sum",
                        "solution_id": "0", "sample": 0, "text": "```python\nprint(1)\n```",
                        "completion": "print(1)", "code": "print(1)", "language": "python",
                        "finish_reason": "stop", "truncated": False, "prompt_tokens": 12,
                        "completion_tokens": 5, "latency_s": 0.25}], tmp / "completions.parquet")
    cli("judges", "classify", "--no-llm", "--problems",
        str(ROOT / "data" / "checkers" / "problems.jsonl"),
        "--out", str(tmp / "judged.parquet"))
    return {"convert/problems": tmp / "convert" / "problems.parquet",
            "convert/solutions": tmp / "convert" / "solutions.parquet",
            "run/tests": tmp / "run" / "tests.parquet",
            "run/solutions": tmp / "run" / "solutions.parquet",
            "run/problems": tmp / "run" / "problems.parquet",
            "checkpoint": tmp / "ckpt" / "checkpoint" / "part-000000.parquet",
            "completions": tmp / "completions.parquet",
            "judges/problems": tmp / "judged.parquet"}


def read_pandas(path):
    df = pd.read_parquet(path)
    return list(df.columns), len(df), df.iloc[:, 0].astype(str).tolist()


def read_pyarrow(path):
    table = pq.read_table(path)
    return table.column_names, table.num_rows, [str(v) for v in table.column(0).to_pylist()]


def read_duckdb(path):
    relation = duckdb.sql(f"SELECT * FROM read_parquet('{path}')")
    rows = relation.fetchall()
    return relation.columns, len(rows), [str(r[0]) for r in rows]


def read_polars(path):
    df = pl.read_parquet(path)
    return df.columns, df.height, [str(v) for v in df.to_series(0).to_list()]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("reader", [read_pandas, read_pyarrow, read_duckdb, read_polars],
                         ids=["pandas", "pyarrow", "duckdb", "polars"])
def test_every_file_opens_in_every_reader(files, kind, reader):
    path = files[kind]
    meta = pq.read_metadata(path)
    assert meta.num_rows > 0
    columns, rows, first = reader(path)
    assert list(columns) == meta.schema.to_arrow_schema().names
    assert rows == meta.num_rows
    assert first == [str(v) for v in pq.read_table(path).column(0).to_pylist()]


def test_nested_tests_come_back_as_written(files):
    """The problems' ``list<struct<input, output>>`` column, through plain pandas."""
    first = pq.read_table(files["convert/problems"]).column("tests")[0].as_py()
    tests = pd.read_parquet(files["convert/problems"])["tests"][0]
    assert [dict(t) for t in tests] == first
