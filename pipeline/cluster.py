"""Reach a Dask cluster and give every worker its sandbox slots.

A client is taken as given, or made from ``--scheduler`` (an address or a scheduler file)
or ``DASK_SCHEDULER_ADDRESS``; with none of those an embedded LocalCluster sized to the
machine is started and closed afterwards. The :class:`SandboxPlugin` starts one slot per
core a worker owns, on every worker, including workers that join later.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import dask.config
from distributed import Client, LocalCluster
from distributed.diagnostics.plugin import WorkerPlugin

from .config import Config
from .execute import PLUGIN_NAME
from .sandbox import SlotPool

log = logging.getLogger("daskjudge")

# A worker here only waits on its sandboxes, yet an idle two-worker LocalCluster used 20 %
# of a core (3.0 s of CPU in 15 s, measured on a two-core machine): the workers' 10 ms stack
# profiler, every server's 20 ms event-loop tick and the 0.5 s system monitor. That is CPU
# taken from the sandboxes; with these settings the same cluster used 0.8 s in 15 s. The
# dashboard loses its Profile page and its system plots refresh every 5 s.
QUIET_WORKERS = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
}


class SandboxPlugin(WorkerPlugin):
    """Starts the worker's sandbox slots in ``setup`` and stops them in ``teardown``.

    Slots never exceed the worker's threads (the cores it was given): more CPU-bound
    sandboxes than cores turn CPU limits into false TLEs.
    """

    name = PLUGIN_NAME
    idempotent = True

    def __init__(self, isolation: str = "auto", slots: int | None = None, retries: int = 2):
        self.isolation, self.slots, self.retries = isolation, slots, retries
        self.pool: SlotPool | None = None

    async def setup(self, worker) -> None:
        n = min(self.slots or worker.state.nthreads, worker.state.nthreads)
        pool = SlotPool(n, isolation=self.isolation, retries=self.retries)
        self.pool = await asyncio.to_thread(pool.start)   # keep the worker's heartbeats going
        # Sandbox tasks ask for this resource, so a worker whose slots did not start (or
        # that never had the plugin) is never given one; a worker joining mid-run gets
        # work as soon as its slots are up.
        await worker.set_resources(sandbox=n)
        log.info("daskjudge sandbox on %s: %d slot(s), isolation %s", worker.address, n,
                 self.pool.level)

    def teardown(self, worker) -> None:
        if self.pool is not None:
            self.pool.close()


def sandbox_info(dask_worker) -> dict:
    """Run on a worker: its slots' health (for summaries and the dashboard)."""
    plugin = dask_worker.plugins.get(PLUGIN_NAME)
    return plugin.pool.info() if plugin is not None and plugin.pool else {"level": None}


def _register_stats(client: Client) -> None:
    """Give the scheduler the counters behind the dashboard page (idempotent)."""
    from .events import VerifierStats

    try:
        client.register_plugin(VerifierStats())
    except Exception as exc:      # e.g. a scheduler that cannot import daskjudge
        log.warning("daskjudge: no live statistics on this scheduler (%s: %s)",
                    type(exc).__name__, exc)


def local_cluster(workers: int, threads: int, dashboard: str = ":8787") -> LocalCluster:
    """The embedded cluster: ``workers`` processes of ``threads`` cores each, with the
    quiet settings of :data:`QUIET_WORKERS` and the Verifier page on the dashboard.

    >>> with local_cluster(1, 1, dashboard=":0") as cluster, Client(cluster) as client:
    ...     list(client.run(dask.config.get, "distributed.worker.profile.enabled").values())
    [False]
    """
    with dask.config.set(QUIET_WORKERS), _quiet_start():   # nannies hand the config on
        # The preload lists the Verifier page in the dashboard's menu (pipeline.dashboard).
        return LocalCluster(n_workers=workers, threads_per_worker=threads, processes=True,
                            dashboard_address=dashboard,
                            scheduler_kwargs={"preload": ["pipeline.dashboard"]})


@contextmanager
def _quiet_start() -> Iterator[None]:
    """Start the embedded cluster without Dask's noise.

    When the dashboard's port is taken, Dask serves it on another and warns; the link
    printed (``client.dashboard_link``) names the port used, so the warning only adds
    noise. The worker processes inherit an ignored SIGINT (Python leaves it ignored): a
    terminal's Ctrl-C reaches the whole process group, and workers interrupted mid-task
    print Dask's warnings, when it is the client that stops the run and closes them.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Port .* is already in use",
                                category=UserWarning)
        if threading.current_thread() is not threading.main_thread():
            yield                       # signal handlers can only be set in the main thread
            return
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)


@contextmanager
def connect(config: Config, client: Client | None = None) -> Iterator[Client]:
    """Yield a client whose workers have sandbox slots; close what this call started."""
    cluster = None
    if client is None:
        address = config.scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")
        if address:
            if Path(address).is_file():
                client = Client(scheduler_file=address)
            else:
                client = Client(address)
        else:
            cores = os.cpu_count() or 1
            workers = config.workers or 1
            cluster = local_cluster(workers, max(1, cores // workers), config.dashboard)
            client = Client(cluster)
        owned = True
    else:
        owned = False
    try:
        client.register_plugin(SandboxPlugin(config.isolation, config.slots, config.retries))
        _register_stats(client)
        yield client
    finally:
        if owned:
            client.close()
            if cluster is not None:
                cluster.close()
