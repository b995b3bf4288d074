"""The Verifier page and its JSON route during a real run of the sample, in headless Chromium;
the page on separately started schedulers; the HTML report of that run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE, in_ci
from pipeline import Config, score
from pipeline import cluster as dj_cluster
from pipeline import report
from pipeline.cli import main as cli_main

ARTIFACTS = ROOT / "artifacts"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}

# Everything in the page's DOM, shadow roots included (Bokeh draws inside them).
DEEP_TEXT = """
function deep(n) {
  let s = "";
  if (n.shadowRoot) s += deep(n.shadowRoot);
  for (const c of n.childNodes) {
    if (c.nodeType === 3) s += c.textContent + " ";
    else if (c.nodeType === 11 || (c.nodeType === 1 && !["STYLE", "SCRIPT"].includes(c.tagName)))
      s += deep(c);
  }
  return s;
}
return deep(document.body).replace(/\\s+/g, " ");
"""

# The page's two figures as the browser holds them: title and plotted data.
FIGURES = """
const doc = Bokeh.documents[0];
const out = {};
for (const name of ["verdict-timeline", "verdict-counts"]) {
  const fig = doc.get_model_by_name(name);
  const data = fig.renderers[0].data_source.data;
  out[name] = {title: fig.title.text, data: Object.fromEntries(
      Object.entries(data).map(([k, v]) => [k, Array.from(v)]))};
}
return out;
"""


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.status, r.read()


def get_json(url: str) -> dict:
    return json.loads(get(url)[1])


def chromium(profile: Path):
    """Debian's headless Chromium and chromedriver; nothing is downloaded."""
    browser, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (browser and driver):
        # A page test that cannot run is a failure, never a skip.
        pytest.fail("chromium and chromium-driver must be installed (apt-get install chromium "
                    "chromium-driver; see .ci/run)")
    os.environ.setdefault("SE_OFFLINE", "true")      # never let Selenium fetch a driver
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    opts = Options()
    opts.binary_location = browser
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--window-size=1400,1700", f"--user-data-dir={profile}"):
        opts.add_argument(arg)
    browser = webdriver.Chrome(service=Service(driver), options=opts)
    # Generous: on a loaded 2-core machine the sandboxes and the browser share the cores.
    browser.set_script_timeout(300)
    browser.set_page_load_timeout(300)
    return browser


def wait_for(predicate, timeout: float = 180.0, every: float = 0.25):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, "timed out"
        time.sleep(every)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """Score the sample on the embedded cluster the CLI starts, while a browser shows the
    Verifier page and a script polls the JSON route."""
    tmp = tmp_path_factory.mktemp("live")
    cfg = Config.load(overrides={"dashboard": "127.0.0.1:0", "isolation":
                                 "full" if in_ci() else "auto", "partitions": 12})
    seen = {"texts": [], "json": [], "result": None, "error": None}
    with dj_cluster.connect(cfg) as c:
        base = c.dashboard_link.rsplit("/", 1)[0]
        seen["base"] = base
        seen["menu"] = get(base + "/status")[1].decode()
        seen["plots"] = get_json(base + "/individual-plots.json")
        driver = chromium(tmp / "profile")
        try:
            driver.get(base + "/individual-verifier")
            wait_for(lambda: "daskjudge · Verifier" in driver.execute_script(DEEP_TEXT))
            seen["title"] = driver.title
            seen["before"] = driver.execute_script(DEEP_TEXT)

            def run():
                try:
                    seen["result"] = score(SAMPLE / "problems.jsonl",
                                           SAMPLE / "solutions.jsonl", client=c, config=cfg,
                                           out=tmp / "run")
                except BaseException as exc:       # reported by the tests below
                    seen["error"] = exc

            worker = threading.Thread(target=run)
            worker.start()
            while worker.is_alive():
                seen["texts"].append(driver.execute_script(DEEP_TEXT))
                seen["json"].append(get_json(base + "/daskjudge/status.json"))
                time.sleep(0.5)
            worker.join()
            assert seen["error"] is None, seen["error"]
            total = seen["result"].summary["tests"]

            def finished():
                text = driver.execute_script(DEEP_TEXT)
                return text if f"rows done {total} / {total}" in text and "finished" in text \
                    else None

            seen["final_text"] = wait_for(finished)
            seen["figures"] = driver.execute_script(FIGURES)
            ARTIFACTS.mkdir(exist_ok=True)
            seen["screenshot"] = ARTIFACTS / "verifier-page.png"
            driver.save_screenshot(str(seen["screenshot"]))
            seen["final_json"] = get_json(base + "/daskjudge/status.json")
        finally:
            driver.quit()
    seen["out"] = tmp / "run"
    return seen


