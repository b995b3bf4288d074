"""The warm runner: a long-lived Python process that forks the processes of every test.

This runs *inside* the sandbox (as pid 1 of its own pid namespace under bubblewrap, or as a
plain subprocess when isolation is degraded), from the standard library only. It holds no
expected outputs and no judging logic: it runs a program on an input under limits and
reports what happened, over the frames of :mod:`.frames`.

Per test it creates a fresh scratch directory owned by the slot's uid and forks; the child
sets itself up (:mod:`.child`) and runs the candidate in the already-warm interpreter, or
execs a compiled build. A Python ``assert`` test is two processes: the candidate's
(:mod:`.candidate`) and, forked after it, the trusted test process (:mod:`.tester`) that
runs the test code and calls the solution across a pipe. Every blob of a request (code,
stdin, call, files, and a test's code and secret) reaches the runner as a memfd it never reads
(:func:`.frames.recv_fds`), and the outputs leave the same way: no program, forked from the
runner's memory, holds another's code, input or output, or a test's secret.

The seccomp filter (compiled once by the supervisor) and no_new_privs are loaded into the
runner itself at start and inherited by every child. Forking a warm interpreter costs ~1 ms
where a fresh ``python3`` costs ~8 ms (measured on the project machine), and
``gc.freeze()`` before serving saves another ~1.9 ms per test by sparing the child
copy-on-write faults.
"""

from __future__ import annotations

import os
import signal
import time

from . import child, process
from .frames import recv, recv_fds, send
from .tester import GONE

# Modules a typical solution imports; importing them once in the runner makes them free
# in every child. ``fcntl`` and the wire's modules serve the children's own set-up.
PREIMPORT = (
    "math", "collections", "itertools", "heapq", "bisect", "functools", "re", "random",
    "typing", "fractions", "decimal", "string", "operator", "copy", "statistics", "json",
    "io", "array", "threading", "traceback", "dataclasses", "enum", "datetime", "time",
    "textwrap", "unicodedata", "cmath", "numbers", "queue", "atexit", "fcntl", "keyword",
    "resource", "ctypes", "shutil", "select",
)
_PR_SET_CHILD_SUBREAPER = 36
# Bytes of outputs a batch's reply holds before the runner replies with the tests so far:
# every test may print just under its 16 MiB cap, and 32 of them held for one reply took
# the runner past its memory cgroup (killed: "runner did not answer", SE for all).
REPLY_BUDGET = 32 << 20


def _reap_all() -> tuple[dict, float, int]:
    """Reap every process of the test: the wait status of each, and the CPU seconds and
    peak resident KiB of all of them.

    Orphans are reparented to the runner (pid 1, or a subreaper) and reaped here too, so a
    child that never waits for its own children cannot hide their CPU time: counting the
    first child only, 2.4 s of work at a 2 s limit read as 0.01 s and passed.
    """
    statuses, cpu, rss = {}, 0.0, 0
    while True:
        try:
            pid, st, ru = os.wait4(-1, 0)
        except ChildProcessError:
            return statuses, cpu, rss
        statuses[pid] = st
        cpu += ru.ru_utime + ru.ru_stime
        rss = max(rss, ru.ru_maxrss)


def install(init: dict, req: dict, blobs: list) -> None:
    """Keep builds' files for the tests that follow (read-only, in a folder closed until
    their tests run: :func:`_open_build`), and drop the builds the supervisor has evicted.
    An interactor's build (``owner: peer``) belongs to the interactor uid's group: a program
    can neither read nor run it, even while it runs beside it."""
    import shutil
    for key in req.get("drop", ()):
        shutil.rmtree(os.path.join(init["bin"], process.plain_name(key)), ignore_errors=True)
    at = 0
    for build in _builds(req):
        folder = os.path.join(init["bin"], process.plain_name(build["key"]))
        shutil.rmtree(folder, ignore_errors=True)
        os.mkdir(folder, _CLOSED)
        names = build["names"]
        group = _group_of(init, build.get("owner") == "peer")
        for name, data in zip(names, blobs[at:at + len(names)]):
            path = os.path.join(folder, process.plain_name(name))
            process.write_new(path, data, 0o555 if group is None else _PEER_OPEN)
            if group is not None:
                os.chown(path, -1, group)
        at += len(names)
        if group is not None:
            os.chown(folder, -1, group)


