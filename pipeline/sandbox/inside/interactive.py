"""An interactive test inside the sandbox: the program and its interactor, started together.

Runs in the warm runner (standard library only), like :mod:`.runner`. Two processes, each
confined as any program is (its own session, rlimits, the runner's seccomp filter), each
as a uid of its own and in a scratch folder of its own (0700) that the other cannot read:

    interactor stdout ────────i2p────────▶ program stdin
    program stdout    ──▶ runner (relay) ──▶ interactor stdin

Every blob of the test reaches the runner as a memfd it never reads (as for any test,
:mod:`.runner`): the program's code and files, and the interactor's source and files (its
input, and the answer when there is one). The interactor gets its files in its folder,
copied there from their memfds in the kernel (``sendfile``), an empty ``output`` file to
write its message to, and ``argv`` (testlib's ``interactor INPUT OUTPUT``). A Python
interactor reads its source from its memfd in its own process, as a program does
(:func:`.child.start`); a compiled one runs its build, whose folder only its uid's group
may enter, and only while its tests run (:func:`.runner._open_build`).

The program's stdout reaches the interactor through the runner (:class:`_Relay`), spliced
from one pipe to the other in the kernel, and counted against the program's output cap
(OLE): a flood is cut at the cap, and none of it is held in the runner's memory, from
which every later program is forked. What each side writes on stderr or its result
channel, and the interactor's output file, leave as memfds too. Neither process ever gets
EPIPE: once the interactor has ended (decided), what the program still writes is taken
and dropped (and counted), and once the program has ended, so is what the interactor
writes. The program sees the interactor's end (EOF) only after the runner has recorded it,
and the interactor sees the end of the program's output only when the relay passes it on:
when the interactor failed first, the report says so (``first``), and a program failing on
that EOF cannot hide it.

The test ends when both have ended, at the program's wall backstop, or when one of them
passes an output cap. At the backstop the runner decides whose the hang is
(:func:`_blame`): the program's unless the interactor is the one computing, or is not
reading what the program sent; an idle pair (each waiting on the other, as when the
program did not flush) is the program's.

The report is two outcomes: the program's (``status`` …) and the interactor's (``peer``),
each with its own exit status, CPU (the processes of its uid, orphans included) and peak
memory; ``stopped`` is the status of a process the runner ended because the other one's
limit ended the test.
"""

from __future__ import annotations

import fcntl
import os
import select
import signal
import stat
import struct
import termios
import time

from . import child, process

PEER_SUFFIX = "-i"
"""The interactor's scratch folder is the program's, with this suffix (``/sb/w-i``)."""
_IN = select.POLLIN


def run(test: dict, code: int, blobs: list[int], at: int,
        init: dict) -> tuple[dict, list, int]:
    """Run one interactive test whose blobs start at ``blobs[at]``; every blob, and the
    program's ``code``, is a memfd. Return its header, its seven outputs (the program's
    stdout, stderr, record; the interactor's stdout, stderr, record and output file: each
    a memfd, but the two stdouts, which went to the other side and are empty bytes) and the
    index of the next test's blobs."""
    n_files = len(test.get("files", ()))
    call = blobs[at + 1]                    # empty; stdin is unused: the interactor talks
    files = blobs[at + 2:at + 2 + n_files]
    at += 2 + n_files
    peer = test["peer"]
    peer_code = blobs[at]
    n_peer = len(peer.get("files", ()))
    peer_files = blobs[at + 1:at + 1 + n_peer]
    at += 1 + n_peer
    header, outs = run_pair(test, code, call, files, peer, peer_code, peer_files, init)
    return header, outs, at


def _scratch(path: str, uid) -> None:
    os.mkdir(path, 0o700)
    if uid is not None:
        os.chown(path, uid, uid)


