"""Validate a checker before it is trusted: it must accept what is right, reject what is
wrong, give the same verdicts twice, and stay within its limits.

A checker is kept only if, on every test,

- it accepts the expected output and the output of every reference solution;
- it rejects mutations of the expected output: empty, truncated, the last number perturbed,
  lines reversed (where order matters), and an extra token appended — each mutation that
  differs from every known-correct output of the test;
- each check gives the same verdict when run again;
- no check ends in SE (a crash, a hang, its CPU or memory limit, a broken contract).

Everything runs in the sandbox handed to :func:`validate`: the references and the checker
are untrusted code alike.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Sequence

from pipeline.sandbox.values import Limits, Program, Status

from .checker import Run, limits as checker_limits
from .registry import get
from .verdict import Verdict

_NUMBER = re.compile(r"[+-]?(\d+(?:\.\d*)?|\.\d+)([eE][+-]?\d+)?\Z")   # linear (judges.floats)


@dataclass
class Report:
    accepted: bool
    checks: int = 0
    tests: int = 0
    references: int = 0
    mutants: int = 0
    deterministic: bool = True
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What could not be checked, e.g. a reference solution that failed on its own."""

    def summary(self) -> str:
        if self.accepted:
            return (f"accepted: {self.checks} checks over {self.tests} tests, "
                    f"{self.references} reference solution(s), {self.mutants} mutants")
        return "rejected: " + "; ".join(self.failures[:5])

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


def _real(token: str) -> bool:
    return bool(_NUMBER.match(token)) and not re.fullmatch(r"[+-]?\d+", token)


def _perturb(token: str) -> str:
    if re.fullmatch(r"[+-]?\d+", token):
        return str(int(token) + 1)
    return repr(float(token) * 1.1 + 1)


def mutants(expected: str, order_matters: bool = True) -> dict[str, str]:
    """Wrong variants of an expected output, by name.

    >>> sorted(mutants("1 2\\n3\\n").items())
    [('empty', ''), ('extra token', '1 2\\n3 0\\n'), ('lines reversed', '3\\n1 2\\n'), ('number perturbed', '1 2\\n4\\n'), ('truncated', '1 2\\n')]
    """
    out: dict[str, str] = {"empty": ""}
    lines = expected.rstrip("\n").split("\n")
    tokens = expected.split()
    if len(lines) > 1:
        out["truncated"] = "\n".join(lines[:-1]) + "\n"
    elif len(tokens) > 1:
        out["truncated"] = " ".join(tokens[:len(tokens) // 2]) + "\n"
    elif tokens and len(tokens[0]) > 1 and not _real(tokens[0]):
        # Half of a lone token; never of a real number, whose leading digits may well be
        # within the problem's tolerance (3141592.65359 -> 3141592).
        out["truncated"] = tokens[0][:len(tokens[0]) // 2] + "\n"
    numbers = [i for i, t in enumerate(tokens) if _NUMBER.match(t)]
    if numbers:
        # Perturb the last number in place, keeping the layout.
        i = numbers[-1]
        spans = [m.span() for m in re.finditer(r"\S+", expected)]
        a, b = spans[i]
        out["number perturbed"] = expected[:a] + _perturb(tokens[i]) + expected[b:]
    if order_matters and len({line.strip() for line in lines}) > 1:
        out["lines reversed"] = "\n".join(reversed(lines)) + "\n"
    out["extra token"] = expected.rstrip("\n") + " 0\n"
    return out


def reference_outputs(run: Run, code: str, tests: Sequence[tuple[str, str]],
                      limit: Limits) -> tuple[list[bytes | None], list[str]]:
    """Run one reference solution on every test; ``None`` where it did not end cleanly."""
    programs = [Program(code, stdin=inp.encode("utf-8")) for inp, _ in tests]
    outs, notes = [], []
    for k, o in enumerate(run(programs, [limit] * len(programs))):
        if o.status is Status.EXITED and o.exit_code == 0 and o.cpu_s <= limit.cpu_s:
            outs.append(o.stdout)
        else:
            outs.append(None)
            notes.append(f"test {k}: reference solution did not run cleanly "
                         f"({o.status.value}, exit {o.exit_code}, signal {o.signal}); its output is not used")
    return outs, notes


def validate(source: str, tests: Sequence[tuple[str, str]], references: Sequence[str],
             run: Run, *, spec: str = "checker", order_matters: bool = True,
             checker_limit: Limits | None = None, program_limit: Limits | None = None,
             repeat: int = 2) -> Report:
    """Check a checker's source against a problem's tests ``(input, expected)`` and the
    code of its reference solutions; every run goes through the sandbox ``run``."""
    checker = get(spec)
    checker_limit = checker_limit or checker_limits()
    program_limit = program_limit or Limits()
    report = Report(accepted=False, tests=len(tests), references=len(references))
    good: list[list[bytes]] = [[exp.encode("utf-8")] for _, exp in tests]
    for code in references:
        outs, notes = reference_outputs(run, code, tests, program_limit)
        report.notes += notes
        for k, out in enumerate(outs):
            if out is not None and out not in good[k]:
                good[k].append(out)
    # (label, test index, output, must accept)
    cases: list[tuple[str, int, bytes, bool]] = []
    for k, (_, exp) in enumerate(tests):
        for j, out in enumerate(good[k]):
            cases.append(("expected output" if j == 0 else f"reference {j}'s output", k, out, True))
        known = {tuple(o.decode("utf-8", "replace").split()) for o in good[k]}
        for name, text in mutants(exp, order_matters).items():
            if tuple(text.split()) not in known:
                cases.append((name, k, text.encode("utf-8"), False))
                report.mutants += 1

    def check(subset):
        items = [(tests[k][0], out, tests[k][1]) for _, k, out, _ in subset]
        report.checks += len(items)
        return checker.judge(run, source, items, checker_limit)

    # One check first: a checker that hangs or crashes costs one run, not the whole battery.
    passes = [check(cases[:1])]
    if passes[0][0][0] is Verdict.AC:
        passes = [check(cases)]
        for _ in range(repeat - 1):
            if any(v is Verdict.SE for v, _ in passes[0]):
                break
            passes.append(check(cases))
    for i, (label, k, _, must_accept) in enumerate(cases[:len(passes[0])]):
        runs = [p[i] for p in passes]
        first, message = runs[0]
        if any(v is Verdict.SE for v, _ in runs):
            msg = next(m for v, m in runs if v is Verdict.SE)
            report.failures.append(f"test {k}, {label}: {msg}")
        elif any(v is not first for v, _ in runs):
            report.deterministic = False
            report.failures.append(f"test {k}, {label}: verdicts differ between runs "
                                   f"({', '.join(v.value for v, _ in runs)})")
        elif must_accept and first is not Verdict.AC:
            report.failures.append(f"test {k}: rejects the {label} ({first.value}: {message[:120]})")
        elif not must_accept and first is Verdict.AC:
            report.failures.append(f"test {k}: accepts a wrong output ({label})")
    report.accepted = not report.failures
    return report
