"""``daskjudge serve``: an HTTP service that SandboxFusion and ScaleBox clients talk to as is.

Endpoints (JSON in, JSON out; shapes in :mod:`pipeline.serve_protocol`):

=========================  ==============================================================
``POST /run_code``         SandboxFusion: run one program on one stdin
``POST /common_evaluate_batch``  ScaleBox: one completion against all tests of a problem
``GET /v1/ping``           ``"pong"`` (no token needed: load balancers probe it)
=========================  ==============================================================

Every request becomes rows (a problem and a solution) like any other run. Requests that
arrive within ``serve_batch_ms`` of each other are cut together into partitions of equal
estimated cost (:mod:`pipeline.plan`, one per sandbox slot) and sent to the cluster as
plain tasks that run the pipeline's own stages (expand, execute) in a worker's sandbox
slots; a request is answered as soon as all of its tests are back. So 64 clients that call
at once share the slots instead of queueing one behind another, and a request pays no Dask
dataframe graph (for one ``run_code`` that would cost more than running it).

Limits answer with a JSON error ``{"error": ..., "detail": ...}``: 400 a request that cannot
be run (the detail names the field), 401 a missing or wrong bearer token (when the server
has one), 413 a body over ``serve_max_body_mb``, 429 more than ``serve_max_requests``
requests waiting or running. It listens on ``serve_host`` (127.0.0.1 unless told).

Example, in a script (the embedded cluster starts its workers with ``spawn``)::

    from pipeline.serve import Server

    if __name__ == "__main__":
        with Server(config={"serve_port": 8080}) as server:
            print(server.url)        # point verl's sandbox_fusion_url at url + "/run_code"
            server.wait()
"""

from __future__ import annotations

import asyncio
import hmac
import itertools
import json
import logging
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import pyarrow as pa
import tornado.httpserver
import tornado.netutil
import tornado.web

from . import cluster, events, execute, expand, io, plan, reduce, worker
from .config import Config
from .serve_protocol import (BadRequest, Job, dumps, evaluate_batch_job, evaluate_batch_answer,
                             run_code_answer, run_code_job)

log = logging.getLogger("daskjudge")

# Bodies over the limit are read and thrown away (so the client gets its 413 instead of a
# reset connection) up to this many times the limit; beyond it the connection is closed.
_DISCARD_FACTOR = 4


# ------------------------------------------------------------------------ results

def _records(frame: pd.DataFrame) -> list[dict]:
    return pa.Table.from_pandas(frame, preserve_index=False).to_pylist()


def _failed(job: Job, message: str) -> tuple[list[dict], dict]:
    """A job whose tests could not be run: SE rows, reduced by the same rule as any other."""
    rid = job.problem["problem_id"]
    tests = execute.unrun(rid, rid, job.n_tests, message)
    return _records(tests), _records(reduce.solutions_table(tests))[0]


# ------------------------------------------------------------------------ batching

class _Waiting:
    def __init__(self, job: Job, future: asyncio.Future):
        self.job, self.future = job, future


