"""``daskjudge sample``, ``daskjudge eval`` and ``daskjudge compare``.

A model's run of a benchmark lives in ``OUT/<model>/`` (``OUT`` from ``--out`` or the
config's ``out``; the model name with anything but letters, digits, ``.``, ``_`` and ``-``
turned into ``_``): ``samples.jsonl`` and ``sampling.json`` (the log), ``completions.parquet``
(one row per sample), ``dataset/`` (the converted problems and the solutions judged), the
scoring run's tables and ``summary.json``, and ``results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

from ..commands import (EXIT_INFRA, EXIT_INPUT, EXIT_INTERRUPTED, EXIT_OK, EXIT_SE, check_out,
                        overrides, print_summary, run_score)


def add_parser(sub, common) -> None:
    """The three subcommands; ``common`` adds the scoring options of ``score`` and ``run``."""
    def sampling(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--config", required=True, help="benchmark config, e.g. configs/humaneval.yaml")
        sp.add_argument("--model", help="model name the server knows (else sample.model, $OPENAI_MODEL)")
        sp.add_argument("--endpoint", help="OpenAI-compatible base URL, e.g. http://localhost:8000/v1 "
                        "(else sample.endpoint, $OPENAI_BASE_URL)")
        sp.add_argument("--api-key-env", help="environment variable holding the key")
        sp.add_argument("--template", help="prompt template file (configs/prompts/*.yaml)")
        sp.add_argument("--n", type=int, help="samples per problem")
        sp.add_argument("--temperature", type=float)
        sp.add_argument("--top-p", type=float)
        sp.add_argument("--max-tokens", type=int)
        sp.add_argument("--seed", type=int, help="sample i is asked with seed + i")
        sp.add_argument("--concurrency", type=int, help="requests in flight at once")
        sp.add_argument("--limit", type=int, help="only the first N problems (a smoke test)")

    s = sub.add_parser("sample", help="ask a model for completions of a benchmark's problems")
    sampling(s)
    s.add_argument("--out", help="output root (default: the config's out)")
    s.add_argument("--no-progress", action="store_true", help="no progress bar")
    s.add_argument("-q", "--quiet", action="store_true", help="print only the result line")

    e = sub.add_parser("eval", help="sample completions from a model, score them, report pass@k")
    sampling(e)
    common(e)

    c = sub.add_parser("compare", help="pass@k of several models and benchmarks side by side")
    c.add_argument("paths", nargs="+", help="results.json files or folders holding them")
    c.add_argument("--json", action="store_true", help="JSON instead of a Markdown table")


def slug(model: str) -> str:
    """A folder name for a model.

    >>> slug("Qwen/Qwen3-8B"), slug("gpt-4o-mini")
    ('Qwen_Qwen3-8B', 'gpt-4o-mini')
    """
    return re.sub(r"[^A-Za-z0-9._-]+", "_", model).strip("._") or "model"


def main(args: argparse.Namespace) -> int:
    from .results import collect, markdown

    if args.command == "compare":
        rows = collect(args.paths)
        if not rows:
            print(f"daskjudge: no results.json under {' '.join(args.paths)}", file=sys.stderr)
            return EXIT_INPUT
        print(json.dumps(rows, indent=2) if args.json else markdown(rows))
        return EXIT_OK
    from .. import io
    from ..config import ConfigError
    from .store import SamplingMismatch

    try:
        return _sample_and_eval(args)
    except KeyboardInterrupt:
        # Every finished sample is already on disk; leave at once rather than wait for the
        # requests in flight (up to sample.timeout_s each).
        print("\ndaskjudge: interrupted; the same command resumes where this run stopped",
              file=sys.stderr)
        sys.stderr.flush()
        os._exit(EXIT_INTERRUPTED)
    except (ConfigError, io.InputError, SamplingMismatch) as exc:
        print(f"daskjudge: {'config' if isinstance(exc, ConfigError) else 'input'} error: {exc}",
              file=sys.stderr)
        return EXIT_INPUT


def _sample_and_eval(args: argparse.Namespace) -> int:
    from .. import io
    from ..config import Config, ConfigError
    from .sampler import sample
    from .settings import Sampling

    config = Config.load(args.config, overrides(args) if args.command == "eval" else
                         {"out": args.out})
    cli = {"model": args.model, "endpoint": args.endpoint, "api_key_env": args.api_key_env,
           "template": args.template, "n": args.n, "temperature": args.temperature,
           "top_p": args.top_p, "max_tokens": args.max_tokens, "seed": args.seed,
           "concurrency": args.concurrency}
    sampling = Sampling.from_section(config.sample, cli)
    sampling.require_endpoint()
    template = sampling.load_template(config.source)
    if not config.out:
        raise ConfigError(f"{config.source}: an output folder is needed (--out or 'out:')")
    check_out(config.out)
    folder = Path(config.out) / slug(sampling.model)
    benchmark = config.format or Path(config.source).stem
    info, problems = {"prepend_prompt": False}, None
    if config.format:
        from ..datasets.run import convert_dataset
        info = convert_dataset(config, folder / "dataset")
        problems = io.read_problems(folder / "dataset" / "problems.parquet")
    elif config.problems:
        problems = io.read_problems(config.problems)
    else:
        raise ConfigError(f"{config.source}: name a dataset ('format') or a problems table")
    if args.limit is not None:
        if args.limit < 1:
            raise ConfigError("--limit must be at least 1")
        problems = problems.slice(0, args.limit)
    quiet = args.quiet
    if not quiet:
        print(f"daskjudge: sampling {benchmark} ({problems.num_rows} problems x {sampling.n}) "
              f"from {sampling.model} at {sampling.endpoint}", file=sys.stderr)
    run = sample(problems, template, sampling, benchmark=benchmark, folder=folder,
                 progress=not (args.no_progress or quiet))
    print(f"{sampling.model} {benchmark}: {run.line()}")
    if not run.complete:
        print(f"daskjudge: {run.failed} request(s) failed after retries; the same command "
              f"asks for them again. First: {run.errors[0]}", file=sys.stderr)
        return EXIT_INFRA
    if args.command == "sample":
        return EXIT_OK
    return _score(args, config, sampling, template, problems, info, folder, run, benchmark)


def _score(args, config, sampling, template, problems, info, folder, run, benchmark) -> int:
    import logging

    import pandas as pd

    from .. import io
    from ..config import ConfigError
    from ..datasets.completions import to_solutions
    from ..datasets.report import report_lines
    from .results import collect, markdown, results, write

    logging.getLogger("distributed").setLevel(logging.ERROR)     # as `daskjudge run` does
    completions = pd.read_parquet(run.table)
    rows = completions[["problem_id", "solution_id", "completion"]].to_dict("records")
    if not rows:
        raise ConfigError(f"{benchmark}: no samples to score")
    solutions, stats = to_solutions(rows, problems, rule=template.extract,
                                    on_missing=config.on_missing,
                                    prepend_prompt=info["prepend_prompt"],
                                    language=template.language, name=str(run.table))
    (folder / "dataset").mkdir(parents=True, exist_ok=True)
    judged = folder / "dataset" / "completions.parquet"
    io.write_table(io.to_pandas(io.read_solutions(solutions, problems)), judged, io.SOLUTIONS)
    result, code = run_score(problems, judged, argv=args.argv, config=config, out=folder,
                             resume=args.resume,
                             progress=not (args.no_progress or args.quiet),
                             announce=not args.quiet)
    if result is None:
        return code
    report = report_lines(benchmark, result.problems, result.solutions, config.k)
    data = results(result.problems, result.solutions, completions, ks=config.k,
                   model=sampling.model, benchmark=benchmark,
                   extra={"template": template.source, "template_sha256": template.sha256,
                          "params": sampling.params(template), "seed": sampling.seed,
                          "on_truncated": sampling.on_truncated, "config_hash": result.summary.get("config_hash"),
                          "complete": result.complete})
    result.summary["dataset"] = dict(info, completions={"source": str(run.table), **stats,
                                                        "extract": template.extract},
                                     report=report)
    result.summary["sampling"] = data
    result.write_summary(folder)
    write(data, folder)
    if not args.quiet:
        print_summary(result, folder)
    print("\n" + "\n".join(report))
    print("\n" + markdown(collect([folder.parent])))
    if not result.complete and not config.allow_se:
        return EXIT_SE
    return EXIT_OK
