"""A worker's sandbox slots: one per core it owns, each used by one test at a time."""

from __future__ import annotations

import logging
import os
import queue
import warnings
from contextlib import contextmanager
from typing import Iterator

from .slot import Slot
from .values import Limits, Outcome, Program, SandboxError, Status

log = logging.getLogger("daskjudge.sandbox")


class DegradedIsolation(UserWarning):
    """The sandbox runs with less than full isolation."""


class SlotPool:
    """``n`` slots; :meth:`run` takes a free one, runs, and retries on sandbox failure.

    >>> with SlotPool(1) as pool:
    ...     pool.run(Program("print(6 * 7)"), Limits()).stdout
    b'42\\n'
    """

    def __init__(self, n: int | None = None, isolation: str = "auto", retries: int = 2):
        self.n = max(1, n or os.cpu_count() or 1)
        self.retries = retries
        self.slots = [Slot(isolation, index=i) for i in range(self.n)]
        self._free: queue.Queue[Slot] = queue.Queue()
        for s in self.slots:
            self._free.put(s)

    def start(self) -> "SlotPool":
        """Start every runner now (instead of on first use) and report the level reached."""
        first = self.slots[0]
        first.start()
        for s in self.slots[1:]:
            s.level = first.level                   # every slot at the same level
            s.start()
        if self.level != "full":
            msg = (f"daskjudge sandbox runs DEGRADED (isolation={self.level}): untrusted code "
                   f"is not fully isolated on this host; see README 'Isolation'")
            log.warning(msg)
            warnings.warn(msg, DegradedIsolation, stacklevel=2)
        return self

    @property
    def level(self) -> str | None:
        return self.slots[0].level

    @contextmanager
    def slot(self) -> Iterator[Slot]:
        s = self._free.get()
        try:
            yield s
        finally:
            self._free.put(s)

    def run(self, program: Program, limits: Limits) -> Outcome:
        """Run one program on a free slot (see :meth:`run_batch`)."""
        return self.run_batch([program], [limits])[0]

    def run_batch(self, programs: list[Program], limits: list[Limits]) -> list[Outcome]:
        """Run tests of one program on a free slot, one outcome per test, in order.

        A sandbox failure restarts the slot and retries the test where it happened; after
        ``retries`` failed attempts that test's outcome is ``sandbox_error`` (verdict SE),
        never an exception: a caller scoring thousands of rows must not lose any.
        """
        outcomes: list[Outcome] = []
        errors: list[str] = []
        with self.slot() as s:
            while len(outcomes) < len(programs):
                i = len(outcomes)
                got, error = s.run_batch(programs[i:], limits[i:])
                if got:
                    got[0].restarts = len(errors)
                    outcomes += got
                    errors = []
                if error is None:
                    continue
                if not got:
                    errors.append(error)
                    log.warning("sandbox slot %d failed (%s); restarting", s.index, error)
                    if len(errors) > self.retries:
                        outcomes.append(Outcome(status=Status.SANDBOX_ERROR,
                                                message="; ".join(errors)[:2000],
                                                restarts=len(errors)))
                        errors = []
        return outcomes

    def info(self) -> dict:
        return {"level": self.level, "slots": [s.info() for s in self.slots]}

    def close(self) -> None:
        for s in self.slots:
            s.close()

    def __enter__(self) -> "SlotPool":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()
