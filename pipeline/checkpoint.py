"""An output folder's lock and its checkpoint of finished partitions.

A run with an output folder holds an exclusive lock on it (two runs writing the same
results would interleave them), writes its partition plan, then every partition's test
rows as soon as the partition is done, each file written atomically. A run killed at any
point (a preempted batch node) leaves only whole files behind; ``resume`` reuses them when
the inputs and the judging config are the same, and refuses when they are not. The final
tables are written last, ``summary.json`` after them, and then the checkpoint is removed:
a folder with a ``summary.json`` holds a finished run.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .io import TESTS_OUT, write_table

LOCK = ".daskjudge.lock"
FOLDER = "checkpoint"


class OutputBusy(RuntimeError):
    """Another run holds the output folder."""


class CheckpointMismatch(ValueError):
    """The checkpoint in the output folder belongs to other inputs or another config."""


def digest(*tables: pa.Table | pd.DataFrame) -> str:
    """sha256 of tables' content (as Arrow IPC streams), so two runs' inputs can be compared.

    >>> digest(pd.DataFrame({"a": [1]})) == digest(pd.DataFrame({"a": [2]}))
    False
    """
    h = hashlib.sha256()
    for table in tables:
        if isinstance(table, pd.DataFrame):
            table = pa.Table.from_pandas(table, preserve_index=False)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        h.update(sink.getvalue())
    return h.hexdigest()


def fingerprint(config_hash: str, problems: pd.DataFrame, solutions: pd.DataFrame) -> str:
    """A hash of everything that decides the verdicts: the judging config, every problem's
    tests, judge and limits, and every solution's code.

    >>> p = pd.DataFrame({"problem_id": ["a"], "tests": [[{"input": "", "output": "1"}]]})
    >>> s = pd.DataFrame({"problem_id": ["a"], "solution_id": ["x"], "code": ["print(1)"]})
    >>> fingerprint("c", p, s) == fingerprint("c", p, s.assign(code="print(2)"))
    False
    """
    return digest(pa.table({"config": [config_hash]}), problems, solutions)


def saved(path: str | Path) -> dict | None:
    """What the checkpoint in output folder ``path`` holds, for the message after an
    interruption: partitions and tests finished and planned, and the checkpoint's folder;
    None when no run has planned there.

    >>> import tempfile
    >>> from pipeline.io import empty
    >>> out = tempfile.mkdtemp()
    >>> with OutputFolder(out) as folder:
    ...     _ = folder.start("f1", [[["a", "x", 0, 3]], [["a", "y", 0, 2]]], resume=False)
    ...     folder.save(0, empty(TESTS_OUT))
    >>> {k: v for k, v in saved(out).items() if k != "folder"}
    {'partitions_done': 1, 'partitions': 2, 'tests_done': 0, 'tests': 5}
    """
    folder = Path(path) / FOLDER
    try:
        plan = json.loads((folder / "plan.json").read_text())["plan"]
    except (OSError, ValueError, KeyError):
        return None
    parts = sorted(folder.glob("part-*.parquet"))
    return {"partitions_done": len(parts), "partitions": len(plan),
            "tests_done": sum(pq.read_metadata(f).num_rows for f in parts),
            "tests": sum(stop - start for part in plan for _, _, start, stop in part),
            "folder": str(folder)}


class OutputFolder:
    """The lock, plan and finished partitions of one output folder (a context manager).

    >>> import tempfile
    >>> from pipeline.io import empty
    >>> with OutputFolder(tempfile.mkdtemp()) as out:
    ...     plan = out.start("f1", [[["a", "x", 0, 1]]], resume=False)
    ...     out.save(0, empty(TESTS_OUT))
    ...     sorted(out.finished())
    [0]
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.folder = self.path / FOLDER
        self._lock = None

    def __enter__(self) -> "OutputFolder":
        self.path.mkdir(parents=True, exist_ok=True)
        lock = open(self.path / LOCK, "a+")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "another process"
            lock.close()
            raise OutputBusy(f"{self.path} is being written by another daskjudge run "
                             f"({holder}); wait for it or choose another --out") from None
        lock.seek(0)
        lock.truncate()
        lock.write(f"pid {os.getpid()} on {os.uname().nodename}\n")
        lock.flush()
        self._lock = lock
        return self

    def __exit__(self, *exc) -> None:
        if self._lock is not None:
            self._lock.close()      # closing releases the flock
            self._lock = None

    def start(self, fingerprint: str, plan: list, resume: bool) -> list:
        """Begin (or, with ``resume``, continue) a run; returns the plan to follow.

        A fresh start discards an old checkpoint and an old summary (the folder no longer
        holds a finished run). A resume keeps the old plan, so that finished partitions
        keep meaning the same rows, and fails if the inputs or config changed.
        """
        manifest = self.folder / "plan.json"
        if resume and manifest.is_file():
            saved = json.loads(manifest.read_text())
            if saved.get("fingerprint") != fingerprint:
                raise CheckpointMismatch(
                    f"{self.path}: its checkpoint is of other inputs or another judging "
                    f"config; run without --resume to start over")
            return saved["plan"]
        if self.folder.exists():
            shutil.rmtree(self.folder)
        (self.path / "summary.json").unlink(missing_ok=True)
        self.folder.mkdir()
        tmp = manifest.with_suffix(".tmp")
        tmp.write_text(json.dumps({"fingerprint": fingerprint, "plan": plan}))
        os.replace(tmp, manifest)
        return plan

    def _part(self, i: int) -> Path:
        return self.folder / f"part-{i:06d}.parquet"

    def finished(self) -> dict[int, pd.DataFrame]:
        """The partitions already done, by plan index."""
        out = {}
        for f in sorted(self.folder.glob("part-*.parquet")):
            out[int(f.stem.split("-")[1])] = pq.read_table(f).to_pandas(types_mapper=pd.ArrowDtype)
        return out

    def save(self, i: int, tests: pd.DataFrame) -> None:
        """Keep a finished partition's test rows (atomically: a whole file or none)."""
        write_table(tests, self._part(i), TESTS_OUT)

    def finish(self) -> None:
        """The final tables are written: the checkpoint is no longer needed."""
        shutil.rmtree(self.folder, ignore_errors=True)
