"""Languages other than Python: one small module each, registered by name.

Python runs in the warm interpreter itself. Every other language is a :class:`Language`:
how to turn a solution (and, for ``assert``, its test block) into source files, which
commands compile them inside the sandbox, which files the build keeps, the command that
runs the build for each test, its default limits, and how its run reads as a record
(:meth:`Language.record`). Compiling and caching builds is :mod:`..build`'s job.

For an ``assert`` test the build is the solution plus a harness generated from the test
block: each language's ``assertions(test_block)`` cuts the block into ``(actual,
expected)`` expressions, and the harness evaluates only the actual ones, in order, writing
each value as one line on the result descriptor as soon as it exists. The expected
expressions never enter the program; the judges compare the lines with them outside
(:mod:`judges.assert_values`), so nothing the program writes or patches can make a wrong
value pass, and a program that stops early has simply written fewer lines.

For a ``function`` test the build is the solution plus a harness generated from the
problem's signature (:mod:`.function`): it reads the test's arguments from stdin, calls the
solution and writes the JSON of the returned value as one line on the result descriptor;
the judges compare it outside, as for Python.

>>> sorted(names())
['cpp', 'go', 'java', 'javascript', 'python', 'rust']
>>> get("c++").name, get("js").name
('cpp', 'javascript')
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass

from ..records import Record, RecordKind
from ..values import Limits, Outcome

MAX_BUILD = 64 << 20
"""Bytes a build may take, or it is a compile error (:mod:`..build`): the runner keeps
builds in a 160 MiB tmpfs charged to its slot's memory, and a C++ program with a 180 MiB
initialised array compiled fine, then filled that tmpfs on every attempt to install it (SE
three times). Here, where a compile's own limits are set, so that the build cache and the
languages need not import each other."""
MAX_VALUES = 10_000
"""Value lines read from one ``assert`` run; a MultiPL-E test block has at most a few dozen
assertions, so a program that writes more has failed whether or not the rest are read."""


@dataclass(frozen=True)
class Source:
    """What one build compiles: files by name, and the command line that runs it."""

    files: dict[str, str]
    run: tuple[str, ...]
    """``{bin}`` stands for the folder that holds the build inside the sandbox."""
    compile: tuple[tuple[str, ...], ...] | None = None
    """Compile commands for this source, when they differ from the language's."""


