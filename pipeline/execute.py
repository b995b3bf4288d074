"""Run each expanded row in a sandbox slot and judge it: the stage where untrusted code runs.

WARNING: the rows' ``code`` is untrusted. It runs only inside the worker's sandbox slots
(``pipeline.sandbox``), never in the worker process; the expected output stays here, on
the worker side, and is compared after the program has ended.

:func:`execute_partition` is plain pandas and takes the function that runs a program, so it
is tested with a real :class:`~pipeline.sandbox.SlotPool` and no cluster; on a worker,
:func:`pipeline.worker.run_rows` hands it that worker's slots.
"""

from __future__ import annotations

from typing import Callable

import pandas as pd

import judges
from judges import Verdict

from .config import Config
from .expand import Row, rows_of
from .io import TESTS_OUT, conform, empty
from .sandbox import Limits, Outcome, Program
from .sandbox.values import with_prelude

META = empty(TESTS_OUT)

Runner = Callable[[list[Program], list[Limits]], list[Outcome]]
"""Runs tests of one program, one outcome per test (``SlotPool.run_batch``)."""

# Tests of one solution go to the sandbox together, a child per test, one round trip:
# up to this many tests or this many bytes of input at a time.
BATCH_TESTS = 32
BATCH_BYTES = 4 << 20


def limits_for(config: Config, time_limit_s: float, memory_limit_mb: int) -> Limits:
    j = config.judge
    return Limits(cpu_s=time_limit_s, wall_s=j.wall_factor * time_limit_s + 1.0,
                  memory_mb=int(memory_limit_mb), processes=j.processes,
                  stdout_cap=j.output_limit_mb << 20)


def program_for(row: Row, config: Config | None = None) -> Program:
    """What the sandbox runs for one row (``config``: the interactor's limits)."""
    language = row.language or "python"
    prelude = row.prelude
    if row.kind == "function" and language != "python":
        prelude = None      # LeetCode's Python imports; the harness has its language's own
    source = with_prelude(prelude, row.code)
    if row.kind == "interactive":
        j = (config or Config()).judge
        limit = judges.interactor.limits(j.checker_time_limit_s, j.checker_memory_limit_mb)
        return Program(source, mode="stdio", language=language,
                       interactor=judges.interactor.interactor(
                           row.interactor, row.interactor_language, row.input, row.expected,
                           limit))
    if row.kind == "stdio":
        return Program(source, mode="stdio", stdin=row.input.encode("utf-8"), language=language)
    return Program(source, mode=row.kind, call=row.input, entry_point=row.entry_point,
                   language=language, signature=row.signature if row.kind == "function" else None)


