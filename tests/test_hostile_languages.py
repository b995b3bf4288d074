"""Hostile C++, JavaScript and Java programs through the real pipeline, with the same
invariants as ``test_hostile.py`` (its harness, reused): after each language's programs
every slot still serves, no process of a slot uid is left, scratch is empty, the canary file is unchanged
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
LANGUAGES = sorted({harness.load(p)["language"] for p in FIXTURES})
listener = harness.listener          # the module-scoped loopback listener fixture


@pytest.mark.parametrize("language", LANGUAGES)
def test_hostile_language_programs(language, client, listener, canary):
    """A language's fixtures in one run (two at a time, one per slot), then the invariants."""
    fixtures = [fx for fx in map(harness.load, FIXTURES) if fx["language"] == language]
    before = (hashlib.sha256(canary.read_bytes()).hexdigest(), canary.stat().st_mtime_ns)
    problems, solutions, configs = [], [], []
    for fx in fixtures:
        stdin = (fx.get("stdin") or "").replace("{port}", str(listener.port)) \
            .replace("{canary}", str(canary))
        lim = harness._config(fx)
        problems.append({"problem_id": fx["id"], "kind": "stdio",
                         "time_limit_s": lim["time_limit_s"],
                         "memory_limit_mb": lim["memory_limit_mb"],
                         "tests": [{"input": stdin, "output": fx.get("expected_output") or ""}]})
        solutions.append({"problem_id": fx["id"], "solution_id": "run0", "language": language,
                          "code": fx["source"]})
        configs.append(lim)
    # Every fixture here has the default wall factor (2 x limit + 1 s) and process limit.
    assert {(c["wall_factor"], c["processes"]) for c in configs} == {(2.0, 8)}
    config = dict(configs[0], partitions=len(fixtures))
    result = score(problems, solutions, client=client, config=config)

    tests = result.tests.set_index("problem_id")
    for fx in fixtures:
        row = tests.loc[fx["id"]]
        assert row["verdict"] in fx["expect"], (
            f"{fx['id']} {fx['title']}: got {row['verdict']}, expected one of {fx['expect']}; "
            f"message {row['message']!r}, stdout {row['stdout'][:300]!r}")
    for column in ("stdout", "stderr", "message"):
        assert not any(CANARY_SECRET in (v or "") for v in tests[column].tolist())

    time.sleep(0.05)
    for worker_report in client.run(harness.slot_invariants).values():
        for slot in worker_report:
            assert slot["benign"] == "42\n", f"{language}: slot no longer serves: {slot}"
            assert slot["strays"] == [], f"{language}: processes left behind: {slot}"
            if slot["scratch"] is not None:
                assert slot["scratch"] == [], f"{language}: scratch not emptied: {slot}"
            if in_ci():
                assert slot["level"] == "full"
    assert (hashlib.sha256(canary.read_bytes()).hexdigest(),
            canary.stat().st_mtime_ns) == before
    assert listener.connections == 0
