"""Interactive runs on a slot: the supervisor's half (the runner's is :mod:`.inside.interactive`).

A batch of interactive tests of one program and one interactor goes to the slot's runner
in one round trip, like any batch. Either side may be compiled (:mod:`.build`, once per
source); a compiled interactor is installed for the interactor's uid alone (its folder
open to that uid's group, and only while its tests run). Every blob of the request, the
interactor's source (Python) and its files (the test's input, the answer) included,
reaches the runner as a memfd it never reads, so no program forked from it can find them
in its memory; the outputs come back the same way.

Each test's :class:`~.values.Outcome` is the program's, with the interactor's own in
:attr:`~.values.Outcome.interactor`. What they mean is the judges' business
(:mod:`judges.interactor`): the sandbox only reports.

>>> from pipeline.sandbox import Interactor, Limits, Program, SlotPool
>>> echo = Interactor("import sys\\nprint(5, flush=True)\\nsys.exit(0 if input() == '25' else 1)",
...                   files={"input.txt": b""}, argv=("input.txt", "output.txt"))
>>> with SlotPool(1) as pool:
...     o = pool.run(Program("print(int(input()) ** 2)", interactor=echo), Limits())
>>> o.status.value, o.exit_code, o.interactor.status.value, o.interactor.exit_code
('exited', 0, 'exited', 0)
"""

from __future__ import annotations

import logging
import signal

from . import languages, records
from .budgets import BUILD_BUDGET, CGROUP_HEADROOM, reply_within, request_fits
from .build import BUILDS, CompileUnavailable
from .inside.frames import send
from .records import Record, RecordKind
from .values import Limits, Outcome, Program, SandboxError, Status

log = logging.getLogger("daskjudge.sandbox")

PEER_KEY = "peer-"
"""Prefix of an interactor's installed build (its own copy, readable by its uid only)."""


def run_batch(slot, lang, programs: list[Program],
              limits: list[Limits]) -> tuple[list[Outcome], str | None]:
    """Run interactive tests of one program and one interactor on ``slot`` (its lock
    held); same contract as :meth:`.slot.Slot.run_batch`."""
    peer = programs[0].interactor
    for p in programs:
        i = p.interactor
        if i is None or (i.code, i.language) != (peer.code, peer.language):
            raise ValueError("a batch holds tests of one program and one interactor")
        for name in (*i.files, i.output):
            if not name or "/" in name or name in (".", "..") or "\0" in name:
                raise ValueError(f"an interactor's file needs a plain name, got {name!r}")
        if i.output in i.files:
            raise ValueError(f"the interactor's output {i.output!r} is one of its input files")
    try:
        plang = languages.get(peer.language)
        why = plang.missing() if plang else None
    except KeyError as exc:
        plang, why = None, exc.args[0]
    if why:
        return [Outcome(status=Status.SANDBOX_ERROR, message=f"interactor: {why}")
                for _ in programs], None
    try:
        build = _build(slot, lang, programs[0].code, "stdio")
        pbuild = _build(slot, plang, peer.code, "script")
    except CompileUnavailable as exc:
        return [], f"compile failed in the sandbox: {exc}"
    if build and build[0].error is not None:
        error = build[0].error
        return [Outcome(status=Status.EXITED, exit_code=1, stderr=error.encode(),
                        record=Record(RecordKind.SYNTAX, type="compile error", message=error),
                        interactor=Outcome(status=Status.STOPPED,
                                           message="the program did not compile"))
                for _ in programs], None
    if pbuild and pbuild[0].error is not None:
        error = pbuild[0].error
        return [Outcome(status=Status.STOPPED, message="the interactor did not compile",
                        interactor=Outcome(status=Status.EXITED, exit_code=1,
                                           stderr=error.encode(),
                                           record=Record(RecordKind.SYNTAX, type="compile error",
                                                         message=error)))
                for _ in programs], None
    n = request_fits(programs)              # the caller sends the rest again
    programs, limits = programs[:n], limits[:n]
    outcomes, error, oom = _round_trip(slot, lang, plang, build, pbuild, programs, limits)
    if oom and len(programs) > 1:
        # Someone was OOM-killed during the batch: run the tests one by one to know which.
        outcomes, error = [], None
        for p, lim in zip(programs, limits):
            try:
                if not slot.alive:
                    slot.start()
            except SandboxError as exc:
                return outcomes, str(exc)
            got, error, oom = _round_trip(slot, lang, plang, build, pbuild, [p], [lim])
            if oom and not got:
                got, error = [_starved()], None
            outcomes += got
            if error:
                break
    elif oom and not outcomes:
        outcomes, error = [_starved()], None
    return outcomes, error


def _starved() -> Outcome:
    """A test during which the slot's memory cgroup killed the runner (as
    :func:`.slot._starved`: what filled it outlived the processes): the program's MLE. The
    interactor is the problem's own code; what the program left is the cause to suspect, and
    retried, the same program would starve every fresh runner the same way."""
    return Outcome(status=Status.EXITED, signal=signal.SIGKILL, oom_killed=True,
                   message="the slot's memory was full after the program ended",
                   interactor=Outcome(status=Status.STOPPED,
                                      message="the runner was killed for memory"))


def _build(slot, lang, code: str, mode: str):
    """``(build, source)`` of a compiled side, ``None`` for Python."""
    if lang is None:
        return None
    source = lang.source(code, mode, "")
    return BUILDS.get(lang, source, languages.pch_for(lang, slot.level), slot._compile), source