def _builds(req: dict) -> list:
    """The builds a request installs (one, or a list: an interactive test's two)."""
    builds = req.get("install") or []
    return [builds] if isinstance(builds, dict) else builds


def _group_of(init: dict, peer: bool) -> int | None:
    """The group an interactor's build belongs to: the interactor's uid's own (its gid is
    its uid), so that it alone, and no program, may run it; ``None`` for a program's build,
    or when the interactor has no uid of its own."""
    return init.get("peer_uid") if peer else None


# A build's folder is open to programs only while its own tests run: any program could
# otherwise run the builds of the solutions before it (other rollouts of its own problem,
# say) on its input and print the answer most of them give. An interactor's build is open
# to its group alone (the interactor's uid), never to the program beside it.
_CLOSED, _OPEN, _PEER_OPEN = 0o500, 0o555, 0o550


def _open_build(init: dict, req: dict, opened: bool) -> None:
    """Open the folders of the builds a request's tests run (the program's, and an
    interactor's), or close them again."""
    keys: dict[str, bool] = {}
    for t in req["tests"]:
        if t.get("build"):
            keys[t["build"]] = False
        if t.get("peer", {}).get("build"):
            keys[t["peer"]["build"]] = True
    for key, peer in keys.items():
        mode = _CLOSED
        if opened:
            mode = _PEER_OPEN if _group_of(init, peer) is not None else _OPEN
        try:
            os.chmod(os.path.join(init["bin"], process.plain_name(key)), mode)
        except OSError:
            pass                            # not installed: the test's set-up reports it


def run_one(req: dict, code: int, stdin_fd: int, extra: int, init: dict,
            files: list = ()) -> tuple[dict, list[int]]:
    """Run one test. Every argument but ``req`` and ``init`` is a memfd: the program's
    code, its stdin (a real file: seek, ``open(0)``, ``.buffer`` all work), ``extra`` the
    call (JSON arguments) or for an ``assert`` test its secret and code, and ``files`` the
    contents of the files named in ``req["files"]``, placed in scratch. The outputs come
    back as memfds too (stdout, stderr, result record)."""
    lim = req["limits"]
    scratch = init["scratch"]
    os.mkdir(scratch, 0o700)
    if init.get("uid") is not None:
        os.chown(scratch, init["uid"], init["gid"])
    if files:
        process.place_files(scratch, req["files"], files)
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    res_r, res_w = os.pipe()
    set_r, set_w = os.pipe()
    split = req["mode"] == "assert" and "exec" not in req
    start = time.monotonic()
    if not split:
        pid = process.fork()
        if pid == 0:
            child.start(req, init, {0: stdin_fd, 1: out_w, 2: err_w, child.RESULT_FD: res_w,
                                    child.SETUP_FD: set_w}, code, extra)
        pids = [pid]
    else:
        pids = _fork_assert(req, init, code, extra, stdin_fd, out_w, err_w, res_w, set_w)
    for fd in (out_w, err_w, res_w, set_w):
        os.close(fd)
    header, outputs = _watch(pids, lim, init, start, out_r, err_r, res_r)
    setup = process.drain(set_r)
    for fd in (out_r, err_r, res_r, set_r):
        os.close(fd)
    if init.get("uid") is not None:
        process.sweep_ipc(init["uid"])
    leftover = process.clear_scratch(scratch, init.get("own_fs", False))
    if setup:
        header["status"] = "setup_failed"
        header["message"] = setup.decode("utf-8", "replace")
    if leftover:
        header["restart"] = leftover
    return header, outputs


def _fork_assert(req, init, code, memfd, stdin_fd, out_w, err_w, res_w, set_w) -> list[int]:
    """The test process, then the candidate's; their pids, the test's first. The test
    process comes first so that nothing of the candidate's runs yet when the runner forks:
    a candidate with threads up to its process limit could otherwise fill the slot's pids
    cgroup, the second fork fail, and the test end as the runner's error (SE)."""
    lim = dict(req["limits"], processes=req["limits"]["processes"] + 1)   # the two share a uid
    sub = dict(req, limits=lim)
    req_r, req_w = os.pipe()
    rep_r, rep_w = os.pipe()
    t = process.fork()
    if t == 0:
        from . import tester
        null = process.NULL
        tester.main(sub, init, {0: null, 1: null, 2: null, tester.RESULT_FD: res_w,
                                tester.REQUEST_FD: req_w, tester.REPLY_FD: rep_r,
                                tester.CODE_FD: memfd, child.SETUP_FD: set_w})
    c = process.fork()
    if c == 0:
        from . import candidate
        candidate.main(sub, init, {0: stdin_fd, 1: out_w, 2: err_w, candidate.REPLY_FD: rep_w,
                                   candidate.REQUEST_FD: req_r, child.SETUP_FD: set_w}, code)
    for fd in (req_r, req_w, rep_r, rep_w):
        os.close(fd)
    return [t, c]


