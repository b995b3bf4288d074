"""``daskjudge convert``: a benchmark or RL dataset to problems (and solutions) Parquet tables."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .commands import EXIT_INPUT, EXIT_OK


def add_parser(sub) -> None:
    conv = sub.add_parser("convert", help="convert a benchmark or RL dataset to problems "
                          "(and reference solutions) Parquet tables")
    conv.add_argument("--format", required=True, help="dataset format, e.g. humaneval, mbpp, "
                      "livecodebench (see pipeline.datasets.FORMATS)")
    conv.add_argument("source", nargs="?", help="file, folder or Hugging Face dataset id "
                      "(default: the format's usual source)")
    conv.add_argument("--out", required=True, help="folder for problems.parquet, solutions.parquet")
    conv.add_argument("--subset", help="Hugging Face config name")
    conv.add_argument("--split", help="split to keep")
    conv.add_argument("--trust", action="store_true", help="decode encodings that run code "
                      "when decoded (LiveCodeBench's pickled private tests)")


def main(args: argparse.Namespace) -> int:
    from . import io
    from .datasets.run import convert_command

    try:
        ds = convert_command(args.format, args.source, args.out, subset=args.subset,
                             split=args.split, trust=args.trust)
    except (io.InputError, ValueError) as exc:
        print(f"daskjudge: input error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    if ds.notes:
        print(f"{len(ds.notes)} note(s) in {Path(args.out) / 'notes.txt'}; first: {ds.notes[0]}")
    else:
        print("nothing was left out (no notes.txt)")
    return EXIT_OK
