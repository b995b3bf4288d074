"""``daskjudge judges classify|generate|validate``: special-judge management on a table.

Reads a problems table (and, for generate/validate, a table of reference solutions), runs
the judges' management functions with a local sandbox and the configured LLM endpoint, and
writes the problems table back with the checkers and their provenance (``--out``, JSONL or
Parquet by suffix). Exit codes as for ``score``; ``1`` means some problem that needs a
checker has none that validated.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

EXIT_OK, EXIT_INCOMPLETE, EXIT_INPUT, EXIT_INFRA = 0, 1, 2, 3


def add_parser(sub) -> None:
    """Register ``judges`` and its three subcommands on the CLI's subparsers."""
    p = sub.add_parser("judges", help="classify problems, generate and validate checkers")
    actions = p.add_subparsers(dest="action", required=True)

    def common(sp: argparse.ArgumentParser, references: bool) -> None:
        sp.add_argument("--problems", required=True, help="problems: Parquet or JSONL")
        sp.add_argument("--out", required=True, help="problems table to write (.jsonl or .parquet)")
        sp.add_argument("--config", help="a run config (YAML): llm_*, checker limits, isolation")
        sp.add_argument("--statement-column", default="statement",
                        help="column holding the problem statement (default: statement)")
        if references:
            sp.add_argument("--references", help="solutions table whose rows are correct solutions")
            sp.add_argument("--only", metavar="COLUMN=VALUE",
                            help="use only reference rows where COLUMN equals VALUE")

    c = actions.add_parser("classify", help="decide from the statement whether a checker is needed")
    common(c, references=False)
    c.add_argument("--no-llm", action="store_true", help="heuristics only")
    g = actions.add_parser("generate", help="write checkers with an LLM; keep only validated ones")
    common(g, references=True)
    g.add_argument("--attempts", type=int, help="LLM answers tried per problem")
    v = actions.add_parser("validate", help="validate the checkers in a problems table")
    common(v, references=True)


def _write(rows: list[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".parquet":
        import pyarrow as pa

        from .io import write_parquet
        write_parquet(pa.Table.from_pylist(rows), path)
        return
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
    tmp.replace(path)


def _references(args) -> dict[str, list[str]]:
    from . import io
    out: dict[str, list[str]] = {}
    if not args.references:
        return out
    rows = io.read_solutions(args.references).to_pylist()
    if args.only:
        column, _, value = args.only.partition("=")
        if not rows or column not in rows[0]:
            raise io.InputError(f"{args.references}: no column {column!r} for --only")
        rows = [r for r in rows if str(r.get(column)) == value]
    for r in rows:
        out.setdefault(r["problem_id"], []).append(r["code"])
    return out


def main(args: argparse.Namespace) -> int:
    from judges import checker, manage
    from judges.llm import LLM, LLMError

    from . import io
    from .config import Config, ConfigError
    from .sandbox import Limits, SlotPool

    try:
        config = Config.load(args.config)
        rows = io.read_problems(args.problems).to_pylist()
        references = _references(args) if args.action != "classify" else {}
    except (ConfigError, io.InputError) as exc:
        print(f"daskjudge: input error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    llm = None
    if args.action == "generate" or (args.action == "classify" and not args.no_llm):
        try:
            llm = LLM.from_settings(config.llm.base_url, config.llm.model, config.llm.api_key_env)
        except LLMError as exc:
            if args.action == "generate":
                print(f"daskjudge: config error: {exc}", file=sys.stderr)
                return EXIT_INPUT
    climit = checker.limits(config.judge.checker_time_limit_s, config.judge.checker_memory_limit_mb)
    plimit = Limits(cpu_s=config.judge.time_limit_s, memory_mb=config.judge.memory_limit_mb,
                    processes=config.judge.processes)
    try:
        if args.action == "classify":
            manage.classify_rows(rows, llm, column=args.statement_column)
        else:
            with SlotPool(1, isolation=config.cluster.isolation) as pool:
                if args.action == "generate":
                    manage.generate_rows(rows, references, llm, pool.run_batch,
                                         column=args.statement_column,
                                         attempts=args.attempts or config.llm.checker_attempts,
                                         checker_limit=climit, program_limit=plimit)
                else:
                    manage.validate_rows(rows, references, pool.run_batch, checker_limit=climit,
                                         program_limit=plimit)
    except manage.TableError as exc:
        print(f"daskjudge: input error: {args.problems} {exc}", file=sys.stderr)
        return EXIT_INPUT
    except Exception as exc:                      # sandbox could not start
        print(f"daskjudge: could not run: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_INFRA
    _write(rows, Path(args.out))
    missing = 0
    for row in rows:
        report = json.loads(row.get("checker_validation") or "null")
        line = f"{row['problem_id']:<24} {row.get('judge_category') or '-':<12} judge {row.get('judge') or '(default)'}"
        if report is not None:
            line += "  checker " + ("accepted" if report["accepted"] else "REJECTED")
            if report.get("attempts"):
                line += f" after {report['attempts']} attempt(s)"
            if not report["accepted"]:
                line += ": " + "; ".join((report.get("errors") or report["failures"])[-2:])[:300]
        needs = row.get("judge_suggested") == "checker" or report is not None
        if needs and not (row.get("judge") or "").startswith("checker"):
            missing += 1
        print(line)
    print(f"\nwrote {args.out}")
    if args.action != "classify" and missing:
        print(f"{missing} problem(s) need a checker and have none that validated", file=sys.stderr)
        return EXIT_INCOMPLETE
    return EXIT_OK