class Language:
    """A plug-in; subclasses fill in the class attributes and :meth:`source`."""

    name: str = ""
    aliases: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()
    """Executables the language needs (looked up on the host; the sandbox sees /usr)."""
    package: str = ""
    """The Debian package that provides them, for the missing-toolchain message."""
    compile: tuple[tuple[str, ...], ...] = ()
    """Commands run in the sandbox, in scratch where the source files are placed."""
    compile_env: dict[str, str] = {}
    """Environment of the compile commands; ``{scratch}`` is the compile's folder."""
    keep: tuple[str, ...] = ()
    """Glob patterns of the files the build keeps (they are run from ``{bin}``)."""
    address_space: bool = True
    """``False`` for runtimes that reserve far more virtual memory than they use (JVM, V8,
    Go): their memory is bounded by the slot's cgroup, not by RLIMIT_AS."""
    processes: int = 0
    """A floor under the per-test process limit (a runtime's own threads count)."""

    def source(self, code: str, mode: str, call: str) -> Source:
        """The files to compile and the run command (``{mem}``: the memory limit in MiB)."""
        raise NotImplementedError

    def compile_commands(self, pch: str | None) -> tuple[tuple[str, ...], ...]:
        """The compile commands; ``pch`` is the precompiled-header folder, where there is one."""
        return self.compile

    def run_limits(self, limits: Limits) -> Limits:
        """The per-test limits this language runs under."""
        from dataclasses import replace
        return replace(limits, address_space=self.address_space and limits.address_space,
                       processes=max(limits.processes, self.processes))

    def compile_limits(self) -> Limits:
        """Limits of one compilation (all its commands together)."""
        return Limits(cpu_s=30, wall_s=120, memory_mb=2048, processes=64, file_size_mb=256,
                      open_files=256, stdout_cap=MAX_BUILD + (1 << 20), stderr_keep=16 << 10,
                      address_space=self.address_space)

    def missing(self) -> str | None:
        """Why this language cannot run on this host, or ``None``."""
        absent = [t for t in self.tools if shutil.which(t, path=SANDBOX_PATH) is None]
        if not absent:
            return None
        return (f"the {self.name} toolchain is missing on this host: {', '.join(absent)} not "
                f"found (install the Debian package {self.package})")

    @functools.cached_property
    def version(self) -> str:
        """The toolchain's version text: part of every build's cache key."""
        out = []
        for tool in self.tools:
            try:
                r = subprocess.run([tool, "--version"], capture_output=True, timeout=60)
                out.append((r.stdout + r.stderr).decode("utf-8", "replace").strip())
            except (OSError, subprocess.SubprocessError) as exc:
                out.append(f"{tool}: {exc}")
        return "\n".join(out)

    def record(self, outcome: Outcome, mode: str) -> Record | None:
        """The record of a run, read from what the sandbox saw; never raises.

        ``assert``: a ``values`` record:
        the lines the harness wrote on the result descriptor (UTF-8, undecodable bytes
        replaced; a last line without its newline dropped, as a value cut off by the
        program's death; at most :data:`MAX_VALUES`), and the error read from its stderr
        (``type`` ``MemoryError``, ``AssertionError``, an exception name, or ``None``).
        ``stdio``: a ``raised`` record when stderr names an error, else ``None``.
        (``function``: the value the harness wrote is read by :func:`.function.record`.)
        """
        err = outcome.stderr.decode("utf-8", "replace")
        kind = self.error_type(err, outcome)
        if mode == "assert":
            return Record(RecordKind.VALUES, values=tuple(value_lines(outcome.raw_record)),
                          type=kind, message=_tail(err, 500))
        if kind:
            return Record(RecordKind.RAISED, type=kind, message=_tail(err, 500))
        return None

    def error_type(self, stderr: str, outcome: Outcome) -> str | None:
        """``AssertionError``, ``MemoryError`` or another error name read from a death."""
        return None


SANDBOX_PATH = "/usr/local/bin:/usr/bin:/bin"


def pch_for(language: Language, level: str | None) -> str | None:
    """The precompiled-header folder for ``language`` as a sandbox at ``level`` sees it."""
    return cpp.pch(level) if language.name == "cpp" else None


def value_lines(raw: bytes) -> list[str]:
    r"""The complete lines of ``raw``, decoded.

    >>> value_lines(b'1\n"a\xff"\n[2, 3')
    ['1', '"a\ufffd"']
    """
    if not isinstance(raw, (bytes, bytearray)):
        return []
    lines = bytes(raw).split(b"\n", MAX_VALUES)
    return [line.decode("utf-8", "replace") for line in lines[:min(len(lines) - 1, MAX_VALUES)]]


def _tail(text: str, n: int) -> str:
    text = text.strip()
    return text if len(text) <= n else "…" + text[-n:]


_REGISTRY: dict[str, Language | None] = {"python": None}


def register(language: Language) -> Language:
    for name in (language.name, *language.aliases):
        _REGISTRY[name] = language
    return language


def names() -> list[str]:
    """Canonical language names (``python`` runs in the warm interpreter)."""
    return ["python"] + sorted({lang.name for lang in _REGISTRY.values() if lang})


def get(name: str) -> Language | None:
    """The plug-in for ``name`` (or an alias); ``None`` for Python; ``KeyError`` if unknown."""
    key = (name or "python").lower()
    if key not in _REGISTRY:
        raise KeyError(f"unknown language {name!r}; known: {', '.join(names())}")
    return _REGISTRY[key]


from . import cpp, go, java, javascript, rust  # noqa: E402,F401  (each registers itself)
