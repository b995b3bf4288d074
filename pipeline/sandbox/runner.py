"""The warm runner: a long-lived Python process that forks one child per test.

This file runs *inside* the sandbox (as pid 1 of its own pid namespace under bubblewrap, or
as a plain subprocess when isolation is degraded). It imports only the standard library,
because the interpreter is started with ``-I`` and sees nothing of the host's packages path.

The runner holds no expected outputs and no judging logic: it runs a program on an input
under limits and reports what happened. The supervisor (``slot.py``) talks to it over two
pipes with the frames defined by :func:`send` and :func:`recv`, which the supervisor imports
from here so that both ends share one definition.

Per test the runner creates a fresh scratch directory owned by the slot's uid, forks, and
the child sets up its own session, descriptors, rlimits and uid, then runs the candidate in
the already-warm interpreter. The seccomp filter (compiled once by the supervisor) and
no_new_privs are loaded into the runner itself at start and inherited by every child. Forking a warm interpreter costs ~1 ms where a fresh ``python3`` costs ~8 ms
(measured on the project machine), and ``gc.freeze()`` before serving saves another ~1.9 ms
per test by sparing the child copy-on-write faults.
"""

from __future__ import annotations

import json
import os
import signal
import struct
import sys
import time

_HEAD = struct.Struct("<II")


# --------------------------------------------------------------------------------------------
# Framing (shared with the supervisor)
# --------------------------------------------------------------------------------------------

def send(fd: int, header: dict, *blobs: bytes) -> None:
    """Write one frame: a JSON header and raw byte blobs, lengths in the header."""
    header = dict(header, blobs=[len(b) for b in blobs])
    head = json.dumps(header, separators=(",", ":")).encode()
    payload = b"".join(blobs)
    data = memoryview(_HEAD.pack(len(head), len(payload)) + head + payload)
    while data:
        n = os.write(fd, data)
        data = data[n:]


def _read_exact(fd: int, n: int) -> bytes | None:
    chunks, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def recv(fd: int) -> tuple[dict, list[bytes]] | None:
    """Read one frame; ``None`` at end of stream."""
    head = _read_exact(fd, _HEAD.size)
    if head is None:
        return None
    hlen, plen = _HEAD.unpack(head)
    header = json.loads(_read_exact(fd, hlen) or b"null")
    payload = _read_exact(fd, plen) if plen else b""
    if header is None or payload is None:
        return None
    blobs, pos = [], 0
    for n in header.pop("blobs", []):
        blobs.append(payload[pos:pos + n])
        pos += n
    return header, blobs


# --------------------------------------------------------------------------------------------
# Child side: everything after fork() and before the candidate runs
# --------------------------------------------------------------------------------------------

# Modules a typical solution imports; importing them once in the runner makes them free
# in every child.
PREIMPORT = (
    "math", "collections", "itertools", "heapq", "bisect", "functools", "re", "random",
    "typing", "fractions", "decimal", "string", "operator", "copy", "statistics", "json",
    "io", "array", "threading", "traceback", "dataclasses", "enum", "datetime", "time",
    "textwrap", "unicodedata", "cmath", "numbers", "queue", "atexit",
)

_RESULT_FD = 3
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2


class _Seccomp:
    """A compiled BPF program ready to be loaded with prctl in the child."""

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


def _no_new_privs() -> None:
    import ctypes
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)


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


def _make_stdio() -> tuple:
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


_STDIO: tuple = ()


def _fresh_stdio() -> None:
    sys.stdin, sys.stdout, sys.stderr = _STDIO
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = _STDIO


def _record(obj: dict) -> None:
    data = json.dumps(obj, allow_nan=True).encode()
    try:
        while data:
            data = data[os.write(_RESULT_FD, data):]
    except OSError:
        pass


def _exit_code(exc: SystemExit) -> int:
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


def _finish(code: int) -> None:
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


