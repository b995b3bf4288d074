"""A test's process after fork(): set-up, then the candidate in this warm interpreter.

Set-up (session, descriptors, working directory, rlimits, uid) runs before any of the
candidate's code, and reports only on its own descriptor (:data:`SETUP_FD`), which it
closes (or marks close-on-exec) before the candidate starts: a failure there is the
sandbox's (SE), and nothing the candidate writes can pass for one.
"""

from __future__ import annotations

import json
import os
import signal
import sys

from . import tagged

RESULT_FD = 3
SETUP_FD = 9
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_PR_SET_DUMPABLE = 4
_SECCOMP_MODE_FILTER = 2


class Seccomp:
    """A compiled BPF program, loaded with prctl into the runner (every child inherits it)."""

    def __init__(self, bpf: bytes):
        import ctypes

        class SockFprog(ctypes.Structure):
            _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

        self._buf = ctypes.create_string_buffer(bpf, len(bpf))
        self._prog = SockFprog(len(bpf) // 8, ctypes.addressof(self._buf))
        self._libc = ctypes.CDLL(None, use_errno=True)
        self._ref = ctypes.byref(self._prog)
        self._ctypes = ctypes

    def load(self) -> None:
        libc = self._libc
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(self._ctypes.get_errno(), "prctl(NO_NEW_PRIVS)")
        if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, self._ref, 0, 0) != 0:
            raise OSError(self._ctypes.get_errno(), "prctl(SET_SECCOMP)")


def prctl(option: int, value: int) -> None:
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl({option})")


def no_new_privs() -> None:
    prctl(_PR_SET_NO_NEW_PRIVS, 1)


def _set_limits(lim: dict, base_vm: int, exec_: bool = False) -> None:
    import resource as r

    def cap(res, soft, hard=None):
        hard = soft if hard is None else hard
        _, cur_hard = r.getrlimit(res)
        if cur_hard != r.RLIM_INFINITY:
            soft, hard = min(soft, cur_hard), min(hard, cur_hard)
        r.setrlimit(res, (soft, hard))

    cpu = max(1, int(-(-lim["cpu_s"] // 1)))          # ceil; RLIMIT_CPU has 1 s granularity
    cap(r.RLIMIT_CPU, cpu, cpu + 1)
    if lim.get("memory_mb"):
        # A forked interpreter keeps the runner's mappings; an exec'd program starts empty
        # but for its shared libraries (32 MiB of slack covers libstdc++ and friends).
        mem = (32 << 20 if exec_ else base_vm) + lim["memory_mb"] * 1024 * 1024
        if lim.get("address_space", True):
            cap(r.RLIMIT_AS, mem)
        cap(r.RLIMIT_STACK, min(lim["memory_mb"] * 1024 * 1024, 1 << 30))
    cap(r.RLIMIT_NPROC, lim["processes"])
    cap(r.RLIMIT_FSIZE, lim["file_size_mb"] * 1024 * 1024)
    cap(r.RLIMIT_NOFILE, lim["open_files"])
    cap(r.RLIMIT_CORE, 0)
    cap(r.RLIMIT_MEMLOCK, 0)
    cap(r.RLIMIT_MSGQUEUE, 0)


def make_stdio() -> tuple:
    """Unused text streams over fds 0, 1 and 2, built once in the runner.

    Every child inherits them unused (the runner never reads or writes them), so a child
    only points ``sys.std*`` at them: building them per child cost ~90 page faults.
    """
    import io
    return (io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "r", closefd=False)),
                             encoding="utf-8", errors="strict"),
            io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "w", closefd=False)),
                             encoding="utf-8", errors="strict"),
            io.TextIOWrapper(io.BufferedWriter(io.FileIO(2, "w", closefd=False)),
                             encoding="utf-8", errors="backslashreplace", line_buffering=True))


STDIO: list = []


def _arrange(fds: dict[int, int]) -> None:
    """Make each target descriptor a copy of its source, and close every other one."""
    import fcntl
    # Copy every source above all targets first: no dup2 may overwrite a source still needed.
    high = {target: fcntl.fcntl(src, fcntl.F_DUPFD, 100) for target, src in fds.items()}
    for target, src in high.items():
        os.dup2(src, target)
    low = 0
    for fd in sorted(fds):
        if fd > low:
            os.closerange(max(low, 3), fd)
        low = fd + 1
    os.closerange(max(low, 3), 1 << 16)


def prepare(req: dict, init: dict, fds: dict[int, int], *, exec_: bool = False,
            private: bool = False) -> None:
    """Everything between fork() and the first line of the process's own code.

    ``fds`` maps each descriptor the process keeps to the runner's descriptor it copies;
    ``private`` makes the process non-dumpable after it drops to the slot's uid, so that
    the candidate (same uid) can neither trace it nor open its ``/proc/PID/fd``.
    """
    os.setsid()
    _arrange(fds)
    os.set_inheritable(SETUP_FD, not exec_)  # an exec'd program never sees it
    os.chdir(init["scratch"])
    try:                                # be the OOM killer's choice, never the runner
        fd = os.open("/proc/self/oom_score_adj", os.O_WRONLY)
        os.write(fd, b"1000")
        os.close(fd)
    except OSError:
        pass
    _set_limits(req["limits"], init["base_vm"], exec_)
    if init.get("uid") is not None:
        if exec_ and RESULT_FD in fds:
            # A JVM cannot write to an inherited descriptor; it reopens
            # /proc/self/fd/3, which needs the pipe to be the program's own.
            os.fchown(RESULT_FD, init["uid"], init["gid"])
        os.setgroups([])
        os.setresgid(init["gid"], init["gid"], init["gid"])
        os.setresuid(init["uid"], init["uid"], init["uid"])
    if private:
        prctl(_PR_SET_DUMPABLE, 0)
    # no_new_privs, the seccomp filter and the environment are the runner's, inherited.
    signal.signal(signal.SIGINT, signal.default_int_handler)   # the runner ignores it
    sys.stdin, sys.stdout, sys.stderr = STDIO
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = STDIO
    import random
    random.seed()                       # os.register_at_fork hooks do not run (process.fork)
    sys.argv = ["solution.py", *req.get("argv", ())]
    sys.set_int_max_str_digits(0)       # solutions may print integers of any size