def _batches(rows: list[Row], one_at_a_time: bool):
    """Consecutive rows of one solution, cut to the batch limits."""
    batch: list[Row] = []
    size = 0
    for row in rows:
        if batch and (one_at_a_time or row[:2] != batch[0][:2] or len(batch) >= BATCH_TESTS
                      or size + len(row.input) > BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(row)
        size += len(row.input)
    if batch:
        yield batch


def execute_partition(rows: pd.DataFrame, run: Runner, config: Config) -> pd.DataFrame:
    """Judge every row of an expanded partition; one result row per input row.

    With ``config.judge.early_exit`` a solution's tests after its first non-AC test are
    SKIP (and its tests are sent one at a time, so that none runs after a failure). The
    first ``config.keep_output`` bytes of stdout and stderr are kept.
    """
    if len(rows) == 0:
        return META.copy()
    comparators: dict[str, judges.Comparator] = {}
    failed: set[tuple[str, str]] = set()
    out: dict[str, list] = {name: [] for name in TESTS_OUT.names}
    keep = config.keep_output
    for batch in _batches(rows_of(rows), config.judge.early_exit):
        key = batch[0][:2]
        if key in failed:
            outcomes = [None] * len(batch)
        else:
            outcomes = run([program_for(r, config) for r in batch],
                           [limits_for(config, r.time_limit_s, r.memory_limit_mb) for r in batch])
        verdicts, points = _judge(batch, outcomes, run, config, comparators)
        for i, (row, outcome, (verdict, message)) in enumerate(zip(batch, outcomes, verdicts)):
            stdout = stderr = exit_code = sig = None
            if outcome is None:
                verdict, message, cpu, wall, mem = Verdict.SKIP, "an earlier test failed", 0.0, 0.0, 0.0
            else:
                cpu, wall, mem = outcome.cpu_s, outcome.wall_s, outcome.memory_mb
                exit_code, sig = outcome.exit_code, outcome.signal
                if config.judge.early_exit and verdict is not Verdict.AC:
                    failed.add(key)
                if keep:
                    stdout = outcome.stdout[:keep].decode("utf-8", "backslashreplace")
                    stderr = outcome.stderr[:keep].decode("utf-8", "backslashreplace")
            for name, value in zip(TESTS_OUT.names, (row.problem_id, row.solution_id,
                                                     row.test_index, verdict.value, cpu, wall,
                                                     mem, _utf8(message), stdout, stderr,
                                                     exit_code, sig,
                                                     judges.score_of(verdict, points.get(i)))):
                out[name].append(value)
    return conform(pd.DataFrame(out), TESTS_OUT)


def _utf8(text: str) -> str:
    """``text`` as valid UTF-8: a lone surrogate from a program's bytes in a message made
    the whole partition's table fail to build."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")


def unrun(problem_id: str, solution_id: str, n_tests: int, message: str) -> pd.DataFrame:
    """Result rows for tests that could not be run at all (the cluster failed, not the
    program): SE, so they are retried or reported, never counted as a pass or a fail.

    >>> unrun("p", "s", 2, "worker lost")[["test_index", "verdict"]].values.tolist()
    [[0, 'SE'], [1, 'SE']]
    """
    rows = {name: [None] * n_tests for name in TESTS_OUT.names}
    rows.update(problem_id=[problem_id] * n_tests, solution_id=[solution_id] * n_tests,
                test_index=list(range(n_tests)), verdict=[Verdict.SE.value] * n_tests,
                message=[message[:2000]] * n_tests, time_s=[0.0] * n_tests,
                wall_s=[0.0] * n_tests, memory_mb=[0.0] * n_tests)
    return conform(pd.DataFrame(rows), TESTS_OUT)


def _judge(batch: list[Row], outcomes: list, run: Runner, config: Config,
           comparators: dict) -> tuple[list[tuple[Verdict | None, str]], dict[int, float]]:
    """Verdicts of a batch, and the points a special judge or an interactor gave (by
    position in the batch). Outputs that need a special judge are checked together, in one
    sandboxed batch of the checker (the sandbox is handed to the judge)."""
    verdicts: list[tuple[Verdict | None, str]] = []
    points: dict[int, float] = {}
    pending: dict[tuple[str, str], list[int]] = {}
    j = config.judge
    for i, (row, outcome) in enumerate(zip(batch, outcomes)):
        if outcome is None:
            verdicts.append((None, ""))
            continue
        if row.kind == "interactive":
            try:
                verdict, message, given = judges.interactor.decide(
                    outcome, cpu_limit_s=row.time_limit_s,
                    interactor_cpu_s=j.checker_time_limit_s)
            except Exception as exc:    # as below: the judge's own fault is this row's SE
                verdict, message, given = (
                    Verdict.SE, f"judge error: {type(exc).__name__}: {exc}"[:500], None)
            verdicts.append((verdict, message))
            if given is not None:
                points[i] = given
            continue
        spec = row.judge
        comparator = comparators.get(spec) or comparators.setdefault(spec, judges.get(spec))
        if judges.is_checker(spec):
            early = judges.settled(outcome, cpu_limit_s=row.time_limit_s)
            verdicts.append(early or (None, ""))
            if early is None:
                pending.setdefault((spec, row.checker), []).append(i)
        else:
            try:
                verdicts.append(judges.decide(row.kind, outcome, cpu_limit_s=row.time_limit_s,
                                              expected=row.expected, comparator=comparator,
                                              test_block=row.input,
                                              language=row.language or "python"))
            except Exception as exc:    # a judge's own fault: this row's SE, not the partition's
                verdicts.append((Verdict.SE, f"judge error: {type(exc).__name__}: {exc}"[:500]))
    limit = judges.checker.limits(j.checker_time_limit_s, j.checker_memory_limit_mb)
    for (spec, source), where in pending.items():
        items = [(batch[i].input, outcomes[i].stdout, batch[i].expected) for i in where]
        for i, scored in zip(where, comparators[spec].judge_scored(run, source, items, limit)):
            verdicts[i] = (scored.verdict, scored.message)
            if scored.points is not None:
                points[i] = scored.points
    return verdicts, points
