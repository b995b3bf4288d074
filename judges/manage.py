"""Special-judge management over a problems table given as rows (dicts): classify each
problem, generate checkers where one is needed, validate checkers, and record provenance.

Columns written (extra columns of the problems table, carried through scoring):

=========================  ===============================================================
``judge_category``         exact, float, yesno, any_order, multiple, interactive
``judge_suggested``        the judge the category calls for (``checker``, ``float:1e-6`` …)
``judge_reason``           the phrase or the LLM's reason behind the category
``judge_source``           ``heuristic`` or ``llm``
``checker_model``          the model that wrote the checker
``checker_prompt_sha256``  the hash of the prompt template it was written from
``checker_validation``     the validation report (JSON); for a rejected checker too
``checker_rejected``       the source of a checker that failed validation (not used)
=========================  ===============================================================
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Sequence

from pipeline.sandbox.values import Limits, with_prelude

from . import classify as _classify
from . import generate as _generate
from .checker import Run, is_checker
from .llm import LLM
from .validate import Report, validate


class TableError(ValueError):
    """A problems row that cannot be handled; the message names the row and the column."""


def _statement(row: dict, i: int, column: str) -> str:
    text = row.get(column)
    if not isinstance(text, str) or not text.strip():
        raise TableError(f"row {i} (problem_id {row.get('problem_id')!r}), column {column!r}: "
                         f"a statement is needed")
    return text


def _tests(row: dict) -> list[tuple[str, str]]:
    return [(t["input"], t.get("output") or "") for t in row["tests"]]


def _references(row: dict, references: dict[str, Sequence[str]]) -> list[str]:
    """The reference solutions of a row's problem, with the problem's prelude before each."""
    prelude = row.get("prelude")
    return [with_prelude(prelude, code) for code in references.get(row["problem_id"], ())]


def classify_rows(rows: list[dict], llm: LLM | None = None, *, column: str = "statement",
                  prompt: Path = _classify.PROMPT) -> list[dict]:
    """Add the ``judge_*`` columns to every row (in place; returns ``rows``)."""
    for i, row in enumerate(rows):
        c = _classify.classify(_statement(row, i, column), llm, prompt=prompt)
        row.update(judge_category=c.category, judge_suggested=c.judge, judge_reason=c.reason,
                   judge_source=c.source)
    return rows


def _limits(row: dict, default: Limits) -> Limits:
    cpu = row.get("time_limit_s") or default.cpu_s
    return Limits(cpu_s=cpu, wall_s=2 * cpu + 1, memory_mb=row.get("memory_limit_mb")
                  or default.memory_mb, processes=default.processes)


def _report_json(report: Report | None, **extra) -> str:
    data = asdict(report) if report is not None else {"accepted": False}
    data.update(extra)
    return json.dumps(data, sort_keys=True)


def generate_rows(rows: list[dict], references: dict[str, Sequence[str]], llm: LLM, run: Run,
                  *, column: str = "statement", attempts: int = 3,
                  checker_limit: Limits | None = None, program_limit: Limits = Limits(),
                  prompt: Path = _generate.PROMPT) -> list[dict]:
    """For each row whose category calls for a checker and that has none, write one and keep
    it only if it validates; rows whose category calls for a comparator (``float:EPS``,
    ``yesno``) and that have no judge get that comparator. In place; returns ``rows``."""
    for i, row in enumerate(rows):
        if "judge_category" not in row or row.get("judge_category") is None:
            classify_rows([row], None, column=column)
        if is_checker(row.get("judge")) and row.get("checker"):
            continue
        suggested = row.get("judge_suggested")
        if suggested != "checker":
            if suggested and not row.get("judge"):
                row["judge"] = suggested
            continue
        tests = _tests(row)
        refs = _references(row, references)
        order = row.get("judge_category") != "any_order"
        plimit = _limits(row, program_limit)

        def check(source: str) -> Report:
            return validate(source, tests, refs, run, order_matters=order,
                            checker_limit=checker_limit, program_limit=plimit)

        gen = _generate.generate(_statement(row, i, column), tests, llm, validate=check,
                                 attempts=attempts, prompt=prompt)
        row.update(checker_model=gen.model, checker_prompt_sha256=gen.prompt_sha256,
                   checker_validation=_report_json(gen.report, attempts=gen.attempts,
                                                   errors=gen.errors))
        if gen.source is not None:
            row.update(judge="checker", checker=gen.source)
    return rows


def validate_rows(rows: list[dict], references: dict[str, Sequence[str]], run: Run, *,
                  checker_limit: Limits | None = None,
                  program_limit: Limits = Limits()) -> list[dict]:
    """Validate every row's checker; a checker that fails is moved to ``checker_rejected``
    and its problem falls back to the default judge. In place; returns ``rows``."""
    for row in rows:
        if not (is_checker(row.get("judge")) and row.get("checker")):
            continue
        report = validate(row["checker"], _tests(row), _references(row, references), run,
                          spec=row["judge"], order_matters=row.get("judge_category") != "any_order",
                          checker_limit=checker_limit, program_limit=_limits(row, program_limit))
        row["checker_validation"] = _report_json(report)
        if not report.accepted:
            row.update(checker_rejected=row["checker"], checker=None, judge=None)
    return rows
