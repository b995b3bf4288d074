"""The Verifier page on the Dask dashboard, and its JSON route.

A live view of a scoring run: rows done and remaining, tests per second, verdict counts over
time, the slowest problems and tests, recent failures with their messages, and the sandbox
slots of every worker. The numbers come from :class:`pipeline.events.VerifierStats`, which
adds up the one summary each scoring task logs; this module only draws them.

Where it appears:

- the embedded LocalCluster of ``daskjudge`` / ``pipeline.score`` loads this module as a
  scheduler preload: ``/individual-verifier`` ("Verifier" in the dashboard's "More..." menu);
- a scheduler you start yourself: ``dask scheduler --preload pipeline.dashboard``;
- any other scheduler that can import daskjudge: ``pipeline.score`` (or
  :func:`install`) adds the page and the route at run time.

``GET /daskjudge/status.json`` serves the same numbers for scripts (``?run=NAME`` for an
earlier run; ``runs`` lists the names kept).

The page and the route use the dashboard's internal extension points (the scheduler's
``applications`` table and ``BokehApplication``); distributed is pinned for that reason.
"""

from __future__ import annotations

import html
import logging
import weakref

from distributed.dashboard.components.scheduler import BOKEH_THEME, env
from tornado.ioloop import IOLoop
from distributed.dashboard.core import BokehApplication
from distributed.dashboard.scheduler import applications, template_variables
from distributed.http.utils import RequestHandler

from judges import VERDICTS

from .events import STATS_PLUGIN, VerifierStats
from .report import VERDICT_COLORS

log = logging.getLogger("daskjudge")

PAGE = "/individual-verifier"
ROUTE = "daskjudge/status.json"
REFRESH_MS = 500


class StatusJSON(RequestHandler):
    """``GET /daskjudge/status.json[?run=NAME]``: the live numbers of the latest run."""

    def get(self) -> None:
        plugin = self.server.plugins.get(STATS_PLUGIN)
        if plugin is None:
            self.set_status(404)
            self.write({"error": "no daskjudge statistics on this scheduler"})
            return
        self.write(plugin.snapshot(self.get_argument("run", None)))


# For ``distributed.scheduler.http.routes``; :func:`attach` adds the same route at run time.
routes = [(ROUTE, StatusJSON, {})]


