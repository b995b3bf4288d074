"""How long ``daskjudge --help`` takes: the median wall time of several runs of
``python -m pipeline.cli --help`` and of a subcommand's help, beside a bare interpreter.

    python benchmarks/cli_startup.py [--runs 9] [--root CHECKOUT]

``--root`` times another checkout's ``pipeline`` (an older commit, say) the same way. The
command line imports Dask, pandas and Arrow only in the commands that run something
(``tests/test_imports.py`` checks which modules ``--help`` loads); this measures what that
is worth.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

COMMANDS = {
    "python -c pass": ["-c", "pass"],
    "daskjudge --help": ["-m", "pipeline.cli", "--help"],
    "daskjudge score --help": ["-m", "pipeline.cli", "score", "--help"],
}


def median_seconds(args: list[str], root: Path, runs: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(root)}
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, *args], cwd=root, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--root", type=Path, default=ROOT, help="checkout to time (default: this one)")
    args = ap.parse_args()
    median_seconds(COMMANDS["daskjudge --help"], args.root, 1)      # warm the file cache
    result = {name: round(median_seconds(cmd, args.root, args.runs), 3)
              for name, cmd in COMMANDS.items()}
    for name, seconds in result.items():
        print(f"{name:<26} {seconds:6.3f} s  (median of {args.runs})")
    print(json.dumps({"runs": args.runs, "median_s": result}))


if __name__ == "__main__":
    main()
