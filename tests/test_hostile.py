"""Hostile programs through the real pipeline, each followed by the sandbox invariants.

Every fixture in ``tests/hostile/`` runs through :func:`pipeline.score` on the session's
LocalCluster. After each one: every slot still serves a benign test, no process of a slot's
uids (the program's, an interactor's) is left, scratch is empty, the host canary file is unchanged, the canary secret appears
in no output, and nothing reached the listener on the host's loopback. These tests never
skip: where the sandbox cannot be built, they fail.
"""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import threading
import time
from pathlib import Path

import pytest
import yaml

from conftest import CANARY_SECRET, in_ci
from pipeline import score

FIXTURES = sorted((Path(__file__).parent / "hostile").glob("*.yaml"))


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


class Listener:
    """A TCP listener on the host's loopback that counts every connection it receives."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self._stop = True
        self._thread.join()
        self.sock.close()


@pytest.fixture(scope="module")
def listener():
    lst = Listener()
    yield lst
    lst.close()
    assert lst.connections == 0, "a sandboxed program reached the host's loopback"


# ----------------------------------------------------------------------------- worker side

def slot_invariants(dask_worker) -> list[dict]:
    """Run on the worker: per slot, benign test, strays of its uid, scratch contents."""
    from pipeline.worker import PLUGIN_NAME
    from pipeline.sandbox import Limits, Program

    pool = dask_worker.plugins[PLUGIN_NAME].pool
    report = []
    for slot in pool.slots:             # between fixtures no task is using the slots
        out = slot.run(Program("print(6 * 7)"), Limits(cpu_s=1))
        strays = []
        uids = {slot._lease.uid, slot._peer_lease.uid}     # the program's and an interactor's
        for name in os.listdir("/proc"):
            if name.isdigit():
                try:
                    if os.stat(f"/proc/{name}").st_uid in uids:
                        strays.append(int(name))
                except FileNotFoundError:
                    pass
        scratch = None
        if slot.level in ("full", "rootless"):
            scratch = sorted(os.listdir(f"/proc/{slot.runner_pid}/root/sb"))
        report.append({"benign": out.stdout.decode(), "strays": strays, "scratch": scratch,
                       "level": slot.level})
    return report


def kill_busy_runner(dask_worker) -> int:
    """Run on the worker: SIGKILL the bubblewrap of every slot whose runner is mid-test."""
    from pipeline.worker import PLUGIN_NAME

    pool = dask_worker.plugins[PLUGIN_NAME].pool
    killed = 0
    for slot in pool.slots:
        if slot._lock.locked() and slot._proc is not None:
            os.killpg(slot._proc.pid, signal.SIGKILL)
            killed += 1
    return killed


# ----------------------------------------------------------------------------- the test

def _config(fx: dict) -> dict:
    lim = fx.get("limits") or {}
    tl = float(lim.get("time_limit_s", 2.0))
    wall = float(lim.get("wall_limit_s", 2 * tl + 1))
    return {"time_limit_s": tl, "memory_limit_mb": int(lim.get("memory_limit_mb", 512)),
            "processes": int(lim.get("processes", 8)),
            "wall_factor": max(0.1, (wall - 1.0) / tl), "keep_output": 1 << 20,
            "partitions": 1, "isolation": "full" if in_ci() else "auto"}


def source(fx: dict) -> str:
    """The fixture's program: ``source``, then ``source_repeat``'s text repeated, if any."""
    rep = fx.get("source_repeat")
    return fx["source"] + (rep["text"] * int(rep["times"]) if rep else "")


def _stdin(fx: dict, port: int) -> str:
    if fx.get("stdin_repeat"):
        rep = fx["stdin_repeat"]
        return rep["text"] * int(rep["times"])
    root = str(Path(__file__).resolve().parents[1])
    return (fx.get("stdin") or "").replace("{port}", str(port)).replace("{project}", root)


def _problem(fx: dict, port: int) -> dict:
    """The fixture's problem: one ``stdio`` test by default, or its own ``tests``."""
    problem = {"problem_id": f"hostile-{fx['id']}", "kind": fx.get("kind", "stdio")}
    if fx.get("tests"):
        problem["tests"] = [{"input": t.get("input", ""), "output": t.get("output", "")}
                            for t in fx["tests"]]
    else:
        problem["tests"] = [{"input": _stdin(fx, port), "output": fx.get("expected_output") or ""}]
    for key in ("entry_point", "judge", "checker", "interactor", "interactor_language"):
        if fx.get(key):
            problem[key] = fx[key]
    return problem


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_hostile_program(path, client, listener, canary):
    fx = load(path)
    canary_before = (hashlib.sha256(canary.read_bytes()).hexdigest(), canary.stat().st_mtime_ns)
    runs = int(fx.get("runs", 1))
    problems = [_problem(fx, listener.port)]
    # ``runs`` copies land in one partition, so they run one after another on one slot,
    # and so does the benign program of ``then``, after them.
    solutions = [{"problem_id": problems[0]["problem_id"], "solution_id": f"run{i}",
                  "code": source(fx), "language": fx.get("language", "python")}
                 for i in range(runs)]
    if fx.get("then"):
        solutions.append({"problem_id": problems[0]["problem_id"], "solution_id": "then",
                          "code": fx["then"]["source"],
                          "language": fx["then"].get("language", "python")})
    config = _config(fx)

    if fx.get("harness") == "kill_runner":
        result_box = {}
        worker = threading.Thread(target=lambda: result_box.setdefault(
            "r", score(problems, solutions, client=client, config=config)))
        worker.start()
        killed = 0
        deadline = time.monotonic() + 10
        while not killed and time.monotonic() < deadline:
            time.sleep(0.3)
            killed = sum(client.run(kill_busy_runner).values())
        worker.join(120)
        assert killed, "the harness found no runner mid-test to kill"
        result = result_box["r"]
    else:
        result = score(problems, solutions, client=client, config=config)

    tests = result.tests
    if fx.get("then"):
        after = tests[tests["solution_id"] == "then"]
        got = after["verdict"].astype(str).tolist()
        assert got and set(got) <= set(fx["then"]["expect"]), (
            f"#{fx['id']}: the program after it got {got}, expected {fx['then']['expect']}; "
            f"messages {after['message'].tolist()}")
        tests = tests[tests["solution_id"] != "then"]
    verdicts = tests["verdict"].astype(str).tolist()
    assert set(verdicts) <= set(fx["expect"]), (
        f"#{fx['id']} {fx['title']}: got {verdicts}, expected one of {fx['expect']}; "
        f"messages {tests['message'].tolist()}")
    for stdout, stderr in zip(tests["stdout"].tolist(), tests["stderr"].tolist()):
        stdout, stderr = stdout or "", stderr or ""
        for s in fx.get("stdout_must_contain") or []:
            assert s in stdout, f"#{fx['id']}: {s!r} not in stdout {stdout[:500]!r}"
        for s in fx.get("stdout_must_not_contain") or []:
            assert s not in stdout, f"#{fx['id']}: {s!r} in stdout"
        assert CANARY_SECRET not in stdout and CANARY_SECRET not in stderr
    assert not any(CANARY_SECRET in (m or "") for m in tests["message"].tolist())

    # The invariants, on every slot of the worker.
    time.sleep(0.05)
    for worker_report in client.run(slot_invariants).values():
        for slot in worker_report:
            assert slot["benign"] == "42\n", f"#{fx['id']}: slot no longer serves: {slot}"
            assert slot["strays"] == [], f"#{fx['id']}: processes left behind: {slot}"
            if slot["scratch"] is not None:
                assert slot["scratch"] == [], f"#{fx['id']}: scratch not emptied: {slot}"
            if in_ci():
                assert slot["level"] == "full"
    assert (hashlib.sha256(canary.read_bytes()).hexdigest(),
            canary.stat().st_mtime_ns) == canary_before
    assert listener.connections == 0