def verifier_doc(scheduler, extra, doc) -> None:
    """Build the Verifier page for one browser session (a Bokeh document)."""
    from bokeh.layouts import column, row
    from bokeh.models import ColumnDataSource, DataTable, Div, NumberFormatter, TableColumn
    from bokeh.plotting import figure

    header = Div(name="verifier-header", sizing_mode="stretch_width")
    history = ColumnDataSource({"t": [], **{v: [] for v in VERDICTS}})
    timeline = figure(title="Verdicts over time (cumulative)", name="verdict-timeline", height=300,
                      sizing_mode="stretch_width", x_axis_label="seconds since start",
                      y_axis_label="tests", tools="pan,wheel_zoom,reset,save")
    for v in VERDICTS:
        timeline.line("t", v, source=history, color=VERDICT_COLORS[v], line_width=2,
                      legend_label=v)
    timeline.legend.location = "top_left"
    timeline.legend.click_policy = "hide"
    totals = ColumnDataSource({"verdict": list(VERDICTS), "count": [0] * len(VERDICTS),
                               "color": [VERDICT_COLORS[v] for v in VERDICTS]})
    bars = figure(title="Verdict counts", name="verdict-counts", x_range=list(VERDICTS),
                  height=300, width=420,
                  tools="", toolbar_location=None)
    bars.vbar(x="verdict", top="count", color="color", source=totals, width=0.8)
    bars.y_range.start = 0

    def table(title: str, columns: list[tuple[str, str]], height: int = 240):
        source = ColumnDataSource({c: [] for c, _ in columns})
        cols = [TableColumn(field=c, title=t, formatter=NumberFormatter(format="0.000"))
                if c.endswith("_s") else TableColumn(field=c, title=t) for c, t in columns]
        widget = DataTable(source=source, columns=cols, height=height, index_position=None,
                           sizing_mode="stretch_width")
        return source, column(Div(text=f"<b>{html.escape(title)}</b>"), widget,
                              sizing_mode="stretch_width")

    slow_src, slow_box = table("Slowest problems (wall time of their tests)", [
        ("problem_id", "problem"), ("tests", "tests"), ("wall_s", "wall s"),
        ("max_wall_s", "slowest test s")])
    tests_src, tests_box = table("Slowest tests", [
        ("problem_id", "problem"), ("solution_id", "solution"), ("test_index", "test"),
        ("verdict", "verdict"), ("wall_s", "wall s")])
    fail_src, fail_box = table("Recent failures", [
        ("problem_id", "problem"), ("solution_id", "solution"), ("test_index", "test"),
        ("verdict", "verdict"), ("message", "message")])
    slot_src, slot_box = table("Sandbox slots per worker", [
        ("worker", "worker"), ("connected", "connected"), ("level", "isolation"),
        ("slot", "slot"), ("alive", "alive"), ("restarts", "restarts"), ("tests", "tests")],
        height=160)
    seen = {"version": None}

    def update() -> None:
        plugin = scheduler.plugins.get(STATS_PLUGIN)
        if plugin is None:
            header.text = _header({"state": "no statistics: this scheduler has no "
                                             "daskjudge plugin"})
            return
        snap = plugin.snapshot()
        header.text = _header(snap)
        if seen["version"] == plugin.version:
            return
        seen["version"] = plugin.version
        hist = snap.get("history", [])
        history.data = {"t": [h["t"] for h in hist],
                        **{v: [h.get(v, 0) for h in hist] for v in VERDICTS}}
        counts = snap.get("verdicts", {})
        totals.data = {**totals.data, "count": [counts.get(v, 0) for v in VERDICTS]}
        for source, rows in ((slow_src, snap.get("slowest_problems", [])),
                             (tests_src, snap.get("slowest_tests", [])),
                             (fail_src, snap.get("recent_failures", [])),
                             (slot_src, _slot_rows(snap.get("workers", {})))):
            # Emptied first: BokehJS's DataTable redraws only when the row count changes.
            source.data = {c: [] for c in source.data}
            source.data = {c: [r.get(c) for r in rows] for c in source.data}

    update()
    doc.add_periodic_callback(update, REFRESH_MS)
    doc.title = "daskjudge: Verifier"
    doc.add_root(column(header, row(timeline, bars, sizing_mode="stretch_width"),
                        row(slow_box, tests_box, sizing_mode="stretch_width"), fail_box,
                        slot_box, sizing_mode="stretch_width"))
    doc.template = env.get_template("simple.html")
    doc.template_variables.update(extra)
    doc.theme = BOKEH_THEME


def _header(snap: dict) -> str:
    """The page's headline numbers as HTML.

    >>> print(_header({"run": "r", "state": "running", "rows_total": 10, "rows_done": 4,
    ...                "rows_remaining": 6, "tests_per_second": 2.0, "eta_s": 3.0,
    ...                "elapsed_s": 2.0, "verdicts": {"AC": 3, "WA": 1, "TLE": 0}}))
    <h2>daskjudge &middot; Verifier</h2><p>run <code>r</code>: running</p><p><b>rows done 4 / 10</b> &middot; remaining 6 &middot; 2.0 tests/s &middot; ETA 3 s &middot; elapsed 2.0 s</p><p>AC 3 &middot; WA 1</p>
    """
    out = "<h2>daskjudge &middot; Verifier</h2>"
    if not snap.get("run"):
        return out + f"<p>{html.escape(snap.get('state', 'idle'))}: waiting for a run</p>"
    out += (f"<p>run <code>{html.escape(str(snap['run']))}</code>: "
            f"{html.escape(snap['state'])}</p>")
    total = snap.get("rows_total")
    parts = [f"<b>rows done {snap['rows_done']} / {'?' if total is None else total}</b>"]
    if snap.get("rows_remaining") is not None:
        parts.append(f"remaining {snap['rows_remaining']}")
    if snap.get("tests_per_second"):
        parts.append(f"{snap['tests_per_second']} tests/s")
    if snap.get("eta_s") is not None and snap["state"] == "running":
        parts.append(f"ETA {snap['eta_s']:.0f} s")
    parts.append(f"elapsed {snap['elapsed_s']:.1f} s")
    counts = [f"{v} {n}" for v, n in snap.get("verdicts", {}).items() if n]
    return (out + "<p>" + " &middot; ".join(parts) + "</p><p>"
            + (" &middot; ".join(counts) or "no verdicts yet") + "</p>")


