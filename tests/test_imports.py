"""How the modules import each other: no import circles, and a command line that answers
``--help`` without loading Dask, pandas or Arrow (their speed is in benchmarks/cli_startup.py)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGES = ("pipeline", "judges")

# A cycle that exists and is to be removed: the languages package imports its plugins at
# the end of its __init__ (so that each registers itself), and each plugin imports the
# Language class from the package. Delete the entry when the cycle is gone.
KNOWN_CYCLES = [
    {"pipeline.sandbox.languages", "pipeline.sandbox.languages.cpp",
     "pipeline.sandbox.languages.go", "pipeline.sandbox.languages.java",
     "pipeline.sandbox.languages.javascript", "pipeline.sandbox.languages.rust"},
]

HEAVY = ("dask", "distributed", "pandas", "pyarrow", "numpy", "bokeh", "datasets", "tornado")


def modules() -> dict[str, Path]:
    """Every module of the packages, by dotted name."""
    out = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The modules of ``known`` that ``name`` imports anywhere in its file (at module level
    or inside a function): ``from a import b`` names module ``a.b`` when there is one."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                       for a in node.names]
        else:
            continue
        for target in targets:
            while target not in known and "." in target:
                target = target.rpartition(".")[0]          # a name inside a module
            if target in known and target != name:
                found.add(target)
    return found


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(component)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_import_graph_is_read_from_the_sources():
    known = modules()
    graph = {name: imports(name, path, known) for name, path in known.items()}
    # Module level, relative (``from .commands import``) ...
    assert "pipeline.commands" in graph["pipeline.cli"]
    # ... inside a function, ``from . import io`` naming a module ...
    assert "pipeline.io" in graph["pipeline.convert_cmd"]
    # ... and absolute.
    assert "judges" in graph["pipeline.io"]
    # A made-up circle is found.
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]


def test_no_import_cycles():
    known = modules()
    graph = {name: imports(name, path, known) for name, path in known.items()}
    found = cycles(graph)
    new = [sorted(c) for c in found if c not in KNOWN_CYCLES]
    assert not new, f"import cycles: {new}"
    gone = [sorted(c) for c in KNOWN_CYCLES if c not in found]
    assert not gone, f"these cycles are gone: delete them from KNOWN_CYCLES: {gone}"


@pytest.mark.parametrize("args", [["--help"], ["score", "--help"], ["run", "--help"],
                                  ["convert", "--help"], ["serve", "--help"],
                                  ["eval", "--help"], ["judges", "generate", "--help"],
                                  ["score"]])
def test_help_and_usage_errors_import_no_heavy_module(args):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "pipeline.cli", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert "usage: daskjudge" in proc.stdout + proc.stderr
    assert proc.returncode == (0 if "--help" in args else 2)
    imported = {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines()
                if line.startswith("import time:") and "|" in line}
    assert "pipeline" in imported                       # -X importtime did report
    heavy = sorted(m for m in imported if m.split(".")[0] in HEAVY)
    assert not heavy, heavy
