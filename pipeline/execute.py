"""Run each expanded row in a sandbox slot and judge it: the stage where untrusted code runs.

WARNING: the rows' ``code`` is untrusted. It runs only inside the worker's sandbox slots
(``pipeline.sandbox``), never in the worker process; the expected output stays here, on
the worker side, and is compared after the program has ended.

:func:`execute_partition` is plain pandas and takes the function that runs a program, so it
is tested with a real :class:`~pipeline.sandbox.SlotPool` and no cluster.
"""

from __future__ import annotations

from typing import Callable

import pandas as pd
import pyarrow as pa

import judges
from judges import Verdict

from .config import Config
from .io import TESTS_OUT, conform, empty
from .sandbox import Limits, Outcome, Program
from .sandbox.values import with_prelude

META = empty(TESTS_OUT)
PLUGIN_NAME = "daskjudge-sandbox"

Runner = Callable[[list[Program], list[Limits]], list[Outcome]]
"""Runs tests of one program, one outcome per test (``SlotPool.run_batch``)."""

# Tests of one solution go to the sandbox together, a child per test, one round trip:
# up to this many tests or this many bytes of input at a time.
BATCH_TESTS = 32
BATCH_BYTES = 4 << 20

def limits_for(config: Config, time_limit_s: float, memory_limit_mb: int) -> Limits:
    return Limits(cpu_s=time_limit_s, wall_s=config.wall_factor * time_limit_s + 1.0,
                  memory_mb=int(memory_limit_mb), processes=config.processes,
                  stdout_cap=config.output_limit_mb << 20)


def program_for(kind: str, code: str, prelude: str | None, test_input: str,
                entry_point: str | None, language: str = "python",
                signature: str | None = None) -> Program:
    if kind == "function" and language != "python":
        prelude = None      # LeetCode's Python imports; the harness has its language's own
    source = with_prelude(prelude, code)
    if kind == "stdio":
        return Program(source, mode="stdio", stdin=test_input.encode("utf-8"),
                       language=language)
    return Program(source, mode=kind, call=test_input, entry_point=entry_point,
                   language=language, signature=signature if kind == "function" else None)


_COLUMNS = ("problem_id", "solution_id", "test_index", "kind", "code", "prelude", "input",
            "expected", "entry_point", "judge", "time_limit_s", "memory_limit_mb", "checker",
            "language", "signature")


def _batches(rows: list[tuple], one_at_a_time: bool):
    """Consecutive rows of one solution, cut to the batch limits."""
    batch: list[tuple] = []
    size = 0
    for row in rows:
        if batch and (one_at_a_time or row[:2] != batch[0][:2] or len(batch) >= BATCH_TESTS
                      or size + len(row[6]) > BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(row)
        size += len(row[6])
    if batch:
        yield batch


def execute_partition(rows: pd.DataFrame, run: Runner, config: Config) -> pd.DataFrame:
    """Judge every row of an expanded partition; one result row per input row.

    With ``config.early_exit`` a solution's tests after its first non-AC test are SKIP (and
    its tests are sent one at a time, so that none runs after a failure).
    """
    if len(rows) == 0:
        return META.copy()
    comparators: dict[str, judges.Comparator] = {}
    failed: set[tuple[str, str]] = set()
    out: dict[str, list] = {name: [] for name in TESTS_OUT.names}
    data = list(zip(*(pa.array(rows[c]).to_pylist() for c in _COLUMNS)))  # nulls as None
    for batch in _batches(data, config.early_exit):
        key = batch[0][:2]
        if key in failed:
            outcomes = [None] * len(batch)
        else:
            outcomes = run([program_for(r[3], r[4], r[5], r[6], r[8], r[13] or "python", r[14])
                            for r in batch],
                           [limits_for(config, r[10], r[11]) for r in batch])
        verdicts = _judge(batch, outcomes, run, config, comparators)
        for row, outcome, (verdict, message) in zip(batch, outcomes, verdicts):
            pid, sid, index = row[:3]
            stdout = stderr = None
            if outcome is None:
                verdict, message, cpu, wall, mem = Verdict.SKIP, "an earlier test failed", 0.0, 0.0, 0.0
            else:
                cpu, wall, mem = outcome.cpu_s, outcome.wall_s, outcome.memory_mb
                if config.early_exit and verdict is not Verdict.AC:
                    failed.add(key)
                if config.keep_output:
                    stdout = outcome.stdout[:config.keep_output].decode("utf-8", "backslashreplace")
                    stderr = outcome.stderr[:config.keep_output].decode("utf-8", "backslashreplace")
            for name, value in zip(TESTS_OUT.names, (pid, sid, index, verdict.value, cpu, wall,
                                                     mem, message, stdout, stderr)):
                out[name].append(value)
    return conform(pd.DataFrame(out), TESTS_OUT)


def _judge(batch: list[tuple], outcomes: list, run: Runner, config: Config,
           comparators: dict) -> list[tuple[Verdict | None, str]]:
    """Verdicts of a batch. Outputs that need a special judge are checked together, in one
    sandboxed batch of the checker (the sandbox is handed to the judge)."""
    verdicts: list[tuple[Verdict | None, str]] = []
    pending: dict[tuple[str, str], list[int]] = {}
    for i, (row, outcome) in enumerate(zip(batch, outcomes)):
        kind, expected, spec, tl, source = row[3], row[7], row[9], row[10], row[12]
        if outcome is None:
            verdicts.append((None, ""))
            continue
        comparator = comparators.get(spec) or comparators.setdefault(spec, judges.get(spec))
        if judges.is_checker(spec):
            early = judges.settled(outcome, cpu_limit_s=tl)
            verdicts.append(early or (None, ""))
            if early is None:
                pending.setdefault((spec, source), []).append(i)
        else:
            verdicts.append(judges.decide(kind, outcome, cpu_limit_s=tl, expected=expected,
                                          comparator=comparator, test_block=row[6],
                                          language=row[13] or "python"))
    limit = judges.checker.limits(config.checker_time_limit_s, config.checker_memory_limit_mb)
    for (spec, source), where in pending.items():
        items = [(batch[i][6], outcomes[i].stdout, batch[i][7]) for i in where]
        for i, verdict in zip(where, comparators[spec].judge(run, source, items, limit)):
            verdicts[i] = verdict
    return verdicts


def execute_on_worker(rows: pd.DataFrame, config: Config) -> pd.DataFrame:
    """The Dask task: find this worker's sandbox slots (started by its plugin) and run."""
    from distributed import get_worker

    plugin = get_worker().plugins.get(PLUGIN_NAME)
    if plugin is None:
        raise RuntimeError("this worker has no daskjudge sandbox; register "
                           "pipeline.cluster.SandboxPlugin on the client")
    # One summary per partition for the dashboard (pipeline.events); it never fails the task.
    from time import monotonic

    from .events import publish
    started = monotonic()
    out = execute_partition(rows, plugin.pool.run_batch, config)
    publish(out, monotonic() - started, plugin.pool.info())
    return out
