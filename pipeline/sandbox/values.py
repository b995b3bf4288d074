"""Value types of the sandbox layer: what to run, under which limits, and what happened."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from .records import Record


class Status(str, Enum):
    """How a run ended, as the sandbox saw it (the judges decide what it means)."""

    EXITED = "exited"                #: the program ended by itself (exit code or signal)
    WALL_TIMEOUT = "wall_timeout"    #: killed at the wall-clock backstop
    OUTPUT_LIMIT = "output_limit"    #: killed when its stdout (or result record) passed the cap
    STDERR_LIMIT = "stderr_limit"    #: killed when its stderr passed the cap
    SANDBOX_ERROR = "sandbox_error"  #: the sandbox failed, not the program (``message``)
    STOPPED = "stopped"              #: interactive: ended (or never started) by the sandbox
    #: because the run's other process ended the test (it broke a limit, or did not compile)


@dataclass(frozen=True)
class Limits:
    """Per-test limits. Times are CPU seconds measured by the kernel; wall is a backstop."""

    cpu_s: float = 2.0
    """CPU time limit (user + system) in seconds."""
    wall_s: float | None = None
    """Wall-clock backstop; ``None`` means ``2 × cpu_s + 1``."""
    memory_mb: int = 512
    """Address space the program may add to the warm interpreter, in MiB."""
    processes: int = 8
    """RLIMIT_NPROC for the slot's uid (threads count too)."""
    file_size_mb: int = 16
    open_files: int = 64
    stdout_cap: int = 16 << 20
    """Bytes of stdout (or of a function's result record) before the test is stopped: OLE."""
    stderr_cap: int = 16 << 20
    """Bytes of stderr before the test is stopped (a stderr flood costs CPU in the runner)."""
    stderr_keep: int = 64 << 10
    """Bytes of stderr kept for the message."""
    address_space: bool = True
    """Bound each process's address space (RLIMIT_AS) by ``memory_mb``. ``False`` for
    runtimes that reserve far more than they use (JVM, V8): the slot's cgroup bounds them."""

    @property
    def wall(self) -> float:
        return self.wall_s if self.wall_s is not None else 2 * self.cpu_s + 1

    def wire(self) -> dict:
        return {"cpu_s": self.cpu_s, "wall_s": self.wall, "memory_mb": self.memory_mb,
                "processes": self.processes, "file_size_mb": self.file_size_mb,
                "open_files": self.open_files, "stdout_cap": self.stdout_cap,
                "stderr_cap": self.stderr_cap, "stderr_keep": self.stderr_keep,
                "address_space": self.address_space}


@dataclass(frozen=True)
class Interactor:
    """The second process of an interactive run, started with the program and wired to it:
    the program's stdout is its stdin, its stdout the program's stdin.

    It runs as a uid of its own, in a scratch folder of its own that the program cannot
    read, where ``files`` are placed (read-only) and ``output`` is created empty for it to
    write; ``argv`` follows its name (testlib's ``interactor INPUT OUTPUT``). ``language``
    as for a :class:`Program` (Python runs in the warm interpreter, others are built once).
    Its source and its files reach the sandbox as secrets: they are never in the memory
    the program is forked from.

    >>> Interactor("print(1)", files={"input.txt": b"5"}, argv=("input.txt", "output.txt")).output
    'output.txt'
    """

    code: str
    language: str = "python"
    files: dict[str, bytes] = field(default_factory=dict)
    argv: tuple[str, ...] = ()
    output: str = "output.txt"
    """The file it may write its message to (read back into :attr:`Outcome.output_file`)."""
    limits: Limits = field(default_factory=Limits)
    """Its own limits: CPU and memory are its own; the wall backstop is the program's."""