def test_json_route_agrees_with_the_final_summary(live):
    summary, snap = live["result"].summary, live["final_json"]
    assert snap["state"] == "finished"
    assert snap["rows_total"] == snap["rows_done"] == summary["tests"]
    assert snap["rows_remaining"] == 0
    assert snap["verdicts"] == summary["verdicts"]
    assert snap["partitions_done"] == snap["partitions_total"] == summary["partitions"]
    # The slowest problems are the ones with TLE solutions (1-2 s CPU limits).
    tle = set(live["result"].tests.query("verdict == 'TLE'")["problem_id"].astype(str))
    assert snap["slowest_problems"][0]["problem_id"] in tle
    failures = {(f["problem_id"], f["solution_id"], f["verdict"])
                for f in snap["recent_failures"]}
    t = live["result"].tests
    failed = set(zip(t["problem_id"].astype(str), t["solution_id"].astype(str),
                     t["verdict"].astype(str)))
    assert failures and failures <= failed
    assert all(f["message"] for f in snap["recent_failures"] if f["verdict"] == "WA")
    (health,) = snap["workers"].values()
    assert health["level"] == summary["isolation"]
    assert len(health["slots"]) == summary["slots"]
    assert all(s["alive"] for s in health["slots"])
    assert sum(s["tests"] for s in health["slots"]) >= summary["tests"]


def test_json_route_moves_during_the_run(live):
    done = [s["rows_done"] for s in live["json"] if s.get("run") == live["final_json"]["run"]]
    total = live["final_json"]["rows_total"]
    assert done == sorted(done), "rows done went backwards"
    assert any(0 < d < total for d in done), f"no snapshot caught the run midway: {done}"
    rates = [s["tests_per_second"] for s in live["json"] if s.get("tests_per_second")]
    assert rates and all(r > 0 for r in rates)


def test_the_page_shows_live_numbers_in_a_browser(live):
    assert live["title"] == "daskjudge: Verifier"
    assert "daskjudge · Verifier" in live["before"] and "waiting for a run" in live["before"]
    total = live["final_json"]["rows_total"]
    midway = [t for t in live["texts"] if "running" in t and "rows done" in t
              and f"rows done {total} / {total}" not in t]
    assert midway, "the browser never showed the run in progress"
    final = live["final_text"]
    for verdict, n in live["result"].summary["verdicts"].items():
        if n:
            assert f"{verdict} {n}" in final
    for heading in ("Slowest problems", "Slowest tests", "Recent failures",
                    "Sandbox slots per worker"):
        assert heading in final
    counts, timeline = live["figures"]["verdict-counts"], live["figures"]["verdict-timeline"]
    summary = live["result"].summary["verdicts"]
    assert counts["title"] == "Verdict counts"
    assert dict(zip(counts["data"]["verdict"], counts["data"]["count"])) == summary
    assert timeline["title"] == "Verdicts over time (cumulative)"
    assert len(timeline["data"]["t"]) > 2
    assert {v: timeline["data"][v][-1] for v in summary} == summary
    slowest = live["final_json"]["slowest_tests"][0]
    assert slowest["verdict"] == "TLE" and slowest["solution_id"] in final
    snap = live["final_json"]
    assert snap["slowest_problems"][0]["problem_id"] in final
    assert snap["recent_failures"][0]["solution_id"] in final
    assert live["result"].summary["isolation"] in final
    assert live["screenshot"].stat().st_size > 10_000


def test_the_page_is_in_the_dashboard_menu(live):
    assert 'href="individual-verifier"' in live["menu"]
    assert "/individual-verifier" in live["plots"].values()