def _slot_rows(workers: dict) -> list[dict]:
    return [{"worker": address, "connected": str(info.get("connected", True)),
             "level": str(slot.get("level") or info.get("level")),
             "slot": slot.get("index"), "alive": str(slot.get("alive")),
             "restarts": slot.get("restarts"), "tests": slot.get("tests")}
            for address, info in sorted(workers.items()) for slot in info.get("slots", [])]


# Importing this module before a scheduler is built (as a preload) puts the page into the
# dashboard's own Bokeh application, which is what its "More..." menu and
# /individual-plots.json list.
applications.setdefault(PAGE, verifier_doc)

_attached: weakref.WeakSet = weakref.WeakSet()


def attach(dask_scheduler) -> None:
    """Give a running scheduler the statistics plugin, the JSON route and the page.

    Idempotent; used by the preload (``dask_setup``) and at run time by :func:`install`.
    """
    scheduler = dask_scheduler
    if STATS_PLUGIN not in scheduler.plugins:
        scheduler.add_plugin(VerifierStats())
    if scheduler in _attached:
        return
    _attached.add(scheduler)
    app = getattr(scheduler, "http_application", None)
    if app is None:
        return
    bokeh = [a for a in app.applications if hasattr(a, "app_paths")]
    prefix = "/" + bokeh[0].prefix.strip("/") + "/" if bokeh and bokeh[0].prefix else "/"
    prefix = prefix.replace("//", "/")
    app.add_handlers(r".*", [(prefix + ROUTE, StatusJSON, {"dask_server": scheduler})])
    if not bokeh or any(PAGE in a.app_paths for a in bokeh):
        return
    # A scheduler built before this module was imported: serve the page from a Bokeh
    # application of its own and add it to the menu that every dashboard page renders.
    variables = template_variables(scheduler)
    page = BokehApplication({PAGE: verifier_doc}, scheduler, prefix=prefix,
                            template_variables=variables)
    app.add_application(page)
    page.initialize(IOLoop.current())
    page.start()
    plots = variables["plots"]
    if not any(p["url"] == PAGE.strip("/") for p in plots):
        plots.append({"url": PAGE.strip("/"), "name": "Verifier"})
        plots.sort(key=lambda p: p["name"])


def dask_setup(scheduler) -> None:
    """Preload hook: ``dask scheduler --preload pipeline.dashboard``."""
    attach(scheduler)


def install(client) -> bool:
    """Add the Verifier page, its route and its statistics to ``client``'s scheduler.

    Returns False (and logs why) when the scheduler cannot import daskjudge; scoring goes on.
    """
    try:
        client.run_on_scheduler(attach)
        return True
    except Exception as exc:
        log.warning("daskjudge: no Verifier page on this scheduler (%s: %s)",
                    type(exc).__name__, exc)
        return False


def status(client, run: str | None = None) -> dict:
    """The numbers the page shows, fetched through the client (for notebooks and scripts)."""
    def snap(dask_scheduler, run=run):
        plugin = dask_scheduler.plugins.get(STATS_PLUGIN)
        return plugin.snapshot(run) if plugin is not None else {"run": None, "state": "idle"}

    return client.run_on_scheduler(snap)


def page_link(client) -> str | None:
    """The Verifier page's address, next to the client's dashboard link."""
    link = client.dashboard_link
    return link.rsplit("/", 1)[0] + PAGE if link else None
