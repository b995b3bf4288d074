"""A benchmark run from a config that names a dataset: convert (once), then pick solutions.

``daskjudge run configs/humaneval.yaml`` converts the config's dataset into
``OUT/dataset/problems.parquet`` (and the reference ``solutions.parquet``), recording in
``OUT/dataset/dataset.json`` what was converted and what the conversion left out; a later
run with the same dataset settings reuses it. The solutions scored are the model completions
the config (or ``--solutions``) names, taken through the ``extract`` rule, or, with none, the
dataset's reference solutions.
"""

from __future__ import annotations

import hashlib
import json
import sys
from importlib import metadata
from pathlib import Path

import pyarrow.parquet as pq

from .. import io
from ..config import Config, ConfigError
from . import Dataset, load
from .completions import read_completions, to_solutions


def _key(config: Config) -> dict:
    try:
        version = metadata.version("daskjudge")
    except metadata.PackageNotFoundError:
        version = None
    return {"format": config.format, "dataset": config.dataset, "subset": config.dataset_subset,
            "split": config.dataset_split, "trust": config.trust, "daskjudge": version}


def digest(path: Path) -> str:
    """sha256 of a file's bytes (first 16 hex digits), to tell two inputs apart."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:16]


def convert_dataset(config: Config, folder: Path) -> dict:
    """Convert the config's dataset into ``folder`` unless an identical conversion is there."""
    stamp = folder / "dataset.json"
    key = _key(config)
    if stamp.exists() and (folder / "problems.parquet").exists():
        info = json.loads(stamp.read_text())
        if info.get("key") == key:
            info["reused"] = True
            return info
    print(f"daskjudge: converting {config.format} dataset {config.dataset or '(default source)'} "
          f"into {folder}", file=sys.stderr)
    ds: Dataset = load(config.format, config.dataset, subset=config.dataset_subset,
                       split=config.dataset_split, trust=config.trust)
    paths = ds.write(folder)
    info = {"key": key, "problems": ds.problems.num_rows,
            "tests": sum(len(t) for t in ds.problems.column("tests").to_pylist()),
            "reference_solutions": ds.solutions.num_rows if "solutions" in paths else 0,
            "prepend_prompt": ds.prepend_prompt, "notes": ds.notes,
            "problems_sha256": digest(paths["problems"])}
    tmp = stamp.with_suffix(".tmp")
    tmp.write_text(json.dumps(info, indent=2) + "\n")
    tmp.replace(stamp)
    info["reused"] = False
    return info


def prepare(config: Config) -> tuple[Config, dict]:
    """The config with ``problems`` and ``solutions`` pointing at converted tables."""
    if not config.out:
        raise ConfigError(f"{config.source or 'command line'}: an output folder is needed "
                          f"(--out or 'out:' in the config)")
    folder = Path(config.out) / "dataset"
    info = convert_dataset(config, folder)
    problems = folder / "problems.parquet"
    if config.solutions:
        table = io.read_problems(problems)
        cols, stats = to_solutions(read_completions(config.solutions), table,
                                   rule=config.extract, on_missing=config.on_missing,
                                   prepend_prompt=info["prepend_prompt"],
                                   name=str(config.solutions))
        solutions = folder / "completions.parquet"
        checked = io.read_solutions(cols, table)
        io.write_table(io.to_pandas(checked), solutions, io.SOLUTIONS)
        info["completions"] = {"source": str(config.solutions), **stats,
                               "extract": config.extract, "on_missing": config.on_missing}
    else:
        solutions = folder / "solutions.parquet"
        if not solutions.exists():
            raise ConfigError(f"{config.format}: this dataset has no reference solutions; "
                              f"give model completions with --solutions")
        info["completions"] = None
    info["solutions_sha256"] = digest(solutions)
    return config.replace(problems=str(problems), solutions=str(solutions)), info


def convert_command(fmt: str, source: str | None, out: str, *, subset: str | None,
                    split: str | None, trust: bool) -> Dataset:
    """``daskjudge convert``: write the tables and the notes; return the dataset."""
    ds = load(fmt, source, subset=subset, split=split, trust=trust)
    paths = ds.write(out)
    notes = Path(out) / "notes.txt"
    if ds.notes:
        notes.write_text("".join(f"{n}\n" for n in ds.notes))
    else:
        notes.unlink(missing_ok=True)       # an earlier conversion's notes would mislead
    for what, path in paths.items():
        print(f"{what}: {pq.read_metadata(path).num_rows} rows -> {path}")
    return ds
