"""The ``daskjudge`` command as a person at a terminal meets it: a real process, its output,
its exit code, a real Ctrl-C, a real server."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import requests

from conftest import ROOT, SAMPLE
from pipeline.io import PROBLEMS, SOLUTIONS, read_problems, read_solutions, write_table

ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(
    p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
CLI = [sys.executable, "-m", "pipeline.cli"]

# ~30 ms of CPU per test: partitions are still running when the Ctrl-C comes.
BUSY = "s = 0\nfor i in range(350000):\n    s += i\n"


def run(*args, cwd=ROOT, timeout=600) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], cwd=cwd, env=ENV, capture_output=True, text=True,
                          timeout=timeout)


def slow_workload(tmp: Path) -> tuple[Path, Path]:
    """128 tests of busy solutions, as Parquet files."""
    problems = [{"problem_id": f"p{p}", "kind": "stdio", "time_limit_s": 2.0,
                 "tests": [{"input": f"{t}", "output": f"{t}"} for t in range(8)]}
                for p in range(4)]
    solutions = [{"problem_id": f"p{p}", "solution_id": f"s{s}", "code": BUSY + "print(input())"}
                 for p in range(4) for s in range(4)]
    pp, sp = tmp / "problems.parquet", tmp / "solutions.parquet"
    write_table(read_problems(problems).to_pandas(), pp, PROBLEMS)
    write_table(read_solutions(solutions).to_pandas(), sp, SOLUTIONS)
    return pp, sp


def test_ctrl_c_prints_one_line_with_the_resume_command_and_exits_130(tmp_path):
    pp, sp = slow_workload(tmp_path)
    out = tmp_path / "out"
    args = ["score", "--problems", str(pp), "--solutions", str(sp), "--out", str(out),
            "--dashboard", ":0", "--no-progress"]
    # A session of its own: the signal goes to the whole process group, as a terminal's
    # Ctrl-C does (the embedded cluster's workers get it too).
    proc = subprocess.Popen([*CLI, *args], cwd=ROOT, env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 180
    while len(list((out / "checkpoint").glob("part-*.parquet"))) < 2:
        assert proc.poll() is None, f"the run ended early: {proc.communicate()}"
        assert time.monotonic() < deadline, "no partition finished"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)

    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    assert "distributed" not in stderr and "WARNING" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert [line for line in lines if "interrupted" in line] == lines[-1:], stderr
    message = lines[-1]
    done = len(list((out / "checkpoint").glob("part-*.parquet")))
    m = re.search(r"(\d+) of (\d+) partitions \((\d+) of 128 tests\) saved in (\S+);", message)
    assert m, message
    assert int(m[1]) == done >= 2 and m[4] == str(out / "checkpoint")
    assert not (out / "summary.json").exists()

    # The command it prints continues the run and ends it.
    command = shlex.split(message.split("to continue: ", 1)[1])
    assert command == ["daskjudge", *args, "--resume"]
    resumed = run(*command[1:])
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["resumed_partitions"] == done and summary["tests"] == 128
    assert summary["verdicts"]["AC"] == 128


def test_out_naming_a_file_is_bad_input_exit_2(tmp_path):
    taken = tmp_path / "results.txt"
    taken.write_text("not a folder\n")
    for out in (taken, taken / "run"):
        proc = run("score", "--problems", str(SAMPLE / "problems.jsonl"), "--solutions",
                   str(SAMPLE / "solutions.jsonl"), "--out", str(out))
        assert proc.returncode == 2, proc.stderr
        assert f"{taken} is a file, not a folder" in proc.stderr
        assert "Traceback" not in proc.stderr and "FileExistsError" not in proc.stderr
    proc = run("run", "configs/quickstart.yaml", "--out", str(taken))
    assert proc.returncode == 2 and f"{taken} is a file" in proc.stderr
    assert taken.read_text() == "not a folder\n"


def test_serve_prints_the_dashboard_and_verifier_links_that_work(dashboard_port_taken):
    # The embedded cluster's dashboard cannot have its default port: it takes another, says
    # which, and Dask's warning about it is not shown.
    proc = subprocess.Popen([*CLI, "serve", "--port", "0"], cwd=ROOT, env=ENV,
                            stderr=subprocess.PIPE, text=True)
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 180
        while not any("daskjudge serve: http" in line for line in lines):
            assert time.monotonic() < deadline, lines
            line = proc.stderr.readline()
            assert line or proc.poll() is None, f"serve exited early: {lines}"
            lines.append(line)
        text = "".join(lines)
        dashboard = re.search(r"daskjudge: dashboard (http://\S+/status)\n", text)
        page = re.search(r"daskjudge: live verifier page (http://\S+/individual-verifier)\n",
                         text)
        assert dashboard and page, text
        port = int(re.search(r":(\d+)/", dashboard[1])[1])
        assert port != dashboard_port_taken
        assert requests.get(dashboard[1], timeout=30).status_code == 200
        assert requests.get(page[1], timeout=30).status_code == 200
        assert "warn" not in text.lower() and "already in use" not in text, text
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 0


def test_a_solution_that_misses_its_expected_verdict_is_listed(tmp_path):
    data = tmp_path / "sample"
    data.mkdir()
    (data / "problems.jsonl").write_text((SAMPLE / "problems.jsonl").read_text())
    rows = [json.loads(line) for line in (SAMPLE / "solutions.jsonl").read_text().splitlines()]
    victim = next(r for r in rows if r["expected_verdict"] == "WA")
    victim["expected_verdict"] = "AC"
    (data / "solutions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))

    proc = run("score", "--problems", str(data / "problems.jsonl"), "--solutions",
               str(data / "solutions.jsonl"), "--out", str(tmp_path / "o"), "--dashboard", ":0",
               "--no-progress")
    assert proc.returncode == 0, proc.stderr[-3000:]       # judged fine: not an error
    assert "expected_verdict: 104 of 105 solutions matched; 1 did not:" in proc.stdout
    assert (f"  problem {victim['problem_id']}  solution {victim['solution_id']}  "
            f"expected AC  got WA") in proc.stdout
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["expected_verdict"] == {
        "checked": 105, "matched": 104, "mismatches": [{
            "problem_id": victim["problem_id"], "solution_id": victim["solution_id"],
            "expected": "AC", "got": "WA"}]}


def apps_rows(with_empty: bool) -> str:
    rows = [{"problem_id": 1, "question": "echo", "solutions": json.dumps(["print(input())"]),
             "input_output": json.dumps({"inputs": ["a\n"], "outputs": ["a\n"]})}]
    if with_empty:
        rows.append({"problem_id": 2, "question": "no tests", "solutions": "[]",
                     "input_output": ""})
    return "".join(json.dumps(r) + "\n" for r in rows)


def test_convert_writes_notes_only_when_something_was_left_out(tmp_path):
    source, out = tmp_path / "apps.jsonl", tmp_path / "converted"
    source.write_text(apps_rows(with_empty=True))
    proc = run("convert", "--format", "apps", str(source), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert (out / "notes.txt").read_text() == "2: left out, no tests (empty input_output)\n"
    assert "1 note(s) in" in proc.stdout

    source.write_text(apps_rows(with_empty=False))
    proc = run("convert", "--format", "apps", str(source), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert not (out / "notes.txt").exists()             # nor the last conversion's
    assert "nothing was left out" in proc.stdout
    assert pq.read_metadata(out / "problems.parquet").num_rows == 1