class Batcher:
    """Gathers the jobs of concurrent requests and sends them to the cluster together.

    A batch leaves ``serve.batch_ms`` after its first job, unless two partitions per
    sandbox slot are already out (one running, one queued behind it): then it waits for a
    partition to come back. So batches grow with the load, and each Dask task carries
    many requests (measured, 64 clients sending one-test ``run_code`` requests to 2 slots on
    a busy 2-core machine: 15 requests/s when every few requests made their own batch,
    33-44 with this wait).

    Each partition is a :func:`pipeline.worker.run_solutions` task: whole requests (a
    request's tests are never split over partitions, so the worker's reduction per solution
    is final), counted on the Verifier page under the server's run name. Lives on the
    server's event loop; tables are built and tasks submitted on one helper thread, and
    results fetched on a few others, so the loop only moves bytes.
    """

    def __init__(self, client, config: Config, slots: int, run: str):
        self.client, self.config, self.slots, self.run = client, config, max(1, slots), run
        self.loop: asyncio.AbstractEventLoop | None = None
        self.waiting: dict[str, _Waiting] = {}
        self.pending: list[_Waiting] = []
        self.timer: asyncio.TimerHandle | None = None
        self.ids = itertools.count()
        self.submitter = ThreadPoolExecutor(1, thread_name_prefix="daskjudge-serve-submit")
        self.fetchers = ThreadPoolExecutor(8, thread_name_prefix="daskjudge-serve-fetch")
        self.batches = 0
        self.out = 0                        # partitions submitted and not yet back
        self.lock = threading.Lock()

    def new_id(self) -> str:
        return f"r{next(self.ids)}"

    async def judge(self, job: Job) -> tuple[list[dict], dict]:
        """The job's judged tests (in test order) and its solution's row, once all are back."""
        self.loop = asyncio.get_running_loop()
        waiting = _Waiting(job, self.loop.create_future())
        self.waiting[job.problem["problem_id"]] = waiting
        self.pending.append(waiting)
        if self.timer is None:
            self.timer = self.loop.call_later(self.config.serve.batch_ms / 1000, self.flush)
        return await waiting.future

    def flush(self) -> None:
        self.timer = None
        with self.lock:
            busy = self.out >= 2 * self.slots
        if busy or not self.pending:
            return                           # the next partition back flushes
        batch, self.pending = self.pending, []
        self.batches += 1
        self.submitter.submit(self._submit, batch)

    def close(self) -> None:
        self.submitter.shutdown(wait=False, cancel_futures=True)
        self.fetchers.shutdown(wait=False, cancel_futures=True)

    # -- helper threads

    def _submit(self, batch: list[_Waiting]) -> None:
        # Early exit (ScaleBox without run_all_cases) is a setting of the task, so jobs with
        # and without it go in separate partitions.
        for early in (False, True):
            group = [w for w in batch if w.job.early_exit == early]
            if group:
                try:
                    self._submit_group(group, self.config.replace(early_exit=early))
                except Exception as exc:           # noqa: BLE001 - answer, never hang
                    log.exception("daskjudge serve: could not submit %d jobs", len(group))
                    results = {w.job.problem["problem_id"]: _failed(
                        w.job, f"daskjudge could not submit the test: {exc}") for w in group}
                    self.loop.call_soon_threadsafe(self._arrive, results)

    def _submit_group(self, group: list[_Waiting], cfg: Config) -> None:
        problems = expand.resolve(io.read_problems([w.job.problem for w in group]), cfg)
        pids = [w.job.problem["problem_id"] for w in group]
        sols = pd.DataFrame({"problem_id": pids, "solution_id": pids, "language": "python",
                             "code": [w.job.code for w in group]})
        n_tests = {w.job.problem["problem_id"]: w.job.n_tests for w in group}
        limits = dict(zip(pids, problems["time_limit_s"].astype("float64").tolist()))
        # One partition per slot: a partition's fixed cost (expanding and judging its rows
        # as tables: ~40 ms for five rows on a busy 2-core machine) is paid once per slot.
        parts = plan.plan(sols, n_tests, limits, self.slots, split=False)
        ids = problems["problem_id"].astype(object)
        for part in parts:
            need = problems[ids.isin(set(part["problem_id"]))].reset_index(drop=True)
            future = self.client.submit(worker.run_solutions, part, need, cfg, self.run,
                                        pure=False, resources={"sandbox": 1})
            with self.lock:
                self.out += 1
            jobs = {p: w.job for w in group for p in [w.job.problem["problem_id"]]
                    if p in set(part["problem_id"])}
            future.add_done_callback(
                lambda f, j=jobs: self.fetchers.submit(self._fetch, f, j))

    def _fetch(self, future, jobs: dict[str, Job]) -> None:
        try:
            tests, solutions = future.result()
            results: dict[str, tuple[list[dict], dict]] = {}
            rows = _records(tests)
            for sol in _records(solutions):
                results[sol["solution_id"]] = ([], sol)
            for row in rows:
                results[row["solution_id"]][0].append(row)
            for got in results.values():
                got[0].sort(key=lambda r: r["test_index"])
        except Exception as exc:                   # noqa: BLE001 - a worker lost, a task erred
            results = {rid: _failed(job, f"daskjudge could not run the test: "
                                         f"{type(exc).__name__}: {exc}")
                       for rid, job in jobs.items()}
        finally:
            future.release()
            with self.lock:
                self.out -= 1
        self.loop.call_soon_threadsafe(self._arrive, results)

    # -- back on the loop

    def _arrive(self, results: dict[str, tuple[list[dict], dict]]) -> None:
        if self.pending and self.timer is None:
            self.flush()
        for rid, result in results.items():
            w = self.waiting.pop(rid, None)
            if w is not None and not w.future.done():
                w.future.set_result(result)


