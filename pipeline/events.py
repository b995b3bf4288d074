"""What a run tells the scheduler while it goes, and the counters that add it up.

Each scoring task sends one summary of its partition with Dask's own event log
(``Worker.log_event`` on the topic ``daskjudge``); the client sends a ``start`` event with
the number of rows to expect and an ``end`` event when the run is over. The
:class:`VerifierStats` scheduler plugin receives every event and keeps a :class:`RunStats`
per run: the numbers behind the dashboard page and its JSON route (``pipeline.dashboard``).

Nothing here judges: it counts verdicts that ``execute`` already decided.
"""

from __future__ import annotations

import heapq
import logging
import time
from collections import Counter, OrderedDict, deque

import pandas as pd
from distributed.diagnostics.plugin import SchedulerPlugin

from judges import VERDICTS

log = logging.getLogger("daskjudge")

TOPIC = "daskjudge"
STATS_PLUGIN = "daskjudge-stats"
TOP = 10          # slowest tests and problems kept per partition and per run
FAILURES = 25     # recent failures kept per run
MESSAGE_CHARS = 300
RUNS_KEPT = 20    # a long-lived scheduler forgets older runs
HISTORY = 2000    # points of the verdicts-over-time curve; thinned to half when full


def partition_report(tests: pd.DataFrame, wall_s: float, slots: dict | None = None) -> dict:
    """The summary one scoring task sends: counts, wall time, slowest tests, failures.

    Plain ints, floats and strings only (the event log is msgpack).

    >>> t = pd.DataFrame({"problem_id": ["p", "p"], "solution_id": ["a", "b"],
    ...                   "test_index": [0, 0], "verdict": ["AC", "WA"],
    ...                   "wall_s": [0.5, 0.25], "message": ["", "line 1 differs"]})
    >>> r = partition_report(t, 0.8)
    >>> r["rows"], r["verdicts"]
    (2, {'AC': 1, 'WA': 1})
    >>> r["problems"], r["failures"][0]["message"]
    ({'p': [2, 0.75, 0.5]}, 'line 1 differs')
    """
    # Plain lists and one pass: this runs once per partition on the worker, inside the task.
    def column(name: str) -> list:
        return tests[name].tolist() if name in tests.columns else [None] * len(tests)

    pids, sids, index = column("problem_id"), column("solution_id"), column("test_index")
    verdicts, messages = [str(v) for v in column("verdict")], column("message")
    walls = [0.0 if w is None or w != w else float(w) for w in column("wall_s")]
    problems: dict[str, list] = {}
    for p, w in zip(pids, walls):
        acc = problems.get(p) or problems.setdefault(p, [0, 0.0, 0.0])
        acc[0] += 1
        acc[1] += w
        acc[2] = max(acc[2], w)
    rows = range(len(walls))
    slow = heapq.nlargest(TOP, rows, key=walls.__getitem__)
    failed = [i for i in rows if verdicts[i] not in ("AC", "SKIP")][-TOP:]

    def row(i: int) -> dict:
        return {"problem_id": str(pids[i]), "solution_id": str(sids[i]),
                "test_index": int(index[i]), "verdict": verdicts[i],
                "wall_s": round(walls[i], 4)}

    return {
        "event": "partition",
        "rows": len(walls),
        "wall_s": round(float(wall_s), 4),
        "verdicts": dict(Counter(verdicts)),
        "problems": {str(p): [n, round(t, 4), round(m, 4)] for p, (n, t, m) in problems.items()},
        "slowest": [row(i) for i in slow],
        "failures": [{**row(i), "message": str(messages[i] or "")[:MESSAGE_CHARS]}
                     for i in failed],
        "slots": slots or {},
    }


def publish(tests: pd.DataFrame, wall_s: float, slots: dict | None = None,
            run: str | None = None) -> None:
    """Send this partition's summary from the worker running it; never fails the task.

    ``run`` names the run it counts towards (by default the task's key name, which is what
    a dataframe graph's partitions share).
    """
    try:
        from distributed import get_worker

        worker = get_worker()
        key = worker.get_current_task()
        msg = partition_report(tests, wall_s, slots)
        if run is None:
            run = str(key[0]) if isinstance(key, tuple) else str(key)
        msg.update(worker=worker.address, run=run, key=str(key))
        worker.log_event(TOPIC, msg)
    except Exception:                         # observability must not cost a verdict
        log.debug("could not publish a partition summary", exc_info=True)


