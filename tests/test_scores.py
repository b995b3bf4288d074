"""Scores: IOI subtasks (points × the lowest test score), judges' partial points (testlib's
``quitp``, CMS's float), the reduction every face uses, and ``reward: score``."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from conftest import in_ci
from pipeline import io, score
from pipeline.reduce import problem_counts, problems_table, solutions_table, subtasks_of


def rows_of(rows):
    """Test rows: (solution, test index, verdict, score)."""
    return pd.DataFrame([{"problem_id": "p", "solution_id": s, "test_index": i, "verdict": v,
                          "score": sc, "time_s": 0.0} for s, i, v, sc in rows])


SUBTASKS = {"p": [{"points": 20, "tests": [0]}, {"points": 30, "tests": [1, 2]},
                  {"points": 50, "tests": [2, 3]}]}


# ------------------------------------------------------------------------- the reduction

def test_a_subtask_scores_its_points_times_its_lowest_test():
    t = rows_of([
        ("all", 0, "AC", 1.0), ("all", 1, "AC", 1.0), ("all", 2, "AC", 1.0), ("all", 3, "AC", 1.0),
        # Test 2 is in two subtasks: failing it costs both.
        ("shared", 0, "AC", 1.0), ("shared", 1, "AC", 1.0), ("shared", 2, "WA", 0.0),
        ("shared", 3, "AC", 1.0),
        # Partial points: the subtask takes the lowest.
        ("partial", 0, "WA", 0.5), ("partial", 1, "AC", 1.0), ("partial", 2, "WA", 0.25),
        ("partial", 3, "AC", 1.0),
    ])
    s = solutions_table(t, subtasks=SUBTASKS).set_index("solution_id")
    assert s["score"].astype(float).to_dict() == {"all": 100.0, "shared": 20.0,
                                                  "partial": 10 + 7.5 + 12.5}
    assert set(s["max_score"].astype(float)) == {100.0}
    # Points change neither accepted nor pass_fraction: a partial test is not passed.
    assert s.loc["partial", "accepted"] == False and s.loc["partial", "n_passed"] == 2  # noqa: E712


def test_se_leaves_the_score_unknown_and_skip_counts_zero():
    t = rows_of([("se", 0, "AC", 1.0), ("se", 1, "SE", None), ("se", 2, "AC", 1.0),
                  ("se", 3, "AC", 1.0),
                  ("skip", 0, "AC", 1.0), ("skip", 1, "WA", 0.0), ("skip", 2, "SKIP", None),
                  ("skip", 3, "SKIP", None)])
    s = solutions_table(t, subtasks=SUBTASKS).set_index("solution_id")
    assert pd.isna(s.loc["se", "score"]) and pd.isna(s.loc["se", "accepted"])
    assert s.loc["skip", "score"] == 20.0


def test_without_subtasks_the_score_is_the_lowest_test_score():
    t = rows_of([("ok", 0, "AC", 1.0), ("ok", 1, "AC", 1.0),
                  ("half", 0, "AC", 1.0), ("half", 1, "WA", 0.5),
                  ("wa", 0, "WA", 0.0), ("wa", 1, "AC", 1.0)])
    s = solutions_table(t).set_index("solution_id")
    assert s["score"].astype(float).to_dict() == {"ok": 1.0, "half": 0.5, "wa": 0.0}
    assert set(s["max_score"].astype(float)) == {1.0}
    # Rows written before tests had a score: each verdict's own.
    old = solutions_table(t.drop(columns="score")).set_index("solution_id")
    assert old["score"].astype(float).to_dict() == {"ok": 1.0, "half": 0.0, "wa": 0.0}


def test_problems_table_has_the_mean_score_out_of_the_max():
    t = rows_of([("a", 0, "AC", 1.0), ("a", 1, "AC", 1.0), ("a", 2, "AC", 1.0),
                  ("a", 3, "AC", 1.0), ("b", 0, "AC", 1.0), ("b", 1, "WA", 0.0),
                  ("b", 2, "AC", 1.0), ("b", 3, "AC", 1.0)])
    s = solutions_table(t, subtasks=SUBTASKS)
    p = problems_table(problem_counts(s), ["p", "none"], (1,), SUBTASKS).set_index("problem_id")
    assert (p.loc["p", "mean_score"], p.loc["p", "max_score"]) == (85.0, 100.0)
    assert p.loc["none", "max_score"] == 1.0 and math.isnan(p.loc["none", "mean_score"])


@pytest.mark.parametrize("subtasks,needle", [
    ([{"points": 10, "tests": [0, 3]}], r"subtasks\[0\].tests'?: test index 3 is out of range"),
    ([{"points": -1, "tests": [0]}], r"subtasks\[0\].points'?: must be a number ≥ 0"),
    ([{"points": 0, "tests": [0]}], "the points add up to 0"),
    ([{"points": 5, "tests": []}], "non-empty list of test indices"),
    ([{"points": 5, "tests": [0, 0]}], "more than once"),
    ([{"points": 5, "tests": ["0"]}], "test indices are integers"),
    ([{"points": 5}], "with 'points' and 'tests'"),
    ({"points": 5, "tests": [0]}, "must be a non-empty list"),
])
def test_problems_table_checks_subtasks(subtasks, needle):
    row = {"problem_id": "p", "kind": "stdio", "subtasks": subtasks,
           "tests": [{"input": "", "output": ""}, {"input": "", "output": ""}]}
    with pytest.raises(io.InputError, match=needle):
        io.read_problems([row])
    row["subtasks"] = [{"points": 1.5, "tests": [1]}]
    assert subtasks_of(io.read_problems([row]).to_pandas()) == {
        "p": [{"points": 1.5, "tests": [1]}]}


# ------------------------------------------------------------------------- judges' points

# Half a point when the answer is within 10 of the right one (testlib's quitp: exit code 7,
# "points P message" on stderr), full points when exact.
QUITP = """import sys
got, want = (int(open(p).read()) for p in sys.argv[2:4])
if got == want:
    sys.exit(0)
