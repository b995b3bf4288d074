"""How a slot's runner is launched, by isolation level.

``full``      bubblewrap as root without a user namespace: own pid, net, mount, IPC and UTS
              namespaces, a minimal read-only filesystem view with a size-capped scratch
              tmpfs, runner as pid 1; children drop to a uid of their own, no capabilities,
              no_new_privs, seccomp; a memory + pids cgroup per slot.
``rootless``  bubblewrap with a user namespace (no root): the same namespaces and view, but
              the child cannot take a uid of its own, so RLIMIT_NPROC counts every process
              of the invoking user. Degraded.
``none``      a plain subprocess runner with rlimits, its own session per test and (as root)
              a uid and seccomp. No namespaces. Degraded.

The level achieved is reported in every run's summary. ``auto`` takes the strongest level
available on the host (:func:`unavailable`) and never steps down from it; CI (``CI=true``)
and configs that ask for ``full`` refuse anything less.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
from pathlib import Path

LEVELS = ("full", "rootless", "none")
INSIDE = Path(__file__).with_name("inside")
"""The package that runs inside the sandbox (standard library only)."""


def _start(parent: str) -> str:
    # The package's folder leaves sys.path once imported: a child forked from the runner
    # must not import a module of the sandbox's own by name.
    return (f"import sys; sys.path.insert(0, {parent!r}); from inside.runner import main; "
            f"del sys.path[0]; main()")
SCRATCH = "/sb/w"          # fixed path inside the view; one test at a time per runner
BUILDS = "/builds"         # compiled builds the runner keeps, read-only to the programs
SANDBOX_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
               "HOME": SCRATCH, "TMPDIR": SCRATCH}
# The runner's environment is exactly this (it is never inherited), so unlike ``-I`` its
# interpreter may read one variable: a fixed string-hash seed. Children are forked from the
# runner and share it, so the order of a set of strings is the same in every slot and every
# run; with per-runner seeds a program printing such a set got AC on one slot and WA on
# another (4 MBPP+ reference solutions failed that way).
RUNNER_ENV = {**SANDBOX_ENV, "PYTHONHASHSEED": "0"}
RUNNER_FLAGS = ("-s", "-P")     # -I without -E: no user site, no script dir on sys.path
# Capabilities the runner (pid 1, root inside) keeps to create scratch for the slot uid,
# drop to it and kill its processes. The child ends with none after setresuid.
RUNNER_CAPS = ("CAP_SETUID", "CAP_SETGID", "CAP_KILL", "CAP_CHOWN", "CAP_DAC_OVERRIDE",
               "CAP_FOWNER")


def interpreter() -> Path:
    """The real interpreter binary (never a pyenv shim: 132 ms vs 9 ms to start)."""
    return Path(os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable))


def _ancestors(path: Path) -> list[Path]:
    return [p for p in reversed(path.parents) if str(p) != "/"]


def bwrap_command(rootless: bool) -> list[str]:
    """The bubblewrap command line that starts a runner.

    Only what a program needs to run is visible: /usr (and the interpreter's prefix when it
    lives elsewhere), the dynamic loader cache, /proc of the slot's own pid namespace, a
    minimal /dev, a root-owned read-only /tmp and the scratch tmpfs. The runner's own code
    sits in a 0700 directory that the child cannot traverse.
    """
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise FileNotFoundError("bubblewrap (bwrap) is not installed")
    cmd = [bwrap, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
           "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--clearenv",
           "--hostname", "sandbox"]
    if rootless:
        cmd += ["--unshare-user", "--uid", "0", "--gid", "0"]
    else:
        cmd += ["--as-pid-1", "--cap-drop", "ALL"]
        for cap in RUNNER_CAPS:
            cmd += ["--cap-add", cap]
    for key, value in RUNNER_ENV.items():
        cmd += ["--setenv", key, value]
    cmd += ["--ro-bind", "/usr", "/usr"]
    for top in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        p = Path("/") / top
        if p.is_symlink():
            cmd += ["--symlink", os.readlink(p), str(p)]
        elif p.is_dir():
            cmd += ["--ro-bind", str(p), str(p)]
    cmd += ["--perms", "0755", "--dir", "/etc"]
    for f in ("/etc/ld.so.cache", "/etc/localtime", "/etc/ssl", "/etc/alternatives"):
        cmd += ["--ro-bind-try", f, f]
    for f in sorted(Path("/etc").glob("java-*")):     # the JDK's conf/ links into /etc
        cmd += ["--ro-bind", str(f), str(f)]
    prefix = Path(os.path.realpath(sys.base_prefix))
    if not str(prefix).startswith("/usr/"):
        for parent in _ancestors(prefix):
            cmd += ["--perms", "0755", "--dir", str(parent)]
        cmd += ["--ro-bind", str(prefix), str(prefix)]
    from .languages.cpp import PCH_ROOT, pch_root
    pch = pch_root()
    try:
        pch.mkdir(parents=True, exist_ok=True)
        cmd += ["--ro-bind", str(pch), PCH_ROOT]     # filled later by the host: C++ headers
    except OSError:
        pass
    cmd += ["--proc", "/proc", "--dev", "/dev",
            "--perms", "0755", "--size", str(64 << 20), "--tmpfs", "/tmp",
            "--perms", "0755", "--size", str(512 << 20), "--tmpfs", "/sb",
            "--perms", "0755", "--size", str(160 << 20), "--tmpfs", BUILDS,
            "--perms", "0700", "--dir", "/.runner",
            "--ro-bind", str(INSIDE), "/.runner/inside",
            "--", str(interpreter()), *RUNNER_FLAGS, "-c", _start("/.runner")]
    return cmd


def plain_command() -> list[str]:
    """The runner as a plain subprocess (isolation ``none``)."""
    return [str(interpreter()), *RUNNER_FLAGS, "-c", _start(str(INSIDE.parent))]


def unreadable_for_others(path: Path) -> Path | None:
    """The first folder on the way to ``path`` (included) that other users cannot enter."""
    for folder in [*_ancestors(path), path]:
        try:
            if not folder.stat().st_mode & 0o001:
                return folder
        except OSError:
            return folder
    return None


@functools.lru_cache(maxsize=None)
def unavailable(level: str) -> str | None:
    """Why ``level`` cannot work on this host, or ``None``; probed once per process.

    ``auto`` takes the first available level and stays there: a start that fails at an
    available level is a sandbox failure (retried, then SE), never a quiet step down. A
    host busy with package installs once timed a ``full`` start out, the slot fell back to
    ``none``, and there its programs (as the slot's uid) could not read the interpreter's
    standard library under a 0700 home: ``import glob`` was ModuleNotFoundError, and
    correct programs were RE.
    """
    import subprocess
    if level == "none":
        if os.geteuid() != 0:
            return None                 # programs keep the caller's uid: they read what it reads
        lib = Path(os.path.realpath(sys.base_prefix))
        blocked = unreadable_for_others(lib) or unreadable_for_others(interpreter())
        if blocked is not None:
            return (f"programs run as an unprivileged uid and cannot enter {blocked} (mode "
                    f"{blocked.stat().st_mode & 0o777:04o}), where the interpreter's standard "
                    f"library lives")
        return None
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "bubblewrap (bwrap) is not installed"
    if level == "full" and os.geteuid() != 0:
        return "full isolation needs root (it gives every slot a uid of its own)"
    probe = [bwrap, "--unshare-pid", "--unshare-ipc", "--unshare-net", "--die-with-parent",
             "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev"]
    if level == "rootless":
        probe += ["--unshare-user", "--uid", "0", "--gid", "0"]
    else:
        probe += ["--as-pid-1", "--cap-drop", "ALL"]
    try:
        r = subprocess.run([*probe, "true"], capture_output=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"bubblewrap does not run here: {exc}"
    if r.returncode:
        return "bubblewrap does not run here: " + r.stderr.decode("utf-8", "replace").strip()[-300:]
    return None


def ci_requires_full() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def candidates(requested: str) -> list[str]:
    """The level to start at for a requested level (``auto`` or a level name): for ``auto``
    the strongest available here (see :func:`unavailable`), alone."""
    if requested == "auto":
        if ci_requires_full():
            return ["full"]
        levels = ["full", "rootless", "none"] if os.geteuid() == 0 else ["rootless", "none"]
        return [next((lv for lv in levels if unavailable(lv) is None), levels[0])]
    if requested not in LEVELS:
        raise ValueError(f"isolation must be one of auto, {', '.join(LEVELS)}; got {requested!r}")
    if requested != "full" and ci_requires_full():
        raise RuntimeError(f"isolation {requested!r} refused: CI=true requires full isolation")
    return [requested]