def run_pair(test: dict, code: int, call: int, files: list[int], peer: dict, peer_code: int,
             peer_files: list[int], init: dict) -> tuple[dict, list]:
    lim, plim = test["limits"], peer["limits"]
    uid, puid = init.get("uid"), init.get("peer_uid")
    scratch = init["scratch"]
    pscratch = scratch + PEER_SUFFIX
    _scratch(scratch, uid)
    _scratch(pscratch, puid)
    if files:
        process.place_files(scratch, test["files"], files)
    for name, blob in zip(peer.get("files", ()), peer_files):
        process.write_new(os.path.join(pscratch, process.plain_name(name)), blob, 0o444)
    out_path = os.path.join(pscratch, process.plain_name(peer["output"]))
    fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    if puid is not None:
        os.fchown(fd, puid, puid)
    os.close(fd)

    out_r, out_w = os.pipe()        # program stdout -> the runner (the relay)
    in_r, in_w = os.pipe()          # the relay -> interactor stdin
    i2p_r, i2p_w = os.pipe()        # interactor stdout -> program stdin
    err_r, err_w = os.pipe()
    res_r, res_w = os.pipe()
    set_r, set_w = os.pipe()
    perr_r, perr_w = os.pipe()
    pres_r, pres_w = os.pipe()
    pset_r, pset_w = os.pipe()
    peer_init = dict(init, uid=puid, gid=puid, scratch=pscratch)
    peer_req = dict(peer, mode="script")
    start = time.monotonic()
    ipid = process.fork()
    if ipid == 0:
        _interactor(peer_req, peer_init, {0: in_r, 1: i2p_w, 2: perr_w, child.RESULT_FD: pres_w,
                                          child.SETUP_FD: pset_w}, peer_code)
    ppid = process.fork()
    if ppid == 0:
        child.start(dict(test, mode="stdio"), init,
                    {0: i2p_r, 1: out_w, 2: err_w, child.RESULT_FD: res_w,
                     child.SETUP_FD: set_w}, code, call)
    for fd in (out_w, err_w, res_w, set_w, perr_w, pres_w, pset_w):
        os.close(fd)
    # The runner keeps in_r (never read: it tells how much the interactor has not read yet),
    # i2p_r (read once the program has ended, so the interactor never gets EPIPE) and
    # i2p_w: the program sees the interactor's end (EOF) only after the runner has seen it,
    # so a program that fails on that EOF always ends after the interactor.
    pipes = {"out": out_r, "in": in_w, "in_r": in_r, "i2p": i2p_r, "i2p_w": i2p_w,
             "err": err_r, "res": res_r, "perr": perr_r, "pres": pres_r}
    try:
        header, outs = _watch(ppid, ipid, lim, plim, init, start, pipes)
    finally:
        setup = process.drain(set_r) + process.drain(pset_r)
        for fd in (*pipes.values(), set_r, pset_r):
            if fd is not None:
                os.close(fd)
    outs.append(_output_file(out_path, plim["stdout_cap"]))
    for u in {uid, puid} - {None}:
        process.sweep_ipc(u)
    own_fs = init.get("own_fs", False)
    # Both, whatever the first says: a folder left behind would fail the next test's set-up.
    leftover = [process.clear_scratch(path, own_fs) for path in (scratch, pscratch)]
    leftover = leftover[0] or leftover[1]
    if setup:
        header["status"] = "setup_failed"
        header["message"] = setup.decode("utf-8", "replace")
    if leftover:
        header["restart"] = leftover
    return header, outs


def _interactor(req: dict, init: dict, fds: dict, code_fd: int) -> None:
    """The interactor's process after fork(). Never returns. A Python interactor's source
    is read from its memfd here, into this process's memory only (set-up closes the memfd)."""
    exec_ = "exec" in req
    try:
        code = "" if exec_ else child.read_all(code_fd).decode("utf-8", "replace")
        child.prepare(req, init, fds, exec_=exec_)
        os.environ["HOME"] = os.environ["TMPDIR"] = init["scratch"]
        if exec_:
            argv = [a.replace("{bin}", os.path.join(init["bin"], req["build"]))
                    for a in req["exec"]]
            os.execvp(argv[0], argv)
    except BaseException as exc:            # infrastructure failure, not the interactor's
        child.set_up_failed(exc)
    os.close(child.SETUP_FD)
    import atexit
    atexit.register(_flush_files)
    child.run_program(req, code, "")


