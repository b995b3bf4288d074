"""One sandbox slot: a warm runner process, its uid, its cgroup, and its lifecycle.

A slot runs one test at a time. It starts its runner on first use, restarts it when it
dies or stops answering, and turns every failure of its own into :class:`SandboxError`
(the caller retries, then reports SE), never into a verdict.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import secrets
import select
import signal
import subprocess
import tempfile
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import isolation, languages, records
from .languages import function
from .records import Record, RecordKind
from .budgets import BUILD_BUDGET, CGROUP_HEADROOM, reply_within, request_fits
from .build import BUILDS, Build, CompileUnavailable
from .cgroup import SlotCgroup
from .inside.frames import recv, send
from .inside.process import kill_uid
from .values import Limits, Outcome, Program, SandboxError, Status

log = logging.getLogger("daskjudge.sandbox")

UID_BASE = 36000
UID_COUNT = 1000
START_TIMEOUT_S = 30.0

# bubblewrap's --die-with-parent is PR_SET_PDEATHSIG, which fires when the *thread* that
# spawned it exits. Spawn every runner from one long-lived thread so that a Dask task thread
# retiring never takes a sandbox with it.
_SPAWNER = ThreadPoolExecutor(1, thread_name_prefix="daskjudge-spawn")


def _starved() -> Outcome:
    """The outcome of a test during which the slot's memory cgroup killed the runner: the
    program filled the slot's memory with what outlives it, which is MLE, not SE (retried,
    the same program would kill every fresh runner the same way)."""
    return Outcome(status=Status.EXITED, signal=signal.SIGKILL, oom_killed=True,
                   message="the slot's memory was full after the program ended")


def _build_of(p: Program) -> tuple:
    """Consecutive tests with equal keys share one build."""
    if p.mode == "function":
        return p.mode, p.entry_point, p.signature       # the arguments come on stdin
    return p.mode, p.call


def _interleave(got: list[Outcome], unfit: dict[int, str], n: int) -> list[Outcome]:
    """The outcomes of ``n`` tests: SE where the arguments did not fit, else those that ran
    (cut where they end, when the sandbox failed before the last)."""
    out, ran = [], iter(got)
    for k in range(n):
        o = Outcome(status=Status.SANDBOX_ERROR, message=unfit[k]) if k in unfit else next(ran, None)
        if o is None:
            break
        out.append(o)
    return out


class UidLease:
    """A host-wide unique uid for one slot, held by an flock for the slot's lifetime."""

    def __init__(self) -> None:
        base = Path("/run/lock") if os.access("/run/lock", os.W_OK) else Path(tempfile.gettempdir())
        self.dir = base / "daskjudge-uids"
        self.dir.mkdir(mode=0o755, exist_ok=True)
        for uid in range(UID_BASE, UID_BASE + UID_COUNT):
            fd = os.open(self.dir / f"{uid}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            self.uid, self._fd = uid, fd
            return
        raise SandboxError("no free sandbox uid")

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class Slot:
    """A warm runner with its own uid; runs one :class:`Program` at a time.

    >>> slot = Slot(isolation="auto")
    >>> slot.run(Program("print(input()[::-1])", stdin=b"abc"), Limits()).stdout
    b'cba\\n'
    >>> slot.close()
    """

    def __init__(self, isolation: str = "auto", index: int = 0):
        self.index = index
        self.requested = isolation
        self.level: str | None = None
        self.restarts = 0
        self.tests = 0
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._lease: UidLease | None = None
        self._peer_lease: UidLease | None = None
        """A second uid, an interactor's (it must not share the program's)."""
        self._cgroup: SlotCgroup | None = None
        self._has_cgroup = False
        self._stderr = None
        self.runner_pid: int | None = None
        self._installed: OrderedDict[str, int] = OrderedDict()

    # ----------------------------------------------------------------- lifecycle
    @property
    def uid(self) -> int | None:
        """The uid the slot's programs run as (``None`` when they keep the caller's)."""
        return self._uid_for(self.level)

    def _uid_for(self, level: str | None, lease: UidLease | None = None) -> int | None:
        # Only root can hand a child a uid of its own, and not inside a user namespace.
        lease = lease or self._lease
        if lease is None or level == "rootless" or os.geteuid() != 0:
            return None
        return lease.uid

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> None:
        """Start the runner at the slot's level (chosen once: :func:`.isolation.candidates`);
        raise :class:`SandboxError` if it does not start."""
        if self._lease is None:
            self._lease = UidLease()
        if self._peer_lease is None:
            self._peer_lease = UidLease()
        level = self.level or isolation.candidates(self.requested)[0]
        why = isolation.unavailable(level)
        if why is not None:
            raise SandboxError(f"sandbox could not start ({level}: {why})")
        try:
            self._start(level)
        except Exception as exc:
            self._kill()
            raise SandboxError(f"sandbox could not start ({level}: {exc})") from None
        self.level = level

    def _start(self, level: str) -> None:
        from .seccomp import filter_bpf
        uid = self._uid_for(level)
        if level == "full":
            cmd = isolation.bwrap_command(rootless=False)
        elif level == "rootless":
            cmd = isolation.bwrap_command(rootless=True)
        else:
            cmd = isolation.plain_command()
        scratch = isolation.SCRATCH if level != "none" else tempfile.mkdtemp(prefix="dj-slot-")
        if level == "none":
            os.rmdir(scratch)                    # the runner creates it per test
        bpf = filter_bpf() if level == "full" or uid is not None else b""
        self._stderr = tempfile.TemporaryFile()
        info_r, info_w = os.pipe()
        try:
            kwargs = dict(stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
                          start_new_session=True, close_fds=True)
            if level == "none":
                kwargs["env"] = isolation.RUNNER_ENV
            else:
                kwargs["pass_fds"] = (info_w,)          # same fd number in bwrap
                cmd = cmd[:1] + ["--info-fd", str(info_w)] + cmd[1:]
            self._proc = _SPAWNER.submit(subprocess.Popen, cmd, **kwargs).result()
        finally:
            os.close(info_w)
        try:
            if level == "none":
                self.runner_pid = self._proc.pid
            else:
                self.runner_pid = self._read_info(info_r)
        finally:
            os.close(info_r)
        if level == "full" or (level == "none" and uid is not None):
            self._cgroup = self._cgroup or SlotCgroup(f"slot-{self._lease.uid}")
            self._has_cgroup = self._cgroup.create(pids_max=64)
            if not self._has_cgroup:
                log.warning("slot %d: no memory/pids cgroup on this host; rlimits only, and an "
                            "OOM kill by the kernel shows as RE, not MLE", self.index)
            if self._has_cgroup:
                self._cgroup.add(self.runner_pid)
                self._ooms = self._cgroup.oom_kills()
        env = dict(isolation.SANDBOX_ENV, HOME=scratch, TMPDIR=scratch)
        builds = isolation.BUILDS if level != "none" else tempfile.mkdtemp(prefix="dj-builds-")
        init = {"uid": uid, "gid": uid, "scratch": scratch, "env": env, "bin": builds,
                "peer_uid": self._uid_for(level, self._peer_lease),
                "own_fs": level != "none"}      # scratch's tmpfs dies with the runner
        self._installed = OrderedDict()
        send(self._proc.stdin.fileno(), init, bpf)
        reply = self._reply(START_TIMEOUT_S)
        if not reply or not reply[0].get("ready"):
            raise SandboxError("runner did not become ready: " + self._stderr_tail())

    def _read_info(self, fd: int) -> int:
        deadline = time.monotonic() + START_TIMEOUT_S
        data = b""
        while b"}" not in data:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise SandboxError("bubblewrap gave no child pid: " + self._stderr_tail())
            chunk = os.read(fd, 4096)
            if not chunk:
                raise SandboxError("bubblewrap failed: " + self._stderr_tail())
            data += chunk
        return int(json.loads(data[: data.index(b"}") + 1])["child-pid"])

    def _stderr_tail(self) -> str:
        if self._stderr is None:
            return ""
        try:
            self._stderr.seek(0)
            return self._stderr.read()[-2000:].decode("utf-8", "replace").strip()
        except (OSError, ValueError):
            return ""

    def _reply(self, timeout: float):
        fd = self._proc.stdout.fileno()
        if not select.select([fd], [], [], timeout)[0]:
            return None
        try:
            return recv(fd)
        except (OSError, ValueError):
            return None

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            proc.wait()
            for f in (proc.stdin, proc.stdout):
                try:
                    f.close()
                except OSError:
                    pass
        if self._lease is not None and os.geteuid() == 0:
            # A killed bwrap takes its pid namespace down; without one, sweep the uids.
            kill_uid(self._lease.uid)
            if self._peer_lease is not None:
                kill_uid(self._peer_lease.uid)
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def close(self) -> None:
        with self._lock:
            self._kill()
            if self._cgroup is not None:
                self._cgroup.remove()
            for lease in (self._lease, self._peer_lease):
                if lease is not None:
                    lease.release()
            self._lease = self._peer_lease = None

    # ----------------------------------------------------------------- running
    def run(self, program: Program, limits: Limits) -> Outcome:
        """Run one program; raise :class:`SandboxError` if the sandbox (not the program) fails."""
        done, error = self.run_batch([program], [limits])
        if error:
            raise SandboxError(error)
        return done[0]

    def run_batch(self, programs: list[Program],
                  limits: list[Limits]) -> tuple[list[Outcome], str | None]:
        """Run tests of one program (same code), each in its own child, in one round trip.

        Returns the outcomes of the tests that ran, in order, and, if the sandbox failed
        before the end, why (the caller retries the rest). Never raises for the program.
        """
        code = programs[0].code
        if any(p.code != code for p in programs):
            raise ValueError("a batch holds tests of one program")
        for name in (n for p in programs for n in p.files):
            if not name or "/" in name or name in (".", "..") or "\0" in name:
                raise ValueError(f"a file placed in scratch needs a plain name, got {name!r}")
        lang = None
        if programs[0].language != "python":
            try:
                lang = languages.get(programs[0].language)
                why = lang.missing() if lang else None
            except KeyError as exc:
                why = exc.args[0]
            if why:
                # Not the program's fault and not a passing fault of the sandbox: retrying
                # cannot help, so every test says why at once (SE).
                return [Outcome(status=Status.SANDBOX_ERROR, message=why) for _ in programs], None
        with self._lock:
            try:
                if not self.alive:
                    if self._proc is not None:
                        self.restarts += 1
                        self._kill()
                    self.start()
            except SandboxError as exc:
                return [], str(exc)
            if programs[0].interactor is not None:
                from .interactive import run_batch
                return run_batch(self, lang, programs, limits)
            if lang is not None:
                return self._run_built(lang, programs, limits)
            return self._trip(programs, limits)

    def _trip(self, programs, limits, **build) -> tuple[list[Outcome], str | None]:
        """Run a prefix of ``programs`` (at least one; the caller sends the rest again) in
        one round trip; ``(outcomes, why the sandbox failed)``."""
        n = request_fits(programs)
        programs, limits = programs[:n], limits[:n]
        outcomes, error, ooms = self._round_trip(programs, limits, **build)
        if ooms and len(programs) > 1:
            # The memory cgroup OOM-killed something during the batch; run the tests one
            # by one to know which (an OOM kill is rare, and is MLE for its test only).
            outcomes, error = [], None
            for p, lim in zip(programs, limits):
                try:
                    if not self.alive:
                        self.start()
                except SandboxError as exc:
                    return outcomes, str(exc)
                got, error, oom = self._round_trip([p], [lim], **build)
                if oom and not got:
                    got, error = [_starved()], None
                outcomes += got
                if error:
                    break
        elif ooms and not outcomes:
            outcomes, error = [_starved()], None
        return outcomes, error

    def _run_built(self, lang, programs, limits) -> tuple[list[Outcome], str | None]:
        """Compile (once per source, see :mod:`.build`), then run the build per test.

        Consecutive tests with the same source share a build: every ``stdio`` test of a
        solution, and the tests of an ``assert`` solution that share a test block.
        """
        outcomes: list[Outcome] = []
        i = 0
        while i < len(programs):
            first = programs[i]
            j = i + 1
            while j < len(programs) and _build_of(programs[j]) == _build_of(first):
                j += 1
            group, lims = programs[i:j], limits[i:j]
            source, why, unfit, n = None, None, {}, len(group)
            if first.mode == "function":
                # One build per (solution, signature); each test's arguments go on stdin, and
                # a test whose arguments do not fit the signature is SE on its own.
                source, why, inputs = function.prepare(lang.name, group)
                unfit = {k: x for k, x in enumerate(inputs) if isinstance(x, str)}
                lims = [x for k, x in enumerate(lims) if k not in unfit]
                group = function.with_inputs(group, inputs)
            else:
                try:
                    source = lang.source(first.code, first.mode, first.call)
                except ValueError as exc:       # a test block of no form the harness knows
                    why = f"{lang.name} test block: {exc}"
            if why is not None or not group:
                outcomes += ([Outcome(status=Status.SANDBOX_ERROR, message=why[:2000])] * n
                             if why is not None else _interleave([], unfit, n))
                i = j
                continue
            try:
                build = BUILDS.get(lang, source, languages.pch_for(lang, self.level),
                                   self._compile)
            except CompileUnavailable as exc:
                return outcomes, f"compile failed in the sandbox: {exc}"
            error = None
            if build.error is not None:
                got = [Outcome(status=Status.EXITED, exit_code=1, stderr=build.error.encode(),
                               record=Record(RecordKind.SYNTAX, type="compile error",
                                             message=build.error)) for _ in group]
            else:
                got, error = self._trip(group, [lang.run_limits(x) for x in lims],
                                        build=build, argv=source.run)
                for p, o in zip(group, got):
                    if o.record is None and p.mode == "function":
                        o.record = function.record(o, lang.error_type(
                            o.stderr.decode("utf-8", "replace"), o))
                    elif o.record is None:
                        o.record = lang.record(o, p.mode)
            outcomes += _interleave(got, unfit, n)
            if error or len(got) < len(group):
                # The caller sends the rest again: run past here, the next group's
                # outcomes would stand in for this group's missing ones.
                return outcomes, error
            i = j
        return outcomes, None

    def _compile(self, program: Program, limits: Limits) -> Outcome:
        got, error = self._trip([program], [limits])
        if error:
            return Outcome(status=Status.SANDBOX_ERROR, message=error)
        return got[0]

    def _round_trip(self, programs, limits, build: Build | None = None,
                    argv: tuple[str, ...] = ()) -> tuple[list[Outcome], str | None, bool]:
        if self._has_cgroup:
            self._cgroup.set_memory(max(lim.memory_mb for lim in limits) * (1 << 20)
                                    + CGROUP_HEADROOM)
        tests = [{"mode": p.mode, "entry_point": p.entry_point, "limits": lim.wire()}
                 for p, lim in zip(programs, limits)]
        request: dict = {"tests": tests}
        if build is None:
            blobs = [programs[0].code.encode("utf-8", "surrogatepass")]
        else:
            blobs = [b""]
            if build.key in self._installed:
                self._installed.move_to_end(build.key)
            else:
                drop = []
                while self._installed and sum(self._installed.values()) + build.size > BUILD_BUDGET:
                    drop.append(self._installed.popitem(last=False)[0])
                request.update(install={"key": build.key, "names": list(build.files)},
                               drop=drop)
                blobs += list(build.files.values())
            for p, test, lim in zip(programs, tests, limits):
                test.update(build=build.key,
                            exec=[a.replace("{mem}", str(lim.memory_mb)) for a in argv]
                            + list(p.argv))
        secret, nonces = [], []
        for p, test in zip(programs, tests):
            nonce = None
            if build is None and p.mode == "assert":
                # The test's code and a fresh secret go to the trusted test process only
                # (spliced into a memfd, never into the runner's memory): a record counts
                # as that process's only if it carries the secret.
                nonce = secrets.token_hex(16)
                secret.append(len(blobs) + 1)
                blobs += [p.stdin, f"{nonce}\n{p.call}".encode("utf-8", "surrogatepass")]
            elif build is not None:
                # A build carries its own harness; its test block (with the expected values
                # of a compiled ``assert``) stays out of the sandbox.
                blobs += [p.stdin, b""]
            else:
                blobs += [p.stdin, p.call.encode("utf-8", "surrogatepass")]
            nonces.append(nonce)
            if p.files or p.argv:
                test.update(files=list(p.files), argv=list(p.argv))
                blobs += list(p.files.values())
        if secret:
            request["secret"] = secret
        try:
            send(self._proc.stdin.fileno(), request, *blobs)
        except OSError as exc:
            self._kill()
            return [], f"runner gone before the test: {exc}", False
        reply = self._reply(reply_within(limits))
        if reply is None:
            tail = self._stderr_tail()
            self._kill()
            if self._has_cgroup and self._cgroup.oom_kills() > self._ooms:
                # The memory cgroup killed the runner: what filled it outlives the program
                # that left it (files in scratch, System V segments, kernel objects), and the
                # runner, alone after the program's end, was the only one left to kill.
                self._ooms = self._cgroup.oom_kills()
                return [], "the memory cgroup killed the runner", True
            return [], "runner did not answer" + (f": {tail}" if tail else ""), False
        head, out = reply
        if build is not None and "install" in request:
            self._installed[build.key] = build.size
        oom = False
        if self._has_cgroup:
            ooms = self._cgroup.oom_kills()
            oom, self._ooms = ooms > self._ooms, ooms
        outcomes, error = [], None
        for i, h in enumerate(head["results"]):
            stdout, stderr, rec = out[3 * i:3 * i + 3]
            if h["status"] == "runner_error":
                self._kill()
                error = f"runner error: {h.get('message')}"
                break
            if h["status"] == "setup_failed":
                error = f"sandbox setup failed: {h.get('message')}"
                self._kill()
                break
            # A compiled program's channel is read by its language (``_run_built``).
            record = None if build is not None else records.parse(rec, nonces[i])
            self.tests += 1
            outcomes.append(Outcome(
                status=Status(h["status"]), exit_code=h["exit_code"], signal=h["signal"],
                cpu_s=h["cpu_s"], wall_s=h["wall_s"], memory_mb=h["maxrss_kb"] / 1024.0,
                oom_killed=oom, stdout=stdout, stderr=stderr, record=record, raw_record=rec))
            if h.get("restart"):
                # The verdict stands; the runner could not clean up after the program and
                # exits; a fresh one (with a fresh scratch tmpfs) starts before the next test.
                log.info("slot %d: %s; replacing its runner", self.index, h["restart"])
                self._kill()
                self.restarts += 1
                break
        if error is None and len(outcomes) < len(programs) and self.alive and not head.get("cut"):
            error = "runner stopped the batch early"
        return outcomes, error, oom

    def info(self) -> dict:
        return {"index": self.index, "level": self.level, "alive": self.alive,
                "restarts": self.restarts, "tests": self.tests,
                "uid": self._lease.uid if self._lease else None,
                "peer_uid": self._peer_lease.uid if self._peer_lease else None,
                "cgroup": self._has_cgroup}
