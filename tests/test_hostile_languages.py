"""Hostile C++, JavaScript, Java, Go and Rust programs through the real pipeline, with the
same invariants as ``test_hostile.py`` (its harness, reused): after each language's programs
every slot still serves, no process of a slot uid is left, scratch is empty, the canary file is unchanged
and nothing reached the host's loopback. Fixtures are in ``tests/hostile_languages/``.

A fixture is a ``stdio`` program by default; with ``kind: assert`` its ``tests`` are
MultiPL-E-style test blocks (``input``) and ``source`` is the whole solution: those are the
forgeries of an ``assert`` verdict (a redefined ``assert``, a completion record written on
the result descriptor, an early exit, a patched ``assert`` module or ``equals`` …).
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


def _tests(fx: dict, port: int, canary: Path) -> list[dict]:
    if fx.get("kind") == "assert":
        return [{"input": t["input"], "output": ""} for t in fx["tests"]]
    stdin = (fx.get("stdin") or "").replace("{port}", str(port)).replace("{canary}", str(canary))
    return [{"input": stdin, "output": fx.get("expected_output") or ""}]


def test_every_assert_forgery_fixture_has_a_test_block_that_parses():
    """A forgery is only a test when the judge reads its block: else it would be SE, not WA."""
    from judges.assert_values import judge_values

    forgeries = [fx for fx in map(harness.load, FIXTURES) if fx.get("kind") == "assert"]
    assert {fx["language"] for fx in forgeries} == set(LANGUAGES)
    for fx in forgeries:
        assert "AC" not in fx["expect"], fx["id"]
        for t in fx["tests"]:
            n, _ = judge_values(fx["language"], t["input"], [])
            assert n >= 2, fx["id"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_hostile_language_programs(language, client, listener, canary):
    """A language's fixtures in one run (two at a time, one per slot), then the invariants."""
    fixtures = [fx for fx in map(harness.load, FIXTURES) if fx["language"] == language]
    before = (hashlib.sha256(canary.read_bytes()).hexdigest(), canary.stat().st_mtime_ns)
    problems, solutions, configs = [], [], []
    for fx in fixtures:
        lim = harness._config(fx)
        problems.append({"problem_id": fx["id"], "kind": fx.get("kind", "stdio"),
                         "time_limit_s": lim["time_limit_s"],
                         "memory_limit_mb": lim["memory_limit_mb"],
                         "tests": _tests(fx, listener.port, canary)})
        solutions.append({"problem_id": fx["id"], "solution_id": "run0", "language": language,
                          "code": harness.source(fx)})
        configs.append(lim)
    # Every fixture here has the default wall factor (2 x limit + 1 s) and process limit.
    assert {(c["wall_factor"], c["processes"]) for c in configs} == {(2.0, 8)}
    config = dict(configs[0], partitions=len(fixtures))
    result = score(problems, solutions, client=client, config=config)

    tests = result.tests
    for fx in fixtures:
        for row in tests[tests["problem_id"] == fx["id"]].itertuples():
            assert row.verdict in fx["expect"], (
                f"{fx['id']} {fx['title']}: got {row.verdict}, expected one of {fx['expect']}; "
                f"message {row.message!r}, stdout {row.stdout[:300]!r}")
    tests = tests.set_index("problem_id")
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