def start_scheduler(tmp: Path, *extra: str) -> tuple[subprocess.Popen, str, str]:
    file = tmp / "scheduler.json"
    proc = subprocess.Popen(["dask", "scheduler", "--host", "127.0.0.1", "--port", "0",
                             "--dashboard-address", "127.0.0.1:0", "--scheduler-file",
                             str(file), *extra], env=ENV, cwd=tmp,
                            stdout=subprocess.DEVNULL, stderr=open(tmp / "scheduler.log", "w"))
    try:
        info = wait_for(lambda: file.exists() and json.loads(file.read_text() or "{}"))
        base = f"http://127.0.0.1:{info['services']['dashboard']}"
        wait_for(lambda: _up(base + "/health"))
    except BaseException:
        proc.kill()
        raise
    return proc, info["address"], base


def _up(url: str) -> bool:
    try:
        return get(url)[0] == 200
    except OSError:
        return False


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_preloaded_on_a_separately_started_scheduler(tmp_path):
    proc, _, base = start_scheduler(tmp_path, "--preload", "pipeline.dashboard")
    try:
        plots = get_json(base + "/individual-plots.json")
        assert "/individual-verifier" in plots.values()
        assert get_json(base + "/daskjudge/status.json")["state"] == "idle"
        status, page = get(base + "/individual-verifier")
        assert status == 200 and b"Bokeh.embed.embed_items" in page    # a Bokeh session
    finally:
        stop(proc)


def test_added_at_run_time_to_a_running_scheduler(tmp_path):
    from distributed import Client

    from pipeline import dashboard

    proc, address, base = start_scheduler(tmp_path)
    try:
        assert "individual-verifier" not in get(base + "/status")[1].decode()
        with Client(address, timeout=30) as c:
            assert dashboard.install(c) and dashboard.install(c)       # idempotent
            assert dashboard.status(c)["state"] == "idle"
        assert get_json(base + "/daskjudge/status.json")["state"] == "idle"
        assert 'href="individual-verifier"' in get(base + "/status")[1].decode()
        driver = chromium(tmp_path / "profile")
        try:
            driver.get(base + "/individual-verifier")
            text = wait_for(lambda: (lambda t: t if "waiting for a run" in t else None)(
                driver.execute_script(DEEP_TEXT)))
            assert "daskjudge · Verifier" in text and "Sandbox slots per worker" in text
        finally:
            driver.quit()
    finally:
        stop(proc)


class _Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.json, self.src, self._in = [], [], False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.src.append(a["src"])
        self._in = tag == "script" and a.get("type") == "application/json"

    def handle_data(self, data):
        if self._in and data.strip():
            self.json.append(json.loads(data))

    def handle_endtag(self, tag):
        self._in = False


def _models(node, out: dict) -> dict:
    """Every Bokeh model in a document's JSON that has a name, by name."""
    if isinstance(node, dict):
        name = (node.get("attributes") or {}).get("name")
        if node.get("type") == "object" and name:
            out[name] = node
        for v in node.values():
            _models(v, out)
    elif isinstance(node, list):
        for v in node:
            _models(v, out)
    return out


def test_report_of_the_run_has_its_plots(live, capsys):
    out = live["out"]
    assert cli_main(["report", str(out)]) == 0
    assert "report.html" in capsys.readouterr().out
    page = (out / "report.html").read_text()
    parsed = _Scripts()
    parsed.feed(page)
    assert parsed.src == [], "the report must not load scripts from elsewhere"
    assert "Bokeh" in page and len(page) > 500_000          # BokehJS itself is inlined
    (docs,) = parsed.json
    models = _models(docs, {})
    for name in ("pass-rate-histogram", "pass-fraction-histogram", "verdict-mix",
                 "pass-at-k", "slowest-tests", "failures-by-message",
                 "failures-by-message-table"):
        assert name in models, name
    r = live["result"]
    text = json.dumps(docs)
    # The histogram's bars count every problem; the pass@k table lists every problem.
    assert "Pass rate per problem" in text and "Verdict mix of solutions per problem_id" in text
    for pid in r.problems["problem_id"].astype(str):
        assert pid in text
    (tops,) = _column(models["pass-rate-histogram"], "top")
    assert sum(tops) == len(r.problems)
    (fractions,) = _column(models["pass-fraction-histogram"], "top")
    assert sum(fractions) == len(r.solutions)
    (pass1,) = _column(models["pass-at-k"], "pass@1")
    assert sum(pass1) == pytest.approx(r.problems["pass@1"].astype(float).sum())
    slowest = r.tests.sort_values("wall_s", ascending=False).iloc[0]
    assert str(slowest["solution_id"]) in json.dumps(models["slowest-tests"])
    top = report.failures_by_message(r.tests).iloc[0]
    assert top["message"][:40] in text


