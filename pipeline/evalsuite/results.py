"""Results of a model on a benchmark (``results.json``), and several of them side by side.

>>> rows = [{"model": "b", "benchmark": "humaneval", "samples": 6, "pass@k": {"1": 0.5}},
...         {"model": "a", "benchmark": "humaneval", "samples": 6, "pass@k": {"1": 0.25, "2": 0.4},
...          "truncated": 1, "no_code": 0}]
>>> print(markdown(rows))
| model | benchmark | samples | pass@1 | pass@2 | truncated | no code |
|---|---|---|---|---|---|---|
| a | humaneval | 6 | 0.2500 | 0.4000 | 1 | 0 |
| b | humaneval | 6 | 0.5000 | - | - | - |
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..datasets.report import benchmark_pass_at_k

FILE = "results.json"


def results(problems: pd.DataFrame, solutions: pd.DataFrame, completions: pd.DataFrame, *,
            ks, model: str, benchmark: str, extra: dict | None = None) -> dict:
    """The results of one (model, benchmark) run: pass@k over the problems that have k
    judged samples, the verdict mix, and what the samples were like."""
    sampled = problems[problems["problem_id"].isin(set(completions["problem_id"]))]
    passes, counted = {}, {}
    for k in ks:
        value, n = benchmark_pass_at_k(sampled, k)
        if n:
            passes[str(k)], counted[str(k)] = round(value, 6), n
    tokens = pd.to_numeric(completions["completion_tokens"], errors="coerce")
    per_problem = completions.groupby("problem_id").size()
    return {"model": model, "benchmark": benchmark, "problems": int(len(per_problem)),
            "samples": int(len(completions)),
            "samples_per_problem": int(per_problem.max()) if len(per_problem) else 0,
            "pass@k": passes, "problems_counted": counted,
            "verdicts": {str(v): int(n) for v, n in
                         solutions["verdict"].astype(object).value_counts().items()},
            "truncated": int(completions["truncated"].sum()),
            "no_code": int(completions["code"].isna().sum()),
            "reasoning_cut": int(completions["reasoning_cut"].sum()),
            "completion_tokens_mean": (round(float(tokens.mean()), 1)
                                       if tokens.notna().any() else None),
            "latency_s_mean": round(float(completions["latency_s"].mean()), 4),
            **(extra or {})}


def write(data: dict, folder: str | Path) -> Path:
    path = Path(folder) / FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str) + "\n")
    tmp.replace(path)
    return path


def collect(paths) -> list[dict]:
    """Every ``results.json`` in or under the given folders (or the files themselves)."""
    found: list[Path] = []
    for p in map(Path, paths):
        found += [p] if p.is_file() else sorted(p.rglob(FILE))
    return [dict(json.loads(f.read_text()), path=str(f.parent)) for f in found]


def markdown(rows: list[dict]) -> str:
    """A Markdown table: one line per (model, benchmark), a column per pass@k."""
    ks = sorted({int(k) for r in rows for k in r.get("pass@k", {})})
    head = ["model", "benchmark", "samples"] + [f"pass@{k}" for k in ks] + ["truncated", "no code"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in sorted(rows, key=lambda r: (r["benchmark"], r["model"])):
        cells = [r["model"], r["benchmark"], str(r.get("samples", "-"))]
        cells += [f"{r['pass@k'][str(k)]:.4f}" if str(k) in r.get("pass@k", {}) else "-"
                  for k in ks]
        cells += [str(r.get(c, "-")) for c in ("truncated", "no_code")]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
