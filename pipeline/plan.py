"""Cut the solutions into partitions of about equal estimated cost.

One partition is one Dask task. Cutting by count puts a problem with 200 slow tests in the
same task as 50 one-test problems, and the run waits on that one task; so the cost of a
solution is estimated as its tests × its problem's time limit, partitions are filled to
an equal share of the total, and a solution costing more than a share is cut into slices
of its tests (``test_start``/``test_stop``) that may run on different workers. Early exit
needs a solution's tests in order on one slot, so with it solutions are never cut.

Pure pandas; the plan is a list of small frames, one per partition, and it is stored with
a checkpoint so that a resumed run cuts the work exactly as the interrupted one did.
"""

from __future__ import annotations

import math

import pandas as pd

COLUMNS = ["problem_id", "solution_id", "language", "code", "test_start", "test_stop"]


def plan(solutions: pd.DataFrame, n_tests: dict[str, int], time_limit_s: dict[str, float],
         partitions: int, split: bool = True) -> list[pd.DataFrame]:
    """Cut ``solutions`` into about ``partitions`` frames of equal estimated cost.

    ``n_tests`` and ``time_limit_s`` map each problem id to its test count and CPU limit.
    Each frame has the solutions' columns plus the slice of tests it runs.

    >>> sols = pd.DataFrame({"problem_id": ["big", "s", "s"], "solution_id": ["a", "b", "c"],
    ...                      "language": "python", "code": ""})
    >>> parts = plan(sols, {"big": 8, "s": 1}, {"big": 1.0, "s": 1.0}, partitions=5)
    >>> [p[["solution_id", "test_start", "test_stop"]].values.tolist() for p in parts]
    [[['a', 0, 2]], [['a', 2, 4]], [['a', 4, 6]], [['a', 6, 8]], [['b', 0, 1], ['c', 0, 1]]]
    >>> len(plan(sols, {"big": 8, "s": 1}, {"big": 1.0, "s": 1.0}, 5, split=False))
    2
    """
    if len(solutions) == 0:
        return []
    pids = solutions["problem_id"].astype(object).tolist()
    tests = [int(n_tests[p]) for p in pids]
    # A test costs at least the few milliseconds of a sandbox round trip, whatever its limit.
    per_test = [max(float(time_limit_s[p]), 0.01) for p in pids]
    total = sum(n * c for n, c in zip(tests, per_test))
    share = total / max(1, min(partitions, sum(tests)))
    rows, cost, parts = [], 0.0, []
    base = solutions[COLUMNS[:4]].astype(object).itertuples(index=False, name=None)

    def close():
        nonlocal rows, cost
        if rows:
            parts.append(pd.DataFrame(rows, columns=COLUMNS))
        rows, cost = [], 0.0

    for (pid, sid, lang, code), n, c in zip(base, tests, per_test):
        start = 0
        while start < n:
            room = share - cost
            take = n - start
            if split and take * c > room + 1e-9:
                fit = math.floor(room / c + 1e-9)
                if fit == 0 and rows:
                    close()
                    continue
                take = max(1, fit)
            rows.append((pid, sid, lang, code, start, start + take))
            cost += take * c
            start += take
            if cost >= share - 1e-9:
                close()
    close()
    return parts


def describe(parts: list[pd.DataFrame]) -> list[list[list]]:
    """The plan as plain lists (problem, solution, start, stop) for a checkpoint manifest."""
    return [p[["problem_id", "solution_id", "test_start", "test_stop"]].values.tolist()
            for p in parts]


def restore(described: list[list[list]], solutions: pd.DataFrame) -> list[pd.DataFrame]:
    """Rebuild the frames of :func:`describe` from the solutions table."""
    sol = solutions[COLUMNS[:4]].astype(object).set_index(["problem_id", "solution_id"])
    parts = []
    for rows in described:
        frame = pd.DataFrame(rows, columns=["problem_id", "solution_id", "test_start", "test_stop"])
        extra = sol.loc[list(zip(frame["problem_id"], frame["solution_id"]))]
        frame.insert(2, "language", extra["language"].to_numpy())
        frame.insert(3, "code", extra["code"].to_numpy())
        parts.append(frame)
    return parts
