"""The ``daskjudge`` command.

Exit codes, for cron, Airflow or Slurm to act on:

===  ========================================================================================
0    every test judged; results written
1    results written, but some tests ended in SE (infrastructure), unless --allow-se
2    bad input or config (the message names the file, row and column)
3    the cluster or the sandbox could not run
4    the output folder is locked by another run (nothing was written)
130  interrupted (Ctrl-C): finished partitions are kept; the line printed says how to continue
===  ========================================================================================

A run checkpoints every finished partition into its output folder; after a crash, a Ctrl-C
or a preempted node, the same command with ``--resume`` continues where it stopped.

Dask, pandas and Arrow are imported only by the commands that use them, so ``--help`` and
a bad option answer at once.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from .commands import (EXIT_INFRA, EXIT_INPUT, EXIT_INTERRUPTED, EXIT_OK, EXIT_SE, check_out,
                       overrides, print_summary, run_score)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="daskjudge", description="Score LLM-generated programs "
                                "against test cases on a Dask cluster, in a sandbox.")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--out", help="output folder (tests/solutions/problems.parquet, summary.json)")
        sp.add_argument("--scheduler", help="address or scheduler file of a running cluster "
                        "(default: DASK_SCHEDULER_ADDRESS, else an embedded LocalCluster)")
        sp.add_argument("--workers", type=int, help="embedded cluster: worker processes")
        sp.add_argument("--early-exit", action="store_true", default=None,
                        help="stop each solution at its first failing test")
        sp.add_argument("--judge", help="default comparator, e.g. lines, tokens, float:1e-6")
        sp.add_argument("--time-limit", dest="time_limit_s", type=float,
                        help="default CPU seconds per test")
        sp.add_argument("--memory-limit", dest="memory_limit_mb", type=int,
                        help="default MiB per test")
        sp.add_argument("--k", help="pass@k values, comma-separated (e.g. 1,5,10)")
        sp.add_argument("--isolation", choices=["auto", "full", "rootless", "none"])
        sp.add_argument("--allow-se", action="store_true", default=None,
                        help="exit 0 even if some tests ended in SE")
        sp.add_argument("--dashboard", help="embedded cluster dashboard address (e.g. :8787, :0)")
        sp.add_argument("--resume", action="store_true",
                        help="continue an interrupted run in the same --out folder")
        sp.add_argument("--no-progress", action="store_true", help="no progress bar")
        sp.add_argument("-q", "--quiet", action="store_true", help="print only the summary")

    score = sub.add_parser("score", help="score a problems table and a solutions table")
    score.add_argument("--problems", required=True, help="problems: Parquet file/folder or JSONL")
    score.add_argument("--solutions", required=True, help="solutions: Parquet file/folder or JSONL")
    score.add_argument("--config", help="a run config (YAML) to start from")
    common(score)

    from .convert_cmd import add_parser as add_convert
    add_convert(sub)

    run = sub.add_parser("run", help="score what a run config (YAML) names")
    run.add_argument("--solutions", help="solutions; for a config with a dataset 'format', "
                     "model completions (JSONL/Parquet) to take code from")
    run.add_argument("config", help="run config, e.g. configs/quickstart.yaml")
    common(run)

    from .judges_cmd import add_parser as add_judges
    add_judges(sub)
    serve = sub.add_parser("serve", help="answer SandboxFusion /run_code and ScaleBox "
                           "/common_evaluate_batch requests over HTTP")
    serve.add_argument("--scheduler", help="address or scheduler file of a running cluster "
                       "(default: DASK_SCHEDULER_ADDRESS, else an embedded LocalCluster)")
    serve.add_argument("--port", dest="serve_port", type=int, help="port (default 8080)")
    serve.add_argument("--host", dest="serve_host",
                       help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--token", help="require 'Authorization: Bearer TOKEN' on requests "
                       "(default: DASKJUDGE_TOKEN, else none)")
    serve.add_argument("--config", help="a config (YAML) with daskjudge settings")
    serve.add_argument("--workers", type=int, help="embedded cluster: worker processes")
    serve.add_argument("--isolation", choices=["auto", "full", "rootless", "none"])
    serve.add_argument("--dashboard", help="embedded cluster dashboard address (e.g. :8787)")
    report = sub.add_parser("report", help="write DIR/report.html: plots and tables of a "
                            "finished run")
    report.add_argument("dir", help="output folder of a finished run")

    from .evalsuite.command import add_parser as add_evalsuite
    add_evalsuite(sub, common)
    return p


def _serve(args: argparse.Namespace) -> int:
    """``daskjudge serve``: run the HTTP service until interrupted (Ctrl-C or SIGTERM)."""
    import signal

    from . import dashboard
    from .config import Config, ConfigError
    from .serve import Server, token_from_env

    logging.getLogger("distributed").setLevel(logging.ERROR)
    keys = ("scheduler", "serve_port", "serve_host", "workers", "isolation", "dashboard")
    try:
        config = Config.load(args.config, {k: getattr(args, k) for k in keys})
    except ConfigError as exc:
        print(f"daskjudge: config error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    server = Server(config=config, token=args.token or token_from_env())
    try:
        server.start()
    except OSError as exc:
        print(f"daskjudge: cannot listen on {config.serve.host}:{config.serve.port}: {exc}",
              file=sys.stderr)
        return EXIT_INFRA
    except Exception as exc:                  # cluster or sandbox failure
        print(f"daskjudge: could not start: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_INFRA
    client = server.batcher.client
    print(f"daskjudge: dashboard {client.dashboard_link}", file=sys.stderr)
    if dashboard.install(client):          # an embedded cluster has it; another may not
        print(f"daskjudge: live verifier page {dashboard.page_link(client)}", file=sys.stderr)
    slots = sum(len(i.get("slots", [])) for i in server.info.values())
    levels = sorted({str(i.get("level")) for i in server.info.values()})
    print(f"daskjudge serve: {server.url}  (POST /run_code, POST /common_evaluate_batch, "
          f"GET /v1/ping)  sandbox slots {slots}  isolation {', '.join(levels)}  "
          f"token {'required' if server.token else 'none'}", file=sys.stderr, flush=True)
    signal.signal(signal.SIGTERM, lambda *_: server.stop())
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)    # for the --resume hint
    try:
        return _command(args)
    except KeyboardInterrupt:
        # A scoring run says what it saved and how to continue (commands.run_score); a
        # Ctrl-C anywhere else (loading a config, converting a dataset) has nothing to keep.
        print("\ndaskjudge: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _command(args: argparse.Namespace) -> int:
    if args.command == "convert":
        from .convert_cmd import main as convert_main
        return convert_main(args)
    if args.command == "report":
        return _report(args.dir)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s daskjudge: %(message)s")
    # The embedded cluster's worker processes take their log level from the environment:
    # Dask's warnings there (tasks cancelled when a Ctrl-C closes the cluster) are noise
    # in a command's output, as the scheduler's are (set to ERROR below).
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "error")
    if args.command == "serve":
        return _serve(args)
    if not getattr(args, "quiet", False):
        logging.getLogger("daskjudge").setLevel(logging.INFO)
    if args.command == "judges":
        from .judges_cmd import main as judges_main
        return judges_main(args)
    if args.command in ("sample", "eval", "compare"):
        from .evalsuite.command import main as evalsuite_main
        return evalsuite_main(args)
    import distributed  # noqa: F401  (it configures its loggers on import)

    from . import io
    from .config import Config, ConfigError

    # The embedded cluster's scheduler runs in this process; its INFO chatter (workers
    # starting and closing) is noise in a batch log.
    logging.getLogger("distributed").setLevel(logging.ERROR)

    try:
        config = Config.load(args.config, overrides(args))
        if config.out:
            check_out(config.out)
        dataset = None
        if config.format:               # problems (and maybe solutions) come from a dataset
            from .datasets.run import prepare
            config, dataset = prepare(config)
        if not config.problems or not config.solutions:
            raise ConfigError(f"{config.source or 'command line'}: problems and solutions "
                              f"must be given")
        if not config.out:
            raise ConfigError(f"{config.source or 'command line'}: an output folder is needed "
                              f"(--out or 'out:' in the config)")
    except ConfigError as exc:
        print(f"daskjudge: config error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except io.InputError as exc:
        print(f"daskjudge: input error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    if not args.quiet:
        print(f"daskjudge: scoring {config.solutions} against {config.problems}", file=sys.stderr)
    result, code = run_score(config.problems, config.solutions, argv=args.argv, config=config,
                             out=config.out, resume=args.resume,
                             progress=not (args.no_progress or args.quiet),
                             announce=not args.quiet)
    if result is None:
        return code
    out = Path(config.out)
    report = None
    if dataset is not None:
        from .datasets.report import report_lines
        report = report_lines(config.format, result.problems, result.solutions, config.k)
        result.summary["dataset"] = dict(dataset, report=report)
        result.write_summary(out)
    print_summary(result, out)
    if report:
        print("\n" + "\n".join(report))
    if not result.complete and not config.allow_se:
        return EXIT_SE
    return EXIT_OK


def _report(folder: str) -> int:
    from .report import write

    try:
        path = write(folder)
    except FileNotFoundError as exc:
        print(f"daskjudge: {exc}", file=sys.stderr)
        return EXIT_INPUT
    print(f"report in {path}")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
