"""Scale-out and faults on real processes: a ``dask scheduler`` and ``dask worker``s on
loopback, the ``daskjudge`` CLI as a batch job would run it, SIGKILLs mid-run, resume.

Every run is compared row by row with an undisturbed run of the same workload: the
workload's verdicts are far from their limits, so any difference is a lost, duplicated or
re-judged row.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from pipeline import score
from pipeline.checkpoint import OutputFolder
from pipeline.io import read_problems, read_solutions, write_table, PROBLEMS, SOLUTIONS

from conftest import in_ci

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}

# ~35 ms of CPU per test: long enough that partitions are in flight when a process is
# killed, short enough for CI (240 tests ≈ 12 s of CPU with the time-outs).
BUSY = "s = 0\nfor i in range(400000):\n    s += i\n"


def workload(tmp: Path, n_solutions: int = 24, n_tests: int = 10) -> tuple[Path, Path]:
    problems, solutions = [], []
    for p in range(n_solutions // 4):
        tests = [{"input": f"{p} {t}", "output": str(p + t)} for t in range(n_tests)]
        problems.append({"problem_id": f"p{p}", "kind": "stdio", "tests": tests,
                         "time_limit_s": 0.5})
        read = BUSY + "a, b = map(int, input().split())\n"
        good = read + "print(a + b)\n"
        wrong = read + "print(a + b + (b % 3 == 0))\n"         # WA on 4 tests of 10
        crash = read + "print(a + b if b != 5 else 1 // 0)\n"  # RE on 1
        slow = read + "while b == 7:\n    pass\nprint(a + b)\n"  # TLE on 1
        for name, code in (("good", good), ("wrong", wrong), ("crash", crash), ("slow", slow)):
            solutions.append({"problem_id": f"p{p}", "solution_id": name, "code": code})
    pp, sp = tmp / "problems.parquet", tmp / "solutions.parquet"
    write_table(read_problems(problems).to_pandas(), pp, PROBLEMS)
    write_table(read_solutions(solutions).to_pandas(), sp, SOLUTIONS)
    return pp, sp


def verdicts(tests: pd.DataFrame) -> list[tuple]:
    t = tests[["problem_id", "solution_id", "test_index", "verdict"]].astype(object)
    return sorted(map(tuple, t.values.tolist()))


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return workload(tmp_path_factory.mktemp("scaleout"))


@pytest.fixture(scope="module")
def reference(files, client):
    """The undisturbed run, on the session's LocalCluster."""
    r = score(*files, client=client, config={"isolation": "full" if in_ci() else "auto"})
    assert r.complete and len(r.tests) == 240
    counts = r.summary["verdicts"]
    assert (counts["AC"], counts["WA"], counts["RE"], counts["TLE"]) == (204, 24, 6, 6)
    return verdicts(r.tests)


class Cluster:
    """A ``dask scheduler`` and ``dask worker`` processes on loopback."""

    def __init__(self, tmp: Path):
        self.file = tmp / "scheduler.json"
        self.workers: list[subprocess.Popen] = []
        self.scheduler = subprocess.Popen(
            ["dask", "scheduler", "--host", "127.0.0.1", "--port", "0", "--dashboard-address",
             ":0", "--scheduler-file", str(self.file)], env=ENV, cwd=tmp,
            stdout=subprocess.DEVNULL, stderr=open(tmp / "scheduler.log", "w"))
        deadline = time.monotonic() + 60
        while not self.file.exists():
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.2)
        self.tmp = tmp

    def add_worker(self) -> subprocess.Popen:
        # No nanny: a SIGKILLed worker stays dead, and the other must take over its rows.
        w = subprocess.Popen(
            ["dask", "worker", "--scheduler-file", str(self.file), "--nthreads", "1",
             "--no-nanny", "--no-dashboard", "--host", "127.0.0.1", "--memory-limit", "0"],
            env=ENV, cwd=self.tmp, stdout=subprocess.DEVNULL,
            stderr=open(self.tmp / f"worker{len(self.workers)}.log", "w"))
        self.workers.append(w)
        return w

    def client(self):
        from distributed import Client
        return Client(scheduler_file=str(self.file), timeout=60)

    def wait_workers(self, n: int) -> None:
        with self.client() as c:
            c.wait_for_workers(n, timeout=60)

    def close(self) -> None:
        for p in [*self.workers, self.scheduler]:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in [*self.workers, self.scheduler]:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()


