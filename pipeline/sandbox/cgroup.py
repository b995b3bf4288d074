"""A memory + pids (+ cpu) cgroup per slot: the backstop behind the per-process rlimits.

RLIMIT_AS bounds one process; the slot's memory cgroup bounds all of them together and lets
an OOM kill (which arrives as a plain SIGKILL) be told apart from other deaths by its
``oom_kill`` counter. Hosts with cgroup v1 controllers (the project machine) and v2 hosts
are both handled; where neither is writable the slot runs without one and says so.

The cpu controller caps each slot at one core (:data:`CPU_CORES`): a program that forks
busy children up to its process limit would otherwise take every core of the host, and the
programs of the other slots, judged by CPU time, would reach their wall-clock backstop.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
GROUP = "daskjudge"
CPU_CORES = 1
_PERIOD_US = 100_000


class SlotCgroup:
    """Create, limit, observe and remove one slot's cgroup(s)."""

    def __init__(self, name: str):
        self.name = name
        self.paths: dict[str, Path] = {}
        self.version = 0
        self._memory = None
        self._events_fd: int | None = None
        v2 = ROOT / "cgroup.controllers"
        if v2.exists() and "memory" in v2.read_text().split():
            self.version = 2
            self.paths["unified"] = ROOT / GROUP / name
        elif (ROOT / "memory" / "memory.limit_in_bytes").exists():
            self.version = 1
            self.paths["memory"] = ROOT / "memory" / GROUP / name
            if (ROOT / "pids").is_dir():
                self.paths["pids"] = ROOT / "pids" / GROUP / name
            if (ROOT / "cpu" / "cpu.cfs_quota_us").exists():
                self.paths["cpu"] = ROOT / "cpu" / GROUP / name

    def create(self, pids_max: int) -> bool:
        """Make the groups; ``False`` (and no cgroup) when this host does not allow it."""
        if not self.version:
            return False
        try:
            if self.version == 2:
                parent = ROOT / GROUP
                parent.mkdir(exist_ok=True)
                ctl = parent / "cgroup.subtree_control"
                if "memory" not in ctl.read_text():
                    ctl.write_text("+memory +pids")
            for controller, p in self.paths.items():
                if controller != "cpu":
                    p.mkdir(parents=True, exist_ok=True)
            self._write("pids", "pids.max", str(pids_max))
        except OSError:
            self.remove()
            self.version = 0
            return False
        try:
            self._cap_cpu()
        except OSError:
            self.paths.pop("cpu", None)     # memory and pids are what the verdicts need
        return True

    def _cap_cpu(self) -> None:
        quota = CPU_CORES * _PERIOD_US
        if self.version == 2:
            ctl = ROOT / GROUP / "cgroup.subtree_control"
            if "cpu" not in ctl.read_text().split():
                ctl.write_text("+cpu")
            self._write("cpu", "cpu.max", f"{quota} {_PERIOD_US}")
        elif "cpu" in self.paths:
            self.paths["cpu"].mkdir(parents=True, exist_ok=True)
            self._write("cpu", "cpu.cfs_period_us", str(_PERIOD_US))
            self._write("cpu", "cpu.cfs_quota_us", str(quota))

    def _write(self, controller: str, name: str, value: str) -> None:
        base = self.paths.get("unified") or self.paths.get(controller)
        if base is not None:
            (base / name).write_text(value)

    def add(self, pid: int) -> None:
        for p in self.paths.values():
            (p / "cgroup.procs").write_text(str(pid))

    def set_memory(self, limit_bytes: int) -> None:
        if limit_bytes == self._memory or not self.version:
            return
        if self.version == 2:
            self._write("memory", "memory.max", str(limit_bytes))
        else:
            self._write("memory", "memory.limit_in_bytes", str(limit_bytes))
        self._memory = limit_bytes

    def oom_kills(self) -> int:
        """How many processes the kernel has OOM-killed in this slot so far."""
        if not self.version:
            return 0
        try:
            if self._events_fd is None:
                base = self.paths.get("unified") or self.paths["memory"]
                fname = "memory.events" if self.version == 2 else "memory.oom_control"
                self._events_fd = os.open(base / fname, os.O_RDONLY)
            # One pread on a kept descriptor: ~10 us, where open + read + close cost ~100.
            for line in os.pread(self._events_fd, 4096, 0).decode().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        except OSError:
            pass
        return 0

    def remove(self) -> None:
        if self._events_fd is not None:
            os.close(self._events_fd)
            self._events_fd = None
        for p in self.paths.values():
            try:
                os.rmdir(p)
            except OSError:
                pass
