"""A run's verdicts against the ``expected_verdict`` column of its solutions.

A solutions table may say which verdict each solution must get (the bundled sample does, so
a change that breaks judging shows at once). After a run the summary counts the solutions
that got theirs and lists the first that did not.
"""

from __future__ import annotations

FIRST = 10
"""Mismatches listed in the summary (they are all in solutions.parquet)."""


def check(solutions, first: int = FIRST) -> dict | None:
    """Compare ``verdict`` with ``expected_verdict`` (rows where it is null are not checked);
    None when the table has no such column.

    >>> import pandas as pd
    >>> s = pd.DataFrame({"problem_id": ["p", "p", "q"], "solution_id": ["a", "b", "c"],
    ...                   "verdict": ["AC", "WA", "AC"], "expected_verdict": ["AC", "AC", None]})
    >>> check(s)["checked"], check(s)["matched"]
    (2, 1)
    >>> check(s)["mismatches"]
    [{'problem_id': 'p', 'solution_id': 'b', 'expected': 'AC', 'got': 'WA'}]
    """
    if "expected_verdict" not in solutions.columns:
        return None
    rows = solutions[solutions["expected_verdict"].notna()]
    expected = rows["expected_verdict"].astype(str)
    got = rows["verdict"].astype(str)
    wrong = rows[expected != got]
    return {"checked": len(rows), "matched": int((expected == got).sum()),
            "mismatches": [{"problem_id": str(r.problem_id), "solution_id": str(r.solution_id),
                            "expected": str(r.expected_verdict), "got": str(r.verdict)}
                           for r in wrong.head(first).itertuples(index=False)]}
