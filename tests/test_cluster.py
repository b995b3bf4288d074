"""Sandbox slots live and die with their worker."""

from __future__ import annotations

import os
import signal
import time

from conftest import in_ci


def runner_pids(dask_worker) -> dict:
    from pipeline.worker import PLUGIN_NAME

    pool = dask_worker.plugins[PLUGIN_NAME].pool
    return {"worker": os.getpid(), "runners": [s.runner_pid for s in pool.slots],
            "uids": [s.uid for s in pool.slots], "level": pool.level}


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_slots_follow_the_workers_cores_and_die_with_a_killed_worker():
    from distributed import Client, LocalCluster

    from pipeline.worker import SandboxPlugin

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=True,
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        client.register_plugin(SandboxPlugin("full" if in_ci() else "auto", slots=8))
        (before,) = client.run(runner_pids).values()
        assert len(before["runners"]) == 2                  # never more slots than cores
        assert all(alive(p) for p in before["runners"])
        os.kill(before["worker"], signal.SIGKILL)           # what an OOM kill looks like
        deadline = time.monotonic() + 30
        while any(alive(p) for p in before["runners"]) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(alive(p) for p in before["runners"]), "runners outlived their worker"
        # The nanny starts a new worker; the plugin gives it fresh slots.
        client.wait_for_workers(1, timeout=60)
        deadline = time.monotonic() + 60
        after = {}
        while time.monotonic() < deadline:
            try:
                (after,) = client.run(runner_pids).values()
                break
            except (KeyError, ValueError):
                time.sleep(0.5)
        assert after and after["worker"] != before["worker"]
        assert len(after["runners"]) == 2 and all(alive(p) for p in after["runners"])
