"""Reduce per-test rows to per-solution and per-problem results, with unbiased pass@k.

Scores (IOI): a test scores 1.0 for AC, the points its judge gave (a checker's or an
interactor's), else 0.0; SKIP counts 0.0 and SE leaves the solution's score unknown (null,
as ``accepted`` is). A problem's ``subtasks`` each score ``points × min`` over their tests,
and a solution's score is their sum, out of ``max_score`` = the sum of the points. A
problem without subtasks is one subtask holding every test, worth 1 point: its score is
the lowest test score, so 1.0 exactly when the solution is accepted, unless a judge gave
partial points. ``accepted`` and ``pass_fraction`` do not change with points: a partially
correct test is not passed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .io import SOLUTIONS_OUT, conform, empty

SOLUTION_META = empty(SOLUTIONS_OUT)


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k: ``1 - C(n-c, k) / C(n, k)``, computed as a stable product.

    ``n`` samples of which ``c`` are correct. NaN when ``n < k`` (undefined).

    >>> pass_at_k(2, 1, 1), pass_at_k(10, 0, 5), pass_at_k(5, 5, 5), pass_at_k(3, 1, 2)
    (0.5, 0.0, 1.0, 0.6666666666666666)
    """
    if n < k:
        return float("nan")
    if n - c < k:
        return 1.0
    return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


def solutions_table(tests: pd.DataFrame, languages: pd.DataFrame | None = None,
                    subtasks: dict[str, list] | None = None) -> pd.DataFrame:
    """Per-solution results from all of a solution's test rows: the one rule every face
    uses (``score``, ``serve``, ``reward``).

    ``accepted`` is null when any test is SE: the infrastructure failed, so the solution is
    neither passed nor failed. ``verdict`` is the first non-AC verdict by test index, and
    ``first_failure`` that test's index (null when every test is AC); ``time_s`` is the CPU
    seconds of all the solution's tests. ``score`` and ``max_score`` follow the module's
    rule, with ``subtasks`` the problems' (problem id → ``[{points, tests}]``; a problem not
    in it has none).

    >>> t = pd.DataFrame({"problem_id": "p", "solution_id": "s", "test_index": [1, 0, 2],
    ...                   "verdict": ["WA", "AC", "SKIP"], "time_s": [0.5, 0.25, 0.0]})
    >>> solutions_table(t)[["n_passed", "verdict", "first_failure", "accepted", "time_s"]].values.tolist()
    [[1, 'WA', 1, False, 0.75]]
    >>> t = t.assign(verdict=["AC", "AC", "WA"], score=[1.0, 1.0, 0.0])
    >>> solutions_table(t, subtasks={"p": [{"points": 30, "tests": [0, 1]},
    ...                                    {"points": 70, "tests": [1, 2]}]})[["score", "max_score"]].values.tolist()
    [[30.0, 100.0]]
    """
    if len(tests) == 0:
        return SOLUTION_META.copy()
    t = pd.DataFrame({"problem_id": tests["problem_id"].astype(object),
                      "solution_id": tests["solution_id"].astype(object),
                      "test_index": tests["test_index"].astype("int64"),
                      "verdict": tests["verdict"].astype(object),
                      "time_s": (tests["time_s"].astype("float64").fillna(0.0)
                                 if "time_s" in tests else 0.0),
                      "score": (tests["score"].astype("float64")
                                if "score" in tests else np.nan)})
    t = t.sort_values(["problem_id", "solution_id", "test_index"], kind="stable")
    t["ac"] = t["verdict"] == "AC"
    t["se"] = t["verdict"] == "SE"
    t["points"] = _test_points(t)
    g = t.groupby(["problem_id", "solution_id"], sort=False)
    out = g.agg(n_tests=("ac", "size"), n_passed=("ac", "sum"), any_se=("se", "any"),
                time_s=("time_s", "sum"), score=("points", "min"))
    out["max_score"] = 1.0
    _score_subtasks(t, out, subtasks or {})
    first_bad = t[~t["ac"]].groupby(["problem_id", "solution_id"], sort=False).first()
    out["verdict"] = first_bad["verdict"].reindex(out.index).fillna("AC")
    out["first_failure"] = first_bad["test_index"].reindex(out.index).astype("Int32")
    out["pass_fraction"] = out["n_passed"] / out["n_tests"]
    out["accepted"] = pd.array(out["n_passed"] == out["n_tests"], dtype="boolean")
    out.loc[out["any_se"], "accepted"] = pd.NA
    out.loc[out["any_se"], "score"] = np.nan
    out = out.reset_index()
    out["language"] = "python"
    if languages is not None:
        out = out.drop(columns="language").merge(languages, on=["problem_id", "solution_id"],
                                                 how="left")
    return conform(out, SOLUTIONS_OUT)