if abs(got - want) <= 10:
    print(f"points 0.5 off by {abs(got - want)}", file=sys.stderr)
    sys.exit(7)
sys.exit(1)
"""
# The same in CMS's contract: INPUT ANSWER OUTPUT, the score on stdout.
CMS = """import sys
want, got = (int(open(p).read()) for p in sys.argv[2:4])
print(1.0 if got == want else 0.5 if abs(got - want) <= 10 else 0.0)
print("compared", file=sys.stderr)
"""


@pytest.mark.parametrize("judge,checker", [("checker", QUITP), ("checker:cms", CMS)])
def test_checker_points_through_the_pipeline(client, judge, checker):
    # "Print 100 * n": test 0 in subtask 1 (30 points), tests 1 and 2 in subtask 2 (70).
    problem = {"problem_id": "near", "kind": "stdio", "judge": judge, "checker": checker,
               "tests": [{"input": f"{n}\n", "output": f"{100 * n}\n"} for n in (1, 2, 3)],
               "subtasks": [{"points": 30, "tests": [0]}, {"points": 70, "tests": [1, 2]}]}
    solutions = [
        {"problem_id": "near", "solution_id": "exact", "code": "print(100 * int(input()))"},
        {"problem_id": "near", "solution_id": "near", "code": "print(100 * int(input()) + 5)"},
        {"problem_id": "near", "solution_id": "near_big",
         "code": "n = int(input())\nprint(100 * n + 5 * (n > 1))"},
        {"problem_id": "near", "solution_id": "far", "code": "print(0)"}]
    r = score([problem], solutions, client=client,
              config={"isolation": "full" if in_ci() else "auto"})
    t = r.tests.set_index(["solution_id", "test_index"])
    assert t.loc[("near", 0), "verdict"] == "WA" and t.loc[("near", 0), "score"] == 0.5
    assert t.loc[("near", 0), "message"].startswith("partial score 0.5")
    s = r.solutions.set_index("solution_id")
    assert s["score"].astype(float).to_dict() == {"exact": 100.0, "near": 50.0,
                                                  "near_big": 65.0, "far": 0.0}
    assert s["verdict"].astype(str).to_dict() == {"exact": "AC", "near": "WA",
                                                  "near_big": "WA", "far": "WA"}
    assert set(s["max_score"].astype(float)) == {100.0}
    p = r.problems.set_index("problem_id").loc["near"]
    assert (p["mean_score"], p["max_score"]) == (pytest.approx(215 / 4), 100.0)


@pytest.mark.parametrize("judge,checker,needle", [
    ("checker", "import sys\nsys.exit(7)\n", "no score in"),
    ("checker", "import sys\nprint('points 2', file=sys.stderr)\nsys.exit(7)\n", "no score in"),
    ("checker:cms", "print(-0.5)", "outside"),
    ("checker:cms", "print('most')", "no score"),
])
def test_points_that_cannot_be_read_are_the_checkers_failure(pool, judge, checker, needle):
    from judges import Verdict, get
    from judges.score import Scored
    [got] = get(judge).judge_scored(pool.run_batch, checker, [("1", b"1", "1")])
    assert isinstance(got, Scored) and got.verdict is Verdict.SE and needle in got.message
    assert got.points is None


# ------------------------------------------------------------------------- reward: score

def test_reward_score_is_points_over_the_most(client):
    from pipeline.reward import RewardScorer
    gt = {"kind": "stdio", "tests": [{"input": f"{n}\n", "output": f"{n * n}\n"}
                                     for n in (1, 2, 3, 40)],
          "subtasks": [{"points": 25, "tests": [0, 1]}, {"points": 75, "tests": [2, 3]}]}
    codes = ["print(int(input()) ** 2)",
             "n = int(input())\nprint(n * n if n < 3 else 0)",
             "n = int(input())\nprint(n * n if n != 40 else 0)"]
    answers = [f"```python\n{c}\n```" for c in codes]
    with RewardScorer({"isolation": "full" if in_ci() else "auto"}, client=client) as scorer:
        got = scorer.score(["x"] * 3, answers, [gt] * 3, reward="score")
        assert [r["score"] for r in got] == [1.0, 0.25, 0.25]
        assert [r["acc"] for r in got] == [1.0, 0.0, 0.0]
        binary = scorer.score(["x"] * 3, answers, [gt] * 3, reward="binary")
        assert [r["score"] for r in binary] == [1.0, 0.0, 0.0]
        from pipeline.config import ConfigError
        with pytest.raises(ConfigError, match="score needs every test"):
            scorer.score(["x"], answers[:1], [gt], reward="score", early_exit=True)
