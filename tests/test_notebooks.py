"""The notebooks run top to bottom in a fresh kernel, as a reader would run them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, SAMPLE


def execute(name: str, workdir):
    """Run the notebook as the README tells a reader to (``jupyter nbconvert --execute``),
    from a folder holding the sample; return the executed copy."""
    import nbformat

    shutil.copy(ROOT / "notebooks" / name, workdir / name)
    proc = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook",
                           "--execute", name, "--output-dir", "executed"],
                          cwd=workdir, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-5000:]
    return nbformat.read(workdir / "executed" / name, as_version=4)


def outputs(nb) -> str:
    """Everything the cells displayed, as one text (for assertions)."""
    return json.dumps([o for cell in nb.cells if cell.cell_type == "code"
                       for o in cell.get("outputs", [])])


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    # The kernel (and the workers it starts) import this checkout's packages; the
    # notebooks find the sample from the folder they run in.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p))
    shutil.copytree(SAMPLE, tmp_path / "data" / "sample")
    return tmp_path


def test_quickstart_notebook(workdir):
    nb = execute("quickstart.ipynb", workdir)
    text = outputs(nb)
    assert "individual-verifier" in text                        # the page's link
    assert "ScoreResult(32 problems, 105 solutions" in text
    assert "application/vnd.bokehjs_exec.v0+json" in text        # the report's plots
    run = workdir / "runs" / "quickstart-notebook"
    assert (run / "report.html").stat().st_size > 100_000
    assert json.loads((run / "summary.json").read_text())["solutions"] == 105


def test_analysis_notebook(workdir):
    nb = execute("analysis.ipynb", workdir)
    text = outputs(nb)
    # The exact judge rejects the trailing spaces and blank lines that lines ignores.
    assert "trailing_space" in text and "trailing_blank_lines" in text
    assert "pass_rate_exact" in text
    # The pass rates of both judges, plotted with Bokeh.
    assert "application/vnd.bokehjs_exec.v0+json" in text
    assert "Pass rate per problem: lines vs exact judge" in text
