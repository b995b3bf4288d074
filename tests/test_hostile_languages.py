"""Hostile C++, JavaScript and Java programs through the real pipeline, with the same
invariants as ``test_hostile.py`` (its harness, reused): after each one every slot still
serves, no process of a slot uid is left, scratch is empty, the canary file is unchanged
and nothing reached the host's loopback. Fixtures are in ``tests/hostile_languages/``.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest

import test_hostile as harness
from conftest import CANARY_SECRET, in_ci
from pipeline import score

FIXTURES = sorted((Path(__file__).parent / "hostile_languages").glob("*.yaml"))
listener = harness.listener          # the module-scoped loopback listener fixture


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_hostile_language_program(path, client, listener, canary):
    fx = harness.load(path)
    before = (hashlib.sha256(canary.read_bytes()).hexdigest(), canary.stat().st_mtime_ns)
    stdin = (fx.get("stdin") or "").replace("{port}", str(listener.port)) \
        .replace("{canary}", str(canary))
    problems = [{"problem_id": f"hostile-{fx['id']}", "kind": "stdio",
                 "tests": [{"input": stdin, "output": fx.get("expected_output") or ""}]}]
    solutions = [{"problem_id": problems[0]["problem_id"], "solution_id": "run0",
                  "language": fx["language"], "code": fx["source"]}]
    result = score(problems, solutions, client=client, config=harness._config(fx))

    tests = result.tests
    verdicts = tests["verdict"].astype(str).tolist()
    assert set(verdicts) <= set(fx["expect"]), (
        f"{fx['id']} {fx['title']}: got {verdicts}, expected one of {fx['expect']}; "
        f"messages {tests['message'].tolist()}")
    for column in ("stdout", "stderr", "message"):
        assert not any(CANARY_SECRET in (v or "") for v in tests[column].tolist())

    time.sleep(0.05)
    for worker_report in client.run(harness.slot_invariants).values():
        for slot in worker_report:
            assert slot["benign"] == "42\n", f"{fx['id']}: slot no longer serves: {slot}"
            assert slot["strays"] == [], f"{fx['id']}: processes left behind: {slot}"
            if slot["scratch"] is not None:
                assert slot["scratch"] == [], f"{fx['id']}: scratch not emptied: {slot}"
            if in_ci():
                assert slot["level"] == "full"
    assert (hashlib.sha256(canary.read_bytes()).hexdigest(),
            canary.stat().st_mtime_ns) == before
    assert listener.connections == 0
