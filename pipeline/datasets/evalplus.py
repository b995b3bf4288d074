"""HumanEval+ and MBPP+ (EvalPlus, Apache-2.0): ``function`` kind, expected values computed.

Release rows (``HumanEvalPlus.jsonl.gz``, ``MbppPlus.jsonl``): ``task_id``, ``prompt``,
``entry_point``, ``canonical_solution``, ``base_input`` and ``plus_input`` (lists of
positional-argument lists), ``atol``, ``contract``. Expected outputs are not stored: as
EvalPlus does, they come from running ``prompt + canonical_solution`` on every input, here in
the sandbox (:mod:`.reference`). Tests are the base inputs then the plus inputs; the extra
column ``n_base`` says how many are base. The judge is ``float:ATOL`` with EvalPlus's 1e-6
when ``atol`` is 0 (integers and other values still compare exactly).

MBPP+ stores its inputs as JSON, which has no tuples, sets or complex numbers; EvalPlus's
loader gives 62 tasks (56 of v0.1.0's) their Python types back before calling
(``mbpp_deserialize_inputs``). :func:`mbpp_arguments` does the same here, and the tests carry the restored arguments in the
function encoding (:mod:`pipeline.sandbox.inside.tagged`: ``{"$tuple": …}``, ``{"$set": …}``,
``{"$complex": …}``), so the reference and the candidates get the arguments EvalPlus gives
them. Return values are compared by DESIGN.md's rules (a returned tuple equals a list, sets
as sets, a ``Counter`` as a dict). Inputs on which the reference itself fails are dropped and
listed in the conversion notes. EvalPlus's special oracles (set equality for a few MBPP+
tasks, ``find_zero``'s residual check) are not reproduced.

Hugging Face mirrors (``evalplus/humanevalplus``, ``evalplus/mbppplus``) carry a ``test``
string of asserts instead of inputs; such rows become ``assert`` problems as in HumanEval.
"""

from __future__ import annotations


from ..sandbox.inside import tagged
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
            if pid.startswith("Mbpp/"):
                try:
                    args = mbpp_arguments(pid, args)
                except (TypeError, ValueError, IndexError, AttributeError) as exc:
                    raise up.error(f"input {j} does not have the shape EvalPlus expects for "
                                   f"this task: {type(exc).__name__}: {exc}") from None
            inputs.append(tagged.dumps(args))
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


# MBPP+ tasks whose arguments EvalPlus's loader turns back into Python types, by task number
# (its ``mbpp_deserialize_inputs``), grouped by what happens to the argument list.
_EACH_TUPLE = {2, 116, 132, 143, 222, 261, 273, 394, 399, 421, 424, 429, 470, 560, 579, 596,
               616, 630, 726, 740, 744, 809}
_EACH_LIST_OF_TUPLES = {63, 64, 70, 94, 120, 237, 272, 299, 400, 409, 417, 438, 473, 614, 780}
_FIRST_LIST_OF_TUPLES = {75, 413, 444, 753}
_SECOND_TUPLE = {106, 750}
_FIRST_TUPLE = {250, 405, 446, 617, 720, 763, 808}
_EACH_TUPLE_OF_TUPLES = {259, 401, 445}
_ALL_TUPLES = {580, 615, 791}


def mbpp_arguments(task_id: str, args: list) -> list:
    """The arguments of an MBPP+ input as EvalPlus calls the function with them.

    >>> mbpp_arguments("Mbpp/106", [[5, 6], [9, 10]])
    [[5, 6], (9, 10)]
    >>> mbpp_arguments("Mbpp/580", [[4, [7, 6]]]), mbpp_arguments("Mbpp/124", ["0", "1j"])
    ([(4, (7, 6))], [0.0, 1j])
    >>> mbpp_arguments("Mbpp/3", [7])
    [7]
    """
    n = int(task_id.rsplit("/", 1)[-1])
    if n in _EACH_TUPLE:
        return [tuple(a) for a in args]
    if n in _EACH_LIST_OF_TUPLES:
        return [[tuple(x) for x in a] for a in args]
    if n in _FIRST_LIST_OF_TUPLES:
        return [[tuple(x) for x in args[0]], *args[1:]]
    if n in _SECOND_TUPLE:
        return [args[0], tuple(args[1]), *args[2:]]
    if n in _FIRST_TUPLE or n == 307:
        return [tuple(args[0]), *args[1:]]
    if n in _EACH_TUPLE_OF_TUPLES:
        return [tuple(tuple(x) for x in a) for a in args]
    if n in _ALL_TUPLES:
        return [_tuples(a) for a in args]
    if n == 115:       # non-empty lists become sets, and the others empty dicts, as there
        return [[set(x) if isinstance(x, list) and x else {} for x in args[0]], *args[1:]]
    if n == 124:
        return [float(args[0]), complex(args[1]), *args[2:]]
    if n == 252:
        return [complex(args[0]), *args[1:]]
    if n == 278:
        return [tuple(tuple(x) if isinstance(x, list) else x for x in args[0]), *args[1:]]
    if n == 722:
        return [{k: tuple(v) for k, v in args[0].items()}, *args[1:]]
    return args


def _tuples(value):
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value