def _test_points(t: pd.DataFrame) -> pd.Series:
    """Each test's score for the reduction: its ``score`` (its verdict's own where a row has
    none), SKIP counted 0.0, SE unknown (NaN)."""
    points = t["score"].where(t["score"].notna(), t["ac"].astype("float64"))
    points = points.where(t["verdict"] != "SKIP", 0.0)
    return points.where(~t["se"], np.nan)


def _score_subtasks(t: pd.DataFrame, out: pd.DataFrame, subtasks: dict[str, list]) -> None:
    """IOI: a subtask scores ``points × min`` over its tests; a solution the sum."""
    scored = t[t["problem_id"].isin([pid for pid, parts in subtasks.items() if parts])]
    for pid, rows in scored.groupby("problem_id", sort=False):
        parts = subtasks[pid]
        grid = rows.pivot(index="solution_id", columns="test_index", values="points")
        total = pd.Series(0.0, index=grid.index)
        for part in parts:
            cols = grid.reindex(columns=list(part["tests"]))     # a missing test: unknown
            total = total + float(part["points"]) * cols.min(axis=1, skipna=False)
        keys = pd.MultiIndex.from_arrays([[pid] * len(total), total.index],
                                         names=["problem_id", "solution_id"])
        out.loc[keys, "score"] = total.to_numpy()
        out.loc[keys, "max_score"] = float(sum(part["points"] for part in parts))


def subtasks_of(problems: pd.DataFrame) -> dict[str, list]:
    """Problem id → its subtasks (plain lists), for the problems that have some.

    >>> subtasks_of(pd.DataFrame({"problem_id": ["a", "b"], "subtasks": [None, [
    ...     {"points": 5.0, "tests": [0]}]]}))
    {'b': [{'points': 5.0, 'tests': [0]}]}
    """
    if "subtasks" not in problems:
        return {}
    out = {}
    for pid, parts in zip(problems["problem_id"].astype(object), problems["subtasks"]):
        if parts is None or parts is pd.NA or isinstance(parts, float) or len(parts) == 0:
            continue
        out[str(pid)] = [{"points": float(p["points"]), "tests": [int(x) for x in p["tests"]]}
                         for p in list(parts)]
    return out


def problem_counts(solutions):
    """Group per-solution rows by problem; works on a pandas or a Dask dataframe."""
    s = solutions.assign(judged=~solutions["accepted"].isna(),
                         ok=solutions["accepted"].fillna(False).astype(bool),
                         frac=solutions["pass_fraction"].astype("float64"),
                         points=solutions["score"].astype("float64"),
                         most=solutions["max_score"].astype("float64"))
    return s.groupby("problem_id").agg(n_solutions=("ok", "size"), n_judged=("judged", "sum"),
                                       n_accepted=("ok", "sum"),
                                       mean_pass_fraction=("frac", "mean"),
                                       max_score=("most", "max"), mean_score=("points", "mean"))


def problems_table(counts: pd.DataFrame, problem_ids: list[str], k: tuple[int, ...],
                   subtasks: dict[str, list] | None = None) -> pd.DataFrame:
    """Per-problem results from :func:`problem_counts`; problems with no solution are kept.

    ``pass_rate`` and pass@k count judged solutions only (``accepted`` not null), and so
    does ``mean_score`` (out of ``max_score``, from ``subtasks`` where the problem has some).
    """
    g = counts.copy()
    g.index = g.index.astype(object)
    g = g.reindex(pd.Index(problem_ids, name="problem_id"))
    for col in ("n_solutions", "n_judged", "n_accepted"):
        g[col] = g[col].fillna(0).astype("int64")
    g["mean_pass_fraction"] = g["mean_pass_fraction"].astype("float64")
    most = {pid: float(sum(p["points"] for p in parts)) for pid, parts in (subtasks or {}).items()}
    g["max_score"] = [most.get(pid, 1.0) for pid in g.index]
    g["mean_score"] = (g["mean_score"].astype("float64") if "mean_score" in g
                       else np.nan)             # counts made without scores
    judged = g["n_judged"].to_numpy()
    g["pass_rate"] = np.where(judged > 0, g["n_accepted"].to_numpy() / np.maximum(judged, 1), np.nan)
    for kk in k:
        g[f"pass@{kk}"] = [pass_at_k(n, c, kk) for n, c in zip(g["n_judged"], g["n_accepted"])]
    return g.reset_index()
