"""Per-benchmark report lines: pass@k over problems, the verdict mix, pass@k per difficulty.

Benchmark pass@k is the mean over problems of the per-problem unbiased estimator (the Codex
paper's definition); problems with fewer judged samples than k have no pass@k and are left
out of that mean (the line says how many were counted).

>>> import pandas as pd
>>> problems = pd.DataFrame({"problem_id": ["a", "b"], "n_judged": [2, 2],
...                          "pass@1": [1.0, 0.5], "difficulty": ["easy", "hard"]})
>>> solutions = pd.DataFrame({"verdict": ["AC", "AC", "AC", "WA"]})
>>> print("\\n".join(report_lines("demo", problems, solutions, (1,))))
demo: pass@1 0.7500 (2 problems)
  verdicts: AC 3 (75.0%)  WA 1 (25.0%)
  difficulty easy: pass@1 1.0000 (1 problems)
  difficulty hard: pass@1 0.5000 (1 problems)
"""

from __future__ import annotations

import pandas as pd


def benchmark_pass_at_k(problems: pd.DataFrame, k: int) -> tuple[float, int]:
    """(mean pass@k over problems that have it, number of such problems)."""
    col = problems.get(f"pass@{k}")
    if col is None:
        return float("nan"), 0
    values = pd.to_numeric(col, errors="coerce").dropna()
    return (float(values.mean()) if len(values) else float("nan")), len(values)


def _pass_line(problems: pd.DataFrame, ks) -> str:
    parts, counted = [], set()
    for k in ks:
        value, n = benchmark_pass_at_k(problems, k)
        if n:
            parts.append(f"pass@{k} {value:.4f}")
            counted.add(n)
    if not parts:
        return "no problem has enough judged samples for pass@k"
    n = max(counted)
    return "  ".join(parts) + f" ({n} problems)"


def report_lines(name: str, problems: pd.DataFrame, solutions: pd.DataFrame, ks) -> list[str]:
    """Lines to print after a benchmark run (see the module example)."""
    lines = [f"{name}: {_pass_line(problems, ks)}"]
    verdicts = solutions["verdict"].astype(object).value_counts()
    total = int(verdicts.sum()) or 1
    lines.append("  verdicts: " + "  ".join(f"{v} {n} ({100 * n / total:.1f}%)"
                                            for v, n in verdicts.items()))
    if "difficulty" in problems.columns:
        levels = problems["difficulty"].astype(object)
        for level in sorted(levels.dropna().unique(), key=str):
            lines.append(f"  difficulty {level}: "
                         f"{_pass_line(problems[levels == level], ks)}")
    return lines
