"""Compile once per distinct source, in the sandbox, and keep the builds.

A build is keyed by the SHA-256 of the language, its toolchain's version text, the compile
commands and the source files. It is compiled by the first test that needs it (in the
slot that runs that test, under the language's compile limits: its own, not the test's),
then kept in this process (bounded, least recently used first) and on disk, so later tests
on any slot of this worker, and later runs on this machine, skip the compiler. Both the
build and a compile error are kept; a compile that failed for the sandbox's own reasons is
not. A cached build is only ever run inside the sandbox, like the freshly compiled one; the
disk cache is private to the user (0700) and its key changes with the toolchain.

The compile itself is a short Python script run in the sandbox's ``script`` mode: it runs
the commands in scratch, where the sources were placed, and writes the kept files to its
stdout (a JSON list of names and sizes, a newline, then their bytes).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .languages import MAX_BUILD, Language, Source
from .records import RecordKind
from .values import Limits, Outcome, Program, Status

MESSAGE_CAP = 4000
"""Characters of the compiler's output kept in a CE message (its start: the first errors)."""
DISK_BUDGET = 2 << 30
"""Bytes the disk cache of builds may hold on this machine before its oldest are removed."""

_SCRIPT = """import glob, json, os, subprocess, sys
spec = json.loads(sys.argv[1])
with open("sources", "w") as f:
    f.write("\\n".join(spec["sources"]) + "\\n")
env = dict(os.environ, **{k: v.replace("{scratch}", os.getcwd()) for k, v in spec["env"].items()})
for cmd in spec["commands"]:
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, env=env)
    if r.returncode:
        sys.stderr.buffer.write(r.stdout[:64000] or b"exit code %d" % r.returncode)
        sys.exit(1)
names = sorted({n for pat in spec["keep"] for n in glob.glob(pat)})
if not names:
    sys.stderr.write("the compiler wrote none of " + ", ".join(spec["keep"]))
    sys.exit(1)
out = sys.stdout.buffer
out.write(json.dumps([[n, os.path.getsize(n)] for n in names]).encode() + b"\\n")
for n in names:
    with open(n, "rb") as f:
        out.write(f.read())
"""


@dataclass
class Build:
    """A compiled source: its files, or the compile error."""

    key: str
    files: dict[str, bytes] = field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0
    """CPU seconds the compile took (0 when it came from a cache)."""

    @property
    def size(self) -> int:
        return sum(map(len, self.files.values())) + len(self.error or "")


def key(language: Language, source: Source, commands) -> str:
    """The cache key of a build (content hash).

    >>> from pipeline.sandbox.languages import get
    >>> cpp = get("cpp")
    >>> a = key(cpp, cpp.source("int main(){}", "stdio", ""), cpp.compile_commands(None))
    >>> b = key(cpp, cpp.source("int main(){ }", "stdio", ""), cpp.compile_commands(None))
    >>> len(a), a == b
    (64, False)
    """
    h = hashlib.sha256()
    for part in (language.name, language.version, json.dumps(commands),
                 json.dumps(language.compile_env, sort_keys=True),
                 json.dumps(sorted(source.files.items()))):
        h.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return h.hexdigest()


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "daskjudge" / "builds"


