"""verl ground-truth shapes → canonical problems rows, and those rows judged in a real sandbox."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pipeline.config import Config
from pipeline.execute import execute_partition
from pipeline.expand import expand_partition, resolve
from pipeline.groundtruth import PRELUDE, problem_from_ground_truth, shape_of
from pipeline.io import read_problems, read_solutions


def run(pool, row: dict, code: str) -> list[str]:
    """Judge ``code`` on the converted problem ``row``; return its verdicts."""
    problems = read_problems([row])
    solutions = read_solutions([{"problem_id": row["problem_id"], "solution_id": "s",
                                 "code": code}], problems)
    config = Config()
    rows = expand_partition(solutions.to_pandas(), resolve(problems, config))
    return execute_partition(rows, pool.run_batch, config)["verdict"].tolist()


APPS_STDIO = {"inputs": ["1 2\n", ["3", "4"]], "outputs": ["3\n", ["7"]]}
APPS_FN = {"inputs": [[[1, 2, 3]], [[]]], "outputs": [[[3, 2, 1]], [[]]], "fn_name": "rev"}
PI_FN = [{"type": "function_call", "fn_name": "add", "input": [1, 2], "output": [3]},
         {"type": "function_call", "fn_name": "add", "input": [5, 5], "output": [10]}]
PI_STDIO = [{"type": "stdin_stdout", "input": "2\n", "output": "4\n"}]
LCB_FN = [{"input": "[2, 7, 11]\n9", "output": "[0, 1]", "testtype": "functional"},
          {"input": "[3, 3]\n6", "output": "[0, 1]", "testtype": "functional"}]
LCB_STDIN = [{"input": "3\n", "output": "9\n", "testtype": "stdin"}]


def test_apps_stdio_strings_and_lines():
    row = problem_from_ground_truth(json.dumps(APPS_STDIO), problem_id="a", data_source="apps")
    assert row["kind"] == "stdio" and row["entry_point"] is None and row["prelude"] is None
    assert row["tests"] == [{"input": "1 2\n", "output": "3\n"}, {"input": "3\n4\n", "output": "7"}]
    assert set(row) == {"problem_id", "kind", "tests", "entry_point", "judge", "checker",
                        "time_limit_s", "memory_limit_mb", "prelude", "interactor",
                        "interactor_language", "subtasks", "signature"}


def test_apps_function_unwraps_only_when_every_output_is_wrapped():
    row = problem_from_ground_truth(APPS_FN, problem_id="a")
    assert row["kind"] == "function" and row["entry_point"] == "rev"
    assert row["tests"] == [{"input": "[[1, 2, 3]]", "output": "[3, 2, 1]"},
                            {"input": "[[]]", "output": "[]"}]
    assert row["prelude"] == PRELUDE
    mixed = {"inputs": [[1], [2]], "outputs": [[1], [1, 2]], "fn_name": "f"}
    assert [t["output"] for t in problem_from_ground_truth(mixed, problem_id="m")["tests"]] == \
        ["[1]", "[1, 2]"]


def test_apps_function_in_prime_code_text_form_is_not_unwrapped():
    # verl's prime_code reads one JSON argument per input line and JSON text outputs.
    gt = {"inputs": ["[1, 2]\n3", "[]\n0"], "outputs": ["[3]", "[]"], "fn_name": "f"}
    row = problem_from_ground_truth(gt, problem_id="t")
    assert row["tests"] == [{"input": "[[1, 2], 3]", "output": "[3]"},
                            {"input": "[[], 0]", "output": "[]"}]
    with pytest.raises(ValueError, match="test 0 input: text must hold one JSON argument"):
        problem_from_ground_truth({"inputs": ["abc"], "outputs": ["1"], "fn_name": "f"},
                                  problem_id="t")


def test_primeintellect_lists_and_verification_info_object():
    fn = problem_from_ground_truth(json.dumps(PI_FN), problem_id="p")
    assert (fn["kind"], fn["entry_point"]) == ("function", "add")
    assert fn["tests"][1] == {"input": "[5, 5]", "output": "10"}
    io_ = problem_from_ground_truth({"language": "python", "test_cases": PI_STDIO}, problem_id="q")
    assert io_["kind"] == "stdio" and io_["tests"] == [{"input": "2\n", "output": "4\n"}]
    # Some PrimeIntellect rows are Python literals, not JSON.
    literal = str(PI_STDIO)
    assert problem_from_ground_truth(literal, problem_id="r")["tests"] == io_["tests"]


def test_livecodebench_functional_takes_the_name_from_extra_info():
    for extra in ({"fn_name": "twoSum"}, {"metadata": {"func_name": "twoSum"}},
                  {"metadata": json.dumps({"func_name": "twoSum"})}):
        row = problem_from_ground_truth(json.dumps(LCB_FN), problem_id="l", extra_info=extra)
        assert row["entry_point"] == "twoSum"
        assert row["tests"][0] == {"input": "[[2, 7, 11], 9]", "output": "[0, 1]"}
    with pytest.raises(ValueError, match="'l'.*function name in extra_info"):
        problem_from_ground_truth(LCB_FN, problem_id="l", extra_info={"index": 3})
    assert problem_from_ground_truth(LCB_STDIN, problem_id="s")["kind"] == "stdio"


def test_canonical_passes_through_and_numpy_arrays_are_lists():
    canonical = {"kind": "function", "entry_point": "f", "judge": "float:1e-6",
                 "time_limit_s": 3, "tests": np.array([{"input": "[1]", "output": "1.0"}])}
    row = problem_from_ground_truth(canonical, problem_id="c")
    assert row["judge"] == "float:1e-6" and row["time_limit_s"] == 3.0
    assert row["tests"] == [{"input": "[1]", "output": "1.0"}] and row["prelude"] is None
    plain = problem_from_ground_truth({"inputs": np.array(["1\n"]), "outputs": np.array(["1\n"])},
                                      problem_id="n")
    assert plain["tests"] == [{"input": "1\n", "output": "1\n"}]


def test_plain_list_of_tests_is_stdio():
    row = problem_from_ground_truth([{"input": "1\n", "output": "1\n"}], problem_id="cf")
    assert row["kind"] == "stdio"
    assert shape_of([{"input": "1", "output": "1"}]) == "stdio_list"
    assert shape_of(LCB_FN) == "livecodebench" and shape_of({"kind": "stdio", "tests": []}) \
        == "canonical"


@pytest.mark.parametrize("gt, message", [
    ("{not json", r"\(apps\): not JSON"),
    ({"inputs": ["1"], "outputs": []}, "1 inputs but 0 outputs"),
    ({"inputs": [], "outputs": []}, "no tests"),
    ({"foo": 1}, "object with keys \\['foo'\\]"),
    (7, "a int; expected"),
    ([{"type": "stdin_stdout", "input": "1", "output": "1"},
      {"type": "function_call", "input": [1], "output": 1, "fn_name": "f"}], "'stdin_stdout' or all 'function_call'"),
    ({"kind": "stdio", "tests": []}, "column 'tests': is empty"),
    ({"kind": "bogus", "tests": [{"input": "", "output": ""}]}, "unknown kind 'bogus'"),
    ([{"input": "x", "output": "1", "testtype": "functional"}], "function name"),
    (None, "missing"),
])
def test_bad_ground_truth_names_the_problem(gt, message):
    with pytest.raises(ValueError, match=f"ground_truth for problem 'b'.*{message}"):
        problem_from_ground_truth(gt, problem_id="b", data_source="apps")


@pytest.mark.parametrize("gt, extra, right, wrong", [
    (APPS_STDIO, None, "import sys\nprint(sum(map(int, sys.stdin.read().split())))",
     "print(0)"),
    (APPS_FN, None, "def rev(xs): return xs[::-1]", "def rev(xs): return xs"),
    (PI_FN, None, "class Solution:\n    def add(self, a, b): return a + b",
     "def add(a, b): return a - b"),
    (PI_STDIO, None, "print(int(input()) * 2)", "print(int(input()) + 1)"),
    (LCB_FN, {"fn_name": "twoSum"},
     "class Solution:\n    def twoSum(self, nums: List[int], t: int) -> List[int]:\n"
     "        seen = {}\n        for i, x in enumerate(nums):\n"
     "            if t - x in seen: return [seen[t - x], i]\n            seen[x] = i\n",
     "def twoSum(nums, t): return [1, 0]"),
    (LCB_STDIN, None, "print(int(input()) ** 2)", "print(int(input()) * 2)"),
])
def test_converted_problems_judge_right_and_wrong_solutions(pool, gt, extra, right, wrong):
    row = problem_from_ground_truth(gt, problem_id="x", extra_info=extra)
    n = len(row["tests"])
    assert run(pool, row, right) == ["AC"] * n
    assert run(pool, row, wrong)[0] != "AC"