def test_benign_verdicts_hold_beside_the_hostile_set(client, listener, canary):
    """The whole catalogue runs in one job while the bundled sample is scored in another
    on the same worker's slots, again and again until the hostile job ends: every sample
    solution keeps its expected verdict each time."""
    fixtures = [load(p) for p in FIXTURES]
    fixtures = [fx for fx in fixtures if not fx.get("harness")]
    problems, solutions = [], []
    for fx in fixtures:
        problem = _problem(fx, listener.port)
        lim = fx.get("limits") or {}
        problem.update(time_limit_s=float(lim.get("time_limit_s", 2.0)),
                       memory_limit_mb=int(lim.get("memory_limit_mb", 512)))
        problems.append(problem)
        solutions.append({"problem_id": problem["problem_id"], "solution_id": "hostile",
                          "code": source(fx), "language": fx.get("language", "python")})
    config = {"partitions": 1, "isolation": "full" if in_ci() else "auto"}
    hostile: dict = {}

    def run_hostile():
        try:
            hostile["r"] = score(problems, solutions, client=client, config=config)
        except BaseException as exc:        # reported by the assertion below
            hostile["error"] = exc

    job = threading.Thread(target=run_hostile)
    job.start()
    root = Path(__file__).resolve().parents[1] / "data" / "sample"
    rounds = 0
    while rounds < 2 or (job.is_alive() and rounds < 8):
        r = score(str(root / "problems.jsonl"), str(root / "solutions.jsonl"), client=client,
                  config=dict(config, time_limit_s=2.0, memory_limit_mb=512))
        s = r.solutions
        wrong = s[s["verdict"].astype(str) != s["expected_verdict"].astype(str)]
        assert wrong.empty, (f"round {rounds}: verdicts changed beside hostile programs:\n"
                             f"{wrong[['problem_id', 'solution_id', 'verdict', 'expected_verdict']]}")
        rounds += 1
    job.join(600)
    assert "r" in hostile, hostile.get("error")
    assert len(hostile["r"].tests) >= len(fixtures)
    assert "SE" not in set(hostile["r"].tests["verdict"].astype(str))
    assert listener.connections == 0
