"""Shared fixtures: a real sandbox pool and a real LocalCluster, started once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
CANARY_DIR = Path("/tmp/daskjudge-canary")
CANARY_SECRET = "DJ-CANARY-7f3a91"

# Set before any cluster starts so that worker processes inherit it: a program that could
# read its supervisor's environment would find it.
os.environ["DJ_CANARY_SECRET"] = CANARY_SECRET


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def pool():
    """Two sandbox slots at the strongest isolation this host allows (full in CI)."""
    from pipeline.sandbox import SlotPool

    with SlotPool(2, isolation="full" if in_ci() else "auto") as p:
        yield p


@pytest.fixture(scope="session")
def client():
    """A real LocalCluster: one worker process with two threads, as the CLI starts it."""
    from distributed import Client

    from pipeline.cluster import local_cluster
    from pipeline.worker import SandboxPlugin

    with local_cluster(1, 2, dashboard=":0") as cluster, Client(cluster) as c:
        c.register_plugin(SandboxPlugin("full" if in_ci() else "auto"))
        yield c


@pytest.fixture(scope="session")
def canary():
    CANARY_DIR.mkdir(exist_ok=True)
    path = CANARY_DIR / "canary.txt"
    # Written only when it is not already right: a second test session on the same host
    # rewriting it would move its mtime under the first one's "unchanged" checks.
    if not path.exists() or path.read_text() != CANARY_SECRET + "\n":
        path.write_text(CANARY_SECRET + "\n")
    if path.stat().st_mode & 0o777 != 0o644:
        os.chmod(path, 0o644)
    return path


@pytest.fixture
def dashboard_port_taken():
    """Dask's default dashboard port (8787), held by a socket of the test's own, or by
    another process already: either way the command under test cannot have it."""
    import socket

    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("", 8787))
            s.listen()
        except OSError:
            pass                                    # someone else holds it
        yield 8787