def text_of(exc: BaseException) -> str:
    """``str(exc)``, cut to 2000 characters; empty if even that raises."""
    try:
        return str(exc)[:2000]
    except BaseException:
        return ""


def set_up_failed(exc: BaseException) -> None:
    """Report a failed set-up on its own descriptor and end the process."""
    try:
        os.write(SETUP_FD, f"{type(exc).__name__}: {exc}".encode("utf-8", "replace")[:2000])
    except BaseException:
        pass
    os._exit(255)


def read_all(fd: int) -> bytes:
    """The whole content of the memfd ``fd``, from offset 0 (its offset is left alone)."""
    chunks, at = [], 0
    while True:
        chunk = os.pread(fd, 1 << 20, at)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        at += len(chunk)


def start(req: dict, init: dict, fds: dict[int, int], code_fd: int, call_fd: int) -> None:
    """The child of a ``stdio``, ``function``, ``script`` or compiled test. Never returns.

    Its code and call arrive as memfds, read here: they enter no memory but this process's.
    """
    exec_ = "exec" in req
    try:
        code = read_all(code_fd).decode("utf-8", "replace")
        call = read_all(call_fd).decode("utf-8", "surrogatepass")
        prepare(req, init, fds, exec_=exec_)
        if exec_:                           # a compiled build: become it
            argv = [a.replace("{bin}", os.path.join(init["bin"], req["build"]))
                    for a in req["exec"]]
            os.execvp(argv[0], argv)
    except BaseException as exc:            # infrastructure failure, not the program's
        set_up_failed(exc)
    os.close(SETUP_FD)
    run_program(req, code, call)


# --------------------------------------------------------------------------- the program
def record(obj: dict) -> None:
    data = json.dumps(obj, allow_nan=True).encode()
    try:
        while data:
            data = data[os.write(RESULT_FD, data):]
    except OSError:
        pass


def exit_code(exc: SystemExit) -> int:
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    try:
        print(code, file=sys.stderr)
    except Exception:
        pass
    return 1


def finish(code: int) -> None:
    """End the child the way the interpreter would: join threads, run atexit, flush."""
    import threading
    import atexit
    try:
        threading._shutdown()
    except BaseException:
        pass
    try:
        atexit._run_exitfuncs()
    except BaseException:
        pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            code = code or 120          # CPython exits 120 when flushing stdout fails
    os._exit(code)


def compile_solution(code: str):
    """The solution's code object, or the record of why it does not compile."""
    try:
        # dont_inherit: the runner's own ``from __future__`` flags must not leak into the
        # candidate (``annotations`` made LeetCode code without its imports pass).
        return compile(code, "solution.py", "exec", dont_inherit=True), None
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        try:
            print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        except Exception:
            pass
        return None, {"status": "syntax", "type": type(exc).__name__, "message": str(exc)}


def run_program(req: dict, code: str, call: str) -> None:
    """Run the candidate in this (forked, confined) interpreter. Never returns."""
    import builtins
    mode = req["mode"]
    compiled, failed = compile_solution(code)
    if failed is not None:
        record(failed)
        finish(1)
    if mode == "stdio":
        os.close(RESULT_FD)         # a stdio program has nothing to report but its output
    g = {"__name__": "__main__" if mode != "function" else "solution",
         "__builtins__": builtins, "__file__": "solution.py"}
    import traceback
    try:
        exec(compiled, g)
        if mode == "function":
            record({"status": "returned", **_call(g, req["entry_point"], call)})
        elif mode == "script":
            record({"status": "completed"})
    except SystemExit as exc:
        code_ = exit_code(exc)
        if mode != "stdio":
            record({"status": "exited", "exit_code": code_})
        finish(code_)
    except BaseException as exc:
        if mode != "stdio":
            record({"status": "raised", "type": type(exc).__name__,
                    "message": str(exc)[:2000]})
        try:
            traceback.print_exc()
        except BaseException:
            pass
        finish(1)
    finish(0)


def entry(g: dict, entry_point: str):
    """The function a test calls: ``entry_point``, or a method of a fresh ``Solution()``."""
    fn = g.get(entry_point)
    if not callable(fn):
        cls = g.get("Solution")
        if cls is None or not hasattr(cls, entry_point):
            raise NameError(f"entry point {entry_point!r} is neither a function nor a "
                            f"method of Solution")
        fn = getattr(cls(), entry_point)            # a fresh instance per test
    return fn


def _call(g: dict, entry_point: str, call: str) -> dict:
    # Arguments and the return value in the encoding of :mod:`.tagged`: tuples, sets,
    # complex numbers and dicts with other keys than str arrive and leave as themselves,
    # written by exact type (a subclass, whatever its ``__eq__`` says, is refused), and
    # compared outside the sandbox.
    args = json.loads(call)
    fn = entry(g, entry_point)
    if type(args) is dict:
        result = fn(**{k: tagged.decode(v) for k, v in args.items()})
    else:
        result = fn(*[tagged.decode(v) for v in args])
    try:
        return {"value": tagged.dumps(result)}
    except TypeError as exc:
        return {"unserialisable": str(exc)}
