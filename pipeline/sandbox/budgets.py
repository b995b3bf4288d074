"""What one round trip to a slot's runner may carry and take: the memory above the tests'
own, the bytes of builds it keeps and of one request, and the time its reply may take.

Shared by :mod:`.slot` and its interactive runs (:mod:`.interactive`), which make their
round trips alike.
"""

from __future__ import annotations

from .values import Limits, Program

REPLY_GRACE_S = 10.0
# And per test of a batch, for the runner's work after each program (reaping, the System V
# sweep, clearing scratch), which a program can make cost a few tenths of a second: 32 tests
# that each use their whole wall clock and leave 19,999 names (0.4 s each to remove at the
# ~50,000 a second measured here) would take the reply 13 s past the sum of their walls.
TEST_GRACE_S = 1.0
# Headroom of the slot's memory cgroup above the per-test limit: the runner itself (~30 MB
# resident) and the page cache of the scratch tmpfs are charged to the same group.
CGROUP_HEADROOM = 256 << 20
# Bytes of builds a runner keeps (in a tmpfs of 160 MiB of its own) for the tests to come.
BUILD_BUDGET = 128 << 20
# Bytes of inputs, call arguments and files in one request beyond its first test: a
# checker's batch carried 32 outputs of 16 MiB each, and the runner read them all at once.
REQUEST_BUDGET = 32 << 20


def reply_within(limits: list[Limits]) -> float:
    """Seconds the reply to a batch of tests under ``limits`` may take."""
    return sum(lim.wall + TEST_GRACE_S for lim in limits) + REPLY_GRACE_S


def request_fits(programs: list[Program]) -> int:
    """How many of ``programs``, from the first (at least one), one request carries.

    >>> request_fits([Program("", stdin=b"x" * (20 << 20))] * 3)
    1
    """
    size = 0
    for n, p in enumerate(programs):
        size += len(p.stdin) + len(p.call) + sum(map(len, p.files.values()))
        if p.interactor is not None:    # its source and files go with every test
            size += len(p.interactor.code) + sum(map(len, p.interactor.files.values()))
        if n and size > REQUEST_BUDGET:
            return n
    return len(programs)
