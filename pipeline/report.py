"""A self-contained HTML report of a finished run, and a comparison of two runs.

``daskjudge report DIR`` writes ``DIR/report.html``: pass-rate histograms, the verdict mix
per benchmark or source (per problem when the tables name none), the pass@k table, the
slowest tests, and failures grouped by message. It is drawn with Bokeh, its scripts inlined,
so the file opens anywhere, offline. In a notebook::

    from bokeh.io import output_notebook, show
    from pipeline import report

    output_notebook()
    show(report.build("runs/quickstart"))          # or a ScoreResult
    report.compare("runs/a", "runs/b")             # solutions whose verdict changed

Nothing here judges: it reads the tables a run wrote.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from judges import VERDICTS

VERDICT_COLORS = {"AC": "#2ca02c", "WA": "#d62728", "TLE": "#ff7f0e", "MLE": "#9467bd",
                  "OLE": "#8c564b", "RE": "#e377c2", "CE": "#7f7f7f", "SE": "#17202a",
                  "SKIP": "#c7c7c7"}
GROUP_COLUMNS = ("source", "benchmark", "data_source", "dataset")
"""Columns that name where a problem comes from; the first present groups the verdict mix."""
MAX_GROUPS = 40
TOP = 20


@dataclass
class Run:
    """The tables and summary of one finished run."""

    tests: pd.DataFrame
    solutions: pd.DataFrame
    problems: pd.DataFrame
    summary: dict
    name: str = "run"


def load(run: Any) -> Run:
    """A :class:`Run` from an output folder, a ``ScoreResult`` or a :class:`Run`.

    A folder without ``summary.json`` holds no finished run: :class:`FileNotFoundError`.
    """
    if isinstance(run, Run):
        return run
    if hasattr(run, "tests") and hasattr(run, "summary"):
        return Run(run.tests, run.solutions, run.problems, run.summary)
    folder = Path(run)
    if not (folder / "summary.json").is_file():
        raise FileNotFoundError(f"{folder}: no summary.json, so no finished run to report on")
    return Run(*(pd.read_parquet(folder / f"{t}.parquet")
                 for t in ("tests", "solutions", "problems")),
               json.loads((folder / "summary.json").read_text()), name=folder.name)


def group_column(run: Run) -> str:
    """The column the verdict mix is grouped by: a source/benchmark column, else problem_id.

    >>> r = Run(pd.DataFrame(), pd.DataFrame({"problem_id": ["p"]}),
    ...         pd.DataFrame({"problem_id": ["p"], "benchmark": ["x"]}), {})
    >>> group_column(r)
    'benchmark'
    """
    for c in GROUP_COLUMNS:
        if c in run.solutions.columns or c in run.problems.columns:
            return c
    return "problem_id"


def verdict_mix(run: Run) -> pd.DataFrame:
    """Solutions per verdict (columns) for each group (rows), worst pass rate first."""
    col = group_column(run)
    keep = ["problem_id", "verdict"] + ([col] if col in run.solutions and col != "problem_id"
                                        else [])
    sols = run.solutions[keep]
    sols = sols.astype({"problem_id": object, "verdict": object})
    if col not in sols.columns:
        side = run.problems[["problem_id", col]].astype({"problem_id": object})
        sols = sols.merge(side, on="problem_id", how="left")
    groups = sols[col].astype(object).where(sols[col].notna(), "(none)").astype(str)
    mix = pd.crosstab(groups, sols["verdict"].astype(str))
    mix = mix.reindex(columns=[v for v in VERDICTS if v in mix.columns])
    ac = mix["AC"] if "AC" in mix.columns else 0
    order = (ac / mix.sum(axis=1)).sort_values(kind="stable").index
    return mix.loc[order]


def failures_by_message(tests: pd.DataFrame) -> pd.DataFrame:
    """Failed tests grouped by verdict and the first line of their message, most first.

    >>> t = pd.DataFrame({"problem_id": ["p", "p", "q"], "solution_id": ["a", "b", "c"],
    ...                   "verdict": ["WA", "WA", "RE"],
    ...                   "message": ["line 1 differs", "line 3 differs", "ZeroDivisionError"]})
    >>> failures_by_message(t)[["verdict", "message", "tests", "solutions"]].values.tolist()
    [['WA', 'line N differs', 2, 2], ['RE', 'ZeroDivisionError', 1, 1]]
    """
    failed = tests[~tests["verdict"].astype(str).isin(["AC", "SKIP"])]
    if failed.empty:
        return pd.DataFrame(columns=["verdict", "message", "tests", "solutions", "example"])
    # Numbers are masked so that "cpu time 0.91 s" and "cpu time 0.93 s" make one group.
    first = (failed["message"].astype(object).fillna("").astype(str)
             .str.strip().str.split("\n").str[0].str.slice(0, 160)
             .str.replace(r"\d+(\.\d+)?", "N", regex=True))
    frame = pd.DataFrame({"verdict": failed["verdict"].astype(str).values,
                          "message": first.values,
                          "sol": (failed["problem_id"].astype(str) + "/"
                                  + failed["solution_id"].astype(str)).values})
    out = frame.groupby(["verdict", "message"], sort=False).agg(
        tests=("sol", "size"), solutions=("sol", "nunique"), example=("sol", "first"))
    return out.reset_index().sort_values("tests", ascending=False, kind="stable").reset_index(
        drop=True)


def compare(a: Any, b: Any) -> pd.DataFrame:
    """Solutions whose verdict differs between two runs, with each run's first failure.

    Columns: problem_id, solution_id, verdict_a, verdict_b, message_a, message_b (the message
    of the first non-AC test of that solution in each run, empty when it passed).
    """
    ra, rb = load(a), load(b)
    keys = ["problem_id", "solution_id"]

    def side(r: Run) -> pd.DataFrame:
        s = r.solutions[keys + ["verdict"]].astype(object)
        t = r.tests[keys + ["test_index", "verdict", "message"]].astype(
            {"problem_id": object, "solution_id": object, "verdict": object})
        bad = t[~t["verdict"].isin(["AC", "SKIP"])].sort_values(keys + ["test_index"])
        first = bad.drop_duplicates(keys)[keys + ["message"]]
        return s.merge(first, on=keys, how="left").fillna({"message": ""})

    both = side(ra).merge(side(rb), on=keys, how="outer", suffixes=("_a", "_b"))
    changed = both[both["verdict_a"].astype(str) != both["verdict_b"].astype(str)]
    return changed.sort_values(keys).reset_index(drop=True)


def build(run: Any):
    """The report as one Bokeh layout (``bokeh.io.show`` it in a notebook)."""
    from bokeh.layouts import column, row
    from bokeh.models import ColumnDataSource, DataTable, Div, NumberFormatter, TableColumn
    from bokeh.plotting import figure

    r = load(run)
    p, s, t = r.problems, r.solutions, r.tests

    def histogram(values: pd.Series, title: str, name: str, x_label: str):
        counts, edges = np.histogram(values.astype("float64").dropna(), bins=10,
                                     range=(0.0, 1.0))
        fig = figure(title=title, name=name, height=280, width=440, x_axis_label=x_label,
                     y_axis_label="count", tools="save", toolbar_location="right")
        fig.quad(top=counts.tolist(), bottom=0, left=edges[:-1].tolist(),
                 right=edges[1:].tolist(), fill_color="#4c72b0", line_color="white")
        fig.y_range.start = 0
        return fig

    def table(frame: pd.DataFrame, name: str, height: int = 300):
        frame = frame.reset_index(drop=True)
        cols = [TableColumn(field=c, title=c, formatter=NumberFormatter(format="0.000"))
                if pd.api.types.is_float_dtype(frame[c]) else TableColumn(field=c, title=c)
                for c in frame.columns]
        data = {c: [None if pd.isna(v) else (v.item() if hasattr(v, "item") else v)
                    for v in frame[c].astype(object)] for c in frame.columns}
        return DataTable(source=ColumnDataSource(data), columns=cols, name=name,
                         height=height, index_position=None, sizing_mode="stretch_width")

    summary = r.summary
    counts = summary.get("verdicts") or t["verdict"].astype(str).value_counts().to_dict()
    head = Div(sizing_mode="stretch_width", text=(
        f"<h1>daskjudge report: {html.escape(r.name)}</h1>"
        f"<p>{len(p)} problems, {len(s)} solutions, {len(t)} tests; "
        f"accepted {int(s['accepted'].fillna(False).astype(bool).sum())}; "
        f"isolation {html.escape(str(summary.get('isolation', '?')))}; "
        f"wall {summary.get('wall_time_s', '?')} s</p><p>"
        + " &middot; ".join(f"{v} {n}" for v, n in counts.items() if n) + "</p>"))

    mix = verdict_mix(r)
    shown = mix.head(MAX_GROUPS)
    col = group_column(r)
    groups = [str(g) for g in shown.index][::-1]          # worst at the top
    stack = list(shown.columns)
    mix_src = ColumnDataSource({"group": groups,
                                **{v: shown[v].tolist()[::-1] for v in stack}})
    mix_fig = figure(title=f"Verdict mix of solutions per {col}"
                     + (f" (the {MAX_GROUPS} lowest pass rates of {len(mix)})"
                        if len(mix) > MAX_GROUPS else ""),
                     name="verdict-mix", y_range=groups, height=max(260, 22 * len(groups) + 90),
                     sizing_mode="stretch_width", x_axis_label="solutions", tools="save,hover",
                     tooltips="$name: @$name")
    if stack:
        mix_fig.hbar_stack(stack, y="group", height=0.8, source=mix_src,
                           color=[VERDICT_COLORS[v] for v in stack], legend_label=stack)
        mix_fig.legend.orientation = "horizontal"
        mix_fig.legend.location = "top_right"
    mix_fig.x_range.start = 0

    passk = [c for c in p.columns if c.startswith("pass@")]
    mean = " &middot; ".join(f"mean {c} {p[c].astype('float64').mean():.3f}" for c in passk)
    passk_cols = [c for c in ["problem_id", "n_solutions", "n_accepted", "pass_rate"]
                  + passk if c in p.columns]

    slow_cols = [c for c in ["problem_id", "solution_id", "test_index", "verdict", "time_s",
                             "wall_s", "memory_mb"] if c in t.columns]
    slow = t.sort_values("wall_s", ascending=False, kind="stable").head(TOP)[slow_cols]

    fails = failures_by_message(t)
    top = fails.head(15)
    labels = [f"{v}: {m[:60] or '(no message)'}" for v, m in zip(top["verdict"], top["message"])]
    labels = [f"{i + 1}. {label}" for i, label in enumerate(labels)][::-1]
    fail_fig = figure(title="Failed tests by message (most frequent first)",
                      name="failures-by-message", y_range=labels or ["(no failures)"],
                      height=max(220, 24 * len(labels) + 80), sizing_mode="stretch_width",
                      x_axis_label="tests", tools="save")
    fail_fig.hbar(y=labels, right=top["tests"].tolist()[::-1], height=0.8,
                  color=[VERDICT_COLORS.get(v, "#333") for v in top["verdict"]][::-1])
    fail_fig.x_range.start = 0

    def section(title: str, text: str = "") -> Div:
        return Div(text=f"<h2>{html.escape(title)}</h2>{text}", sizing_mode="stretch_width")

    return column(
        head,
        row(histogram(p["pass_rate"], "Pass rate per problem", "pass-rate-histogram",
                      "accepted solutions / solutions"),
            histogram(s["pass_fraction"], "Tests passed per solution",
                      "pass-fraction-histogram", "passed tests / tests")),
        mix_fig,
        section("pass@k", f"<p>{mean}</p>"), table(p[passk_cols], "pass-at-k"),
        section("Slowest tests", "<p>wall time of one test, slowest first</p>"),
        table(slow, "slowest-tests", height=260),
        section("Failures by message"), fail_fig,
        table(fails, "failures-by-message-table", height=260),
        sizing_mode="stretch_width")


def write(run: Any, path: str | Path | None = None) -> Path:
    """Write the report as one HTML file (scripts inlined): ``DIR/report.html`` by default."""
    from bokeh.embed import file_html
    from bokeh.resources import INLINE

    r = load(run)
    if path is None:
        if not isinstance(run, (str, Path)):
            raise ValueError("give a path to write a report of an in-memory run")
        path = Path(run) / "report.html"
    path = Path(path)
    page = file_html(build(r), resources=INLINE, title=f"daskjudge report: {r.name}")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path