class RunStats:
    """The live numbers of one run, added up from its partition summaries.

    A partition reported twice (recomputed after its worker died) replaces its first report.

    >>> s = RunStats("run-1", rows=4, partitions=2, now=100.0)
    >>> s.add({"key": "k0", "rows": 3, "wall_s": 1.0, "verdicts": {"AC": 2, "TLE": 1},
    ...        "problems": {"p": [3, 2.5, 2.0]}, "slowest": [], "failures": []}, now=102.0)
    >>> snap = s.snapshot(now=102.0)
    >>> snap["rows_done"], snap["rows_remaining"], snap["tests_per_second"]
    (3, 1, 1.5)
    >>> snap["verdicts"]["TLE"], snap["slowest_problems"][0]["problem_id"]
    (1, 'p')
    """

    def __init__(self, run: str, rows: int | None = None, partitions: int | None = None,
                 resumed: dict | None = None, now: float | None = None):
        self.run, self.rows, self.partitions = run, rows, partitions
        self.started = time.time() if now is None else now
        self.ended: float | None = None
        self.wall_s: float | None = None
        self.failed = False
        self.resumed = {str(k): int(v) for k, v in (resumed or {}).items()}
        self.reports: dict[str, dict] = {}
        self.verdicts: dict[str, int] = dict.fromkeys(VERDICTS, 0)
        for v, n in self.resumed.items():
            self.verdicts[v] = self.verdicts.get(v, 0) + n
        self.rows_done = sum(self.resumed.values())
        self.problems: dict[str, list] = {}
        self.slowest: list[tuple] = []
        self.failures: deque = deque(maxlen=FAILURES)
        self.history: list[dict] = [{"t": 0.0, "rows": self.rows_done, **self.verdicts}]

    def add(self, report: dict, now: float | None = None) -> None:
        now = time.time() if now is None else now
        key = report.get("key") or str(len(self.reports))
        old = self.reports.get(key)
        self.reports[key] = {k: report[k] for k in ("rows", "verdicts", "problems")}
        for sign, r in ((-1, old), (1, report)):
            if r is None:
                continue
            self.rows_done += sign * r["rows"]
            for v, n in r["verdicts"].items():
                self.verdicts[v] = self.verdicts.get(v, 0) + sign * n
            for p, (n, total, worst) in r["problems"].items():
                acc = self.problems.setdefault(p, [0, 0.0, 0.0])
                acc[0] += sign * n
                acc[1] += sign * total
                acc[2] = max(acc[2], worst)
        for t in report["slowest"]:
            item = (t["wall_s"], t["problem_id"], t["solution_id"], t["test_index"], t["verdict"])
            if item not in self.slowest:
                heapq.heappush(self.slowest, item)
                if len(self.slowest) > TOP:
                    heapq.heappop(self.slowest)
        for f in report["failures"]:
            self.failures.append({**f, "worker": report.get("worker", "")})
        self.history.append({"t": round(now - self.started, 3), "rows": self.rows_done,
                             **self.verdicts})
        if len(self.history) > HISTORY:
            self.history = self.history[:-1:2] + self.history[-1:]

    def finish(self, wall_s: float | None = None, failed: bool = False,
               now: float | None = None) -> None:
        self.ended = time.time() if now is None else now
        self.wall_s, self.failed = wall_s, failed

    def snapshot(self, now: float | None = None) -> dict:
        """Everything as plain JSON: what the page draws and the route serves."""
        now = time.time() if now is None else now
        elapsed = (self.ended or now) - self.started
        run_rows = self.rows_done - sum(self.resumed.values())
        rate = run_rows / elapsed if elapsed > 0 else None
        remaining = None if self.rows is None else max(self.rows - self.rows_done, 0)
        problems = sorted(self.problems.items(), key=lambda kv: -kv[1][1])[:TOP]
        return {
            "run": self.run,
            "state": ("running" if self.ended is None else
                      "failed" if self.failed else "finished"),
            "started": self.started,
            "elapsed_s": round(elapsed, 3),
            "wall_s": self.wall_s,
            "rows_total": self.rows,
            "rows_done": self.rows_done,
            "rows_remaining": remaining,
            "partitions_total": self.partitions,
            "partitions_done": len(self.reports),
            "tests_per_second": round(rate, 1) if rate else None,
            "eta_s": round(remaining / rate, 1) if rate and remaining is not None else None,
            "verdicts": dict(self.verdicts),
            "history": list(self.history),
            "slowest_problems": [{"problem_id": p, "tests": n, "wall_s": round(w, 3),
                                  "max_wall_s": round(m, 3)} for p, (n, w, m) in problems],
            "slowest_tests": [{"wall_s": w, "problem_id": p, "solution_id": s,
                               "test_index": i, "verdict": v}
                              for w, p, s, i, v in sorted(self.slowest, reverse=True)],
            "recent_failures": list(reversed(self.failures)),
        }


