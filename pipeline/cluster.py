"""Reach a Dask cluster and give every worker its sandbox slots.

A client is taken as given, or made from ``--scheduler`` (an address or a scheduler file)
or ``DASK_SCHEDULER_ADDRESS``; with none of those an embedded LocalCluster sized to the
machine is started and closed afterwards. Every worker gets the sandbox plugin
(:class:`pipeline.worker.SandboxPlugin`: one slot per core it owns) and the scheduler the
counters behind the Verifier page.
"""

from __future__ import annotations

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

from .config import Config
from .worker import SandboxPlugin

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
        address = config.cluster.scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")
        if address:
            if Path(address).is_file():
                client = Client(scheduler_file=address)
            else:
                client = Client(address)
        else:
            cores = os.cpu_count() or 1
            workers = config.cluster.workers or 1
            cluster = local_cluster(workers, max(1, cores // workers), config.cluster.dashboard)
            client = Client(cluster)
        owned = True
    else:
        owned = False
    try:
        c = config.cluster
        client.register_plugin(SandboxPlugin(c.isolation, c.slots, c.retries))
        # The Verifier page, its JSON route and the counters behind them, on whatever
        # scheduler this is (Bokeh is imported here, only once a cluster is wanted).
        from . import dashboard
        dashboard.install(client)
        yield client
    finally:
        if owned:
            client.close()
            if cluster is not None:
                cluster.close()