# ------------------------------------------------------------------------ HTTP

class _Base(tornado.web.RequestHandler):
    def initialize(self, server: "Server") -> None:
        self.server = server

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", "application/json")

    def reply(self, status: int, body: Any) -> None:
        self.set_status(status)
        self.finish(dumps(body))

    def fail(self, status: int, error: str, detail: str) -> None:
        self.reply(status, {"error": error, "detail": detail})

    def write_error(self, status_code: int, **kwargs) -> None:
        self.finish(dumps({"error": self._reason.lower().replace(" ", "_"),
                           "detail": self._reason}))


class _NotFound(_Base):
    def prepare(self) -> None:
        self.fail(404, "not_found", f"no endpoint {self.request.path!r}; daskjudge serves "
                  f"POST /run_code, POST /common_evaluate_batch and GET /v1/ping")


class _Ping(_Base):
    def get(self) -> None:
        self.reply(200, "pong")


@tornado.web.stream_request_body
class _Endpoint(_Base):
    """A POST endpoint: token, size and load checked before the body is kept."""

    def initialize(self, server: "Server", make: Callable[[Any, str], Job],
                   answer: Callable[[Job, list[dict], dict], dict]) -> None:
        self.server, self.make, self.answer = server, make, answer
        self.chunks: list[bytes] = []
        self.size = 0
        self.refusal: tuple[int, str, str] | None = None
        self.counted = False

    def prepare(self) -> None:
        s = self.server
        limit = s.max_body
        self.request.connection.set_max_body_size(_DISCARD_FACTOR * limit)
        if not s.authorised(self.request.headers.get("Authorization")):
            self.set_header("WWW-Authenticate", 'Bearer realm="daskjudge"')
            self.refusal = (401, "unauthorized", "this server needs an 'Authorization: Bearer "
                            "<token>' header with its token")
            return
        length = self.request.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > limit:
            self.refusal = (413, "request_too_large", f"the body is {int(length)} bytes; the "
                            f"limit is {limit} (serve_max_body_mb)")
            return
        if s.active >= s.config.serve.max_requests:
            self.refusal = (429, "too_many_requests", f"{s.active} requests are waiting or "
                            f"running; the limit is {s.config.serve.max_requests} "
                            f"(serve_max_requests); retry later")
            return
        s.active += 1
        self.counted = True

    def data_received(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.refusal is None and self.size > self.server.max_body:
            self.refusal = (413, "request_too_large", f"the body is over the limit of "
                            f"{self.server.max_body} bytes (serve_max_body_mb)")
        if self.refusal is None:
            self.chunks.append(chunk)
        else:
            self.chunks = []

    async def post(self) -> None:
        if self.refusal is not None:
            self.fail(*self.refusal)
            return
        try:
            body = json.loads(b"".join(self.chunks))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            self.fail(400, "bad_json", f"the body is not JSON: {exc}")
            return
        batcher = self.server.batcher
        try:
            job = self.make(body, batcher.new_id())
        except BadRequest as exc:
            self.fail(400, "bad_request", str(exc))
            return
        tests, solution = await batcher.judge(job)
        self.reply(200, self.answer(job, tests, solution))

    def _release(self) -> None:
        if self.counted:
            self.counted = False
            self.server.active -= 1

    def on_finish(self) -> None:
        self._release()

    def on_connection_close(self) -> None:
        self._release()


# ------------------------------------------------------------------------ the server

class Server:
    """The service on a Dask cluster: ``start`` it (a thread of its own) and ``stop`` it.

    ``client`` is a ``distributed.Client`` (kept open by :meth:`stop`); without one the
    config's ``scheduler``, ``DASK_SCHEDULER_ADDRESS`` or an embedded LocalCluster is used,
    as :func:`pipeline.score` does. ``token``: when set, POST requests must carry
    ``Authorization: Bearer <token>``.
    """

    def __init__(self, client=None, config: Config | dict | str | Path | None = None, *,
                 token: str | None = None):
        self.config = Config.of(config)
        self.token = token
        self.max_body = int(self.config.serve.max_body_mb * (1 << 20))
        self.active = 0
        self._given = client
        self._stack: ExitStack | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopped = threading.Event()
        self.batcher: Batcher | None = None
        self.info: dict = {}
        self.run: str | None = None
        """The server's run name on the Verifier page (and its JSON route)."""
        self.host, self.port = self.config.serve.host, self.config.serve.port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def authorised(self, header: str | None) -> bool:
        if not self.token:
            return True
        scheme, _, given = (header or "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(),
                                                                  self.token.encode())

    def _app(self) -> tornado.web.Application:
        me = {"server": self}
        return tornado.web.Application([
            (r"/run_code", _Endpoint, me | {"make": run_code_job,
                                            "answer": lambda job, tests, _: run_code_answer(tests[0])}),
            (r"/common_evaluate_batch", _Endpoint, me | {
                "make": lambda body, pid: evaluate_batch_job(body, pid, self.config.extract),
                "answer": evaluate_batch_answer}),
            (r"/v1/ping", _Ping, me),
        ], default_handler_class=_NotFound, default_handler_args=me)

    def start(self, host: str | None = None, port: int | None = None) -> "Server":
        """Connect to the cluster, wait for its sandbox slots, and listen (``port=0``: any)."""
        self.host = host or self.config.serve.host
        self.port = self.config.serve.port if port is None else port
        self._stack = ExitStack()
        try:
            client = self._stack.enter_context(cluster.connect(self.config, self._given))
            self.info = client.run(worker.sandbox_info)
            slots = sum(len(i.get("slots", [])) for i in self.info.values())
            # The answers carry each run's whole stdout and stderr (within the caps).
            cfg = self.config.replace(keep_output=self.config.judge.output_limit_mb << 20)
            self.run = f"serve-{uuid.uuid4().hex[:12]}"
            self.batcher = Batcher(client, cfg, slots, self.run)
            self._stack.callback(self.batcher.close)
            # Traffic is one open-ended run on the Verifier page, ended when the server stops.
            events.run_started(client, self.run, rows=None, partitions=None, slots=self.info)
            started = time.monotonic()
            self._stack.callback(lambda: events.run_finished(
                client, self.run, round(time.monotonic() - started, 3)))
            sockets = tornado.netutil.bind_sockets(self.port, self.host)
        except BaseException:
            self._stack.close()
            raise
        self.port = sockets[0].getsockname()[1]
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(sockets, ready),
                                        name="daskjudge-serve", daemon=True)
        self._thread.start()
        ready.wait()
        return self

    def _serve(self, sockets, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop

        async def open_():
            http = tornado.httpserver.HTTPServer(self._app(), max_body_size=self.max_body)
            http.add_sockets(sockets)
            return http

        http = loop.run_until_complete(open_())
        ready.set()
        try:
            loop.run_forever()
        finally:
            http.stop()
            loop.run_until_complete(http.close_all_connections())
            loop.close()
            self._stopped.set()

    def wait(self) -> None:
        """Block until :meth:`stop` (from another thread or a signal handler)."""
        while not self._stopped.wait(0.5):
            pass

    def stop(self) -> None:
        """Stop listening; close the client and cluster if this server started them."""
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop = self._thread = None
        if self._stack is not None:
            self._stack.close()
            self._stack = None
        self._stopped.set()

    def __enter__(self) -> "Server":
        return self.start() if self._thread is None else self

    def __exit__(self, *exc) -> None:
        self.stop()


def token_from_env() -> str | None:
    """The bearer token in ``DASKJUDGE_TOKEN`` (keeps it out of the process list)."""
    return os.environ.get("DASKJUDGE_TOKEN") or None
