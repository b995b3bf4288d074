"""Expected outputs computed by running a reference solution in the sandbox (EvalPlus data).

The reference runs exactly as a candidate will (``function`` mode, same return-value
serialisation), so an expected value is what a correct candidate returns. An input on which
the reference raises, times out, or returns a value the sandbox cannot serialise yields no
expected value (``None`` and the reason); the adapter drops that test and says so.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from ..sandbox import Limits, Program, RecordKind, SlotPool, Status

BATCH = 32          # inputs per round trip to a slot (as the execute stage batches)


@contextmanager
def _pool(pool):
    if pool is not None:
        yield pool
        return
    with SlotPool() as own:
        yield own


def run_reference(jobs: list[tuple[str, str, list[str]]], *, pool=None, time_limit_s: float = 10.0,
                  memory_limit_mb: int = 1024) -> list[list[tuple[str | None, str]]]:
    """For each ``(code, entry_point, [input JSON, ...])``: ``[(value JSON or None, reason)]``.

    >>> run_reference([("def f(a, b):\\n    return a / b", "f", ["[1, 2]", "[1, 0]"])])
    [[('0.5', ''), (None, 'ZeroDivisionError: division by zero')]]
    """
    limits = Limits(cpu_s=time_limit_s, memory_mb=memory_limit_mb)
    chunks = [(j, start, code, entry, inputs[start:start + BATCH])
              for j, (code, entry, inputs) in enumerate(jobs)
              for start in range(0, len(inputs), BATCH)]
    results: list[list] = [[None] * len(inputs) for _, _, inputs in jobs]

    with _pool(pool) as p:
        def run(chunk):
            j, start, code, entry, inputs = chunk
            programs = [Program(code, mode="function", call=x, entry_point=entry) for x in inputs]
            return j, start, p.run_batch(programs, [limits] * len(programs))

        with ThreadPoolExecutor(max(1, p.n)) as ex:
            for j, start, outcomes in ex.map(run, chunks):
                for k, o in enumerate(outcomes):
                    results[j][start + k] = _value(o, time_limit_s)
    return results


def _value(o, time_limit_s: float) -> tuple[str | None, str]:
    rec = o.record
    kind = rec.kind if rec is not None else None
    if o.status is not Status.EXITED or o.cpu_s > time_limit_s:
        return None, o.message or f"reference run ended with {o.status.value}"
    if kind is RecordKind.RETURNED:
        if rec.unserialisable is not None:
            return None, f"return value not serialisable: {rec.unserialisable}"
        if rec.value is None:
            return None, "the reference's result record holds no value"
        return rec.value, ""
    if kind is RecordKind.RAISED:
        return None, f"{rec.type}: {rec.message}"[:300]
    return None, f"reference run ended with {kind.value if kind else 'no result'} (exit {o.exit_code})"
