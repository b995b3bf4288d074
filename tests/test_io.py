"""Reading and validating inputs: every bad input names the file, the row and the column."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline import io
from pipeline.io import InputError, read_problems, read_solutions

GOOD = {"problem_id": "p1", "kind": "stdio", "tests": [{"input": "1\n", "output": "1\n"}]}
FUNC = {"problem_id": "f1", "kind": "function", "entry_point": "f",
        "tests": [{"input": "[1, 2]", "output": "3"}]}


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def write_parquet(path, rows, schema=None):
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
    return path


@pytest.mark.parametrize("rows,fragment", [
    ([{"problem_id": "p1", "tests": GOOD["tests"]}], "missing column(s) 'kind'"),
    ([GOOD, dict(GOOD, problem_id="p2", kind="stdn")], "row 1 (problem_id 'p2'), column 'kind': unknown kind 'stdn'"),
    ([dict(GOOD, tests=[])], "row 0 (problem_id 'p1'), column 'tests': is empty"),
    ([GOOD, dict(GOOD)], "row 1 (problem_id 'p1'), column 'problem_id': duplicate id, first seen in row 0"),
    ([dict(FUNC, tests=[{"input": "[1, 2", "output": "3"}])], "column 'tests[0].input': invalid JSON"),
    ([dict(FUNC, tests=[{"input": "[1]", "output": "{x"}])], "column 'tests[0].output': invalid JSON"),
    ([dict(FUNC, tests=[{"input": "5", "output": "3"}])], "column 'tests[0].input': must be a JSON array"),
    ([dict(FUNC, entry_point=None)], "column 'entry_point': is missing"),
    ([dict(GOOD, judge="flaot:1e-6")], "column 'judge': unknown judge 'flaot'"),
    ([dict(GOOD, time_limit_s="2")], "column 'time_limit_s': must be a number"),
    ([dict(GOOD, time_limit_s=-1.0)], "column 'time_limit_s': must be positive"),
    ([dict(GOOD, memory_limit_mb=1.5)], "column 'memory_limit_mb': must be a whole number"),
    ([dict(GOOD, problem_id=7)], "row 0, column 'problem_id': must be a string"),
    ([dict(GOOD, tests="1 2")], "column 'tests': must be a list"),
])
def test_bad_problems_name_file_row_and_column(tmp_path, rows, fragment):
    path = write_jsonl(tmp_path / "problems.jsonl", rows)
    with pytest.raises(InputError) as err:
        read_problems(path)
    assert str(path) in str(err.value)
    assert fragment in str(err.value)


@pytest.mark.parametrize("rows,fragment", [
    ([{"problem_id": "p1", "solution_id": "a"}], "missing column(s) 'code'"),
    ([{"problem_id": "nope", "solution_id": "a", "code": "x"}],
     "row 0 (problem_id 'nope', solution_id 'a'), column 'problem_id': no problem with this id"),
    ([{"problem_id": "p1", "solution_id": "a", "code": "x"},
      {"problem_id": "p1", "solution_id": "a", "code": "y"}],
     "row 1 (problem_id 'p1', solution_id 'a'), column 'solution_id': duplicate within its problem"),
    ([{"problem_id": "p1", "solution_id": "a", "code": None}], "column 'code': must be a string"),
    ([{"problem_id": "p1", "solution_id": "a", "code": "x", "language": "cobol"}],
     "column 'language': language 'cobol' is not supported"),
    ([{"problem_id": "p1", "solution_id": None, "code": "x"}], "column 'solution_id': is missing"),
])
def test_bad_solutions_name_file_row_and_column(tmp_path, rows, fragment):
    problems = read_problems([GOOD])
    path = write_parquet(tmp_path / "solutions.parquet", rows)
    with pytest.raises(InputError) as err:
        read_solutions(path, problems)
    assert str(path) in str(err.value)
    assert fragment in str(err.value)


def test_wrong_parquet_column_type_is_named(tmp_path):
    path = write_parquet(tmp_path / "p.parquet", [dict(GOOD, time_limit_s="fast")])
    with pytest.raises(InputError, match=r"p.parquet row 0 \(problem_id 'p1'\), column 'time_limit_s'"):
        read_problems(path)


def test_invalid_jsonl_line_is_named(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(GOOD) + "\n{not json\n")
    with pytest.raises(InputError, match=r"p.jsonl line 2: invalid JSON"):
        read_problems(path)


def test_missing_file_and_unknown_format(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_problems(tmp_path / "absent.parquet")
    (tmp_path / "p.csv").write_text("a,b\n")
    with pytest.raises(InputError, match="unknown format"):
        read_problems(tmp_path / "p.csv")


def test_parquet_jsonl_pandas_and_dask_inputs_agree(tmp_path):
    import dask.dataframe as dd
    import pandas as pd

    rows = [dict(GOOD, title="extra column kept"), FUNC]
    from_jsonl = read_problems(write_jsonl(tmp_path / "p.jsonl", rows))
    from_parquet = read_problems(write_parquet(tmp_path / "p.parquet", from_jsonl.to_pylist()))
    folder = tmp_path / "parts"
    folder.mkdir()
    write_parquet(folder / "part-0.parquet", from_jsonl.to_pylist())
    from_folder = read_problems(folder)
    pdf = from_jsonl.to_pandas(types_mapper=pd.ArrowDtype)
    from_pandas = read_problems(pdf)
    from_dask = read_problems(dd.from_pandas(pdf, npartitions=2))
    for t in (from_parquet, from_folder, from_pandas, from_dask):
        assert t.to_pylist() == from_jsonl.to_pylist()
    assert from_jsonl.schema.names[:len(io.PROBLEMS.names)] == io.PROBLEMS.names
    assert from_jsonl.column("title").to_pylist() == ["extra column kept", None]


def test_numeric_solution_ids_become_strings():
    sols = read_solutions([{"problem_id": "p1", "solution_id": 3, "code": "x"}])
    assert sols.column("solution_id").to_pylist() == ["3"]
    assert sols.column("language").to_pylist() == ["python"]


def test_write_table_uses_the_explicit_schema(tmp_path):
    import pandas as pd

    df = pd.DataFrame({"problem_id": ["a"], "solution_id": ["b"], "test_index": [0],
                       "verdict": ["AC"], "time_s": [0.1], "wall_s": [0.2], "memory_mb": [1.0],
                       "message": [None], "stdout": [None], "stderr": [None], "exit_code": [0],
                       "signal": [None], "score": [1.0], "note": ["extra"]})
    io.write_table(df, tmp_path / "t.parquet", io.TESTS_OUT)
    table = pq.read_table(tmp_path / "t.parquet")
    assert table.schema.field("test_index").type == pa.int32()
    assert table.schema.field("message").type == pa.string()
    assert table.column("note").to_pylist() == ["extra"]
    assert not list(tmp_path.glob("*.tmp"))