@pytest.fixture
def cluster(tmp_path):
    c = Cluster(tmp_path)
    yield c
    c.close()


def cli(*args, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipeline.cli", *args, "--no-progress"],
                            cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, **kw)


def wait_parts(out: Path, n: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while len(list((out / "checkpoint").glob("part-*.parquet"))) < n:
        assert proc.poll() is None, f"the run ended early: {proc.communicate()}"
        assert time.monotonic() < deadline, "no partitions finished"
        time.sleep(0.1)


def finished(proc: subprocess.Popen, out: Path) -> tuple[dict, pd.DataFrame]:
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    assert not (out / "checkpoint").exists()
    return summary, pd.read_parquet(out / "tests.parquet")


def test_worker_killed_mid_run_loses_and_duplicates_nothing(files, reference, cluster, tmp_path):
    cluster.add_worker()
    victim = cluster.add_worker()
    cluster.wait_workers(2)
    out = tmp_path / "out"
    run = cli("score", "--problems", str(files[0]), "--solutions", str(files[1]),
              "--out", str(out), "--scheduler", str(cluster.file))
    wait_parts(out, 3, run)
    victim.send_signal(signal.SIGKILL)
    victim.wait(10)
    summary, tests = finished(run, out)
    assert summary["complete"] and summary["tests"] == 240
    assert verdicts(tests) == reference
    with cluster.client() as c:
        survivors = c.run(lambda dask_worker: dask_worker.state.total_resources)
    assert list(survivors.values()) == [{"sandbox": 1.0}]


def test_worker_joining_mid_run_gets_slots_and_work(files, reference, cluster, tmp_path):
    cluster.add_worker()
    cluster.wait_workers(1)
    out = tmp_path / "out"
    run = cli("score", "--problems", str(files[0]), "--solutions", str(files[1]),
              "--out", str(out), "--scheduler", str(cluster.file))
    wait_parts(out, 2, run)
    late = cluster.add_worker()
    summary, tests = finished(run, out)
    assert verdicts(tests) == reference
    with cluster.client() as c:
        from pipeline.worker import sandbox_info
        info = c.run(sandbox_info)
    assert len(info) == 2 and late.poll() is None
    ran = {addr: sum(s["tests"] for s in i["slots"]) for addr, i in info.items()}
    assert all(n > 0 for n in ran.values()), ran      # the late worker took rows too


def test_killed_batch_job_resumes_to_the_same_result(files, reference, tmp_path):
    out = tmp_path / "out"
    args = ("score", "--problems", str(files[0]), "--solutions", str(files[1]),
            "--out", str(out), "--dashboard", ":0")
    # Its own session, so the kill takes the embedded cluster with it, as a preempted node.
    first = cli(*args, start_new_session=True)
    wait_parts(out, 3, first)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(10)
    assert not (out / "summary.json").exists()        # never reported as complete
    kept = len(list((out / "checkpoint").glob("part-*.parquet")))
    summary, tests = finished(cli(*args, "--resume"), out)
    assert summary["resumed_partitions"] == kept >= 3
    assert summary["complete"] and verdicts(tests) == reference


def test_resume_refuses_a_changed_config(files, tmp_path):
    out = tmp_path / "out"
    with OutputFolder(out) as folder:
        folder.start("a checkpoint of other inputs", [], resume=False)
    run = cli("score", "--problems", str(files[0]), "--solutions", str(files[1]),
              "--out", str(out), "--dashboard", ":0", "--resume")
    _, stderr = run.communicate(timeout=300)
    assert run.returncode == 2 and "other inputs or another judging config" in stderr


def test_two_runs_never_write_one_output_folder(files, tmp_path):
    out = tmp_path / "out"
    with OutputFolder(out):
        run = cli("score", "--problems", str(files[0]), "--solutions", str(files[1]),
                  "--out", str(out), "--dashboard", ":0")
        _, stderr = run.communicate(timeout=300)
    assert run.returncode == 4 and "being written by another daskjudge run" in stderr
    assert not (out / "tests.parquet").exists()