def _column(model: dict, column: str) -> list:
    """The values of ``column`` in the data sources inside a Bokeh model's JSON."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            data = (node.get("attributes") or {}).get("data")
            if isinstance(data, dict):
                found.extend(v for k, v in data.get("entries", []) if k == column)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(model)
    return found


def test_report_refuses_a_folder_without_a_finished_run(tmp_path, capsys):
    assert cli_main(["report", str(tmp_path)]) == 2
    assert "no summary.json" in capsys.readouterr().err
    assert not (tmp_path / "report.html").exists()


def _report(key: str, verdicts: dict, wall: float = 0.1) -> dict:
    n = sum(verdicts.values())
    return {"event": "partition", "run": "r", "key": key, "rows": n, "wall_s": wall,
            "verdicts": verdicts, "problems": {"p": [n, wall * n, wall]}, "worker": "w",
            "slowest": [{"problem_id": "p", "solution_id": key, "test_index": 0,
                         "verdict": "AC", "wall_s": wall}], "failures": [],
            "slots": {"level": "full", "slots": [{"index": 0, "alive": True, "tests": n}]}}


def test_stats_count_a_recomputed_partition_once_and_resumed_rows():
    from pipeline.events import VerifierStats

    plugin = VerifierStats()
    plugin.log_event("daskjudge", {"event": "start", "run": "r", "rows": 10, "partitions": 2,
                                   "resumed": {"AC": 3}})
    plugin.log_event("daskjudge", _report("k0", {"AC": 2, "WA": 1}))
    # The partition's worker died after reporting; Dask ran it again elsewhere.
    plugin.log_event("daskjudge", _report("k0", {"AC": 2, "WA": 1}))
    plugin.log_event("other-topic", _report("k9", {"AC": 100}))
    plugin.log_event("daskjudge", {"event": "partition", "run": "r"})       # malformed
    snap = plugin.snapshot()
    assert (snap["rows_done"], snap["rows_remaining"], snap["partitions_done"]) == (6, 4, 1)
    assert snap["verdicts"]["AC"] == 5 and snap["verdicts"]["WA"] == 1
    plugin.log_event("daskjudge", _report("k1", {"TLE": 4}, wall=2.0))
    plugin.log_event("daskjudge", {"event": "end", "run": "r", "wall_s": 3.0})
    snap = plugin.snapshot()
    assert snap["state"] == "finished" and snap["rows_done"] == snap["rows_total"] == 10
    assert snap["slowest_tests"][0]["solution_id"] == "k1"
    assert snap["workers"]["w"]["slots"][0]["tests"] == 4
    plugin.remove_worker(None, "w")
    assert plugin.snapshot()["workers"]["w"]["connected"] is False


def test_verdict_mix_is_grouped_by_source_when_the_problems_name_one():
    import pandas as pd

    sols = pd.DataFrame({"problem_id": ["a", "a", "b", "c"], "solution_id": ["1", "2", "1", "1"],
                         "verdict": ["AC", "WA", "TLE", "AC"]})
    probs = pd.DataFrame({"problem_id": ["a", "b", "c"], "source": ["codeforces", "apps", None]})
    mix = report.verdict_mix(report.Run(pd.DataFrame(), sols, probs, {}))
    assert mix.to_dict("index") == {"apps": {"AC": 0, "WA": 0, "TLE": 1},
                                    "codeforces": {"AC": 1, "WA": 1, "TLE": 0},
                                    "(none)": {"AC": 1, "WA": 0, "TLE": 0}}
    assert list(mix.index) == ["apps", "codeforces", "(none)"]          # worst first
