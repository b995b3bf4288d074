"""Where a model's samples of a benchmark live: an append-only log, then a completions table.

Every finished sample is one JSON line appended to ``samples.jsonl`` and flushed to disk
before the next is written, so a run killed at any moment loses at most the requests in
flight. On the next run the log is read back; a last line cut off mid-write is dropped (and
cut from the file), and the samples it holds are not requested again. ``sampling.json``
beside it records what the samples were asked with (model, template, parameters, seed): a
run that would ask differently is refused rather than mixed into the same log.

>>> import tempfile
>>> log = SampleLog(tempfile.mkdtemp())
>>> log.open({"model": "m", "params": {"temperature": 0.0}})
{}
>>> log.append({"problem_id": "a", "sample": 0, "text": "x"})
>>> log.close(); sorted(SampleLog(log.folder).open({"model": "m", "params": {"temperature": 0.0}}))
[('a', 0)]
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pyarrow as pa

from ..io import write_parquet

LOG = "samples.jsonl"
IDENTITY = "sampling.json"
TABLE = "completions.parquet"

COMPLETIONS = pa.schema([
    ("model", pa.string()), ("benchmark", pa.string()), ("problem_id", pa.string()),
    ("solution_id", pa.string()), ("sample", pa.int64()), ("text", pa.string()),
    ("reasoning", pa.string()), ("completion", pa.string()), ("code", pa.string()),
    ("language", pa.string()), ("finish_reason", pa.string()), ("truncated", pa.bool_()),
    ("reasoning_cut", pa.bool_()), ("prompt_tokens", pa.int64()),
    ("completion_tokens", pa.int64()), ("latency_s", pa.float64()),
    ("prompt_sha256", pa.string()), ("finished_at", pa.float64()),
])
"""The completions table: one row per sample. ``text`` is the raw answer, ``reasoning``
what the server returned apart from it, ``completion`` the text judged (reasoning cut out),
``code`` what extraction found in it (null: none)."""


class SamplingMismatch(ValueError):
    """The log in the folder was asked with other settings."""


class SampleLog:
    """The append-only sample log of one (model, benchmark) folder."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.path = self.folder / LOG
        self._file = None

    def open(self, identity: dict) -> dict[tuple[str, int], dict]:
        """Check ``identity`` against the folder's, then the finished samples by
        ``(problem_id, sample)``; the log is then open for :meth:`append`."""
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = self.folder / IDENTITY
        if stamp.exists():
            saved = json.loads(stamp.read_text())
            differ = sorted(k for k in set(saved) | set(identity) if saved.get(k) != identity.get(k))
            if differ:
                raise SamplingMismatch(
                    f"{self.folder}: its samples were asked with other settings "
                    f"({', '.join(f'{k}: {saved.get(k)!r} then, {identity.get(k)!r} now' for k in differ)}); "
                    f"use another --out or remove {self.path.name}")
        else:
            tmp = stamp.with_suffix(".tmp")
            tmp.write_text(json.dumps(identity, indent=2) + "\n")
            tmp.replace(stamp)
        done = self._read()
        self._file = open(self.path, "a", encoding="utf-8")
        return done

    def _read(self) -> dict[tuple[str, int], dict]:
        done: dict[tuple[str, int], dict] = {}
        if not self.path.exists():
            return done
        with open(self.path, "rb") as f:
            data = f.read()
        *lines, tail = data.split(b"\n")
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                key = (str(record["problem_id"]), int(record["sample"]))
            except (ValueError, KeyError, TypeError):
                raise SamplingMismatch(f"{self.path} line {number}: not a sample record") from None
            done.setdefault(key, record)
        if tail:
            # A line with no newline is a write cut off (the process was killed): its sample
            # is not finished, and the next append must start on a line of its own.
            with open(self.path, "r+b") as f:
                f.truncate(len(data) - len(tail))
        return done

    def append(self, record: dict) -> None:
        self._file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def write_table(rows: list[dict], path: str | Path) -> Path:
    """Write the completions table atomically (a reader never sees half a file)."""
    path = Path(path)
    df = pd.DataFrame(rows, columns=COMPLETIONS.names)
    return write_parquet(pa.Table.from_pandas(df, schema=COMPLETIONS, preserve_index=False), path)