_SCALARS = (type(None), bool, int, float, str)


def _plain(value, depth: int = 0):
    """Exact-type whitelist: None, bool, int, float, str, list, tuple, dict with str keys.

    Subclasses are refused on purpose: an object whose ``__eq__`` always returns True must
    not reach the comparison, which happens outside the sandbox anyway.
    """
    if depth > 200:
        raise TypeError("return value nested too deeply")
    t = type(value)
    if t in _SCALARS:
        return value
    if t is list or t is tuple:
        return [_plain(v, depth + 1) for v in value]
    if t is dict:
        out = {}
        for k, v in value.items():
            if type(k) is not str:
                raise TypeError(f"dict key of type {type(k).__name__}")
            out[k] = _plain(v, depth + 1)
        return out
    raise TypeError(f"unsupported return type {t.__name__}")


def _run_program(req: dict, code: str, call: str) -> None:
    """Run the candidate in this (forked, confined) interpreter. Never returns."""
    import builtins
    mode = req["mode"]
    try:
        # dont_inherit: this file's own ``from __future__ import annotations`` must not leak
        # into the candidate (it would make LeetCode code without its imports pass).
        compiled = compile(code, "solution.py", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        _record({"status": "syntax", "type": type(exc).__name__, "message": str(exc)})
        try:
            print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        except Exception:
            pass
        _finish(1)
    if mode == "stdio":
        os.close(_RESULT_FD)        # a stdio program has nothing to report but its output
    g = {"__name__": "__main__" if mode != "function" else "solution",
         "__builtins__": builtins, "__file__": "solution.py"}
    import traceback
    try:
        exec(compiled, g)
        if mode == "function":
            _record({"status": "returned", **_call(g, req["entry_point"], call)})
        elif mode == "assert":
            exec(compile(call, "test.py", "exec", dont_inherit=True), g)
            _record({"status": "completed"})
        elif mode == "script":
            _record({"status": "completed"})
    except SystemExit as exc:
        code_ = _exit_code(exc)
        if mode != "stdio":
            _record({"status": "exited", "exit_code": code_})
        _finish(code_)
    except BaseException as exc:
        if mode != "stdio":
            _record({"status": "raised", "type": type(exc).__name__,
                     "message": str(exc)[:2000]})
        try:
            traceback.print_exc()
        except BaseException:
            pass
        _finish(1)
    _finish(0)


def _call(g: dict, entry_point: str, call: str) -> dict:
    args = json.loads(call)
    fn = g.get(entry_point)
    if not callable(fn):
        cls = g.get("Solution")
        if cls is None or not hasattr(cls, entry_point):
            raise NameError(f"entry point {entry_point!r} is neither a function nor a "
                            f"method of Solution")
        fn = getattr(cls(), entry_point)            # a fresh instance per test
    result = fn(**args) if isinstance(args, dict) else fn(*args)
    try:
        value = _plain(result)
    except TypeError as exc:
        return {"unserialisable": str(exc)}
    return {"value": json.dumps(value, allow_nan=True)}


def _child(req: dict, init: dict, fds: dict, code: str, call: str) -> None:
    try:
        os.setsid()
        os.dup2(fds["stdin"], 0)
        os.dup2(fds["out"], 1)
        os.dup2(fds["err"], 2)
        os.dup2(fds["res"], _RESULT_FD)
        os.closerange(_RESULT_FD + 1, 1 << 16)
        os.chdir(init["scratch"])
        try:                                # be the OOM killer's choice, never the runner
            fd = os.open("/proc/self/oom_score_adj", os.O_WRONLY)
            os.write(fd, b"1000")
            os.close(fd)
        except OSError:
            pass
        _set_limits(req["limits"], init["base_vm"], "exec" in req)
        if init.get("uid") is not None:
            if "exec" in req:
                # A JVM cannot write to an inherited descriptor; it reopens
                # /proc/self/fd/3, which needs the pipe to be the program's own.
                os.fchown(_RESULT_FD, init["uid"], init["gid"])
            os.setgroups([])
            os.setresgid(init["gid"], init["gid"], init["gid"])
            os.setresuid(init["uid"], init["uid"], init["uid"])
        # no_new_privs, the seccomp filter and the environment are the runner's, inherited.
        signal.signal(signal.SIGINT, signal.default_int_handler)   # the runner ignores it
        _fresh_stdio()
        import random
        random.seed()                       # os.register_at_fork hooks do not run (see _fork)
        sys.argv = ["solution.py", *req.get("argv", ())]
        sys.set_int_max_str_digits(0)       # solutions may print integers of any size
        if "exec" in req:                   # a compiled build: become it
            if req["mode"] == "stdio":
                os.close(_RESULT_FD)
            argv = [a.replace("{bin}", os.path.join(init["bin"], req["build"]))
                    for a in req["exec"]]
            os.execvp(argv[0], argv)
    except BaseException as exc:            # infrastructure failure, not the program's
        _record({"status": "setup_failed", "message": f"{type(exc).__name__}: {exc}"})
        os._exit(255)
    _run_program(req, code, call)


# --------------------------------------------------------------------------------------------
# Runner side
# --------------------------------------------------------------------------------------------

def _kill_all(pid: int, init: dict) -> None:
    """Kill every process the test started, strays and daemons included."""
    if os.getpid() == 1:
        # pid 1 of a pid namespace: kill(-1) reaches every other process in it, at once.
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if init.get("uid") is not None:
        # No pid namespace: sweep the slot's uid, which no other process on the host uses.
        kill_uid(init["uid"])


def kill_uid(uid: int) -> None:
    """SIGKILL every process owned by ``uid`` (used by the supervisor too)."""
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            if os.stat(f"/proc/{name}").st_uid == uid:
                os.kill(int(name), signal.SIGKILL)
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            pass


def _reap_all(child: int) -> tuple[int | None, object | None]:
    """Reap every child; return the wait status and rusage of ``child``."""
    status = usage = None
    while True:
        try:
            pid, st, ru = os.wait4(-1, 0)
        except ChildProcessError:
            return status, usage
        if pid == child:
            status, usage = st, ru


def _clear_scratch(path: str) -> str | None:
    """Remove scratch; return why it could not be removed, if it could not.

    shutil.rmtree is fd-based and never follows a symlink planted in scratch. A tree built
    to defeat it (a chain of thousands of directories exhausts its recursion) is not the
    program's verdict to change: the supervisor replaces this runner after the reply, and
    the scratch tmpfs dies with the old runner's mount namespace.
    """
    import shutil
    try:
        shutil.rmtree(path)
    except (OSError, RecursionError) as exc:
        if os.path.lexists(path):
            try:
                os.rename(path, f"{path}.stale")     # the next test still gets a fresh dir
            except OSError:
                pass
            return f"scratch not removed: {type(exc).__name__}"
    return None


def _place_files(scratch: str, names: list, blobs: list) -> None:
    """Write the run's input files into scratch, read-only for the program."""
    for name, data in zip(names, blobs):
        if not name or "/" in name or name in (".", ".."):
            raise ValueError(f"bad file name {name!r}")
        _write_new(os.path.join(scratch, name), data, 0o444)


def _write_new(path: str, data: bytes, mode: int) -> None:
    """Create ``path`` (never through a link, never over a file) and write all of ``data``."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def install(init: dict, req: dict, blobs: list) -> None:
    """Keep a build's files for the tests that follow (read-only to the programs), and
    drop the builds the supervisor has evicted."""
    import shutil
    for key in req.get("drop", ()):
        shutil.rmtree(os.path.join(init["bin"], _plain_name(key)), ignore_errors=True)
    build = req.get("install")
    if not build:
        return
    folder = os.path.join(init["bin"], _plain_name(build["key"]))
    shutil.rmtree(folder, ignore_errors=True)
    os.mkdir(folder, 0o755)
    for name, data in zip(build["names"], blobs):
        _write_new(os.path.join(folder, _plain_name(name)), data, 0o555)


def _plain_name(name: str) -> str:
    if not name or "/" in name or name in (".", "..") or "\0" in name:
        raise ValueError(f"bad file name {name!r}")
    return name


def run_one(req: dict, code: str, stdin: bytes, extra: str,
            init: dict, files: list = ()) -> tuple[dict, list[bytes]]:
    """Run one test: ``extra`` is the call (JSON arguments) or the test code; ``files`` are
    the contents of the files named in ``req["files"]``, placed in scratch."""
    import select
    lim = req["limits"]
    scratch = init["scratch"]
    os.mkdir(scratch, 0o700)
    if init.get("uid") is not None:
        os.chown(scratch, init["uid"], init["gid"])
    if files:
        _place_files(scratch, req["files"], files)

    stdin_fd = os.memfd_create("stdin", 0)      # a real file: seek, open(0), .buffer all work
    os.write(stdin_fd, stdin) if stdin else None
    os.lseek(stdin_fd, 0, os.SEEK_SET)
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    res_r, res_w = os.pipe()
    start = time.monotonic()
    pid = _fork()
    if pid == 0:
        _child(req, init, {"stdin": stdin_fd, "out": out_w, "err": err_w, "res": res_w},
               code, extra)
    for fd in (stdin_fd, out_w, err_w, res_w):
        os.close(fd)

    caps = {out_r: lim["stdout_cap"], err_r: lim["stderr_cap"], res_r: lim["stdout_cap"]}
    bufs = {out_r: [], err_r: [], res_r: []}
    sizes = {out_r: 0, err_r: 0, res_r: 0}
    keep_err = lim["stderr_keep"]
    pidfd = os.pidfd_open(pid)
    poller = select.poll()
    for fd in (out_r, err_r, res_r, pidfd):
        poller.register(fd, select.POLLIN)
    open_fds = {out_r, err_r, res_r}
    deadline = start + lim["wall_s"]
    status, exited = "exited", False
    while open_fds or not exited:
        left = deadline - time.monotonic()
        if left <= 0:
            status = "wall_timeout"
            break
        for fd, _ in poller.poll(left * 1000):
            if fd == pidfd:
                exited = True
                poller.unregister(pidfd)
                # A grandchild may still hold the pipes open: kill it now, so that the
                # end of the test is the end of the child.
                _kill_all(pid, init)
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                poller.unregister(fd)
                open_fds.discard(fd)
                continue
            sizes[fd] += len(chunk)
            if fd != err_r or sizes[fd] <= keep_err:
                bufs[fd].append(chunk)
            if sizes[fd] > caps[fd]:
                status = "output_limit" if fd != err_r else "stderr_limit"
                break
        if status != "exited":
            break
    wall = time.monotonic() - start
    _kill_all(pid, init)
    wstatus, usage = _reap_all(pid)
    os.close(pidfd)
    for fd in (out_r, err_r, res_r):
        os.close(fd)
    leftover = _clear_scratch(scratch)

    exit_code = sig = None
    if wstatus is not None:
        if os.WIFEXITED(wstatus):
            exit_code = os.WEXITSTATUS(wstatus)
        elif os.WIFSIGNALED(wstatus):
            sig = os.WTERMSIG(wstatus)
    cpu = (usage.ru_utime + usage.ru_stime) if usage is not None else 0.0
    maxrss_kb = usage.ru_maxrss if usage is not None else 0
    stdout = b"".join(bufs[out_r])[:lim["stdout_cap"]]
    stderr = b"".join(bufs[err_r])[:keep_err]
    record = b"".join(bufs[res_r])[:lim["stdout_cap"]]
    header = {"status": status, "exit_code": exit_code, "signal": sig, "cpu_s": cpu,
              "wall_s": wall, "maxrss_kb": maxrss_kb, "stdout_bytes": sizes[out_r],
              "stderr_bytes": sizes[err_r]}
    if leftover:
        header["restart"] = leftover
    return header, [stdout, stderr, record]


_libc_fork = None


def _fork() -> int:
    """fork(2) without CPython's after-fork work.

    ``os.fork`` re-initialises the interpreter's thread and lock state and runs every
    ``os.register_at_fork`` hook in the child; in this single-threaded runner that work is
    not needed and cost ~190 page faults (~1 ms) per test here. PyDLL keeps the GIL held
    across the call. The child reseeds ``random`` itself, the only hook that matters.
    """
    return _libc_fork()


def _vm_size() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def main() -> None:
    # The control pipes arrive on 0/1; move them away so no child can inherit them by
    # accident, and keep 0/1 pointing at /dev/null.
    ctl_in, ctl_out = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    signal.signal(signal.SIGINT, signal.SIG_IGN)    # pid 1 ignores what it does not handle
    msg = recv(ctl_in)
    if msg is None:
        return
    init, blobs = msg
    seccomp = _Seccomp(blobs[0]) if blobs and blobs[0] else None
    os.environ.clear()
    os.environ.update(init["env"])          # what every child sees, set once
    import importlib
    for name in PREIMPORT:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    global _libc_fork, _STDIO
    import ctypes
    _libc_fork = ctypes.PyDLL(None).fork
    _libc_fork.restype = ctypes.c_int
    _STDIO = _make_stdio()
    if seccomp is not None:
        # Loaded once into the runner and inherited by every child: attaching a filter
        # costs ~0.45 ms per process here (the kernel checks and JITs it each time), and the
        # runner needs none of the denied calls.
        seccomp.load()
    else:
        _no_new_privs()
    import gc
    gc.collect()
    gc.freeze()
    init["base_vm"] = _vm_size() + 64 * 1024 * 1024   # headroom for the child's own growth
    if init.get("bin"):
        os.makedirs(init["bin"], 0o755, exist_ok=True)  # builds, read-only to the programs
    send(ctl_out, {"ready": True})
    while True:
        msg = recv(ctl_in)
        if msg is None:
            return
        # A request is a batch: tests of one program, each run in its own child. Batching
        # saves two process wake-ups and a frame per test (~0.5 ms of CPU here).
        req, blobs = msg
        code = blobs[0].decode("utf-8", "replace")
        results, out = [], []
        at = 1
        if req.get("install") or req.get("drop"):
            n_build = len(req["install"]["names"]) if req.get("install") else 0
            try:
                install(init, req, blobs[1:1 + n_build])
            except Exception as exc:
                send(ctl_out, {"results": [{"status": "runner_error",
                                            "message": f"install: {exc!r}"}]}, b"", b"", b"")
                continue
            at += n_build
        for test in req["tests"]:
            n_files = len(test.get("files", ()))
            stdin, extra, files = blobs[at], blobs[at + 1], blobs[at + 2:at + 2 + n_files]
            at += 2 + n_files
            try:
                header, o = run_one(test, code, stdin, extra.decode(), init, files)
            except Exception as exc:        # report, do not die: the supervisor decides
                header, o = {"status": "runner_error", "message": repr(exc)}, [b"", b"", b""]
            results.append(header)
            out += o
            if header["status"] == "runner_error" or header.get("restart"):
                break                       # the supervisor reruns the rest elsewhere
        send(ctl_out, {"results": results}, *out)
        if results and results[-1].get("restart"):
            # The program left a tree that defeats removal. Its verdict stands; this runner
            # exits, and its scratch tmpfs dies with its mount namespace. The supervisor
            # starts a fresh runner before the next test.
            os._exit(3)


if __name__ == "__main__":
    main()
