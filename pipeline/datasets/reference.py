"""Expected outputs computed by running a reference solution in the sandbox (EvalPlus data).

The reference runs exactly as a candidate will (``function`` mode, same return-value
serialisation), so an expected value is what a correct candidate returns. An input on which
the reference raises, times out, or returns a value the sandbox cannot serialise yields no
expected value (``None`` and the reason); the adapter drops that test and says so.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from ..sandbox import Limits, Program, SlotPool

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
    rec = o.record or {}
    if o.status != "exited" or o.cpu_s > time_limit_s:
        return None, o.message or f"reference run ended with {o.status}"
    if rec.get("status") == "returned":
        if "unserialisable" in rec:
            return None, f"return value not serialisable: {rec['unserialisable']}"
        return rec["value"], ""
    if rec.get("status") == "raised":
        return None, f"{rec.get('type')}: {rec.get('message', '')}"[:300]
    return None, f"reference run ended with {rec.get('status') or 'no result'} (exit {o.exit_code})"