def _installs(slot, wanted: list) -> tuple[list[dict], list[str], list[bytes]]:
    """What the runner must install (and may drop) for ``wanted`` builds: ``(key, build,
    owner)``; the slot's record of its installed builds is updated after the reply."""
    installs, drops, blobs = [], [], []
    keys = {key for key, _, _ in wanted}
    for key, build, owner in wanted:
        if key in slot._installed:
            slot._installed.move_to_end(key)
            continue
        while (slot._installed and next(iter(slot._installed)) not in keys
               and sum(slot._installed.values()) + build.size > BUILD_BUDGET):
            drops.append(slot._installed.popitem(last=False)[0])
        entry = {"key": key, "names": list(build.files)}
        if owner:
            entry["owner"] = owner
        installs.append(entry)
        blobs += list(build.files.values())
    return installs, drops, blobs


def _argv(source, limits: Limits, argv) -> list[str]:
    return [a.replace("{mem}", str(limits.memory_mb)) for a in source.run] + list(argv)


def _round_trip(slot, lang, plang, build, pbuild, programs, limits):
    peer = programs[0].interactor
    plims = [plang.run_limits(p.interactor.limits) if plang else p.interactor.limits
             for p in programs]
    run_limits = [lang.run_limits(lim) if lang else lim for lim in limits]
    if slot._has_cgroup:
        # Both processes are charged to the slot's cgroup.
        slot._cgroup.set_memory(max(lim.memory_mb + plim.memory_mb
                                    for lim, plim in zip(limits, plims))
                                * (1 << 20) + CGROUP_HEADROOM)
    wanted = []
    if build:
        wanted.append((build[0].key, build[0], None))
    if pbuild:
        wanted.append((PEER_KEY + pbuild[0].key, pbuild[0], "peer"))
    installs, drops, install_blobs = _installs(slot, wanted)
    code = b"" if build else programs[0].code.encode("utf-8", "surrogatepass")
    blobs: list[bytes] = [code, *install_blobs]
    request: dict = {"tests": []}
    if installs or drops:
        request.update(install=installs, drop=drops)
    for p, lim, plim in zip(programs, run_limits, plims):
        test: dict = {"mode": "interactive", "entry_point": None, "limits": lim.wire()}
        if build:
            test.update(build=build[0].key, exec=_argv(build[1], lim, p.argv))
        mine = p.interactor                             # its files are this test's
        ptest = {"limits": plim.wire(), "files": list(mine.files), "argv": list(mine.argv),
                 "output": mine.output}
        if pbuild:
            ptest.update(build=PEER_KEY + pbuild[0].key, exec=_argv(pbuild[1], plim, mine.argv))
        test["peer"] = ptest
        blobs += [b"", b""]                             # stdin and call: unused
        if p.files or p.argv:
            test.update(files=list(p.files), argv=list(p.argv))
            blobs += list(p.files.values())
        blobs.append(b"" if pbuild else peer.code.encode("utf-8", "surrogatepass"))
        blobs += list(mine.files.values())
        request["tests"].append(test)
    try:
        send(slot._proc.stdin.fileno(), request, *blobs)
    except OSError as exc:
        slot._kill()
        return [], f"runner gone before the test: {exc}", False
    reply = slot._reply(reply_within(limits))
    if reply is None:
        tail = slot._stderr_tail()
        slot._kill()
        if slot._has_cgroup and slot._cgroup.oom_kills() > slot._ooms:
            # The memory cgroup killed the runner (see Slot._round_trip).
            slot._ooms = slot._cgroup.oom_kills()
            return [], "the memory cgroup killed the runner", True
        return [], "runner did not answer" + (f": {tail}" if tail else ""), False
    head, out = reply
    installed = {entry["key"] for entry in installs}
    for key, built, _ in wanted:
        if key in installed:
            slot._installed[key] = built.size
    oom = False
    if slot._has_cgroup:
        ooms = slot._cgroup.oom_kills()
        oom, slot._ooms = ooms > slot._ooms, ooms
    outcomes, error, at = [], None, 0
    for h in head["results"]:
        n = 7 if "peer" in h else 3
        blob = out[at:at + n]
        at += n
        if h["status"] == "runner_error":
            slot._kill()
            error = f"runner error: {h.get('message')}"
            break
        if h["status"] == "setup_failed":
            slot._kill()
            error = f"sandbox setup failed: {h.get('message')}"
            break
        o = _outcome(h, blob[1], blob[2], oom)
        o.record = lang.record(o, "stdio") if build else records.parse(blob[2])
        pi = _outcome(h["peer"], blob[4], blob[5], oom)
        pi.output_file = blob[6]
        pi.ended_first = bool(h["peer"].get("first"))
        pi.record = plang.record(pi, "stdio") if pbuild else records.parse(blob[5])
        o.interactor = pi
        slot.tests += 1
        outcomes.append(o)
        if h.get("restart"):
            log.info("slot %d: %s; replacing its runner", slot.index, h["restart"])
            slot._kill()
            slot.restarts += 1
            break
    if error is None and len(outcomes) < len(programs) and slot.alive and not head.get("cut"):
        error = "runner stopped the batch early"
    return outcomes, error, oom


def _outcome(h: dict, stderr: bytes, raw_record: bytes, oom: bool) -> Outcome:
    return Outcome(status=Status(h["status"]), exit_code=h["exit_code"], signal=h["signal"],
                   cpu_s=h["cpu_s"], wall_s=h["wall_s"], memory_mb=h["maxrss_kb"] / 1024.0,
                   oom_killed=oom, stderr=stderr, raw_record=raw_record,
                   message=h.get("message", ""))