@dataclass(frozen=True)
class Program:
    """One run: a program and its input.

    ``mode`` is how the program is driven: ``stdio`` (run as ``__main__`` on ``stdin``),
    ``function`` (import, call ``entry_point`` with the JSON arguments in ``call``, report the
    return value), ``assert`` (run as ``__main__``, then run the test code in ``call`` in the
    same namespace and report whether it ran to the end) or ``script`` (run as ``__main__``
    and report how it ended: ran to the end, exited with a code, or raised).

    ``files`` are placed in the program's (fresh, per-run) working directory before it
    starts, read-only; ``argv`` follows the program name in ``sys.argv``.

    ``language`` other than ``python`` (see :mod:`.languages`) is compiled once per source
    in the sandbox and its build run for each test, in the ``stdio``, ``assert`` (``call`` is
    then the test block that follows the program) or ``function`` mode (a harness generated
    from ``signature`` calls ``entry_point`` with the JSON arguments in ``call``).

    With an ``interactor`` the run is interactive (:mod:`.interactive`): the program's stdin
    and stdout are pipes to and from the interactor, which runs beside it; ``stdin`` is
    unused.
    """

    code: str
    mode: str = "stdio"
    stdin: bytes = b""
    call: str = ""
    entry_point: str | None = None
    language: str = "python"
    files: dict[str, bytes] = field(default_factory=dict)
    argv: tuple[str, ...] = ()
    interactor: Interactor | None = None
    signature: str | None = None
    """``function`` in a compiled language: the signature (or starter code) the harness is
    generated from (:mod:`.languages.function.signature`)."""


@dataclass
class Outcome:
    """What happened to one run. The sandbox reports; the judges decide."""

    status: Status
    exit_code: int | None = None
    signal: int | None = None
    cpu_s: float = 0.0
    wall_s: float = 0.0
    memory_mb: float = 0.0
    """Peak resident memory of the program, MiB."""
    oom_killed: bool = False
    """The slot's memory cgroup killed a process during this run."""
    stdout: bytes = b""
    stderr: bytes = b""
    record: Record | None = None
    """The harness's report for ``function`` and ``assert`` runs (never for ``stdio``),
    parsed outside the sandbox from :attr:`raw_record`."""
    raw_record: bytes = field(default=b"", repr=False)
    """The bytes the run wrote on its result channel, as they came."""
    message: str = ""
    """For ``sandbox_error``: what failed; for an interactive run stopped at the wall
    backstop, why it was blamed on this process."""
    restarts: int = field(default=0, repr=False)
    interactor: Outcome | None = None
    """An interactive run: the interactor's own outcome (status, exit code, CPU, stderr,
    record and :attr:`output_file`); ``stdout`` is then empty on both, as each went to the
    other process."""
    output_file: bytes = field(default=b"", repr=False)
    """The interactor's ``output`` file as it left it (its message; testlib's points)."""
    ended_first: bool = False
    """The interactor's: it ended while the program still ran and had not closed its
    output, so nothing the program did after can have caused its end (the program sees
    the interactor's end only after the sandbox has)."""

    def __post_init__(self) -> None:
        self.status = Status(self.status)       # "exited" is read as Status.EXITED


class SandboxError(RuntimeError):
    """The sandbox itself failed (not the program). Mapped to SE after retries."""


_FUTURE = re.compile(r"^from[ \t]+__future__[ \t]+import[^\n]*\n?", re.MULTILINE)


def with_prelude(prelude: str | None, code: str) -> str:
    r"""The problem's prelude placed before the solution, after its ``__future__`` imports
    (which must open a module: put after a prelude they are a SyntaxError, and a correct
    solution would be judged CE).

    >>> with_prelude("import os", "from __future__ import annotations\nx = 1\n")
    'from __future__ import annotations\nimport os\nx = 1\n'
    """
    if not prelude:
        return code
    futures = _FUTURE.findall(code)
    if futures:
        code = _FUTURE.sub("", code)
        return "".join(f if f.endswith("\n") else f + "\n" for f in futures) + f"{prelude}\n{code}"
    return f"{prelude}\n{code}"
