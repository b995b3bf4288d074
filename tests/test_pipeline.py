"""The whole pipeline on a real LocalCluster, and the command line."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pandas as pd
import pyarrow.parquet as pq
import pytest

from conftest import ROOT, SAMPLE
from pipeline import ScoreResult, score
from pipeline.io import PROBLEMS_OUT, SOLUTIONS_OUT, TESTS_OUT


@pytest.fixture(scope="module")
def sample_result(client) -> ScoreResult:
    return score(SAMPLE / "problems.jsonl", SAMPLE / "solutions.jsonl", client=client,
                 config={"k": [1, 2]})


def test_sample_verdicts_match_what_each_solution_exercises(sample_result):
    s = sample_result.solutions
    wrong = s[s["verdict"].astype(str) != s["expected_verdict"].astype(str)]
    assert wrong.empty, wrong[["problem_id", "solution_id", "verdict", "expected_verdict"]]
    # Every kind and every verdict but SE/SKIP is exercised by the sample.
    assert set(s["verdict"].astype(str)) == {"AC", "WA", "TLE", "MLE", "OLE", "RE", "CE"}


def test_sample_scores_of_the_interactive_and_the_subtask_problems(sample_result):
    s = sample_result.solutions
    given = s[s["expected_score"].notna()]
    assert set(given["problem_id"].astype(str)) == {"guess_number", "triangular"}
    assert (given["score"].astype(float) == given["expected_score"].astype(float)).all(), \
        given[["problem_id", "solution_id", "score", "expected_score"]]
    # Everywhere else the score is all or nothing, out of 1.
    rest = s[s["expected_score"].isna()]
    assert (rest["score"].astype(float) == rest["accepted"].astype(float)).all()
    p = sample_result.problems.set_index("problem_id")
    assert (p.loc["triangular", "max_score"], p.loc["triangular", "mean_score"]) == (100.0, 45.0)
    assert p.loc["guess_number", "mean_score"] == pytest.approx(0.3)


def test_sample_tables_and_summary(sample_result):
    r = sample_result
    problems = [json.loads(line) for line in (SAMPLE / "problems.jsonl").read_text().splitlines()]
    solutions = [json.loads(line) for line in (SAMPLE / "solutions.jsonl").read_text().splitlines()]
    n_tests = {p["problem_id"]: len(p["tests"]) for p in problems}
    assert len(r.tests) == sum(n_tests[s["problem_id"]] for s in solutions)
    assert len(r.solutions) == len(solutions) and len(r.problems) == len(problems)
    assert not r.tests.duplicated(["problem_id", "solution_id", "test_index"]).any()
    assert r.summary["verdicts"]["SE"] == 0 and r.complete
    assert sum(r.summary["verdicts"].values()) == len(r.tests)
    assert r.summary["isolation"] in ("full", "rootless", "none")
    assert {"pass@1", "pass@2", "title"} <= set(r.problems.columns)     # extra column kept
    assert "note" in r.solutions.columns
    p = r.problems.set_index("problem_id")
    s = r.solutions
    for pid, group in s.groupby(s["problem_id"].astype(str)):
        assert p.loc[pid, "n_solutions"] == len(group)
        assert p.loc[pid, "n_accepted"] == int(group["accepted"].astype(bool).sum())
        assert p.loc[pid, "pass_rate"] == pytest.approx(group["accepted"].astype(bool).mean())


def test_results_are_written_with_explicit_schemas(sample_result, tmp_path):
    out = sample_result.write(tmp_path / "run")
    for name, schema in (("tests", TESTS_OUT), ("solutions", SOLUTIONS_OUT),
                         ("problems", PROBLEMS_OUT)):
        table = pq.read_table(out / f"{name}.parquet")
        assert table.schema.names[:len(schema.names)] == schema.names
        for field in schema:
            assert table.schema.field(field.name).type == field.type
    summary = json.loads((out / "summary.json").read_text())
    assert summary["config_hash"] and summary["versions"]["dask"]
    assert summary["tests"] == len(sample_result.tests)


def _mixed():
    problems = [{"problem_id": f"p{i}", "kind": "stdio",
                 "tests": [{"input": f"{j}\n", "output": f"{j * i}\n"} for j in range(1 + i % 4)]}
                for i in range(12)]
    solutions = []
    for i in range(12):
        solutions.append({"problem_id": f"p{i}", "solution_id": "ok",
                          "code": f"print(int(input()) * {i})"})
        solutions.append({"problem_id": f"p{i}", "solution_id": "off",
                          "code": f"n = int(input())\nprint(n * {i} + (n == 1))"})
    return pd.DataFrame(problems), pd.DataFrame(solutions)


@pytest.mark.parametrize("partitions", [1, 5, 24])
def test_any_partitioning_gives_complete_identical_results(client, partitions):
    problems, solutions = _mixed()
    r = score(problems, solutions, client=client, config={"partitions": partitions})
    t = r.tests.astype({"problem_id": object, "solution_id": object, "verdict": object})
    expected_rows = sum(1 + i % 4 for i in range(12)) * 2
    assert len(t) == expected_rows
    assert not t.duplicated(["problem_id", "solution_id", "test_index"]).any()
    got = {(p, s, i): v for p, s, i, v in t[["problem_id", "solution_id", "test_index",
                                                 "verdict"]].itertuples(index=False)}
    for i in range(12):
        for j in range(1 + i % 4):
            assert got[(f"p{i}", "ok", j)] == "AC"
            assert got[(f"p{i}", "off", j)] == ("WA" if j == 1 else "AC")


def test_a_costly_solution_is_spread_over_partitions_and_reduced_whole(client):
    tests = [{"input": str(i), "output": str(i)} for i in range(40)]
    problems = pd.DataFrame([{"problem_id": "big", "kind": "stdio", "tests": tests},
                             {"problem_id": "small", "kind": "stdio", "tests": tests[:1]}])
    solutions = pd.DataFrame([
        {"problem_id": "big", "solution_id": "x", "code": "n = input()\nprint(n if n != '17' else 0)"},
        {"problem_id": "small", "solution_id": "y", "code": "print(input())"}])
    r = score(problems, solutions, client=client, config={"partitions": 8})
    assert r.summary["partitions"] >= 8            # the 40 tests of "x" were cut up
    x = r.solutions.set_index("solution_id").loc["x"]
    assert (x["n_tests"], x["n_passed"], x["verdict"], x["accepted"]) == (40, 39, "WA", False)
    assert r.tests["test_index"][r.tests["solution_id"] == "x"].tolist() == list(range(40))


def test_early_exit_through_the_pipeline(client):
    problems, solutions = _mixed()
    r = score(problems, solutions, client=client, config={"early_exit": True, "partitions": 3})
    t = r.tests.set_index(["problem_id", "solution_id", "test_index"])["verdict"].astype(str)
    assert t[("p3", "off", 1)] == "WA" and t[("p3", "off", 2)] == "SKIP"
    s = r.solutions.set_index(["problem_id", "solution_id"])
    assert s.loc[("p3", "off"), "verdict"] == "WA" and not s.loc[("p3", "off"), "accepted"]


def test_parquet_and_dask_inputs(client, tmp_path):
    import dask.dataframe as dd

    problems, solutions = _mixed()
    from pipeline.io import read_problems, read_solutions
    pq.write_table(read_problems(problems), tmp_path / "problems.parquet")
    pq.write_table(read_solutions(solutions), tmp_path / "solutions.parquet")
    a = score(tmp_path / "problems.parquet", dd.from_pandas(solutions, npartitions=3),
              client=client)
    assert len(a.tests) == 60 and a.summary["verdicts"]["WA"] == 9


def run_cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def test_cli_quickstart_prints_verdicts_and_pass_rates(tmp_path, dashboard_port_taken):
    proc = run_cli("run", "configs/quickstart.yaml", "--out", str(tmp_path / "q"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "verdicts  AC 235  WA 67  TLE 17  MLE 4  OLE 3  RE 19  CE 6" in proc.stdout
    assert "pass_rate" in proc.stdout and "two_sum" in proc.stdout
    assert "scoring 351 tests" in proc.stderr and "100%" in proc.stderr     # the progress bar
    # The default dashboard port is taken: another is used and named, without Dask's warning.
    port = int(re.search(r"daskjudge: dashboard http://[\d.]+:(\d+)/status", proc.stderr)[1])
    assert port != dashboard_port_taken
    assert "already in use" not in proc.stderr and "warn" not in proc.stderr.lower()
    # The sample says which verdict each solution must get, and each gets it.
    assert "expected_verdict: all 105 solutions matched" in proc.stdout
    out = tmp_path / "q"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["expected_verdict"] == {"checked": 105, "matched": 105, "mismatches": []}
    # The interactive problem and the two-subtask one, with their scores.
    table = {line.split()[0]: line.split() for line in proc.stdout.splitlines() if line.strip()}
    assert "mean_score" in table["problem_id"] and "max_score" in table["problem_id"]
    assert table["triangular"][4:6] == ["45.000", "100.000"]
    assert table["guess_number"][4:6] == ["0.300", "1.000"]
    assert {"score"} <= set(pq.read_schema(out / "tests.parquet").names)
    assert {"score", "max_score"} <= set(pq.read_schema(out / "solutions.parquet").names)
    assert {"mean_score", "max_score"} <= set(pq.read_schema(out / "problems.parquet").names)
    s = pd.read_parquet(out / "solutions.parquet")
    given = s[s["expected_score"].notna()]
    assert len(given) == 9 and (given["score"] == given["expected_score"]).all()


def test_cli_bad_input_exits_2_naming_row_and_column(tmp_path):
    bad = tmp_path / "problems.jsonl"
    bad.write_text(json.dumps({"problem_id": "x", "kind": "stdin", "tests": []}) + "\n")
    proc = run_cli("score", "--problems", str(bad), "--solutions",
                   str(SAMPLE / "solutions.jsonl"), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert "row 0 (problem_id 'x'), column 'kind'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_cli_bad_config_exits_2(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("problems: a\nsolutions: b\nout: c\njudge: lines\ntime_limit: 3\n")
    proc = run_cli("run", str(cfg))
    assert proc.returncode == 2 and "unknown key(s) 'time_limit'" in proc.stderr