def _flush_files() -> None:
    """Flush the files the interactor left open, as an interpreter's shutdown would: its
    process ends with ``os._exit`` (:func:`.child.finish`), and a message written to
    ``OUTPUT`` without ``close()`` would be lost."""
    import gc
    import io
    for obj in gc.get_objects():
        if isinstance(obj, io.IOBase):
            try:
                if not obj.closed and obj.fileno() > 2:
                    obj.flush()
            except Exception:
                pass


def _output_file(path: str, cap: int) -> int | bytes:
    """The interactor's output file, first ``cap`` bytes, copied into a memfd in the kernel
    (its message may hold the answer: it never enters the runner's memory); never a link,
    a FIFO or a device (empty bytes then)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return b""
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return b""
        out = os.memfd_create("output", os.MFD_CLOEXEC)
        try:
            at = 0
            while at < cap:
                n = os.sendfile(out, fd, at, cap - at)
                if not n:
                    break
                at += n
        except BaseException:
            os.close(out)
            raise
        return out
    finally:
        os.close(fd)


def _kill_side(uid, pid: int) -> None:
    """Kill what is left of one side (its strays may hold its pipes open)."""
    if uid is not None:
        process.kill_uid(uid)
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class _Relay:
    """The program's stdout on its way to the interactor: spliced from the one pipe to the
    other, in the kernel (its bytes never enter the runner's memory), and counted against
    the program's output cap. Nothing waits in the runner: while the interactor's pipe is
    full the runner stops taking from the program's, which fills, and the program blocks."""

    def __init__(self, poller, out_fd: int, in_fd: int):
        self.poller, self.out_fd, self.in_fd = poller, out_fd, in_fd
        os.set_blocking(in_fd, False)
        self.open = True            # the interactor's stdin is open
        self.reading = True         # the program's stdout is not at its end
        self.full = False           # waiting for room in the interactor's pipe
        poller.register(out_fd, _IN)

    def pump(self) -> int | None:
        """Move what the program wrote on to the interactor, or drop it once the
        interactor's stdin is closed: the bytes taken, 0 at the end of the program's
        output, ``None`` when none could be taken now."""
        if not self.reading or self.full:
            return None
        to = self.in_fd if self.open else process.NULL
        try:
            n = os.splice(self.out_fd, to, 1 << 16, flags=os.SPLICE_F_NONBLOCK)
        except BlockingIOError:
            if self.open and _unread(self.out_fd):
                # The interactor's pipe is full: take no more until it has room.
                self.full = True
                self.poller.unregister(self.out_fd)
                self.poller.register(self.in_fd, select.POLLOUT)
            return None
        if n == 0:
            self.reading = False
            self.poller.unregister(self.out_fd)
            self.close()            # the interactor reads what is in its pipe, then EOF
        return n

    def room(self) -> None:
        """The interactor's pipe has room again."""
        if self.full:
            self.full = False
            self.poller.unregister(self.in_fd)
            self.poller.register(self.out_fd, _IN)

    def close(self) -> None:
        """No more for the interactor (it has ended, or so has the program's output):
        what the program still writes is taken and dropped."""
        if self.open:
            self.open = False
            if self.full:
                self.full = False
                self.poller.unregister(self.in_fd)
                if self.reading:
                    self.poller.register(self.out_fd, _IN)
            os.close(self.in_fd)

    def unread(self, in_r: int) -> int:
        """The program's bytes the interactor has not read: in its pipe."""
        return _unread(in_r) if self.open else 0


def _watch(prog: int, peer: int, lim: dict, plim: dict, init: dict, start: float,
           pipes: dict) -> tuple[dict, list]:
    uid, puid = init.get("uid"), init.get("peer_uid")
    out_fd, i2p = pipes["out"], pipes["i2p"]
    err, res, perr, pres = pipes["err"], pipes["res"], pipes["perr"], pipes["pres"]
    side_of = {err: "program", res: "program", out_fd: "program",
               perr: "peer", pres: "peer", i2p: "peer"}
    caps = {err: lim["stderr_cap"], res: lim["stdout_cap"], out_fd: lim["stdout_cap"],
            perr: plim["stderr_cap"], pres: plim["stdout_cap"], i2p: plim["stdout_cap"]}
    # What is kept of each stream, spliced into a memfd (never read into this process, from
    # which every later program is forked). The stdouts are not kept: each went to the other
    # side, and what one writes after the other has ended is dropped.
    keep = {err: lim["stderr_keep"], res: lim["stdout_cap"],
            perr: plim["stderr_keep"], pres: plim["stdout_cap"]}
    bufs = {fd: os.memfd_create("out", os.MFD_CLOEXEC) for fd in keep}
    stderrs = {err, perr}
    sizes = {fd: 0 for fd in caps}
    pidfds = {os.pidfd_open(prog): "program", os.pidfd_open(peer): "peer"}
    prog_fd = next(fd for fd, side in pidfds.items() if side == "program")
    poller = select.poll()
    relay = _Relay(poller, out_fd, pipes["in"])
    pipes["in"] = None                           # the relay closes it
    open_fds = {out_fd, err, res, perr, pres}
    for fd in (err, res, perr, pres, *pidfds):
        poller.register(fd, _IN)
    ended: dict[str, float] = {}
    status = {"program": None, "peer": None}
    why = ""
    first = False           # the interactor ended while the program still ran and talked
    deadline = start + lim["wall_s"]
    try:
        while len(ended) < 2 or open_fds:
            left = deadline - time.monotonic()
            if left <= 0:
                blamed, why = _blame(ended, prog, peer, uid, puid, relay, pipes)
                status[blamed] = "wall_timeout"
                break
            for fd, event in poller.poll(left * 1000):
                if fd in pidfds:
                    side = pidfds[fd]
                    poller.unregister(fd)
                    ended[side] = time.monotonic()
                    _kill_side(uid if side == "program" else puid,
                               prog if side == "program" else peer)
                    if side == "peer":
                        # It saw neither the program's end nor the end of its output (the
                        # relay has not passed that on), and the program's own end, if it
                        # comes, is after it could see the interactor's.
                        first = relay.reading and not _exited(prog_fd)
                        relay.close()
                        os.close(pipes["i2p_w"])        # now the program may see EOF
                        pipes["i2p_w"] = None
                    else:               # what the interactor still writes is dropped
                        poller.register(i2p, _IN)
                        open_fds.add(i2p)
                    continue
                if fd == relay.in_fd and relay.full:
                    relay.room()            # the program's pipe is taken from again
                    continue
                if fd == out_fd:
                    n = relay.pump()
                    if n is None:
                        continue
                    if not n:
                        open_fds.discard(out_fd)
                        continue
                else:
                    if fd not in open_fds or not event & (_IN | select.POLLHUP | select.POLLERR):
                        continue
                    room = keep.get(fd, 0) - sizes[fd]
                    n = os.splice(fd, bufs[fd] if room > 0 else process.NULL,
                                  min(room, 1 << 16) if room > 0 else 1 << 16)
                    if not n:
                        open_fds.discard(fd)
                        poller.unregister(fd)
                        continue
                sizes[fd] += n
                if sizes[fd] > caps[fd]:
                    status[side_of[fd]] = "stderr_limit" if fd in stderrs else "output_limit"
                    break
            if status["program"] or status["peer"]:
                break
    except BaseException:
        for fd in bufs.values():
            os.close(fd)
        raise
    finally:
        wall = time.monotonic() - start
        process.kill_all([prog, peer], init)
        if puid is not None and os.getpid() != 1:
            process.kill_uid(puid)
        reaped = _reap_sides(puid, peer)
        for fd in pidfds:
            os.close(fd)
        relay.close()
    header = {}
    outs: list = []
    for side, pid, out, err_fd, res_fd in (("program", prog, out_fd, err, res),
                                           ("peer", peer, i2p, perr, pres)):
        statuses, cpu, rss = reaped[side]
        how = status[side] or ("exited" if side in ended else "stopped")
        exit_code = sig = None
        wstatus = statuses.get(pid)
        if how != "stopped" and wstatus is not None:
            if os.WIFEXITED(wstatus):
                exit_code = os.WEXITSTATUS(wstatus)
            elif os.WIFSIGNALED(wstatus):
                sig = os.WTERMSIG(wstatus)
        part = {"status": how, "exit_code": exit_code, "signal": sig, "cpu_s": cpu,
                "wall_s": (ended[side] - start) if side in ended else wall,
                "maxrss_kb": rss, "stdout_bytes": sizes[out],
                "stderr_bytes": sizes[err_fd]}
        if status[side] == "wall_timeout":
            part["message"] = why
        if side == "program":
            header.update(part)
        else:
            header["peer"] = dict(part, first=first)
        # Each one's stdout went to the other: there is none to report.
        outs += [b"", bufs[err_fd], bufs[res_fd]]
    return header, outs


def _exited(pidfd: int) -> bool:
    """Whether the process has ended (not reaped: its status is still to be collected)."""
    try:
        return os.waitid(os.P_PIDFD, pidfd, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def _reap_sides(peer_uid, peer_pid: int) -> dict:
    """Reap every process of the test, each counted on its side by its uid (its pid when
    the two share a uid): wait statuses, CPU seconds and peak resident KiB per side."""
    sides = {"program": ({}, 0.0, 0), "peer": ({}, 0.0, 0)}
    while True:
        try:
            info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOWAIT)
        except ChildProcessError:
            return sides
        if info is None:
            return sides
        side = ("peer" if info.si_pid == peer_pid
                or (peer_uid is not None and info.si_uid == peer_uid) else "program")
        pid, st, ru = os.wait4(info.si_pid, 0)
        statuses, cpu, rss = sides[side]
        statuses[pid] = st
        sides[side] = (statuses, cpu + ru.ru_utime + ru.ru_stime, max(rss, ru.ru_maxrss))


# ------------------------------------------------------------------ whose hang is it

def _pids_of(uid, main: int) -> list[int]:
    if uid is None:
        return [main]
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if os.stat(f"/proc/{name}").st_uid == uid:
                    found.append(int(name))
            except FileNotFoundError:
                pass
    return found


def _running(pids: list[int]) -> bool:
    """Whether any thread of these processes is running or runnable (not waiting)."""
    for pid in pids:
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                with open(f"/proc/{pid}/task/{tid}/stat", "rb") as f:
                    state = f.read().rpartition(b")")[2].split()[:1]
            except OSError:
                continue
            if state == [b"R"]:
                return True
    return False


def _unread(fd: int) -> int:
    """Bytes waiting in a pipe, read by nobody yet."""
    try:
        return struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]
    except OSError:
        return 0