def _watch(pids, lim, init, start, out_r, err_r, res_r):
    """Collect the outputs until the test's first process ends (or a limit is hit), then
    kill and reap everything. With two processes, the second's own end decides the exit
    status only when it came first: the runner kills it after the test process ends."""
    import select
    caps = {out_r: lim["stdout_cap"], err_r: lim["stderr_cap"], res_r: lim["stdout_cap"]}
    # What is kept of each stream: spliced into a memfd, never read into this process.
    keep = {out_r: lim["stdout_cap"], err_r: lim["stderr_keep"], res_r: lim["stdout_cap"]}
    bufs = {fd: os.memfd_create("out", os.MFD_CLOEXEC) for fd in (out_r, err_r, res_r)}
    sizes = {out_r: 0, err_r: 0, res_r: 0}
    pidfds = {os.pidfd_open(p): p for p in pids}
    poller = select.poll()
    for fd in (out_r, err_r, res_r, *pidfds):
        poller.register(fd, select.POLLIN)
    open_fds = {out_r, err_r, res_r}
    deadline = start + lim["wall_s"]
    status, exited, first_end = "exited", False, None
    while open_fds or not exited:
        left = deadline - time.monotonic()
        if left <= 0:
            status = "wall_timeout"
            break
        for fd, _ in poller.poll(left * 1000):
            if fd in pidfds:
                poller.unregister(fd)
                if pidfds[fd] != pids[0]:
                    if not exited and first_end is None:
                        first_end = pidfds[fd]
                    continue
                exited = True
                if first_end is None and len(pids) > 1 and _saw_candidate_end(fd):
                    # The test process ended because the candidate's did: its pipes close
                    # a moment before it is reaped. Its end (SIGXCPU: TLE) is the outcome.
                    other = next(f for f, p in pidfds.items() if p != pids[0])
                    # A candidate that closed its pipes and lives on is killed below.
                    grace = min(1.0, max(0.0, deadline - time.monotonic()))
                    if select.select([other], [], [], grace)[0]:
                        first_end = pidfds[other]
                # A grandchild may still hold the pipes open: kill it now, so that the
                # end of the test is the end of its process.
                process.kill_all(pids, init)
                continue
            room = keep[fd] - sizes[fd]
            n = os.splice(fd, bufs[fd] if room > 0 else process.NULL,
                          min(room, 1 << 16) if room > 0 else 1 << 16)
            if not n:
                poller.unregister(fd)
                open_fds.discard(fd)
                continue
            sizes[fd] += n
            if sizes[fd] > caps[fd]:
                status = "output_limit" if fd != err_r else "stderr_limit"
                break
        if status != "exited":
            break
    wall = time.monotonic() - start
    process.kill_all(pids, init)
    statuses, cpu, maxrss_kb = _reap_all()
    for fd in pidfds:
        os.close(fd)
    wstatus = statuses.get(first_end if first_end is not None else pids[0])
    exit_code = sig = None
    if wstatus is not None:
        if os.WIFEXITED(wstatus):
            exit_code = os.WEXITSTATUS(wstatus)
        elif os.WIFSIGNALED(wstatus):
            sig = os.WTERMSIG(wstatus)
    header = {"status": status, "exit_code": exit_code, "signal": sig, "cpu_s": cpu,
              "wall_s": wall, "maxrss_kb": maxrss_kb, "stdout_bytes": sizes[out_r],
              "stderr_bytes": sizes[err_r]}
    return header, [bufs[out_r], bufs[err_r], bufs[res_r]]


