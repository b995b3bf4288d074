"""What the README shows a reader holds: its example request gets its example answer from a
real server, and its first command installs what the notebooks import and run with."""

from __future__ import annotations

import ast
import json
import re
import sys
import tomllib
from importlib import metadata

import requests

from conftest import ROOT
from pipeline.serve import Server

README = (ROOT / "README.md").read_text()


def contains(actual, documented, where: str = "answer") -> None:
    """``actual`` has every field of ``documented`` (an abridged copy), with its value."""
    if isinstance(documented, dict):
        assert isinstance(actual, dict), f"{where}: {actual!r}"
        for key, value in documented.items():
            assert key in actual, f"{where}.{key} is missing"
            contains(actual[key], value, f"{where}.{key}")
    elif isinstance(documented, list):
        assert isinstance(actual, list) and len(actual) == len(documented), f"{where}: {actual!r}"
        for i, (a, d) in enumerate(zip(actual, documented)):
            contains(a, d, f"{where}[{i}]")
    else:
        assert actual == documented, f"{where}: {actual!r}, the README says {documented!r}"


def test_readme_common_evaluate_batch_example(client):
    section = README[README.index("An example `common_evaluate_batch` request"):]
    request, answer = (json.loads(block) for block in
                       re.findall(r"```json\n(.*?)\n```", section, re.S)[:2])
    with Server(client).start(port=0) as server:
        got = requests.post(server.url + "/common_evaluate_batch", json=request, timeout=120)
    assert got.status_code == 200, got.text
    contains(got.json(), answer)


def distribution(requirement: str) -> str:
    return re.split(r"[<>=!~\[;\s]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_readme_command_1_installs_what_the_notebooks_need():
    command = next(line for line in README.splitlines()
                   if "pip install" in line and "daskjudge run configs/quickstart.yaml" in line)
    extras = re.search(r'pip install -e "\.\[([\w,-]+)\]"', command)
    assert extras, f"command 1 installs no extra: {command}"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    installed = {distribution(r) for r in project["dependencies"]} | {"daskjudge"}
    for extra in extras[1].split(","):
        installed |= {distribution(r) for r in project["optional-dependencies"][extra]}

    # Every module a notebook imports ...
    owners = metadata.packages_distributions()
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] != "code":
                continue
            for node in ast.walk(ast.parse("".join(cell["source"]))):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                         [node.module] if isinstance(node, ast.ImportFrom) else [])
                for top in {n.split(".")[0] for n in names}:
                    if top in sys.stdlib_module_names:
                        continue
                    dists = {"daskjudge"} if top in ("pipeline", "judges") else {
                        d.lower() for d in owners.get(top, [])}
                    assert dists & installed, f"{path.name} imports {top}; {command} misses it"
    # ... and the tools the README opens and runs them with, and their kernel.
    section = README[README.index("## Reports and notebooks"):]
    tools = set(re.findall(r"^jupyter (\w+)", section, re.M))
    assert tools == {"lab", "nbconvert"}
    assert {"jupyterlab", "nbconvert", "ipykernel"} <= installed
