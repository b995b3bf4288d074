"""The seccomp filter every sandboxed child loads, compiled once per process.

A denylist with default ALLOW, as isolate does: the namespaces and the uid drop do the main
work, the filter removes kernel surface that namespaces do not cover (keyrings, io_uring,
ptrace, mounts, new namespaces, network sockets). An allowlist in DMOJ's style is stronger
but breaks with every interpreter release. Compiling with libseccomp in each child costs
~1.2 ms (measured); the runner instead loads these precompiled BPF bytes with one prctl.
"""

from __future__ import annotations

import errno
import functools
import os
import tempfile

# Syscalls no judged program needs; each returns EPERM.
DENIED = (
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp",
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "move_mount",
    "open_tree", "fsopen", "fsmount", "fsconfig", "fspick", "mount_setattr",
    "swapon", "swapoff", "reboot", "kexec_load", "kexec_file_load", "init_module",
    "finit_module", "delete_module", "acct", "settimeofday", "clock_settime", "clock_adjtime",
    "adjtimex", "sethostname", "setdomainname", "iopl", "ioperm", "quotactl",
    "perf_event_open", "bpf", "userfaultfd", "keyctl", "add_key", "request_key",
    "io_uring_setup", "io_uring_enter", "io_uring_register", "open_by_handle_at",
    "name_to_handle_at", "fanotify_init", "syslog", "vhangup", "personality",
    "lookup_dcookie", "nfsservctl", "uselib", "ustat", "sysfs", "_sysctl",
    # Host-wide writeback, not namespaced: a process inside sync() or syncfs() on the read-only
    # /usr bind waits for the host's dirty pages, unkillable, while the runner waits to reap
    # it; nothing a judged program does needs them (fsync of its own files still works).
    "sync", "syncfs",
)
CLONE_NEW_FLAGS = (
    0x00020000,  # CLONE_NEWNS
    0x02000000,  # CLONE_NEWCGROUP
    0x04000000,  # CLONE_NEWUTS
    0x08000000,  # CLONE_NEWIPC
    0x10000000,  # CLONE_NEWUSER
    0x20000000,  # CLONE_NEWPID
    0x40000000,  # CLONE_NEWNET
    0x00000080,  # CLONE_NEWTIME
)
AF_UNIX = 1
TIOCSTI = 0x5412


@functools.lru_cache(maxsize=1)
def filter_bpf() -> bytes:
    """Return the filter as raw BPF (``struct sock_filter`` array) for ``prctl``.

    >>> len(filter_bpf()) % 8
    0
    """
    import pyseccomp as sc

    f = sc.SyscallFilter(defaction=sc.ALLOW)
    for name in DENIED:
        try:
            f.add_rule(sc.ERRNO(errno.EPERM), name)
        except (RuntimeError, ValueError, OSError):
            pass                                # not a syscall on this architecture
    for flag in CLONE_NEW_FLAGS:
        f.add_rule(sc.ERRNO(errno.EPERM), "clone", sc.Arg(0, sc.MASKED_EQ, flag, flag))
    # clone3 passes its flags in memory where BPF cannot look; glibc falls back to clone.
    f.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
    f.add_rule(sc.ERRNO(errno.EACCES), "socket", sc.Arg(0, sc.NE, AF_UNIX))
    f.add_rule(sc.ERRNO(errno.EACCES), "socketpair", sc.Arg(0, sc.NE, AF_UNIX))
    f.add_rule(sc.ERRNO(errno.EPERM), "ioctl", sc.Arg(1, sc.EQ, TIOCSTI))
    with tempfile.TemporaryFile() as tmp:
        f.export_bpf(tmp)
        tmp.seek(0)
        data = tmp.read()
    if not data or len(data) % 8:
        raise RuntimeError("libseccomp produced no filter")
    return data


def available() -> str | None:
    """``None`` when a filter can be built here, else the reason it cannot."""
    try:
        filter_bpf()
    except Exception as exc:  # missing libseccomp, unsupported architecture
        return f"seccomp filter unavailable: {exc}"
    return None


__all__ = ["filter_bpf", "available", "DENIED"]

if __name__ == "__main__":  # pragma: no cover
    print(len(filter_bpf()), "bytes", os.uname().machine)
