"""What the scoring commands (``score``, ``run``, ``eval``) share: the exit codes, their
options as config overrides, a scoring run turned into an exit code, and the summary they
print at the end.

Only the standard library is imported here at module level: ``daskjudge --help`` imports
this module, and Dask, pandas and Arrow would take seconds to load.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

EXIT_OK, EXIT_SE, EXIT_INPUT, EXIT_INFRA, EXIT_BUSY = 0, 1, 2, 3, 4
EXIT_INTERRUPTED = 130          # 128 + SIGINT: what a shell reports for a Ctrl-C


def overrides(args: argparse.Namespace) -> dict:
    """The scoring options given on the command line, as config overrides (None: not given).

    >>> ns = argparse.Namespace(command="score", problems="p.jsonl", solutions="s.jsonl",
    ...                         out="o", scheduler=None, workers=None, early_exit=None,
    ...                         judge=None, time_limit_s=2.5, memory_limit_mb=None,
    ...                         isolation=None, allow_se=None, dashboard=None, k="1,10")
    >>> o = overrides(ns)
    >>> o["k"], o["time_limit_s"], o["problems"]
    ([1, 10], 2.5, 'p.jsonl')
    """
    keys = ("out", "scheduler", "workers", "early_exit", "judge", "time_limit_s",
            "memory_limit_mb", "isolation", "allow_se", "dashboard")
    out = {k: getattr(args, k) for k in keys}
    if args.k:
        try:
            out["k"] = [int(x) for x in args.k.split(",") if x.strip()]
        except ValueError:
            raise SystemExit(f"daskjudge: --k must be integers separated by commas, got {args.k!r}")
    if args.command in ("score", "run"):
        out.update(problems=getattr(args, "problems", None), solutions=args.solutions)
    return out


def check_out(out: str | Path) -> None:
    """Refuse an output folder that a file stands in the way of (bad input, exit 2).

    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "results.txt"
    >>> _ = f.write_text("")
    >>> check_out(f / "run")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    pipeline.config.ConfigError: output folder ...: .../results.txt is a file, not a folder
    """
    from .config import ConfigError

    path = Path(out)
    for existing in (path, *path.parents):
        if existing.exists():
            if not existing.is_dir():
                raise ConfigError(f"output folder {out}: {existing} is a file, not a folder")
            return


def resume_command(argv: list[str]) -> str:
    """The command line that continues an interrupted run, ready to paste into a shell.

    >>> resume_command(["run", "configs/quickstart.yaml", "--out", "runs/my run"])
    "daskjudge run configs/quickstart.yaml --out 'runs/my run' --resume"
    """
    return shlex.join(["daskjudge", *argv, *([] if "--resume" in argv else ["--resume"])])


def run_score(problems, solutions, *, argv: list[str], **kwargs):
    """:func:`pipeline.score` for a command: ``(result, EXIT_OK)``, or ``(None, code)`` with
    the reason printed on stderr. ``argv`` (the command's arguments) makes the hint printed
    after a Ctrl-C: the same command with ``--resume``."""
    from . import io
    from .api import score
    from .checkpoint import CheckpointMismatch, OutputBusy
    from .config import ConfigError

    try:
        return score(problems, solutions, **kwargs), EXIT_OK
    except KeyboardInterrupt:
        print(f"\ndaskjudge: interrupted; {_saved(kwargs.get('out'))}; to continue: "
              f"{resume_command(argv)}", file=sys.stderr)
        return None, EXIT_INTERRUPTED
    except OutputBusy as exc:
        print(f"daskjudge: {exc}", file=sys.stderr)
        return None, EXIT_BUSY
    except (io.InputError, ConfigError, CheckpointMismatch) as exc:
        print(f"daskjudge: input error: {exc}", file=sys.stderr)
        return None, EXIT_INPUT
    except Exception as exc:                  # cluster or sandbox failure
        print(f"daskjudge: could not run: {type(exc).__name__}: {exc}", file=sys.stderr)
        return None, EXIT_INFRA


def _saved(out) -> str:
    from .checkpoint import saved

    progress = saved(out) if out is not None else None
    if not progress or not progress["partitions_done"]:
        return "no partition had finished, nothing was saved"
    return (f"{progress['partitions_done']} of {progress['partitions']} partitions "
            f"({progress['tests_done']} of {progress['tests']} tests) saved in "
            f"{progress['folder']}")


def print_summary(result, out: Path | None, file=sys.stdout) -> None:
    """The verdict counts, totals, the per-problem table and what did not match
    ``expected_verdict``, as ``score``, ``run`` and ``eval`` print them."""
    s = result.summary
    counts = "  ".join(f"{v} {n}" for v, n in s["verdicts"].items() if n)
    print(f"\nverdicts  {counts}", file=file)
    print(f"tests {s['tests']}  solutions {s['solutions']} (accepted {s['accepted']})  "
          f"problems {s['problems']}  in {s['wall_time_s']:.1f} s "
          f"({s['tests_per_second']} tests/s)  isolation {s['isolation']}", file=file)
    p = result.problems
    cols = ["problem_id", "n_solutions", "n_accepted", "pass_rate", "mean_score", "max_score"] + [
        c for c in p.columns if c.startswith("pass@")]
    shown = p[cols].head(40)
    print("\n" + shown.to_string(index=False, float_format=lambda x: f"{x:.3f}",
                                 na_rep="-"), file=file)
    if len(p) > len(shown):
        print(f"... {len(p) - len(shown)} more problems in problems.parquet", file=file)
    if "expected_verdict" in s:
        print("\n" + "\n".join(expected_lines(s["expected_verdict"])), file=file)
    if out is not None:
        print(f"\nresults in {out}/", file=file)
    if not result.complete:
        print(f"WARNING: {s['verdicts']['SE']} test(s) ended in SE (sandbox or judge error): "
              f"results are incomplete", file=file)


def expected_lines(check: dict) -> list[str]:
    """How the verdicts compare with the solutions' ``expected_verdict`` column.

    >>> print("\\n".join(expected_lines({"checked": 3, "matched": 2, "mismatches": [
    ...     {"problem_id": "p", "solution_id": "s", "expected": "WA", "got": "AC"}]})))
    expected_verdict: 2 of 3 solutions matched; 1 did not:
      problem p  solution s  expected WA  got AC
    """
    checked, matched, wrong = check["checked"], check["matched"], check["mismatches"]
    if matched == checked:
        return [f"expected_verdict: all {checked} solutions matched"]
    first = "" if len(wrong) == checked - matched else f" (the first {len(wrong)})"
    return [f"expected_verdict: {matched} of {checked} solutions matched; "
            f"{checked - matched} did not{first}:"] + [
        f"  problem {m['problem_id']}  solution {m['solution_id']}  expected {m['expected']}  "
        f"got {m['got']}" for m in wrong]
