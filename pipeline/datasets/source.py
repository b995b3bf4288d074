"""Read the rows of a dataset source: a local file or folder, or a Hugging Face dataset id.

Local files: ``.jsonl`` (optionally ``.gz``), ``.json`` (an array of objects, or one object per
line), ``.parquet``; a folder of such files (read in name order), or a folder written by
``datasets.Dataset.save_to_disk``. Anything else that looks like ``owner/name`` is loaded with
``datasets.load_dataset``, which works offline from its local cache when
``HF_DATASETS_OFFLINE=1``.

>>> import json, tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "a.jsonl").write_text(json.dumps({"x": 1}) + "\\n\\n" + json.dumps({"x": 2}))
>>> [r["x"] for r in read_rows(d / "a.jsonl")]
[1, 2]
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from ..io import InputError

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".json", ".json.gz", ".parquet")


def read_rows(source: str | Path, *, subset: str | None = None,
              split: str | None = None) -> list[dict[str, Any]]:
    """All rows of ``source`` as plain dicts (nested values as lists and dicts).

    ``subset`` and ``split`` select a Hugging Face config and split (``split`` defaults to
    ``test``); for local files they are ignored here (adapters may filter by split).
    """
    path = Path(source)
    if path.is_dir():
        if (path / "dataset_info.json").exists() or (path / "dataset_dict.json").exists():
            return _from_hf_disk(path, split)
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(_SUFFIXES))
        if not files:
            raise InputError(f"{source}: no .jsonl, .json or .parquet files in this folder")
        return [row for f in files for row in _read_file(f)]
    if path.is_file():
        return _read_file(path)
    if _HUB_ID.match(str(source)):
        return _from_hub(str(source), subset, split)
    raise InputError(f"{source}: no such file or folder, and not a Hugging Face dataset id "
                     f"(owner/name)")


def _read_file(path: Path) -> list[dict]:
    name = path.name
    if name.endswith(".parquet"):
        return pq.read_table(path).to_pylist()
    if not name.endswith(_SUFFIXES):
        raise InputError(f"{path}: unknown format (use .jsonl, .jsonl.gz, .json or .parquet)")
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        text = f.read()
    if name.endswith((".json", ".json.gz")) and text.lstrip().startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: invalid JSON: {exc}") from None
        rows = data
    else:
        rows = []
        for i, line in enumerate(text.splitlines()):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise InputError(f"{path} line {i + 1}: invalid JSON: {exc.msg}") from None
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise InputError(f"{path} row {i}: expected a JSON object, got {type(row).__name__}")
    return rows


def _from_hf_disk(path: Path, split: str | None) -> list[dict]:
    import datasets

    ds = datasets.load_from_disk(str(path))
    if isinstance(ds, datasets.DatasetDict):
        ds = ds[_pick_split(ds, split, str(path))]
    return ds.to_list()


def _from_hub(name: str, subset: str | None, split: str | None) -> list[dict]:
    import datasets

    try:
        ds = datasets.load_dataset(name, subset, split=split or "test")
    except Exception as exc:        # no network and no cache, unknown id, missing config
        raise InputError(f"{name}: could not load this Hugging Face dataset"
                         f"{f' (config {subset!r})' if subset else ''}: "
                         f"{type(exc).__name__}: {exc}") from None
    return ds.to_list()


def _pick_split(ds, split: str | None, name: str) -> str:
    if split is None:
        if len(ds) == 1:
            return next(iter(ds))
        split = "test"
    if split not in ds:
        raise InputError(f"{name}: no split {split!r}; splits: {', '.join(ds)}")
    return split
