"""Expand and reduce as plain pandas/Arrow functions, without a cluster."""

from __future__ import annotations

import itertools
import math

import pandas as pd
import pytest

from pipeline.config import Config
from pipeline.expand import META, expand_partition, resolve
from pipeline.io import read_problems, read_solutions
from pipeline.reduce import (SOLUTION_META, pass_at_k, problem_counts, problems_table,
                             solutions_table)

PROBLEMS = read_problems([
    {"problem_id": "a", "kind": "stdio", "time_limit_s": 3.0,
     "tests": [{"input": "1", "output": "1"}, {"input": "2", "output": "2"}]},
    {"problem_id": "b", "kind": "function", "entry_point": "f", "judge": "float:1e-3",
     "tests": [{"input": "[1]", "output": "1"}, {"input": "[2]", "output": "2"},
               {"input": "{\"x\": 3}", "output": "3"}]},
    {"problem_id": "c", "kind": "assert", "tests": [{"input": "assert True", "output": ""}]},
])
SOLUTIONS = read_solutions([
    {"problem_id": "b", "solution_id": "s1", "code": "def f(x): return x"},
    {"problem_id": "a", "solution_id": "s2", "code": "print(input())"},
    {"problem_id": "b", "solution_id": "s3", "code": "def f(x): return 0"},
], PROBLEMS)


def test_resolve_fills_defaults_from_config():
    r = resolve(PROBLEMS, Config().replace(judge="tokens", time_limit_s=5.0, memory_limit_mb=64))
    assert r["judge"].tolist() == ["tokens", "float:1e-3", "tokens"]
    assert r["time_limit_s"].tolist() == [3.0, 5.0, 5.0]
    assert r["memory_limit_mb"].tolist() == [64, 64, 64]


def test_expand_one_row_per_test_in_order():
    rows = expand_partition(SOLUTIONS.to_pandas(), resolve(PROBLEMS, Config()))
    assert list(zip(rows["solution_id"], rows["test_index"])) == [
        ("s1", 0), ("s1", 1), ("s1", 2), ("s2", 0), ("s2", 1), ("s3", 0), ("s3", 1), ("s3", 2)]
    assert rows.loc[2, "input"] == '{"x": 3}'
    assert rows.loc[3, "expected"] == "1"
    assert rows.loc[0, "judge"] == "float:1e-3" and rows.loc[3, "judge"] == "lines"


def test_expand_dtypes_equal_meta():
    rows = expand_partition(SOLUTIONS.to_pandas(), resolve(PROBLEMS, Config()))
    assert rows.dtypes.to_dict() == META.dtypes.to_dict()
    empty = expand_partition(SOLUTIONS.to_pandas().iloc[:0], resolve(PROBLEMS, Config()))
    assert empty.dtypes.to_dict() == META.dtypes.to_dict() and len(empty) == 0


def _tests(rows):
    return pd.DataFrame(rows, columns=["problem_id", "solution_id", "test_index", "verdict"])


def test_solutions_reduce_first_failure_and_se():
    t = _tests([("p", "ok", 0, "AC"), ("p", "ok", 1, "AC"),
                ("p", "bad", 1, "TLE"), ("p", "bad", 0, "AC"), ("p", "bad", 2, "WA"),
                ("p", "se", 0, "AC"), ("p", "se", 1, "SE"),
                ("p", "early", 0, "WA"), ("p", "early", 1, "SKIP")])
    s = solutions_table(t).set_index("solution_id")
    assert s.loc["ok", "verdict"] == "AC" and bool(s.loc["ok", "accepted"])
    assert s.loc["bad", "verdict"] == "TLE"             # first non-AC by test index
    assert s.loc["bad", "n_passed"] == 1 and s.loc["bad", "n_tests"] == 3
    assert math.isclose(s.loc["bad", "pass_fraction"], 1 / 3)
    assert pd.isna(s.loc["se", "accepted"])             # SE: neither pass nor fail
    assert s.loc["early", "verdict"] == "WA" and not s.loc["early", "accepted"]
    assert solutions_table(t).dtypes.to_dict() == SOLUTION_META.dtypes.to_dict()


def brute_pass_at_k(n, c, k):
    samples = list(itertools.combinations([1] * c + [0] * (n - c), k))
    return sum(1 for s in samples if any(s)) / len(samples)


@pytest.mark.parametrize("n,c,k", [(5, 0, 1), (5, 1, 1), (5, 2, 3), (6, 3, 2), (4, 4, 4),
                                   (7, 1, 5), (3, 2, 1)])
def test_pass_at_k_is_unbiased(n, c, k):
    assert math.isclose(pass_at_k(n, c, k), brute_pass_at_k(n, c, k))


def test_pass_at_k_undefined_when_too_few_samples():
    assert math.isnan(pass_at_k(2, 1, 5))


def test_problems_keep_unsolved_and_exclude_se():
    t = _tests([("a", "1", 0, "AC"), ("a", "2", 0, "WA"), ("a", "3", 0, "SE"),
                ("b", "1", 0, "AC")])
    s = solutions_table(t)
    p = problems_table(problem_counts(s), ["a", "b", "c"], (1, 2)).set_index("problem_id")
    assert p.loc["a", "n_solutions"] == 3 and p.loc["a", "n_judged"] == 2
    assert p.loc["a", "pass_rate"] == 0.5 and p.loc["a", "pass@1"] == 0.5
    assert p.loc["a", "pass@2"] == 1.0
    assert p.loc["b", "pass_rate"] == 1.0 and math.isnan(p.loc["b", "pass@2"])
    assert p.loc["c", "n_solutions"] == 0 and math.isnan(p.loc["c", "pass_rate"])
