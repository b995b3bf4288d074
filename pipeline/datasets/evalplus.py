"""HumanEval+ and MBPP+ (EvalPlus, Apache-2.0): ``function`` kind, expected values computed.

Release rows (``HumanEvalPlus.jsonl.gz``, ``MbppPlus.jsonl``): ``task_id``, ``prompt``,
``entry_point``, ``canonical_solution``, ``base_input`` and ``plus_input`` (lists of
positional-argument lists), ``atol``, ``contract``. Expected outputs are not stored: as
EvalPlus does, they come from running ``prompt + canonical_solution`` on every input, here in
the sandbox (:mod:`.reference`). Tests are the base inputs then the plus inputs; the extra
column ``n_base`` says how many are base. The judge is ``float:ATOL`` with EvalPlus's 1e-6
when ``atol`` is 0 (integers and other values still compare exactly).

Differences from EvalPlus, by construction of JSON tests: inputs reach the function as JSON
values, so a tuple argument arrives as a list (EvalPlus converts some MBPP+ inputs back to
tuples), and a returned tuple equals a list. Inputs on which the reference itself fails are
dropped and listed in the conversion notes. EvalPlus's special oracles (set equality for a
few MBPP+ tasks, ``find_zero``'s residual check) are not reproduced.

Hugging Face mirrors (``evalplus/humanevalplus``, ``evalplus/mbppplus``) carry a ``test``
string of asserts instead of inputs; such rows become ``assert`` problems as in HumanEval.
"""

from __future__ import annotations

import json

from .reference import run_reference
from .rows import Upstream

DEFAULT_SOURCE = "evalplus/mbppplus"
PREPEND_PROMPT = True


def convert(rows: list[dict], options, notes: list[str]):
    problems, solutions, jobs = [], [], []
    for i, row in enumerate(rows):
        up = Upstream("evalplus", i, row, row.get("task_id"))
        pid, entry = up.need("task_id"), up.need("entry_point")
        prompt = up.get("prompt", "")
        code = prompt + up.need("canonical_solution")
        solutions.append({"problem_id": pid, "solution_id": "canonical", "code": code})
        if "base_input" not in row and "test" in row:     # Hugging Face mirror
            problems.append({"problem_id": pid, "kind": "assert", "entry_point": entry,
                             "prompt": prompt, "n_base": 1, "tests": [
                                 {"input": f"{row['test']}\ncheck({entry})\n", "output": ""}]})
            continue
        base, plus = up.need("base_input", list), up.get("plus_input") or []  # {} when none
        inputs = []
        for j, args in enumerate(base + plus):
            if not isinstance(args, list):
                raise up.error(f"input {j} must be a list of arguments, got {type(args).__name__}")
            inputs.append(json.dumps(args))
        atol = float(up.get("atol", 0) or 0)
        problems.append({"problem_id": pid, "kind": "function", "entry_point": entry,
                         "judge": f"float:{atol or 1e-6:g}", "prompt": prompt,
                         "n_base": len(base), "tests": inputs})
        jobs.append((len(problems) - 1, code, entry, inputs))
    if jobs:
        outputs = run_reference([(c, e, x) for _, c, e, x in jobs], pool=options.pool,
                                time_limit_s=options.time_limit_s,
                                memory_limit_mb=options.memory_limit_mb)
        for (k, _, _, inputs), got in zip(jobs, outputs):
            p = problems[k]
            tests, reasons, n_base = [], {}, p["n_base"]
            for j, (x, (value, why)) in enumerate(zip(inputs, got)):
                if value is None:
                    reasons.setdefault(why, []).append(j)
                    n_base -= j < p["n_base"]
                else:
                    tests.append({"input": x, "output": value})
            for why, where in reasons.items():
                notes.append(f"{p['problem_id']}: {len(where)} of {len(inputs)} inputs dropped "
                             f"(first: {where[0]}), the reference fails on them: {why}")
            p["tests"], p["n_base"] = tests, n_base
    kept = [p for p in problems if p["tests"]]
    for p in problems:
        if not p["tests"]:
            notes.append(f"{p['problem_id']}: dropped, no input with an expected value")
    ids = {p["problem_id"] for p in kept}
    return kept, [s for s in solutions if s["problem_id"] in ids]