class Builds:
    """This process's builds: memory first, then disk, then the compiler."""

    def __init__(self, cache_dir: Path | None | bool = True, budget_bytes: int = 512 << 20,
                 disk_bytes: int = DISK_BUDGET):
        self.cache_dir = default_cache_dir() if cache_dir is True else cache_dir or None
        self.budget = budget_bytes
        self.disk_budget = disk_bytes
        self._disk: int | None = None           # bytes on disk, counted once, then added to
        self._mem: OrderedDict[str, Build] = OrderedDict()
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self.stats: dict[str, dict[str, int]] = {}
        """Per key: ``compiled``, ``disk`` (read from disk), ``memory`` (hits in memory)."""

    def get(self, language: Language, source: Source, pch: str | None,
            run: Callable[[Program, Limits], Outcome]) -> Build:
        """The build of ``source``; ``run`` runs the compile script in the sandbox.

        Raises :class:`CompileUnavailable` when the sandbox failed during the compile.
        """
        commands = source.compile or language.compile_commands(pch)
        k = key(language, source, commands)
        with self._guard:
            lock = self._locks.setdefault(k, threading.Lock())
        with lock:                                   # one compile per key, others wait
            stats = self.stats.setdefault(k, {"compiled": 0, "disk": 0, "memory": 0})
            with self._guard:
                build = self._mem.get(k)
                if build is not None:
                    self._mem.move_to_end(k)
                    stats["memory"] += 1
                    return build
            build = self._load(k)
            if build is not None:
                stats["disk"] += 1
            else:
                build = self._compile(k, language, source, commands, run)
                stats["compiled"] += 1
                self._store(build)
            with self._guard:
                self._mem[k] = build
                while sum(b.size for b in self._mem.values()) > self.budget and len(self._mem) > 1:
                    self._mem.popitem(last=False)
            return build

    def _compile(self, k, language, source, commands, run) -> Build:
        spec = {"commands": commands, "keep": language.keep, "sources": sorted(source.files),
                "env": language.compile_env}
        program = Program(_SCRIPT, mode="script", argv=(json.dumps(spec),),
                          files={n: t.encode("utf-8", "surrogateescape")
                                 for n, t in source.files.items()})
        limits = language.compile_limits()
        o = run(program, limits)
        if o.status is Status.SANDBOX_ERROR:
            raise CompileUnavailable(o.message)
        completed = (o.status is Status.EXITED and o.exit_code == 0 and o.record is not None
                     and o.record.kind is RecordKind.COMPLETED)
        if completed:
            try:
                build = Build(k, unpack(o.stdout), seconds=o.cpu_s)
            except ValueError as exc:
                raise CompileUnavailable(f"garbled build: {exc}") from None
            if build.size <= MAX_BUILD:
                return build
        if completed or o.status is Status.OUTPUT_LIMIT:
            why = f"the build is over {MAX_BUILD >> 20} MiB"
        elif o.status is Status.WALL_TIMEOUT or o.cpu_s > limits.cpu_s:
            why = f"compilation over its time limit ({limits.cpu_s:g} s of CPU)"
        elif o.oom_killed:
            why = "compilation out of memory"
        else:
            why = o.stderr.decode("utf-8", "replace").strip() or \
                f"compiler ended with {o.status.value}, exit code {o.exit_code}, signal {o.signal}"
        if len(why) > MESSAGE_CAP:
            why = why[:MESSAGE_CAP] + "…"          # the first errors are the ones to read
        return Build(k, error=why, seconds=o.cpu_s)

    # ------------------------------------------------------------------ disk
    def _path(self, k: str) -> Path | None:
        return self.cache_dir / k[:2] / k if self.cache_dir else None

    def _load(self, k: str) -> Build | None:
        path = self._path(k)
        if path is None:
            return None
        try:
            data = path.read_bytes()
        except OSError:
            return None
        try:
            if data.startswith(b"CE\n"):
                return Build(k, error=data[3:].decode("utf-8", "replace"))
            return Build(k, unpack(data[3:]))
        except ValueError:
            return None

    def _store(self, build: Build) -> None:
        path = self._path(build.key)
        if path is None:
            return
        data = (b"CE\n" + build.error.encode("utf-8", "replace") if build.error
                else b"OK\n" + pack(build.files))
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.chmod(self.cache_dir, 0o700)
            path.parent.mkdir(exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=path.parent)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)                    # a reader never sees half a build
        except OSError:
            return                                    # a cache that cannot be written is no cache
        with self._guard:
            self._disk = (self._disk if self._disk is not None else 0) + len(data)
            if self._disk > self.disk_budget:
                self._disk = self._evict()

    def _evict(self) -> int:
        """Remove the least recently written builds until the disk cache holds 3/4 of its
        budget; its size now. Every distinct source is kept, and solutions each with a
        64 MiB array would otherwise fill the host's disk, a run's outputs included."""
        entries = []
        for path in self.cache_dir.glob("*/*"):
            try:
                st = path.stat()
            except OSError:
                continue
            entries.append((st.st_mtime, st.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries, key=lambda e: e[0]):
            if total <= self.disk_budget * 3 // 4:
                break
            try:
                path.unlink()
                total -= size
            except OSError:
                pass
        return total


class CompileUnavailable(RuntimeError):
    """The sandbox failed while compiling (not the source): retried, then SE."""


def pack(files: dict[str, bytes]) -> bytes:
    """The compile script's format.

    >>> unpack(pack({"a": b"xy", "b": b""}))
    {'a': b'xy', 'b': b''}
    """
    head = json.dumps([[n, len(b)] for n, b in files.items()]).encode() + b"\n"
    return head + b"".join(files.values())


def unpack(data: bytes) -> dict[str, bytes]:
    head, _, body = data.partition(b"\n")
    files, at = {}, 0
    for name, size in json.loads(head):
        if at + size > len(body):
            raise ValueError("truncated")
        files[name] = body[at:at + size]
        at += size
    if at != len(body):
        raise ValueError("trailing bytes")
    return files


BUILDS = Builds()
"""The process's builds (a Dask worker process: every slot of the worker shares them)."""

