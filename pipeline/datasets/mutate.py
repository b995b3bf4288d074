"""Mutants of a reference solution, to check that a benchmark's tests reject wrong programs.

Three operators, each applied at its first site inside the entry-point function:

- ``off_by_one``: the first integer literal ``n`` becomes ``n + 1``;
- ``flip_compare``: the first comparison operator is negated (``<`` → ``>=``, ``==`` → ``!=`` …);
- ``wrong_return``: the first ``return value`` returns ``None`` instead.

>>> src = "def f(xs):\\n    return [x for x in xs if x < 2]\\n"
>>> for name, code in mutants(src, "f").items():
...     print(name, code.splitlines()[-1].strip())
off_by_one return [x for x in xs if x < 3]
flip_compare return [x for x in xs if x >= 2]
wrong_return return None
"""

from __future__ import annotations

import ast
import copy

_NEGATE = {ast.Lt: ast.GtE, ast.GtE: ast.Lt, ast.Gt: ast.LtE, ast.LtE: ast.Gt,
           ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In,
           ast.Is: ast.IsNot, ast.IsNot: ast.Is}


def _function(tree: ast.Module, entry_point: str) -> ast.AST | None:
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == entry_point:
            return node
    return None


def _off_by_one(fn) -> bool:
    for node in ast.walk(fn):
        if isinstance(node, ast.Constant) and type(node.value) is int:
            node.value += 1
            return True
    return False


def _flip_compare(fn) -> bool:
    for node in ast.walk(fn):
        if isinstance(node, ast.Compare):
            node.ops[0] = _NEGATE[type(node.ops[0])]()
            return True
    return False


def _wrong_return(fn) -> bool:
    for node in ast.walk(fn):
        if isinstance(node, ast.Return) and node.value is not None \
                and not (isinstance(node.value, ast.Constant) and node.value.value is None):
            node.value = ast.Constant(None)
            return True
    return False


OPERATORS = {"off_by_one": _off_by_one, "flip_compare": _flip_compare,
             "wrong_return": _wrong_return}


def mutants(code: str, entry_point: str) -> dict[str, str]:
    """``{operator: mutated source}`` for each operator that has a site in ``entry_point``."""
    tree = ast.parse(code)
    out = {}
    for name, apply in OPERATORS.items():
        t = copy.deepcopy(tree)
        fn = _function(t, entry_point)
        if fn is not None and apply(fn):
            out[name] = ast.unparse(t) + "\n"
    return out