def _blame(ended: dict, prog: int, peer: int, uid, puid, relay: _Relay,
           pipes: dict) -> tuple[str, str]:
    """At the wall backstop: whose hang is it (``program`` or ``peer``), and why.

    A side that has ended is not hanging. With both alive, the interactor is blamed only
    on evidence that holds for a while (two looks, 50 ms apart), and only when the program
    is waiting to hear from it: the program neither runs, nor has more to say than the
    interactor took (a flood), nor leaves unread what it was told. Then the interactor is
    blamed when it is computing, or when what the program said lies unread in its pipe.
    Anything else, an idle pair included, is the program's: a program that does not flush
    its output waits for an answer to a question the interactor never received.
    """
    if "peer" in ended:
        return "program", "the interactor had decided; the program did not end"
    if "program" in ended:
        return "peer", "the program had ended; the interactor did not end"
    for look in range(2):
        if _running(_pids_of(uid, prog)):
            return "program", "the program was still running"
        if _unread(pipes["out"]):
            return "program", "the program wrote more than the interactor read"
        if _unread(pipes["i2p"]):
            return "program", "the program did not read what the interactor wrote"
        peer_busy = _running(_pids_of(puid, peer))
        unread = relay.unread(pipes["in_r"])
        if not peer_busy and not unread:
            return "program", ("idle: the program and the interactor each waited for the "
                               "other (did the program flush its output?)")
        if look == 0:
            time.sleep(0.05)
    if peer_busy:
        return "peer", "the interactor was still computing while the program waited"
    return "peer", f"the interactor did not read the program's {unread} byte(s) waiting for it"