class VerifierStats(SchedulerPlugin):
    """Keeps a :class:`RunStats` per run from the ``daskjudge`` events, and slot health per
    worker. Register once per scheduler: ``client.register_plugin(VerifierStats())``."""

    name = STATS_PLUGIN
    idempotent = True

    def __init__(self):
        self.runs: OrderedDict[str, RunStats] = OrderedDict()
        self.workers: dict[str, dict] = {}
        self.version = 0           # bumped on every change; pages redraw only then

    def log_event(self, topic, msg) -> None:
        if topic != TOPIC or not isinstance(msg, dict):
            return
        try:
            self._receive(msg)
        except Exception:          # a malformed event must not disturb the scheduler
            log.warning("daskjudge: ignored a malformed %s event", TOPIC, exc_info=True)

    def _receive(self, msg: dict) -> None:
        kind, run = msg.get("event"), str(msg.get("run"))
        if kind == "start":
            self.runs[run] = RunStats(run, msg.get("rows"), msg.get("partitions"),
                                      msg.get("resumed"))
            for address, info in (msg.get("slots") or {}).items():
                self._slots(address, info)
        elif kind == "partition":
            if run not in self.runs:
                self.runs[run] = RunStats(run)
            self.runs[run].add(msg)
            self._slots(msg.get("worker", "?"), msg.get("slots"))
        elif kind == "end" and run in self.runs:
            self.runs[run].finish(msg.get("wall_s"), bool(msg.get("failed")))
        else:
            return
        self.runs.move_to_end(run)
        while len(self.runs) > RUNS_KEPT:
            self.runs.popitem(last=False)
        self.version += 1

    def _slots(self, address: str, info: dict | None) -> None:
        if info:
            self.workers[address] = {**info, "connected": True, "seen": time.time()}

    def remove_worker(self, scheduler, worker: str, **kwargs) -> None:
        if worker in self.workers:
            self.workers[worker]["connected"] = False
            self.version += 1

    def snapshot(self, run: str | None = None) -> dict:
        """The latest run (or ``run``) with the workers' slot health; ``{}`` before any run."""
        stats = self.runs.get(run) if run else next(reversed(self.runs.values()), None)
        out = stats.snapshot() if stats is not None else {"run": None, "state": "idle"}
        out["runs"] = list(self.runs)
        out["workers"] = self.workers
        return out


def run_started(client, run: str, *, rows: int | None, partitions: int | None,
                slots: dict | None = None, resumed: dict | None = None) -> None:
    """Client side: tell the scheduler a run of ``rows`` tests in ``partitions`` begins
    (``None``: open-ended, as a server's traffic or a trainer's steps are).

    ``run`` is the name the run's tasks report under (:func:`publish`). ``resumed`` counts
    the verdicts of partitions restored from a checkpoint.
    """
    _send(client, {"event": "start", "run": run,
                   "rows": None if rows is None else int(rows),
                   "partitions": None if partitions is None else int(partitions),
                   "slots": slots or {},
                   "resumed": {str(k): int(v) for k, v in (resumed or {}).items()}})


def run_finished(client, run: str, wall_s: float | None = None, failed: bool = False) -> None:
    """Client side: the run is over (``failed``: it raised before all partitions came back)."""
    _send(client, {"event": "end", "run": run, "wall_s": wall_s, "failed": failed})


def _send(client, msg: dict) -> None:
    try:
        client.log_event(TOPIC, msg)
    except Exception:
        log.debug("could not send a %s event", msg.get("event"), exc_info=True)
