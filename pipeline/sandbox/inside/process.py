"""A test's processes and what they leave, for the runner (:mod:`.runner`) and an
interactive test (:mod:`.interactive`) alike: fork them, kill them, remove their System V
objects and their scratch folder, and place their files.

Runs in the warm runner (standard library only); :func:`start` sets it up once there.
"""

from __future__ import annotations

import os
import signal

NULL = -1
"""``/dev/null``, open for reading and writing (:func:`start`): where what is not kept goes."""
_libc_fork = None


def start() -> None:
    """Open :data:`NULL` and bind libc's fork (:func:`fork`), once, in the runner."""
    global _libc_fork, NULL
    import ctypes
    _libc_fork = ctypes.PyDLL(None).fork
    _libc_fork.restype = ctypes.c_int
    NULL = os.open(os.devnull, os.O_RDWR)


def count_ipc() -> None:
    """Make the System V counter before the first test (:func:`sweep_ipc` needs it)."""
    global _IPC_COUNT
    _IPC_COUNT = _IpcCount()


def kill_all(pids: list[int], init: dict) -> None:
    """Kill every process the test started, strays and daemons included."""
    if os.getpid() == 1:
        # pid 1 of a pid namespace: kill(-1) reaches every other process in it, at once.
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return
    for pid in pids:
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


# /proc/sysvipc columns: the object's id, and the uid of its creator.
_IPC = {"shm": (1, 9), "msg": (1, 9), "sem": (1, 6)}


class _IpcCount:
    """Whether any System V object exists in the runner's IPC namespace: three ``*_INFO``
    calls (~3 us) where reading ``/proc/sysvipc`` costs ~40 us per test."""

    def __init__(self) -> None:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        self.calls = ((libc.shmctl, (0, 14), 0),       # SHM_INFO: shm_info.used_ids
                      (libc.msgctl, (0, 12), 0),       # MSG_INFO: msginfo.msgpool
                      (libc.semctl, (0, 0, 19), 28))   # SEM_INFO: seminfo.semusz
        self.buf = ctypes.create_string_buffer(256)

    def any(self) -> bool:
        for call, args, at in self.calls:
            if call(*args, self.buf) < 0:
                return True                 # cannot tell: look properly
            if int.from_bytes(self.buf.raw[at:at + 4], "little", signed=True) > 0:
                return True
        return False


_IPC_COUNT: _IpcCount | None = None


def sweep_ipc(uid: int) -> None:
    """Remove the System V shared memory, message queues and semaphores the slot's uid
    left: they outlive the processes (one IPC namespace per runner), and a segment left by
    one solution was charged to the slot's memory cgroup until a later correct one was MLE.

    The runner lacks CAP_SYS_ADMIN (and CAP_IPC_OWNER), so it removes them as their owner.
    """
    global _IPC_COUNT
    if _IPC_COUNT is None:
        _IPC_COUNT = _IpcCount()
    if not _IPC_COUNT.any():
        return
    found = []
    for kind, (id_col, uid_col) in _IPC.items():
        try:
            with open(f"/proc/sysvipc/{kind}") as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if len(cols) > uid_col and cols[uid_col] == str(uid):
                found.append((kind, int(cols[id_col])))
    if not found:
        return
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    ipc_rmid = 0
    os.setresuid(-1, uid, -1)
    try:
        for kind, ident in found:
            if kind == "shm":
                libc.shmctl(ident, ipc_rmid, None)
            elif kind == "msg":
                libc.msgctl(ident, ipc_rmid, None)
            else:
                libc.semctl(ident, 0, ipc_rmid)
    finally:
        os.setresuid(-1, 0, -1)


# Names in the scratch tmpfs past which removing them one by one is left to the kernel
# (see clear_scratch). shutil.rmtree removes ~50,000 a second here; five processes making
# directories for a 5 s wall made ~500,000, and the reply came after the supervisor's 10 s
# of grace: "runner did not answer", SE, three times over. 5,000 take ~0.1 s, well within
# the second of grace each test of a batch has (``budgets.TEST_GRACE_S``).
MANY_NAMES = 5_000


def clear_scratch(path: str, own_fs: bool = False) -> str | None:
    """Remove scratch; return why it could not be removed, if it could not.

    shutil.rmtree is fd-based and never follows a symlink planted in scratch. A tree built
    to defeat it (a chain of thousands of directories exhausts its recursion), or one with
    more names than it removes in well under a second (``own_fs``: scratch lives in a tmpfs
    of this runner's, whose used inodes count every name, hard links included), is not the
    program's verdict to change: the supervisor replaces this runner after the reply, and
    the scratch tmpfs dies with the old runner's mount namespace, all at once.
    """
    import shutil
    if own_fs:
        try:
            fs = os.statvfs(os.path.dirname(path))
            names = fs.f_files - fs.f_ffree
        except OSError:
            names = 0
        if names > MANY_NAMES:
            return f"scratch holds {names} names"
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


def place_files(scratch: str, names: list, blobs: list[int]) -> None:
    """Write the run's input files into scratch, read-only for the program."""
    for name, data in zip(names, blobs):
        if not name or "/" in name or name in (".", ".."):
            raise ValueError(f"bad file name {name!r}")
        write_new(os.path.join(scratch, name), data, 0o444)


def write_new(path: str, data: int, mode: int) -> None:
    """Create ``path`` (never through a link, never over a file) and copy the memfd
    ``data`` into it, in the kernel."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    try:
        at, size = 0, os.fstat(data).st_size
        while at < size:
            at += os.sendfile(fd, data, at, size - at)
    finally:
        os.close(fd)


def plain_name(name: str) -> str:
    if not name or "/" in name or name in (".", "..") or "\0" in name:
        raise ValueError(f"bad file name {name!r}")
    return name


def drain(fd: int) -> bytes:
    """What a child's set-up wrote on its own pipe (empty when it succeeded)."""
    os.set_blocking(fd, False)
    try:
        return os.read(fd, 4096)
    except BlockingIOError:
        return b""




def fork() -> int:
    """fork(2) without CPython's after-fork work.

    ``os.fork`` re-initialises the interpreter's thread and lock state and runs every
    ``os.register_at_fork`` hook in the child; in this single-threaded runner that work is
    not needed and cost ~190 page faults (~1 ms) per test here. PyDLL keeps the GIL held
    across the call. The child reseeds ``random`` itself, the only hook that matters.
    """
    pid = _libc_fork()
    if pid < 0:
        raise OSError("fork failed")        # never a pid of -1: kill(-1) is everyone
    return pid