def _saw_candidate_end(pidfd: int) -> bool:
    """Whether the test process (not yet reaped) exited saying the candidate's ended."""
    try:
        info = os.waitid(os.P_PIDFD, pidfd, os.WEXITED | os.WNOWAIT)
    except ChildProcessError:
        return False
    return info is not None and info.si_code == os.CLD_EXITED and info.si_status == GONE


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
    seccomp = child.Seccomp(blobs[0]) if blobs and blobs[0] else None
    os.environ.clear()
    os.environ.update(init["env"])          # what every child sees, set once
    import resource
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY:      # every blob of a request is a memfd
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    import importlib
    for name in PREIMPORT:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    process.start()
    child.STDIO[:] = child.make_stdio()
    if os.getpid() != 1:
        # Orphans come to the runner to be reaped and counted (see _reap_all).
        child.prctl(_PR_SET_CHILD_SUBREAPER, 1)
    from . import candidate, interactive, tester, wire  # noqa: F401  (warm for the children)
    if seccomp is not None:
        # Loaded once into the runner and inherited by every child: attaching a filter
        # costs ~0.45 ms per process here (the kernel checks and JITs it each time), and the
        # runner needs none of the denied calls.
        seccomp.load()
    else:
        child.no_new_privs()
    import gc
    gc.collect()
    gc.freeze()
    init["base_vm"] = _vm_size() + 64 * 1024 * 1024   # headroom for the child's own growth
    if init.get("bin"):
        os.makedirs(init["bin"], exist_ok=True)   # builds: programs may enter, not list
        os.chmod(init["bin"], 0o711)
    if init.get("uid") is not None:
        process.count_ipc()
    send(ctl_out, {"ready": True})
    while True:
        # Every blob of a request arrives as a memfd, and every output leaves from one
        # (frames.recv_fds, _watch): no program's code, input, files or output is ever in
        # this process's memory, from which every later program is forked. Read here, they
        # stayed in its freed memory: a program found the sources, inputs and outputs of
        # the solutions before it by scanning its own (and a checker's request carries the
        # expected answers).
        msg = recv_fds(ctl_in)
        if msg is None:
            return
        req, blobs = msg
        restart = _run_batch(init, req, blobs, ctl_out)
        if restart:
            # The program left a tree that defeats removal. Its verdict stands; this runner
            # exits, and its scratch tmpfs dies with its mount namespace. The supervisor
            # starts a fresh runner before the next test.
            os._exit(3)


def _run_batch(init: dict, req: dict, blobs: list[int], ctl_out: int) -> bool:
    """Run a request's tests, each in its own child, and send the reply; whether the runner
    must be replaced. Batching saves two process wake-ups and a frame per test (~0.5 ms of
    CPU here). ``blobs`` are memfds, all closed here."""
    results, out = [], []
    try:
        at = 1
        if req.get("install") or req.get("drop"):
            n_build = sum(len(b["names"]) for b in _builds(req))
            try:
                install(init, req, blobs[1:1 + n_build])
            except Exception as exc:
                send(ctl_out, {"results": [{"status": "runner_error",
                                            "message": f"install: {exc!r}"}]}, b"", b"", b"")
                return False
            at += n_build
        held, cut = 0, False
        _open_build(init, req, True)
        for test in req["tests"]:
            if held > REPLY_BUDGET:
                cut = True                  # the supervisor sends the rest again
                break
            n_files = len(test.get("files", ()))
            stdin, extra, files = blobs[at], blobs[at + 1], blobs[at + 2:at + 2 + n_files]
            try:
                if "peer" in test:              # a program and its interactor
                    from . import interactive
                    header, o, at = interactive.run(test, blobs[0], blobs, at, init)
                else:
                    at += 2 + n_files
                    header, o = run_one(test, blobs[0], stdin, extra, init, files)
            except Exception as exc:        # report, do not die: the supervisor decides
                header, o = {"status": "runner_error", "message": repr(exc)}, [b"", b"", b""]
            results.append(header)
            out += o
            held += sum(_size(x) for x in o)
            if header["status"] in ("runner_error", "setup_failed") or header.get("restart"):
                break                       # the supervisor reruns the rest elsewhere
        _open_build(init, req, False)
        send(ctl_out, {"results": results, "cut": True} if cut else {"results": results}, *out)
        return bool(results and results[-1].get("restart"))
    finally:
        for fd in [*blobs, *(x for x in out if isinstance(x, int))]:
            os.close(fd)


def _size(blob) -> int:
    return os.fstat(blob).st_size if isinstance(blob, int) else len(blob)


if __name__ == "__main__":
    main()
